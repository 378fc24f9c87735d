"""Every SMTP limit (docs/smtp.md) against the real server: each bad input gets its reply, the
session carries on (or is closed where docs/smtp.md says so), and nothing is queued."""
import base64
import os
import socket
import struct
import time

import pytest

from harness import PASSWORD, SENDER, RawClient, read_queue


def plain_ir(user, password):
    return base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()


def start_tx(c, rcpts=("a@dest.test",)):
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "250 Mail Ok"
    for r in rcpts:
        assert c.cmd(f"RCPT TO:<{r}>") == "250 Rcpt Ok"


def test_31st_recipient_is_556(server):
    c = RawClient(server.ports["plain"])
    c.login()
    start_tx(c, [f"r{i}@dest.test" for i in range(30)])
    assert c.cmd("RCPT TO:<r31@dest.test>") == "556 The number of RCPTs is over size"
    assert c.cmd("DATA").startswith("354")
    c.send("Subject: x\r\n\r\nbody\r\n.\r\n")
    assert c.reply()[0].startswith("250 Data Ok")
    (env, _), = read_queue(server.data).values()
    assert len(env["recipients"]) == 30


def test_size_limits_552_and_557(make_server):
    srv = make_server(limits="max_message_bytes = 2048").start().provision()
    c = RawClient(srv.ports["plain"])
    c.login()
    assert c.cmd("EHLO again").endswith("250 SMTPUTF8")
    assert c.cmd(f"MAIL FROM:<{SENDER}> SIZE=2049") == \
        "552 5.3.4 Message size exceeds fixed maximum message size"
    start_tx(c)
    assert c.cmd("DATA").startswith("354")
    c.send("Subject: big\r\n\r\n" + ("x" * 100 + "\r\n") * 40 + ".\r\n")
    assert c.reply() == ["557 The length of DATA content is achieved the maximum threshold"]
    assert c.cmd("NOOP") == "250 2.0.0 Ok"
    assert read_queue(srv.data) == {}


def test_invalid_address_library_559(server):
    server.ctl("invalid", "add", "acme", "Gone@Dest.test")
    c = RawClient(server.ports["plain"])
    c.login()
    start_tx(c)
    assert c.cmd("RCPT TO:<gone@dest.test>") == "559 Invalid rcptto"
    server.ctl("invalid", "remove", "acme", "gone@dest.test")
    assert c.cmd("RCPT TO:<gone@dest.test>") == "250 Rcpt Ok"


def test_bare_lf_rejects_whole_message_never_splits(server):
    c = RawClient(server.ports["plain"])
    c.login()
    start_tx(c)
    assert c.cmd("DATA").startswith("354")
    # SMTP smuggling: <LF>.<CR><LF> then a second transaction inside the first message.
    c.send(f"Subject: a\r\n\r\npart1\n.\r\nMAIL FROM:<{SENDER}>\r\nRCPT TO:<evil@dest.test>\r\n"
           "DATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n")
    assert c.reply() == ["554 5.6.11 Message contains bare CR or LF, rejected"]
    assert c.cmd("NOOP") == "250 2.0.0 Ok"
    start_tx(c)
    assert c.cmd("DATA").startswith("354")
    c.send("a\rb\r\n.\r\n")
    assert c.reply() == ["554 5.6.11 Message contains bare CR or LF, rejected"]
    assert read_queue(server.data) == {}


