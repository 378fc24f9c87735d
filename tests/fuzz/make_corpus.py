#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/seed-*: real SMTP dialogues and server
replies, DNS answers built by hand (the shapes dnsmasq returns in the delivery tests: several MX,
compression pointers, null MX, NXDOMAIN, TXT, CNAME), the SDK's requests, uploads, and the configs
of config/. Run it again after changing a seed; crash inputs of fixed bugs (crash-*) are kept
beside the seeds. Targets built on FuzzedDataProvider take their choices from the end of the
input, so each seed ends with a few choice bytes."""
import base64
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ROOT = HERE.parent.parent


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data if isinstance(data, bytes) else data.encode())


def plain(user, password):
    return base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()


CHOICES = b"\x3f" * 48  # chunks of 64 bytes, verdicts and results "ok"

# SMTP server session: submission dialogues as clients send them.
dialogues = {
    "plain-auth": "EHLO client.example\r\nAUTH PLAIN " + plain("sender@example.com", "Secret123ab") +
    "\r\nMAIL FROM:<sender@example.com> SIZE=120\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"
    "From: sender@example.com\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\n..dot\r\nbody\r\n.\r\nQUIT\r\n",
    "login-auth": "EHLO c\r\nAUTH LOGIN\r\n" + base64.b64encode(b"sender@example.com").decode() + "\r\n" +
    base64.b64encode(b"Secret123ab").decode() + "\r\nMAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\n"
    "RCPT TO:<c@d.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c@d.test\r\nDATA\r\nx\r\n.\r\nRSET\r\nQUIT\r\n",
    "pipelined": "EHLO c\r\nAUTH PLAIN " + plain("sender@example.com", "pw") + "\r\nMAIL FROM:<sender@example.com> "
    "BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=abc+2B\r\nRCPT TO:<\xe4\xbd\xa0@b.test>\r\nDATA\r\n\xe4\xbd\xa0\r\n.\r\n",
    "starttls": "EHLO c\r\nSTARTTLS\r\nEHLO c\r\nAUTH PLAIN\r\n" + plain("u@example.com", "p") + "\r\nNOOP\r\n"
    "VRFY x\r\nHELP\r\nQUIT\r\n",
    "errors": "HELO c\r\nMAIL FROM:<bad\r\nRCPT TO:<a@b>\r\nBDAT 10\r\nDATA\r\nAUTH CRAM-MD5\r\nAUTH PLAIN =\r\n*\r\n"
    "MAIL FROM:<x@y> SIZE=99999999999\r\n" + "A" * 300 + "\r\nQUIT\r\n",
    "smuggling": "EHLO c\r\nAUTH PLAIN " + plain("s@example.com", "p") + "\r\nMAIL FROM:<s@example.com>\r\n"
    "RCPT TO:<a@b.test>\r\nDATA\r\nx\n.\nMAIL FROM:<evil@x>\r\n.\r\nQUIT\r\n",
}
for name, text in dialogues.items():
    write("smtp_session", name, text.encode("latin-1") + CHOICES)

# DATA reader: message bodies up to and past their terminator.
for name, body in {
    "simple": b"Subject: t\r\n\r\nhello\r\n.\r\n",
    "stuffed": b"..leading dot\r\n...\r\n.x\r\n\r\n.\r\nafter",
    "bare-lf": b"line\nline\r\n.\n.\r\r\n.\r\n",
    "empty": b".\r\n",
    "mime": b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n.\r\n",
}.items():
    write("smtp_data", name, body + b"\x00\x10\x00\x03\x00\x07\x01\x20")

# Addresses, SASL and base64.
for i, text in enumerate([
        "FROM:<sender@example.com> SIZE=10 BODY=8BITMIME", "TO:<\"quoted local\"@example.org> NOTIFY=NEVER",
        "TO:<@relay.example:user@[192.0.2.1]>", "FROM:<>", "FROM: bare@example.com", "TO:<u@[IPv6:2001:db8::1]>",
        "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe4\xb8\xad\xe5\x9b\xbd", plain("a@b.c", "pw"),
        base64.b64encode(b"authz\0authc\0pw").decode(), base64.b64encode(b"user@example.com").decode(),
        "rfc822;x+2By@z", "AA==", "A===", ""]):
    write("smtp_address_sasl", str(i), text.encode("latin-1") + b"\x01")

# Client session: the replies receiving servers send.
for name, text in {
    "esmtp": "220 mx.example.org ESMTP Postfix\r\n250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
    "250-STARTTLS\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
    "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4XyZ\r\n221 2.0.0 Bye\r\n",
    "rejects": "220 mx ESMTP\r\n250 mx\r\n250 ok\r\n550 5.1.1 <a@x.test>: Recipient address rejected\r\n"
    "451 4.7.1 greylisted, try again\r\n554 5.5.1 no valid recipients\r\n",
    "helo": "220 old\r\n502 5.5.2 what\r\n250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n452 4.3.1 full\r\n",
    "starttls": "220 mx\r\n250-mx\r\n250 STARTTLS\r\n220 2.0.0 Ready to start TLS\r\n250-mx\r\n250 PIPELINING\r\n",
    "malformed": "220-mx\r\n22 x\r\n2200 x\r\n250-" + "x" * 5000 + "\r\n421 4.3.2 shutting down\r\n",
}.items():
    write("smtp_client_reply", name, text.encode() + b"\x7f" * 24)


# DNS answers built by hand.
def name_bytes(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def message(qname, qtype, answers, rcode=0, compress=False):
    header = struct.pack(">HHHHHH", 0x1234, 0x8180 | rcode, 1, len(answers), 0, 0)
    question = name_bytes(qname) + struct.pack(">HH", qtype, 1)
    body = b""
    for rtype, ttl, rdata in answers:
        owner = b"\xc0\x0c" if compress else name_bytes(qname)
        body += owner + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata
    return header + question + body


def mx(pref, host, pointer=False):
    return struct.pack(">H", pref) + (b"\xc0\x0c" if pointer else name_bytes(host))


write("dns_answer", "mx", message("example.org", 15, [(15, 300, mx(10, "mx1.example.org")),
                                                       (15, 300, mx(10, "mx2.example.org")),
                                                       (15, 60, mx(20, "backup.example.net"))], compress=True))
write("dns_answer", "mx-pointer", message("example.org", 15, [(15, 30, mx(5, "", pointer=True))], compress=True))
write("dns_answer", "null-mx", message("example.org", 15, [(15, 300, mx(0, "."))]))
write("dns_answer", "a", message("mx1.example.org", 1, [(1, 300, bytes([127, 0, 0, 2])),
                                                         (1, 300, bytes([192, 0, 2, 7]))], compress=True))
write("dns_answer", "aaaa", message("mx1.example.org", 28, [(28, 300, bytes(15) + b"\x01")]))
write("dns_answer", "txt", message("example.org", 16, [(16, 300, b"\x10v=spf1 include:s" + b"\x0fpf.example.com ~all"),
                                                        (16, 300, b"\x00")]))
write("dns_answer", "cname", message("www.example.org", 5, [(5, 300, name_bytes("host.example.org"))], compress=True))
write("dns_answer", "nxdomain", message("nope.example.org", 15, [], rcode=3))
write("dns_answer", "nodata", message("example.org", 15, []))

# OpenAPI form bodies and query strings, as the SDK encodes them.
for i, text in enumerate([
        "AccountName=news%40example.com&AddressType=1&ReplyToAddress=false&Subject=Hello%20%E4%BD%A0%E5%A5%BD"
        "&ToAddress=bob%40example.org%2Ccarol%40example.org&HtmlBody=%3Cp%3Ehi%3C%2Fp%3E&TagName=news",
        "AccessKeyId=MPAKtestkey&Action=SingleSendMail&Format=JSON&SignatureMethod=HMAC-SHA1&SignatureNonce=n-1"
        "&SignatureVersion=1.0&Timestamp=2026-11-23T10%3A00%3A00Z&Version=2015-11-23&Signature=abc%3D",
        "StartTime=2026-11-24&EndTime=2026-11-24%2013%3A05%3A09&Length=100&Offset=0&Total=18446744073709551615",
        "a=1&&b=x+y&c&=d&%zz=%E4%BD&\xff\xfe=\xc0\xaf"]):
    write("openapi_params", str(i), text.encode("latin-1"))

# Signature: Authorization header, method, path, query, headers, timestamp, body (see the target).
auth = ("ACS3-HMAC-SHA256 Credential=MPAKtestkey,SignedHeaders=content-type;host;x-acs-action;"
        "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature="
        "f99b011f5e1734863f5988c134287eb531c2a983d9ab0437c1668e68590efb20")
sep = "\\n"  # ends a ConsumeRandomLengthString
write("openapi_signature", "sdk", sep.join([auth, "/", "TagId", "7", "Keyword", "a b*c", "Host", "127.0.0.1:8080",
                                            "x-acs-action", "SingleSendMail", "2026-11-23T10:00:00Z"]) +
      sep + "AccountName=news%40example.com&ToAddress=bob%40example.org" + "\x01\x02\x04")
write("openapi_signature", "malformed", sep.join(["ACS3-HMAC-SHA256 Credential=,SignedHeaders=;;A;,Signature",
                                                  "//", "", "=", "2026-13-40T25:61:61Z"]) + "\x00\x01")

# HTTP requests: the SDK's POST, an RPC GET, admin API calls, keep-alive pairs.
sdk_post = ("POST / HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nx-acs-action: SingleSendMail\r\nx-acs-version: 2015-11-23\r\n"
            "x-acs-date: 2026-11-23T10:00:00Z\r\nx-acs-signature-nonce: nonce-1\r\n"
            "x-acs-content-sha256: 48ef39d2cd65073145a71e55433ba2c9313387e7aad5cb7c0ac8eb4f56c16a5e\r\n"
            "content-type: application/x-www-form-urlencoded\r\nauthorization: " + auth + "\r\n"
            "user-agent: AlibabaCloud (linux; x64) Node.js/v18 Core/1.0.1 TeaDSL/2\r\ncontent-length: 58\r\n\r\n"
            "AccountName=news%40example.com&ToAddress=bob%40example.org")
requests = {
    "sdk-post": sdk_post,
    "rpc-get": "GET /?Action=DescAccountSummary&AccessKeyId=MPAKtestkey&Version=2015-11-23&Signature=x%3D HTTP/1.1\r\n"
    "Host: localhost\r\n\r\n",
    "admin": "GET /v1/accounts/acme/usage?from=2026-11-01&to=2026-11-30 HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n"
    "Authorization: Bearer 0123456789abcdef0123456789abcdef\r\n\r\n"
    "PATCH /v1/accounts/acme%2Fx HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n{\"status\":\"off\"}\n"
    "DELETE /v1/receiver-lists/acme/news/members/a%40b.c HTTP/1.1\r\nHost: a\r\n\r\n",
    "chunked": "POST /v1/receiver-lists/acme/news/upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\nEAddr\r\n0\r\n\r\nGET /v1/reply-to/confirm?token=abc HTTP/1.0\r\n\r\n",
    "metrics": "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
}
for name, text in requests.items():
    write("http_request", name, text.encode() + b"\x20")

# Receiver-list uploads.
for name, text in {
    "csv-header": "\ufeffNickName,EAddr\r\nBob,bob@example.org\r\n\"Smith, Ann\",ann@example.org\r\n",
    "captions": "收件人邮箱,收件人姓名,收件人昵称,收件人称呼,收件人生日,收件人电话\n"
    "a@example.org,张三,三,先生,2000-01-01,13800000000\n",
    "braces": "地址{EAddr},{UserName},{NickName},{Gender},{Birthday},{Mobile}\nb@example.org,B,b,女,1999-12-31,1\n",
    "txt": "one@example.org\ntwo@example.org\n\nnot an address\n\"unterminated@x\n",
}.items():
    write("receiver_upload", name, text.encode() + b"\x20")

# Tracked messages: HTML parts in each transfer encoding and charset, attachments, nesting; the
# last byte asks for the pixel and the links (3).
H = "From: a@example.org\r\nTo: b@example.net\r\nMIME-Version: 1.0\r\n"
html = '<html><head><style>a{}</style></head><body><a href="https://x.example/a?b=1&amp;c=2">x</a>' \
       '<a href="mailto:a@b">m</a><a href=\'https://mail.example.com/u/T\'>u</a><area href=http://y.example/></body></html>'
for name, text in {
    "single-html": H + "Content-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n",
    "alternative-qp": H + 'Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
    "see https://x.example/\r\n--b\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: "
    "quoted-printable\r\n\r\n<body>Gr=FC=DFe <a href=3D\"http://q.example/\">q</a>=\r\n</body>\r\n--b--\r\n",
    "mixed-base64-gbk": H + "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/html; charset=gbk\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(("<body>你好<a href='http://g.example/'>链接</a></body>")
                                                                      .encode("gbk")).decode() +
    "\r\n--m\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--m--\r\n",
    "related": H + "Content-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n"
    '<img src="cid:i@x"><a href="http://r.example/">r</a>\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <i@x>\r\n'
    "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n",
}.items():
    write("tracking_rewrite", name, text.encode("utf-8") + b"\x03")

# Configs: the shipped ones.
for path in sorted((ROOT / "config").glob("*.toml")):
    write("config", path.stem, path.read_bytes())

# Segment scan: a segment of two whole records (queue files as the spool writes them), the same
# cut short, and done marks.
def segment_record(queue_file):
    import zlib
    return f"MPR1 {len(queue_file)} {zlib.crc32(queue_file):08x}\n".encode() + queue_file


def queue_file(envid, body):
    header = ('{"envid":%d,"mail_from":"s@example.com","auth_user":"s@example.com","recipients":'
              '[{"address":"a@example.net","notify":"","orcpt":""}],"body_type":"","smtputf8":false,'
              '"ret":"","dsn_envid":"","received_at":1,"peer":"127.0.0.1","helo":"h","tls":false}' % envid).encode()
    return b"MPQ1 %d %d\n" % (len(header), len(body)) + header + b"\n" + body + b"\nMPQ-END\n"


two = segment_record(queue_file(7, b"Subject: a\r\n\r\nx\r\n")) + segment_record(queue_file(8, b"b\r\n"))
write("segment_scan", "two-records", two)
write("segment_scan", "cut-short", two[:-7])
write("segment_scan", "done-marks", b"7\n8\n9")
