"""Benchmark: follow the links of the portal as each kind of officer, timing every kind of page reached.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/crawl_pages.py --database gn_rv [--users tinh.gialai,huyen.krongpa,xa.iarsuom]
        [--per-route 2] [--pages 500] [--slow 300] [--skip-downloads]

`every_page.py` opens the menu's pages, which take no argument; the pages an officer reaches from them (a round, its
meeting, a village's list, an award, a report run, a job, a submission's change…) take an object's key and were
measured only where someone thought of them. This script starts at the home page and follows, breadth first, every
link (``href``) of the portal in each page it gets, through Django's test client signed in without a password. Links
are grouped by their route and the names of their query parameters; each group is opened at most ``--per-route``
times (the first links found, which are the first rows of the lists: the newest or largest objects), so every kind
of page is reached without walking a million households. Each page is timed once, and again when slower than
``--slow`` milliseconds (the best of the two is printed, with the statements and the size); the slow ones are listed
again at the end.

Only GET requests are sent. Signing in writes a session and the last sign-in time; a page that queues a background
job (figures being prepared, an export larger than the request writes) writes its job row, and the jobs queued are
counted at the end (remove them from a measuring copy with no worker: ``DELETE FROM core_jobrun WHERE id > N``);
nothing else is written. ``--skip-downloads`` leaves out files and exports (PDF, Excel, ZIP, and every address
with "xuat"), which otherwise are timed like pages (a download that grows with the unit inside the request is a
defect too).
"""

import argparse
import os
import re
import sys
import time
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Never followed: signing out, the language switch, the admin (benchmarks/admin_pages.py), static files.
NEVER = ("/dang-xuat", "/i18n/", "/admin/", "/static/", "/media/", "mailto:", "javascript:")
DOWNLOADS = ("application/pdf", "application/vnd", "application/zip", "application/octet-stream", "text/csv")
HREF = re.compile(r'href="([^"#]+)')
EXPORTS = ("xuat", ".pdf", ".xlsx", ".zip")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--users", default="tinh.gialai,huyen.krongpa,xa.iarsuom")
    parser.add_argument("--per-route", type=int, default=2, help="links opened per route and query parameters")
    parser.add_argument("--pages", type=int, default=500, help="pages opened at most, per officer")
    parser.add_argument("--slow", type=float, default=300, help="milliseconds above which a page is marked")
    parser.add_argument("--skip-downloads", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DATABASE_URL"] = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[0]}/{args.database}"

    import html
    import logging
    import warnings

    import django

    django.setup()
    logging.disable(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    from accounts.models import User
    from core.models import JobRun
    from households.models import Household

    def route_key(path: str, query: str) -> str | None:
        try:
            match = resolve(path)
        except Resolver404:
            return None
        names = sorted({name for name, _value in parse_qsl(query, keep_blank_values=True)})
        return f"{match.view_name}?{'&'.join(names)}"

    def timed(client, url):
        with CaptureQueriesContext(connection) as context:
            start = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            elapsed = (time.perf_counter() - start) * 1000
        return response, body, elapsed, len(context.captured_queries)

    print(f"database {args.database}: {Household.objects.count():,} households; load {os.getloadavg()}", flush=True)
    slow, last_job = [], JobRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for username in args.users.split(","):
        client = Client()
        client.force_login(User.objects.get(username=username))
        queue, seen_urls, per_route, opened = deque(["/"]), {"/"}, {}, 0
        while queue and opened < args.pages:
            url = queue.popleft()
            response, body, elapsed, statements = timed(client, url)
            kind = response.get("Content-Type", "")
            if args.skip_downloads and kind.startswith(DOWNLOADS):
                continue
            opened += 1
            if elapsed > args.slow:
                again = timed(client, url)
                elapsed, statements = min(elapsed, again[2]), again[3]
            mark = "  <== slow" if elapsed > args.slow else ""
            print(
                f"{username:13} {response.status_code} {elapsed:8.0f} ms {statements:5d} st "
                f"{len(body) / 1024:7.0f} KiB  {url}{mark}",
                flush=True,
            )
            if mark:
                slow.append((elapsed, username, url, statements))
            if response.status_code in (301, 302) and response.get("Location", "").startswith("/"):
                links = [response["Location"]]
            elif "text/html" in kind:
                links = [html.unescape(link) for link in HREF.findall(body.decode("utf-8", "replace"))]
            else:
                continue
            for link in links:
                absolute = urljoin(url, link)
                parts = urlsplit(absolute)
                if parts.netloc and parts.netloc != "testserver":
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target in seen_urls or any(word in target for word in NEVER):
                    continue
                if args.skip_downloads and any(word in target for word in EXPORTS):
                    continue
                key = route_key(parts.path, parts.query)
                if key is None or per_route.get(key, 0) >= args.per_route:
                    continue
                per_route[key] = per_route.get(key, 0) + 1
                seen_urls.add(target)
                queue.append(target)
        print(f"{username}: {opened} pages opened, {len(queue)} links left, {len(per_route)} routes", flush=True)
    queued = JobRun.objects.filter(pk__gt=last_job).count()
    print(f"\nbackground jobs queued by the pages: {queued} (ids above {last_job})")
    print(f"slower than {args.slow:.0f} ms:")
    for elapsed, username, url, statements in sorted(slow, reverse=True):
        print(f"{elapsed:8.0f} ms {statements:5d} st  {username:13} {url}")


if __name__ == "__main__":
    main()
