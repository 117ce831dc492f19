"""A real Chromium reads every page type, follows the share and pagination
links, searches, and checks accessibility with axe-core."""

import importlib
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from django.apps import apps

from briefings.stories.assign import save_places

from ..factories import make_article, make_story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(
    os.environ.get("BRIEFINGS_TEST_ARTIFACTS", REPO / "var" / "test-artifacts")
)


@pytest.fixture
def stories(network):
    # transaction=True empties the tables after each test, migration data too.
    importlib.import_module("briefings.web.migrations.0001_default_pages").seed(
        apps, None
    )
    herald = make_article(
        "the-korea-herald",
        headline="Seoul and Tokyo talk trade",
        dek="Basic stance remains unchanged for both parties.",
        body_text="Officials met in Tokyo to talk about an earthquake relief fund.",
    )
    times = make_article(
        "the-straits-times",
        headline="Singapore opens a new rail line",
        byline="By Tan Wei",
        body_text="Its trains will link up with ferries bound for Tokyo.",
    )
    # The article page then shows its places and people and "More from Japan".
    save_places([herald, times])
    return herald, times


@pytest.fixture
def console_errors(page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_reader_goes_from_the_river_to_an_article(page, live_server, stories):
    page.goto(live_server.url + "/")
    cards = page.locator("article.card")
    assert cards.count() == 2
    first = cards.first
    assert first.locator(".card-headline").inner_text() == "Seoul and Tokyo talk trade"
    assert first.locator(".card-by").inner_text() == "By The Korea Herald"

    first.locator(".card-headline a").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Seoul and Tokyo talk trade"
    assert page.locator(".dek").inner_text() == (
        "Basic stance remains unchanged for both parties."
    )
    assert page.locator(".byline").inner_text() == "Written by The Korea Herald"
    assert page.locator(".dates").inner_text().startswith("Updated: ")
    assert page.get_by_text("Enjoyed this story? Share it.").is_visible()
    assert page.get_by_text("About the Author: The Korea Herald").is_visible()
    newsletter = page.locator(".newsletter")
    assert newsletter.get_by_text("Eastern Briefings", exact=True).is_visible()
    assert newsletter.get_by_text("All you need to know about Asia").is_visible()
    assert newsletter.get_by_label("Email address").is_visible()
    assert page.get_by_role("link", name="Privacy Policy").first.is_visible()
    assert newsletter.get_by_role(
        "link", name="View Today's Newsletter Here"
    ).is_visible()
    # ... and in the newsletter line every page carries under the header.
    line = page.locator(".newsletter-line")
    assert line.get_by_role("link", name="View Today's Newsletter Here").is_visible()
    assert page.get_by_role("link", name="See More on Facebook").first.is_visible()
    assert page.locator(".more-stories .card").count() == 1


def test_share_links_and_copy_link(browser, live_server, stories):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    herald, _ = stories
    page.goto(live_server.url + herald.get_absolute_url())
    share = page.locator(".share")
    hrefs = [a.get_attribute("href") for a in share.locator("a").all()]
    assert hrefs[0].startswith("https://www.facebook.com/sharer/sharer.php?u=http")
    assert any(h.startswith("https://x.com/intent/post?") for h in hrefs)
    assert any(h.startswith("mailto:?subject=Seoul%20and%20Tokyo") for h in hrefs)
    share.get_by_role("link", name="Copy link").click()
    # The script confirms once the clipboard promise resolves: wait for it.
    share.get_by_text("Link copied").wait_for(state="visible", timeout=5000)
    copied = page.evaluate("navigator.clipboard.readText()")
    context.close()
    assert copied == live_server.url + herald.get_absolute_url()


def test_pagination_walks_back_in_time(page, live_server, network):
    for n in range(35):
        make_article("dawn", headline=f"Karachi story {n + 1}")
    page.goto(live_server.url + "/")
    assert page.locator("article.card").count() == 30
    page.get_by_role("link", name="Older stories").click()
    page.wait_for_load_state()
    headlines = page.locator(".card-headline").all_inner_texts()
    assert headlines == [f"Karachi story {n}" for n in range(31, 36)]
    page.get_by_role("link", name="Newest stories").click()
    assert page.locator(".card-headline").first.inner_text() == "Karachi story 1"


def test_search_from_the_header(page, live_server, stories):
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="Search stories").fill("earthquake")
    page.get_by_role("searchbox", name="Search stories").press("Enter")
    page.wait_for_load_state()
    assert page.locator(".hit .card-headline").all_inner_texts() == [
        "Seoul and Tokyo talk trade"
    ]
    assert page.locator(".hit mark").first.inner_text() == "earthquake"
    page.get_by_label("Region", exact=True).select_option("south-asia")
    page.get_by_role("button", name="Search", exact=True).last.click()
    page.wait_for_load_state()
    assert page.get_by_text("No stories match your search.").is_visible()


@pytest.mark.parametrize(
    "path, heading",
    [
        ("/", "Top stories"),
        ("/region/northeast-asia/", "Northeast Asia"),
        ("/country/kr/", "South Korea"),
        ("/publication/the-korea-herald/", "The Korea Herald"),
        ("ARTICLE", "Seoul and Tokyo talk trade"),
        ("STORY", "Seoul and Tokyo talk trade"),
        ("/search/?q=trade", "Search"),
        ("/privacy/", "Privacy Policy"),
        ("/terms/", "Terms of Service"),
        ("/no/such/page/", "We couldn't find that page"),
    ],
)
def test_every_page_type_is_accessible(
    page, live_server, stories, console_errors, path, heading
):
    article_page = path == "ARTICLE"
    if article_page:
        path = stories[0].get_absolute_url()
    elif path == "STORY":  # the full coverage page of a story two papers told
        path = make_story(list(stories)).get_absolute_url()
    page.goto(live_server.url + path)
    assert page.locator("h1").inner_text() == heading
    if article_page:
        assert page.get_by_role("heading", name="More from Japan").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    results = Axe().run(page)
    serious = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    blocked_scripts = [e for e in console_errors if "script-src" in e]
    assert blocked_scripts == []


def test_phone_viewport_fits_and_is_kept_as_a_screenshot(browser, live_server, stories):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    widths = {}
    for path in ["/", stories[0].get_absolute_url(), "/search/?q=trade"]:
        page.goto(live_server.url + path)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    page.goto(live_server.url + stories[0].get_absolute_url())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "article-360px.png"), full_page=True)
    context.close()
    assert all(width <= 360 for width in widths.values()), widths
    assert (ARTIFACTS / "article-360px.png").stat().st_size > 0


def test_visible_focus_on_links(page, live_server, stories):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")  # the skip link
    assert page.evaluate("document.activeElement.className") == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
