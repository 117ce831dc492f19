"""A real Chromium opens the home page, then an article, and reads them."""

import pytest

from ..factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stories(network):
    make_article(
        "the-korea-herald",
        headline="Seoul and Tokyo talk trade",
        dek="Basic stance remains unchanged for both parties.",
    )
    make_article(
        "the-straits-times",
        headline="Singapore opens a new rail line",
        byline="By Tan Wei",
    )


def test_reader_goes_from_the_river_to_an_article(page, live_server, stories, tmp_path):
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
    assert page.get_by_text("About the Author: The Korea Herald").is_visible()
    assert page.get_by_role("link", name="View Today's Newsletter Here").is_visible()
    assert page.get_by_role("link", name="See More on Facebook").first.is_visible()
    page.screenshot(path=str(tmp_path / "article.png"), full_page=True)


def test_phone_viewport_has_no_horizontal_scroll(browser, live_server, stories):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 360
