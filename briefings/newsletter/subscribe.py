"""Signup with consent, double opt-in, reminders, preferences and unsubscribing."""

import hashlib
import hmac
import ipaddress
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy

from email_validator import EmailNotValidError, validate_email

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from briefings.network.models import Region
from briefings.newsletter.models import Consent, Subscriber
from briefings.newsletter.tokens import (
    TokenError,
    confirm_token,
    read_confirm_token,
    read_manage_token,
)

log = logging.getLogger(__name__)

CONSENT_TEXT = (
    "By providing us with your email address, you agree to our Privacy Policy and "
    "Terms of Service."
)
MAX_EMAIL_LENGTH = 254
USER_AGENT_LENGTH = 300


class SignupError(ValueError):
    """An address or form the signup refuses, with a message for the reader."""


@dataclass
class Signup:
    """What the signup form sent, and where from."""

    email: str
    regions: list = field(default_factory=list)
    frequency: str = Subscriber.Frequency.DAILY
    ip: str = ""
    user_agent: str = ""
    source: str = ""


def normalize_email(raw):
    """Return the address in canonical form; raise SignupError when it is unusable.

    CR, LF and other control characters are refused before the validator sees
    them, so nothing that could split a header is ever stored."""
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_EMAIL_LENGTH:
        raise SignupError("Please enter a valid email address.")
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise SignupError("Please enter a valid email address.")
    try:
        result = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise SignupError("Please enter a valid email address.") from error
    return result.ascii_email or result.normalized


def clean_regions(slugs):
    """Return the known region slugs among `slugs`; all of them means none chosen."""
    known = list(Region.objects.values_list("slug", flat=True))
    chosen = sorted({slug for slug in slugs if slug in known})
    return [] if set(chosen) == set(known) else chosen


def clean_frequency(value):
    values = Subscriber.Frequency.values
    return value if value in values else Subscriber.Frequency.DAILY


def rate_limited(ip):
    """Count a signup from `ip`; return True once it exceeds the hourly limit."""
    key = "newsletter-signup:" + hashlib.sha256(ip.encode()).hexdigest()[:32]
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    return count > settings.NEWSLETTER_SIGNUPS_PER_HOUR


def consent_ip(ip):
    """Return the IP address as NEWSLETTER_CONSENT_IP says to keep it."""
    mode = settings.NEWSLETTER_CONSENT_IP
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if mode == "none":
        return ""
    if mode == "hash":
        key = settings.SECRET_KEY.encode()
        return hmac.new(key, address.packed, hashlib.sha256).hexdigest()[:32]
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def record_consent(subscriber, action, signup):
    versions = settings.NEWSLETTER_POLICY_VERSIONS
    return Consent.objects.create(
        subscriber=subscriber,
        action=action,
        text=CONSENT_TEXT,
        privacy_version=versions.get("privacy", ""),
        terms_version=versions.get("terms", ""),
        ip=consent_ip(signup.ip),
        user_agent=signup.user_agent[:USER_AGENT_LENGTH],
        source=signup.source[:200],
    )


def subscribe(signup):
    """Sign `signup.email` up and send a confirmation; return the subscriber.

    The caller answers the same way whatever happens here (new, pending, already
    confirmed), so the form cannot tell anyone which addresses are known."""
    email = normalize_email(signup.email)
    regions = clean_regions(signup.regions)
    frequency = clean_frequency(signup.frequency)
    try:
        with transaction.atomic():
            subscriber, created = Subscriber.objects.get_or_create(
                email=email, defaults={"regions": regions, "frequency": frequency}
            )
    except IntegrityError:
        subscriber, created = Subscriber.objects.get(email=email), False
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return subscriber
    if not created:
        if subscriber.confirmation_sent_at and (
            timezone.now() - subscriber.confirmation_sent_at < timedelta(hours=1)
        ):
            return subscriber  # one confirmation an hour at most per address
        subscriber.status = Subscriber.Status.PENDING
        subscriber.regions, subscriber.frequency = regions, frequency
        subscriber.reminded_at = None
        subscriber.save()
    record_consent(subscriber, Consent.Action.SIGNUP, signup)
    send_confirmation(subscriber)
    return subscriber


def site_url(path):
    return settings.BRIEFINGS_SITE_URL + path


def send_confirmation(subscriber, reminder=False):
    """Email `subscriber` the link that confirms their address."""
    from django.urls import reverse

    link = site_url(reverse("newsletter:confirm", args=[confirm_token(subscriber)]))
    context = {
        "link": link,
        "reminder": reminder,
        "days": settings.NEWSLETTER_CONFIRM_DAYS,
    }
    subject = "Please confirm your Eastern Briefings subscription"
    if reminder:
        subject = "Reminder: " + subject
    message = EmailMultiAlternatives(
        subject,
        render_to_string("newsletter/email/confirm.txt", context),
        to=[subscriber.email],
    )
    message.send()
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_sent_at=timezone.now()
    )


