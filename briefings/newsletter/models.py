"""Subscribers and what they agreed to; editions, their items and deliveries."""

import secrets

from django.db import models
from django.urls import reverse
from django.utils import timezone

from briefings.articles.models import Article


def _new_token_key():
    return secrets.token_urlsafe(12)


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def rotate_token_key(self, token_key):
        """Give the rows still holding `token_key` a new one, which revokes every
        link made with the old; return how many changed (0: it had changed
        already, so the link presenting it was used or revoked)."""
        return self.filter(token_key=token_key).update(token_key=_new_token_key())


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        CONFIRMED = "confirmed"
        UNSUBSCRIBED = "unsubscribed"
        BOUNCED = "bounced"

    class Frequency(models.TextChoices):
        DAILY = "daily"
        WEEKLY = "weekly"

    email = models.EmailField(max_length=254, unique=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING
    )
    regions = models.JSONField(
        default=list, blank=True, help_text="region slugs; empty means all regions"
    )
    frequency = models.CharField(
        max_length=8, choices=Frequency.choices, default=Frequency.DAILY
    )
    token_key = models.CharField(
        max_length=32,
        default=_new_token_key,
        help_text="per-subscriber secret in every link; rotating it revokes them",
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.CharField(max_length=500, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "frequency"])]

    def __str__(self):
        return self.email


class Consent(models.Model):
    """What a subscriber agreed to, when and from where (GDPR art. 7(1))."""

    class Action(models.TextChoices):
        SIGNUP = "signup"
        CONFIRM = "confirm"
        PREFERENCES = "preferences"
        UNSUBSCRIBE = "unsubscribe"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="consents"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    text = models.TextField(help_text="the sentence shown beside the form")
    privacy_version = models.CharField(max_length=32)
    terms_version = models.CharField(max_length=32)
    given_at = models.DateTimeField(default=timezone.now)
    ip = models.CharField(
        max_length=64, blank=True, help_text="truncated or hashed, per setting"
    )
    user_agent = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="page path")

    class Meta:
        ordering = ["given_at", "id"]

    def __str__(self):
        return (
            f"{self.action} by {self.subscriber_id} at {self.given_at:%Y-%m-%d %H:%M}"
        )


class QueuedSignup(models.Model):
    """A signup the form took, for the sender to apply and confirm by email.

    The request stores this row and nothing else, known address or new, so its
    answer takes the same time either way (issue #11); the row is deleted once
    handled. Its IP is already truncated or hashed as the consent will keep it."""

    email = models.EmailField(max_length=254)
    regions = models.JSONField(default=list, blank=True)
    frequency = models.CharField(
        max_length=8,
        choices=Subscriber.Frequency.choices,
        default=Subscriber.Frequency.DAILY,
    )
    ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    subscriber = models.ForeignKey(
        Subscriber,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="set once applied: only the email is left to send",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self):
        return f"signup {self.pk} received {self.received_at:%Y-%m-%d %H:%M}"


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        APPROVED = "approved"
        SENDING = "sending"
        PAUSED = "paused"
        SENT = "sent"
        SKIPPED = "skipped"
        # On the site, not mailed: drafted too late for an email (more than
        # 6 hours past its send time) so that the day still has its edition.
        PUBLISHED = "published"

    date = models.DateField(unique=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    intro = models.TextField(blank=True, help_text="plain text, shown above the items")
    skip_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_after = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Send no earlier than this (the desk's time zone). Empty: at the "
        "day's send time, or as soon as an editor approves it after that.",
    )
    sender = models.CharField(
        max_length=100, blank=True, help_text="host:pid of the worker sending it"
    )
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=500, blank=True)
    revision = models.PositiveIntegerField(
        default=0,
        help_text="bumped by every draft and editor's save; a redraft writes only "
        "over the revision it read (conditional update)",
    )
    drafted_at = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(
        default=0, help_text="articles in the edition's 24 hours when drafted"
    )
    edited_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="an editor's last change; redrafting refuses to replace it",
    )

    class Meta:
        ordering = ["-date"]

    def __str__(self):
        return f"Edition of {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("newsletter:edition", args=[self.date.isoformat()])


class EditionItem(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    blurb = models.CharField(max_length=400, blank=True)
    papers = models.PositiveSmallIntegerField(
        default=1, help_text="how many papers covered the story"
    )
    is_lead = models.BooleanField(
        default=False, help_text="the lead story, shown above the regions' sections"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "article"], name="edition_item_unique_article"
            )
        ]

    def __str__(self):
        return f"{self.position}. {self.article.headline}"


class Delivery(models.Model):
    """One edition to one subscriber. The status moves by conditional updates only:
    queued -> sending (claimed, body on the wire, not yet committed by the final
    dot) -> sent (recorded just before the final dot) or back to queued (4xx, dropped
    connection), bounced (5xx) or failed (retries exhausted)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        BOUNCED = "bounced"
        FAILED = "failed"
        SKIPPED = "skipped"

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="when claimed_by took it; its lease runs from here",
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(
        default=False, help_text="the server's 250 reply to the final dot was read"
    )
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="delivery_unique_per_edition"
            )
        ]
        indexes = [models.Index(fields=["edition", "status"])]

    def __str__(self):
        return f"{self.edition_id} to {self.subscriber_id}: {self.status}"
