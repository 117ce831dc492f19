"""Group a stream of articles exactly as the live system would
(`briefings stories cluster STREAM.jsonl`), on a scratch database.

Each input line is {"id", "title", "date", "body", "publication"}, in arrival
order. Every article is stored and assigned by `assign.assign_article`, as the
ingest's `article_stored` signal does; the scheduler's hourly re-check
(`rebuild.recheck_recent`) runs on the stream's own clock, at the end of every
hour in which an article arrived (an hour with no arrival would regroup what the
last re-check regrouped) and once after the last article. Then one line
{"id", "story"} per input line, in input order, gives the article's final story
(the story's id; {"id", "error"} for a line that is not an article).

`run_in_scratch` is what the command calls: it runs this module's `cluster` in
a child process whose database is a new SQLite file in a temporary folder, so
nothing needs setting up and no real database is touched.
"""

import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from io import StringIO

from django.core.management import call_command
from django.utils.text import slugify

HOUR = timedelta(hours=1)
MAX_LINE = 2_000_000  # bytes; a longer line is refused


def run_in_scratch(path, stdout, stderr):
    """Run `briefings stories cluster --scratch PATH` in a child process on a
    new SQLite database in a temporary folder; copy its output. Return its exit
    status."""
    with tempfile.TemporaryDirectory(prefix="briefings-cluster-") as folder:
        if path == "-":
            path = os.path.join(folder, "stream.jsonl")
            with open(path, "w", encoding="utf-8") as copy:
                for line in sys.stdin:
                    copy.write(line)
        env = {
            **os.environ,
            "BRIEFINGS_DATA_DIR": folder,
            "DATABASE_URL": f"sqlite:///{folder}/scratch.sqlite3",
        }
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "briefings",
                "stories",
                "cluster",
                "--scratch",
                path,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        stdout.write(done.stdout)
        if done.stderr:
            stderr.write(done.stderr)
        return done.returncode


def parse(line):
    """Return (id, title, body, published datetime, publication name) of a
    stream line; raise ValueError when it is not one."""
    if len(line) > MAX_LINE:
        raise ValueError("line too long")
    row = json.loads(line)
    if not isinstance(row, dict):
        raise ValueError("not an object")
    title, body = row.get("title") or "", row.get("body") or ""
    publication = row.get("publication") or "stream"
    if not all(isinstance(v, str) for v in (title, body, publication)):
        raise ValueError("title, body and publication must be text")
    key = row.get("id")
    if not isinstance(key, str | int) or isinstance(key, bool):
        raise ValueError("id must be text or a number")
    return key, title, body, _moment(row.get("date")), publication


def _moment(value):
    """A date (noon UTC) or a datetime (UTC when naive), as in the stream."""
    text = str(value or "")
    if len(text) == 10:
        day = datetime.strptime(text, "%Y-%m-%d")
        return day.replace(hour=12, tzinfo=UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Papers:
    """The stream's publications: a network paper of that slug, else a paper
    made for the stream (its country and region do not matter to grouping)."""

    def __init__(self):
        from briefings.network.models import Country, Publication, Region

        self.model = Publication
        self.by_slug = {p.slug: p for p in Publication.objects.all()}
        self.country = Country.objects.order_by("code").first()
        self.region = Region.objects.order_by("pk").first()

    def get(self, name):
        slug = slugify(name)[:50] or "stream"
        if slug not in self.by_slug:
            self.by_slug[slug] = self.model.objects.create(
                slug=slug,
                name=name[:200],
                country=self.country,
                region=self.region,
                homepage=f"https://{slug}.invalid/",
            )
        return self.by_slug[slug]


def cluster(lines, out):
    """Store, assign and re-check the stream `lines` in this (scratch)
    database; write one {"id", "story"} line per input line to `out`."""
    from briefings.articles.models import Article
    from briefings.stories.assign import assign_article
    from briefings.stories.models import StoryMembership
    from briefings.stories.rebuild import recheck_recent

    call_command("migrate", verbosity=0, stdout=StringIO())
    call_command("sync_network", verbosity=0, stdout=StringIO())
    papers = _Papers()
    results = []  # (id, article pk or None, error)
    due = None  # the end of the hour holding the latest arrival: the next re-check
    for n, line in enumerate(lines, 1):
        try:
            key, title, body, at, publication = parse(line)
        except (ValueError, TypeError) as error:
            results.append((None, None, f"line {n}: {error}"))
            continue
        if due is not None and at >= due:
            recheck_recent(due)
        due = at.replace(minute=0, second=0, microsecond=0) + HOUR
        paper = papers.get(publication)
        article = Article.objects.create(
            publication=paper,
            canonical_url=f"{paper.homepage}{n}",
            headline=title[:500],
            body_text=body,
            published_at=at,
            updated_at=at,
        )
        assign_article(article)
        results.append((key, article.pk, None))
    if due is not None:
        recheck_recent(due)
    story_of = dict(StoryMembership.objects.values_list("article_id", "story_id"))
    for key, pk, error in results:
        row = (
            {"id": key, "error": error} if error else {"id": key, "story": story_of[pk]}
        )
        out.write(json.dumps(row) + "\n")