def test_auth_required_sender_mismatch_wrong_order(server):
    c = RawClient(server.ports["plain"])
    c.reply()
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "503 5.5.1 Send HELO/EHLO first"
    c.cmd("EHLO x")
    # Without AUTH the transaction is inbound mail (docs/inbound.md): no foreign recipient.
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "250 Mail Ok"
    assert c.cmd("RCPT TO:<a@dest.test>") == "530 5.7.0 Authentication required"
    assert c.cmd("RSET") == "250 2.0.0 Ok"
    assert c.cmd("RCPT TO:<a@dest.test>") == "503 5.5.1 Need MAIL command"
    assert c.cmd("AUTH PLAIN " + plain_ir(SENDER, PASSWORD)) == "235 Authentication successful"
    assert c.cmd("MAIL FROM:<other@example.com>") == "553 5.7.1 Sender address does not match the authenticated user"
    assert c.cmd("DATA") == "503 5.5.1 Need MAIL command"
    assert c.cmd("FROB") == "500 5.5.2 Syntax error, command unrecognized"
    assert c.cmd("AUTH PLAIN x") == "503 5.5.1 Already authenticated"
    assert c.cmd("VRFY someone").startswith("252 ")
    assert c.cmd("HELP").startswith("214 ")
    assert c.cmd("RSET") == "250 2.0.0 Ok"
    assert c.cmd("QUIT") == "221 Bye"


def test_ehlo_after_auth_keeps_login(server):
    c = RawClient(server.ports["plain"])
    c.login()
    assert c.cmd("EHLO again") == "250 SMTPUTF8"
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "250 Mail Ok"


def test_bad_base64_and_cancel(server):
    c = RawClient(server.ports["plain"])
    c.reply()
    c.cmd("EHLO x")
    assert c.cmd("AUTH PLAIN ***") == "501 5.5.2 Cannot decode response"
    assert c.cmd("AUTH LOGIN") == "334 dXNlcm5hbWU6"
    assert c.cmd("not base64!") == "501 5.5.2 Cannot decode response"
    assert c.cmd("AUTH PLAIN") == "334 "
    assert c.cmd("*") == "501 5.7.0 Authentication cancelled"
    assert c.cmd("AUTH PLAIN " + plain_ir(SENDER, PASSWORD)) == "235 Authentication successful"


def test_command_line_length_limit(server):
    c = RawClient(server.ports["plain"])
    c.reply()
    assert c.cmd("NOOP " + "a" * 5000) == "500 5.5.2 Line too long"
    assert c.cmd("NOOP") == "250 2.0.0 Ok"


def test_idle_timeout_421(make_server):
    srv = make_server(smtp='idle_timeout = "1s"').start()
    c = RawClient(srv.ports["plain"])
    c.reply()
    t0 = time.monotonic()
    assert c.reply() == ["421 4.4.2 mx.test Error: timeout exceeded"]
    assert 0.5 < time.monotonic() - t0 < 10
    assert c.closed()


def test_error_limit_closes(make_server):
    srv = make_server(smtp="max_errors = 3").start()
    c = RawClient(srv.ports["plain"])
    c.reply()
    assert c.cmd("BAD1").startswith("500")
    assert c.cmd("BAD2").startswith("500")
    c.send("BAD3\r\n")
    assert c.reply()[0].startswith("500")
    assert c.reply() == ["421 4.7.0 mx.test Error: too many errors"]
    assert c.closed()


def test_auth_failures_per_connection_then_421(make_server):
    srv = make_server(smtp="max_auth_failures = 3\nauth_failures_per_ip = 100").start().provision()
    c = RawClient(srv.ports["plain"])
    c.reply()
    c.cmd("EHLO x")
    for _ in range(2):
        assert c.cmd("AUTH PLAIN " + plain_ir(SENDER, "Wrong2026ab")) == "535 Authentication failure"
    c.send("AUTH PLAIN " + plain_ir(SENDER, "Wrong2026ab") + "\r\n")
    assert c.reply() == ["535 Authentication failure"]
    assert c.reply() == ["421 4.7.0 mx.test Too many failed authentication attempts"]
    assert c.closed()


