"""Send one message over an open SMTP connection in two phases, so a crash can
never leave a delivery both unrecorded and delivered.

RFC 5321 §4.1.1.4: the server takes responsibility for a message only when it
has received the final "<CRLF>.<CRLF>". We send the body, then record the
delivery as sent (the `commit` callback), then send the final dot. A process
killed before the commit leaves the server without the dot, so it discards the
message and a restart sends it again; killed after the commit, the delivery is
recorded and not sent again. The only loss window is between the commit and the
write of three bytes to the kernel's socket buffer: at-most-once there, by
choice, because a newsletter received twice is worse than a rare lost one."""

import re
import smtplib
from dataclasses import dataclass

_LEADING_DOT = re.compile(rb"(?m)^\.")
_BARE_NEWLINE = re.compile(rb"\r\n|\r|\n")


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


def _reply(code, text, committed=False, stage="dot"):
    return Reply(code, text.decode("utf-8", "replace")[:400], committed, stage)


def transmit(connection, sender, recipient, data, commit):
    """Send `data` (bytes) to `recipient`; call `commit()` just before the final
    dot. Return the server's Reply; raise smtplib/OS errors on a dropped link
    (the Reply's `committed` tells whether commit() ran)."""
    connection.ehlo_or_helo_if_needed()
    code, text = connection.mail(sender)
    if code != 250:
        connection.rset()
        return _reply(code, text, stage="mail")
    code, text = connection.rcpt(recipient)
    if code not in (250, 251):
        connection.rset()
        return _reply(code, text, stage="rcpt")
    code, text = connection.docmd("DATA")
    if code != 354:
        connection.rset()
        return _reply(code, text, stage="data")
    body = _LEADING_DOT.sub(b"..", _BARE_NEWLINE.sub(b"\r\n", data))
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    connection.send(body)
    commit()
    try:
        connection.send(b".\r\n")
        code, text = connection.getreply()
    except (smtplib.SMTPException, OSError) as error:
        raise CommittedError(str(error)) from error
    return _reply(code, text, committed=True)


class CommittedError(Exception):
    """The link dropped after the delivery was recorded as sent."""
