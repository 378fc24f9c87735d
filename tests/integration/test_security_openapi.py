"""The OpenAPI as an attacker meets it: IP protection holds for every action and whatever the
client does to its connection."""
import json
import socket
import struct

import pytest

from harness import SENDER, wait_for
from openapi_client import create_key, raw_signed_request, sdk

SINGLE = {"AccountName": SENDER, "AddressType": "1", "ReplyToAddress": "false", "ToAddress": "bob@example.org",
          "Subject": "hi", "TextBody": "hello"}


@pytest.fixture
def protected(make_server):
    """An account whose IP protection allows only 10.1.2.3: loopback clients are refused."""
    srv = make_server().start().provision()
    key = create_key(srv)
    srv.ctl("ip-protection", "add", "acme", "10.1.2.3")
    srv.ctl("ip-protection", "enable", "acme")
    return srv, key


def test_reset_after_send_from_a_refused_ip_sends_nothing(protected):
    srv, key = protected
    closed_before = srv.metric("mailpush_http_connections_closed_total")
    sent = 20
    for _ in range(sent):
        raw = raw_signed_request(srv, key["AccessKeyId"], key["AccessKeySecret"], "SingleSendMail", SINGLE)
        s = socket.create_connection(("127.0.0.1", srv.ports["http"]), timeout=10)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST
        s.sendall(raw)
        s.close()
    scrapes = 0

    def all_ended():
        # Each earlier scrape may have ended its own connection by now: count them out.
        nonlocal scrapes
        ended = srv.metric("mailpush_http_connections_closed_total") - closed_before - scrapes
        scrapes += 1
        return ended >= sent

    wait_for(all_ended, 30, "every reset connection to end")
    assert srv.queue() == []
    assert json.loads(srv.ctl("--json", "account", "usage", "acme").stdout)["day_used"] == 0


@pytest.mark.parametrize("action,request_", [
    ("updateIpProtection", {"ipProtection": "0"}),
    ("getIpProtection", {}),
    ("descAccountSummary", {}),
    ("queryDomainByParam", {}),
])
def test_every_action_is_refused_from_a_refused_ip(protected, action, request_):
    srv, key = protected
    r = sdk(srv, key, action, request_)
    assert not r["ok"] and r["code"] == "Forbidden.IpProtection" and r["status"] == 403
    # The protection is still on: sending stays refused too.
    assert sdk(srv, key, "singleSendMail", {"accountName": SENDER, "addressType": 1, "replyToAddress": False,
                                            "toAddress": "bob@example.org", "subject": "s",
                                            "textBody": "t"})["code"] == "Forbidden.IpProtection"
    assert srv.queue() == []
