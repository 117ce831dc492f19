"""Build one subscriber's copy of an edition, with RFC 8058 unsubscribe headers.

Two ways to the same message: `build_message` (a Django EmailMultiAlternatives,
for non-SMTP backends) and `Prepared`, which MIME-encodes a variant once and
splices each subscriber's headers and token into the encoded bytes (the SMTP
fast path: no email package work per message). Either way the token goes only
between the pieces render.py cut at the footer's own link slots."""

import re
import time
import uuid
from email import quoprimime
from email.header import Header
from email.utils import formatdate, parseaddr
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.urls import reverse

from briefings.newsletter.render import SAFE_TOKEN, absolute
from briefings.newsletter.tokens import manage_token

DKIM_HEADERS = [
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
    b"List-Id",
]


def sender_domain():
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def unsubscribe_headers(token):
    """Return List-Unsubscribe (https and mailto) and the one-click header."""
    https = absolute(reverse("newsletter:unsubscribe", args=[token]))
    mailto = f"mailto:unsubscribe@{sender_domain()}?subject=unsubscribe%20{token}"
    return {
        "List-Unsubscribe": f"<{https}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def build_message(rendered, edition, subscriber, connection=None):
    """Return the EmailMultiAlternatives of `edition` for `subscriber`."""
    token = manage_token(subscriber)
    html, text = rendered.for_token(token)
    headers = {
        "Message-ID": (
            f"<edition-{edition.date:%Y%m%d}.{subscriber.pk}@{sender_domain()}>"
        ),
        "List-Id": f"Eastern Briefings <newsletter.{sender_domain()}>",
        "Auto-Submitted": "auto-generated",
        **unsubscribe_headers(token),
    }
    message = EmailMultiAlternatives(
        rendered.subject,
        text,
        to=[subscriber.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


@lru_cache(maxsize=2)
def _dkim_key(path):
    with open(path, "rb") as file:
        return file.read()


def dkim_sign(data):
    """Return `data` (message bytes) with a DKIM-Signature header prepended, when
    NEWSLETTER_DKIM_KEY_FILE is set."""
    if not settings.NEWSLETTER_DKIM_KEY_FILE:
        return data
    import dkim

    key = _dkim_key(settings.NEWSLETTER_DKIM_KEY_FILE)
    signature = dkim.sign(
        data,
        settings.NEWSLETTER_DKIM_SELECTOR.encode(),
        sender_domain().encode(),
        key,
        include_headers=DKIM_HEADERS,
    )
    return signature + data


# ── the SMTP fast path ──
CRLF = b"\r\n"
SOFT_BREAK = b"=\r\n"  # quoted-printable: a line break that decodes to nothing
TOKEN_LINE = 70
# An address spliced into To: and RCPT TO: printable ASCII, no space, no angle
# brackets, no CR/LF. Signup stores nothing else; this guards older rows.
SAFE_ADDRESS = re.compile(r"[!-;=?-~]{1,254}\Z")
_LEADING_DOT = re.compile(rb"(?m)^\.")
_LINE_ENDS = re.compile(rb"\r\n|\r|\n")


def dot_stuff(data):
    """Return message bytes in SMTP DATA form: CRLF lines, leading dots doubled,
    ending with CRLF (RFC 5321 §4.5.2)."""
    body = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(CRLF, data))
    return body if body.endswith(CRLF) else body + CRLF


def _qp(text):
    """Quoted-printable of `text` (UTF-8), CRLF lines of at most 76 characters."""
    if not text:
        return b""
    latin = text.encode("utf-8").decode("latin-1")
    return quoprimime.body_encode(latin, maxlinelen=76, eol="\r\n").encode("ascii")


def _encoded_segments(pieces):
    """Return the `pieces` a token goes between, each quoted-printable and ending
    in a soft line break, so a token can go between them on its own line."""
    return [_qp(piece) + SOFT_BREAK for piece in pieces]


def _header(name, value):
    encoded = Header(value, "utf-8" if not value.isascii() else "us-ascii", 998)
    return f"{name}: {encoded.encode(linesep=chr(13) + chr(10))}\r\n".encode("ascii")


class Prepared:
    """One variant of an edition, MIME-encoded once.

    Each part is quoted-printable, in the pieces render.py cut at the footer's
    token slots, each ending with a soft line break; a subscriber's copy is its
    headers, then the pieces with the token between them (each token on its own
    short line, so line lengths and the decoded text are exactly those of the
    Django-built message).
    The pieces are kept twice: as is (for DKIM, which signs the message as
    written) and dot-stuffed (what goes on the wire)."""

    def __init__(self, rendered, edition):
        self.rendered = rendered
        self.items = rendered.items
        domain = sender_domain()
        self.domain = domain
        self.message_id = f"edition-{edition.date:%Y%m%d}"
        boundary = (
            f"=_eb{uuid.uuid4().hex[:24]}"  # "=_" never occurs in quoted-printable
        )
        self.head = b"".join(
            [
                _header("From", sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")),
                _header("Subject", rendered.subject),
                f"List-Id: Eastern Briefings <newsletter.{domain}>\r\n".encode(),
                b"Auto-Submitted: auto-generated\r\n",
                b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
                b"MIME-Version: 1.0\r\n",
                b"Content-Type: multipart/alternative; "
                + f'boundary="{boundary}"\r\n'.encode(),
            ]
        )
        self.https = absolute(reverse("newsletter:unsubscribe", args=["TOKEN"]))
        self.https = self.https.partition("TOKEN")
        self.mailto = f"mailto:unsubscribe@{domain}?subject=unsubscribe%20"
        part = '--{b}\r\nContent-Type: text/{kind}; charset="utf-8"\r\n'
        part += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        self.parts = []
        for kind, pieces in (
            ("plain", rendered.text_pieces),
            ("html", rendered.html_pieces),
        ):
            opening = CRLF + part.format(b=boundary, kind=kind).encode()
            self.parts.append((opening, _encoded_segments(pieces)))
        self.closing = CRLF + f"--{boundary}--\r\n".encode()
        self.stuffed = [
            (opening, [_LEADING_DOT.sub(b"..", piece) for piece in pieces])
            for opening, pieces in self.parts
        ]
        self._date = (0, "")

    def date(self):
        now = int(time.time())
        if self._date[0] != now:
            self._date = (now, formatdate(now))
        return self._date[1]

    def headers(self, subscriber, token):
        """Return the header lines that differ per subscriber."""
        https = f"{self.https[0]}{token}{self.https[2]}"
        return (
            f"To: {subscriber.email}\r\n"
            f"Date: {self.date()}\r\n"
            f"Message-ID: <{self.message_id}.{subscriber.pk}@{self.domain}>\r\n"
            f"List-Unsubscribe: <{https}>,\r\n <{self.mailto}{token}>\r\n"
        ).encode("ascii")

    def copy(self, subscriber, token=None, wire=False):
        """Return `subscriber`'s copy as bytes with CRLF lines; `wire=True` gives
        it dot-stuffed, ready for SMTP DATA (without the final dot)."""
        token = token or manage_token(subscriber)
        if not SAFE_TOKEN.match(token) or not SAFE_ADDRESS.match(subscriber.email):
            raise ValueError("unsafe address or token")
        lines = [token[i : i + TOKEN_LINE] for i in range(0, len(token), TOKEN_LINE)]
        if wire:
            lines = [
                b".." + x[1:].encode() if x[0] == "." else x.encode() for x in lines
            ]
        else:
            lines = [x.encode() for x in lines]
        spliced = SOFT_BREAK.join(lines) + SOFT_BREAK
        out = [self.headers(subscriber, token), self.head]
        for opening, pieces in self.stuffed if wire else self.parts:
            out.append(opening)
            out.append(spliced.join(pieces))
        out.append(self.closing)
        return b"".join(out)

    def wire(self, subscriber, token=None):
        """Return the DATA bytes of `subscriber`'s copy, DKIM-signed if configured."""
        if settings.NEWSLETTER_DKIM_KEY_FILE:
            return dot_stuff(dkim_sign(self.copy(subscriber, token)))
        return self.copy(subscriber, token, wire=True)
