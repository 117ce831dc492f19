import sys
from datetime import date

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from briefings.newsletter.curate import RedraftRefused, draft
from briefings.newsletter.deliver import (
    approve,
    eligible_subscribers,
    send_edition,
)
from briefings.newsletter.models import Delivery, Edition
from briefings.newsletter.render import render_edition
from briefings.newsletter.schedule import edition_day
from briefings.newsletter.subscribe import MAIL_LIMIT, unsubscribe_by_mail

ACTIONS = ["draft", "preview", "approve", "send", "status", "unsubscribe-mail"]


class Command(BaseCommand):
    help = (
        "Draft, preview, approve, send or show the state of an edition; "
        "unsubscribe-mail reads a mail to the List-Unsubscribe address on stdin."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument(
            "--date", help="edition date YYYY-MM-DD (default: today, newsletter time)"
        )
        parser.add_argument(
            "--approve", action="store_true", help="send: approve a draft first"
        )
        parser.add_argument(
            "--resume", action="store_true", help="send: resume a paused edition"
        )
        parser.add_argument(
            "--text", action="store_true", help="preview: the plain-text part"
        )
        parser.add_argument(
            "--redo",
            action="store_true",
            help="draft: draft again an edition that has not started sending",
        )
        parser.add_argument(
            "--discard-edits",
            action="store_true",
            help="draft --redo: replace an editor's changes too",
        )

    def handle(self, *args, action, **options):
        self.console = Console(file=self.stdout, highlight=False)
        if action == "unsubscribe-mail":
            return self.unsubscribe_mail()
        day = self.day(options["date"])
        getattr(self, action)(day, options)

    def unsubscribe_mail(self):
        raw = sys.stdin.buffer.read(MAIL_LIMIT + 1)
        done = unsubscribe_by_mail(raw)
        # Exit 0 either way: an MTA would bounce a failed pipe back to the sender.
        self.stdout.write("unsubscribed" if done else "no valid unsubscribe token")

    def day(self, text):
        if not text:
            from django.utils import timezone

            return edition_day(timezone.now())
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {text!r}") from None

    def edition(self, day):
        edition = Edition.objects.filter(date=day).first()
        if edition is None:
            raise CommandError(f"no edition for {day}; run `newsletter draft` first")
        return edition

    def draft(self, day, options):
        try:
            edition = draft(
                day, redo=options["redo"], discard_edits=options["discard_edits"]
            )
        except RedraftRefused as refused:
            raise CommandError(f"draft: {refused}") from None
        self.console.print(
            f"{edition}: {edition.status}, {edition.items.count()} items",
            markup=False,
        )
        if edition.skip_reason:
            self.console.print(f"skipped: {edition.skip_reason}", markup=False)
        for item in edition.items.select_related("article__publication"):
            self.console.print(
                f"{item.position:>2}. {item.article.headline} "
                f"({item.article.publication.name})",
                markup=False,
            )

    def preview(self, day, options):
        edition = self.edition(day)
        if edition.status == Edition.Status.SKIPPED:
            raise CommandError(
                f"preview: {edition} was skipped ({edition.skip_reason}); "
                "`newsletter draft --redo` drafts it again"
            )
        rendered = render_edition(edition)
        self.stdout.write(rendered.text if options["text"] else rendered.html)

    def approve(self, day, options):
        edition = self.edition(day)
        if not approve(edition):
            raise CommandError(f"{edition} is {edition.status}, not a draft")
        self.console.print(f"{edition} approved")

    def send(self, day, options):
        edition = self.edition(day)
        if edition.status == Edition.Status.DRAFT:
            if not options["approve"]:
                raise CommandError(
                    f"{edition} is a draft; approve it first or pass --approve"
                )
            approve(edition)
        total = eligible_subscribers(edition).count()
        with Progress(console=self.console, transient=True) as progress:
            task = progress.add_task("Sending", total=total)

            def advance(report):
                progress.update(
                    task, completed=report.sent + report.bounced + report.failed
                )

            report = send_edition(
                edition, on_progress=advance, resume_paused=options["resume"]
            )
        if report is None:
            edition.refresh_from_db()
            raise CommandError(f"{edition} is {edition.status}; nothing sent")
        self.console.print(
            f"sent {report.sent}, bounced {report.bounced}, failed {report.failed}, "
            f"retried {report.retried}"
            + (" (paused)" if report.paused else "")
            + ("; closed the edition" if report.closed else "")
        )
        self.status(day, options)

    def status(self, day, options):
        edition = self.edition(day)
        table = Table(title=f"{edition}: {edition.status}")
        counts = dict(
            Delivery.objects.filter(edition=edition)
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        for status in Delivery.Status.values:
            table.add_column(status, justify="right")
        table.add_row(*(str(counts.get(s, 0)) for s in Delivery.Status.values))
        self.console.print(table)
        if edition.pause_reason:
            self.console.print(f"paused: {edition.pause_reason}", markup=False)
