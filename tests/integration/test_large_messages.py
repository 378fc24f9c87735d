"""Large messages: written on to the spool's file as they arrive, never whole in memory, and the
budget of message bytes in memory ([spool] max_inflight_bytes, docs/queue-format.md)."""
import socket

from harness import PASSWORD, SENDER, RawClient, envid_of, queue_path, read_queue, wait_for
from sink import Sink


def large_body(mib):
    """Lines of every kind the DATA reader treats specially: leading dots, long lines, 8-bit."""
    lines, size, i = [], 0, 0
    while size < mib << 20:
        line = [f"line {i} " + "x" * 60, "." + "dot-led line", "..", "caf\u00e9 " * 30][i % 4]
        lines.append(line)
        size += len(line.encode()) + 2
        i += 1
    return "\r\n".join(lines) + "\r\n"


def message(subject, body):
    return f"From: {SENDER}\r\nTo: a@dest.test\r\nSubject: {subject}\r\n\r\n{body}".encode()


def send(srv, data, rcpt="a@dest.test"):
    with srv.smtp("plain") as s:
        s.login(SENDER, PASSWORD)
        s.mail(SENDER, ["BODY=8BITMIME"])
        s.rcpt(rcpt)
        code, text = s.data(data)
    return code, text


def budget_given_back(srv):
    """The 250 is sent before the session gives its share back: a moment later it is 0."""
    wait_for(lambda: srv.metric("mailpush_inflight_bytes") == 0, 10, "the budget given back")


def spool_tmp(srv):
    return sorted(p.name for p in (srv.data / "spool" / "tmp").iterdir())


def test_a_large_message_is_spooled_from_its_file_and_delivered_unchanged(make_server):
    sink = Sink()
    try:
        srv = make_server(routes=(("sink.test", f"smtp://127.0.0.1:{sink.port}"), ("*", "hold")),
                          spool='max_inflight_bytes = "2M"').start().provision()
        data = message("large", large_body(3))
        code, text = send(srv, data)
        assert code == 250, text
        envid = envid_of(text)
        raw = queue_path(srv.data, envid).read_bytes()
        first_line = raw.split(b"\n", 1)[0].split(b" ")
        assert len(first_line[1]) == 20  # the header written into the room kept in front of the body
        header, body = read_queue(srv.data)[envid]
        assert header["recipients"][0]["address"] == "a@dest.test"
        assert body.startswith(b"Received: from ") and body.endswith(data)
        assert b"\r\nMessage-ID: <" in body[:1024]  # the trace fields, decided from the header section
        assert spool_tmp(srv) == []  # the file itself was renamed into the queue
        budget_given_back(srv)

        # Delivered from the spool, byte for byte after the trace fields.
        code, text = send(srv, data, rcpt="b@sink.test")
        assert code == 250, text
        got = sink.handler.wait_for(1)
        assert len(got) == 1 and got[0][2].endswith(data)
    finally:
        sink.stop()


def test_dot_stuffing_across_chunks_is_undone(make_server):
    srv = make_server().start().provision()
    body = large_body(1)
    c = RawClient(srv.ports["plain"])
    assert c.login().startswith("235")
    assert c.cmd(f"MAIL FROM:<{SENDER}>").startswith("250")
    assert c.cmd("RCPT TO:<a@dest.test>").startswith("250")
    assert c.cmd("DATA").startswith("354")
    wire = message("stuffed", body).replace(b"\r\n.", b"\r\n..")
    for i in range(0, len(wire), 7001):  # odd pieces: a dot or a CRLF split across reads
        c.send(wire[i:i + 7001])
    reply = c.cmd(".")
    assert reply.startswith("250"), reply
    _, stored = read_queue(srv.data)[envid_of(reply)]
    assert stored.endswith(message("stuffed", body))
    c.close()


