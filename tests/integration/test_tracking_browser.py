"""Tracking seen by a real browser: headless Chromium (Debian's, driven by playwright-core) opens a
delivered, tracked HTML message with images on, as a webmail page shows it; the pixel loads
from mailpushd over HTTPS and an Open event reaches a real HTTP receiver (the account's push
target); following a link lands on a local page through the 302, and a Click event with that
page's URL arrives; an altered token shows the 404 page and leads nowhere."""
import json
import os
import subprocess
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from harness import PASSWORD, SENDER, tls_context
from test_notifications import fields, hook  # noqa: F401 (hook: the push receiver fixture)
import tracked_mail as tm

BROWSER_DIR = Path(__file__).parent / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class Webmail:
    """A local site on loopback: /mail shows the message's HTML; /landing/… is where its links go."""

    def __init__(self):
        self.html, self.visits, self.lock = b"", [], threading.Lock()
        site = self

        class H(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/mail":  # anything else (the landing page, the favicon) is recorded
                    body, kind = site.html, "text/html; charset=utf-8"
                else:
                    with site.lock:
                        site.visits.append(self.path)
                    body, kind = b"<!doctype html><h1>Landed</h1>", "text/html"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webmail():
    w = Webmail()
    yield w
    w.stop()


def test_chromium_opens_and_clicks_and_the_events_arrive(make_server, sink, hook, webmail):
    assert Path(CHROMIUM).exists() and (BROWSER_DIR / "node_modules" / "playwright-core").is_dir(), \
        "chromium and playwright-core are installed by tools/test.sh"
    # scanner_window 0: the click comes seconds after delivery, which the default counts as a scanner.
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),),
                      tail='[tracking]\nlink_host = "public"\nscanner_window = "0s"\n').start().provision()
    srv.ctl("notify", "set", "acme", hook.url)
    landing = f"{webmail.url}/landing/offer?id=42&src=mail"
    html = (f'<html><body><h2>Offer</h2><p><a id="go" href="{landing.replace("&", "&amp;")}">See the offer</a>'
            f' <a href="mailto:help@example.com">help</a></p></body></html>\r\n')
    raw = (f"Date: Thu, 03 Dec 2026 08:00:00 +0800\r\nFrom: {SENDER}\r\nTo: erin@example.org\r\n"
           f"Subject: browser\r\nMIME-Version: 1.0\r\nX-AliDM-Trace: {tm.trace_header()}\r\n"
           f"Content-Type: text/html; charset=utf-8\r\n\r\n{html}")
    with srv.smtp() as c:
        c.starttls()
        c.login(SENDER, PASSWORD)
        c.sendmail(SENDER, ["erin@example.org"], raw.encode())
    ((_, _, delivered),) = sink.handler.wait_for(1)
    shown = tm.html_of(delivered)
    assert tm.pixel_url(shown).startswith(srv.https_url + "/o/")
    webmail.html = shown.encode()
    (click,) = tm.click_urls(shown)
    token = click.rsplit("/", 1)[1]
    altered = click[:-len(token)] + token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    spec = {"mail_url": f"{webmail.url}/mail", "link_index": 0, "altered_url": altered,
            "landing_prefix": f"{webmail.url}/landing/"}
    r = subprocess.run(["node", str(BROWSER_DIR / "open_message.js"), json.dumps(spec)], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ, CHROMIUM=CHROMIUM))
    assert r.returncode == 0, r.stderr
    seen = json.loads(r.stdout.strip().splitlines()[-1])
    assert (seen["pixel_status"], seen["pixel_type"], seen["pixel_rendered"]) == (200, "image/gif", True)
    assert seen["clicked_href"] == click
    assert (seen["landed_url"], seen["landed_text"]) == (landing, "Landed")
    landings = [v for v in webmail.visits if v.startswith("/landing/")]  # not the favicon
    assert landings == ["/landing/offer?id=42&src=mail"]  # landed once, through the redirect
    assert (seen["altered_status"], seen["altered_url"], seen["altered_text"]) == (404, altered, "Link not valid")

    # A last open after the browser is done: hits are written in the order they came, so once its
    # event is in, an event of the altered link would be too.
    with urllib.request.urlopen(urllib.request.Request(tm.pixel_url(shown), headers={"User-Agent": "last"}),
                                context=tls_context(), timeout=10) as res:
        assert res.status == 200
    events = hook.wait_events(4)  # the delivery, the open, the click, the last open
    tracking = [fields(e["message"]) for e in events if e["type"] in ("Deliver:Open", "Deliver:Click")]
    assert [(f["event"], f["rcpt"], f["class"]) for f in tracking] == [
        ("Open", "erin@example.org", "human"), ("Click", "erin@example.org", "human"),
        ("Open", "erin@example.org", "human")], events  # and nothing of the altered link
    assert urllib.parse.unquote(tracking[1]["url"]) == landing
