"""A scripted receiving SMTP server (python3-aiosmtpd) on loopback, run in a thread.

The recipient's local part chooses the behaviour:
  accept*          250
  tempfail-once*   451 4.3.0 on the first RCPT for that address, then 250
  greylist*        451 4.7.1 Greylisting in action, first time only
  perm*            550 5.7.1 rejected by policy
  unknown*         550 5.1.1 <addr>: user unknown
  drop*            accepted at RCPT, then the connection is closed during DATA
"""
import asyncio
import threading
import time

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self):
        self.messages = []  # (mail_from, [rcpts], bytes)
        self.seen = {}
        self.lock = threading.Lock()
        self.data_delay = 0.0
        self.ehlo_count = 0  # one per connection without STARTTLS, two with it
        self.tls_messages = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.ehlo_count += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        with self.lock:
            n = self.seen.get(address.lower(), 0)
            self.seen[address.lower()] = n + 1
        if local.startswith("tempfail-once") and n == 0:
            return "451 4.3.0 temporary failure, try again later"
        if local.startswith("greylist") and n == 0:
            return "451 4.7.1 Greylisting in action"
        if local.startswith("perm"):
            return "550 5.7.1 rejected by policy"
        if local.startswith("unknown"):
            return f"550 5.1.1 <{address}>: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.split("@")[0].lower().startswith("drop") for r in envelope.rcpt_tos):
            server.transport.close()
            return "421 closing"  # never reaches the client
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            if session.ssl:
                self.tls_messages += 1
        return "250 2.0.0 Send Mail OK"

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)


class Sink:
    def __init__(self, host="127.0.0.1", port=0, tls_context=None):
        self.handler = Handler()
        # With a TLS context the sink offers STARTTLS (not required).
        self.controller = Controller(self.handler, hostname=host, port=port or free_port(host),
                                     tls_context=tls_context)
        self.controller.start()
        self.port = self.controller.port

    def stop(self):
        self.controller.stop()


def free_port(host="127.0.0.1"):
    import socket
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
