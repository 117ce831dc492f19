"""Stories: the same event as told by several member papers."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from briefings.articles.models import Article


class Story(models.Model):
    """A same-event cluster of articles, across papers and follow-ups."""

    first_published_at = models.DateTimeField(db_index=True)
    last_published_at = models.DateTimeField()
    first_report = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    headline = models.CharField(max_length=500, blank=True)
    article_count = models.PositiveIntegerField(default=0)
    lead = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="the article an editor chose to lead the story "
        "(else its first report leads)",
    )
    locked_by_editor = models.BooleanField(
        default=False,
        help_text="an editor merged, split or chose its lead: the re-check and the "
        "rebuild leave its members where they are (new articles may still join it)",
    )

    class Meta:
        ordering = ["-last_published_at", "-id"]
        verbose_name_plural = "stories"
        # The sitemap index: the stories it lists (article_count >= 2) are
        # counted and their newest date read from this index alone.
        indexes = [
            models.Index(
                fields=["-last_published_at", "article_count"], name="story_sitemap"
            )
        ]

    def __str__(self):
        return self.headline or f"story {self.pk}"

    def get_absolute_url(self):
        return reverse("story", args=[self.pk])

    @property
    def leading_article_id(self):
        """The id of the article its card shows: the editor's lead, else the
        first report."""
        return self.lead_id or self.first_report_id


class StoryRedirect(models.Model):
    """The address of a story merged into another by a regrouping (re-check or
    rebuild): /story/<old id>/ redirects to the story that took most of its
    articles, so links to it keep working."""

    old_id = models.PositiveBigIntegerField(primary_key=True)
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return f"story {self.old_id} -> {self.story_id}"


class StoryMembership(models.Model):
    """An article's place in its story (every assigned article has exactly one)."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="story_membership"
    )
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="members")
    score = models.FloatField(help_text="score against the story when it joined")
    pinned_by_editor = models.BooleanField(
        default=False,
        help_text="placed by an editor (merge, split, lead): no re-check, rebuild or "
        "new version of the article moves it to another story",
    )

    class Meta:
        indexes = [models.Index(fields=["story", "article"])]

    def __str__(self):
        return f"{self.article_id} in story {self.story_id}"


class ArticleSignature(models.Model):
    """What the similarity needs of an article, stored so that candidates are
    scored without re-reading their text (see similarity.py)."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    at = models.BigIntegerField(db_index=True, help_text="published, epoch seconds")
    content_key = models.CharField(max_length=64)
    simhash = models.BigIntegerField(default=0)
    terms = models.JSONField(default=dict)
    names = models.JSONField(default=list)
    countries = models.JSONField(
        default=list, help_text="codes of the countries it names (places.py)"
    )
    lead = models.JSONField(
        default=dict, help_text="TF-IDF terms of the headline and the body's opening"
    )

    def __str__(self):
        return f"signature of {self.article_id}"


class StoryTerm(models.Model):
    """Inverted index: one row per strong term of an article, looked up by term
    within the time window to find candidate articles."""

    term = models.CharField(max_length=64)
    at = models.BigIntegerField()
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    weight = models.FloatField()

    class Meta:
        # Covering: the lookups by term within a window (assignment, "Follow
        # the story", related stories) sum the weights per article from the
        # index alone, not from a row per posting (2-4x faster at 100,000
        # articles: issue #16).
        indexes = [
            models.Index(
                fields=["term", "at", "article", "weight"],
                name="storyterm_term_at_cover",
            )
        ]

    def __str__(self):
        return self.term


class DocumentFrequency(models.Model):
    """How many assigned articles hold each term (the empty term counts them all)."""

    term = models.CharField(max_length=64, primary_key=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.term}: {self.df}"


class ArticlePlace(models.Model):
    """A country, region, city or person an article mentions (places.py), with
    its country: an article's mentions of a country are the sum over its rows."""

    class Kind(models.TextChoices):
        COUNTRY = "country"
        REGION = "region"
        CITY = "city"
        PERSON = "person"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="places"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.COUNTRY)
    name = models.CharField(max_length=100, help_text="display name (places.yaml)")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    mentions = models.PositiveIntegerField(default=1)
    at = models.BigIntegerField(
        default=0, help_text="the article's publication, epoch seconds"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "country", "kind", "name"],
                name="articleplace_unique_name",
            )
        ]
        # "More from <country>" walks a country's rows newest first and stops
        # after a few articles, however often the country is named.
        indexes = [
            models.Index(
                fields=["country", "at", "article"], name="articleplace_country_at"
            )
        ]

    def __str__(self):
        return f"{self.article_id} mentions {self.name} ({self.kind}, {self.country})"


def default_pin_expiry():
    """A pin lasts 24 hours unless an editor sets another expiry."""
    return timezone.now() + timedelta(hours=24)


class PinQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())


class Pin(models.Model):
    """An editor's placing of an article, or of a story (then its lead, read when
    the page is drawn), at the top of the front page or of the article's region's
    section, until it expires."""

    class Place(models.TextChoices):
        FRONT = "front", "top of the front page"
        REGION = "region", "top of its region's section"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey(
        Story,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pins",
        help_text="pinned as a story: the card shows the story's lead",
    )
    place = models.CharField(max_length=8, choices=Place.choices, default=Place.FRONT)
    expires_at = models.DateTimeField(default=default_pin_expiry, db_index=True)
    pinned_at = models.DateTimeField(default=timezone.now)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PinQuerySet.as_manager()

    class Meta:
        ordering = ["-pinned_at", "-id"]

    def __str__(self):
        what = (
            f"story {self.story_id}" if self.story_id else f"article {self.article_id}"
        )
        return f"{what} pinned to the {self.get_place_display()}"
