"""Signed tokens in newsletter links: confirmation and management, both expiring.

A management token (preferences, export, delete, unsubscribe) is
`pk-token_key.timestamp.signature`: it expires NEWSLETTER_MANAGE_DAYS after it
was minted, and rotating the subscriber's token_key (done when one is used to
unsubscribe; deleting removes the key) revokes every one already sent."""

import base64
import hashlib
import hmac
import time
from functools import lru_cache

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "briefings.newsletter.confirm"
MANAGE_SALT = "briefings.newsletter.manage"


class TokenError(Exception):
    """A token that is forged, expired or revoked."""


def confirm_token(subscriber):
    """Return a token that confirms `subscriber` within NEWSLETTER_CONFIRM_DAYS."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT, sep=".")
    return signer.sign(f"{subscriber.pk}-{subscriber.token_key}")


def read_confirm_token(token):
    """Return (pk, key) from a confirmation token; raise TokenError if expired."""
    signer = signing.TimestampSigner(salt=CONFIRM_SALT, sep=".")
    max_age = settings.NEWSLETTER_CONFIRM_DAYS * 86400
    try:
        value = signer.unsign(token[:200], max_age=max_age)
    except signing.SignatureExpired as error:
        raise TokenError("expired") from error
    except signing.BadSignature as error:
        raise TokenError("invalid") from error
    return _split(value)


@lru_cache(maxsize=4)
def _manage_key(secret):
    # Django's Signer derives its HMAC key the same way (salted_hmac), on every
    # call; deriving it once leaves one HMAC per token for a send of 100,000.
    return hashlib.sha256(f"{MANAGE_SALT}signer{secret}".encode()).digest()


def manage_token(subscriber, now=None):
    """Return the token of `subscriber`'s management links, minted at `now` (a
    Unix time; default the current one): the same string as
    `TimestampSigner(salt=MANAGE_SALT, sep=".").sign(...)`, which reads it."""
    stamp = signing.b62_encode(int(time.time() if now is None else now))
    value = f"{subscriber.pk}-{subscriber.token_key}.{stamp}"
    digest = hmac.digest(_manage_key(settings.SECRET_KEY), value.encode(), "sha256")
    return f"{value}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def read_manage_token(token):
    """Return (pk, key) from a management token; raise TokenError when it is
    forged or older than NEWSLETTER_MANAGE_DAYS."""
    signer = signing.TimestampSigner(salt=MANAGE_SALT, sep=".")
    max_age = settings.NEWSLETTER_MANAGE_DAYS * 86400
    try:
        value = signer.unsign(token[:200], max_age=max_age)
    except signing.SignatureExpired as error:
        raise TokenError("expired") from error
    except signing.BadSignature as error:
        raise TokenError("invalid") from error
    except ValueError as error:
        # Signed but without a timestamp: a link sent before links expired.
        raise TokenError("expired") from error
    return _split(value)


def _split(value):
    pk, _, key = value.partition("-")
    if not pk.isdigit() or not key:
        raise TokenError("invalid")
    return int(pk), key
