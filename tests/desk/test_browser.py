"""The desk in a real Chromium at 1280 px: an editor logs in, finds the failing
feed on the desk's home, fixes it with "check now"; the desk's lists fit the
screen (no horizontal overflow)."""

import os

import pytest

from django.contrib.auth.models import User

from briefings.ingest import sandbox
from briefings.network.models import Feed, Publication

from ..ingest.conftest import LoopbackSite, Route, give_hosts
from .test_sources import FEED, PAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("BRIEFINGS_SCREENSHOTS")  # a folder, to look at the pages
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(autouse=True)
def stop_extraction_workers():
    """Stop the extraction processes after each test: forked while Playwright
    runs, they hold its pipes open, and closing the browser would wait on them."""
    yield
    sandbox.shutdown()


@pytest.fixture
def site():
    site = LoopbackSite()
    yield site
    site.stop()


@pytest.fixture
def logged_in(page, live_server):
    User.objects.create_superuser("editor", "e@example.org", "a-long-password-1")
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a-long-password-1")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


@pytest.fixture
def failing_feed(network, site):
    paper = give_hosts(Publication.objects.get(slug="the-straits-times"), site.host)
    site.routes["/a"] = Route(PAGE, headers={"Content-Type": "text/html"})
    # Every feed of the network with a long, real-looking error: the widest list.
    Feed.objects.update(
        health=Feed.Health.FAILING,
        error_count=3,
        last_error="cannot read https://www.example.org/robots.txt (ConnectError: "
        "[Errno -3] Temporary failure in name resolution); nothing is fetched "
        "from the site until it can be (RFC 9309)",
    )
    return Feed.objects.create(
        publication=paper,
        url=site.url("/rss-with-a-rather-long-path/that-keeps-going/and-going.xml"),
        allow_private_network=True,
        health=Feed.Health.FAILING,
        error_count=7,
        last_error="HTTP 404",
    )


def test_an_editor_fixes_a_failing_feed_from_the_desk(
    logged_in, live_server, failing_feed, site
):
    page = logged_in
    page.click(".desk-link a >> nth=0")
    page.wait_for_selector("#desk-feeds")
    assert page.evaluate(OVERFLOW) <= 0
    first = page.locator("#desk-feeds tbody tr").first
    assert "failing" in first.inner_text() and "HTTP 404" in first.inner_text()

    # The paper fixed its feed; the editor checks it now from the feeds' list.
    site.routes[failing_feed.url.removeprefix(site.base_url)] = Route(
        FEED.format(base=site.base_url).encode()
    )
    page.goto(live_server.url + "/admin/network/feed/?q=rather-long-path")
    assert page.evaluate(OVERFLOW) <= 0
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "check_now")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    assert "read, 1 new" in page.locator(".messagelist").inner_text()
    failing_feed.refresh_from_db()
    assert failing_feed.health == Feed.Health.OK


def test_the_feeds_list_fits_1280_px(logged_in, live_server, failing_feed):
    page = logged_in
    page.goto(live_server.url + "/admin/network/feed/")
    assert page.locator("#result_list tbody tr").count() > 20
    assert page.evaluate(OVERFLOW) <= 0
    # Health, errors, next check and last error are on screen.
    results = page.locator("#changelist .results")
    assert results.evaluate("e => e.scrollWidth - e.clientWidth") <= 0
    for column in ("health", "errors", "next_check", "error"):
        box = page.locator(f"#result_list th.column-{column}").bounding_box()
        assert box and box["x"] + box["width"] <= 1280, column


def test_the_rule_tester_shows_what_a_rule_extracts(
    logged_in, live_server, failing_feed, site
):
    page = logged_in
    page.goto(live_server.url + "/admin/desk/rules/")
    page.select_option("#id_publication", label="The Straits Times")
    page.fill("#id_url", site.url("/a"))
    page.fill("#id_rules", '{"body": "div.story", "strip": ["aside.promo"]}')
    page.click("input[name=try]")
    page.wait_for_selector("#rule-result")
    assert page.locator("#rt-headline").inner_text() == "Port reopens after the storm"
    assert "Ships queued" in page.locator("#rt-body").inner_text()
    assert page.evaluate(OVERFLOW) <= 0
    page.click("input[name=save]")
    page.wait_for_selector(".messagelist")
    assert Publication.objects.get(slug="the-straits-times").extraction_rules == {
        "body": "div.story",
        "strip": ["aside.promo"],
    }


