"""Signup with consent, double opt-in, reminders, preferences and unsubscribing."""

import hashlib
import hmac
import ipaddress
import logging
import re
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy

from email_validator import EmailNotValidError, validate_email

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from briefings.network.models import Region
from briefings.newsletter.models import Consent, QueuedSignup, Subscriber
from briefings.newsletter.tokens import (
    TokenError,
    confirm_token,
    read_confirm_token,
    read_manage_token,
)
from briefings.throttle import limits
from briefings.throttle.address import client_networks

log = logging.getLogger(__name__)

CONSENT_TEXT = (
    "By providing us with your email address, you agree to our Privacy Policy and "
    "Terms of Service."
)
MAX_EMAIL_LENGTH = 254
USER_AGENT_LENGTH = 300
HOUR, DAY = 3600, 86400
# Gmail ignores dots in the local part, and googlemail.com is the same mailbox.
GMAIL = {"gmail.com", "googlemail.com"}


class SignupError(ValueError):
    """An address or form the signup refuses, with a message for the reader."""


@dataclass
class Signup:
    """What the signup form sent, and where from (`ip`: the real client address)."""

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


def mailbox_key(email):
    """Return the mailbox a normalized address delivers to, for the per-mailbox
    limit: lowercased (the domain is already IDNA), without its +tag, and for
    Gmail without dots, so its spellings share one count. Only "+" is taken as
    the tag separator: "-" is an ordinary character at most providers."""
    local, _, domain = email.rpartition("@")
    local, domain = local.lower().partition("+")[0], domain.lower()
    if domain in GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def clean_regions(slugs):
    """Return the known region slugs among `slugs`; all of them means none chosen."""
    known = list(Region.objects.values_list("slug", flat=True))
    chosen = sorted({slug for slug in slugs if slug in known})
    return [] if set(chosen) == set(known) else chosen


def clean_frequency(value):
    values = Subscriber.Frequency.values
    return value if value in values else Subscriber.Frequency.DAILY


def rate_limited(address):
    """Count a signup from the client at `address` (see `client_address`); return
    True once the client (IPv4 address, IPv6 /64) or its network (/24, /48) is
    past its hourly limit. Counted in the shared cache, for every worker."""
    client, network = client_networks(address)
    over_client = limits.over(
        "signup-client", client, settings.NEWSLETTER_SIGNUPS_PER_HOUR, HOUR
    )
    over_network = limits.over(
        "signup-network", network, settings.NEWSLETTER_SIGNUPS_PER_NETWORK_HOUR, HOUR
    )
    return over_client or over_network


def confirmation_allowed(email):
    """Count a confirmation email to the mailbox of `email`; return False once
    that mailbox is past its daily limit, however the address was spelled."""
    limit = settings.NEWSLETTER_CONFIRMATIONS_PER_MAILBOX
    return not limits.over("confirm-mailbox", mailbox_key(email), limit, DAY)


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


def consent_fields(signup):
    """Return where a consent came from, as the Consent record keeps it."""
    return {
        "ip": consent_ip(signup.ip),
        "user_agent": signup.user_agent[:USER_AGENT_LENGTH],
        "source": signup.source[:200],
    }


def record_consent(subscriber, action, fields, given_at=None):
    versions = settings.NEWSLETTER_POLICY_VERSIONS
    return Consent.objects.create(
        subscriber=subscriber,
        action=action,
        text=CONSENT_TEXT,
        privacy_version=versions.get("privacy", ""),
        terms_version=versions.get("terms", ""),
        given_at=given_at or timezone.now(),
        **fields,
    )


def queue_signup(signup):
    """Check the signup and queue it for the sender (`outbox`); return the row.

    The request does this and nothing else: it neither reads the subscribers
    nor sends mail, so a known address and a new one cost the same (issue #11:
    the answer's time told which addresses were subscribed)."""
    return QueuedSignup.objects.create(
        email=normalize_email(signup.email),
        regions=clean_regions(signup.regions),
        frequency=clean_frequency(signup.frequency),
        **consent_fields(signup),
    )


