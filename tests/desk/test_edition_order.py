"""The edition on the desk (issue #18): items reordered by drag and by
keyboard, and a live preview of the unsaved form that keeps nothing."""

import pytest

from django.contrib.auth.models import User
from django.utils import timezone

from briefings.newsletter.models import Edition, EditionItem

from ..factories import make_article
from .test_browser import OVERFLOW, logged_in, stop_extraction_workers  # noqa: F401

HEADLINES = [
    "Seoul and Tokyo talk trade",
    "Karachi port reopens after the storm",
    "Manila opens a new rail line",
]


def make_edition():
    edition = Edition.objects.create(date=timezone.localdate())
    papers = ["the-korea-herald", "dawn", "philippine-daily-inquirer"]
    for n, (paper, headline) in enumerate(zip(papers, HEADLINES, strict=True)):
        EditionItem.objects.create(
            edition=edition,
            article=make_article(paper, headline=headline),
            position=n,
            blurb=f"Blurb {n}.",
        )
    return edition


def form_data(edition, blurbs, positions):
    items = list(edition.items.order_by("position"))
    data = {
        "date": edition.date.isoformat(),
        "intro": "An intro typed now",
        "seen_revision": edition.revision,
        "items-TOTAL_FORMS": len(items),
        "items-INITIAL_FORMS": len(items),
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for n, item in enumerate(items):
        data |= {
            f"items-{n}-id": item.pk,
            f"items-{n}-edition": edition.pk,
            f"items-{n}-position": positions[n],
            f"items-{n}-article": item.article_id,
            f"items-{n}-blurb": blurbs[n],
        }
    return data


@pytest.mark.django_db
def test_the_live_preview_renders_the_unsaved_form_and_keeps_nothing(client, network):
    edition = make_edition()
    client.force_login(User.objects.create_superuser("chief", "c@example.org", "pw"))
    url = f"/admin/newsletter/edition/{edition.pk}/preview/live/email/"
    data = form_data(edition, ["First <b>bold</b> blurb", "Two", "Three"], [2, 0, 1])
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "An intro typed now" in html
    assert "First &lt;b&gt;bold&lt;/b&gt; blurb" in html  # an editor's text is text
    assert all(h in html for h in HEADLINES)
    web = client.post(url.replace("/email/", "/web/"), data)
    assert web.status_code == 200 and "An intro typed now" in web.content.decode()
    # Nothing was kept.
    edition.refresh_from_db()
    assert edition.intro == ""
    assert [i.blurb for i in edition.items.order_by("position")] == [
        "Blurb 0.",
        "Blurb 1.",
        "Blurb 2.",
    ]
    assert client.get(url).status_code == 405
    client.logout()
    assert client.post(url, data).status_code == 302  # to the login page


@pytest.mark.django_db
def test_the_reordered_positions_are_saved(client, network):
    edition = make_edition()
    client.force_login(User.objects.create_superuser("chief", "c@example.org", "pw"))
    url = f"/admin/newsletter/edition/{edition.pk}/change/"
    data = form_data(edition, ["One", "Two", "Three"], [2, 0, 1])
    assert client.post(url, data | {"_continue": "1"}).status_code == 302
    saved = [i.article.headline for i in edition.items.order_by("position")]
    assert saved == [HEADLINES[1], HEADLINES[2], HEADLINES[0]]


@pytest.mark.django_db
def test_the_live_preview_refuses_a_sent_edition_and_a_bad_form(client, network):
    edition = make_edition()
    client.force_login(User.objects.create_superuser("chief", "c@example.org", "pw"))
    url = f"/admin/newsletter/edition/{edition.pk}/preview/live/email/"
    bad = form_data(edition, ["x" * 500, "Two", "Three"], [0, 1, 2])
    response = client.post(url, bad)
    assert response.status_code == 400
    assert response.content.decode().startswith("Not previewed:")
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    response = client.post(url, form_data(edition, ["a", "b", "c"], [0, 1, 2]))
    assert response.status_code == 409
    assert "no longer be changed" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_reorders_by_keyboard_and_drag_and_sees_the_live_preview(
    logged_in,  # noqa: F811
    live_server,
    network,
):
    page = logged_in
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    edition = make_edition()
    page.goto(f"{live_server.url}/admin/newsletter/edition/{edition.pk}/change/")
    assert page.evaluate(OVERFLOW) <= 0
    rows = "#items-group tbody tr.form-row:not(.empty-form)"

    def order():
        return [
            next(h for h in HEADLINES if h in text)
            for text in page.locator(rows).all_inner_texts()
            if any(h in text for h in HEADLINES)
        ]

    # Keyboard: the third item's "up" button, then Alt+Up in the second row.
    page.locator(f"{rows} >> nth=2").locator("button.move-up").focus()
    page.keyboard.press("Enter")
    assert order() == [HEADLINES[0], HEADLINES[2], HEADLINES[1]]
    page.locator(f"{rows} >> nth=1").locator("textarea").focus()
    page.keyboard.press("Alt+ArrowUp")
    assert order() == [HEADLINES[2], HEADLINES[0], HEADLINES[1]]
    # The live preview follows the unsaved form.
    page.locator(f"{rows} >> nth=0").locator("textarea").fill("A blurb typed just now")
    page.wait_for_function(
        "() => (document.querySelector('#edition-live-preview iframe').srcdoc || '')"
        ".includes('A blurb typed just now')",
        timeout=20_000,
    )
    assert EditionItem.objects.filter(blurb="A blurb typed just now").count() == 0
    page.click("#edition-live-preview button[data-kind=web]")
    page.wait_for_function(
        "() => document.querySelector('#edition-live-preview .preview-state')"
        ".textContent.startsWith('Up to date')",
        timeout=20_000,
    )

    # What the browser posts is saved by the admin's form as tested above
    # (test_the_reordered_positions_are_saved) and in test_browser.py's
    # compose-and-approve flow.

    # Drag: the last row onto the first, positions renumbered.
    page.locator(f"{rows} >> nth=2").locator(".drag-handle").drag_to(
        page.locator(f"{rows} >> nth=0")
    )
    assert order() == [HEADLINES[1], HEADLINES[2], HEADLINES[0]]
    positions = [
        page.locator(f"{rows} >> nth={n}").locator("input[name$='-position']")
        for n in range(3)
    ]
    assert [p.input_value() for p in positions] == ["0", "1", "2"]
    assert errors == []
