"""The OpenAPI's signed parts and bounds as an attacker meets them: the canonical query cannot be
reshaped under a signature, the signed Host must be ours, one access key cannot exhaust the nonce
cache, one account cannot hold every API thread with DNS checks, and SDK parameters the service
does not implement are refused instead of dropped."""
import socket
import threading
import time

import pytest

from harness import SENDER, wait_for
from openapi_client import create_key, signed_call, sdk

SINGLE = {"accountName": SENDER, "addressType": 1, "replyToAddress": False, "toAddress": "bob@example.org",
          "subject": "hi", "textBody": "hello"}


def with_http_keys(srv, lines):
    """Adds keys to the [http] section of the server's config before it starts."""
    text = srv.config.read_text()
    srv.config.write_text(text.replace("[http]\n", "[http]\n" + lines + "\n", 1))
    return srv


@pytest.fixture
def api(make_server):
    srv = make_server(verified_domains=False).start().provision()
    return srv, create_key(srv)


# ---- the canonical query ------------------------------------------------------------------------

def test_a_signature_does_not_fit_a_reshaped_query(api):
    srv, key = api
    signed = {"KeyWord": "x", "PageSize": "5"}
    status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "QueryTagByParam", {},
                               query=signed)
    assert status == 200, body
    # The same signed query, reshaped into one parameter "KeyWord=x&PageSize" = "5": with keys
    # left unencoded both canonicalised to "KeyWord=x&PageSize=5".
    status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "QueryTagByParam", {},
                               query=signed, raw_query="KeyWord%3Dx%26PageSize=5")
    assert status == 400 and body["Code"] == "SignatureDoesNotMatch", body


@pytest.mark.parametrize("signature", ["v3", "v2"])
def test_sdk_query_values_with_reserved_and_non_ascii_characters_verify(api, signature):
    srv, key = api
    for word in ["a b", "a&b=c", "x+y", "100%", "你好 é", "*!'()~"]:
        r = sdk(srv, key, "queryTagByParam", {"keyWord": word}, signature=signature)
        assert r["ok"], (word, r)


def test_independent_signer_query_with_reserved_characters_verifies(api):
    srv, key = api
    status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "QueryTagByParam", {},
                               query={"KeyWord": "a b&c=d+e%f 你好", "PageNo": "1"})
    assert status == 200, body


# ---- the signed Host ----------------------------------------------------------------------------

def test_a_request_signed_for_another_host_is_refused(api):
    srv, key = api
    port = srv.ports["http"]
    for host in ["dm.aliyuncs.com", f"dm.aliyuncs.com:{port}", "127.0.0.1.evil.org"]:
        status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "DescAccountSummary", {},
                                   host=host)
        assert status == 400 and body["Code"] == "InvalidHost", (host, body)
    # Our names, with or without a port, on any port.
    for host in [f"127.0.0.1:{port}", "localhost", f"LOCALHOST:{port}", "mx.test:443"]:
        status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "DescAccountSummary", {},
                                   host=host)
        assert status == 200, (host, body)
    assert "security event=invalid_host" in srv.log()


def test_configured_public_names_replace_the_defaults(make_server):
    srv = with_http_keys(make_server(), 'public_names = ["api.example.com"]').start().provision()
    key = create_key(srv)
    status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "DescAccountSummary", {},
                               host="api.example.com")
    assert status == 200, body
    status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "DescAccountSummary", {})
    assert status == 400 and body["Code"] == "InvalidHost" and "api.example.com" in body["Message"]


# ---- the nonce cache, per access key ------------------------------------------------------------

def test_one_key_at_its_nonce_bound_does_not_lock_other_keys_out(make_server):
    srv = with_http_keys(make_server(), "max_nonces_per_key = 100").start().provision()
    srv.provision(account="beta", domain="beta.example", address="news@beta.example")
    greedy, quiet = create_key(srv), create_key(srv, "beta")
    for i in range(100):
        status, body = signed_call(srv, greedy["AccessKeyId"], greedy["AccessKeySecret"], "DescAccountSummary", {})
        assert status == 200, (i, body)
    status, body = signed_call(srv, greedy["AccessKeyId"], greedy["AccessKeySecret"], "DescAccountSummary", {})
    assert status == 400 and body["Code"] == "Throttling.User", body
    # Another key, even of the same account, is served.
    other = create_key(srv)
    for k in (quiet, other):
        status, body = signed_call(srv, k["AccessKeyId"], k["AccessKeySecret"], "DescAccountSummary", {})
        assert status == 200, body
    assert "security event=nonce_cache_full" in srv.log()


