"""Fixes from review: `queue show` of a delivered message, and admin changes on the security
event stream without secrets."""
import json
import re
import smtplib

from harness import PASSWORD, SENDER, wait_for


def test_queue_show_of_a_delivered_message_prints_state_attempts_and_reply(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),)).start().provision()
    with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        s.rcpt("bob@example.org")
        s.rcpt("carol@example.org")
        code, text = s.data(b"Subject: hi\r\n\r\nbody\r\n")
    assert code == 250
    envid = re.search(rb"(\d+)", text).group(1).decode()
    sink.handler.wait_for(2)

    def delivered():
        out = srv.ctl("queue", "show", envid, check=False)
        return out.stdout if out.returncode == 0 and out.stdout.count("delivered") >= 2 else None

    out = wait_for(delivered, 30, "both recipients delivered in queue show")
    for rcpt in ("bob@example.org", "carol@example.org"):
        row = next(line for line in out.splitlines() if line.startswith(rcpt))
        assert "delivered" in row and " 1 " in f" {row} " and "250" in row, out


def test_admin_changes_are_security_events_without_secrets(make_server):
    srv = make_server().start().provision()
    key = json.loads(srv.ctl("accesskey", "create", "acme", "--json").stdout)
    srv.ctl("accesskey", "delete", key["AccessKeyId"])
    new_password = "NewSecret2026xy"
    srv.ctl("address", "password", SENDER, "--password-stdin", input=new_password + "\n")
    srv.ctl("ip-protection", "add", "acme", "10.1.2.3")
    log = srv.log()
    for kind in ("access_key_created", "access_key_deleted", "password_changed", "ip_protection_changed"):
        assert re.search(rf"security event={kind} ip=127\.0\.0\.1 account=acme ", log), kind
    assert new_password not in log and key["AccessKeySecret"] not in log
