"""Store one article record: create it, update it when its content changed, or not."""

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from briefings.articles.models import Article, ArticleRevision
from briefings.articles.signals import article_stored
from briefings.articles.text import cut_at_sentence, word_count

EXCERPT_LENGTH = 240


class Outcome(enum.StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class ArticleRecord:
    """An article as the ingest pipeline hands it over: normalized and sanitized."""

    url: str
    headline: str
    published_at: datetime | None = None
    updated_at: datetime | None = None
    guid: str = ""
    dek: str = ""
    byline: str = ""
    body_html: str = ""
    body_text: str = ""
    excerpt: str = ""  # the card's; made from the body when empty
    credit_html: str = ""  # the paper's credit line, sanitized (inline)
    license_url: str = ""
    image: str = ""
    image_caption: str = ""
    language: str = ""
    status: str = Article.Status.FULL
    source_hash: str = ""
    date_flagged: bool = False
    extraction_note: str = ""
    simhash: int | None = None

    def content_hash(self):
        parts = (self.headline, self.dek, self.byline, self.body_text)
        if self.credit_html:  # rows stored before credits keep their hash
            parts += (self.credit_html,)
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class ForeignArticle(ValueError):
    """The record's URL is not on the paper's own hosts: it is not its article."""


def find_existing(publication, url, guid=""):
    """Return the paper's stored article for this canonical URL or GUID, if any.

    Only the paper's own: another paper's article is never found, so never
    rewritten (a syndicated copy is linked by duplicate_of, not merged).
    """
    articles = Article.objects.filter(publication=publication)
    article = articles.filter(canonical_url=url).first()
    if article is None and guid:
        article = articles.filter(guid=guid).first()
    return article


def _guid_for(article, guid):
    """The GUID `article` keeps: the entry's, unless another article of the paper
    has it already (a GUID that moved to a URL stored under another GUID: the
    URL names the article, and the GUID stays with the article that has it)."""
    if not guid or guid == article.guid:
        return guid
    taken = (
        Article.objects.filter(publication=article.publication_id, guid=guid)
        .exclude(pk=article.pk)
        .exists()
    )
    return article.guid if taken else guid


def _fields(record, now):
    return {
        "canonical_url": record.url,
        "guid": record.guid,
        "headline": record.headline,
        "dek": record.dek,
        "byline": record.byline,
        "body_html": record.body_html,
        "body_text": record.body_text,
        "excerpt": record.excerpt
        or cut_at_sentence(record.body_text or record.dek, EXCERPT_LENGTH),
        "credit_html": record.credit_html,
        "license_url": record.license_url,
        "image": record.image,
        "image_caption": record.image_caption,
        "language": record.language,
        "status": record.status,
        "date_flagged": record.date_flagged,
        "extraction_note": record.extraction_note,
        "simhash": record.simhash,
        "content_hash": record.content_hash(),
        "source_hash": record.source_hash,
        "word_count": word_count(record.body_text),
        "fetched_at": now,
    }


def keep_editors_choices(article, fields):
    """An editor's decisions outlive the paper's updates: a hidden article stays
    hidden, and a corrected headline and dek stay corrected while the rest of
    the paper's update (body, byline, dates) is applied."""
    if article.status == Article.Status.HIDDEN:
        fields["status_when_shown"] = fields["status"]
        fields["status"] = Article.Status.HIDDEN
    if article.revisions.filter(edited_by__isnull=False).exists():
        fields["headline"], fields["dek"] = article.headline, article.dek


def upsert(publication, record, feed=None):
    """Create or update the article for `record`; return (article, Outcome).

    Raise ForeignArticle when the record's URL is not on the paper's own hosts
    (the ingest refuses such entries before; this holds for every caller).
    One transaction per article, so an interrupted ingest loses at most the
    article it was writing. "Updated" moves only when the content changed.
    `article_stored` is sent inside the transaction, so what listens to it (the
    story assignment) is stored with the article or not at all.
    """
    if not publication.owns(record.url):
        raise ForeignArticle(
            f"store: not on the paper's own hosts ({record.url[:200]}, "
            f"{publication.slug})"
        )
    now = timezone.now()
    with transaction.atomic():
        article = find_existing(publication, record.url, record.guid)
        fields = _fields(record, now)
        if article is None:
            published = record.published_at or now
            article = Article.objects.create(
                publication=publication,
                feed=feed,
                published_at=published,
                updated_at=max(record.updated_at or published, published),
                **fields,
            )
            article_stored.send(sender=Article, article=article, outcome=Outcome.NEW)
            return article, Outcome.NEW
        if article.content_hash == fields["content_hash"]:
            if article.source_hash != record.source_hash:
                article.source_hash = record.source_hash
                article.save(update_fields=["source_hash"])
            return article, Outcome.UNCHANGED
        fields["guid"] = _guid_for(article, record.guid)
        keep_editors_choices(article, fields)
        ArticleRevision.keep(article, now)
        for name, value in fields.items():
            setattr(article, name, value)
        article.updated_at = max(record.updated_at or now, article.published_at)
        article.save()
        article_stored.send(sender=Article, article=article, outcome=Outcome.UPDATED)
        return article, Outcome.UPDATED
