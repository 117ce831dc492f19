"""A hostile member paper may not rewrite, or take credit for, another paper's
articles (issue #11, item 2). Every paper is served from its own loopback site;
the network file's hosts say which site is whose."""

import pytest

from briefings.articles.models import Article, ArticleRevision
from briefings.demo.register import register_demo_feeds
from briefings.ingest.pipeline import refresh
from briefings.network.models import Feed, Publication

from .conftest import LoopbackSite, Route, give_hosts

ITEM = """<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>
<pubDate>{date}</pubDate><description>{title}.</description></item>"""
EARLY = "Fri, 22 Nov 2019 08:00:00 +0000"
LATE = "Fri, 22 Nov 2019 14:00:00 +0000"


def item(title, link, guid, date=EARLY):
    return ITEM.format(title=title, link=link, guid=guid, date=date)


def rss(*items):
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def page(text, head=""):
    paragraphs = "".join(f"<p>{text} Sentence number {n} of it.</p>" for n in range(8))
    return Route(
        f"<html><head>{head}</head><body><article>{paragraphs}</article>"
        "</body></html>".encode(),
        headers={"Content-Type": "text/html"},
    )


VICTIM_TEXT = "The flood waters receded from the old town on Saturday morning."
ATTACKER_TEXT = "An invented account that the attacking paper wants to plant."


@pytest.fixture
def other_site():
    other = LoopbackSite()
    yield other
    other.stop()


def paper_on(slug, site, prefix="/"):
    """The paper `slug` owning `site` (under `prefix`), with its feed there."""
    publication = Publication.objects.get(slug=slug)
    give_hosts(publication, site.host + prefix)
    return Feed.objects.create(
        publication=publication,
        url=site.url(prefix + "feed"),
        allow_private_network=True,
    )


@pytest.fixture
def victim(network, site):
    """Dawn, on `site`, with one story in its feed and on its page."""
    site.routes["/news/1"] = page(VICTIM_TEXT)
    site.routes["/feed"] = Route(rss(item("Flood recedes", site.url("/news/1"), "v1")))
    return paper_on("dawn", site)


@pytest.fixture
def attacker(network, other_site):
    """The Nation, on `other_site`: the test writes its feed."""
    other_site.routes["/own/1"] = page("The attacking paper's own honest story.")
    return paper_on("the-nation-thailand", other_site)


def test_another_papers_article_url_in_a_feed_changes_nothing(
    victim, attacker, site, other_site
):
    assert refresh(victim).new == 1
    before = Article.objects.get()
    other_site.routes["/feed"] = Route(
        rss(
            item("Invented headline", site.url("/news/1"), "a1", LATE),
            item("The attacker's own story", other_site.url("/own/1"), "a2"),
        )
    )
    report = refresh(attacker)
    assert (report.new, report.updated, report.skipped) == (1, 0, 1)
    assert any(
        "not on the paper's own hosts" in p and site.url("/news/1") in p
        for p in report.problems
    )
    after = Article.objects.get(pk=before.pk)
    assert (after.headline, after.body_text, after.publication_id) == (
        before.headline,
        before.body_text,
        victim.publication_id,
    )
    assert not ArticleRevision.objects.exists()
    theirs = Article.objects.filter(publication=attacker.publication)
    assert [a.canonical_url for a in theirs] == [other_site.url("/own/1")]


def test_a_scoop_listed_first_by_another_paper_stays_the_victims(
    victim, attacker, site, other_site
):
    other_site.routes["/feed"] = Route(
        rss(item("Flood recedes", site.url("/news/1"), "a1"))
    )
    report = refresh(attacker)
    assert (report.new, report.skipped) == (0, 1)
    assert not Article.objects.exists()

    assert refresh(victim).new == 1
    article = Article.objects.get()
    assert article.publication == victim.publication
    assert article.feed == victim
    assert VICTIM_TEXT in article.body_text


def test_an_own_link_redirecting_to_another_papers_host_is_refused(
    victim, attacker, site, other_site
):
    other_site.routes["/r/1"] = Route(b"", 301, {"Location": site.url("/news/1")})
    other_site.routes["/feed"] = Route(
        rss(item("Flood recedes", other_site.url("/r/1"), "a1"))
    )
    report = refresh(attacker)
    assert (report.new, report.skipped) == (0, 1)
    assert any(site.url("/news/1") in p for p in report.problems)
    assert not Article.objects.exists()
    # Nothing was fetched but the redirect and the page it pointed at.
    assert refresh(victim).new == 1
    assert Article.objects.get().publication == victim.publication


