"""HTML that editors write in the admin goes through the ingest's allowlist
(issue #11, item 11): a flat page or an article body saved with a meta refresh,
a script or an event handler is stored and shown without them."""

import importlib

import pytest
from lxml import html as lxml_html

from django.apps import apps
from django.contrib.flatpages.models import FlatPage

from briefings.articles.models import Article

from ..factories import make_article

HOSTILE = (
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
    "<p>We keep as little as we can.</p>"
    "<script>document.location='https://evil.example/'</script>"
    '<img src="https://paper.example/a.png" alt="a" onerror="alert(1)">'
    '<a href="javascript:alert(1)">click</a>'
    '<img src="http://10.0.0.5/router.png" alt="router">'
    '<iframe src="https://evil.example/"></iframe>'
    '<p style="position:fixed" onclick="alert(2)">Write to us.</p>'
)
GONE = ("http-equiv", "<meta", "<script", "evil.example", "onerror", "alert")
GONE += ("javascript:", "10.0.0.5", "<iframe", "style=", "onclick")


def admin_form(client, path):
    """The values of the admin's change form at `path`, as a browser would send."""
    response = client.get(path)
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    form = tree.cssselect("form[id$=_form]")[0]
    values = {}
    for name, value in form.form_values():
        values.setdefault(name, []).append(value)
    values["_save"] = ["Save"]
    return values


def save(client, path, **changes):
    values = admin_form(client, path)
    values.update({name: [value] for name, value in changes.items()})
    return client.post(path, values)


def assert_clean(html):
    assert [word for word in GONE if word in html] == []


def test_a_flat_page_saved_in_the_admin_is_sanitized(admin_client, network):
    page = FlatPage.objects.get(url="/privacy/")
    path = f"/admin/flatpages/flatpage/{page.pk}/change/"
    response = save(admin_client, path, content=HOSTILE)
    assert response.status_code == 302, response.content.decode()[:3000]
    page.refresh_from_db()
    assert_clean(page.content)
    assert "We keep as little as we can." in page.content
    assert '<img src="https://paper.example/a.png" alt="a">' in page.content
    shown = admin_client.get("/privacy/").content.decode()
    assert "We keep as little as we can." in shown
    assert_clean(shown.split("<main", 1)[1])
    assert "evil.example" not in shown and "http-equiv" not in shown


def test_a_new_flat_page_is_sanitized_too(admin_client, network):
    values = admin_form(admin_client, "/admin/flatpages/flatpage/add/")
    values.update(url=["/about/"], title=["About"], content=[HOSTILE], sites=["1"])
    response = admin_client.post("/admin/flatpages/flatpage/add/", values)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert_clean(FlatPage.objects.get(url="/about/").content)


@pytest.fixture
def article(network):
    return make_article("dawn", image="https://paper.example/lead.jpg")


def article_path(article):
    return f"/admin/articles/article/{article.pk}/change/"


def test_an_article_body_edited_in_the_admin_is_sanitized(admin_client, article):
    response = save(admin_client, article_path(article), body_html=HOSTILE)
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert_clean(article.body_html)
    assert "Write to us." in article.body_html
    shown = admin_client.get(article.get_absolute_url()).content.decode()
    assert "We keep as little as we can." in shown
    assert "evil.example" not in shown and "http-equiv" not in shown
    assert "onerror" not in shown and "10.0.0.5" not in shown


def test_editors_see_how_the_body_was_read_and_cannot_edit_it(admin_client, article):
    note = "page: recall 2,631 chars — passed over: precision: mostly notices"
    article.extraction_note = note
    article.save(update_fields=["extraction_note"])
    page = admin_client.get(article_path(article)).content.decode()
    assert (
        "Extraction note" in page and "passed over: precision: mostly notices" in page
    )
    assert 'name="extraction_note"' not in page  # read-only: not a form field
    response = save(admin_client, article_path(article), extraction_note="forged")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.extraction_note == note


@pytest.mark.parametrize(
    "image", ["http://10.0.0.5/lead.jpg", "http://0x7f.1/lead.jpg", "javascript:x"]
)
def test_a_private_lead_image_is_refused_in_the_admin(admin_client, article, image):
    response = save(admin_client, article_path(article), image=image)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    article.refresh_from_db()
    assert article.image == "https://paper.example/lead.jpg"


def test_stored_html_from_before_is_sanitized_by_the_migration(network):
    FlatPage.objects.filter(url="/terms/").update(content=HOSTILE)
    article = make_article(
        "dawn", body_html=HOSTILE, image="http://169.254.169.254/lead.jpg"
    )
    clean = make_article("dawn", image="https://paper.example/lead.jpg")
    migration = importlib.import_module(
        "briefings.web.migrations.0002_sanitize_editor_html"
    )
    migration.sanitize_stored_html(apps, None)
    assert_clean(FlatPage.objects.get(url="/terms/").content)
    article.refresh_from_db()
    assert_clean(article.body_html)
    assert "We keep as little as we can." in article.body_html
    assert article.image == ""
    assert Article.objects.get(pk=clean.pk).image == "https://paper.example/lead.jpg"
