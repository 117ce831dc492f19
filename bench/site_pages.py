"""Measure the reader's site at 100,000 articles with wrk on loopback.

    python bench/site_pages.py [--data-dir /tmp/briefings-bench] [--seconds 10]

Serves the site with gunicorn (2 gthread workers, as `briefings run`) twice: with
the page cache (CACHE_URL=locmem://, warmed) and without it (dummy://), and in the
same run nginx serving the same rendered article HTML as a static file. Measures
the article, home, region and search pages:

- throughput with 2 threads and 20 connections (cached pages vs nginx);
- latency (p50/p95) with 2 connections, one per worker, so queueing behind
  other requests does not hide how long one page takes to build.

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
GUNICORN = REPO / ".venv" / "bin" / "gunicorn"
SEARCH = "/search/?q=earthquake+China"
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


def gunicorn(env, port):
    return subprocess.Popen(
        [str(GUNICORN), "briefings.config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "gthread", "--threads", "4", "--log-level", "warning"],
        env=env, cwd=REPO,
    )  # fmt: skip


def pick_paths(env):
    """Return the article path to measure (one from the middle of the river)."""
    code = (
        "import django; django.setup();"
        "from briefings.articles.models import Article;"
        "a = Article.objects.river()[5000]; print(a.get_absolute_url())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO
    )
    return out.stdout.strip().splitlines()[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/briefings-bench")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
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
    article = pick_paths(base_env)
    pages = {"article": article, "home": "/", "region": "/region/south-asia/",
             "search": SEARCH}  # fmt: skip
    results = {}
    with tempfile.TemporaryDirectory(prefix="site-bench-") as tmp:
        os.chmod(tmp, 0o755)  # nginx's workers drop root privileges (user nobody)
        lua = Path(tmp) / "report.lua"
        lua.write_text(REPORT_LUA)
        for mode, cache_url in (("cached", "locmem://"), ("uncached", "dummy://")):
            port = free_port()
            server = gunicorn({**base_env, "CACHE_URL": cache_url}, port)
            try:
                root = f"http://127.0.0.1:{port}"
                html = wait_for(root + article)
                (Path(tmp) / "www").mkdir(exist_ok=True)
                (Path(tmp) / "www" / "article.html").write_bytes(html)
                for name, path in pages.items():
                    for _ in range(20):  # warm both workers' caches
                        wait_for(root + path)
                    url = root + path
                    results[(mode, name, "load")] = wrk(url, args.seconds, 2, 20, lua)
                    results[(mode, name, "latency")] = wrk(url, args.seconds, 2, 2, lua)
            finally:
                server.terminate()
                server.wait(30)
        port = free_port()
        (Path(tmp) / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=port))
        conf, log = Path(tmp) / "nginx.conf", Path(tmp) / "error.log"
        nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", tmp, "-e", str(log)])
        try:
            wait_for(f"http://127.0.0.1:{port}/")
            results[("nginx", "article", "load")] = wrk(
                f"http://127.0.0.1:{port}/", args.seconds, 2, 20, lua
            )
        finally:
            nginx.terminate()
            nginx.wait(30)
    report(results, len(html))


def report(results, size):
    nginx = results[("nginx", "article", "load")]["rps"]
    print(f"\nnginx, static article HTML ({size} bytes): {nginx:,.0f} req/s\n")
    print(f"{'page':8} {'mode':8} {'req/s (c=20)':>13} {'vs nginx':>9} "
          f"{'p50 ms (c=2)':>13} {'p95 ms (c=2)':>13} {'errors':>7}")  # fmt: skip
    for (mode, name, kind), load in sorted(results.items()):
        if mode == "nginx" or kind != "load":
            continue
        latency = results[(mode, name, "latency")]
        errors = load["errors"] + latency["errors"]
        print(f"{name:8} {mode:8} {load['rps']:13,.0f} {load['rps'] / nginx:9.1%} "
              f"{latency['p50']:13.1f} {latency['p95']:13.1f} {errors:7}")  # fmt: skip
    article = results[("uncached", "article", "latency")]["p95"]
    search = results[("uncached", "search", "latency")]["p95"]
    cached = min(results[("cached", p, "load")]["rps"] for p in ("article", "home"))
    print(f"\ncached article/home vs nginx: {cached / nginx:.1%} (target >= 25%)")
    print(f"uncached article p95: {article:.1f} ms (target < 25 ms)")
    print(f"uncached search p95: {search:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
