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


def _stories(day, plan, hours=1):
    """Create one article per (paper slug, count) story, each about the paper's
    country unless `body` is given; store their places. Return the articles."""
    from datetime import timedelta

    from briefings.network.models import Publication

    countries = dict(Publication.objects.values_list("slug", "country__name"))
    end = send_moment(day)
    made = []
    for slug, count in plan:
        for n in range(count):
            made.append(
                make_article(
                    slug,
                    headline=f"{slug} distinct event {n} {len(made)} zq{len(made)}",
                    body_text=f"Officials in {countries[slug]} met on item {n}.",
                    published_at=end - timedelta(minutes=hours * 7 * len(made) + 1),
                )
            )
    save_places(made)
    return made


def _regions(edition):
    return Counter(
        i.article.publication.region.slug
        for i in edition.items.select_related("article__publication__region")
    )


def test_sections_get_at_least_two_and_a_fair_share(day):
    """13 South Asia stories from 5 papers, 3 from each other region: South Asia
    gets the biggest section, every region at least 2."""
    south = ["dawn", "the-daily-star", "kuensel", "the-statesman", "daily-mirror-lk"]
    plan = [(slug, 3) for slug in south[:3]] + [(s, 2) for s in south[3:]]
    plan += [("the-jakarta-post", 1), ("the-star", 1), ("viet-nam-news", 1)]
    plan += [("china-daily", 1), ("the-japan-news", 1), ("the-korea-herald", 1)]
    _stories(day, plan)
    edition = curate(day)
    regions = _regions(edition)
    assert min(regions.values()) >= 2 and len(regions) == 3
    assert regions["south-asia"] == max(regions.values()) >= 4
    assert sum(regions.values()) == 10


def test_sections_follow_the_lead_in_region_order(day):
    _stories(day, [(s, 2) for s in ["dawn", "the-star", "china-daily", "kuensel"]])
    items = list(curate(day).items.select_related("article__publication__region"))
    positions = [i.article.publication.region.position for i in items[1:]]
    assert positions == sorted(positions)


def test_a_paper_that_floods_the_day_gets_two_items_and_a_third_of_papers_show(day):
    plan = [("the-statesman", 60)] + [
        (slug, 1)
        for slug in ["dawn", "kuensel", "the-star", "the-jakarta-post", "china-daily",
                     "the-japan-news", "viet-nam-news", "the-nation-thailand",
                     "borneo-bulletin", "the-korea-herald", "the-daily-star"]
    ]  # fmt: skip
    _stories(day, plan)
    edition = curate(day)
    papers = Counter(
        i.article.publication.slug
        for i in edition.items.select_related("article__publication")
    )
    assert papers["the-statesman"] <= 2
    assert max(papers.values()) <= 2
    assert len(papers) >= 12 / 3


def test_a_day_from_one_region_only(day):
    _stories(day, [(s, 3) for s in ["dawn", "kuensel", "the-statesman"]])
    edition = curate(day)
    assert edition.status == Edition.Status.DRAFT
    assert set(_regions(edition)) == {"south-asia"}
    assert edition.items.count() == 6  # 2 per paper


def test_a_story_with_no_asian_place_never_leads(day):
    from briefings.network.models import Publication

    foreign = [
        make_article(
            slug,
            headline="US Congress debates the budget",
            body_text="In Washington, the United States Congress debated.",
            published_at=send_moment(day) - __import__("datetime").timedelta(hours=1),
            word_count=900,
        )
        for slug in ["the-straits-times", "dawn", "china-daily", "the-star"]
    ]
    make_story(foreign)
    save_places(foreign)
    _stories(day, [(s, 1) for s in ["kuensel", "the-jakarta-post", "the-japan-news"]])
    assert Publication.objects.count() == 22
    edition = curate(day)
    lead = edition.items.first().article
    assert lead not in foreign
    assert {p.code for p in places_of(lead)} & {"BT", "ID", "JP"}


def test_one_event_never_twice_even_from_one_paper(day):
    from datetime import timedelta

    at = send_moment(day) - timedelta(hours=2)
    same = [
        make_article("dawn", headline="Karachi port strike ends",
                     body_text="Pakistan's port of Karachi reopened.", published_at=at),
        make_article("dawn", headline="Dockers return to work in Karachi",
                     body_text="Pakistan's dockers returned.",
                     published_at=at + timedelta(hours=1)),
    ]  # fmt: skip
    make_story(same)
    save_places(same)
    _stories(day, [(s, 1) for s in ["kuensel", "the-jakarta-post", "the-japan-news"]])
    items = [i.article for i in curate(day).items.all()]
    assert sum(a in same for a in items) == 1


def test_covered_by_counts_only_same_event_papers(day):
    """Two papers' look-alike headlines that the stories app did not group are
    not "covered by 2 papers"."""
    from datetime import timedelta

    at = send_moment(day) - timedelta(hours=2)
    body = "Bhutan's Thimphu hosted the talks."
    alike = [
        make_article("kuensel", headline="Thimphu hosts border talks today",
                     body_text=body, published_at=at),
        make_article("the-statesman", headline="Thimphu hosts border talks",
                     body_text=body, published_at=at),
    ]  # fmt: skip
    save_places(alike)
    _stories(day, [(s, 1) for s in ["dawn", "the-jakarta-post", "the-japan-news"]])
    edition = curate(day)
    (item,) = [i for i in edition.items.all() if i.article in alike]
    assert item.papers == 1


def test_at_least_a_third_of_the_papers_that_published_appear(day):
    """Five papers write long stories that outrank everyone's; the edition still
    shows a third of the 21 papers that published, not those five twice."""
    from briefings.network.models import Publication

    slugs = list(Publication.objects.order_by("slug").values_list("slug", flat=True))
    made = _stories(day, [(slug, 2) for slug in slugs[:21]])
    strong = {"dawn", "the-star", "china-daily", "kuensel", "the-jakarta-post"}
    for article in made:
        if article.publication.slug in strong:
            article.word_count = 800
            article.save(update_fields=["word_count"])
    edition = curate(day)
    papers = {i.article.publication_id for i in edition.items.all()}
    assert len(papers) >= 21 / 3


def test_one_thread_is_one_item_even_when_the_stories_keep_it_apart(day):
    """Two papers' reports that the same-event tier kept in separate stories
    (precision first) but that are one thread are one item: "when unsure,
    show less" means no second item, and no "covered by 2" either."""
    from datetime import timedelta

    from briefings.stories.assign import assign_article
    from briefings.stories.models import StoryMembership

    at = send_moment(day) - timedelta(hours=2)
    body = (
        "Flooding in Sindh province forced thousands of families from their "
        "homes on Tuesday as the Indus burst its banks near Sukkur, officials "
        "in Karachi said, and the army sent boats to reach villages cut off by "
        "the water. Pakistan's disaster agency said relief camps were opened."
    )
    reports = [
        make_article("dawn", headline="Indus bursts its banks near Sukkur",
                     body_text=body, published_at=at),
        make_article("the-statesman", headline="Thousands flee Sindh flooding",
                     body_text=body + " Rain is expected to continue.",
                     published_at=at + timedelta(hours=1)),
    ]  # fmt: skip
    for article in reports:
        assign_article(article)  # stores its signature and places, as ingest does
    StoryMembership.objects.filter(article__in=reports).delete()
    for article in reports:
        make_story([article])  # the same-event tier kept them apart
    _stories(day, [(s, 1) for s in ["kuensel", "the-jakarta-post", "the-japan-news"]])
    items = [i for i in curate(day).items.all() if i.article in reports]
    assert len(items) == 1
    assert items[0].papers == 1
