"""The README's five-minute walkthrough, run as a new user runs it, from README.md itself.

Every fenced block between "## Five minutes" and "## Reference" runs in order: each shell command
with bash (variables such as `$ctl` carry over, as in one terminal), the Python snippet with
/usr/bin/python3, the JS snippet with node and the SDK from tests/integration/sdk (with the
NODE_EXTRA_CA_CERTS the prose before it names, for the SDK's default HTTPS). The server is
mailpushd on config/dev.toml, in a temp directory that stands for the repository.

Only what must differ from a user's terminal is substituted (SUBSTITUTIONS below):
- the server listens on port 0, not 2525/2580/2465/8080 (other tests run at the same time); the
  ports it got replace those numbers in the commands and snippets, and the dev config that the
  commands' `--config config/dev.toml` reads carries them too (so mailpushctl finds the server);
- `./build/src/mailpushctl` is the binary under test ($MAILPUSHCTL);
- the README's example envid is the one the 250 reply gave.
Each step's result is checked (STEPS); delivery is asynchronous, so a step that shows a delivery
result first waits for it, as a user would run the command again.
"""
import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

from harness import MAILPUSHCTL, Server, free_port, notifier_caught_up, wait_for

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DEV_CONFIG = REPO / "config" / "dev.toml"
SDK_MODULES = REPO / "tests" / "integration" / "sdk" / "node_modules"


def walkthrough():
    """The walkthrough's fenced blocks: [(language, text)], in README order."""
    text = README.read_text()
    section = text[text.index("## Five minutes"):text.index("## Reference")]
    return section, [(m[1], m[2]) for m in re.finditer(r"^```(\w+)\n(.*?)^```$", section, re.M | re.S)]


def shell_commands(block):
    """One command per logical line: continuations joined; comment lines (sample output) skipped."""
    commands, current = [], ""
    for line in block.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line
        if current.endswith("\\"):
            current = current[:-1]
            continue
        commands.append(current.strip())
        current = ""
    return commands


def dev_ports():
    """{listener, "http", "https" or "admin": port} as config/dev.toml has them."""
    cfg = tomllib.loads(DEV_CONFIG.read_text())
    ports = {listener["name"]: listener["port"] for listener in cfg["listener"]}
    ports["http"], ports["https"] = cfg["http"]["port"], cfg["http"]["https_port"]
    ports["admin"] = cfg["admin"]["port"]
    return ports


class DevServer(Server):
    """mailpushd on config/dev.toml in `workdir` (its ./var), every port 0 (the public HTTP ports,
    where 0 means off, free ones)."""

    def write_config(self):
        self.data = self.dir / "var"
        self.cwd = self.dir
        ports = dev_ports()
        text = DEV_CONFIG.read_text()
        http = free_port()  # the public_url names it too
        text = re.sub(rf"^port = {ports['http']}$", "port = FREE", text, flags=re.M)
        text = text.replace(f'public_url = "http://127.0.0.1:{ports["http"]}"', f'public_url = "http://127.0.0.1:{http}"')
        text = re.sub(rf"^https_port = {ports['https']}$", f"https_port = {free_port()}", text, flags=re.M)
        text = re.sub(r"^port = \d+$", "port = 0", text, flags=re.M)
        self.config.write_text(text.replace("port = FREE", f"port = {http}"))

    def write_ctl_config(self):
        """config/dev.toml for the README's commands, with the ports the server got."""
        text = DEV_CONFIG.read_text()
        for name, port in dev_ports().items():
            text = re.sub(rf"^(https_)?port = {port}$", rf"\g<1>port = {self.ports[name]}", text, flags=re.M)
        (self.dir / "config").mkdir(exist_ok=True)
        (self.dir / "config" / "dev.toml").write_text(text)


class Walkthrough:
    def __init__(self, srv, section):
        self.srv, self.dir = srv, srv.dir
        self.example_envid = re.search(r"envid=(\d+)", section)[1]
        self.envid = None
        self.prelude = ""  # the shell variables set so far
        self.outputs = []  # (command, output) of every step

    def substitute(self, text):
        """SUBSTITUTIONS: ports, the mailpushctl binary, the envid (see the module doc)."""
        for name, port in dev_ports().items():
            text = re.sub(rf"\b{port}\b", str(self.srv.ports[name]), text)
        text = text.replace("./build/src/mailpushctl", str(Path(MAILPUSHCTL).resolve()))
        if self.envid:
            text = text.replace(self.example_envid, self.envid)
        return text

    def ctl(self, *args):
        r = subprocess.run([str(Path(MAILPUSHCTL).resolve()), "--config", "config/dev.toml", "--json", *args],
                           cwd=self.dir, capture_output=True, text=True, timeout=30)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def captured(self):
        """The whole messages in var/captured: the capture route writes each under a hidden
        temporary name first (what `ls` shows is what counts)."""
        d = self.dir / "var" / "captured"
        return sorted(p for p in d.iterdir() if not p.name.startswith(".")) if d.exists() else []

    def run(self, argv, what, stdin=None, env=None):
        r = subprocess.run(argv, cwd=self.dir, input=stdin, capture_output=True, text=True, timeout=60,
                           env={**os.environ, **(env or {})})
        out = r.stdout + r.stderr
        assert r.returncode == 0, f"README step failed ({r.returncode}): {what}\n{out}"
        self.outputs.append((what, out))
        return out

    def shell(self, command):
        command = self.substitute(command)
        if re.match(r"^[A-Za-z_]\w*=", command):
            self.prelude += command + "\n"
        step = next((s for s in STEPS if re.search(s[0], command)), None)
        if step and step[1]:
            step[1](self)
        out = self.run(["bash", "-c", "set -eo pipefail\n" + self.prelude + command], command)
        if step:
            assert re.search(step[2], out, re.S), f"{command}: expected /{step[2]}/ in:\n{out}"
            if step[3]:
                step[3](self, out)
        return step


