"""One node at its limits: a full disk, the descriptor limit, a spool of many messages, paged
queue listings."""
import errno
import os
import re
import resource
import socket
import subprocess
from pathlib import Path

import pytest

from harness import PASSWORD, SENDER, RawClient, envid_of, read_queue, wait_for


def send(srv, subject, rcpt="a@dest.test"):
    with srv.smtp("plain") as s:
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        s.rcpt(rcpt)
        code, text = s.data(f"Subject: {subject}\r\n\r\nbody\r\n".encode())
    assert code == 250, text
    return envid_of(text)


def fill(path: Path):
    """Writes until the file system says ENOSPC (bounded by its size)."""
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 20, 4096, 512):
            block = b"\0" * chunk
            for _ in range(1 << 16):
                try:
                    f.write(block)
                except OSError as e:
                    assert e.errno == errno.ENOSPC, e
                    break


@pytest.fixture
def small_fs(tmp_path):
    """A 48 MiB tmpfs (the test runs as root, as CI does), unmounted afterwards."""
    mnt = tmp_path / "srv" / "data"
    mnt.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m,mode=0700", "tmpfs", str(mnt)], check=True)
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_starts_on_a_full_disk_answers_452_then_recovers(make_server, small_fs):
    srv = make_server(spool='min_free_bytes = "4M"')
    srv.config.write_text(srv.config.read_text().replace("min_free_bytes = 0\n", ""))
    srv.start().provision()
    first = send(srv, "before the disk filled")
    srv.stop()

    fill(small_fs / "filler")
    assert os.statvfs(small_fs).f_bavail == 0
    srv.start()  # ready on a full disk: the queue was read and nothing needed new space
    wait_for(lambda: srv.log().count("delivery.recover messages=1 finished=0") == 1, 10,
             "the engine's recovery of the queued message")
    c = RawClient(srv.ports["plain"])
    c.login()
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "452 4.3.1 Insufficient system storage"
    assert [m["envid"] for m in srv.queue()] == [str(first)]  # the queue is still served

    (small_fs / "filler").unlink()
    wait_for(lambda: c.cmd("RSET") and c.cmd(f"MAIL FROM:<{SENDER}>").startswith("250"), 10,
             "MAIL accepted once space returned", pause=0.2)
    c.close()
    second = send(srv, "after space returned")
    assert set(read_queue(srv.data)) == {first, second}
    assert "fatal" not in srv.log()


def greeting(sock):
    """The first reply line, or "" when the server closed without one (fails on a silent wait)."""
    sock.settimeout(5)
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(512)  # socket.timeout here: a silent hang, the bug this guards against
        if not chunk:
            break
        data += chunk
    return data.decode()


def test_descriptor_limit_caps_connections_and_refuses_beyond_it(make_server):
    srv = make_server(spool="writers = 1", http="max_connections = 50", admin="max_connections = 10",
                      delivery="max_deliveries = 10")
    srv.nofile = (256, 400)
    srv.start()
    limits = Path(f"/proc/{srv.proc.pid}/limits").read_text()
    assert re.search(r"Max open files\s+400\s+400", limits), limits  # the soft limit raised to the hard
    # 400 - (128 fixed + 64 for the one writer + 2 x 10 deliveries) = 188: a quarter at most for
    # HTTP (47), a sixteenth for the admin listener (10), SMTP the rest.
    assert ("limits.descriptors nofile=400 reserved=212 smtp_max_connections=131 http_max_connections=47 "
            "admin_max_connections=10 configured=20000/50/10") in srv.log()
    port = srv.ports["plain"]
    open_ = []
    try:
        for _ in range(131):
            s = socket.create_connection(("127.0.0.1", port))
            open_.append(s)
            assert greeting(s).startswith("220 "), len(open_)
        extra = socket.create_connection(("127.0.0.1", port))
        assert greeting(extra).startswith("421 4.7.0 "), "over the cap"
        assert extra.recv(1) == b""  # and closed
        extra.close()
        open_.pop().close()  # a slot frees once the server sees that session end

        def admitted():
            s = socket.create_connection(("127.0.0.1", port))
            if greeting(s).startswith("220 "):
                open_.append(s)
                return True
            s.close()
            return False
        wait_for(admitted, 5, "a connection admitted again after one closed", pause=0.05)
    finally:
        for s in open_:
            s.close()


def test_at_the_descriptor_limit_a_client_gets_421_not_a_hang(make_server):
    srv = make_server().start()
    pid = srv.proc.pid
    in_use = len(os.listdir(f"/proc/{pid}/fd"))
    _, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (in_use + 2, hard))  # two descriptors from its limit
    port, clients, replies = srv.ports["plain"], [], []
    try:
        for _ in range(8):
            s = socket.create_connection(("127.0.0.1", port))
            clients.append(s)
            replies.append(greeting(s))
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (hard, hard))
        for s in clients:
            s.close()
    assert all(r.startswith(("220 ", "421 4.7.0 ")) for r in replies), replies
    assert any(r.startswith("421 4.7.0 ") for r in replies), replies
    assert "accept.refused listener=plain reason=descriptors" in srv.log()
