"""Point the member papers at the demo network's feeds, in this database."""

from django.db import transaction

from briefings.demo.rules import RULES_BY_LAYOUT
from briefings.network.models import Feed, Publication


@transaction.atomic
def register_demo_feeds(server, papers, source="feed"):
    """Register each demo paper's feed (loopback allowed) and its layout's
    extraction rule; disable all other feeds. `source="sitemap"` registers each
    paper's full sitemap instead of its feed.

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
        rules = RULES_BY_LAYOUT.get(paper.layout, {})
        if publication.extraction_rules != rules:
            publication.extraction_rules = rules
            publication.save(update_fields=["extraction_rules"])
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
