"""/metrics in the Prometheus text format: the hosted service's monitoring items (SMTP auth success and
failure, length and quota refusals, API successes and errors) plus queue depth and delivery."""
import re
import smtplib
import time
import urllib.error
import urllib.request

from harness import PASSWORD, SENDER, TOKEN, wait_for
from openapi_client import create_key, sdk
from sink import Sink


def scrape(srv):
    req = urllib.request.Request(f"{srv.admin_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as res:
        assert res.headers["Content-Type"].startswith("text/plain")
        text = res.read().decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return text, values


def test_metrics_count_what_happened(make_server):
    sink = Sink()
    try:
        srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),), limits="max_message_bytes = 2048")
        srv.start().provision()
        key = create_key(srv)
        srv.ctl("account", "quota", "acme", "--daily", "2")
        with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
            try:
                s.login(SENDER, "WrongPassword99")
            except smtplib.SMTPAuthenticationError:
                pass
            s.login(SENDER, PASSWORD)
            s.sendmail(SENDER, ["a@example.org", "b@example.org"], "Subject: m\r\n\r\nbody\r\n")
            assert s.mail(SENDER)[0] == 552  # daily quota used up
            s.rset()
        with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
            s.login(SENDER, PASSWORD)
            assert s.mail(SENDER, ["SIZE=999999"])[0] == 552  # length exceeded
        assert sdk(srv, key, "descAccountSummary")["ok"]
        assert sdk(srv, key, "singleSendMail", {"accountName": SENDER, "addressType": 1, "replyToAddress": False,
                                                "toAddress": "c@example.org", "subject": "s", "textBody": "t"}
                   )["code"] == "QuotaExceeded.Daily"
        assert len(sink.handler.wait_for(1)) == 1  # one message, two recipients
        text, v = scrape(srv)
        assert v['mailpush_smtp_auth_total{result="success"}'] == 2
        assert v['mailpush_smtp_auth_total{result="failure"}'] == 2  # smtplib tries PLAIN, then LOGIN
        assert v["mailpush_smtp_messages_total"] == 1 and v["mailpush_smtp_recipients_total"] == 2
        assert v['mailpush_smtp_replies_total{code="535"}'] == 2
        assert v['mailpush_smtp_replies_total{code="552"}'] == 2
        assert v['mailpush_smtp_rejections_total{reason="quota_daily"}'] == 1
        assert v['mailpush_api_requests_total{action="DescAccountSummary",code="Success"}'] == 1
        assert v['mailpush_api_requests_total{action="SingleSendMail",code="QuotaExceeded.Daily"}'] == 1
        assert v['mailpush_smtp_commit_seconds_count'] == 1
        assert v['mailpush_smtp_commit_seconds_bucket{le="+Inf"}'] == 1
        assert "mailpush_queue_messages" in v
        # Delivery results arrive after the sink has the mail: wait for the counter.
        def delivered_both():
            text, v = scrape(srv)
            return (text, v) if v.get('mailpush_delivery_results_total{state="delivered",failed_type="SendOk"}') == 2 \
                else None
        text, v = wait_for(delivered_both, 15, "two delivery results in /metrics", pause=0.1)
        assert v['mailpush_delivery_results_total{state="delivered",failed_type="SendOk"}'] == 2
        assert re.search(r"^# TYPE mailpush_smtp_commit_seconds histogram$", text, re.M)
    finally:
        sink.stop()


def test_http_connection_limit(make_server):
    import socket
    srv = make_server()
    srv.write_config()
    srv.config.write_text(srv.config.read_text().replace("[http]\n", "[http]\nmax_connections = 2\n", 1))
    srv.start()
    held = [socket.create_connection(("127.0.0.1", srv.ports["http"]), timeout=10) for _ in range(2)]
    try:
        for s in held:  # a connection that has answered is accepted and counted (keep-alive holds it)
            s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = s.recv(4096)
                assert chunk, head
                head += chunk
        with socket.create_connection(("127.0.0.1", srv.ports["http"]), timeout=10) as third:
            third.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            reply = b""
            while chunk := third.recv(4096):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 503") and b'"Busy"' in reply
    finally:
        for s in held:
            s.close()
    for _ in range(50):  # the held sessions end; the server takes requests again
        try:
            with urllib.request.urlopen(f"{srv.admin_url}/v1/health", timeout=10) as res:
                assert res.status == 200
                break
        except urllib.error.HTTPError as e:
            assert e.code == 503
            time.sleep(0.1)
    else:
        raise AssertionError("still refusing after the held connections closed")