# ---- blocking work per account ------------------------------------------------------------------

class HeldDns:
    """A DNS server on loopback that holds every query until released, then answers REFUSED."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.names, self.held, self.released, self.stop = [], [], threading.Event(), threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @staticmethod
    def qname(packet):
        labels, i = [], 12
        while i < len(packet) and packet[i]:
            labels.append(packet[i + 1:i + 1 + packet[i]].decode(errors="replace"))
            i += 1 + packet[i]
        return ".".join(labels).lower()

    def answer(self, packet, peer):
        # Same id and question, QR set, RCODE 5 (REFUSED).
        self.sock.sendto(packet[:2] + bytes([0x81 | (packet[2] & 0x01), 0x85]) + packet[4:], peer)

    def run(self):
        while not self.stop.is_set():
            if self.released.is_set():
                for packet, peer in self.held:
                    self.answer(packet, peer)
                self.held = []
            try:
                packet, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            with self.lock:
                self.names.append(self.qname(packet))
            if self.released.is_set():
                self.answer(packet, peer)
            else:
                self.held.append((packet, peer))

    def asked_about(self, domain):
        with self.lock:
            return any(n == domain or n.endswith("." + domain) for n in self.names)

    def close(self):
        self.released.set()
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def domain_id(srv, key, name):
    status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "QueryDomainByParam",
                               {"KeyWord": name})
    assert status == 200, body
    return [d for d in body["data"]["domain"] if d["DomainName"] == name][0]["DomainId"]


def test_one_account_cannot_hold_every_api_thread_with_dns_checks(make_server):
    dns = HeldDns()
    try:
        srv = make_server(tail=f'[dns]\nservers = ["127.0.0.1:{dns.port}"]\n')
        srv.start().provision(domain="one.example", address="a@one.example")
        srv.provision(domain="two.example", address="a@two.example")
        srv.provision(domain="three.example", address="a@three.example")
        srv.provision(account="beta", domain="beta.example", address="news@beta.example")
        acme, beta = create_key(srv), create_key(srv, "beta")
        ids = {d: domain_id(srv, acme, d) for d in ("one.example", "two.example", "three.example")}
        beta_id = domain_id(srv, beta, "beta.example")
        results = {}

        def check(name, k, did):
            results[name] = signed_call(srv, k["AccessKeyId"], k["AccessKeySecret"], "CheckDomain",
                                        {"DomainId": did})

        threads = [threading.Thread(target=check, args=(d, acme, ids[d])) for d in ("one.example", "two.example")]
        for t in threads:
            t.start()
        # Both checks hold their slot: their lookups are waiting at the DNS server.
        wait_for(lambda: dns.asked_about("one.example") and dns.asked_about("two.example"), 30,
                 "both DNS checks of acme to be under way")
        started = time.monotonic()
        status, body = signed_call(srv, acme["AccessKeyId"], acme["AccessKeySecret"], "CheckDomain",
                                   {"DomainId": ids["three.example"]})
        assert status == 400 and body["Code"] == "Throttling.User", body
        assert time.monotonic() - started < 5  # refused at once, not after a wait
        assert not dns.asked_about("three.example")
        # Another account is served meanwhile: its cheap calls and its own DNS check.
        status, body = signed_call(srv, beta["AccessKeyId"], beta["AccessKeySecret"], "DescAccountSummary", {})
        assert status == 200, body
        beta_thread = threading.Thread(target=check, args=("beta", beta, beta_id))
        beta_thread.start()
        wait_for(lambda: dns.asked_about("beta.example"), 30, "beta's DNS check to be under way")
        dns.released.set()
        for t in threads + [beta_thread]:
            t.join(60)
        for name in ("one.example", "two.example", "beta"):
            assert results[name][0] == 200, results[name]
        # The slots came back: acme may check again.
        status, body = signed_call(srv, acme["AccessKeyId"], acme["AccessKeySecret"], "CheckDomain",
                                   {"DomainId": ids["three.example"]})
        assert status == 200, body
    finally:
        dns.close()


# ---- SDK parameters that are not implemented ----------------------------------------------------

@pytest.mark.parametrize("extra,param", [
    ({"attachments": [{"attachmentName": "a.txt", "attachmentUrl": "https://example.org/a.txt"}]}, "Attachments"),
    ({"template": {"templateId": "1", "templateData": {"name": "x"}}}, "Template"),
    ({"ipPoolId": "pool-1"}, "IpPoolId"),
    ({"ownerId": 12345}, "OwnerId"),
])
def test_sdk_parameters_the_action_does_not_implement_are_refused(api, extra, param):
    srv, key = api
    r = sdk(srv, key, "singleSendMail", {**SINGLE, **extra})
    assert not r["ok"] and r["status"] == 400 and r["code"] == "InvalidParameter.Unsupported", r
    assert param in r["message"]
    assert srv.queue() == []


def test_unsupported_parameters_of_other_actions_are_refused(api):
    srv, key = api
    r = sdk(srv, key, "queryTemplateByParam", {"fromType": 1})
    assert not r["ok"] and r["code"] == "InvalidParameter.Unsupported" and "FromType" in r["message"], r
    r = sdk(srv, key, "senderStatisticsByTagNameAndBatchID", {"esp": "gmail", "startTime": "2026-11-01",
                                                               "endTime": "2026-11-02"})
    assert not r["ok"] and r["code"] == "InvalidParameter.Unsupported" and "Esp" in r["message"], r
    # Without them the same actions answer.
    assert sdk(srv, key, "queryTemplateByParam", {})["ok"]


# ---- security events ----------------------------------------------------------------------------

def test_signature_failures_and_replays_are_security_events_without_secrets(api):
    srv, key = api
    r = sdk(srv, key, "descAccountSummary", secret="wrong-secret-value")
    assert not r["ok"] and r["code"] == "SignatureDoesNotMatch"
    status, _ = signed_call(srv, "MPAKnosuchkey", "x", "DescAccountSummary", {})
    assert status == 404
    for _ in range(2):
        status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "DescAccountSummary", {},
                                   nonce="fixed-nonce-1")
    assert status == 400 and body["Code"] == "SignatureNonceUsed"
    log = srv.log()
    assert f"security event=bad_signature ip=127.0.0.1 account=acme detail=\"key={key['AccessKeyId']}\"" in log
    assert "security event=unknown_access_key ip=127.0.0.1" in log and "key=MPAKnosuchkey" in log
    assert "security event=nonce_replay ip=127.0.0.1 account=acme" in log
    assert key["AccessKeySecret"] not in log and "wrong-secret-value" not in log
    assert "Signature=" not in log


def test_ip_protection_changes_and_refusals_are_security_events(api):
    srv, key = api
    assert sdk(srv, key, "addIpfilter", {"ipAddress": "127.0.0.1"})["ok"]
    assert sdk(srv, key, "updateIpProtection", {"ipProtection": "1"})["ok"]
    srv.ctl("ip-protection", "add", "acme", "10.1.2.3")
    ip_filters = sdk(srv, key, "getIpfilterList", {})["body"]["data"]["ipfilters"]
    own = [f["id"] for f in ip_filters if f["ipAddress"] == "127.0.0.1"][0]
    assert sdk(srv, key, "deleteIpfilterByEdmId", {"id": own})["ok"]
    r = sdk(srv, key, "descAccountSummary")
    assert not r["ok"] and r["code"] == "Forbidden.IpProtection"
    log = srv.log()
    assert "security event=ip_protection_changed ip=127.0.0.1 account=acme" in log
    assert "security event=ip_protection_refused ip=127.0.0.1 account=acme" in log
