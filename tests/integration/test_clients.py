"""Real clients against the real server: smtplib (plain, STARTTLS, SMTP_SSL), swaks, curl."""
import subprocess
from email.message import EmailMessage

from harness import PASSWORD, SENDER, envid_of, read_queue, simple_message, tls_context


def stored_body(server, envid):
    entries = read_queue(server.data)
    assert envid in entries, f"envid {envid} not on disk"
    return entries[envid]


def test_smtplib_plain_auth_is_queued_on_disk(server):
    msg = simple_message("plain")
    with server.smtp() as s:
        s.ehlo()
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        s.rcpt("rcpt@dest.test")
        code, text = s.data(msg)
    assert code == 250
    envid = envid_of(text)
    env, body = stored_body(server, envid)
    assert env["mail_from"] == SENDER
    assert [r["address"] for r in env["recipients"]] == ["rcpt@dest.test"]
    assert body.startswith(b"Received: from client") or body.startswith(b"Received: from ")
    assert body.endswith(msg.encode())
    assert b"\r\nMessage-ID: <" in body and b"\r\nDate: " in body  # added because the client sent none
    assert any(e["envid"] == str(envid) for e in server.queue())


def test_smtplib_starttls(server):
    with server.smtp() as s:
        s.starttls(context=tls_context())
        s.ehlo()
        assert not s.has_extn("starttls")
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        s.rcpt("a@dest.test")
        code, text = s.data(simple_message("starttls"))
    assert code == 250
    env, body = stored_body(server, envid_of(text))
    assert env["tls"] is True
    assert b"with ESMTPSA" in body


def test_smtplib_implicit_tls(server):
    with server.smtps() as s:
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        s.rcpt("b@dest.test")
        code, text = s.data(simple_message("smtps"))
    assert code == 250
    assert stored_body(server, envid_of(text))[0]["tls"] is True


def test_auth_login_and_send_message_mime_attachment_utf8_subject(server):
    msg = EmailMessage()
    msg["Subject"] = "发票 invoice ✓"
    msg["From"] = SENDER
    msg["To"] = "c@dest.test"
    msg.set_content("正文 body text\n")
    msg.add_attachment(bytes(range(256)) * 40, maintype="application", subtype="octet-stream",
                       filename="data.bin")
    with server.smtp() as s:
        s.ehlo()
        s.esmtp_features["auth"] = "LOGIN"  # force AUTH LOGIN
        s.login(SENDER, PASSWORD)
        sent = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))  # serialise once: fixes the boundary
        refused = s.sendmail(SENDER, ["c@dest.test"], sent)
    assert refused == {}
    entries = read_queue(server.data)
    assert len(entries) == 1
    env, body = next(iter(entries.values()))
    assert body.endswith(sent)
    assert b"filename=\"data.bin\"" in body
    assert b"Subject: =?utf-8?" in body


def test_swaks_plain_starttls_and_implicit_tls(server, tmp_path):
    base = ["swaks", "--auth", "PLAIN", "--auth-user", SENDER, "--auth-password", PASSWORD,
            "--from", SENDER, "--to", "swaks@dest.test", "--timeout", "20"]
    for extra in ([], ["--tls"]):
        r = subprocess.run(base + ["--server", f"127.0.0.1:{server.ports['smtp']}", *extra],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "queued as freedom ###envid=" in r.stdout
    r = subprocess.run(base + ["--server", f"127.0.0.1:{server.ports['smtps']}", "--tls-on-connect",
                               "--auth", "LOGIN"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(read_queue(server.data)) == 3


def test_curl_smtp_and_smtps(server, tmp_path):
    msg = tmp_path / "msg.eml"
    msg.write_bytes(simple_message("curl").encode())
    common = ["curl", "-sS", "--max-time", "30", "--mail-from", SENDER, "--mail-rcpt", "curl@dest.test",
              "--user", f"{SENDER}:{PASSWORD}", "--upload-file", str(msg)]
    r = subprocess.run(common + ["--url", f"smtp://127.0.0.1:{server.ports['smtp']}", "--ssl-reqd", "-k"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(common + ["--url", f"smtps://127.0.0.1:{server.ports['smtps']}", "-k"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(common + ["--url", f"smtp://127.0.0.1:{server.ports['plain']}"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    bodies = [b for _, b in read_queue(server.data).values()]
    assert len(bodies) == 3 and all(b.endswith(msg.read_bytes()) for b in bodies)


def test_pipelined_transaction_in_one_write(server):
    from harness import RawClient
    c = RawClient(server.ports["plain"])
    assert c.login() == "235 Authentication successful"
    c.send(f"MAIL FROM:<{SENDER}>\r\nRCPT TO:<a@dest.test>\r\nRCPT TO:<b@dest.test>\r\nDATA\r\n")
    assert c.reply() == ["250 Mail Ok"]
    assert c.reply() == ["250 Rcpt Ok"]
    assert c.reply() == ["250 Rcpt Ok"]
    assert c.reply() == ["354 End data with <CR><LF>.<CR><LF>"]
    c.send("Subject: p\r\n\r\n..dot\r\n.\r\nQUIT\r\n")
    envid = envid_of(c.reply()[0])
    assert c.reply() == ["221 Bye"]
    env, body = read_queue(server.data)[envid]
    assert len(env["recipients"]) == 2
    assert body.endswith(b"Subject: p\r\n\r\n.dot\r\n")


def test_seed_telnet_walkthrough_exact_replies(server):
    """The hosted service's documented telnet session, byte for byte in the directmail style."""
    import base64
    from harness import RawClient
    c = RawClient(server.ports["plain"])
    assert c.reply() == ["220 mx.test ESMTP mailpush"]
    assert c.cmd("EHLO test.com") == "250 SMTPUTF8"  # DSN is not offered (docs/adr/0007-dsn.md)
    assert c.cmd("AUTH LOGIN") == "334 dXNlcm5hbWU6"
    assert c.cmd(base64.b64encode(SENDER.encode()).decode()) == "334 UGFzc3dvcmQ6"
    assert c.cmd(base64.b64encode(PASSWORD.encode()).decode()) == "235 Authentication successful"
    assert c.cmd(f"MAIL FROM: <{SENDER}>") == "250 Mail Ok"
    assert c.cmd("RCPT TO: <test@test.com>") == "250 Rcpt Ok"
    assert c.cmd("DATA") == "354 End data with <CR><LF>.<CR><LF>"
    c.send(f"subject: test\r\nfrom: <{SENDER}>\r\nto: <test@test.com>\r\n\r\ntest\r\n")
    assert c.cmd(".").startswith("250 Data Ok: queued as freedom ###envid=")
    assert c.cmd("QUIT") == "221 Bye"