# Signing up again while unconfirmed sends the link again (the first may be in
# spam or lost), but not sooner than this after the last one; the mailbox's
# daily cap and the client's hourly signup limits bound the rest.
RESEND_AFTER = timedelta(minutes=2)


def confirmation_due(subscriber):
    """Return True unless `subscriber` is confirmed or had a confirmation within
    RESEND_AFTER."""
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return False
    sent = subscriber.confirmation_sent_at
    return not sent or timezone.now() - sent >= RESEND_AFTER


def subscribe(queued):
    """Apply a queued signup (sign the address up, record the consent); return
    the subscriber to send a confirmation to, or None when there is none to send:
    the address is confirmed, had one within RESEND_AFTER, or its mailbox had its
    confirmations for the day (NEWSLETTER_CONFIRMATIONS_PER_MAILBOX)."""
    existing = (
        Subscriber.objects.filter(email__iexact=queued.email).order_by("pk").first()
    )
    if existing is not None and not confirmation_due(existing):
        return None
    if not confirmation_allowed(queued.email):
        log.info("signup %s: its mailbox is past its daily limit", queued.pk)
        return None
    with transaction.atomic():
        subscriber = save_pending(existing, queued)
        fields = {
            name: getattr(queued, name) for name in ("ip", "user_agent", "source")
        }
        record_consent(subscriber, Consent.Action.SIGNUP, fields, queued.received_at)
    return subscriber


def save_pending(existing, queued):
    """Return the subscriber of a queued signup, pending with its choices."""
    choices = {"regions": queued.regions, "frequency": queued.frequency}
    if existing is None:
        existing, created = Subscriber.objects.get_or_create(
            email=queued.email, defaults=choices
        )
        if created:
            return existing
    existing.status = Subscriber.Status.PENDING
    existing.regions, existing.frequency = choices["regions"], choices["frequency"]
    existing.reminded_at = None
    existing.save()
    return existing


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


def check_confirmation(token):
    """Return the pending subscriber of a confirmation `token`, changing
    nothing; raise TokenError at once when the token is forged or garbage
    ("invalid"), expired, or already used ("used"). The GET of a link shows
    this before offering the button."""
    pk, key = read_confirm_token(token)
    subscriber = Subscriber.objects.filter(pk=pk, token_key=key).first()
    if subscriber is None:
        raise TokenError("invalid")
    if subscriber.status == Subscriber.Status.CONFIRMED:
        raise TokenError("used")
    if subscriber.status != Subscriber.Status.PENDING:
        raise TokenError("invalid")
    return subscriber


def send_welcome(subscriber, manage):
    """Email a newly confirmed subscriber what to expect and where to manage it
    (`manage`: their management token). A mail server's failure is logged: the
    subscription stands either way."""
    from django.urls import reverse

    context = {
        "send_time": settings.NEWSLETTER_SEND_TIME,
        "timezone": settings.NEWSLETTER_TIMEZONE,
        "weekly": subscriber.frequency == Subscriber.Frequency.WEEKLY,
        "today_url": site_url(reverse("newsletter:today")),
        "preferences_url": site_url(reverse("newsletter:preferences", args=[manage])),
        "unsubscribe_url": site_url(reverse("newsletter:unsubscribe", args=[manage])),
    }
    message = EmailMultiAlternatives(
        "Welcome to Eastern Briefings",
        render_to_string("newsletter/email/welcome.txt", context),
        to=[subscriber.email],
    )
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as error:
        log.warning("welcome email to subscriber %s failed: %s", subscriber.pk, error)


def confirm(token, signup):
    """Confirm the subscriber of `token`; return it. Raise TokenError when the
    token is forged, expired, or its subscriber is gone or was unsubscribed."""
    subscriber = check_confirmation(token)
    pk = subscriber.pk
    updated = Subscriber.objects.filter(pk=pk, status=Subscriber.Status.PENDING).update(
        status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    if not updated:
        raise TokenError("used")
    record_consent(subscriber, Consent.Action.CONFIRM, consent_fields(signup))
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
