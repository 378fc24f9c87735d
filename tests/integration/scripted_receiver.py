"""A scripted receiving SMTP server on loopback (plain sockets, a thread per connection) that
records what shaping tests look at: when each RCPT arrived, how many sessions were open at once,
how many messages each connection carried. `script(address, n)` returns the RCPT reply for the
n-th RCPT (0-based) of that address, or None for 250; `greeting(n)` the greeting of the n-th
connection (None: 220; a 421 closes it). No PIPELINING, no STARTTLS.
"""
import socket
import socketserver
import threading
import time


class ScriptedReceiver:
    def __init__(self, script=None, data_delay=0.0, greeting=None):
        self.script = script or (lambda address, n: None)
        self.greeting = greeting or (lambda n: None)
        self.greeting_times = []  # monotonic time of each connection
        self.data_delay = data_delay
        self.lock = threading.Lock()
        self.rcpt_times = {}      # address -> [monotonic time of each RCPT]
        self.delivered = []       # (monotonic time, [rcpts], subject)
        self.open_sessions = 0
        self.max_sessions = 0
        self.sessions = 0  # connections accepted
        self.open_transactions = 0  # between MAIL and the reply to the final dot (or RSET/close)
        self.max_transactions = 0
        self.per_connection = []  # messages carried, one entry per closed connection
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                receiver._session(self.rfile, self.wfile)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 256

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def attempts(self, address):
        with self.lock:
            return list(self.rcpt_times.get(address.lower(), []))

    def delivered_rcpts(self):
        with self.lock:
            return [r for _, rcpts, _ in self.delivered for r in rcpts]

    def _session(self, rfile, wfile):
        with self.lock:
            self.open_sessions += 1
            self.sessions += 1
            connection = len(self.greeting_times)
            self.greeting_times.append(time.monotonic())
            self.max_sessions = max(self.max_sessions, self.open_sessions)
        messages = 0
        in_tx = False

        def end_tx():
            nonlocal in_tx
            if in_tx:
                with self.lock:
                    self.open_transactions -= 1
                in_tx = False

        try:
            greeting = self.greeting(connection)
            if greeting is not None:
                wfile.write(greeting.encode() + b"\r\n")
                return
            wfile.write(b"220 scripted.test ESMTP\r\n")
            rcpts = []
            while True:
                line = rfile.readline(4096)
                if not line:
                    return
                cmd = line.decode("latin-1").strip()
                verb = cmd[:4].upper()
                if verb in ("EHLO", "HELO"):
                    wfile.write(b"250 scripted.test\r\n")
                elif verb == "MAIL":
                    rcpts = []
                    end_tx()
                    with self.lock:
                        self.open_transactions += 1
                        self.max_transactions = max(self.max_transactions, self.open_transactions)
                    in_tx = True
                    wfile.write(b"250 OK\r\n")
                elif verb == "RCPT":
                    address = cmd[cmd.find("<") + 1:cmd.rfind(">")].lower()
                    with self.lock:
                        times = self.rcpt_times.setdefault(address, [])
                        n = len(times)
                        times.append(time.monotonic())
                    reply = self.script(address, n)
                    if reply is None:
                        rcpts.append(address)
                        wfile.write(b"250 OK\r\n")
                    else:
                        wfile.write(reply.encode() + b"\r\n")
                        if reply.startswith("421"):
                            return
                elif verb == "DATA":
                    if not rcpts:
                        wfile.write(b"554 no valid recipients\r\n")
                        continue
                    wfile.write(b"354 go ahead\r\n")
                    subject = ""
                    while True:
                        body_line = rfile.readline(65536)
                        if not body_line or body_line == b".\r\n":
                            break
                        if body_line.lower().startswith(b"subject:") and not subject:
                            subject = body_line[8:].decode("latin-1").strip()
                    if self.data_delay:
                        time.sleep(self.data_delay)
                    with self.lock:
                        self.delivered.append((time.monotonic(), list(rcpts), subject))
                    messages += 1
                    end_tx()
                    wfile.write(b"250 2.0.0 queued\r\n")
                elif verb == "RSET":
                    rcpts = []
                    end_tx()
                    wfile.write(b"250 OK\r\n")
                elif verb == "QUIT":
                    wfile.write(b"221 bye\r\n")
                    return
                else:
                    wfile.write(b"502 not implemented\r\n")
        except (ConnectionError, socket.timeout, OSError):
            return
        finally:
            end_tx()
            with self.lock:
                self.open_sessions -= 1
                self.per_connection.append(messages)
