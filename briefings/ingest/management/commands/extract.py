import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from briefings.articles.sanitize import sanitize_html
from briefings.ingest.extract import ExtractionError, extract_page


class Command(BaseCommand):
    help = "Print the extraction of a saved article page as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a saved HTML page")
        parser.add_argument("--url", required=True, help="the URL the page came from")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            html = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            extraction = extract_page(html, options["url"])
        except ExtractionError as exc:
            raise CommandError(f"no article extracted: {exc}") from None
        extraction.body_html = sanitize_html(extraction.body_html, options["url"])
        data = extraction.as_json()
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
