"""Articles in the admin: filters by paper, region, country, date and status;
hide and show again; a corrected headline and dek kept as a revision with the
editor's name, and kept over the paper's later updates."""

import pytest

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.urls import reverse

from briefings.articles.models import Article
from briefings.articles.upsert import Outcome, upsert
from briefings.network.models import Country, Publication

from .test_upsert import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, network):
    user = User.objects.create_superuser("ed", "ed@example.org", "pw-ed-12345")
    client.force_login(user)
    return user


@pytest.fixture
def article(network):
    paper = Publication.objects.get(slug="dawn")
    article, _ = upsert(paper, record(dek="The first dek."))
    return article


def change_data(client, article):
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if name in ("published_at", "updated_at"):
            data[f"{name}_0"] = value.strftime("%Y-%m-%d")
            data[f"{name}_1"] = value.strftime("%H:%M:%S")
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    data.update(
        {
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": str(article.revisions.count()),
            "revisions-MIN_NUM_FORMS": "0",
            "revisions-MAX_NUM_FORMS": "1000",
        }
    )
    return url, data


def test_filters_by_country_and_region(client, editor, article, network):
    pakistan = Country.objects.get(code="PK")
    url = reverse("admin:articles_article_changelist")
    found = client.get(url, {"publication__country__id__exact": pakistan.pk})
    assert list(found.context["cl"].result_list) == [article]
    other = Country.objects.get(code="JP")
    empty = client.get(url, {"publication__country__id__exact": other.pk})
    assert list(empty.context["cl"].result_list) == []
    page = client.get(url).content.decode()
    assert "By country" in page and "By region" in page and "South Asia" in page


def test_a_corrected_headline_keeps_the_original_and_outlives_updates(
    client, editor, article
):
    url, data = change_data(client, article)
    data.update(headline="Karachi port reopens", dek="Corrected dek.")
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    article.refresh_from_db()
    assert (article.headline, article.dek) == ("Karachi port reopens", "Corrected dek.")
    (revision,) = article.revisions.all()
    assert (revision.headline, revision.dek, revision.edited_by) == (
        "Port reopens",
        "The first dek.",
        editor,
    )
    assert "Headline" in LogEntry.objects.get(object_id=str(article.pk)).change_message
    # The original is on the article's page.
    page = client.get(url).content.decode()
    assert "Port reopens" in page and "The first dek." in page

    # The paper updates its story: the body changes, the correction stays.
    changed = record(
        headline="Port reopens after the storm",
        body_text="The port reopened on Saturday after the storm.",
        body_html="<p>The port reopened on Saturday after the storm.</p>",
    )
    stored, outcome = upsert(article.publication, changed)
    assert outcome == Outcome.UPDATED
    assert stored.headline == "Karachi port reopens" and "storm" in stored.body_text


def test_hide_and_show_again_are_logged_and_survive_updates(client, editor, article):
    changelist = reverse("admin:articles_article_changelist")
    client.post(
        changelist, {"action": "hide_articles", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.status == Article.Status.HIDDEN
    assert article not in Article.objects.published()
    # The paper's update does not bring it back.
    stored, _ = upsert(
        article.publication, record(body_text="New text.", status="summary")
    )
    assert stored.status == Article.Status.HIDDEN
    assert stored.status_when_shown == "summary"
    client.post(
        changelist, {"action": "show_articles", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    # What the paper's last update made it.
    assert article.status == Article.Status.SUMMARY_ONLY
    messages = [
        e.get_change_message()
        for e in LogEntry.objects.filter(object_id=str(article.pk)).order_by("pk")
    ]
    assert messages == ["Hidden", "Shown again"]
