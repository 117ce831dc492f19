"""Build articles for tests directly in the database."""

import itertools
from datetime import timedelta

from django.utils import timezone

from briefings.articles.models import Article
from briefings.network.models import Publication

_numbers = itertools.count(1)


def make_article(publication="the-korea-herald", **fields):
    """Create and return a published article of `publication` (a slug or object)."""
    if isinstance(publication, str):
        publication = Publication.objects.get(slug=publication)
    n = next(_numbers)
    published = fields.pop("published_at", timezone.now() - timedelta(hours=n))
    values = {
        "canonical_url": f"{publication.homepage.rstrip('/')}/news/story-{n}",
        "headline": f"Story number {n} from {publication.name}",
        "dek": f"The dek of story {n}.",
        "byline": "",
        "body_html": f"<p>First paragraph of story {n}.</p><p>Second paragraph.</p>",
        "body_text": f"First paragraph of story {n}.\nSecond paragraph.",
        "excerpt": f"First paragraph of story {n}. Second paragraph.",
        "published_at": published,
        "updated_at": published,
        "word_count": 8,
    }
    values.update(fields)
    return Article.objects.create(publication=publication, **values)


def make_story(articles, score=0.5):
    """Group `articles` into one Story as the stories app would; the first leads."""
    from briefings.stories.models import Story, StoryMembership

    first, last = articles[0], articles[-1]
    story = Story.objects.create(
        first_published_at=first.published_at,
        last_published_at=last.published_at,
        first_report=first,
        headline=first.headline,
        article_count=len(articles),
    )
    for article in articles:
        StoryMembership.objects.create(article=article, story=story, score=score)
    return story
