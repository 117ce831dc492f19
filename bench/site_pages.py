"""Measure the reader's site at 100,000 articles with wrk on loopback.

    python bench/site_pages.py [--data-dir /tmp/briefings-bench] [--seconds 10]
                               [--servers granian,gunicorn]

Serves the site with each server in --servers (2 workers, one per core; the
first is the one `briefings run` uses) with the page cache (CACHE_URL=locmem://,
warmed), then with the first server without it (dummy://). nginx serves the
same rendered article HTML as a static file during the whole run, and each
cached page's throughput is measured right after nginx's, so the ratio compares
two figures taken under the same background load. Measures the article, home,
region and search pages (and, uncached only, the biggest story's coverage page
and the sitemap index):

- throughput with 2 threads and 20 connections (cached pages vs nginx);
- latency (p50/p95) with 1 connection: one request at a time, so what is
  measured is how long one page takes to build through the real server. (With
  2 connections the kernel hands both, half the time, to the same worker, where
  they share one GIL: the same page measured 20 or 53 ms from one run to the
  next; issue #5's session on 2026-11-28 showed it with `ss -tnp`.)

Prints requests/second, p95 and the ratios to nginx. Targets (issue #4): cached
article and home >= 25% of nginx's requests/second; uncached article p95 < 25
ms, search p95 < 100 ms. Needs /usr/bin/wrk and /usr/sbin/nginx (Debian).
The database comes from bench/generate_articles.py (run first when missing).
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WRK, NGINX = "/usr/bin/wrk", "/usr/sbin/nginx"
BIN = REPO / ".venv" / "bin"
SEARCH = "/search/?q=earthquake+China"
# Measured uncached only (no target; a cached hit is the same front door):
# the biggest story's coverage page and the sitemap index.
UNCACHED_ONLY = {"story", "sitemap"}
REPORT_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %f %f %d %d\\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""
NGINX_CONF = """
worker_processes 2;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  default_type text/html;
  server {{
    listen 127.0.0.1:{port};
    location / {{ root {tmp}/www; try_files /article.html =404; }}
  }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def wrk(url, seconds, threads, connections, lua):
    out = subprocess.run(
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", lua, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"RESULT (\S+) (\S+) (\S+) (\d+) (\d+)", out)
    rps, p50, p95, bad_status, socket_errors = match.groups()
    return {
        "rps": float(rps),
        "p50": float(p50),
        "p95": float(p95),
        "errors": int(bad_status) + int(socket_errors),
    }


SERVERS = {
    "gunicorn": lambda port: [
        str(BIN / "gunicorn"), "briefings.config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "2",
        "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
    ],
    "granian": lambda port: [
        str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
        "--port", str(port), "--workers", "2", "--blocking-threads", "4",
        "--log-level", "warning", "briefings.config.wsgi:application",
    ],
}  # fmt: skip


def serve(server, env, port):
    return subprocess.Popen(SERVERS[server](port), env=env, cwd=REPO)


def pick_paths(env):
    """Return the article path to measure (one from the middle of the river) and
    the biggest story's coverage page (the worst case of that page)."""
    code = (
        "import django; django.setup();"
        "from briefings.articles.models import Article;"
        "from briefings.stories.models import Story;"
        "a = Article.objects.river()[5000]; print(a.get_absolute_url());"
        "s = Story.objects.order_by('-article_count').first();"
        "print(s.get_absolute_url() if s else '/')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO
    )
    return out.stdout.strip().splitlines()[-2:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/briefings-bench")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--servers", default="granian,gunicorn")
    args = parser.parse_args()
    servers = args.servers.split(",")
    data_dir = Path(args.data_dir).resolve()
    if not (data_dir / "briefings.sqlite3").exists():
        subprocess.run(
            [sys.executable, str(REPO / "bench" / "generate_articles.py"),
             "--data-dir", str(data_dir)], check=True,
        )  # fmt: skip
    base_env = {
        **os.environ,
        "BRIEFINGS_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "briefings.config.settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    base_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    article, story = pick_paths(base_env)
    pages = {"article": article, "home": "/", "region": "/region/south-asia/",
             "search": SEARCH, "story": story, "sitemap": "/sitemap.xml"}  # fmt: skip
    runs = [(server, "cached", "locmem://") for server in servers]
    runs.append((servers[0], "uncached", "dummy://"))
    results, loads = {}, []
    with tempfile.TemporaryDirectory(prefix="site-bench-") as tmp:
        os.chmod(tmp, 0o755)  # nginx's workers drop root privileges (user nobody)
        lua = Path(tmp) / "report.lua"
        lua.write_text(REPORT_LUA)
        (Path(tmp) / "www").mkdir()
        nginx_port = free_port()
        nginx_url = f"http://127.0.0.1:{nginx_port}/"
        conf, log = Path(tmp) / "nginx.conf", Path(tmp) / "error.log"
        conf.write_text(NGINX_CONF.format(tmp=tmp, port=nginx_port))
        nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", tmp, "-e", str(log)])
        try:
            for server, mode, cache_url in runs:
                port = free_port()
                process = serve(server, {**base_env, "CACHE_URL": cache_url}, port)
                try:
                    root = f"http://127.0.0.1:{port}"
                    html = wait_for(root + article)
                    (Path(tmp) / "www" / "article.html").write_bytes(html)
                    wait_for(nginx_url)
                    for name, path in pages.items():
                        if mode == "cached" and name in UNCACHED_ONLY:
                            continue
                        for _ in range(20):  # warm both workers' caches
                            wait_for(root + path)
                        url = root + path
                        run = (server, mode, name)
                        loads.append(os.getloadavg()[0])
                        if mode == "cached":
                            results[run + ("nginx",)] = wrk(
                                nginx_url, args.seconds, 2, 20, lua
                            )
                        results[run + ("load",)] = wrk(url, args.seconds, 2, 20, lua)
                        results[run + ("latency",)] = wrk(url, args.seconds, 1, 1, lua)
                finally:
                    process.terminate()
                    process.wait(30)
        finally:
            nginx.terminate()
            nginx.wait(30)
    report(results, len(html), servers, loads)


def report(results, size, servers, loads):
    print(f"\nArticle HTML {size:,} bytes; load average (1 min) during the run "
          f"{min(loads):.1f}-{max(loads):.1f}\n")  # fmt: skip
    print(f"{'server':9} {'page':8} {'mode':8} {'req/s (c=20)':>13} "
          f"{'nginx req/s':>12} {'vs nginx':>9} {'p50 ms (c=1)':>13} "
          f"{'p95 ms (c=1)':>13} {'errors':>7}")  # fmt: skip
    for (server, mode, name, kind), load in results.items():
        if kind != "load":
            continue
        latency = results[(server, mode, name, "latency")]
        nginx = results.get((server, mode, name, "nginx"))
        errors = load["errors"] + latency["errors"]
        versus = f"{load['rps'] / nginx['rps']:9.1%}" if nginx else f"{'':9}"
        nginx_rps = f"{nginx['rps']:12,.0f}" if nginx else f"{'':12}"
        print(f"{server:9} {name:8} {mode:8} {load['rps']:13,.0f} {nginx_rps} "
              f"{versus} {latency['p50']:13.1f} {latency['p95']:13.1f} "
              f"{errors:7}")  # fmt: skip
    first = servers[0]
    for server in servers:
        ratio = min(
            results[(server, "cached", p, "load")]["rps"]
            / results[(server, "cached", p, "nginx")]["rps"]
            for p in ("article", "home")
        )
        print(f"\n{server}: cached article/home vs nginx: {ratio:.1%} (target >= 25%)")
    article = results[(first, "uncached", "article", "latency")]["p95"]
    search = results[(first, "uncached", "search", "latency")]["p95"]
    print(f"uncached article p95 ({first}): {article:.1f} ms (target < 25 ms)")
    print(f"uncached search p95 ({first}): {search:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
