from django.core.management.base import BaseCommand, CommandError

from briefings.network.networkfile import NetworkFileError, load_network
from briefings.network.sync import sync_network


class Command(BaseCommand):
    help = "Load the network file (regions, member papers, feeds) into the database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", help="network file (default: BRIEFINGS_NETWORK_FILE)"
        )
        parser.add_argument(
            "--without-feeds",
            action="store_true",
            help="load the papers but not their feeds",
        )

    def handle(self, *args, **options):
        try:
            network = load_network(options["file"])
        except NetworkFileError as exc:
            raise CommandError(str(exc)) from None
        report = sync_network(network, with_feeds=not options["without_feeds"])
        self.stdout.write(
            f"{network.name}: {len(network.publications)} papers in "
            f"{len(network.regions)} regions; {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged."
        )
