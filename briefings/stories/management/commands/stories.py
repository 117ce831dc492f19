import argparse
import json
import os
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from briefings.stories.assign import rule, stored_idf
from briefings.stories.models import DocumentFrequency
from briefings.stories.similarity import Idf, signature, text_terms
from briefings.stories.tiers import judge

MAX_LINE = 2_000_000  # bytes; a longer line is skipped


class Command(BaseCommand):
    help = (
        "Same-story grouping: judge pairs, rebuild all stories, re-check recent ones."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        judge = sub.add_parser("judge", help="score JSON-lines pairs {a, b}")
        judge.add_argument("pairs", help="JSON Lines file, or - for standard input")
        cluster = sub.add_parser(
            "cluster",
            help="group a JSON-lines stream {id, title, date, body, publication} "
            "as the live system would, on a scratch database",
        )
        cluster.add_argument("stream", help="JSON Lines file, or - for standard input")
        # Internal: the child process on the scratch database (stream.py).
        cluster.add_argument("--scratch", action="store_true", help=argparse.SUPPRESS)
        sub.add_parser("rebuild", help="recompute every story")
        recheck = sub.add_parser("recheck", help="regroup the recent articles")
        recheck.add_argument("--days", type=int, default=3)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "judge":
            self.judge(options["pairs"])
            return
        if action == "cluster":
            self.cluster(options["stream"], options["scratch"])
            return
        if not _database_set_up():
            raise CommandError("no database set up: run `briefings migrate` first")
        if action == "rebuild":
            from briefings.stories.rebuild import rebuild

            self.stdout.write(f"stories rebuilt: {rebuild()} stored changes")
        else:
            from briefings.stories.rebuild import recheck

            self.stdout.write(f"stories re-checked: {recheck(options['days'])} changes")

    def cluster(self, path, scratch):
        from briefings.stories import stream

        if not scratch:
            if path != "-" and not os.path.isfile(path):
                raise CommandError(f"cannot read {path}")
            status = stream.run_in_scratch(path, self.stdout, self.stderr)
            if status:
                raise CommandError(f"clustering the stream failed (status {status})")
            return
        try:
            lines = open(path, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        with lines:
            stream.cluster(lines, self.stdout)

    def judge(self, path):
        import sys

        try:
            stream = sys.stdin if path == "-" else open(path, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        with stream:
            pairs = [self.parse(n, line) for n, line in enumerate(stream, 1)]
        docs = [side for pair in pairs if pair for side in pair]
        term_lists = [text_terms(d["title"], d["body"]) for d in docs]
        # Document frequencies as the live system knows them, plus these texts.
        vocabulary = set().union(*term_lists) if term_lists else set()
        idf = Idf()
        if _database_set_up():
            live = stored_idf(vocabulary)
            idf = Idf(dict(live.df), live.n)
        else:  # judging needs no database; it is only less informed without one
            self.stderr.write(
                "no database set up (run `briefings migrate`): document "
                "frequencies come from these pairs alone"
            )
        for term_list in term_lists:
            idf.add(set(term_list))
        current = rule()
        index = 0
        for pair in pairs:
            if pair is None:
                self.stdout.write(json.dumps({"error": "invalid pair"}))
                continue
            a, b = (
                signature(d["title"], d["body"], d["at"], idf, term_lists[index + i])
                for i, d in enumerate(pair)
            )
            index += 2
            judged = judge(a, b, current.weights.window_days)
            self.stdout.write(
                json.dumps(
                    {
                        "score": round(judged.score, 4),
                        "same_story": judged.score >= current.threshold,
                        "same_thread": judged.same_thread,
                    }
                )
            )

    def parse(self, number, line):
        """Return the pair on `line` as two dicts (title, body, at), or None."""
        if len(line) > MAX_LINE:
            return None
        try:
            pair = json.loads(line)
            return tuple(_side(pair[key]) for key in ("a", "b"))
        except (ValueError, KeyError, TypeError, AttributeError):
            self.stderr.write(f"line {number}: not a pair of title/date/body")
            return None


def _database_set_up():
    """Tell whether the stories' tables exist (`briefings migrate` has run)."""
    return DocumentFrequency._meta.db_table in connection.introspection.table_names()


def _side(side):
    date = datetime.strptime(str(side["date"])[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    title, body = side.get("title") or "", side.get("body") or ""
    if not isinstance(title, str) or not isinstance(body, str):
        raise TypeError("title and body must be text")
    return {"title": title, "body": body, "at": int(date.timestamp()) + 12 * 3600}


__all__ = ["Command", "CommandError"]
