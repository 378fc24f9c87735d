"""DKIM at delivery, checked by an independent verifier: the real mailpushd delivers through MX
records served by dnsmasq to a real receiving SMTP server (aiosmtpd); Debian's python3-dkim
verifies what arrived against the public keys dnsmasq serves ({selector}._domainkey TXT, read
with dnspython). Plain text, 8-bit UTF-8, a MIME attachment, lines starting with dots, a list
alias, a message the engine rewrote, an 8-bit message to a receiver without 8BITMIME, RSA and
Ed25519 signatures, and a key rotation; the SDK's DescDomain and ChangeDomainDkimRecord."""
import email
import email.policy
import json
import smtplib
import subprocess
import time
from email.message import EmailMessage

import dkim
import dns.message
import dns.query
import dns.rdatatype
import pytest
from aiosmtpd.controller import Controller

from harness import PASSWORD, SENDER
from openapi_client import create_key, sdk
from sink import Handler, free_port
from test_dns import DNSMASQ, free_udp_port

DOMAIN = "example.com"
ZONE = """local=/test/
local=/example.com/
mx-host=mail.test,mx.mail.test,10
host-record=mx.mail.test,127.0.0.1
"""


class Zone:
    """dnsmasq on one loopback port, restarted on the same port when the records change (its
    TXT records are read only at start)."""

    def __init__(self, workdir):
        self.dir, self.port, self.proc, self.fixed = workdir, free_udp_port(), None, False

    def serve(self, records):
        """(Re)starts dnsmasq with `records` (host -> TXT value). Before the first server was
        pointed at it (`fixed` false) a port someone else took meanwhile is replaced by another."""
        self.stop()
        lines = []
        for host, value in records.items():
            chunks = [value[i:i + 250] for i in range(0, len(value), 250)]  # TXT strings of <= 255 bytes
            lines.append(f"txt-record={host}," + ",".join(f'"{c}"' for c in chunks))
        for _ in range(5):
            conf = self.dir / "dnsmasq.conf"
            conf.write_text(f"port={self.port}\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\n"
                            + ZONE + "\n".join(lines) + "\n")
            self.proc = subprocess.Popen([DNSMASQ, f"--conf-file={conf}", "--keep-in-foreground", "--user=root",
                                          f"--pid-file={self.dir}/pid", f"--log-facility={self.dir}/log"])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self.answers("mx.mail.test"):
                    self.fixed = True
                    return
                time.sleep(0.05)
            self.stop()
            if not self.fixed:
                self.port = free_udp_port()
        raise AssertionError(f"dnsmasq did not start on port {self.port}")

    def answers(self, name):
        try:
            q = dns.message.make_query(name, dns.rdatatype.A)
            return bool(dns.query.udp(q, "127.0.0.1", port=self.port, timeout=0.5).answer)
        except Exception:  # not up yet
            return False

    def txt(self, name, timeout=2):
        """The TXT record of `name` as python3-dkim's dnsfunc returns it (strings joined), or None."""
        if isinstance(name, bytes):
            name = name.decode()
        q = dns.message.make_query(name, dns.rdatatype.TXT)
        r = dns.query.udp(q, "127.0.0.1", port=self.port, timeout=timeout)
        for rrset in r.answer:
            if rrset.rdtype == dns.rdatatype.TXT:
                return b"".join(list(rrset)[0].strings)
        return None

    def stop(self):
        if self.proc:
            if self.proc.poll() is None:
                self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def zone(tmp_path):
    z = Zone(tmp_path)
    yield z
    z.stop()


@pytest.fixture
def seven_bit_sink():
    """A receiver without 8BITMIME (aiosmtpd decode_data=True: no 8BITMIME in EHLO, and a body
    with 8-bit bytes is refused with 500)."""
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), decode_data=True)
    controller.start()
    controller.handler_obj = handler
    yield controller
    controller.stop()


def dkim_records(srv, domain=DOMAIN):
    out = json.loads(srv.ctl("--json", "domain", "show", domain).stdout)
    return {r["host"]: r["value"] for r in out["records"] if r["purpose"].startswith("dkim:")}


def signatures(raw):
    msg = email.message_from_bytes(raw)
    return [" ".join(s.split()) for s in msg.get_all("DKIM-Signature", [])]


