"""Tracked test messages and what to read back from them: the MIME cases of the tracking tests
(quoted-printable, base64, GBK, nested multipart, an attachment), where the HTML part's body
sits in the raw bytes, and the pixel and link URLs a recipient's copy carries."""
import base64
import email
import email.policy
import json
import re

from harness import SENDER

TEXT = "Plain part: visit https://shop.example.org/sale today.\r\n"
LINKS = ["https://shop.example.org/sale?id=7&x=1", "http://news.example.org/a", "https://shop.example.org/b"]
HTML = ("<html><head><title>t</title></head><body>\r\n"
        "<p><a href=\"https://shop.example.org/sale?id=7&amp;x=1\">Sale</a> and "
        "<a href='http://news.example.org/a'>news</a>, "
        "<a href=\"mailto:help@example.com\">mail us</a>, <a href=\"tel:+8657100000\">call</a>, "
        "<a href=\"#top\">top</a>, again <a href=\"https://shop.example.org/sale?id=7&amp;x=1\">sale</a>, "
        "<a href=https://shop.example.org/b>b</a>.</p>\r\n"
        "</body></html>\r\n")


def trace_header(opens=True, links=True, tag=""):
    fields = {"OpenTrace": "1" if opens else "0", "LinkTrace": "1" if links else "0"}
    if tag:
        fields["TagName"] = tag
    return base64.b64encode(json.dumps(fields).encode()).decode()


def b64_lines(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def qp(text: str) -> str:
    import quopri
    return quopri.encodestring(text.encode()).decode().replace("\n", "\r\n").replace("\r\r\n", "\r\n")


def message(case, to="list@example.org", trace=None, subject=None):
    """The raw message (str, CRLF) of one MIME case, with an X-AliDM-Trace header when `trace`."""
    head = ("Date: Thu, 03 Dec 2026 08:00:00 +0800\r\n" f"From: {SENDER}\r\nTo: {to}\r\nSubject: {subject or case}\r\nMessage-ID: <{case}@example.com>\r\n"
            "MIME-Version: 1.0\r\n" + (f"X-AliDM-Trace: {trace}\r\n" if trace else ""))
    if case == "qp-alternative":
        return (head + "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\npreamble\r\n"
                "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + qp(TEXT) + "\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(HTML) + "\r\n--b1--\r\nepilogue\r\n")
    if case == "gbk-base64":
        html = HTML.replace("Sale", "促销").encode("gbk")
        return (head + "Content-Type: text/html; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + b64_lines(html) + "\r\n")
    if case == "nested-attachment":
        pdf = bytes(range(256)) * 4
        return (head + "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
                "--m\r\nContent-Type: multipart/related; boundary=\"r\"\r\n\r\n"
                "--r\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n"
                "--a\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + TEXT +
                "\r\n--a\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + HTML.replace("Sale", "Soldes été") + "\r\n--a--\r\n"
                "\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + b64_lines(b"\x89PNG fake image bytes") + "\r\n--r--\r\n"
                "\r\n--m\r\nContent-Type: text/html; name=\"invoice.html\"\r\n"
                "Content-Disposition: attachment; filename=\"invoice.html\"\r\n\r\n"
                "<a href=\"https://attachment.example.org/\">not rewritten</a>\r\n"
                "\r\n--m\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n" + b64_lines(pdf) + "\r\n--m--\r\n")
    raise ValueError(case)


def html_body_span(raw: bytes, case):
    """(start, end) of the one rewritten HTML part's body in `raw` (as sent, without X-AliDM-Trace)."""
    marker = {"qp-alternative": b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
              "gbk-base64": b"Content-Transfer-Encoding: base64\r\n\r\n",
              "nested-attachment": b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"}[case]
    start = raw.index(marker) + len(marker)
    if case == "gbk-base64":
        return start, len(raw)
    return start, raw.index(b"\r\n--b1--" if case == "qp-alternative" else b"\r\n--a--", start)


def strip_trace(raw: bytes) -> bytes:
    return re.sub(rb"X-AliDM-Trace: [^\r\n]*\r\n", b"", raw, count=1)


def strip_added(raw: bytes) -> bytes:
    """The message without the fields the server put in front of it (DKIM-Signature, Received)."""
    while raw.startswith((b"DKIM-Signature:", b"Received:")):
        end = raw.index(b"\r\n", 0)
        while raw[end + 2:end + 3] in (b" ", b"\t"):
            end = raw.index(b"\r\n", end + 2)
        raw = raw[end + 2:]
    return raw


def html_of(raw: bytes) -> str:
    """The decoded text of the message's first non-attachment HTML part."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for part in msg.walk():
        if part.get_content_type() == "text/html" and part.get_content_disposition() != "attachment":
            return part.get_content()
    raise AssertionError("no HTML part")


def pixel_url(html: str):
    m = re.search(r'<img src="([^"]+/o/[^"]+)" width="1" height="1"', html)
    return m.group(1) if m else None


def click_urls(html: str):
    """The rewritten link targets in document order."""
    return re.findall(r"""href=["']?([^"' >]+/c/[A-Za-z0-9_-]+)""", html)
