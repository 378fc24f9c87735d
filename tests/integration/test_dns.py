"""The delivery resolver (c-ares on Asio) against a real DNS server (dnsmasq) on loopback."""
import json
import os
import shutil
import socket
import subprocess
import time

import pytest

RESOLVE = os.environ.get("MAILPUSH_RESOLVE", "build/src/mailpush-resolve")
DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"  # /usr/sbin is not on every PATH

ZONE = """
local=/test/
mx-host=multi.test,mx1.multi.test,10
mx-host=multi.test,mx2.multi.test,10
mx-host=multi.test,mx3.multi.test,20
host-record=mx1.multi.test,127.0.0.11
host-record=mx2.multi.test,127.0.0.12
host-record=mx3.multi.test,127.0.0.13
mx-host=dangling.test,nowhere.dangling.test,10
host-record=implicit.test,127.0.0.21
dns-rr=nullmx.test,15,000000
txt-record=txtonly.test,"no mail here"
"""


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_dnsmasq(workdir, extra=""):
    """Starts dnsmasq on a free loopback port with ZONE (+extra); returns (process, port) once it
    answers. A port taken meanwhile by someone else makes it exit: then another port is tried."""
    for _ in range(5):
        port = free_udp_port()
        conf = workdir / "dnsmasq.conf"
        conf.write_text(f"port={port}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n"
                        + ZONE + extra)
        proc = subprocess.Popen([DNSMASQ, f"--conf-file={conf}", "--keep-in-foreground", "--user=root",
                                 f"--pid-file={workdir}/pid", f"--log-facility={workdir}/log"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if resolve(port, "addr", "implicit.test", timeout="200ms").get("outcome") == "ok":
                return proc, port
            time.sleep(0.05)
        proc.kill()
        proc.wait(timeout=10)
    raise RuntimeError("dnsmasq did not start")


@pytest.fixture(scope="module")
def dns_server(tmp_path_factory):
    proc, port = start_dnsmasq(tmp_path_factory.mktemp("dnsmasq"))
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def resolve(port, kind, name, timeout="2s"):
    r = subprocess.run([RESOLVE, "--server", f"127.0.0.1:{port}", "--timeout", timeout, kind, name],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_mx_sorted_by_preference_and_equal_ones_shuffled(dns_server):
    firsts = set()
    for _ in range(30):
        r = resolve(dns_server, "mx", "multi.test")
        assert r["outcome"] == "ok" and not r["implicit_mx"]
        names = [h["name"] for h in r["hosts"]]
        assert [h["preference"] for h in r["hosts"]] == [10, 10, 20]
        assert names[2] == "mx3.multi.test"
        firsts.add(names[0])
        assert r["hosts"][0]["addresses"] in (["127.0.0.11"], ["127.0.0.12"])
        if len(firsts) == 2:
            break
    assert firsts == {"mx1.multi.test", "mx2.multi.test"}


def test_implicit_mx_from_address_records(dns_server):
    r = resolve(dns_server, "mx", "implicit.test")
    assert r["outcome"] == "ok" and r["implicit_mx"] is True
    assert r["hosts"] == [{"name": "implicit.test", "preference": 0, "outcome": "ok", "addresses": ["127.0.0.21"]}]


def test_null_mx_nodata_nxdomain(dns_server):
    assert resolve(dns_server, "mx", "nullmx.test")["outcome"] == "null_mx"
    assert resolve(dns_server, "mx", "txtonly.test")["outcome"] == "nodata"
    assert resolve(dns_server, "mx", "nothing-here.test")["outcome"] == "nxdomain"
    dangling = resolve(dns_server, "mx", "dangling.test")
    assert dangling["outcome"] == "ok" and dangling["hosts"][0]["outcome"] == "nxdomain"


def test_timeout_is_temporary():
    # A UDP socket that receives queries and never answers.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        t0 = time.monotonic()
        r = resolve(silent.getsockname()[1], "mx", "multi.test", timeout="300ms")
        assert r["outcome"] == "temporary"
        assert time.monotonic() - t0 < 10
