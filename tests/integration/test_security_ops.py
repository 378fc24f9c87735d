"""Operating it safely (docs/security.md "Files, privileges and TLS"): owner-only files, one
server per data_dir, dropping root after the listeners are bound, bind errors that name the
listener, --check-config on certificate files, --version."""
import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import MAILPUSHCTL, MAILPUSHD, SENDER, Server, read_queue, simple_message, wait_for


def send_one(srv, subject="ops"):
    with srv.smtp("plain") as c:
        c.login(SENDER, "Secret2026ab")
        c.sendmail(SENDER, ["rcpt@dest.test"], simple_message(subject))


def loose_entries(root: Path):
    """Every file not 0600 (or stricter) and every directory not 0700 under root."""
    bad = []
    for p in [root, *root.rglob("*")]:
        st = p.lstat()
        if stat.S_ISLNK(st.st_mode):
            continue
        perms = stat.S_IMODE(st.st_mode)
        if (stat.S_ISDIR(st.st_mode) and perms != 0o700) or (stat.S_ISREG(st.st_mode) and perms & 0o177):
            bad.append(f"{oct(perms)} {p}")
    return bad


def test_every_file_in_data_dir_is_owner_only(make_server):
    srv = make_server().start().provision()
    send_one(srv)
    wait_for(lambda: read_queue(srv.data), 10, "the message on disk")
    names = {p.name for p in srv.data.rglob("*")}
    assert {"store.db", "delivery.db", "master.key", "lock"} <= names, names
    assert loose_entries(srv.data) == []


def test_looser_modes_are_tightened_at_start(make_server):
    srv = make_server().start().provision()
    assert srv.stop() == 0
    os.chmod(srv.data / "store.db", 0o644)
    os.chmod(srv.data / "spool", 0o755)
    os.chmod(srv.data, 0o755)
    srv.start()
    assert loose_entries(srv.data) == []
    assert re.search(r"data_dir\.mode path=\S*store\.db from=0644 to=0600", srv.log())


