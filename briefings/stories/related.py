"""What an article page shows beside the article: the other papers' takes on the
same event ("Also covered by ...", its story's members: the same-event tier
only), "Follow the story" (earlier and later occurrences of the same thread,
the looser tier, never counted as coverage), related stories (topical
neighbours of the same period), the places and people it mentions, and "More
from <country>": other articles about its main country."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from briefings.articles.models import Article
from briefings.network.models import Country
from briefings.stories.assign import rule, stored_signatures
from briefings.stories.cluster import PROBE_TERMS
from briefings.stories.models import (
    ArticlePlace,
    ArticleSignature,
    Story,
    StoryMembership,
    StoryTerm,
)
from briefings.stories.places import country_name
from briefings.stories.similarity import DAY
from briefings.stories.tiers import THREAD_DAYS, judge


def story_of(article):
    """Return the article's Story, or None when it is not assigned yet."""
    membership = (
        StoryMembership.objects.filter(article=article).select_related("story").first()
    )
    return membership.story if membership else None


ALSO_COVERED = 8  # other papers listed under "Also covered by"


def also_covered_by(article, story=None, limit=ALSO_COVERED):
    """Return the ids of the other papers' first takes on the article's story,
    oldest first, one per paper, at most `limit` (a big story's full list is on
    its coverage page). Reads (id, paper) pairs only, not the articles: a story
    can hold hundreds."""
    story = story or story_of(article)
    if story is None:
        return []
    members = (
        Article.objects.published()
        .filter(story_membership__story=story)
        .exclude(publication_id=article.publication_id)
        .order_by("published_at", "id")
        .values_list("id", "publication_id")
    )
    firsts, papers = [], set()
    # Read at once, not with iterator(): on PostgreSQL that is a server-side
    # cursor (DECLARE, FETCH, CLOSE: three round trips for a few hundred pairs).
    for pk, paper in members:
        if paper not in papers:
            papers.add(paper)
            firsts.append(pk)
            if len(firsts) == limit:
                break
    return firsts


_NEIGHBOURS_SQL = (
    "SELECT m.story_id FROM {postings} t "
    "JOIN {memberships} m ON m.article_id = t.article_id "
    "WHERE t.term IN ({marks}) AND t.at >= %s AND t.at <= %s AND t.article_id <> %s "
    "GROUP BY m.story_id ORDER BY SUM(t.weight) DESC, m.story_id LIMIT %s"
)


def related_stories(article, limit=5, story=None):
    """Return up to `limit` other stories of the same period (three windows
    either side) that share the article's strongest terms, best first. `story`
    is the article's own (read when not given). One raw GROUP BY over the
    postings: it runs on every uncached article page."""
    row = (
        ArticleSignature.objects.filter(article=article)
        .values_list("terms", "at")
        .first()
    )
    if row is None:
        return []
    terms, at = row
    story = story or story_of(article)
    probe = sorted(terms, key=lambda t: (-terms[t], t))[:PROBE_TERMS]
    if not probe:
        return []
    window = rule().window * 3
    sql = _NEIGHBOURS_SQL.format(
        postings=StoryTerm._meta.db_table,
        memberships=StoryMembership._meta.db_table,
        marks=", ".join(["%s"] * len(probe)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*probe, at - window, at + window, article.pk, limit + 1])
        ids = [r[0] for r in cursor.fetchall() if story is None or r[0] != story.pk]
    found = Story.objects.in_bulk(ids[:limit])
    return [found[i] for i in ids[:limit] if i in found]


_THREAD_SQL = (
    "SELECT article_id FROM {postings} WHERE term IN ({marks}) "
    "AND at >= %s AND at <= %s AND article_id <> %s "
    "GROUP BY article_id ORDER BY SUM(weight) DESC, article_id LIMIT %s"
)
THREAD_CANDIDATES = 40


