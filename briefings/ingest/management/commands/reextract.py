from django.core.management.base import BaseCommand, CommandError

from briefings.articles.models import Article
from briefings.ingest.reextract import reextract_article
from briefings.network.models import Publication


class Command(BaseCommand):
    help = (
        "Fetch a paper's stored articles again and re-apply the current extraction "
        "rules; report what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--publication", required=True, help="the paper's slug")
        parser.add_argument("--limit", type=int, default=200, help="newest N articles")
        parser.add_argument(
            "--dry-run", action="store_true", help="report changes without saving them"
        )

    def handle(self, *args, **options):
        try:
            publication = Publication.objects.get(slug=options["publication"])
        except Publication.DoesNotExist:
            raise CommandError(f"no publication {options['publication']!r}") from None
        articles = Article.objects.from_publication(publication).order_by(
            "-published_at"
        )[: options["limit"]]
        counts = {"changed": 0, "unchanged": 0, "failed": 0}
        for article in articles:
            result = reextract_article(article, save=not options["dry_run"])
            counts[result.outcome] += 1
            if result.outcome != "unchanged":
                self.stdout.write(f"{result.outcome}: {article.canonical_url}")
                for line in result.details:
                    self.stdout.write(f"    {line}")
        verb = "would change" if options["dry_run"] else "changed"
        self.stdout.write(
            f"{publication.name}: {counts['changed']} {verb}, "
            f"{counts['unchanged']} unchanged, {counts['failed']} failed."
        )
