"""The newspaper pages of issue #14 in a real Chromium, at a phone's 360 px and
a desktop's 1280 px: no horizontal overflow, no console error, axe clean."""

import importlib

import pytest
from axe_playwright_python.sync_playwright import Axe

from django.apps import apps

from briefings.stories.assign import save_places

from ..factories import make_article, make_story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_URL = "https://www.example.org/?q=" + "verylongpathsegment" * 20  # no break
CREDIT = (
    "Source: \u201cFloods\u201d, Wikinews, 2020-07-10, "
    f'<a href="{LONG_URL}">{LONG_URL}</a>. Licensed under '
    '<a href="https://creativecommons.org/licenses/by/2.5/">CC BY 2.5</a>.'
)


@pytest.fixture
def newspaper(network, live_server):
    importlib.import_module("briefings.web.migrations.0001_default_pages").seed(
        apps, None
    )
    image = live_server.url + "/static/web/favicon.svg"
    flood = [
        make_article(
            "dawn",
            headline="Floods in Sindh displace thousands",
            dek="The army was called in as rivers rose.",
            body_text=f"Floods in Karachi, Pakistan. Details at {LONG_URL} today.",
            image=image,
            credit_html=CREDIT,
            license_url="https://creativecommons.org/licenses/by/2.5/",
        ),
        make_article("the-statesman", headline="India offers help to Pakistan"),
        make_article("the-kathmandu-post", headline="Nepal sends relief"),
    ]
    make_story(flood)
    others = [
        make_article("the-korea-herald", headline="Seoul and Tokyo talk trade"),
        make_article("the-straits-times", headline="Singapore opens a rail line"),
    ]
    save_places([*flood, *others])
    return flood[0]


PAGES = [
    ("/", "Top stories"),
    ("/region/south-asia/", "South Asia"),
    ("/publication/dawn/", "Dawn"),
    ("ARTICLE", "Floods in Sindh displace thousands"),
    ("/search/?q=details", "Search"),
    ("/papers/", "Member papers"),
    ("/regions/", "Regions"),
    ("/country/pk/", "Pakistan"),
]


@pytest.mark.parametrize("width", [360, 1280])
def test_newspaper_pages_fit_have_no_console_errors_and_pass_axe(
    browser, live_server, newspaper, width
):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    problems = []
    try:
        for path, heading in PAGES:
            if path == "ARTICLE":
                path = newspaper.get_absolute_url()
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            if page.locator("h1").inner_text() != heading:
                problems.append(f"{path}: h1 {page.locator('h1').inner_text()!r}")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{path}: {scroll} px wide at {width} px")
            violations = Axe().run(page).response["violations"]
            problems += [f"{path}: axe {v['id']}: {v['help']}" for v in violations]
            problems += [f"{path}: console: {e}" for e in errors]
            errors.clear()
    finally:
        context.close()
    assert problems == []
