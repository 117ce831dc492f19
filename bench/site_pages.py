"""Measure the reader's site as it ships, at 100,000 articles, with wrk on loopback.

    python bench/site_pages.py [--database sqlite|postgres] [--data-dir DIR]
                               [--seconds 8] [--rounds 3] [--seed 16]

What ships is what is measured (issue #16):

- The server is started by the function `briefings run` uses
  (`briefings.ingest.system.web_server_command`), with the settings read from
  this process's environment as `briefings run` reads them: granian, 2 workers
  (BRIEFINGS_WEB_WORKERS), no access log (BRIEFINGS_ACCESS_LOG), the page cache
  as shipped (CACHE_URL=locmem://, "cached", warmed until every page hits; kept
  an hour, see CACHED_ENV) and, for the uncached figures, the same server with
  CACHE_URL=dummy://.
- Many distinct pages, drawn from the database with a seeded random generator
  (`draw_urls`): 500 articles, the rivers (home, every region, country and paper
  page, and their pages 2-5 through the real "before" cursors), 100 story pages
  (the largest among them, and measured alone too), 200 searches made of two
  words of a headline, and the sitemap index. wrk's Lua script cycles through a
  kind's list (each round starts further on), never one repeated URL.
- nginx as a production static server (worker_processes 2, sendfile on,
  tcp_nopush on, access_log off) serves the same 500 rendered article pages as
  static files, cycled the same way; the cached pages' throughput is taken right
  after nginx's, and the ratio pairs the two.
- Latency with 1 connection: one request at a time, so what is measured is how
  long one page takes to build through the real server. (With 2 connections the
  kernel hands both, half the time, to the same worker, where they share one
  GIL: the same page measured 20 or 53 ms from one run to the next; issue #5's
  session on 2026-11-28 showed it with `ss -tnp`.) Throughput: 2 threads, 20
  connections.
- At least 3 interleaved rounds (nginx, cached, uncached in turn in each round);
  each figure printed is the median of the rounds, with `uptime`'s load of each
  round.

Targets (#14, #16.3): uncached article, home p95 < 25 ms; search p95 < 50 ms
and p99 < 100 ms; sitemap index and the largest story page p95 < 50 ms; cached
article and home requests/second as a share of nginx's (earlier: 16-35%).
Needs /usr/bin/wrk and /usr/sbin/nginx (Debian). The database comes from
bench/generate_articles.py (run first when missing; for PostgreSQL it fills
DATABASE_URL, by default briefings_site_bench on 127.0.0.1:5432).
"""

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
WRK, NGINX = "/usr/bin/wrk", "/usr/sbin/nginx"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/briefings_site_bench"
DEFAULT_DIRS = {"sqlite": "/tmp/briefings-bench", "postgres": "/tmp/site-bench-pg"}

# How many distinct pages of each kind the bench draws.
ARTICLES, STORIES, QUERIES, RIVER_PAGES = 500, 100, 200, 5
# The kinds measured uncached (latency, 1 connection), and cached (throughput
# against nginx, 20 connections).
UNCACHED = ("article", "home", "river", "story", "largest-story", "search", "sitemap")
CACHED = ("article", "home")
TARGETS = {  # kind -> {percentile: ms}, uncached
    "article": {"p95": 25},
    "home": {"p95": 25},
    "search": {"p95": 50, "p99": 100},
    "sitemap": {"p95": 50},
    "largest-story": {"p95": 50},
}
# Words a search made from a headline leaves out: they find everything.
STOPWORDS = set(
    "about after analysis explainer follow from have into live opinion over "
    "pictures says than that their there they this update were what when which "
    "will with".split()
)

# wrk: cycle through the paths in the file given after "--", each thread from
# its own place in the list; "warm" counts the answers the front door did not
# give from the page cache (no X-Page-Cache: hit), to know when it is warm.
LUA = """
local paths, n, counter = {}, 0, 0
local warm = false
local threads = {}
misses = 0

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(paths, line) end
  end
  local offset = tonumber(args[2] or "0") + (thread_index or 0) * 7919
  counter = offset % #paths
  warm = args[3] == "warm"
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function response(status, headers, body)
  if warm then
    local hit = headers["X-Page-Cache"] or headers["x-page-cache"]
    if hit ~= "hit" then misses = misses + 1 end
  end
end

function done(summary, latency, requests)
  local missed = 0
  for _, thread in ipairs(threads) do missed = missed + (thread:get("misses") or 0) end
  io.write(string.format("RESULT %f %f %f %f %d %d %d %d\\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout, missed))
end
"""

NGINX_CONF = """
worker_processes 2;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  sendfile on;
  tcp_nopush on;
  access_log off;
  keepalive_requests 100000;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  default_type text/html;
  server {{
    listen 127.0.0.1:{port};
    root {tmp}/www;
    location / {{ try_files $uri/index.html =404; }}
  }}
}}
"""


