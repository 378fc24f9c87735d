"""Nothing that got a 250 is ever lost; nothing is acknowledged that is not on disk."""
import random
import smtplib
import socket
import threading
import time

import pytest

from harness import PASSWORD, SENDER, RawClient, envid_of, read_queue


def make_message(token):
    return (f"Subject: durability {token}\r\nFrom: {SENDER}\r\nTo: r@dest.test\r\n"
            f"Message-ID: <{token}@test>\r\nDate: Mon, 23 Nov 2026 20:00:00 +0000\r\n\r\n"
            + f"token={token}\r\n" + "x" * random.randint(10, 3000) + "\r\n").encode()


def sender_loop(port_getter, acked, stop, prefix, lock):
    n = 0
    while not stop.is_set():
        token = f"{prefix}-{n}"
        n += 1
        msg = make_message(token)
        try:
            with smtplib.SMTP("127.0.0.1", port_getter(), timeout=10) as s:
                s.login(SENDER, PASSWORD)
                s.mail(SENDER)
                s.rcpt("r@dest.test")
                code, text = s.data(msg)
            if code == 250:
                with lock:
                    acked[token] = (envid_of(text), msg)
        except (OSError, smtplib.SMTPException):
            time.sleep(0.02)  # server killed or restarting: try again


def test_kill9_at_random_moments_loses_no_acknowledged_message(make_server):
    srv = make_server(listeners=[("plain", "none")]).start().provision()
    acked, lock = {}, threading.Lock()
    rounds, senders = 4, 6
    ports = {"plain": srv.ports["plain"]}
    for rnd in range(rounds):
        stop = threading.Event()
        threads = [threading.Thread(target=sender_loop, args=(lambda: ports["plain"], acked, stop, f"r{rnd}t{i}", lock))
                   for i in range(senders)]
        for t in threads:
            t.start()
        time.sleep(random.uniform(0.4, 1.2))  # the kill's random moment (the test's input, not a wait)
        srv.kill9()  # no warning, in the middle of whatever the senders were doing
        stop.set()
        for t in threads:
            t.join(timeout=30)
        srv.start()
        ports["plain"] = srv.ports["plain"]
    srv.stop()
    assert len(acked) > 20, "the load did not get going"
    stored = read_queue(srv.data)
    by_token = {}
    for envid, (env, body) in stored.items():
        for line in body.split(b"\r\n"):
            if line.startswith(b"token="):
                by_token.setdefault(line[6:].decode(), []).append((envid, body))
    for token, (envid, msg) in acked.items():
        copies = by_token.get(token, [])
        assert len(copies) == 1, f"{token}: {len(copies)} copies on disk"
        assert copies[0][0] == envid
        assert copies[0][1].endswith(msg), f"{token}: stored bytes differ"
    assert len(set(stored)) == len(stored)
    assert len({e for e, _ in acked.values()}) == len(acked), "envid reused"
    # Nothing half-written survives a restart.
    assert not list((srv.data / "spool" / "tmp").iterdir())


# A small message (a segment record) and a large one (a file of its own; "rename" is a file's step).
@pytest.mark.parametrize("fault,size", [("write", 10), ("fsync", 10), ("write", 2 << 20), ("fsync", 2 << 20),
                                        ("rename", 2 << 20)])
