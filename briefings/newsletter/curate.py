"""Draft the day's edition as the network's editors would: a lead story, then a
section per region with a fair share of the day, many papers, one item per event.

`draft(day)` drafts or, with redo, redrafts an edition that has not started
sending; the scheduler (schedule.py) retries a skipped or thin draft as stories
arrive. Every write of a draft is a conditional update on the revision it read,
so two schedulers racing, or an editor saving meanwhile, never lose a change."""

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from briefings.articles.models import Article
from briefings.network.models import Country, Region
from briefings.newsletter.models import Edition, EditionItem
from briefings.stories.models import ArticlePlace, Story, StoryMembership
from briefings.stories.related import also_covered_by, same_thread_judge

log = logging.getLogger(__name__)

BLURB_LENGTH = 300
SAME_HEADLINE = 0.6  # Jaccard similarity of headline words that means "same story"
MIN_PER_REGION = 2  # a section's floor, when the region has that many stories
PAPER_SHARE = 3  # at least 1/3 of the papers that published appear
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“‘(])")
_STOPWORDS = frozenset(
    "a an and the of in on to for at by with from as is are was were be has have "
    "after over new says say said".split()
)
# Asia by the UN geoscheme (ISO 3166-1 alpha-2), beside the network's own
# countries: a story about Mongolia or Iran is an Asian story, one about the
# US Congress is not, and never leads.
ASIA = frozenset(
    "AE AF AM AZ BD BH BN BT CN CY GE HK ID IL IN IQ IR JO JP KG KH KP KR KW KZ "
    "LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN "
    "YE".split()
)
# Ranking weights: a story about the member countries first, then one many
# papers covered (same-event tier), then the newer and the longer.
WEIGHTS = {"member": 3.0, "asian": 1.0, "coverage": 2.0, "recency": 1.0, "length": 0.5}
FULL_LENGTH = 800  # words; longer earns nothing more


class RedraftRefused(Exception):
    """The edition cannot be redrafted: it is sending or sent, or an editor
    changed it (redrafting would throw their work away)."""


@dataclass
class Candidate:
    """One event: its lead article, the window's articles about it, the papers
    that covered it (the stories app's same-event tier and syndicated copies)
    and where it happens."""

    article: Article
    articles: list = field(default_factory=list)
    story: int | None = None
    coverage: set = field(default_factory=set)  # publication ids
    places: Counter = field(default_factory=Counter)  # country -> mentions
    country: str = ""
    score: float = 0.0

    @property
    def papers(self):
        return len(self.coverage) or 1

    @property
    def paper(self):
        return self.article.publication_id

    @property
    def region(self):
        return self.article.publication.region_id

    @property
    def asian(self):
        return any(code in ASIA for code in self.places)


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


def _group(articles, story_of):
    """Group `articles` (newest first) by same-event Story, else syndication
    original, else near-identical headline: one candidate per event."""
    candidates, by_root, words = [], {}, []
    for article in articles:
        story = story_of.get(article.pk)
        root = ("story", story) if story else article.duplicate_of_id or article.pk
        if root in by_root:
            by_root[root].articles.append(article)
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
        if match is None:
            match = Candidate(article=article, story=story)
            candidates.append(match)
            words.append(mine)
        match.articles.append(article)
        by_root[root] = match
    return candidates


def _lead_article(candidate, chosen=None):
    # The lead an editor chose for the story leads (stories/editing.py); else
    # the original publisher, not a syndicated copy: the article most copied
    # within the group, then the first published.
    picked = [a for a in candidate.articles if a.pk == chosen]
    if picked:
        return picked[0]
    copied = Counter(a.duplicate_of_id for a in candidate.articles)
    return min(
        candidate.articles,
        key=lambda a: (a.duplicate_of_id is not None, -copied[a.pk], a.published_at),
    )


