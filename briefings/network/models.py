"""The member network: regions, publications (the member papers) and their feeds."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from briefings.network.hosts import owns, validate_hosts


class Region(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("region", args=[self.slug])


class Country(models.Model):
    code = models.CharField(max_length=2, unique=True, help_text="ISO 3166-1 alpha-2")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("country", args=[self.code.lower()])


class PublicationQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(enabled=True)


class Publication(models.Model):
    class Confidence(models.TextChoices):
        HIGH = "high"
        MEDIUM = "medium"
        LOW = "low"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="publications"
    )
    homepage = models.URLField(max_length=500)
    hosts = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_hosts],
        help_text="The paper's own sites (network file): host, *.domain, with "
        "an optional :port and /path/. Only articles there are its own.",
    )
    language = models.CharField(max_length=8, default="en")
    timezone = models.CharField(max_length=64, default="UTC")
    description = models.TextField(blank=True)
    description_source = models.CharField(
        max_length=200,
        blank=True,
        help_text="ANN for the network's own wording, own for ours.",
    )
    logo = models.URLField(max_length=500, blank=True)
    confidence = models.CharField(
        max_length=8,
        choices=Confidence.choices,
        default=Confidence.HIGH,
        help_text="How sure the network file is that this paper is a member.",
    )
    notes = models.TextField(blank=True)
    extraction_rules = models.JSONField(
        default=dict,
        blank=True,
        help_text='Overrides the rules table: {"body": "CSS selector", "strip": '
        '["selectors"], "byline": "selector", "byline_strip": "regex"}.',
    )
    position = models.PositiveSmallIntegerField(default=0)
    enabled = models.BooleanField(default=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("publication", args=[self.slug])

    def owns(self, url):
        """Tell whether `url` is on one of the paper's own hosts."""
        return owns(self.hosts, url)


class FeedQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(enabled=True, publication__enabled=True)

    def due(self, now=None):
        now = now or timezone.now()
        return self.enabled().filter(
            models.Q(next_check_at__isnull=True) | models.Q(next_check_at__lte=now)
        )


class Feed(models.Model):
    class Kind(models.TextChoices):
        UNKNOWN = "unknown"
        RSS = "rss", "RSS"
        ATOM = "atom"
        JSON = "json", "JSON Feed"
        SITEMAP = "sitemap"

    class Health(models.TextChoices):
        NEW = "new"
        OK = "ok"
        FAILING = "failing"
        DISABLED = "disabled"

    class Origin(models.TextChoices):
        NETWORK = "network", "network file"
        DEMO = "demo", "demo network"
        MANUAL = "manual"

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="feeds"
    )
    url = models.URLField(max_length=1000, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.UNKNOWN)
    origin = models.CharField(
        max_length=10, choices=Origin.choices, default=Origin.MANUAL
    )
    evidence = models.CharField(
        max_length=20,
        blank=True,
        help_text="tested-ok, listed or memory (network file)",
    )
    enabled = models.BooleanField(default=True)
    allow_private_network = models.BooleanField(
        default=False,
        help_text="Allow fetching from loopback or private addresses (the demo).",
    )
    health = models.CharField(max_length=10, choices=Health.choices, default=Health.NEW)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    poll_interval = models.PositiveIntegerField(default=900, help_text="seconds")
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The refresh lease (issue #17): a Celery worker refreshing this feed holds
    # it, so a duplicated or redelivered message does nothing, and a killed
    # worker's feed is taken over once lease_expires_at has passed.
    lease_token = models.CharField(max_length=32, blank=True)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    objects = FeedQuerySet.as_manager()

    class Meta:
        ordering = ["publication__position", "url"]

    def __str__(self):
        return self.url


POLL_HISTORY = 200  # polls kept per feed in its history (issue #18)


class FeedPollQuerySet(models.QuerySet):
    def record(self, feed, started_at, duration_ms, outcome, report):
        """Store one poll of `feed` and drop its polls beyond the newest
        POLL_HISTORY (one indexed query each: the history stays bounded)."""
        poll = self.create(
            feed=feed,
            started_at=started_at,
            duration_ms=max(0, int(duration_ms)),
            outcome=outcome,
            new=report.new,
            updated=report.updated,
            skipped=report.skipped,
            error=(report.error or "; ".join(report.problems))[:500],
        )
        oldest_kept = (
            self.filter(feed=feed)
            .order_by("-started_at", "-pk")
            .values_list("started_at", "pk")[POLL_HISTORY - 1 : POLL_HISTORY]
        )
        for started, pk in oldest_kept:
            self.filter(feed=feed).filter(
                models.Q(started_at__lt=started)
                | models.Q(started_at=started, pk__lt=pk)
            ).delete()
        return poll


class FeedPoll(models.Model):
    """One poll of a feed, as the desk shows it in the feed's history."""

    OUTCOMES = [
        ("ok", "ok"),
        ("not_modified", "not modified"),
        ("partial", "partial"),
        ("deferred", "deferred"),
        ("failed", "failed"),
    ]
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="polls")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=OUTCOMES)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    objects = FeedPollQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["feed", "-started_at"])]

    def __str__(self):
        return f"{self.feed_id} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class HeartbeatQuerySet(models.QuerySet):
    def started(self, name, now):
        """Record that `briefings run` started loop `name`: restarts counted afresh."""
        self.update_or_create(
            name=name,
            defaults={
                "started_at": now,
                "beat_at": now,
                "restarts": 0,
                "last_crash": "",
                "last_crash_at": None,
            },
        )

    def beat(self, name, now):
        """Record a turn of loop `name` (one UPDATE, once the row exists)."""
        if not self.filter(name=name).update(beat_at=now):
            self.get_or_create(name=name, defaults={"started_at": now, "beat_at": now})

    def restarted(self, name, now, crash):
        """Record that loop `name` died of `crash` and was started again."""
        self.filter(name=name).update(
            restarts=models.F("restarts") + 1,
            last_crash=crash[:2000],
            last_crash_at=now,
        )


class Heartbeat(models.Model):
    """The last sign of life of a background loop of `briefings run` (the feed
    poller), written by the loop itself. The web workers run in other processes
    (granian) and read it here for /healthz."""

    POLLER = "poller"  # the feed poller's row, the one /healthz reads

    name = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When `briefings run` started the loop."
    )
    beat_at = models.DateTimeField(
        null=True, blank=True, help_text="The loop's last turn."
    )
    restarts = models.PositiveIntegerField(
        default=0, help_text="Times the loop died and was started again since then."
    )
    last_crash = models.TextField(blank=True)
    last_crash_at = models.DateTimeField(null=True, blank=True)

    objects = HeartbeatQuerySet.as_manager()

    def __str__(self):
        return self.name