def setup_django(data_dir, database, database_url=None):
    """Point this process's environment at the bench database, as `briefings
    run` would read it, and set Django up. The servers get the same environment."""
    os.environ["BRIEFINGS_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "briefings.config.settings"
    os.environ["DEBUG"] = "false"
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if database == "postgres":
        os.environ["DATABASE_URL"] = database_url or POSTGRES_URL
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def server_command(port):
    """The command `briefings run` starts the site with, on 127.0.0.1:`port`
    (workers and access log from the settings, as `briefings run` takes them)."""
    from briefings.ingest.system import web_server_command

    return web_server_command(f"127.0.0.1:{port}")


def search_queries(headlines, count, rng):
    """`count` distinct searches, each two words (4+ letters, no stopword) of one
    headline drawn at random."""
    queries, seen, tries = [], set(), 0
    while len(queries) < count and tries < count * 50:
        tries += 1
        headline = rng.choice(headlines).lower()
        words = sorted(set(re.findall(r"[^\W\d_]{4,}", headline)) - STOPWORDS)
        if len(words) < 2:
            continue
        query = " ".join(rng.sample(words, 2))
        if query not in seen:
            seen.add(query)
            queries.append(query)
    return queries


def river_pages(path, queryset, pages):
    """`path` and its next `pages - 1` pages, through the cursors the river's
    "older stories" link carries (web/pagination.py)."""
    from briefings.web.pagination import page_after

    urls, cursor = [path], ""
    for _ in range(pages - 1):
        _articles, cursor = page_after(queryset, cursor)
        if not cursor:
            break
        urls.append(f"{path}?{urlencode({'before': cursor})}")
    return urls


def draw_urls(
    seed=16, articles=ARTICLES, stories=STORIES, queries=QUERIES, pages=RIVER_PAGES
):
    """Return {kind: [path, ...]}: distinct pages of each kind, drawn from the
    database with random.Random(seed), in the order wrk visits them."""
    from django.urls import reverse

    from briefings.articles.models import Article
    from briefings.network.models import Country, Publication, Region
    from briefings.stories.models import Story
    from briefings.web import rivers

    rng = random.Random(seed)
    rows = sorted(Article.objects.published().values_list("id", "headline"))
    drawn = rng.sample(rows, min(articles, len(rows)))
    article_urls = [
        Article(id=pk, headline=headline).get_absolute_url() for pk, headline in drawn
    ]
    river_urls = river_pages("/", rivers.everything(), pages)[1:]  # home: its own kind
    for region in Region.objects.order_by("slug"):
        river_urls += river_pages(
            region.get_absolute_url(), rivers.in_region(region), pages
        )
    papers = Publication.objects.enabled().order_by("slug")
    codes = sorted(set(papers.values_list("country__code", flat=True)) - {None})
    for country in Country.objects.filter(code__in=codes).order_by("code"):
        river_urls += river_pages(
            country.get_absolute_url(), rivers.in_country(country), pages
        )
    for paper in papers:
        river_urls += river_pages(
            paper.get_absolute_url(), rivers.from_publication(paper), pages
        )
    rng.shuffle(river_urls)
    story_ids = sorted(Story.objects.values_list("id", flat=True))
    largest = Story.objects.order_by("-article_count", "id").values_list(
        "id", flat=True
    )[:1]
    largest_urls = [reverse("story", args=[pk]) for pk in largest]
    others = [pk for pk in story_ids if pk not in set(largest)]
    chosen = list(largest) + rng.sample(others, min(stories - 1, len(others)))
    rng.shuffle(chosen)
    headlines = [headline for _, headline in rows]
    searches = search_queries(headlines, queries, rng) if headlines else []
    return {
        "article": article_urls,
        "home": ["/"],
        "river": river_urls,
        "story": [reverse("story", args=[pk]) for pk in chosen],
        "largest-story": largest_urls,
        "search": [f"/search/?{urlencode({'q': q})}" for q in searches],
        "sitemap": ["/sitemap.xml"],
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.read()
        except urllib.error.HTTPError:
            raise  # the server answered, with an error
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def check_pages(base, urls):
    """Fetch every drawn page once (no redirects followed); raise unless each
    answers 200, since wrk counts only 4xx and 5xx as errors."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    wrong = []
    for kind, paths in urls.items():
        for path in paths:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                wrong.append(f"{kind} {path}: {response.status}")
    connection.close()
    if wrong:
        raise RuntimeError("pages that do not answer 200:\n" + "\n".join(wrong))


def wrk(base, paths_file, seconds, threads, connections, lua, offset=0, mode=""):
    out = subprocess.run(
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(lua), base, "--", str(paths_file), str(offset), mode],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    match = re.search(r"RESULT " + " ".join([r"(\S+)"] * 8), out)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    rps, p50, p95, p99, count, bad_status, socket_errors, misses = match.groups()
    return {
        "rps": float(rps),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "requests": int(count),
        "errors": int(bad_status) + int(socket_errors),
        "misses": int(misses),
    }


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


class Bench:
    def __init__(self, tmp, urls, seconds):
        self.tmp, self.urls, self.seconds = Path(tmp), urls, seconds
        self.lua = self.tmp / "cycle.lua"
        self.lua.write_text(LUA)
        self.files = {}
        for kind, paths in urls.items():
            self.files[kind] = self.tmp / f"{kind}.txt"
            self.files[kind].write_text("\n".join(paths) + "\n")
        self.results = []  # dicts: round, server, kind, measure, wrk figures, load

    def run(self, round_, server, base, kind, threads, connections, **extra):
        load = os.getloadavg()[0]
        # Each round starts somewhere else in the list (golden-ratio steps spread
        # the starts over it), so the rounds visit different pages.
        offset = int(round_ * 0.618034 * len(self.urls[kind]))
        figures = wrk(
            base, self.files[kind], self.seconds, threads, connections, self.lua, offset
        )
        row = {"round": round_, "server": server, "kind": kind, "load": load,
               "connections": connections, **figures, **extra}  # fmt: skip
        self.results.append(row)
        print(f"  {server:8} {kind:13} c={connections:<2} {figures['rps']:9,.0f} req/s "
              f"p50 {figures['p50']:6.1f} p95 {figures['p95']:6.1f} "
              f"p99 {figures['p99']:6.1f} ms  errors {figures['errors']}  "
              f"load {load:.1f}", flush=True)  # fmt: skip
        return row

    def warm(self, base, kind, limit=600):
        """Visit `kind`'s pages until a pass of at least twice the list finds
        every one in the page cache (X-Page-Cache: hit; each worker has its own
        locmem cache); return the seconds it took."""
        started, enough = time.monotonic(), 2 * len(self.urls[kind])
        while time.monotonic() - started < limit:
            figures = wrk(base, self.files[kind], 3, 2, 20, self.lua, 0, "warm")
            if figures["misses"] == 0 and figures["requests"] >= enough:
                return round(time.monotonic() - started)
        print(f"  warning: {kind} still missed the cache after {limit} s")
        return limit


# The cached server keeps its pages an hour instead of BRIEFINGS_PAGE_CACHE_SECONDS'
# 10 minutes: what is measured is a hit, and pages stored in one round must not
# expire in the middle of a later round's 8 seconds. (The time-to-live bounds how
# stale a page may get; it does not change what a hit costs.)
CACHED_ENV = {"CACHE_URL": "locmem://", "BRIEFINGS_PAGE_CACHE_SECONDS": "3600"}
UNCACHED_ENV = {"CACHE_URL": "dummy://"}


def start_server(port, overrides):
    env = {**os.environ, **overrides}
    return subprocess.Popen(server_command(port), env=env, cwd=REPO)


def start_nginx(tmp, article_html):
    www = Path(tmp) / "www"
    for path, html in article_html.items():
        folder = www / path.strip("/")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_bytes(html)
    port = free_port()
    conf = Path(tmp) / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port))
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp), "-e", str(Path(tmp) / "error.log")]
    )
    return process, f"http://127.0.0.1:{port}"


def stop(process):
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", help=f"PostgreSQL (default {POSTGRES_URL})")
    parser.add_argument("--data-dir")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--json", help="also write every run's figures here")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or DEFAULT_DIRS[args.database]).resolve()
    generate = [sys.executable, str(REPO / "bench" / "generate_articles.py"),
                "--data-dir", str(data_dir)]  # fmt: skip
    if args.database == "postgres":
        env = {**os.environ, "DATABASE_URL": args.database_url or POSTGRES_URL}
        subprocess.run(generate, check=True, env=env)  # reuses a full database
    elif not (data_dir / "briefings.sqlite3").exists():
        subprocess.run(generate, check=True)
    setup_django(data_dir, args.database, args.database_url)
    from django.db import connections

    started = time.perf_counter()
    urls = draw_urls(seed=args.seed)
    connections.close_all()
    print(f"Drew {', '.join(f'{len(v)} {k}' for k, v in urls.items())} pages "
          f"(seed {args.seed}) in {time.perf_counter() - started:.0f} s")  # fmt: skip
    print("Server:", " ".join(server_command(0)))
    print(f"Cached: {CACHED_ENV}; uncached: {UNCACHED_ENV}")
    with tempfile.TemporaryDirectory(prefix="site-bench-") as tmp:
        os.chmod(tmp, 0o755)  # nginx's workers drop root privileges (user nobody)
        bench = Bench(tmp, urls, args.seconds)
        ports = {"cached": free_port(), "uncached": free_port()}
        servers = {
            "cached": start_server(ports["cached"], CACHED_ENV),
            "uncached": start_server(ports["uncached"], UNCACHED_ENV),
        }
        bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        nginx = None
        try:
            fetch(bases["uncached"] + "/robots.txt")
            fetch(bases["cached"] + "/robots.txt")
            check_pages(bases["cached"], urls)  # and a first visit of each
            html = {path: fetch(bases["uncached"] + path) for path in urls["article"]}
            nginx, bases["nginx"] = start_nginx(tmp, html)
            fetch(bases["nginx"] + urls["article"][0])
            size = statistics.median(len(h) for h in html.values())
            print(f"nginx serves the {len(html)} articles' HTML (median {size:,.0f} "
                  f"bytes) as static files")  # fmt: skip
            loads = []
            for round_ in range(args.rounds):
                print(f"Round {round_ + 1}: {uptime()}", flush=True)
                loads.append(os.getloadavg()[0])
                for kind in CACHED:
                    warmed = bench.warm(bases["cached"], kind)
                    bench.run(round_, "nginx", bases["nginx"], "article", 2, 20,
                              versus=kind)  # fmt: skip
                    bench.run(round_, "cached", bases["cached"], kind, 2, 20,
                              warm_seconds=warmed)  # fmt: skip
                # Rotate the uncached kinds' order from one round to the next.
                order = (
                    UNCACHED[round_ % len(UNCACHED) :]
                    + UNCACHED[: round_ % len(UNCACHED)]
                )
                for kind in order:
                    bench.run(round_, "uncached", bases["uncached"], kind, 1, 1)
            loads.append(os.getloadavg()[0])
            final = uptime()
        finally:
            for process in servers.values():
                stop(process)
            if nginx:
                stop(nginx)
    if args.json:
        Path(args.json).write_text(json.dumps(bench.results, indent=1))
    report(bench.results, args, final, {k: len(v) for k, v in urls.items()})


def medians(rows, key):
    return statistics.median(row[key] for row in rows)


def report(results, args, final_uptime, counts):
    def rows(server, kind, versus=None):
        return [r for r in results if r["server"] == server and r["kind"] == kind
                and r.get("versus", versus) == versus]  # fmt: skip

    rounds = len({r["round"] for r in results})
    loads = [r["load"] for r in results]
    print(f"\n{args.database}: medians of {rounds} interleaved rounds; load average "
          f"(1 min) {min(loads):.1f}-{max(loads):.1f} during the runs; at the end: "
          f"{final_uptime}\n")  # fmt: skip
    print("Uncached (CACHE_URL=dummy://), 1 connection:")
    print(f"{'page':14} {'pages':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'req/s':>6} {'served':>6} {'errors':>6}  target")  # fmt: skip
    verdicts = []
    for kind in UNCACHED:
        measured = rows("uncached", kind)
        figures = {p: medians(measured, p) for p in ("p50", "p95", "p99", "rps")}
        errors = sum(r["errors"] for r in measured)
        served = sum(r["requests"] for r in measured)  # few: percentiles are rough
        target = TARGETS.get(kind, {})
        met = all(figures[p] < ms for p, ms in target.items())
        wanted = ", ".join(f"{p} < {ms} ms" for p, ms in target.items())
        verdict = f"{wanted}: {'met' if met else 'NOT met'}" if target else ""
        if target:
            verdicts.append((kind, verdict))
        pages = counts[kind]
        print(f"{kind:14} {pages:>5} {figures['p50']:7.1f} {figures['p95']:7.1f} "
              f"{figures['p99']:7.1f} {figures['rps']:6.0f} {served:6} {errors:6}  "
              f"{verdict}")  # fmt: skip
    print(
        f"\nCached ({CACHED_ENV}, warm), 2 threads x 20 connections, against "
        "nginx serving the articles' HTML just before:"
    )
    print(f"{'page':8} {'req/s':>8} {'nginx':>8} {'ratio':>6} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")  # fmt: skip
    for kind in CACHED:
        cached, nginx = rows("cached", kind), rows("nginx", "article", kind)
        ratios = [c["rps"] / n["rps"] for c, n in zip(cached, nginx, strict=True)]
        errors = sum(r["errors"] for r in cached + nginx)
        print(f"{kind:8} {medians(cached, 'rps'):8,.0f} {medians(nginx, 'rps'):8,.0f} "
              f"{statistics.median(ratios):6.1%} {medians(cached, 'p50'):7.2f} "
              f"{medians(cached, 'p95'):7.2f} {medians(cached, 'p99'):7.2f} "
              f"{errors:6}   (by round: "
              f"{', '.join(f'{r:.1%}' for r in ratios)})")  # fmt: skip
    print()
    for kind, verdict in verdicts:
        print(f"uncached {kind}: {verdict}")


if __name__ == "__main__":
    main()
