"""Signed tokens in newsletter links: confirmation (expiring) and management (per
subscriber, revoked by rotating the subscriber's token_key)."""

import base64
import hashlib
import hmac
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


def manage_token(subscriber):
    """Return the token of `subscriber`'s preferences and unsubscribe links: the
    same string as `Signer(salt=MANAGE_SALT, sep=".").sign(...)`, which reads it."""
    value = f"{subscriber.pk}-{subscriber.token_key}"
    digest = hmac.digest(_manage_key(settings.SECRET_KEY), value.encode(), "sha256")
    return f"{value}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def read_manage_token(token):
    signer = signing.Signer(salt=MANAGE_SALT, sep=".")
    try:
        return _split(signer.unsign(token[:200]))
    except signing.BadSignature as error:
        raise TokenError("invalid") from error


def _split(value):
    pk, _, key = value.partition("-")
    if not pk.isdigit() or not key:
        raise TokenError("invalid")
    return int(pk), key
