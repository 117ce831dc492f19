from django.core.management.base import BaseCommand, CommandError

from briefings.ingest.discover import find_feeds
from briefings.ingest.fetch import FetchError
from briefings.ingest.pipeline import polite_fetch, robots_cache
from briefings.ingest.politeness import HostDeferred
from briefings.network.models import Feed, Publication


def without_working_feed(publications):
    """Return the publications with no enabled feed that is new or healthy."""
    working = Feed.objects.filter(enabled=True).exclude(
        health__in=[Feed.Health.FAILING, Feed.Health.DISABLED]
    )
    return publications.exclude(pk__in=working.values("publication"))


class Command(BaseCommand):
    help = (
        "Find feeds (or news sitemaps) on the homepages of papers with no working "
        "feed, and add the best one found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--publication", help="only this paper (slug), working feed or not"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be added, add none"
        )
        parser.add_argument(
            "--allow-private-network",
            action="store_true",
            help="allow loopback or private addresses (and the feeds added)",
        )

    def handle(self, *args, **options):
        publications = Publication.objects.enabled()
        if options["publication"]:
            publications = publications.filter(slug=options["publication"])
            if not publications:
                raise CommandError(f"no publication {options['publication']!r}")
        else:
            publications = without_working_feed(publications)
        for publication in publications:
            self.discover(publication, options)

    def discover(self, publication, options):
        allow_private = options["allow_private_network"]
        slug = publication.slug
        try:
            # As ingest fetches: robots.txt and the host's gate on every hop.
            found = find_feeds(
                publication.homepage,
                allow_private=allow_private,
                fetcher=polite_fetch,
                robots=robots_cache(),
            )
        except (FetchError, HostDeferred) as exc:
            self.stdout.write(f"{slug}: cannot read {publication.homepage}: {exc}")
            return
        if not found:
            self.stdout.write(f"{slug}: no feed or sitemap found")
            return
        best, others = found[0], found[1:]
        if options["dry_run"]:
            self.stdout.write(f"{slug}: would add {best.url} ({best.kind})")
        else:
            feed, created = Feed.objects.get_or_create(
                url=best.url,
                defaults={
                    "publication": publication,
                    "kind": best.kind,
                    "origin": Feed.Origin.MANUAL,
                    "evidence": "discovered",
                    "allow_private_network": allow_private,
                },
            )
            if feed.publication_id != publication.pk:
                self.stdout.write(
                    f"{slug}: {best.url} already belongs to {feed.publication.slug}"
                )
                return
            verb = "added" if created else "already has"
            self.stdout.write(f"{slug}: {verb} {feed.url} ({best.kind})")
        for other in others:
            self.stdout.write(f"{slug}:   also found {other.url} ({other.kind})")
