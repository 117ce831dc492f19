from collections import Counter

import pytest

from briefings.newsletter.curate import blurb, curate, send_moment
from briefings.newsletter.models import Edition
from briefings.stories.assign import save_places
from briefings.stories.related import places_of
from tests.factories import make_article, make_story
from tests.newsletter.conftest import make_day_of_articles

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture
def day():
    from datetime import date

    return date(2024, 3, 14)


def test_balanced_across_regions_and_papers(day, settings):
    settings.NEWSLETTER_MAX_PER_PAPER = 1
    make_day_of_articles(day, per_paper=3)
    edition = curate(day)
    items = list(edition.items.select_related("article__publication__region"))
    papers = Counter(i.article.publication.slug for i in items)
    regions = {i.article.publication.region.slug for i in items}
    assert max(papers.values()) == 1
    assert regions == {"northeast-asia", "southeast-asia", "south-asia"}


def test_syndicated_copies_and_same_headlines_are_one_story(day):
    end = send_moment(day)
    from datetime import timedelta

    at = end - timedelta(hours=3)
    body = "Floods in Jakarta, Indonesia, closed the airport."
    original = make_article(
        "the-straits-times",
        headline="Monsoon floods close Jakarta airport",
        published_at=at,
        body_text=body,
    )
    copy = make_article(
        "the-star",
        headline="Floods close Jakarta airport",
        published_at=at,
        duplicate_of=original,
        body_text=body,
    )
    lookalike = make_article(
        "the-jakarta-post",
        headline="Monsoon floods close Jakarta airport, officials say",
        published_at=at,
        body_text=body,
    )
    save_places([original, copy, lookalike])
    make_day_of_articles(day)
    edition = curate(day)
    (item,) = [
        i for i in edition.items.all() if "Jakarta airport" in i.article.headline
    ]
    # The original leads its group; the reprint counts as a second paper, the
    # look-alike headline (not the stories app's same event) counts for nothing.
    assert item.article == original and item.papers == 2
    headlines = [i.article.headline for i in edition.items.all()]
    assert sum("Jakarta airport" in h for h in headlines) == 1


def test_one_event_told_by_several_papers_is_one_item(day):
    """The stories app's clusters group articles whose headlines differ."""
    from datetime import timedelta

    at = send_moment(day) - timedelta(hours=2)
    told = [
        make_article("the-korea-herald", headline="Seoul protests Tokyo export curbs",
                     published_at=at),
        make_article("the-japan-news", headline="Japan defends chip material rules",
                     published_at=at + timedelta(minutes=30)),
        make_article("china-daily", headline="Beijing urges calm in trade spat",
                     published_at=at + timedelta(minutes=50)),
    ]  # fmt: skip
    make_story(told)
    save_places(told)
    make_day_of_articles(day)
    edition = curate(day)
    items = [i for i in edition.items.all() if i.article in told]
    assert len(items) == 1
    assert items[0].papers == 3


def test_a_thin_day_is_skipped_not_padded(day):
    end = send_moment(day)
    from datetime import timedelta

    make_article("dawn", published_at=end - timedelta(hours=2))
    make_article("dawn", published_at=end - timedelta(hours=30))  # outside 24 h
    edition = curate(day)
    assert edition.status == Edition.Status.SKIPPED
    assert not edition.items.exists()


def test_blurb_is_one_sentence_of_the_dek_or_lede(db):
    article = make_article(dek="", excerpt="First sentence here. Second one.")
    assert blurb(article) == "First sentence here."
    article.dek = "Basic stance remains unchanged for both parties. More."
    assert blurb(article) == "Basic stance remains unchanged for both parties."


def _country_heavy_day(day):
    """Four stories about China, each told by three papers, and three quieter
    stories from elsewhere; the places stored as the stories app does."""
    from datetime import timedelta

    at = send_moment(day) - timedelta(hours=2)
    china = [
        ("Beijing sets a growth target", "China's cabinet met in Beijing."),
        ("Xi Jinping visits Shanghai port", "Xi Jinping toured Shanghai."),
        ("Lunar probe lifts off", "China launched a probe; Chinese engineers cheered."),
        ("Exports climb again", "Chinese exports rose, Beijing said."),
    ]
    others = [
        ("the-nation-thailand", "Floods ease", "Bangkok's canals fell in Thailand."),
        ("the-jakarta-post", "Metro line opens", "Jakarta opened a line."),
        ("dawn", "Port expands", "Karachi's port grew, Pakistan said."),
    ]
    stored = []
    for n, (headline, body) in enumerate(china):
        told = [
            make_article(slug, headline=f"{headline} ({slug})", body_text=body,
                         published_at=at - timedelta(minutes=10 * n + k))
            for k, slug in enumerate(["china-daily", "the-straits-times", "dawn"])
        ]  # fmt: skip
        make_story(told)
        stored += told
    for slug, headline, body in others:
        stored.append(
            make_article(slug, headline=headline, body_text=body, published_at=at)
        )
    save_places(stored)


def _countries(edition):
    """Count the edition's stories by the country their lead article names most."""
    return Counter(
        places_of(item.article)[0].name
        for item in edition.items.select_related("article")
    )


def test_no_country_takes_over_the_edition(day, settings):
    """A day when China fills the best-covered stories: the edition keeps at most
    NEWSLETTER_MAX_PER_COUNTRY of them and makes room for the other countries."""
    settings.NEWSLETTER_MAX_PER_PAPER = 10
    settings.NEWSLETTER_MAX_PER_COUNTRY = 2
    _country_heavy_day(day)
    assert _countries(curate(day)) == {
        "China": 2,
        "Thailand": 1,
        "Indonesia": 1,
        "Pakistan": 1,
    }


def test_without_the_cap_the_best_covered_country_fills_the_edition(day, settings):
    settings.NEWSLETTER_MAX_PER_PAPER = 10
    settings.NEWSLETTER_MAX_PER_COUNTRY = 0
    settings.NEWSLETTER_MAX_ITEMS = 10
    _country_heavy_day(day)
    assert _countries(curate(day))["China"] == 4
