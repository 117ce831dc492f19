from django.core.management.base import BaseCommand, CommandError

from briefings.ingest.normalize import canonical_url
from briefings.network.hosts import HostError, overlaps, parse_host, rules
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
        parser.add_argument(
            "--host",
            action="append",
            default=[],
            help="add a site (host[:port][/path/]) to the paper's own hosts, whose "
            "articles alone its feeds may store; until the next sync_network, "
            "which sets the network file's list (repeatable)",
        )

    def handle(self, *args, **options):
        url = options["url"]
        if not canonical_url(url):
            raise CommandError(f"not an http(s) URL: {url!r}")
        try:
            publication = Publication.objects.get(slug=options["publication"])
        except Publication.DoesNotExist:
            raise CommandError(f"no publication {options['publication']!r}") from None
        self.add_hosts(publication, options["host"])
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

    def add_hosts(self, publication, hosts):
        """Add `hosts` to the paper's own; refuse one that another paper owns too
        (it could then store that paper's articles), as the network file does."""
        others = Publication.objects.exclude(pk=publication.pk)
        for host in hosts:
            try:
                rule = parse_host(host)
            except HostError as exc:
                raise CommandError(f"--host: {exc}") from None
            for other in others:
                if any(overlaps(rule, theirs) for theirs in rules(other.hosts)):
                    raise CommandError(f"--host: {other.slug} owns {host!r} too")
        added = [host for host in hosts if host not in publication.hosts]
        if added:
            publication.hosts = [*publication.hosts, *added]
            publication.save(update_fields=["hosts"])