def test_a_canonical_link_to_another_papers_site_is_not_taken(network, site):
    """One host, a path each (as in the demo): the attacker's page names the
    victim's URL as its canonical; its copy stays its own, the victim's intact."""
    victim = paper_on("dawn", site, "/victim/")
    attacker = paper_on("the-nation-thailand", site, "/attacker/")
    victim_url = site.url("/victim/news/1")
    site.routes["/victim/news/1"] = page(VICTIM_TEXT)
    site.routes["/victim/feed"] = Route(rss(item("Flood recedes", victim_url, "v1")))
    site.routes["/attacker/copy"] = page(
        ATTACKER_TEXT, f'<link rel="canonical" href="{victim_url}">'
    )
    site.routes["/attacker/feed"] = Route(
        rss(item("Invented headline", site.url("/attacker/copy"), "a1", LATE))
    )
    refresh(victim)
    report = refresh(attacker)
    assert report.new == 1
    original = Article.objects.get(publication=victim.publication)
    assert (original.canonical_url, original.headline) == (victim_url, "Flood recedes")
    assert VICTIM_TEXT in original.body_text
    copy = Article.objects.get(publication=attacker.publication)
    assert copy.canonical_url == site.url("/attacker/copy")


def test_two_papers_with_the_same_path_on_their_own_hosts_both_store(
    network, site, other_site
):
    dawn = paper_on("dawn", site)
    star = paper_on("the-star", other_site)
    for each, text in ((site, VICTIM_TEXT), (other_site, ATTACKER_TEXT)):
        each.routes["/news/2019/flood"] = page(text)
        each.routes["/feed"] = Route(
            rss(item("Flood", each.url("/news/2019/flood"), "same-guid"))
        )
    assert refresh(dawn).new == 1
    assert refresh(star).new == 1
    stored = {
        a.publication.slug: a for a in Article.objects.select_related("publication")
    }
    assert stored["dawn"].canonical_url == site.url("/news/2019/flood")
    assert stored["the-star"].canonical_url == other_site.url("/news/2019/flood")
    assert VICTIM_TEXT in stored["dawn"].body_text
    assert ATTACKER_TEXT in stored["the-star"].body_text


def test_a_syndicated_copy_on_its_own_host_is_linked_never_merged(
    victim, attacker, site, other_site
):
    refresh(victim)
    other_site.routes["/syndicated/1"] = page(VICTIM_TEXT)
    other_site.routes["/feed"] = Route(
        rss(item("Flood recedes", other_site.url("/syndicated/1"), "s1", LATE))
    )
    assert refresh(attacker).new == 1
    original = Article.objects.get(publication=victim.publication)
    copy = Article.objects.get(publication=attacker.publication)
    assert copy.canonical_url == other_site.url("/syndicated/1")
    assert copy.duplicate_of == original and original.duplicate_of is None


def test_a_demo_paper_cannot_list_another_demo_papers_story(network, demo_server, site):
    """The demo serves every paper from one host; each owns only its path."""
    net, server = demo_server
    first, second = [p for p in net.papers if p.items][:2]
    register_demo_feeds(server, [first, second])
    publication = Publication.objects.get(slug=first.slug)
    assert publication.hosts == [server.homepage_url(first.slug).split("://")[1]]
    site.routes["/feed"] = Route(
        rss(
            item("Stolen", server.article_url(second.slug, second.items[0]), "x1"),
            item("Own", server.article_url(first.slug, first.items[0]), "x2"),
        )
    )
    hostile = Feed.objects.create(
        publication=publication, url=site.url("/feed"), allow_private_network=True
    )
    report = refresh(hostile)
    assert (report.new, report.skipped) == (1, 1)
    assert Article.objects.get().canonical_url == server.article_url(
        first.slug, first.items[0]
    )


def test_reextracting_a_page_that_now_redirects_to_another_paper_changes_nothing(
    victim, attacker, site, other_site
):
    from briefings.ingest.reextract import reextract_article

    other_site.routes["/feed"] = Route(
        rss(item("Own story", other_site.url("/own/1"), "a1"))
    )
    refresh(attacker)
    article = Article.objects.get(publication=attacker.publication)
    site.routes["/news/1"] = page(VICTIM_TEXT)
    other_site.routes["/own/1"] = Route(b"", 301, {"Location": site.url("/news/1")})
    result = reextract_article(article)
    assert result.outcome == "failed"
    assert "not on the paper's own hosts" in result.details[0]
    article.refresh_from_db()
    assert VICTIM_TEXT not in article.body_text


def test_reextracting_obeys_robots_txt_on_every_hop(attacker, site, other_site):
    """`briefings reextract` fetches as ingest does: a redirect to a path the
    target host's robots.txt disallows is refused before it is requested."""
    from briefings.ingest.reextract import reextract_article

    other_site.routes["/feed"] = Route(
        rss(item("Own story", other_site.url("/own/2"), "a2"))
    )
    other_site.routes["/own/2"] = page("The paper's own story, as first published.")
    other_site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /moved/\n")
    refresh(attacker)
    article = Article.objects.get(publication=attacker.publication)
    other_site.routes["/own/2"] = Route(
        b"", 301, {"Location": other_site.url("/moved/2")}
    )
    other_site.routes["/moved/2"] = page("A page robots.txt keeps us from.")
    result = reextract_article(article)
    assert result.outcome == "failed"
    assert not any(path == "/moved/2" for path, _ in other_site.requests)