def test_spool_errors_give_451_never_250(make_server, fault, size):
    srv = make_server(spool=f'fault_injection = "{fault}"').start().provision()
    c = RawClient(srv.ports["plain"])
    c.login()
    c.cmd(f"MAIL FROM:<{SENDER}>")
    c.cmd("RCPT TO:<a@dest.test>")
    c.cmd("DATA")
    c.send("Subject: x\r\n\r\n" + ("b" * 998 + "\r\n") * (size // 1000 + 1) + ".\r\n")
    assert c.reply() == ["451 4.3.0 Queue write error, try again later"]
    assert c.cmd("NOOP") == "250 2.0.0 Ok"
    assert read_queue(srv.data) == {}
    assert srv.queue() == []
    assert not list((srv.data / "spool" / "tmp").iterdir())


def test_low_free_space_452_at_mail(make_server):
    srv = make_server()
    srv.spool_extra = ""
    srv.write_config()
    srv.config.write_text(srv.config.read_text().replace("min_free_bytes = 0", 'min_free_bytes = "1000000G"'))
    srv.start().provision()
    c = RawClient(srv.ports["plain"])
    c.login()
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "452 4.3.1 Insufficient system storage"


def test_restart_recovers_queue_and_quarantines_damage(make_server):
    srv = make_server(spool="writers = 1").start().provision()  # one writer: one segment
    ids = []
    for i in range(3):
        with srv.smtp("plain") as s:
            s.login(SENDER, PASSWORD)
            s.mail(SENDER)
            s.rcpt("a@dest.test")
            ids.append(envid_of(s.data(f"Subject: {i}\r\n\r\nb\r\n")[1]))
    srv.stop()
    # The small messages are records of the writer's segment: the first one's bytes are damaged,
    # and a record cut short follows the last (a batch that was never synced).
    [segment] = list((srv.data / "spool" / "segments").glob("*.seg"))
    raw = bytearray(segment.read_bytes())
    at = raw.index(b"Subject: 0")
    raw[at + 9:at + 10] = b"X"
    raw += raw[:60]
    segment.write_bytes(bytes(raw))
    (srv.data / "spool" / "tmp" / "999.msg").write_bytes(b"half written")
    srv.start()
    listed = {int(e["envid"]) for e in srv.queue()}
    assert listed == set(ids[1:])
    assert "spool.corrupt segment_spans=1 " in srv.log()
    assert "spool.recover segment_tail_bytes=60 " in srv.log()
    assert not (srv.data / "spool" / "tmp" / "999.msg").exists()
    # envids keep increasing across restarts
    with srv.smtp("plain") as s:
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        s.rcpt("a@dest.test")
        assert envid_of(s.data("Subject: after\r\n\r\nb\r\n")[1]) > max(ids)


def test_sigterm_drains_sessions_and_exits_zero(make_server):
    srv = make_server().start().provision()
    idle = RawClient(srv.ports["plain"])
    idle.login()
    busy = RawClient(srv.ports["plain"])
    busy.login()
    busy.cmd(f"MAIL FROM:<{SENDER}>")
    busy.cmd("RCPT TO:<a@dest.test>")
    srv.proc.send_signal(15)
    assert idle.reply() == ["421 4.3.2 mx.test Service shutting down"]
    assert idle.closed()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.ports["plain"]), timeout=2)
    # The session in the middle of a transaction may finish it.
    assert busy.cmd("DATA").startswith("354")
    busy.send("Subject: last\r\n\r\nbody\r\n.\r\n")
    assert busy.reply()[0].startswith("250 Data Ok")
    assert busy.reply() == ["421 4.3.2 mx.test Service shutting down"]
    assert srv.proc.wait(timeout=30) == 0
    assert len(read_queue(srv.data)) == 1


def test_sigterm_grace_period_closes_stuck_sessions(make_server):
    srv = make_server(extra="").start().provision()
    srv.stop()
    srv.config.write_text(srv.config.read_text().replace('shutdown_grace = "5s"', 'shutdown_grace = "1s"'))
    srv.start()
    stuck = RawClient(srv.ports["plain"])
    stuck.login()
    stuck.cmd(f"MAIL FROM:<{SENDER}>")
    stuck.cmd("RCPT TO:<a@dest.test>")
    stuck.cmd("DATA")
    stuck.send("Subject: never finished\r\n")
    t0 = time.monotonic()
    srv.proc.send_signal(15)
    assert srv.proc.wait(timeout=30) == 0
    assert time.monotonic() - t0 < 10
    assert read_queue(srv.data) == {}


def test_sighup_reloads_the_certificate(make_server, tmp_path):
    """Both the SMTP listeners' [tls] pair and the HTTPS listener's own [http] pair."""
    import hashlib
    import ssl as ssl_mod
    import subprocess
    from harness import tls_context

    def make_pair(cert, key, name):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}"],
                       check=True, capture_output=True, timeout=60)

    https_cert, https_key = tmp_path / "https.pem", tmp_path / "https.key"
    make_pair(https_cert, https_key, "https-before.test")
    srv = make_server(http=f'cert = "{https_cert}"\nkey = "{https_key}"').start()

    def served_fingerprint(listener):
        with socket.create_connection(("127.0.0.1", srv.ports[listener]), timeout=10) as s:
            with tls_context().wrap_socket(s) as t:
                return hashlib.sha256(t.getpeercert(binary_form=True)).hexdigest()

    def fingerprint_of(cert):
        return hashlib.sha256(ssl_mod.PEM_cert_to_DER_cert(cert.read_text())).hexdigest()

    before = {listener: served_fingerprint(listener) for listener in ("smtps", "https")}
    assert before["https"] == fingerprint_of(https_cert) != before["smtps"]
    cert = srv.dir / "tls" / "cert.pem"
    make_pair(cert, srv.dir / "tls" / "key.pem", "reloaded.test")
    make_pair(https_cert, https_key, "https-reloaded.test")
    srv.proc.send_signal(1)  # SIGHUP
    deadline = time.monotonic() + 10
    while "tls.reload result=ok" not in srv.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    after = {listener: served_fingerprint(listener) for listener in ("smtps", "https")}
    assert after["smtps"] != before["smtps"] and after["smtps"] == fingerprint_of(cert)
    assert after["https"] != before["https"] and after["https"] == fingerprint_of(https_cert)
    assert srv.proc.poll() is None