def test_auth_failure_throttling_per_client_ip(make_server):
    srv = make_server(smtp='auth_failures_per_ip = 3\nauth_failure_window = "60s"').start().provision()
    for _ in range(3):
        c = RawClient(srv.ports["plain"])
        c.reply()
        c.cmd("EHLO x")
        assert c.cmd("AUTH PLAIN " + plain_ir(SENDER, "Wrong2026ab")) == "535 Authentication failure"
        c.close()
    c = RawClient(srv.ports["plain"])
    c.reply()
    c.cmd("EHLO x")
    # Even the right password is refused for this address while it is throttled.
    assert c.cmd("AUTH PLAIN " + plain_ir(SENDER, PASSWORD)).startswith("454 4.7.0 ")
    # Another client IP is not affected.
    s = socket.create_connection(("127.0.0.1", srv.ports["plain"]), timeout=10, source_address=("127.0.0.2", 0))
    other = RawClient.__new__(RawClient)
    other.sock, other.buf = s, b""
    assert other.login() == "235 Authentication successful"


def test_connection_limit_per_ip(make_server):
    srv = make_server(smtp="max_connections_per_ip = 2").start()
    a, b = RawClient(srv.ports["plain"]), RawClient(srv.ports["plain"])
    assert a.reply()[0].startswith("220") and b.reply()[0].startswith("220")
    c = RawClient(srv.ports["plain"])
    assert c.reply() == ["421 4.7.0 mx.test Too many connections"]
    assert c.closed()
    s = socket.create_connection(("127.0.0.1", srv.ports["plain"]), timeout=10, source_address=("127.0.0.3", 0))
    assert s.recv(100).startswith(b"220")
    a.close()
    deadline = time.monotonic() + 10  # the server notices the close, then a slot is free again
    while True:
        d = RawClient(srv.ports["plain"])
        first = d.reply()[0]
        if first.startswith("220") or time.monotonic() > deadline:
            break
        d.close()
        time.sleep(0.1)
    assert first.startswith("220")


def test_connection_limit_total(make_server):
    srv = make_server(smtp="max_connections = 2").start()
    a, b = RawClient(srv.ports["plain"]), RawClient(srv.ports["plain"])
    a.reply(), b.reply()
    s = socket.create_connection(("127.0.0.1", srv.ports["plain"]), timeout=10, source_address=("127.0.0.4", 0))
    assert s.recv(100).startswith(b"421 4.7.0 mx.test Too many connections")


def test_starttls_discards_pipelined_commands(server):
    import ssl
    from harness import tls_context
    c = RawClient(server.ports["smtp"])
    c.reply()
    c.send("EHLO x\r\n")
    assert c.reply()[-1] == "250 STARTTLS"
    c.send("STARTTLS\r\nNOOP\r\n")  # the NOOP must not be answered, before or after TLS
    assert c.reply() == ["220 2.0.0 Ready to start TLS"]
    assert c.buf == b""
    tls = tls_context().wrap_socket(c.sock, server_hostname="mx.test")
    tls.settimeout(1)
    with pytest.raises(socket.timeout):
        tls.recv(1000)
    tls.sendall(b"NOOP\r\n")
    tls.settimeout(10)
    assert tls.recv(1000) == b"250 2.0.0 Ok\r\n"
    assert isinstance(tls, ssl.SSLSocket) and tls.version() in ("TLSv1.2", "TLSv1.3")


def legacy_client_hello(version):
    """A ClientHello offering only `version` (0x0301 TLS 1.0, 0x0302 TLS 1.1) and CBC suites those
    versions have, built by hand: the local OpenSSL client refuses to send one itself, so a
    handshake through it would fail before the server is asked."""
    suites = [0xC013, 0xC014, 0xC009, 0xC00A, 0x002F, 0x0035]
    groups = b"\x00\x0a" + struct.pack("!HH", 4, 2) + struct.pack("!H", 23)  # supported_groups: P-256
    points = b"\x00\x0b\x00\x02\x01\x00"  # ec_point_formats: uncompressed
    body = (struct.pack("!H", version) + os.urandom(32) + b"\x00"
            + struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", c) for c in suites)
            + b"\x01\x00" + struct.pack("!H", len(groups + points)) + groups + points)
    handshake = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16" + struct.pack("!HH", 0x0301, len(handshake)) + handshake