def test_second_server_on_one_data_dir_exits_before_touching_the_spool(make_server):
    first = make_server("first").start().provision()
    send_one(first, "before")
    queued = read_queue(first.data)
    assert queued
    second_config = first.dir / "second.toml"  # same data_dir, its own listeners (port 0)
    second_config.write_text(first.config.read_text())
    r = subprocess.run([MAILPUSHD, "--config", str(second_config)], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines() == [
        f"mailpushd: another mailpushd holds {first.data} (pid {first.proc.pid})"], r.stderr
    assert "spool.recover" not in r.stdout  # no recovery run on the live spool
    assert read_queue(first.data) == queued
    send_one(first, "after")  # the first one still accepts
    assert len(read_queue(first.data)) == 2


def test_bind_error_names_listener_and_port(make_server):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        srv = make_server(listeners=[("smtp", "starttls")])
        srv.config.write_text(srv.config.read_text().replace("port = 0", f"port = {port}", 1))
        r = subprocess.run([MAILPUSHD, "--config", str(srv.config)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert f"mailpushd: cannot listen name=smtp 127.0.0.1:{port}: Address already in use" in r.stderr


@pytest.fixture
def world_reachable_dir():
    """A work dir the dropped user can reach (pytest's own tmp dirs are root-only)."""
    d = Path(tempfile.mkdtemp(prefix="mailpush-drop-", dir="/tmp"))
    os.chmod(d, 0o711)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def status_ids(pid, field):
    text = Path(f"/proc/{pid}/status").read_text()
    return [int(x) for x in re.search(rf"^{field}:\s+(.*)$", text, re.M).group(1).split()]


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs root")
def test_root_binds_then_runs_as_the_configured_user(world_reachable_dir):
    import pwd
    nobody = pwd.getpwnam("nobody")
    srv = Server(world_reachable_dir / "srv", user="nobody")
    try:
        srv.start()
        assert status_ids(srv.proc.pid, "Uid") == [nobody.pw_uid] * 4
        assert status_ids(srv.proc.pid, "Gid") == [nobody.pw_gid] * 4
        assert f"privileges.dropped user=nobody uid={nobody.pw_uid}" in srv.log()
        srv.provision()  # store writes and password hashing as the user
        send_one(srv)  # a spool commit as the user
        assert len(read_queue(srv.data)) == 1
        owners = {(p.lstat().st_uid, str(p)) for p in [srv.data, *srv.data.rglob("*")]}
        assert {uid for uid, _ in owners} == {nobody.pw_uid}, sorted(owners)
        assert loose_entries(srv.data) == []
        assert srv.stop() == 0
    finally:
        if srv.proc and srv.proc.poll() is None:
            srv.kill9()


@pytest.mark.skipif(os.geteuid() != 0, reason="the user is looked up only when started as root")
def test_missing_user_is_refused_with_one_line(make_server):
    srv = make_server(user="mailpush-no-such-user")
    for extra in ([], ["--check-config"]):
        r = subprocess.run([MAILPUSHD, "--config", str(srv.config), *extra], capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 2, r
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "key 'server.user': no user \"mailpush-no-such-user\"" in lines[0], r.stderr
    assert not (srv.data / "spool").exists()


def check_config(srv):
    return subprocess.run([MAILPUSHD, "--config", str(srv.config), "--check-config"], capture_output=True,
                          text=True, timeout=30)


def test_check_config_checks_certificate_files(make_server, tmp_path):
    srv = make_server()
    assert check_config(srv).returncode == 0  # self_signed: made at the first start
    srv.start()
    assert srv.stop() == 0
    assert check_config(srv).returncode == 0  # the pair made at start matches
    text = srv.config.read_text().replace("self_signed = true", "self_signed = false")
    srv.config.write_text(text.replace(f"{srv.dir}/tls/cert.pem", f"{tmp_path}/missing.pem"))
    r = check_config(srv)
    assert r.returncode == 2
    assert r.stderr.strip() == (f"mailpushd: {srv.config}: key 'tls.cert': cannot read {tmp_path}/missing.pem: "
                                "No such file or directory")
    other = tmp_path / "other.key"
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                    str(other)], check=True, capture_output=True)
    srv.config.write_text(text.replace(f"{srv.dir}/tls/key.pem", str(other)))
    r = check_config(srv)
    assert r.returncode == 2 and "key 'tls.key': " in r.stderr and "does not match" in r.stderr, r.stderr


def test_check_config_checks_the_https_pair(make_server, tmp_path):
    srv = make_server()
    srv.start()  # the [tls] pair is made
    assert srv.stop() == 0
    base = srv.config.read_text()
    tls_cert, tls_key = f"{srv.dir}/tls/cert.pem", f"{srv.dir}/tls/key.pem"

    def with_http(lines):
        srv.config.write_text(base.replace("[http]\n", "[http]\n" + lines, 1))
        return check_config(srv)

    assert with_http(f'cert = "{tls_cert}"\nkey = "{tls_key}"\n').returncode == 0
    r = with_http(f'cert = "{tmp_path}/missing.pem"\nkey = "{tls_key}"\n')
    assert r.returncode == 2
    assert r.stderr.strip() == (f"mailpushd: {srv.config}: key 'http.cert': cannot read {tmp_path}/missing.pem: "
                                "No such file or directory")
    other = tmp_path / "other.key"
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                    str(other)], check=True, capture_output=True)
    r = with_http(f'cert = "{tls_cert}"\nkey = "{other}"\n')
    assert r.returncode == 2 and "key 'http.key': " in r.stderr and "does not match" in r.stderr, r.stderr
    # One of the pair alone is refused, naming the missing key (the server does not start either).
    for lines, missing, present in ((f'cert = "{tls_cert}"\n', "http.key", "http.cert"),
                                    (f'key = "{tls_key}"\n', "http.cert", "http.key")):
        r = with_http(lines)
        assert r.returncode == 2 and f"key '{missing}': is required when {present} is set" in r.stderr, r.stderr
        started = subprocess.run([MAILPUSHD, "--config", str(srv.config)], capture_output=True, text=True, timeout=30)
        assert started.returncode == 2 and f"key '{missing}'" in started.stderr, started.stderr


def test_version():
    for binary, name in ((MAILPUSHD, "mailpushd"), (MAILPUSHCTL, "mailpushctl")):
        r = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
        assert r.returncode == 0
        assert re.fullmatch(rf"{name} \d+\.\d+\.\d+( \(\S+\))?\n", r.stdout), r.stdout


def test_alert_rules_use_metrics_the_server_exports(make_server, tmp_path):
    """Labelled series exist once counted: the test makes each happen (a delivery, a refused AUTH,
    an OpenAPI call) and then finds every metric the rules name in one scrape."""
    import urllib.error
    import urllib.request
    rules = (Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "mailpush-alerts.yml").read_text()
    used = set(re.findall(r"\b(mailpush_[a-z_]+)", rules))
    assert used
    server = make_server(routes=(("*", f"capture:{tmp_path}/captured"),)).start().provision()
    send_one(server)
    with server.smtp("plain") as c:
        with pytest.raises(Exception):
            c.login(SENDER, "Wrong2026ab")
    try:
        urllib.request.urlopen(f"{server.url}/?Action=SingleSendMail", timeout=10)
    except urllib.error.HTTPError:
        pass
    wait_for(lambda: server.metric("mailpush_delivery_results_total") >= 1, 20, "a delivery result")
    exported = set(re.findall(r"^# (?:HELP|TYPE) (\S+)", server.metrics_text(), re.M))
    assert used - exported == set(), f"alert rules name metrics /metrics does not have: {used - exported}"