def _coverage(candidate):
    """The papers that told this event: the lead's paper, the other papers of
    its same-event story (the stories app's "Also covered by", so its
    precision decides), and the papers that reprinted the lead's text.
    Near-identical headlines group for de-duplication but count for nothing."""
    lead = candidate.article
    papers = {lead.publication_id}
    papers |= {
        a.publication_id
        for a in candidate.articles
        if lead.pk in (a.duplicate_of_id, a.pk) or a.pk == lead.duplicate_of_id
    }
    if candidate.story:
        others = also_covered_by(lead, limit=100)
        papers |= set(
            Article.objects.filter(pk__in=others).values_list(
                "publication_id", flat=True
            )
        )
    return papers


def story_candidates(articles):
    """Group `articles` (newest first) into events with their lead and coverage."""
    story_of = dict(
        StoryMembership.objects.filter(
            article__in=[a.pk for a in articles]
        ).values_list("article_id", "story_id")
    )
    candidates = _group(articles, story_of)
    chosen = dict(
        Story.objects.filter(
            pk__in=set(story_of.values()), lead__isnull=False
        ).values_list("id", "lead_id")
    )
    for candidate in candidates:
        candidate.article = _lead_article(candidate, chosen.get(candidate.story))
        candidate.coverage = _coverage(candidate)
    return candidates


def mark_countries(candidates):
    """Set each candidate's places (country -> mentions over its articles, from
    the stories app's ArticlePlace rows; a region, city or person counts for
    its country) and its main country (most named; ties alphabetical)."""
    story_of = {a.pk: n for n, c in enumerate(candidates) for a in c.articles}
    rows = ArticlePlace.objects.filter(article__in=list(story_of)).values_list(
        "article_id", "country", "mentions"
    )
    for article_id, country, count in rows:
        candidates[story_of[article_id]].places[country] += count
    for candidate in candidates:
        named = candidate.places
        if named:
            candidate.country = min(named, key=lambda code: (-named[code], code))
    return candidates


def score(candidate, members, end):
    """Return the candidate's rank score (higher is better)."""
    places = candidate.places
    total = sum(places.values()) or 1
    member = sum(n for code, n in places.items() if code in members) / total
    age = (end - candidate.article.published_at).total_seconds() / 86400
    parts = {
        "member": member,
        "asian": 1.0 if candidate.asian else 0.0,
        "coverage": min(candidate.papers - 1, 4) / 4,
        "recency": max(0.0, 1.0 - age),
        "length": min(candidate.article.word_count, FULL_LENGTH) / FULL_LENGTH,
    }
    return sum(WEIGHTS[k] * v for k, v in parts.items())


def rank(candidates, end):
    """Score the candidates and return them best first."""
    members = set(Country.objects.values_list("code", flat=True))
    for candidate in candidates:
        candidate.score = score(candidate, members, end)
    return sorted(
        candidates,
        key=lambda c: (c.score, c.article.published_at, c.article.pk),
        reverse=True,
    )


def quotas(volume, slots):
    """Split `slots` between regions by `volume` (region -> stories): each gets
    at least MIN_PER_REGION (or all it has), the rest by largest remainder of
    its fair share, never more than it has."""
    share = {r: min(MIN_PER_REGION, n) for r, n in volume.items()}
    left = slots - sum(share.values())
    total = sum(volume.values()) or 1
    while left > 0:
        room = [r for r in volume if share[r] < volume[r]]
        if not room:
            break
        # The region furthest below its fair share of the whole edition.
        pick = max(room, key=lambda r: (slots * volume[r] / total - share[r], -r))
        share[pick] += 1
        left -= 1
    return share


