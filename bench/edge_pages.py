"""Measure the nginx tier (issue #17) against nginx serving a plain static file.

    python bench/edge_pages.py [--data-dir /tmp/briefings-bench] [--seconds 10]
                               [--rounds 3] [--articles 1000]

Starts the site with granian (2 workers, page cache on locmem://, the page files
on: BRIEFINGS_PAGE_FILES_DIR) and one nginx (2 workers) running the shipped
deploy/nginx/briefings.conf (its port and paths changed, as the tests do) and,
on a second port of the same nginx, a plain static server answering every path
with one rendered article's HTML: the baseline. Every page is requested once
through nginx first, so the page cache writes its file; a sample is checked to
come from a file (X-Page-Cache: file).

wrk (2 threads, 20 connections) then cycles through --articles distinct cached
article pages, and separately requests the home page, against the tier and
against the baseline with the same request lines (the same Lua script), in
--rounds interleaved rounds (the order alternates each round). For comparison,
also: a third nginx server answering the same pages from a plain copy of the
files (`${uri}index.html`; no symlink, maps or headers), since many distinct
29 KB pages cost nginx more than one hot file does and that server tells that
cost from the tier's own; and granian alone (the front door, no nginx) on the
home page (a thousand articles outgrow a worker's local-memory cache). Prints
requests/second, p50/p95/p99 and the 1-minute load of each measurement, and per
page the ratio tier/baseline of each round. Target (issue #17 item 6): >= 80%.
Needs /usr/bin/wrk and /usr/sbin/nginx; the database comes from
bench/generate_articles.py (run first when missing).
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parents[1]
WRK, NGINX = "/usr/bin/wrk", "/usr/sbin/nginx"
SHIPPED = REPO / "deploy" / "nginx" / "briefings.conf"
GRANIAN = Path(sys.executable).parent / "granian"
SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%f %%f %%f %%f %%d %%d\\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""
MAIN_CONF = """
worker_processes 2;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;  # as Debian's nginx.conf (both servers)
    tcp_nopush on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/briefings.conf;
    server {{
        listen 127.0.0.1:{static_port};
        root {tmp}/www;
        location / {{ try_files /article.html =404; }}
    }}
    server {{
        listen 127.0.0.1:{copy_port};
        root {tmp}/copy;
        location / {{ try_files ${{uri}}index.html =404; }}
    }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=60):
    """Return (headers, body) of `url`, waiting for the server to answer."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.headers, response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def shipped_config(app_port, port, pages):
    text = SHIPPED.read_text()
    for shipped, ours in {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 80;": f"listen 127.0.0.1:{port};",
        "root /var/lib/briefings/pages;": f"root {pages};",
    }.items():
        assert text.count(shipped) == 1, shipped
        text = text.replace(shipped, ours)
    return text


def article_paths(env, count):
    """Return `count` article addresses spread over the river."""
    code = (
        "import django; django.setup();"
        "from briefings.articles.models import Article;"
        "ids = list(Article.objects.river().values_list('pk', flat=True)[:20000]);"
        f"step = max(1, len(ids) // {count});"
        "articles = Article.objects.in_bulk(ids[::step]);"
        "urls = [a.get_absolute_url() for a in articles.values()];"
        f"print('\\n'.join(urls[:{count}]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    return out.stdout.split()


def wrk(port, script, seconds):
    out = subprocess.run(
        [WRK, "-t2", "-c20", f"-d{seconds}s", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    match = re.search(r"RESULT (\S+) (\S+) (\S+) (\S+) (\d+) (\d+)", out)
    rps, p50, p95, p99, status, sockets = match.groups()
    return {
        "rps": float(rps),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "errors": int(status) + int(sockets),
        "load": os.getloadavg()[0],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/briefings-bench")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    if not (data_dir / "briefings.sqlite3").exists():
        subprocess.run(
            [sys.executable, str(REPO / "bench" / "generate_articles.py"),
             "--data-dir", str(data_dir)], check=True,
        )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="edge-bench-") as tmp:
        os.chmod(tmp, 0o755)  # nginx's workers drop root privileges (user nobody)
        measure(args, data_dir, Path(tmp))


def measure(args, data_dir, tmp):
    port, static_port, app_port = free_port(), free_port(), free_port()
    copy_port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "BRIEFINGS_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "briefings.config.settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "CACHE_URL": "locmem://",
        "BRIEFINGS_PAGE_FILES_DIR": str(tmp / "pages"),
        "BRIEFINGS_SITE_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    articles = article_paths(env, args.articles)
    (tmp / "briefings.conf").write_text(shipped_config(app_port, port, tmp / "pages"))
    (tmp / "nginx.conf").write_text(
        MAIN_CONF.format(tmp=tmp, static_port=static_port, copy_port=copy_port)
    )
    (tmp / "www").mkdir()
    scripts = {}
    for page, paths in (("articles", articles), ("home", ["/"])):
        (tmp / f"{page}.txt").write_text("\n".join(paths) + "\n")
        scripts[page] = tmp / f"{page}.lua"
        scripts[page].write_text(SCRIPT % {"paths": tmp / f"{page}.txt"})
    app = subprocess.Popen(
        [str(GRANIAN), "--interface", "wsgi", "--host", "127.0.0.1",
         "--port", str(app_port), "--workers", "2", "--blocking-threads", "4",
         "--log-level", "warning", "briefings.config.wsgi:application"],
        env=env, cwd=REPO,
    )  # fmt: skip
    nginx = subprocess.Popen(
        [NGINX, "-c", str(tmp / "nginx.conf"), "-p", str(tmp), "-e",
         str(tmp / "error.log")]
    )  # fmt: skip
    try:
        tier = f"http://127.0.0.1:{port}"
        size = warm(tier, articles, tmp)
        for _ in range(5):  # granian alone: both workers' caches (Host differs)
            get(f"http://127.0.0.1:{app_port}/")
        ports = {"tier": port, "baseline": static_port, "copy": copy_port}
        results = run_rounds(args, scripts, ports, app_port)
    finally:
        nginx.terminate()
        app.terminate()
        nginx.wait(30)
        app.wait(30)
    report(results, size, len(articles), args)


def warm(tier, articles, tmp):
    """Request every page through nginx until its file is written; check that a
    sample comes from a file; keep one article as the baseline's static file."""
    for path in ["/", *articles]:
        get(tier + path)
    for path in ["/", *articles[:: max(1, len(articles) // 50)]]:
        headers, body = get(tier + path)
        if headers["X-Page-Cache"] != "file":
            raise RuntimeError(f"{path} is not served from a file: {headers}")
    (tmp / "www" / "article.html").write_bytes(body)
    shutil.copytree(tmp / "pages" / "current", tmp / "copy")
    return len(body)


def run_rounds(args, scripts, ports, app_port):
    results = []
    for n in range(args.rounds):
        for page, script in scripts.items():
            order = [(name, ports[name]) for name in ("baseline", "tier")]
            if n % 2:
                order.reverse()
            order.append(("copy", ports["copy"]))
            if page == "home":  # a thousand articles outgrow a worker's cache
                order.append(("granian", app_port))
            for name, at in order:
                result = wrk(at, script, args.seconds)
                result.update(round=n + 1, page=page, server=name)
                results.append(result)
                print(
                    f"round {n + 1} {page:8} {name:8} {result['rps']:9,.0f} req/s "
                    f"p50 {result['p50']:.2f} p95 {result['p95']:.2f} p99 "
                    f"{result['p99']:.2f} ms errors {result['errors']} "
                    f"load {result['load']:.1f}",
                    flush=True,
                )
    return results


def report(results, size, articles, args):
    print(
        f"\nArticle HTML {size:,} bytes; {articles} distinct article pages; "
        f"{args.rounds} rounds of {args.seconds} s; wrk -t2 -c20"
    )
    print(
        f"{'page':9} {'server':9} {'req/s (median)':>15} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'errors':>7} {'load':>9}"
    )
    by = {}
    for result in results:
        by.setdefault((result["page"], result["server"]), []).append(result)
    for (page, server), runs in by.items():
        loads = [r["load"] for r in runs]
        print(
            f"{page:9} {server:9} {median(r['rps'] for r in runs):15,.0f} "
            f"{median(r['p50'] for r in runs):7.2f} "
            f"{median(r['p95'] for r in runs):7.2f} "
            f"{median(r['p99'] for r in runs):7.2f} "
            f"{sum(r['errors'] for r in runs):7} "
            f"{min(loads):4.1f}-{max(loads):.1f}"
        )
    print()
    for page in ("articles", "home"):
        base = [r["rps"] for r in by[(page, "baseline")]]
        ratios = [r["rps"] / b for r, b in zip(by[(page, "tier")], base, strict=True)]
        copy = [r["rps"] / b for r, b in zip(by[(page, "copy")], base, strict=True)]
        alone = by.get((page, "granian"), [])
        granian = [r["rps"] / b for r, b in zip(alone, base[: len(alone)], strict=True)]
        print(
            f"{page}: nginx tier / nginx static file, per round: "
            f"{', '.join(f'{r:.0%}' for r in ratios)}; median {median(ratios):.0%} "
            f"(target >= 80%); the same pages as plain files: median "
            f"{median(copy):.0%}"
            + (f"; granian alone: median {median(granian):.0%}" if granian else "")
        )


if __name__ == "__main__":
    main()
