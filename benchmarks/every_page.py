"""Benchmark: every page of the menu, and the pages of one household, as each kind of officer, on a large database.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/every_page.py --database gn_rv [--users tinh.gialai,huyen.krongpa,xa.iarsuom,admin]
        [--slow 300]

GETs, through Django's test client signed in without a password, every named address that takes no argument
(downloads, exports, templates and sign-out left out) and, for a household of the last commune officer's commune,
its page, form, history and support, one of its members' move, a programme, the officer's commune and district, a
name search, the household list's page 500, the movements and the figures: the best of two calls, with the status,
the statements and the size; a page slower than ``--slow`` milliseconds is marked. Signing in writes a session and
the last sign-in time; a page that queues a background job (the figures being prepared) writes its job row; nothing
else is written. Meant to find the pages whose cost grows with the households of the unit; the numbers go to
docs/performance.md by hand.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LEFT_OUT = ("logout", "password_change", "healthz", "export", "xlsx", "pdf", "zip", "download", "template", "mau")
LEFT_OUT += ("system_check", "job_progress", "job_retry")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--users", default="tinh.gialai,huyen.krongpa,xa.iarsuom,admin")
    parser.add_argument("--slow", type=float, default=300, help="milliseconds above which a page is marked")
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
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

    from accounts.choices import Role
    from accounts.models import User
    from households.models import Household, Member
    from programs.models import Programme

    def names(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
                yield from names(pattern.url_patterns, inner or namespace)
            elif pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    urls = []
    for name in names(get_resolver().url_patterns):
        if name.startswith("admin") or any(part in name for part in LEFT_OUT):
            continue
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue  # it takes arguments
    usernames = args.users.split(",")
    officer = User.objects.filter(username__in=usernames, role=Role.COMMUNE_OFFICER).order_by("-username").first()
    if officer is not None:
        household = Household.objects.filter(commune=officer.unit).order_by("-pk").first()
        member = Member.objects.filter(household=household).first()
        for name in ("households:detail", "households:update", "households:history", "programs:household"):
            urls.append(reverse(name, args=[household.pk]))
        urls.append(reverse("households:member_move", args=[member.pk]))
        urls.append(reverse("areas:detail", args=[officer.unit.pk]))
        urls.append(reverse("areas:detail", args=[officer.unit.parent_id]))
    urls.append(reverse("programs:programme", args=[Programme.objects.order_by("pk").values_list("pk", flat=True)[0]]))
    urls += ["/ho-gia-dinh/?q=nguyen", "/ho-gia-dinh/?page=500"]
    print(f"database {args.database}: {Household.objects.count():,} households; load {os.getloadavg()}")
    for username in usernames:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in urls:
            best = None
            for _ in range(2):
                with CaptureQueriesContext(connection) as context:
                    start = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - start) * 1000
                best = elapsed if best is None else min(best, elapsed)
            mark = "  <== slow" if best > args.slow else ""
            print(
                f"{username:14} {url:48} {response.status_code} {best:8.0f} ms {len(context.captured_queries):4d} "
                f"statements {len(response.content) / 1024:7.0f} KiB{mark}",
                flush=True,
            )


if __name__ == "__main__":
    main()