class Selection:
    """The edition being picked, with the caps every pick respects."""

    def __init__(self, max_per_paper, max_per_country, same_thread=None):
        self.chosen, self.per_paper, self.per_country = [], Counter(), Counter()
        self.max_per_paper, self.max_per_country = max_per_paper, max_per_country
        self.same_thread = same_thread or (lambda a, b: False)

    def allows(self, candidate):
        if candidate in self.chosen or self.per_paper[candidate.paper] >= (
            self.max_per_paper
        ):
            return False
        # No event twice, even when the same-event tier (precision first) kept
        # two reports apart: one item per thread (issue #13).
        if any(
            self.same_thread(candidate.article.pk, c.article.pk) for c in self.chosen
        ):
            return False
        country = candidate.country
        cap = self.max_per_country
        return not (country and cap and self.per_country[country] >= cap)

    def take(self, candidate):
        self.chosen.append(candidate)
        self.per_paper[candidate.paper] += 1
        self.per_country[candidate.country] += 1

    def best(self, ranked, papers_wanted):
        """The best allowed candidate of `ranked`, from a paper not in the
        edition yet while fewer than `papers_wanted` papers are."""
        allowed = [c for c in ranked if self.allows(c)]
        if len(self.per_paper) < papers_wanted:
            fresh = [c for c in allowed if c.paper not in self.per_paper]
            allowed = fresh or allowed
        return allowed[0] if allowed else None


def select(
    ranked,
    max_items,
    max_per_paper,
    max_per_country=0,
    papers_wanted=0,
    same_thread=None,
):
    """Pick the lead (the best story with an Asian place; none if no story has
    one) and then each region's quota, round by round, so the sections fill
    evenly; then any room left goes to the best of the rest. Return (lead,
    {region: items})."""
    pick = Selection(max_per_paper, max_per_country, same_thread)
    lead = next((c for c in ranked if c.asian and pick.allows(c)), None)
    by_region = {}
    for candidate in ranked:
        by_region.setdefault(candidate.region, []).append(candidate)
    share = quotas({r: len(cs) for r, cs in by_region.items()}, max_items)
    sections = {r: [] for r in by_region}
    if lead is not None:
        pick.take(lead)
        sections[lead.region].append(lead)
    while len(pick.chosen) < max_items:
        added = False
        for region, candidates in by_region.items():
            if len(sections[region]) >= share[region] or len(pick.chosen) >= max_items:
                continue
            found = pick.best(candidates, papers_wanted)
            if found is not None:
                pick.take(found)
                sections[region].append(found)
                added = True
        if not added:
            break
    while len(pick.chosen) < max_items:
        found = pick.best(ranked, papers_wanted)
        if found is None:
            break
        pick.take(found)
        sections[found.region].append(found)
    return lead, {r: items for r, items in sections.items() if items}


def ordered(lead, sections):
    """The edition's order: the lead, then each section (regions in their
    order) best first."""
    regions = {r.pk: (r.position, r.name) for r in Region.objects.all()}
    items = [lead] if lead else []
    for region in sorted(sections, key=lambda r: regions.get(r, (999, ""))):
        items += [
            c for c in sorted(sections[region], key=lambda c: -c.score) if c is not lead
        ]
    return items


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


@dataclass
class Draft:
    """What curation chose for a day, before it is written."""

    items: list
    lead: Candidate | None
    window: int  # articles in the 24 hours
    papers: int  # papers that published in them

    def skip_reason(self):
        if len(self.items) >= settings.NEWSLETTER_MIN_ITEMS:
            return ""
        return (
            f"{len(self.items)} stories; at least "
            f"{settings.NEWSLETTER_MIN_ITEMS} are needed"
        )


def choose(day):
    """Curate the stories of `day`'s 24 hours; return a Draft (nothing written)."""
    articles = list(window_articles(day))
    candidates = mark_countries(story_candidates(articles))
    ranked = rank(candidates, send_moment(day))
    papers = len({a.publication_id for a in articles})
    lead, sections = select(
        ranked,
        settings.NEWSLETTER_MAX_ITEMS,
        settings.NEWSLETTER_MAX_PER_PAPER,
        settings.NEWSLETTER_MAX_PER_COUNTRY,
        papers_wanted=math.ceil(papers / PAPER_SHARE),
        same_thread=same_thread_judge(c.article.pk for c in candidates),
    )
    items = ordered(lead, sections)
    return Draft(items=items, lead=lead, window=len(articles), papers=papers)


