from django.core.management.base import BaseCommand, CommandError

from briefings.ingest.normalize import canonical_url
from briefings.network.models import Feed, Publication


class Command(BaseCommand):
    help = "Add (or update) a feed of a member paper."

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument("--publication", required=True, help="the paper's slug")
        parser.add_argument(
            "--allow-private-network",
            action="store_true",
            help="allow fetching this feed from loopback or private addresses",
        )

    def handle(self, *args, **options):
        url = options["url"]
        if not canonical_url(url):
            raise CommandError(f"not an http(s) URL: {url!r}")
        try:
            publication = Publication.objects.get(slug=options["publication"])
        except Publication.DoesNotExist:
            raise CommandError(f"no publication {options['publication']!r}") from None
        feed, created = Feed.objects.update_or_create(
            url=url,
            defaults={
                "publication": publication,
                "allow_private_network": options["allow_private_network"],
                "enabled": True,
            },
        )
        self.stdout.write(
            f"{'Added' if created else 'Updated'} {feed.url} for {publication}."
        )
