"""sitemap.xml, the Google News sitemap and robots.txt."""

from datetime import datetime, timedelta

from lxml import etree

from django.utils import timezone

from briefings.articles.models import Article

from ..factories import make_article, make_story

NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "n": "http://www.google.com/schemas/sitemap-news/0.9",
}


def xml(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return etree.fromstring(response.content)


def test_sitemap_index_lists_pages_and_articles(client, network):
    article = make_article("dawn")
    index = xml(client, "/sitemap.xml")
    sections = [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]
    assert any(s.endswith("/sitemap-pages.xml") for s in sections)
    assert any(s.endswith("/sitemap-articles.xml") for s in sections)
    pages = [u.text for u in xml(client, "/sitemap-pages.xml").findall(".//s:loc", NS)]
    assert "http://127.0.0.1:8000/region/south-asia/" in pages
    assert "http://127.0.0.1:8000/publication/dawn/" in pages
    assert "http://127.0.0.1:8000/country/pk/" in pages
    locs = xml(client, "/sitemap-articles.xml").findall(".//s:loc", NS)
    assert [u.text for u in locs] == [
        "http://127.0.0.1:8000" + article.get_absolute_url()
    ]


def section_dates(index):
    """{section file name: its <lastmod>} of the sections that have one."""
    dates = {}
    for sitemap in index.findall("s:sitemap", NS):
        name = sitemap.findtext("s:loc", namespaces=NS).rsplit("/", 1)[-1]
        lastmod = sitemap.findtext("s:lastmod", namespaces=NS)
        if lastmod:
            dates[name] = datetime.fromisoformat(lastmod)
    return dates


def test_the_index_dates_each_section_by_its_latest_update(client, network):
    now = timezone.now().replace(microsecond=0)
    day = timedelta(days=1)
    first = make_article("dawn", published_at=now - 3 * day, updated_at=now - 3 * day)
    second = make_article("the-star", published_at=now - 2 * day, updated_at=now - day)
    # Neither a hidden article nor one dated ahead is in the sitemap or its date.
    hidden = make_article("dawn", published_at=now - day, updated_at=now)
    Article.objects.filter(pk=hidden.pk).update(status=Article.Status.HIDDEN)
    make_article("dawn", published_at=now + day, updated_at=now + day)
    make_story([first, second])
    dates = section_dates(xml(client, "/sitemap.xml"))
    assert dates["sitemap-articles.xml"] == now - day  # the second's update
    assert dates["sitemap-stories.xml"] == now - 2 * day  # its last report
    locs = xml(client, "/sitemap-articles.xml").findall(".//s:loc", NS)
    assert len(locs) == 2


def test_news_sitemap_has_only_the_last_two_days(client, network):
    fresh = make_article(
        "dawn",
        headline='Fresh & "new" <story>',
        published_at=timezone.now() - timedelta(hours=1),
    )
    make_article("dawn", published_at=timezone.now() - timedelta(days=3))
    tree = xml(client, "/news-sitemap.xml")
    urls = tree.findall("s:url", NS)
    assert len(urls) == 1
    assert urls[0].findtext("s:loc", namespaces=NS).endswith(fresh.get_absolute_url())
    assert urls[0].findtext(".//n:title", namespaces=NS) == fresh.headline
    assert urls[0].findtext(".//n:name", namespaces=NS) == "Eastern Briefings"


def test_robots_txt_points_to_the_sitemaps(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain"
    lines = response.content.decode().splitlines()
    assert "Disallow: /search/" in lines
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in lines
    assert "Sitemap: http://127.0.0.1:8000/news-sitemap.xml" in lines


def test_favicon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/web/favicon.svg")


def test_article_pages_are_runs_of_ids_and_list_every_article_once(
    client, network, monkeypatch
):
    """Issue #16: the index counts no articles and a page skips none; every
    published article is on exactly one page, whatever the gaps in the ids."""
    from briefings.web.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    now = timezone.now()
    articles = [
        make_article("dawn", published_at=now - timedelta(hours=n)) for n in range(7)
    ]
    Article.objects.filter(pk=articles[2].pk).update(status=Article.Status.HIDDEN)
    Article.objects.filter(pk=articles[3].pk).update(
        published_at=now + timedelta(days=1)
    )
    articles[4].delete()
    shown = {a for i, a in enumerate(articles) if i not in (2, 3, 4)}
    sections = [
        loc.text
        for loc in xml(client, "/sitemap.xml").findall("s:sitemap/s:loc", NS)
        if "sitemap-articles.xml" in loc.text
    ]
    span = max(a.pk for a in shown) - min(a.pk for a in shown)
    assert len(sections) == span // 2 + 1
    listed = []
    for section in sections:
        path = section.removeprefix("http://127.0.0.1:8000")
        listed += [u.text for u in xml(client, path).findall(".//s:loc", NS)]
    expected = {"http://127.0.0.1:8000" + a.get_absolute_url() for a in shown}
    assert sorted(listed) == sorted(expected)
    pages = len(sections)
    for beyond in (f"?p={pages + 1}", "?p=0", "?p=x"):
        assert client.get(f"/sitemap-articles.xml{beyond}").status_code == 404
