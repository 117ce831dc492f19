"""Build one subscriber's copy of an edition, with RFC 8058 unsubscribe headers."""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from briefings.newsletter.render import absolute
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


def dkim_sign(data):
    """Return `data` (message bytes) with a DKIM-Signature header prepended, when
    NEWSLETTER_DKIM_KEY_FILE is set."""
    if not settings.NEWSLETTER_DKIM_KEY_FILE:
        return data
    import dkim

    with open(settings.NEWSLETTER_DKIM_KEY_FILE, "rb") as file:
        key = file.read()
    signature = dkim.sign(
        data,
        settings.NEWSLETTER_DKIM_SELECTOR.encode(),
        sender_domain().encode(),
        key,
        include_headers=DKIM_HEADERS,
    )
    return signature + data
