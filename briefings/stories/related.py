"""What an article page shows beside the article: the other papers' takes on the
same story ("Also covered by ...") and related stories (the same story first,
then topical neighbours of the same period), and "More from <country>"."""

from django.db.models import Sum

from briefings.articles.models import Article
from briefings.stories.assign import rule
from briefings.stories.cluster import PROBE_TERMS
from briefings.stories.models import ArticleSignature, Story, StoryMembership, StoryTerm


def story_of(article):
    """Return the article's Story, or None when it is not assigned yet."""
    membership = (
        StoryMembership.objects.filter(article=article).select_related("story").first()
    )
    return membership.story if membership else None


def also_covered_by(article):
    """Return the other published articles of the article's story, oldest first,
    with their publications (one line each: "Also covered by ...")."""
    story = story_of(article)
    if story is None:
        return Article.objects.none()
    return (
        Article.objects.published()
        .filter(story_membership__story=story)
        .exclude(pk=article.pk)
        .select_related("publication", "publication__country", "publication__region")
        .order_by("published_at", "id")
    )


def related_stories(article, limit=5):
    """Return up to `limit` other stories of the same period that share the
    article's strongest terms, best first."""
    signature = ArticleSignature.objects.filter(article=article).first()
    story = story_of(article)
    if signature is None:
        return []
    probe = sorted(signature.terms, key=lambda t: (-signature.terms[t], t))[
        :PROBE_TERMS
    ]
    window = rule().window * 3
    hits = (
        StoryTerm.objects.filter(
            term__in=probe, at__gte=signature.at - window, at__lte=signature.at + window
        )
        .exclude(article=article)
        .values("article__story_membership__story")
        .annotate(total=Sum("weight"))
        .order_by("-total", "article__story_membership__story")
    )
    ids = []
    for hit in hits[: limit * 4]:
        story_id = hit["article__story_membership__story"]
        if story_id and (story is None or story_id != story.pk) and story_id not in ids:
            ids.append(story_id)
    found = Story.objects.in_bulk(ids[:limit])
    return [found[i] for i in ids[:limit] if i in found]


def more_from_country(code, exclude=None, limit=5):
    """Return recent published articles that mention country `code`."""
    articles = (
        Article.objects.river()
        .filter(places__country=str(code).upper()[:2])
        .order_by("-published_at", "-id")
    )
    if exclude is not None:
        articles = articles.exclude(pk=exclude.pk)
    return articles[:limit]


def coverage(story):
    """Return the story's published articles grouped for the coverage page:
    [(region, [(country, [articles])])], and the timeline (oldest first)."""
    articles = list(
        Article.objects.published()
        .filter(story_membership__story=story)
        .select_related("publication", "publication__country", "publication__region")
        .order_by("published_at", "id")
    )
    regions = {}
    for article in articles:
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