def legacy_hello_answer(sock, version):
    """What the peer answers a legacy ClientHello with: ("alert", level, description),
    ("server_hello", negotiated version) or ("closed",)."""
    sock.settimeout(10)
    sock.sendall(legacy_client_hello(version))
    head = b""
    while len(head) < 5:
        chunk = sock.recv(5 - len(head))
        if not chunk:
            return ("closed",)
        head += chunk
    content_type, _, length = struct.unpack("!BHH", head)
    body = b""
    while len(body) < min(length, 6):
        chunk = sock.recv(length - len(body))
        if not chunk:
            break
        body += chunk
    if content_type == 0x15:
        return ("alert", body[0], body[1])
    if content_type == 0x16 and body[:1] == b"\x02":
        return ("server_hello", struct.unpack("!H", body[4:6])[0])
    return ("other", content_type)


PROTOCOL_VERSION, HANDSHAKE_FAILURE = 70, 40


@pytest.mark.parametrize("version", [0x0301, 0x0302], ids=["tls1.0", "tls1.1"])
def test_tls_below_1_2_refused(server, version):
    with socket.create_connection(("127.0.0.1", server.ports["smtps"]), timeout=10) as s:
        answer = legacy_hello_answer(s, version)
    assert answer[0] == "alert" and answer[1] == 2 and answer[2] in (PROTOCOL_VERSION, HANDSHAKE_FAILURE), answer
    c = RawClient(server.ports["smtp"])
    c.reply()
    c.cmd("EHLO x")
    assert c.cmd("STARTTLS") == "220 2.0.0 Ready to start TLS"
    answer = legacy_hello_answer(c.sock, version)
    c.close()
    assert answer[0] == "alert" and answer[1] == 2 and answer[2] in (PROTOCOL_VERSION, HANDSHAKE_FAILURE), answer


def test_legacy_hello_probe_sees_a_server_that_accepts_tls_1_0(tmp_path):
    """The probe of the test above tells the two cases apart: a server that accepts TLS 1.0 answers
    it with a ServerHello (openssl s_server at security level 0)."""
    import shutil
    import subprocess
    from harness import wait_for
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("no openssl binary")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=legacy.test", "-days",
                    "1", "-keyout", str(tmp_path / "k.pem"), "-out", str(tmp_path / "c.pem")], check=True,
                   capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    legacy = subprocess.Popen([openssl, "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(tmp_path / "c.pem"),
                               "-key", str(tmp_path / "k.pem"), "-tls1", "-cipher", "ALL:@SECLEVEL=0", "-quiet"],
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def connected():
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=1)
            except OSError:
                return None
        s = wait_for(connected, 10, "openssl s_server to listen")
        with s:
            answer = legacy_hello_answer(s, 0x0301)
        if answer[0] == "alert":
            pytest.skip(f"this OpenSSL cannot serve TLS 1.0 even at security level 0: {answer}")
        assert answer == ("server_hello", 0x0301)
    finally:
        legacy.kill()
        legacy.wait(timeout=10)


def test_rfc_reply_style(make_server):
    srv = make_server(smtp='reply_style = "rfc"').start().provision()
    c = RawClient(srv.ports["plain"])
    c.reply()
    c.send("EHLO x\r\n")
    assert "250-ENHANCEDSTATUSCODES" in c.reply()
    assert c.cmd("AUTH PLAIN " + plain_ir(SENDER, "Wrong2026ab")) == "535 5.7.8 Authentication failure"
    assert c.cmd("AUTH PLAIN " + plain_ir(SENDER, PASSWORD)) == "235 2.7.0 Authentication successful"
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "250 2.1.0 Mail Ok"
    assert c.cmd("RCPT TO:<a@dest.test>") == "250 2.1.5 Rcpt Ok"
    assert c.cmd("DATA") == "354 End data with <CR><LF>.<CR><LF>"
    c.send("x\r\n.\r\n")
    assert c.reply()[0].startswith("250 2.0.0 Data Ok: queued as freedom ###envid=")
    assert c.cmd("QUIT") == "221 2.0.0 Bye"


