import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from harness import Server  # noqa: E402
from sink import Sink  # noqa: E402


@pytest.fixture
def make_server(tmp_path):
    servers = []

    def make(name="srv", **kw):
        s = Server(tmp_path / name, **kw)
        servers.append(s)
        return s

    yield make
    failures = []
    for s in servers:
        running = s.proc is not None and s.proc.poll() is None
        try:
            rc = s.stop()
        except Exception as e:  # did not stop in time
            s.kill9()
            failures.append(f"{s.dir}: {e}")
            continue
        # A clean SIGTERM exit is 0; under ASan a leak or error at exit makes it non-zero.
        if running and rc != 0:
            failures.append(f"{s.dir}: exit code {rc}\n" + s.log()[-3000:])
    assert not failures, "\n".join(failures)


@pytest.fixture
def server(make_server):
    return make_server().start().provision()


@pytest.fixture
def sink():
    """A real receiving SMTP server (aiosmtpd) on loopback; see sink.py for scripted replies."""
    s = Sink()
    yield s
    s.stop()