def test_an_editor_composes_and_approves_an_edition(logged_in, live_server, network):
    from django.utils import timezone

    from briefings.newsletter.models import Edition, EditionItem

    from ..factories import make_article

    page = logged_in
    edition = Edition.objects.create(date=timezone.localdate())
    first = make_article("the-korea-herald", headline="Seoul and Tokyo talk trade")
    make_article("dawn", headline="Karachi port reopens after the storm")
    EditionItem.objects.create(edition=edition, article=first, position=0, blurb="")

    page.goto(f"{live_server.url}/admin/newsletter/edition/{edition.pk}/change/")
    assert page.evaluate(OVERFLOW) <= 0
    row = page.locator("#items-group tbody tr.form-row").first
    assert "The Korea Herald" in row.inner_text()
    assert "Northeast Asia" in row.inner_text()
    # A full-size blurb box.
    blurb = page.locator("#id_items-0-blurb")
    assert blurb.evaluate("e => e.tagName") == "TEXTAREA"
    blurb.fill("Trade talks resume. " * 15)
    # The second item's article, found by its headline.
    page.fill("#id_items-1-position", "1")
    page.click("#items-group tr#items-1 .select2-selection")
    page.fill(".select2-search__field", "Karachi")
    page.click(".select2-results__option:has-text('Karachi port reopens')")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    items = list(edition.items.order_by("position"))
    assert [i.article.headline for i in items] == [
        "Seoul and Tokyo talk trade",
        "Karachi port reopens after the storm",
    ]
    assert items[0].blurb == ("Trade talks resume. " * 15).strip()

    # "View on site" of the draft opens its preview.
    with page.expect_popup() as popup:
        page.click("text=Preview the web page")
    assert "Karachi port reopens" in popup.value.content()
    href = page.locator("a.viewsitelink").get_attribute("href")
    assert page.request.get(live_server.url + href).status == 200

    page.goto(f"{live_server.url}/admin/newsletter/edition/")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "approve_editions")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    assert f"{edition} approved." in page.locator(".messagelist").inner_text()
    edition.refresh_from_db()
    assert edition.status == Edition.Status.APPROVED


def test_an_editor_merges_two_stories_and_the_old_address_follows(
    logged_in, live_server, network
):
    from datetime import timedelta

    from django.utils import timezone

    from briefings.stories.models import Story

    from ..factories import make_article, make_story

    at = timezone.now() - timedelta(hours=6)
    quake = make_story(
        [
            make_article(
                "the-jakarta-post", headline="Quake hits Sumatra", published_at=at
            )
        ]
    )
    toll = make_story(
        [
            make_article(
                "dawn",
                headline="Sumatra toll rises as rescuers reach remote villages "
                "along the western coast of Aceh province",
                published_at=at + timedelta(hours=1),
            )
        ]
    )
    # Many stories with long headlines: the widest list.
    for n in range(30):
        make_story(
            [
                make_article(
                    "the-korea-herald",
                    headline=f"Story {n} " + "with a long, long headline " * 6,
                    published_at=at - timedelta(hours=n + 1),
                )
            ]
        )
    page = logged_in
    page.goto(live_server.url + "/admin/stories/story/")
    assert page.locator("#result_list tbody tr").count() == 32
    assert page.evaluate(OVERFLOW) <= 0
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/stories.png")
    for story in (quake, toll):
        page.check(f"input[name=_selected_action][value='{story.pk}']")
    page.select_option("select[name=action]", "merge_stories")
    page.click("button[name=index]")
    page.wait_for_selector("#merge-form")
    assert page.evaluate(OVERFLOW) <= 0
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/merge.png")
    page.check(f"#into-{toll.pk}")
    page.click("#merge-apply")
    page.wait_for_selector(".messagelist")
    assert "2 stories merged" in page.locator(".messagelist").inner_text()
    assert not Story.objects.filter(pk=quake.pk).exists()

    # The old address answers with a permanent redirect to the merged story,
    # which lists both papers.
    answer = page.request.get(f"{live_server.url}/story/{quake.pk}/", max_redirects=0)
    assert answer.status == 301
    assert answer.headers["location"] == f"/story/{toll.pk}/"
    page.goto(f"{live_server.url}/story/{quake.pk}/")
    assert page.url == f"{live_server.url}/story/{toll.pk}/"
    coverage = page.locator(".story-coverage").inner_text()
    assert "The Jakarta Post" in coverage and "Dawn" in coverage
    assert "from 2 papers" in coverage
    assert page.evaluate(OVERFLOW) <= 0

    # The arrange page (split, lead) fits too.
    page.goto(f"{live_server.url}/admin/stories/story/{toll.pk}/arrange/")
    assert page.locator("#story-members tbody tr").count() == 2
    assert page.evaluate(OVERFLOW) <= 0
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/arrange.png", full_page=True)

    # The history of the merged story records the editor's merge.
    page.goto(f"{live_server.url}/admin/stories/story/{toll.pk}/history/")
    assert f"Merged stories {quake.pk}" in page.locator("#change-history").inner_text()
