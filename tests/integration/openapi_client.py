"""Two ways to call the OpenAPI of a running mailpushd: the official DirectMail SDK (node,
tests/integration/sdk) and an independent ACS3-HMAC-SHA256 signer written from the
signature's description, which can also make the bad requests the SDK never makes."""
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import urllib.parse
import uuid
from datetime import datetime, timezone
from pathlib import Path

SDK_DIR = Path(__file__).parent / "sdk"


def create_key(srv, account="acme"):
    key = json.loads(srv.ctl("accesskey", "create", account, "--json").stdout)
    assert set(key) == {"AccessKeyId", "AccessKeySecret"}
    return key


def sdk(srv, key, action, request=None, signature="v3", secret=None, https=False):
    """Calls `action` (camelCase, as the SDK names it) through the official SDK; returns
    {"ok": True, "body": {...}} or {"ok": False, "code": ..., "status": ...}. https=True: the SDK's
    default protocol (HTTPS) against the https listener, trusting the server's dev certificate."""
    assert (SDK_DIR / "node_modules" / "@alicloud" / "dm20151123").is_dir(), \
        "the SDK is not installed: run npm ci --prefix tests/integration/sdk (tools/test.sh does)"
    port = srv.ports["https" if https else "http"]
    spec = {"endpoint": f"127.0.0.1:{port}", "id": key["AccessKeyId"],
            "secret": secret or key["AccessKeySecret"], "signature": signature, "action": action,
            "request": request or {}, "protocol": "default" if https else "HTTP"}
    env = dict(os.environ, NODE_EXTRA_CA_CERTS=str(srv.dir / "tls" / "cert.pem")) if https else None
    r = subprocess.run(["node", str(SDK_DIR / "sdk_call.js"), json.dumps(spec)], capture_output=True,
                       text=True, timeout=60, env=env)
    assert r.returncode == 0 and r.stdout.strip(), r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def now_stamp(offset_seconds=0):
    t = datetime.now(timezone.utc).timestamp() + offset_seconds
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical_query(query):
    """ACS3 canonical query string: keys and values RFC 3986-encoded (unreserved kept, %XX upper
    case), sorted by encoded key, k=v joined with &."""
    enc = lambda s: urllib.parse.quote(str(s), safe="-_.~")  # noqa: E731
    return "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in query.items()))


def signed_request(srv, key_id, secret, action, params, *, date=None, nonce=None, version="2015-11-23",
                   signed_headers=None, query=None, host=None):
    """An ACS3-HMAC-SHA256 signed RPC POST: returns (headers, body) ready to send. `query` is
    signed as its canonical form; `host` is the signed Host (default the public listener)."""
    body = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    host = host or f"127.0.0.1:{srv.ports['http']}"
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date or now_stamp(),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body.encode()).hexdigest(),
        "content-type": "application/x-www-form-urlencoded",
    }
    names = sorted(signed_headers or headers)
    canonical_headers = "".join(f"{k}:{headers[k].strip()}\n" for k in names)
    canonical = "\n".join(["POST", "/", canonical_query(query or {}), canonical_headers, ";".join(names), headers["x-acs-content-sha256"]])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={';'.join(names)},"
                                f"Signature={signature}")
    return headers, body


def raw_signed_request(srv, key_id, secret, action, params, **kw):
    """The bytes of a signed request as one HTTP/1.1 message, for tests that drive the socket."""
    headers, body = signed_request(srv, key_id, secret, action, params, **kw)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return f"POST / HTTP/1.1\r\n{head}content-length: {len(body.encode())}\r\n\r\n".encode() + body.encode()


def signed_call(srv, key_id, secret, action, params, *, tamper_body=None, raw_query=None, **kw):
    """POSTs an ACS3-HMAC-SHA256 signed RPC request; returns (status, json body). The target's
    query is `raw_query` as given, else the signed `query` encoded."""
    headers, body = signed_request(srv, key_id, secret, action, params, **kw)
    if raw_query is None and kw.get("query"):
        raw_query = urllib.parse.urlencode(kw["query"], quote_via=urllib.parse.quote)
    target = "/" + ("?" + raw_query if raw_query else "")
    conn = http.client.HTTPConnection("127.0.0.1", srv.ports["http"], timeout=30)
    try:
        send_body = tamper_body if tamper_body is not None else body
        sent = {k: v for k, v in headers.items() if k != "host" or kw.get("host")}
        conn.request("POST", target, body=send_body.encode(), headers=sent)
        res = conn.getresponse()
        return res.status, json.loads(res.read() or b"{}")
    finally:
        conn.close()


def rpc_call(srv, key_id, secret, params, *, headers=None, method="POST", nonce=None, date=None):
    """An RPC HMAC-SHA1 signed request (the SDK's v2 style), written from its description."""
    import base64
    full = {"Format": "json", "Version": "2015-11-23", "Timestamp": date or now_stamp(),
            "SignatureNonce": nonce or uuid.uuid4().hex, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
            "AccessKeyId": key_id, **params}
    enc = lambda s: urllib.parse.quote(str(s), safe="~")  # noqa: E731  RFC 3986 unreserved only
    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(full.items()))
    to_sign = f"{method}&{enc('/')}&{enc(canonical)}"
    full["Signature"] = base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(),
                                                  hashlib.sha1).digest()).decode()
    body = urllib.parse.urlencode(full, quote_via=urllib.parse.quote)
    conn = http.client.HTTPConnection("127.0.0.1", srv.ports["http"], timeout=30)
    try:
        conn.request(method, "/" if method == "POST" else "/?" + body, body=body.encode() if method == "POST" else None,
                     headers={"content-type": "application/x-www-form-urlencoded", **(headers or {})})
        res = conn.getresponse()
        return res.status, json.loads(res.read() or b"{}")
    finally:
        conn.close()
