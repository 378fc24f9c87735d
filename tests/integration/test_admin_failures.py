"""An unexpected failure inside a handler is a 500 without internal detail, and the server lives on."""
import json
import sqlite3
import urllib.error
import urllib.request

from harness import TOKEN


def get(srv, path, token=None, accept=None, method="GET"):
    req = urllib.request.Request(srv.admin_url + path, method=method, data=b"" if method == "POST" else None)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def break_table(srv, table):
    """Drops a table under the running server: its next query there fails in SQLite itself."""
    db = sqlite3.connect(srv.data / "store.db", timeout=10)
    try:
        db.execute(f"DROP TABLE {table}")
        db.commit()
    finally:
        db.close()


def test_failed_reply_to_confirmation_is_a_500_and_the_server_lives_on(server):
    break_table(server, "reply_to_tokens")
    for accept in (None, "text/html"):  # a script, then a person's browser
        status, body = get(server, "/v1/reply-to/confirm?token=secret-link-token", accept=accept, method="POST")
        assert status == 500
        assert json.loads(body)["error"] == {"code": "InternalError", "message": "internal error"}
    assert get(server, "/v1/health")[0] == 200  # still serving: the exception did not end the process
    log = server.log()
    assert "admin API: POST /v1/reply-to/confirm failed" in log and "reply_to_tokens" in log
    assert "secret-link-token" not in log  # the link's token is a credential: never logged


def test_failed_admin_request_answers_without_internal_detail(server):
    break_table(server, "tags")
    status, body = get(server, "/v1/tags?account=acme", token=TOKEN)
    assert status == 500
    assert json.loads(body)["error"] == {"code": "InternalError", "message": "internal error"}
    assert "tags" in server.log().split("admin API: GET /v1/tags failed:", 1)[1].splitlines()[0]
    assert get(server, "/v1/accounts", token=TOKEN)[0] == 200
