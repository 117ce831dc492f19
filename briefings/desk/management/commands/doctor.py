from django.core.management.base import BaseCommand, CommandError

from briefings.desk.doctor import FAIL, OK, WARN, diagnose

MARKS = {OK: "ok  ", WARN: "WARN", FAIL: "FAIL"}


class Command(BaseCommand):
    help = (
        "Check the configuration, the email settings and every member paper's "
        "feeds; say what to fix. Exits 1 when something fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-feeds", action="store_true", help="skip reading the feeds"
        )
        parser.add_argument(
            "--quiet", action="store_true", help="show only what needs fixing"
        )

    def handle(self, *args, **options):
        findings = diagnose(feeds=not options["no_feeds"])
        for finding in findings:
            if options["quiet"] and finding.level == OK:
                continue
            self.stdout.write(
                f"{MARKS[finding.level]} {finding.area}: {finding.message}"
            )
            if finding.fix:
                self.stdout.write(f"     fix: {finding.fix}")
        failed = sum(f.level == FAIL for f in findings)
        warned = sum(f.level == WARN for f in findings)
        self.stdout.write(f"{len(findings)} checks: {failed} failed, {warned} warnings")
        if failed:
            raise CommandError(f"{failed} check(s) failed; see the fixes above")