REDRAFTABLE = (Edition.Status.DRAFT, Edition.Status.APPROVED, Edition.Status.SKIPPED)


def refusal(edition, discard_edits=False):
    """Why `edition` cannot be redrafted, or "" when it can."""
    if edition.status not in REDRAFTABLE:
        return f"{edition} is {edition.status}; only an unsent edition is redrafted"
    if edition.edited_at and not discard_edits:
        return (
            f"{edition} was changed by an editor at {edition.edited_at:%Y-%m-%d %H:%M}"
            " UTC; redrafting would discard those changes (keep them, or redraft "
            "with --discard-edits)"
        )
    return ""


def _edition_for(day):
    """Return (edition, created): the day's row, made if missing. Two schedulers
    creating it at once: the unique date lets one in, the other reads it."""
    try:
        with transaction.atomic():
            return Edition.objects.get_or_create(date=day)
    except IntegrityError:
        return Edition.objects.get(date=day), False


def _write(edition, chosen, discard_edits, now):
    """Write `chosen` over `edition` if nobody changed it since it was read (its
    revision); return whether it was written."""
    reason = chosen.skip_reason()
    status = Edition.Status.SKIPPED if reason else Edition.Status.DRAFT
    still = Edition.objects.filter(
        pk=edition.pk, revision=edition.revision, status__in=REDRAFTABLE
    )
    if not discard_edits:
        still = still.filter(edited_at__isnull=True)
    with transaction.atomic():
        written = still.update(
            revision=F("revision") + 1,
            status=status,
            skip_reason=reason,
            approved_at=None,
            drafted_at=now,
            window_count=chosen.window,
            edited_at=None,
        )
        if not written:
            return False
        EditionItem.objects.filter(edition=edition).delete()
        EditionItem.objects.bulk_create(
            EditionItem(
                edition=edition,
                article=c.article,
                position=position,
                blurb=blurb(c.article),
                papers=c.papers,
                is_lead=c is chosen.lead,
            )
            for position, c in enumerate(chosen.items if not reason else [], start=1)
        )
    return True


def draft(day, redo=False, discard_edits=False, now=None):
    """Draft the edition of `day` and return it. An existing drafted edition is
    returned as is, unless `redo`: then it is drafted afresh if it has not
    started sending and no editor changed it (RedraftRefused otherwise; with
    `discard_edits` the editor's changes are replaced, as asked).

    A day with fewer than NEWSLETTER_MIN_ITEMS stories gets a skipped edition
    with its reason; the scheduler retries it as stories arrive."""
    edition, created = _edition_for(day)
    if not (created or redo or edition.drafted_at is None):
        return edition
    reason = refusal(edition, discard_edits)
    if reason:
        raise RedraftRefused(reason)
    chosen = choose(day)
    if _write(edition, chosen, discard_edits, now or timezone.now()):
        log.info(
            "drafted the edition of %s: %s stories from %s articles%s",
            day,
            len(chosen.items),
            chosen.window,
            f" (skipped: {chosen.skip_reason()})" if chosen.skip_reason() else "",
        )
    else:
        log.info("the edition of %s changed while drafting; kept that change", day)
    edition.refresh_from_db()
    return edition


def curate(day):
    """Draft the edition of `day`, or return the existing one as is."""
    return draft(day)


def is_thin(edition):
    """A draft worth retrying when more stories arrive: skipped, short of
    NEWSLETTER_MAX_ITEMS, or missing one of the network's regions."""
    if edition.status == Edition.Status.SKIPPED:
        return True
    items = edition.items.values_list("article__publication__region", flat=True)
    regions = Region.objects.filter(publications__isnull=False).distinct().count()
    return len(items) < settings.NEWSLETTER_MAX_ITEMS or len(set(items)) < regions