def test_new_data_waits_for_room_in_the_budget(make_server):
    srv = make_server(spool='max_inflight_bytes = "1M"').start().provision()
    part = b"Subject: held\r\n\r\n" + b"y" * 78 + b"\r\n"
    held = []
    for _ in range(4):  # four messages of 200 KiB, each under the size written to a file: in memory
        c = RawClient(srv.ports["plain"])
        assert c.login().startswith("235")
        assert c.cmd(f"MAIL FROM:<{SENDER}>").startswith("250")
        assert c.cmd("RCPT TO:<a@dest.test>").startswith("250")
        assert c.cmd("DATA").startswith("354")
        c.send(part + (b"z" * 98 + b"\r\n") * 2000)
        held.append(c)
    wait_for(lambda: srv.metric("mailpush_inflight_bytes") == 1 << 20, 10, "four sessions' bytes counted")

    late = RawClient(srv.ports["plain"])
    assert late.login().startswith("235")
    assert late.cmd(f"MAIL FROM:<{SENDER}>").startswith("250")
    assert late.cmd("RCPT TO:<a@dest.test>").startswith("250")
    assert late.cmd("DATA") == "452 4.3.1 Too much mail in progress, try again later"

    for c in held:
        assert c.cmd(".").startswith("250")
        c.close()
    budget_given_back(srv)
    assert late.cmd("DATA").startswith("354")  # the same transaction, once there is room
    late.send(part)
    assert late.cmd(".").startswith("250")
    late.close()
    assert len(read_queue(srv.data)) == 5


def test_a_large_message_that_cannot_be_written_gets_451_and_leaves_nothing(make_server):
    srv = make_server(spool='fault_injection = "write"').start().provision()
    code, text = send(srv, message("large", large_body(1)))
    assert code == 451, text
    budget_given_back(srv)
    assert read_queue(srv.data) == {} and spool_tmp(srv) == []


def test_an_api_request_past_the_budget_is_refused_with_503(make_server):
    srv = make_server(spool='max_inflight_bytes = "1M"').start().provision()
    # Refused from its header, before one byte of the body is read (the body is never sent).
    with socket.create_connection(("127.0.0.1", srv.ports["http"]), timeout=10) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: 614400\r\n\r\n")  # twice 600 KiB is more than the budget
        reply = b""
        while b"}}" not in reply:
            chunk = s.recv(4096)
            assert chunk, reply
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 503") and b"too many message bytes in progress" in reply
    assert srv.metric("mailpush_http_inflight_refusals_total") == 1
    budget_given_back(srv)


def test_a_pipelined_message_after_a_refused_large_one_is_stored_alone(make_server):
    srv = make_server().start().provision()
    c = RawClient(srv.ports["plain"])
    assert c.login().startswith("235")
    forged = f"From: someone@elsewhere.test\r\nSubject: forged\r\n\r\n{large_body(1)}".encode()
    second = message("second", "short second body\r\n" * 20000)  # ~400 KiB: written to a file too
    stuffed = lambda m: m.replace(b"\r\n.", b"\r\n..")  # noqa: E731
    # The first message is refused at its end (its From: is not the sender's); the client has
    # already sent the next transaction behind it, in the same packets.
    c.send(f"MAIL FROM:<{SENDER}>\r\nRCPT TO:<a@dest.test>\r\nDATA\r\n".encode() + stuffed(forged) +
           f".\r\nMAIL FROM:<{SENDER}>\r\nRCPT TO:<b@dest.test>\r\nDATA\r\n".encode() + stuffed(second) + b".\r\n")
    replies = [c.reply()[-1] for _ in range(8)]
    assert [r[:3] for r in replies] == ["250", "250", "354", "550", "250", "250", "354", "250"], replies
    queued = read_queue(srv.data)
    assert list(queued) == [envid_of(replies[-1])]
    _, body = queued[envid_of(replies[-1])]
    assert body.endswith(second) and b"forged" not in body
    c.close()
    wait_for(lambda: spool_tmp(srv) == [], 10, "the refused message's file removed")


def test_an_inbound_message_larger_than_half_the_budget_is_refused_for_good(make_server):
    srv = make_server(spool='max_inflight_bytes = "1M"').start().provision()
    c = RawClient(srv.ports["smtp"])
    c.reply()
    c.cmd("EHLO mx.remote.test")
    assert c.cmd("MAIL FROM:<>") == "250 Mail Ok"
    assert c.cmd(f"RCPT TO:<{SENDER}>") == "250 Rcpt Ok"
    assert c.cmd("DATA").startswith("354")
    c.send(b"Subject: a large report\r\n\r\n" + (b"r" * 98 + b"\r\n") * 6000)  # 600 KiB: past half of 1 MiB
    # Unauthenticated mail may hold half the budget at most: a 452 would be retried forever.
    assert c.cmd(".") == "552 5.3.4 Message size exceeds fixed maximum message size"
    budget_given_back(srv)
    c.close()
