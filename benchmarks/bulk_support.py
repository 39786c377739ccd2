"""Benchmark: a commune's bulk support recorded by programs.bulk, rolled back.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/bulk_support.py --database gn_rv [--flow electricity|training] [--user xa.iarsai]
        [--year 2026] [--quarter 4] [--limit N] [--repeat 1] [--checkout /work/main]

``electricity``: reads the candidates as the payment job does (``selectors.electricity_candidates`` as the officer,
on the quarter's last day), then pays the first ``--limit`` of them (all if 0) with ``bulk.electricity_quarter_pay``.
``training``: a course's participants, the first ``--limit`` members (1.000 if 0) of those households as the rows of
an uploaded file (household code, name, date of birth), confirmed with ``bulk.training_course_import``.
Every run is inside ``transaction.atomic()`` with ``transaction.set_rollback(True)``: nothing is left behind (checked
at the end). ``--checkout`` imports the code of another checkout (e.g. main, for the "before" numbers). Prints the wall
time of the reading and of the recording, the statements the recording sent (counted with
``connection.execute_wrapper``, every one) and the load average. Numbers go to docs/performance.md ("Bulk support
recorded as one batch") by hand.
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True, help="the database to read (the million-household province)")
    parser.add_argument("--flow", choices=["electricity", "training"], default="electricity")
    parser.add_argument("--user", default="xa.iarsai", help="the commune officer who pays")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--quarter", type=int, default=4)
    parser.add_argument("--limit", type=int, default=0, help="pay only the first N candidates (0: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs, each rolled back")
    parser.add_argument("--checkout", default=str(ROOT), help="the checkout whose code is measured")
    args = parser.parse_args()
    sys.path.insert(0, args.checkout)
    os.chdir(args.checkout)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DATABASE_URL"] = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[0]}/{args.database}"

    import logging
    import warnings

    import django

    django.setup()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    from django.db import connection, transaction

    from accounts.models import User
    from households.models import Member
    from programs import bulk, selectors
    from programs.excel import SheetRow
    from programs.models import Benefit, Programme

    user = User.objects.get(username=args.user)
    paid_on = min(bulk.quarter_end(args.year, args.quarter), date.today())
    for run in range(args.repeat):
        started = time.perf_counter()
        households = list(selectors.electricity_candidates(user, day=bulk.quarter_end(args.year, args.quarter)))
        if args.flow == "electricity":
            rows = households[: args.limit] if args.limit else households

            def record(rows=rows):
                return bulk.electricity_quarter_pay(
                    households=rows,
                    year=args.year,
                    quarter=args.quarter,
                    paid_on=paid_on,
                    decision="QĐ đo thử",
                    user=user,
                )
        else:
            people = Member.objects.current().filter(household__in=[h.pk for h in households[: args.limit or 1000]])
            people = list(people.select_related("household").order_by("pk")[: args.limit or 1000])
            rows = [
                SheetRow(n, {"household": m.household.code, "full_name": m.full_name, "date_of_birth": m.date_of_birth})
                for n, m in enumerate(people, start=2)
            ]
            today = date.today()
            course = bulk.Course(
                programme=Programme.objects.get(code="TRAINING_46"),
                course_name="Lớp đo thử",
                occupation="May công nghiệp",
                course_start=today - timedelta(days=60),
                course_end=today - timedelta(days=5),
                amount=3_000_000,
                decision="QĐ đo thử",
            )

            def record(rows=rows, course=course):
                return bulk.training_course_import(rows=rows, course=course, user=user, commit=True)

        read = time.perf_counter() - started
        statements = 0

        def count(execute, sql, params, many, context):
            nonlocal statements
            statements += 1
            return execute(sql, params, many, context)

        with transaction.atomic(), connection.execute_wrapper(count):
            started = time.perf_counter()
            report = record()
            wall = time.perf_counter() - started
            transaction.set_rollback(True)
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(
            f"run {run + 1} ({args.flow}): {len(rows)} rows read in {read:.2f} s; recorded {report.created}, "
            f"skipped {report.skipped}, errors {len(report.errors)} in {wall:.2f} s, {statements} statements "
            f"({statements / max(len(rows), 1):.2f}/row); load {load}"
        )
    left = Benefit.objects.filter(decision="QĐ đo thử").count()
    print(f"left behind: {left} benefits")


if __name__ == "__main__":
    main()