def follow_the_story(article, limit=4):
    """Return the ids of up to `limit` articles of other stories in the same
    thread as `article` (tiers.py: same-thread probability at its threshold,
    within THREAD_DAYS), one per story (its closest), oldest first: the story's
    earlier and later occurrences. Never the article's own story, and never
    counted as coverage."""
    mine = stored_signatures([article.pk]).get(article.pk)
    if mine is None or mine[1].empty:
        return []
    _, sig, own_story, _ = mine
    probe = sig.top(PROBE_TERMS)
    span = int(THREAD_DAYS * DAY)
    sql = _THREAD_SQL.format(
        postings=StoryTerm._meta.db_table, marks=", ".join(["%s"] * len(probe))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*probe, sig.at - span, sig.at + span, article.pk, THREAD_CANDIDATES]
        )
        ids = [r[0] for r in cursor.fetchall()]
    window = rule().weights.window_days
    best = {}  # story id -> (probability, at, article id)
    for pk, other, story_id, _ in stored_signatures(ids).values():
        if story_id == own_story:
            continue
        judged = judge(sig, other, window)
        if judged.same_thread and judged.thread > best.get(story_id, (0,))[0]:
            best[story_id] = (judged.thread, other.at, pk)
    shown = set(
        Article.objects.published()
        .filter(pk__in=[pk for _, _, pk in best.values()])
        .values_list("id", flat=True)
    )
    chosen = sorted((v for v in best.values() if v[2] in shown), reverse=True)[:limit]
    return [pk for _, _, pk in sorted(chosen, key=lambda v: (v[1], v[2]))]


def same_thread_judge(article_ids):
    """Return same(a, b): whether two of `article_ids` are one thread (the same
    event, or related occurrences of it: tiers.py), judged from their stored
    signatures; False when either has none. For showing less (one item per
    thread in an edition), never for counting coverage."""
    signed = stored_signatures(list(article_ids))
    window = rule().weights.window_days

    def same(a, b):
        if a == b:
            return True
        if a not in signed or b not in signed:
            return False
        return judge(signed[a][1], signed[b][1], window).same_thread

    return same


@dataclass
class CountryMentions:
    """A country an article mentions, with its regions, cities and people named."""

    code: str
    name: str
    mentions: int  # the country's names, regions, cities and people together
    member: bool  # one of the network's countries (it has a country page)
    # Its regions, cities and people, most named first.
    named: list = field(default_factory=list)


def places_of(article):
    """Return the countries `article` mentions, most mentioned first, each with
    the regions, cities and people named, most named first (one query)."""
    rows = (
        ArticlePlace.objects.filter(article=article)
        .annotate(member=Exists(Country.objects.filter(code=OuterRef("country"))))
        .values_list("country", "kind", "name", "mentions", "member")
    )
    found = {}
    for code, kind, name, mentions, member in rows:
        country = found.setdefault(
            code, CountryMentions(code, country_name(code), 0, member)
        )
        country.mentions += mentions
        if kind != ArticlePlace.Kind.COUNTRY:
            country.named.append((-mentions, name))
    for country in found.values():
        country.named = [name for _, name in sorted(country.named)]
    return sorted(found.values(), key=lambda c: (-c.mentions, c.name))


def main_member_country(countries):
    """Return the most mentioned of `countries` (places_of) that is one of the
    network's countries, or None."""
    return next((country for country in countries if country.member), None)


def more_from_country(code, exclude=None, limit=5):
    """Return the ids of the newest published articles that mention country
    `code` (its name, a region, a city or a person), newest first, without
    `exclude`.

    The places index (country, at) is read newest first and the walk stops
    after `limit` articles: 1.4 ms at 100,000 articles whether the country is
    named in a quarter of them or in a handful (ordering the articles table
    instead sorts every article naming a common country: 78 ms for China)."""
    now = timezone.now()
    rows = (
        ArticlePlace.objects.filter(country=code, at__lte=int(now.timestamp()))
        # What Article.objects.published() means, on the joined article.
        .exclude(article__status=Article.Status.HIDDEN)
        .filter(article__published_at__lte=now)
        .order_by("-at", "-article_id")
        .values_list("article_id", "at")
        .distinct()
    )
    if exclude is not None:
        rows = rows.exclude(article_id=exclude.pk)
    return [pk for pk, _ in rows[:limit]]


def coverage(story):
    """Return the story's published articles grouped for the coverage page:
    [(region, [(country, [articles])])], and the timeline (oldest first)."""
    articles = list(
        Article.objects.published()
        .filter(story_membership__story=story)
        .select_related("publication", "publication__country", "publication__region")
        .defer("body_html", "body_text")  # the page shows headlines, not bodies
        .order_by("published_at", "id")
    )
    regions = {}
    for article in articles:
        # Each article is linked twice (by country and in the timeline); its URL
        # (a slugify and a reverse) is built once.
        article.url = article.get_absolute_url()
        publication = article.publication
        countries = regions.setdefault(publication.region, {})
        countries.setdefault(publication.country, []).append(article)
    grouped = [
        (region, sorted(countries.items(), key=lambda item: item[0].name))
        for region, countries in sorted(
            regions.items(), key=lambda item: (item[0].position, item[0].name)
        )
    ]
    return grouped, articles