def verify_all(zone, raw):
    """Every DKIM-Signature of `raw` verifies; returns their (a=, s=) pairs."""
    sigs = signatures(raw)
    assert sigs, raw[:400]
    d = dkim.DKIM(raw)
    out = []
    for i, s in enumerate(sigs):
        tags = dict(t.strip().split("=", 1) for t in s.split(";") if "=" in t)
        assert d.verify(idx=i, dnsfunc=zone.txt), f"signature {i} ({tags.get('s')}) fails:\n{raw[:2000]!r}"
        assert tags["d"] == DOMAIN
        out.append((tags["a"], tags["s"]))
    return sorted(out)


def start(make_server, zone, sink, seven):
    srv = make_server(routes=(("seven.test", f"smtp://127.0.0.1:{seven.port}"), ("*", "mx")),
                      delivery=f'remote_port = {sink.port}\nretry_initial = "1s"')
    srv.start()
    srv.ctl("account", "add", "acme")
    srv.ctl("domain", "add", "acme", DOMAIN, "--ed25519")
    srv.provision()
    zone.serve(dkim_records(srv))
    srv.stop()
    srv.tail = f'[dns]\nservers = ["127.0.0.1:{zone.port}"]\n'
    srv.write_config()
    srv.start()
    return srv


def submit(srv, rcpts, message, eight_bit=False):
    with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
        s.login(SENDER, PASSWORD)
        s.sendmail(SENDER, rcpts, message, mail_options=["BODY=8BITMIME"] if eight_bit else [])


def received(handler, count):
    msgs = handler.wait_for(count)
    assert len(msgs) >= count, msgs
    return msgs


BOTH = [("ed25519-sha256", "mpe1"), ("rsa-sha256", "mpr1")]


def test_delivered_mail_verifies(make_server, zone, sink, seven_bit_sink):
    srv = start(make_server, zone, sink, seven_bit_sink)
    head = f"From: Sender <{SENDER}>\r\nTo: bob@mail.test\r\nMessage-ID: <m1@example.com>\r\n" \
           "Date: Wed, 02 Dec 2026 06:00:00 +0000\r\n"
    # Plain text with lines that start with dots (dot-stuffed on the wire, not in the signature).
    submit(srv, ["bob@mail.test"], head + "Subject: plain\r\n\r\nhello\r\n.\r\n..two dots\r\n.end\r\n")
    # 8-bit UTF-8 to a receiver with 8BITMIME: delivered as is.
    utf8 = (head + "Subject: utf8\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße, café, 日本語\r\n").encode()
    submit(srv, ["bob@mail.test"], utf8, eight_bit=True)
    # A MIME attachment.
    m = EmailMessage(policy=email.policy.SMTP)
    m["From"], m["To"], m["Subject"] = SENDER, "bob@mail.test", "attachment"
    m.set_content("see attached\n")
    m.add_attachment(bytes(range(256)) * 20, maintype="application", subtype="octet-stream", filename="x.bin")
    submit(srv, ["bob@mail.test"], m.as_bytes())
    # A message the engine rewrites: its X-AliDM-Trace header is removed before signing.
    submit(srv, ["bob@mail.test"], head + "Subject: traced\r\nX-AliDM-Trace: eyJUYWdOYW1lIjoidDEifQ==\r\n\r\nx\r\n")
    msgs = received(sink.handler, 4)
    by_subject = {email.message_from_bytes(raw)["Subject"]: raw for _, _, raw in msgs}
    for subject in ("plain", "utf8", "attachment", "traced"):
        raw = by_subject[subject]
        assert verify_all(zone, raw) == BOTH, subject
    assert b"\r\n..two dots\r\n" in by_subject["plain"]
    assert "Grüße".encode() in by_subject["utf8"]
    assert b"X-AliDM-Trace" not in by_subject["traced"]
    # A tampered copy fails: the verifier really checks.
    with pytest.raises(dkim.ValidationError, match="body hash mismatch"):
        dkim.DKIM(by_subject["plain"].replace(b"hello", b"HELLO")).verify(idx=0, dnsfunc=zone.txt)


