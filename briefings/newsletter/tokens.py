"""Signed tokens in newsletter links: confirmation (expiring) and management (per
subscriber, revoked by rotating the subscriber's token_key)."""

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


def manage_token(subscriber):
    """Return the token of `subscriber`'s preferences and unsubscribe links."""
    signer = signing.Signer(salt=MANAGE_SALT, sep=".")
    return signer.sign(f"{subscriber.pk}-{subscriber.token_key}")


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