def confirm(token, signup):
    """Confirm the subscriber of `token`; return it. Raise TokenError when the
    token is forged, expired, or its subscriber is gone or was unsubscribed."""
    pk, key = read_confirm_token(token)
    subscriber = Subscriber.objects.filter(pk=pk, token_key=key).first()
    if subscriber is None:
        raise TokenError("invalid")
    if subscriber.status == Subscriber.Status.CONFIRMED:
        raise TokenError("used")
    if subscriber.status != Subscriber.Status.PENDING:
        raise TokenError("invalid")
    updated = Subscriber.objects.filter(pk=pk, status=Subscriber.Status.PENDING).update(
        status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    if not updated:
        raise TokenError("used")
    record_consent(subscriber, Consent.Action.CONFIRM, signup)
    subscriber.refresh_from_db()
    return subscriber


def send_reminders(now=None):
    """Remind pending subscribers once, halfway through their link's validity."""
    now = now or timezone.now()
    half = timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS / 2)
    due = Subscriber.objects.filter(
        status=Subscriber.Status.PENDING,
        reminded_at__isnull=True,
        confirmation_sent_at__lte=now - half,
        created_at__gte=now - timedelta(days=settings.NEWSLETTER_CONFIRM_DAYS),
    )
    sent = 0
    for subscriber in due.iterator():
        claimed = Subscriber.objects.filter(
            pk=subscriber.pk, reminded_at__isnull=True
        ).update(reminded_at=now)
        if claimed:
            send_confirmation(subscriber, reminder=True)
            sent += 1
    return sent


def subscriber_for(token):
    """Return the subscriber a management token belongs to, or raise TokenError."""
    pk, key = read_manage_token(token)
    subscriber = Subscriber.objects.filter(pk=pk, token_key=key).first()
    if subscriber is None:
        raise TokenError("invalid")
    return subscriber


def unsubscribe(subscriber):
    """Stop all mail to `subscriber` and revoke every management link it was sent
    (a new token_key), so the link used here, or a leaked copy, works no more.
    Return True if this call unsubscribed it; raise TokenError when its links
    were revoked since `subscriber` was read (the same link, used twice)."""
    rows = Subscriber.objects.filter(pk=subscriber.pk)
    if not rows.rotate_token_key(subscriber.token_key):
        raise TokenError("invalid")
    return bool(
        rows.exclude(status=Subscriber.Status.UNSUBSCRIBED).update(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
        )
    )


def delete(subscriber):
    """Delete `subscriber` and all stored about it (consents, deliveries cascade),
    if its links were not revoked since it was read; else raise TokenError."""
    rows = Subscriber.objects.filter(pk=subscriber.pk, token_key=subscriber.token_key)
    if not rows.delete()[0]:
        raise TokenError("invalid")


MAIL_LIMIT = 256 * 1024
_MAIL_TOKEN = re.compile(
    r"\b(\d{1,12}-[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9]{1,12}\.[A-Za-z0-9_-]{20,100})"
)


def unsubscribe_by_mail(raw):
    """Unsubscribe the sender of a mail to the List-Unsubscribe mailto address:
    the token is in its Subject ("unsubscribe TOKEN"). Return True when a
    subscriber was unsubscribed; False for anything else (no token, forged, gone).

    For an MTA alias that pipes the message in, e.g. Postfix
    `unsubscribe: "|briefings newsletter unsubscribe-mail"`."""
    message = message_from_bytes(raw[:MAIL_LIMIT], policy=policy.default)
    try:
        subject = str(message.get("Subject", ""))[:1000]
    except (ValueError, TypeError, IndexError):
        return False
    for token in _MAIL_TOKEN.findall(subject):
        try:
            return unsubscribe(subscriber_for(token))
        except TokenError:
            continue
    return False


def export(subscriber):
    """Return everything stored about `subscriber`, as JSON-ready data."""
    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "regions": subscriber.regions,
        "frequency": subscriber.frequency,
        "created_at": subscriber.created_at.isoformat(),
        "confirmed_at": _iso(subscriber.confirmed_at),
        "unsubscribed_at": _iso(subscriber.unsubscribed_at),
        "consents": [
            {
                "action": c.action,
                "text": c.text,
                "privacy_version": c.privacy_version,
                "terms_version": c.terms_version,
                "given_at": c.given_at.isoformat(),
                "ip": c.ip,
                "user_agent": c.user_agent,
                "source": c.source,
            }
            for c in subscriber.consents.all()
        ],
        "deliveries": [
            {"edition": d.edition.date.isoformat(), "status": d.status}
            for d in subscriber.deliveries.select_related("edition")
        ],
    }


def _iso(value):
    return value.isoformat() if value else None