def test_list_alias_members_get_verifiable_mail(make_server, zone, sink, seven_bit_sink, tmp_path):
    srv = start(make_server, zone, sink, seven_bit_sink)
    srv.ctl("list", "add", "acme", "staff", "staff@lists.test")
    rows = tmp_path / "staff.txt"
    rows.write_text("s1@mail.test\ns2@mail.test\n")
    srv.ctl("list", "upload", "acme", "staff", str(rows))
    submit(srv, ["staff@lists.test"], f"From: {SENDER}\r\nTo: staff@lists.test\r\nSubject: all\r\n\r\nmeeting\r\n")
    msgs = received(sink.handler, 1)
    assert sorted(r for m in msgs for r in m[1]) == ["s1@mail.test", "s2@mail.test"]
    for _, _, raw in msgs:
        assert verify_all(zone, raw) == BOTH


def test_eight_bit_to_a_receiver_without_8bitmime_is_converted_and_signed_after(make_server, zone, sink,
                                                                               seven_bit_sink):
    srv = start(make_server, zone, sink, seven_bit_sink)
    body = "Grüße aus Köln — 5 €\r\n.dot line\r\n"
    submit(srv, ["carol@seven.test"], (f"From: {SENDER}\r\nTo: carol@seven.test\r\nSubject: umlaut\r\n\r\n"
                                       + body).encode(), eight_bit=True)
    (_, rcpts, raw), = received(seven_bit_sink.handler_obj, 1)
    assert rcpts == ["carol@seven.test"]
    assert all(b < 0x80 for b in raw)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"
    assert msg.get_content().replace("\r\n", "\n") == body.replace("\r\n", "\n")
    assert verify_all(zone, raw) == BOTH


def test_rotation_keeps_every_message_verifiable(make_server, zone, sink, seven_bit_sink):
    srv = start(make_server, zone, sink, seven_bit_sink)
    old_records = dkim_records(srv)
    msg = f"From: {SENDER}\r\nTo: bob@mail.test\r\nSubject: %s\r\n\r\nrotation\r\n"
    out = json.loads(srv.ctl("--json", "domain", "dkim", "rotate", DOMAIN).stdout)
    states = {k["selector"]: k["state"] for k in out["dkim"]}
    assert states == {"mpr2": "published", "mpe2": "published", "mpr1": "active", "mpe1": "active"}
    again = srv.ctl("domain", "dkim", "rotate", DOMAIN, check=False)
    assert again.returncode != 0 and "mpr2._domainkey.example.com" in again.stderr
    # Published, not yet in DNS: mail is still signed with the old keys.
    submit(srv, ["bob@mail.test"], msg % "before")
    (_, _, before), = received(sink.handler, 1)
    assert verify_all(zone, before) == BOTH
    # verify without the new records: nothing changes.
    srv.ctl("domain", "verify", DOMAIN)
    assert {k["selector"]: k["state"] for k in json.loads(srv.ctl("--json", "domain", "show", DOMAIN).stdout)["dkim"]} \
        == states
    # Publish the new records beside the old ones; verify switches to the new keys.
    records = dkim_records(srv)
    assert set(records) == {f"{s}._domainkey.{DOMAIN}" for s in ("mpr1", "mpe1", "mpr2", "mpe2")}
    zone.serve(records)
    out = json.loads(srv.ctl("--json", "domain", "verify", DOMAIN).stdout)
    assert {k["selector"]: k["state"] for k in out["dkim"]} == \
        {"mpr2": "active", "mpe2": "active", "mpr1": "retired", "mpe1": "retired"}
    submit(srv, ["bob@mail.test"], msg % "after")
    msgs = received(sink.handler, 2)
    after = next(raw for _, _, raw in msgs if b"Subject: after" in raw)
    assert verify_all(zone, after) == [("ed25519-sha256", "mpe2"), ("rsa-sha256", "mpr2")]
    assert verify_all(zone, before) == BOTH  # the retired keys' records stay published (grace period)
    assert set(dkim_records(srv)) == set(records)
    assert old_records.items() <= dkim_records(srv).items()


