"""Articles: the member papers' stories as stored and shown."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from briefings.network.models import Feed, Publication


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles a reader may see: not hidden, not dated in the future."""
        return self.exclude(status=Article.Status.HIDDEN).filter(
            published_at__lte=timezone.now()
        )

    def river(self):
        """Published articles newest first, ready for story cards."""
        return (
            self.published()
            .select_related(
                "publication", "publication__region", "publication__country"
            )
            .order_by("-published_at", "-id")
        )

    def in_region(self, region):
        slug = getattr(region, "slug", region)
        return self.filter(publication__region__slug=slug)

    def in_country(self, code):
        code = getattr(code, "code", code)
        return self.filter(publication__country__code=str(code).upper())

    def from_publication(self, publication):
        slug = getattr(publication, "slug", publication)
        return self.filter(publication__slug=slug)


class Article(models.Model):
    class Status(models.TextChoices):
        FULL = "full"
        SUMMARY_ONLY = "summary", "summary only"
        HIDDEN = "hidden"

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="articles"
    )
    feed = models.ForeignKey(
        Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    # Unique per paper, not across papers: each paper has its own hosts, and a
    # lookup never crosses papers (one paper may not rewrite another's article).
    canonical_url = models.URLField(max_length=1000)
    guid = models.CharField(max_length=1000, blank=True, db_index=True)
    headline = models.CharField(max_length=500)
    dek = models.CharField(max_length=1000, blank=True)
    byline = models.CharField(max_length=300, blank=True)
    body_html = models.TextField(blank=True, help_text="sanitized")
    body_text = models.TextField(blank=True)
    excerpt = models.CharField(max_length=400, blank=True)
    # The paper's own credit/licence/copyright line, kept beside the body so
    # that the article page always shows it (issue #14); inline HTML, sanitized.
    credit_html = models.TextField(blank=True, help_text="sanitized, inline")
    license_url = models.URLField(max_length=1000, blank=True)
    image = models.URLField(max_length=1000, blank=True)
    image_caption = models.CharField(max_length=1000, blank=True)
    language = models.CharField(max_length=16, blank=True)
    published_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    fetched_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=64, blank=True)
    source_hash = models.CharField(
        max_length=64, blank=True, help_text="hash of the feed entry last seen"
    )
    word_count = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.FULL
    )
    extraction_note = models.CharField(
        max_length=1000,
        blank=True,
        help_text="how ingest read the body: which reading of the page (or the "
        "feed's content) and why",
    )
    status_when_shown = models.CharField(
        max_length=10,
        choices=[c for c in Status.choices if c[0] != "hidden"],
        blank=True,
        help_text="for a hidden article: the status it gets back when an editor "
        "shows it again",
    )
    date_flagged = models.BooleanField(
        default=False,
        help_text="the paper's date was missing, unreadable or in the future",
    )
    simhash = models.BigIntegerField(
        null=True, blank=True, help_text="64-bit SimHash of the body, for near-copies"
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="syndicated_copies",
        help_text="the original publisher's article when this is a syndicated copy",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["publication", "-published_at"]),
            models.Index(fields=["-published_at", "-id"]),
            # Covers what published() reads, and the last update: counting the
            # published articles (the sitemap's pages) and their latest update
            # (the sitemap index's date) read this index alone instead of every
            # row with its body (180 -> 8-15 ms each at 100,000 articles).
            models.Index(
                fields=["published_at", "status", "updated_at"],
                name="article_published_cover",
            ),
            # Search's join: an article's date, status and paper by id, read
            # from this index alone. SQLite keeps the row's columns after its
            # bodies in overflow pages: looking 23,000 matches up in the table
            # took 300 ms at 100,000 articles (issue #16).
            models.Index(
                fields=["id", "published_at", "status", "publication"],
                name="article_search_keys",
            ),
            # The sitemap index's date: the newest update walked newest first,
            # published or not read from the index (not a MAX over every row).
            models.Index(
                fields=["-updated_at", "published_at", "status"],
                name="article_updated_cover",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "canonical_url"],
                name="article_unique_url_per_publication",
            ),
            models.UniqueConstraint(
                fields=["publication", "guid"],
                condition=~models.Q(guid=""),
                name="article_unique_guid_per_publication",
            ),
        ]

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return reverse(
            "article-slug", args=[self.pk, slugify(self.headline)[:80] or "story"]
        )

    @property
    def author(self):
        """The byline, or the publication when the paper names no author."""
        return self.byline or self.publication.name

    @property
    def body(self):
        """The body for templates. body_html is only ever stored after
        articles/sanitize.py's allowlist (at ingest, in the admin's form, and by
        web's migration 0002 for rows from before), so it is safe to show as HTML."""
        return mark_safe(self.body_html)  # noqa: S308

    @property
    def credit(self):
        """The credit line for templates: stored only after
        articles/sanitize.py's sanitize_inline, so safe to show as HTML."""
        return mark_safe(self.credit_html)  # noqa: S308

    @property
    def was_updated(self):
        return self.updated_at.date() != self.published_at.date()


class ArticleRevision(models.Model):
    """An article's content as it was before a change: one the paper made, or an
    editor's correction (`edited_by` then names the editor)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions"
    )
    headline = models.CharField(max_length=500)
    dek = models.CharField(max_length=1000, blank=True)
    byline = models.CharField(max_length=300, blank=True)
    body_html = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    valid_until = models.DateTimeField(help_text="when this version was replaced")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="the editor whose correction replaced this version; empty when "
        "the paper replaced it",
    )

    class Meta:
        ordering = ["-valid_until"]

    def __str__(self):
        return f"{self.headline} (until {self.valid_until:%Y-%m-%d %H:%M})"

    @classmethod
    def keep(cls, article, valid_until, edited_by=None):
        """Store `article`'s content as it is now, replaced at `valid_until`
        (by `edited_by`'s correction, or by the paper when None)."""
        return cls.objects.create(
            article=article,
            headline=article.headline,
            dek=article.dek,
            byline=article.byline,
            body_html=article.body_html,
            body_text=article.body_text,
            content_hash=article.content_hash,
            valid_until=valid_until,
            edited_by=edited_by,
        )
