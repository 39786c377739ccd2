"""Benchmark: every page of the Django admin on a benchmark database, as the superuser.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/admin_pages.py --database gn_rv [--repeat 3] [--only household,benefit]
        [URL ...]

Read-only (GETs through the test client, signed in without a password). For each registered model: its list, the
list searched ("?q=nguyen"), its page 500 and its last page, its newest object's change page and its add page; then
any URL given. Prints the best of ``--repeat`` times, the statements (Django's capture stops counting at 9.000),
the status and the size, and flags a page over 150 ms. Numbers go to docs/performance.md ("The Django admin at a
million households") by hand.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MS = 150


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True, help="the database to read (the million-household province)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many GETs per page")
    parser.add_argument("--only", default="", help="comma-separated model names (household,benefit); all if empty")
    parser.add_argument("urls", nargs="*", help="more admin URLs to time")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DATABASE_URL"] = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[0]}/{args.database}"

    import logging
    import warnings

    import django

    django.setup()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    from django.contrib import admin
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.filter(is_superuser=True).order_by("pk").first())
    only = {name for name in args.only.split(",") if name}

    def timed(url: str) -> None:
        best = None
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
            best = elapsed if best is None else min(best, elapsed)
        flag = "  SLOW" if best > TARGET_MS else ""
        size = len(response.content) // 1024
        print(f"{best:9.1f} ms {len(queries):5d} q {response.status_code} {size:6d} KB {url}{flag}", flush=True)

    for model in admin.site._registry:
        meta = model._meta
        if only and meta.model_name not in only:
            continue
        base = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        urls = [base, f"{base}?q=nguyen", f"{base}?p=500"]
        response = client.get(base)
        paginator = getattr(response.context_data.get("cl"), "paginator", None) if response.status_code == 200 else None
        if paginator is not None and paginator.num_pages > 1:
            urls.append(f"{base}?p={paginator.num_pages}")
        newest = model._default_manager.order_by("-pk").only("pk").first()
        if newest is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[newest.pk]))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        for url in urls:
            timed(url)
    for url in args.urls:
        timed(url)


if __name__ == "__main__":
    main()
