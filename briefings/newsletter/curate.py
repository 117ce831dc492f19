"""Draft the day's edition: the top stories of the last 24 hours, balanced across
regions, papers and the countries they are about, one item per story."""

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from briefings.articles.models import Article
from briefings.newsletter.models import Edition, EditionItem
from briefings.stories.models import ArticlePlace, StoryMembership

log = logging.getLogger(__name__)

BLURB_LENGTH = 300
SAME_HEADLINE = 0.6  # Jaccard similarity of headline words that means "same story"
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“‘(])")
_STOPWORDS = frozenset(
    "a an and the of in on to for at by with from as is are was were be has have "
    "after over new says say said".split()
)


@dataclass
class Candidate:
    """One story: its lead article, the papers that covered it, and the
    country it is mainly about ("" when it names none)."""

    article: Article
    articles: list = field(default_factory=list)
    country: str = ""

    @property
    def papers(self):
        return len({a.publication_id for a in self.articles})

    @property
    def region(self):
        return self.article.publication.region_id


def send_moment(day):
    """Return the aware datetime the edition of `day` goes out."""
    hour, minute = (int(part) for part in settings.NEWSLETTER_SEND_TIME.split(":"))
    zone = ZoneInfo(settings.NEWSLETTER_TIMEZONE)
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def headline_words(headline):
    return frozenset(w for w in _WORD.findall(headline.lower()) if w not in _STOPWORDS)


def same_headline(a, b):
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= SAME_HEADLINE


def story_candidates(articles):
    """Group `articles` (newest first) into stories.

    The stories app's same-event clusters (one Story per event, across papers)
    group first; an article not yet assigned falls back to its syndication
    original (Article.duplicate_of), and articles with near-identical headlines
    join too. Ranking, balancing and blurbs work on these groups."""
    candidates = []
    by_original = {}
    words = []
    story_of = dict(
        StoryMembership.objects.filter(
            article__in=[a.pk for a in articles]
        ).values_list("article_id", "story_id")
    )
    for article in articles:
        root = story_of.get(article.pk)
        root = ("story", root) if root else article.duplicate_of_id or article.pk
        if root in by_original:
            by_original[root].articles.append(article)
            continue
        mine = headline_words(article.headline)
        match = next(
            (
                c
                for c, w in zip(candidates, words, strict=True)
                if same_headline(mine, w)
            ),
            None,
        )
        if match is not None:
            match.articles.append(article)
            by_original[root] = match
            continue
        candidate = Candidate(article=article, articles=[article])
        candidates.append(candidate)
        words.append(mine)
        by_original[root] = candidate
    for candidate in candidates:
        # The original publisher leads, not a syndicated copy: the article
        # most copied within the group, then the first published.
        copied = Counter(a.duplicate_of_id for a in candidate.articles)
        candidate.article = min(
            candidate.articles,
            key=lambda a: (
                a.duplicate_of_id is not None,
                -copied[a.pk],
                a.published_at,
            ),
        )
    return candidates


def mark_countries(candidates):
    """Set each candidate's country: the one its articles name most, by the
    places the stories app stored (a region, a city or a person counts for its
    country; ties go to the first code alphabetically)."""
    story_of = {a.pk: n for n, c in enumerate(candidates) for a in c.articles}
    totals = [Counter() for _ in candidates]
    rows = ArticlePlace.objects.filter(article__in=list(story_of)).values_list(
        "article_id", "country", "mentions"
    )
    for article_id, country, count in rows:
        totals[story_of[article_id]][country] += count
    for candidate, named in zip(candidates, totals, strict=True):
        if named:
            candidate.country = min(named, key=lambda code: (-named[code], code))
    return candidates


def rank(candidates):
    """Return candidates best first: covered by more papers, then newer."""
    return sorted(
        candidates, key=lambda c: (c.papers, c.article.published_at), reverse=True
    )


def select(candidates, max_items, max_per_paper, max_per_country=0):
    """Pick up to `max_items` stories: the best of each region first, then the
    best of the rest, never more than `max_per_paper` from one paper nor more
    than `max_per_country` mainly about one country (0: no such cap)."""
    ranked = rank(candidates)
    chosen, per_paper, per_country = [], Counter(), Counter()

    def take(candidate):
        paper, country = candidate.article.publication_id, candidate.country
        if per_paper[paper] >= max_per_paper or candidate in chosen:
            return False
        if country and max_per_country and per_country[country] >= max_per_country:
            return False
        chosen.append(candidate)
        per_paper[paper] += 1
        per_country[country] += 1
        return True

    seen_regions = set()
    for candidate in ranked:
        if len(chosen) >= max_items:
            break
        if candidate.region not in seen_regions and take(candidate):
            seen_regions.add(candidate.region)
    for candidate in ranked:
        if len(chosen) >= max_items:
            break
        take(candidate)
    return rank(chosen)


def blurb(article):
    """Return one sentence from the dek, else from the lede, capped."""
    for text in (article.dek, article.excerpt, article.body_text):
        text = " ".join((text or "").split())
        if text:
            sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
            if len(sentence) > BLURB_LENGTH:
                sentence = sentence[: BLURB_LENGTH - 1].rsplit(" ", 1)[0] + "…"
            return sentence
    return ""


def window_articles(day):
    end = send_moment(day)
    return (
        Article.objects.published()
        .filter(published_at__gte=end - timedelta(hours=24), published_at__lt=end)
        .select_related("publication", "publication__region")
        .order_by("-published_at", "-id")
    )


def curate(day):
    """Draft and return the edition of `day` (an existing one is returned as is).

    A day with fewer than NEWSLETTER_MIN_ITEMS stories gets a skipped edition, so
    the scheduler does not try again and nobody is sent a padded issue."""
    existing = Edition.objects.filter(date=day).first()
    if existing:
        return existing
    candidates = mark_countries(story_candidates(list(window_articles(day))))
    chosen = select(
        candidates,
        settings.NEWSLETTER_MAX_ITEMS,
        settings.NEWSLETTER_MAX_PER_PAPER,
        settings.NEWSLETTER_MAX_PER_COUNTRY,
    )
    with transaction.atomic():
        edition, created = Edition.objects.get_or_create(date=day)
        if not created:
            return edition
        if len(chosen) < settings.NEWSLETTER_MIN_ITEMS:
            edition.status = Edition.Status.SKIPPED
            edition.skip_reason = (
                f"{len(chosen)} stories; at least "
                f"{settings.NEWSLETTER_MIN_ITEMS} are needed"
            )
            edition.save()
            log.info("skipped the edition of %s: %s", day, edition.skip_reason)
            return edition
        EditionItem.objects.bulk_create(
            EditionItem(
                edition=edition,
                article=c.article,
                position=position,
                blurb=blurb(c.article),
                papers=c.papers,
            )
            for position, c in enumerate(chosen, start=1)
        )
    log.info("drafted the edition of %s with %s stories", day, len(chosen))
    return edition
