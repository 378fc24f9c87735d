"""Open and click tracking end to end with the real mailpushd (docs/tracking.md): tracked mail
sent over SMTP (X-AliDM-Trace) and through the official SDK (ClickTrace=1) arrives at a real
receiving SMTP server with a pixel and redirects of each recipient's own; fetching them over
HTTPS and HTTP answers a GIF and 302s to the stored URLs (never a URL from the request); forged
and altered tokens get 404 and record nothing; the hits arrive as Open/Click events in the seeds'
structure at the pull queue and in GetTrackList; the MIME cases keep every byte outside the
rewritten HTML, still verify DKIM, and an untracked copy arrives byte for byte as sent."""
import http.client
import json
import re
import smtplib
import ssl
import urllib.parse
from datetime import datetime, timedelta, timezone

import dkim

from harness import PASSWORD, SENDER, tls_context, wait_for
from openapi_client import create_key, sdk
import tracked_mail as tm

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def send(srv, rcpts, raw):
    with srv.smtp() as c:
        c.starttls()
        c.login(SENDER, PASSWORD)
        c.sendmail(SENDER, rcpts, raw.encode())


def fetch(url, method="GET", agent=BROWSER, host=None, via=None):
    """(status, headers, body) of one request, redirects not followed. `via`: (scheme, port) to
    connect to on loopback instead of the URL's host (which is then sent as Host)."""
    u = urllib.parse.urlsplit(url)
    scheme, port = via or (u.scheme, u.port)
    conn = (http.client.HTTPSConnection("127.0.0.1", port, context=tls_context(), timeout=10) if scheme == "https"
            else http.client.HTTPConnection("127.0.0.1", port, timeout=10))
    path = u.path + ("?" + u.query if u.query else "")
    conn.request(method, path, headers={"User-Agent": agent, "Host": host or u.netloc})
    r = conn.getresponse()
    out = r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    conn.close()
    return out


def fields(message):
    return dict(kv.split("=", 1) for kv in message.split("&"))


def service_day():
    return (datetime.now(timezone.utc) + timedelta(hours=8)).strftime("%Y-%m-%d")


def by_rcpt(msgs):
    return {rcpts[0]: raw for _, rcpts, raw in msgs}


