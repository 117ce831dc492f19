"""Send a round of messages, one per open SMTP connection, in two phases, so a
crash can never leave a delivery both unrecorded and delivered.

RFC 5321 §4.1.1.4: the server takes responsibility for a message only when it
has received the final "<CRLF>.<CRLF>". A round sends every message's envelope
and body, then records all of them as sent in one database write (the `commit`
callback), then sends the final dots. A process killed before the commit
leaves every server of the round without its dot, so each discards its message
and a restart sends them again; killed after the commit, the deliveries are
recorded and not sent again. The only loss window is between the commit and the
writes of three bytes per connection to the kernel's socket buffers (and a link
lost after its dot): at-most-once there, by choice, because a newsletter
received twice is worse than a rare lost one.

The connections are driven side by side from one thread: each step writes to
all of them, then reads all their replies, so a round costs the round trips of
one message. With PIPELINING (RFC 2920) MAIL, RCPT and DATA go in one write."""

import smtplib
from dataclasses import dataclass

DOT = b".\r\n"


@dataclass
class Reply:
    code: int
    text: str
    committed: bool
    stage: str = "dot"

    @property
    def accepted(self):
        return 200 <= self.code < 300

    @property
    def permanent(self):
        return 500 <= self.code < 600

    @property
    def about_recipient(self):
        """Whether a refusal concerns the address (RCPT, or the message itself),
        not the sender or the session."""
        return self.stage in ("rcpt", "dot")


@dataclass
class Outgoing:
    """One message to one recipient over one connection, and what became of it."""

    key: object  # the caller's handle (a Delivery)
    link: smtplib.SMTP
    sender: str
    recipient: str
    data: bytes  # DATA form: CRLF lines, dot-stuffed, ending in CRLF, no final dot
    reply: Reply | None = None
    committed: bool = False
    fenced: bool = False  # its "sent" mark failed: another sender holds it
    error: str = ""  # the link failed before a reply was read
    broken: bool = False  # the link is unusable now; the caller drops it

    def fail(self, error):
        self.error = self.error or str(error) or type(error).__name__
        self.broken = True


STAGES = (("mail", 250), ("rcpt", 250), ("data", 354))


def _envelope(message):
    return [
        f"MAIL FROM:<{message.sender}>\r\n".encode("ascii"),
        f"RCPT TO:<{message.recipient}>\r\n".encode("ascii"),
        b"DATA\r\n",
    ]


def _write(message, data):
    try:
        message.link.send(data)
    except (smtplib.SMTPException, OSError) as error:
        message.fail(error)
        return False
    return True


def _read(message):
    if message.error:  # smtplib has closed the socket
        return None
    try:
        code, text = message.link.getreply()
    except (smtplib.SMTPException, OSError) as error:
        message.fail(error)
        return None
    if code == 421:  # the server is closing the session
        message.broken = True
    return code, text


def _reply(code, text, committed=False, stage="dot"):
    return Reply(code, text.decode("utf-8", "replace")[:400], committed, stage)


def _refused(message, stage, code, text, data_open=False):
    """Record a refusal in the envelope and reset the session for the next one."""
    message.reply = _reply(code, text, stage=stage)
    if message.broken:
        return
    if data_open:
        # A server that said 354 after a refused RCPT: end the empty message.
        if not _write(message, DOT) or _read(message) is None:
            return
    if _write(message, b"RSET\r\n"):
        _read(message)


def _steps(message):
    """Return the envelope as steps of ((stage, wanted code), command) pairs: one
    step with PIPELINING, else one per command."""
    pairs = list(zip(STAGES, _envelope(message), strict=True))
    if message.link.has_extn("pipelining"):
        return [pairs]
    return [[pair] for pair in pairs]


def _check(message, step, replies):
    """Return True when every reply of `step` is the one wanted."""
    for ((stage, wanted), _), (code, text) in zip(step, replies, strict=True):
        if code != wanted and not (stage == "rcpt" and code == 251):
            data_open = step[-1][0][0] == "data" and replies[-1][0] == 354
            _refused(message, stage, code, text, data_open)
            return False
    return True


def send_envelopes(messages):
    """Send MAIL, RCPT and DATA on every connection, writing to all before
    reading from any; return the messages that reached 354 (ready for a body)."""
    plans = [(message, _steps(message)) for message in messages]
    for index in range(3):
        current = [(m, steps[index]) for m, steps in plans if index < len(steps)]
        if not current:
            break
        written = [
            (m, step) for m, step in current if _write(m, b"".join(c for _, c in step))
        ]
        passed = set()
        for message, step in written:
            replies = []
            while len(replies) < len(step) and not message.error:
                replies.append(_read(message))
            if not message.error and _check(message, step, replies):
                passed.add(id(message))
        plans = [
            (m, steps) for m, steps in plans if id(m) in passed or index >= len(steps)
        ]
    return [m for m, _ in plans]


def _abandon(message):
    """Close the link of a message whose body is out but which must not be
    delivered: without its final dot the server discards it. The socket is
    closed outright, as QUIT would only be read as more body."""
    message.fenced = message.broken = True
    message.error = "claim lost before the final dot"
    message.link.close()


def transmit(messages, commit):
    """Send each message over its own connection; call `commit(messages)` once
    with those whose body went out, before any final dot; it returns those it
    recorded. Only those get their final dot: any other is left without
    one and its link marked broken, so the caller drops the connection and
    the server discards the message. Each message's reply, committed, fenced,
    error and broken tell what happened."""
    ready = [m for m in send_envelopes(messages) if _write(m, m.data)]
    if not ready:
        return
    recorded = {id(m) for m in commit(ready)}
    for message in ready:
        message.committed = id(message) in recorded
        if not message.committed:
            _abandon(message)
    sent = [m for m in ready if m.committed and _write(m, DOT)]
    for message in sent:
        reply = _read(message)
        if reply is not None:
            message.reply = _reply(*reply, committed=True)
