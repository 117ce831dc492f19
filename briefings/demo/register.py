"""Point the member papers at the demo network's feeds, in this database."""

from django.db import transaction

from briefings.demo.rules import RULES_BY_LAYOUT
from briefings.network.hosts import host_of_url
from briefings.network.models import Feed, Publication


@transaction.atomic
def register_demo_feeds(server, papers, source="feed"):
    """Register each demo paper's feed (loopback allowed), its layout's
    extraction rule and its own site; disable all other feeds. `source="sitemap"`
    registers each paper's full sitemap instead of its feed.

    The demo serves every paper from one host, each under its own path, so a
    paper's own hosts become that path ("127.0.0.1:8001/dawn/"): as on the live
    network, a demo paper's feed can store only that paper's articles.

    Return the number of demo feeds registered.
    """
    urls = []
    publications = Publication.objects.in_bulk(
        [p.slug for p in papers], field_name="slug"
    )
    for paper in papers:
        publication = publications.get(paper.slug)
        if publication is None or not paper.items:
            continue
        publication.extraction_rules = RULES_BY_LAYOUT.get(paper.layout, {})
        publication.hosts = [host_of_url(server.homepage_url(paper.slug))]
        publication.save(update_fields=["extraction_rules", "hosts"])
        if source == "sitemap":  # every story the paper has, not the latest 50
            url = server.homepage_url(paper.slug) + "sitemap.xml"
        else:
            url = server.feed_url(paper.slug)
        urls.append(url)
        Feed.objects.update_or_create(
            url=url,
            defaults={
                "publication": publication,
                "origin": Feed.Origin.DEMO,
                "allow_private_network": True,
                "enabled": True,
                "poll_interval": 300,
                "next_check_at": None,
            },
        )
    Feed.objects.exclude(url__in=urls).update(enabled=False)
    return len(urls)