def remember_envid(w, out):
    w.envid = re.search(r"queued as freedom ###envid=(\d+)", out)[1]


def delivered(w):
    wait_for(lambda: (info := w.ctl("queue", "show", w.envid)) and not info["queued"], 30,
             f"message {w.envid} to leave the queue")


def routed(w):
    """The last message is delivered and the notifier has put its result in the queue."""
    delivered(w)
    wait_for(lambda: notifier_caught_up(w.srv), 30, "the notifier to route the last result")


def last_message_in_queue(w, out):
    assert f"env_id={w.envid}&" in out, out


def key_saved(w, out):
    key = json.loads((w.dir / "acme-key.json").read_text())
    assert key["AccessKeyId"].startswith("MPAK") and key["AccessKeySecret"], key


def console_signs_in(w, out):
    """The console password the README sets signs in at the console's URL."""
    import urllib.request
    base = f"http://127.0.0.1:{w.srv.ports['http']}/console/"
    with urllib.request.urlopen(base, timeout=10) as page:
        assert page.status == 200 and b"app-" in page.read()
    req = urllib.request.Request(base + "api/session", method="POST",
                                 data=json.dumps({"account": "acme", "password": "Console2026pw"}).encode())
    with urllib.request.urlopen(req, timeout=30) as res:
        assert json.loads(res.read())["account"] == "acme"


# A command that matches: what to wait for first (a user runs it again until it shows), what its
# output must show, what to do with the output. Each step must be in the README at least once.
STEPS = [
    (r"^swaks ", None, r"<~  250 Data Ok: queued as freedom ###envid=\d+", remember_envid),
    (r"^ls var/captured", lambda w: wait_for(w.captured, 30, "a file in var/captured"), r"\S", None),
    (r"queue show ", delivered, r'"address":\s*"someone@example\.net".*"state":\s*"delivered"', None),
    (r"events --env ", delivered, r"rcpt=someone@example\.net&.*&status=0&", None),
    (r"accesskey create .*> acme-key\.json", None, r"^$", key_saved),
    (r"notify set acme queue", None, r"", None),
    (r"account password acme --password-stdin", None, r"acme\s+true", console_signs_in),
    (r"notify receive ", routed, r"Deliver:SendSuccessfully", last_message_in_queue),
]


def test_readme_walkthrough_runs_as_written(tmp_path):
    section, blocks = walkthrough()
    assert [lang for lang, _ in blocks].count("js") == 1 and [lang for lang, _ in blocks].count("python") == 1
    srv = DevServer(tmp_path / "repo")
    srv.start()
    try:
        srv.write_ctl_config()
        w = Walkthrough(srv, section)
        used = set()
        for lang, block in blocks:
            if lang == "sh":
                for command in shell_commands(block):
                    step = w.shell(command)
                    if step:
                        used.add(step[0])
            elif lang == "python":
                before = len(w.captured())
                w.run(["/usr/bin/python3", "-"], "the Python snippet", stdin=w.substitute(block))
                wait_for(lambda: len(w.captured()) > before, 30, "the Python snippet's message in var/captured")
            elif lang == "js":
                (w.dir / "send.js").write_text(w.substitute(block))
                before = len(w.captured())
                ca = re.search(r"`NODE_EXTRA_CA_CERTS=(\S+) node send\.js`", section)
                assert ca, "the README says how to run send.js"
                out = w.run(["node", "send.js"], "the JS snippet",
                            env={"NODE_PATH": str(SDK_MODULES), "NODE_EXTRA_CA_CERTS": str(w.dir / ca[1])})
                assert re.search(r"^queued as \d+$", out, re.M), out
                wait_for(lambda: len(w.captured()) > before, 30, "the SDK's message in var/captured")
            else:
                raise AssertionError(f"a {lang} block in the walkthrough: teach this test to run it")
        assert used == {s[0] for s in STEPS}, f"steps missing from the README: {({s[0] for s in STEPS} - used)}"
    finally:
        rc = srv.stop()
    assert rc == 0, srv.log()[-3000:]
