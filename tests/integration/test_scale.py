"""One node at its limits: a full disk, the descriptor limit, a spool of many messages, paged
queue listings."""
import errno
import os
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