def test_auth_requires_tls_listener(make_server):
    srv = make_server(listeners=[("smtp", "starttls")], extra="").start()
    # rewrite with auth_requires_tls on the listener
    srv.stop()
    cfg = srv.config.read_text().replace('tls = "starttls"\n', 'tls = "starttls"\nauth_requires_tls = true\n', 1)
    srv.config.write_text(cfg)
    srv.start().provision()
    c = RawClient(srv.ports["smtp"])
    c.reply()
    c.send("EHLO x\r\n")
    assert not any("AUTH" in l for l in c.reply())
    assert c.cmd("AUTH PLAIN " + plain_ir(SENDER, PASSWORD)) == "530 5.7.0 Must issue a STARTTLS command first"
    # After STARTTLS the same listener advertises AUTH and takes the password.
    from harness import tls_context
    assert c.cmd("STARTTLS") == "220 2.0.0 Ready to start TLS"
    c.sock = tls_context().wrap_socket(c.sock)
    c.send("EHLO x\r\n")
    assert any(l[4:].startswith("AUTH ") for l in c.reply())
    assert c.cmd("AUTH PLAIN " + plain_ir(SENDER, PASSWORD)) == "235 Authentication successful"
    c.close()


def test_suspended_account_551(server):
    server.ctl("account", "suspend", "acme")
    c = RawClient(server.ports["plain"])
    c.login()
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "551 Main account unavailable"


def test_ip_protection_at_mail(server):
    import json as _json
    server.ctl("ip-protection", "add", "acme", "127.0.0.2")
    server.ctl("ip-protection", "enable", "acme")
    c = RawClient(server.ports["plain"])  # from 127.0.0.1: not listed
    c.login()
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == \
        "554 5.7.1 IP protection: 127.0.0.1 is not in the account's allowed IPs"
    s = socket.create_connection(("127.0.0.1", server.ports["plain"]), timeout=10, source_address=("127.0.0.2", 0))
    listed = RawClient.__new__(RawClient)
    listed.sock, listed.buf = s, b""
    listed.login()
    assert listed.cmd(f"MAIL FROM:<{SENDER}>") == "250 Mail Ok"
    server.ctl("ip-protection", "add", "acme", "127.0.0.0/30")
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "250 Mail Ok"
    shown = _json.loads(server.ctl("--json", "ip-protection", "show", "acme").stdout)
    assert shown == {"enabled": True, "entries": ["127.0.0.0/30", "127.0.0.2"]}
    server.ctl("ip-protection", "remove", "acme", "127.0.0.0/30")
    server.ctl("ip-protection", "disable", "acme")
    c2 = RawClient(server.ports["plain"])
    c2.login()
    assert c2.cmd(f"MAIL FROM:<{SENDER}>") == "250 Mail Ok"


def test_ip_protection_entry_rules(make_server):
    srv = make_server()
    srv.config.write_text(srv.config.read_text().replace("allow_private_ip_protection = true",
                                                         "allow_private_ip_protection = false"))
    srv.start().provision()
    r = srv.ctl("ip-protection", "add", "acme", "192.168.0.0/16", check=False)
    assert r.returncode == 1 and "private" in r.stderr
    r = srv.ctl("ip-protection", "add", "acme", "not-an-ip", check=False)
    assert r.returncode == 1 and "not an IP address" in r.stderr
    for i in range(10):
        srv.ctl("ip-protection", "add", "acme", f"220.181.12.{i}")
    r = srv.ctl("ip-protection", "add", "acme", "220.181.13.0/24", check=False)
    assert r.returncode == 1 and "at most 10 entries" in r.stderr