def test_pixel_and_redirects_become_events_and_statistics(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),),
                      tail='[tracking]\nlink_host = "public"\n').start().provision()
    srv.ctl("notify", "set", "acme", "queue")
    send(srv, ["carol@example.org", "dave@example.org"],
         tm.message("qp-alternative", trace=tm.trace_header()))
    copies = by_rcpt(sink.handler.wait_for(2))
    html = {r: tm.html_of(raw) for r, raw in copies.items()}
    pixel = {r: tm.pixel_url(h) for r, h in html.items()}
    clicks = {r: tm.click_urls(h) for r, h in html.items()}
    for r in copies:
        assert pixel[r] and pixel[r].startswith(srv.https_url + "/o/"), html[r]
        assert len(clicks[r]) == 4 and clicks[r][0] == clicks[r][2], clicks[r]  # one number per URL
        assert len(set(clicks[r])) == 3 and all(c.startswith(srv.https_url + "/c/") for c in clicks[r])
        for kept in ('href="mailto:help@example.com"', 'href="tel:+8657100000"', 'href="#top"'):
            assert kept in html[r]
        assert "shop.example.org/sale?id" not in html[r] and "news.example.org" not in html[r]
    assert pixel["carol@example.org"] != pixel["dave@example.org"]  # tokens of each recipient
    assert not set(clicks["carol@example.org"]) & set(clicks["dave@example.org"])

    # Before the hits that count: a HEAD, an altered token and a made-up one record nothing.
    carol_pixel, carol_clicks = pixel["carol@example.org"], clicks["carol@example.org"]
    status, headers, body = fetch(carol_pixel, "HEAD")
    assert (status, headers["content-type"], body) == (200, "image/gif", b"")
    token = carol_clicks[0].rsplit("/", 1)[1]
    altered = carol_clicks[0][:-len(token)] + token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    for url in (altered, srv.https_url + "/c/" + "A" * 40, srv.https_url + "/o/" + token):
        status, headers, body = fetch(url)
        assert (status, body, headers.get("location")) == (404, b"Link not valid\n", None), url
    # A redirect answers only on the host its links were mailed on: another tenant's tracking
    # domain (its CNAME points here too) does not lend its name to these links.
    status, headers, body = fetch(carol_clicks[0], host="dmtrace.victim.example")
    assert (status, body, headers.get("location")) == (404, b"Link not valid\n", None)

    status, headers, body = fetch(carol_pixel)
    assert (status, headers["content-type"], len(body)) == (200, "image/gif", 43) and body.startswith(b"GIF89a")
    assert "no-store" in headers["cache-control"] and headers["pragma"] == "no-cache"
    # Apple's prefetcher sends the bare agent: a machine's open.
    assert fetch(pixel["dave@example.org"], agent="Mozilla/5.0")[0] == 200
    status, headers, _ = fetch(carol_clicks[0])
    assert (status, headers["location"]) == (302, tm.LINKS[0])
    # The target never comes from the request: a url in the query changes nothing. Over plain
    # HTTP the same path works too.
    status, headers, _ = fetch(carol_clicks[1] + "?url=https://evil.example/", via=("http", srv.ports["http"]))
    assert (status, headers["location"]) == (302, tm.LINKS[1])

    def events():
        got = json.loads(srv.ctl("--json", "notify", "receive", "acme", "--max", "16").stdout)
        return [m for m in got if m["type"] in ("Deliver:Open", "Deliver:Click")]
    seen = []
    wait_for(lambda: seen.extend(events()) or len(seen) >= 4, 20, "four tracking events")
    assert len(seen) == 4, seen  # in one order with the hits: the HEAD and the 404s recorded none
    opens = sorted((fields(m["message"]) for m in seen if m["type"] == "Deliver:Open"), key=lambda f: f["rcpt"])
    click_events = [fields(m["message"]) for m in seen if m["type"] == "Deliver:Click"]
    assert [list(f) for f in opens] == [["event", "region", "env_id", "from", "rcpt", "operate_time", "class"]] * 2
    assert [(f["event"], f["rcpt"], f["class"], f["from"], f["region"]) for f in opens] == [
        ("Open", "carol@example.org", "human", SENDER, "cn-hangzhou"),
        ("Open", "dave@example.org", "prefetch", SENDER, "cn-hangzhou")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", opens[0]["operate_time"])
    # Both clicks came within seconds of delivery: a link scanner's, by the rule table.
    assert sorted((f["rcpt"], urllib.parse.unquote(f["url"]), f["class"]) for f in click_events) == [
        ("carol@example.org", tm.LINKS[1], "scanner"), ("carol@example.org", tm.LINKS[0], "scanner")]
    assert list(click_events[0])[-1] == "url"
    envid = opens[0]["env_id"]
    assert all(f["env_id"] == envid for f in opens + click_events)

    key = create_key(srv)
    day = service_day()
    r = sdk(srv, key, "getTrackList", {"startTime": day, "endTime": day, "accountName": SENDER}, https=True)
    assert r["ok"], r
    (stat,) = r["body"]["data"]["stat"]  # the SDK's model: its fields, camelCase
    assert (stat["createTime"], stat["totalNumber"], stat["rcptOpenCount"], stat["rcptUniqueOpenCount"],
            stat["rcptClickCount"], stat["rcptUniqueClickCount"], stat["rcptUniqueOpenRate"],
            stat["rcptUniqueClickRate"]) == (day, "2", "2", "2", "2", "1", "100%", "50%"), stat
    # Human and machine side by side (fields the SDK's model does not carry): mailpushctl.
    track = json.loads(srv.ctl("--json", "stats", "track", "acme", "--from", day, "--to", day).stdout)
    assert [(t["day"], t["sent"], t["opens_human"], t["opens_machine"], t["clicks_human"], t["clicks_machine"],
             t["unique_opens_human"], t["unique_opens_machine"]) for t in track] == [(day, 2, 1, 1, 0, 2, 1, 1)]
    links = json.loads(srv.ctl("--json", "stats", "links", "acme", "--envid", envid).stdout)
    assert [(l["link"], l["url"], l["clicks"], l["machine_clicks"]) for l in links] == [
        (1, tm.LINKS[0], 1, 1), (2, tm.LINKS[1], 1, 1), (3, tm.LINKS[2], 0, 0)]


def dkim_dns(srv):
    out = json.loads(srv.ctl("--json", "domain", "show", "example.com").stdout)
    records = {r["host"]: r["value"] for r in out["records"] if r["purpose"].startswith("dkim:")}

    def txt(name, timeout=2):
        name = name.decode().rstrip(".")
        for host, value in records.items():
            if name in (host, f"{host}.example.com"):
                return value.encode()
        return None
    return txt


def without_tracking(html):
    """The HTML with the pixel removed and every http(s) or redirect href replaced by X."""
    html = re.sub(r'<img src="[^"]+/o/[^"]+" width="1" height="1" alt="" border="0" style="[^"]*">', "", html)
    return re.sub(r"""href=(["']?)(https?://[^"' >]+)""", r"href=\1X", html)


def test_mime_cases_keep_every_byte_outside_the_html_and_verify(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),)).start().provision()
    cases = ["qp-alternative", "gbk-base64", "nested-attachment"]
    sent = {}
    for case in cases:
        sent[f"t-{case}@example.org"] = (case, tm.message(case, to="x@example.org", trace=tm.trace_header()))
        sent[f"u-{case}@example.org"] = (case, tm.message(case, to="x@example.org"))
    for rcpt, (_, raw) in sent.items():
        send(srv, [rcpt], raw)
    key = create_key(srv)
    r = sdk(srv, key, "singleSendMail", {"accountName": SENDER, "addressType": 1, "replyToAddress": False,
                                         "toAddress": "sdk@example.org", "subject": "sdk", "clickTrace": "1",
                                         "htmlBody": '<p><a href="https://shop.example.org/sdk">go</a></p>'})
    assert r["ok"], r
    copies = by_rcpt(sink.handler.wait_for(len(sent) + 1))
    dns = dkim_dns(srv)
    for rcpt, (case, raw) in sent.items():
        got = copies[rcpt]
        assert dkim.DKIM(got).verify(dnsfunc=dns), (rcpt, got[:600])
        original = tm.strip_trace(raw.encode())
        delivered = tm.strip_added(got)
        if rcpt.startswith("u-"):
            assert delivered == original, rcpt  # untracked: byte for byte
            continue
        start, end = tm.html_body_span(original, case)
        assert delivered.startswith(original[:start]) and delivered.endswith(original[end:]), rcpt
        assert delivered != original
        new_html, old_html = tm.html_of(delivered), tm.html_of(original)
        assert tm.pixel_url(new_html).startswith("http://dmtrace.example.com/o/")  # link_host = cname
        assert len(tm.click_urls(new_html)) == 4
        assert without_tracking(new_html) == without_tracking(old_html), rcpt
    # The SDK's ClickTrace=1: tracked too, and its pixel answers over plain HTTP named by the
    # tracking host (the CNAME dmtrace.example.com points at this server).
    sdk_html = tm.html_of(copies["sdk@example.org"])
    (click,) = tm.click_urls(sdk_html)
    status, headers, _ = fetch(click, via=("http", srv.ports["http"]))
    assert (status, headers["location"]) == (302, "https://shop.example.org/sdk")
    status, headers, body = fetch(tm.pixel_url(sdk_html), via=("http", srv.ports["http"]))
    assert (status, len(body)) == (200, 43)