def test_sdk_desc_domain_and_change_dkim_record(make_server, zone, sink, seven_bit_sink):
    srv = start(make_server, zone, sink, seven_bit_sink)
    key = create_key(srv)
    domain_id = int(sdk(srv, key, "queryDomainByParam", {})["body"]["data"]["domain"][0]["domainId"])
    desc = sdk(srv, key, "descDomain", {"domainId": domain_id})["body"]
    records = dkim_records(srv)
    assert desc["dkimRR"] == "mpr1._domainkey"
    assert desc["dkimPublicKey"] == records["mpr1._domainkey.example.com"]
    assert desc["dkimPublicKey"].startswith("v=DKIM1; k=rsa; p=")
    assert desc["dkimRsaLength"] == 2048
    assert desc["dkimAuthStatus"] == "1"  # not checked yet
    assert desc["dmarcHostRecord"] == "_dmarc"
    assert desc["dmarcRecord"] == "v=DMARC1; p=none; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com"
    assert desc["dmarcAuthStatus"] == 1 and desc["dnsDmarc"] == ""
    # CheckDomain finds the DKIM record dnsmasq serves.
    assert sdk(srv, key, "checkDomain", {"domainId": domain_id})["ok"]
    desc = sdk(srv, key, "descDomain", {"domainId": domain_id})["body"]
    assert desc["dkimAuthStatus"] == "0"
    # ChangeDomainDkimRecord: a new 1024-bit key to publish.
    changed = sdk(srv, key, "changeDomainDkimRecord", {"domain": DOMAIN, "dkimRsaLength": 1024})
    assert changed["ok"], changed
    body = changed["body"]
    assert body["changed"] is True and body["dkimRsaLength"] == 1024 and body["hostname"] == "mpr2._domainkey"
    assert body["dkimPublicKey"] == dkim_records(srv)["mpr2._domainkey.example.com"]
    desc = sdk(srv, key, "descDomain", {"domainId": domain_id})["body"]
    assert desc["dkimRR"] == "mpr2._domainkey" and desc["dkimAuthStatus"] == "1" and desc["dkimRsaLength"] == 1024
    # Refused: a second rotation before the first verified, a bad length, an unknown domain.
    pending = sdk(srv, key, "changeDomainDkimRecord", {"domain": DOMAIN})
    assert pending["ok"] is False and pending["code"] == "InvalidParameter.DkimRotationPending", pending
    bad = sdk(srv, key, "changeDomainDkimRecord", {"domain": DOMAIN, "dkimRsaLength": 4096})
    assert bad["ok"] is False and bad["code"] == "InvalidParameter", bad
    nope = sdk(srv, key, "changeDomainDkimRecord", {"domain": "nope.example.net"})
    assert nope["ok"] is False and nope["code"] == "InvalidDomain.NotFound", nope
    # Nothing was added by the refusals: mpr1, mpe1 and the rotation's mpr2, mpe2.
    assert len(json.loads(srv.ctl("--json", "domain", "show", DOMAIN).stdout)["dkim"]) == 4


def test_domain_add_options_and_verify_reports_dmarc(make_server, zone, sink, seven_bit_sink):
    srv = start(make_server, zone, sink, seven_bit_sink)
    out = json.loads(srv.ctl("--json", "domain", "add", "acme", "small.example.com", "--rsa-bits", "1024").stdout)
    assert [(k["selector"], k["algorithm"], k["rsa_bits"], k["state"]) for k in out["dkim"]] == \
        [("mpr1", "rsa", 1024, "active")]
    bad = srv.ctl("domain", "add", "acme", "big.example.com", "--rsa-bits", "4096", check=False)
    assert bad.returncode != 0 and "1024 or 2048" in bad.stderr
    assert srv.ctl("domain", "show", "big.example.com", check=False).returncode != 0
    # DMARC: no record yet; then one with strict alignment.
    out = json.loads(srv.ctl("--json", "domain", "verify", DOMAIN).stdout)
    assert out["dmarc"]["record"] is False and out["dmarc"]["dkim_aligned"] is True
    records = dkim_records(srv)
    records["_dmarc.example.com"] = "v=DMARC1; p=reject; adkim=s; aspf=s"
    zone.serve(records)
    out = json.loads(srv.ctl("--json", "domain", "verify", DOMAIN).stdout)
    by = {r["purpose"]: r for r in out["records"]}
    assert by["dmarc"]["status"] == "ok" and by["dkim:mpr1"]["status"] == "ok" and by["dkim:mpe1"]["status"] == "ok"
    assert out["dmarc"] == {"record": True, "policy": "reject", "spf_aligned": False, "dkim_aligned": True,
                            "pass": True}
    assert out["verified"] is False  # ownership and SPF are not published
