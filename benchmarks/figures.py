"""Benchmark: the figures at scale (support figures, movements, targets, dashboard) beside a hand-written SQL floor.

    eval "$(bash scripts/services.sh env)"      # or DATABASE_URL=… for a database of your own
    DATABASE_URL=postgres://…/gn_big .venv/bin/python benchmarks/figures.py [--repeat 3] [--year 2025] [--live]

Reads an existing database as it is (nothing is written): build it first with the demo commands, e.g.
``manage.py load_demo && manage.py generate_households --per-commune N && manage.py load_demo_targets &&
manage.py generate_support`` (docs/performance.md). For each figure it prints the selector's best time and query
count for the district (huyen.krongpa) and the province (tinh.gialai) — the support figures from the communes' summary
rows (programs.summary; ``manage.py rebuild_support_summaries`` builds those of this year), or with ``--live`` from
the live grouped pass —, the best time of a hand-written SQL
aggregate over the same rows (the floor: what PostgreSQL needs at the least to read them) and the ratio. The
dashboard is timed as a whole page (GET / as that officer, template included).
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

from core.formatting import number  # noqa: E402 - after the project is on the path

# The floors: the fewest statements a person would write by hand to read the same rows. %(path)s is the unit's
# materialised path prefix.
FLOOR_STATUS = """
SELECT COUNT(*) FILTER (WHERE on_poor), COUNT(*) FILTER (WHERE on_near),
       COUNT(*) FILTER (WHERE ended AND NOT (on_poor OR on_near)), COUNT(*) FILTER (WHERE on_avg), COUNT(*)
  FROM (SELECT sr.household_id,
               bool_or(sr.household_class = 'poor' AND (sr.valid_to IS NULL OR sr.valid_to >= %(day)s)) on_poor,
               bool_or(sr.household_class = 'near_poor' AND (sr.valid_to IS NULL OR sr.valid_to >= %(day)s)) on_near,
               bool_or(sr.household_class = 'average_living'
                       AND (sr.valid_to IS NULL OR sr.valid_to >= %(day)s)) on_avg,
               bool_or(sr.household_class IN ('poor', 'near_poor') AND sr.valid_to >= %(since)s
                       AND sr.valid_to < %(day)s) ended
          FROM households_statusrecord sr
          JOIN households_household h ON h.id = sr.household_id AND h.state = 'active'
          JOIN areas_administrativeunit v ON v.id = h.village_id AND v.path LIKE %(path)s
         WHERE sr.valid_from <= %(day)s
         GROUP BY sr.household_id) s
"""
FLOOR_BENEFITS = """
SELECT b.programme_id, b.household_status, COUNT(*), COUNT(DISTINCT b.household_id), SUM(b.amount)
  FROM programs_benefit b
  JOIN households_household h ON h.id = b.household_id
  JOIN areas_administrativeunit v ON v.id = h.village_id AND v.path LIKE %(path)s
 WHERE b.cancelled_at IS NULL AND b.date BETWEEN %(start)s AND %(end)s
 GROUP BY ROLLUP (b.programme_id, b.household_status)
"""
FLOOR_MEMBERS = """
SELECT COUNT(*) FROM households_member m
  JOIN households_household h ON h.id = m.household_id AND h.state = 'active'
  JOIN areas_administrativeunit v ON v.id = h.village_id AND v.path LIKE %(path)s
 WHERE m.left_at IS NULL
"""
# The same three floors with the child unit as a grouping key (the unit's communes, or its districts by path prefix):
# what the grouped support figures of every child read at the least. %(depth)s is the number of path segments of a
# child's path.
FLOOR_STATUS_BY_CHILD = (
    FLOOR_STATUS.replace("SELECT COUNT(*) FILTER (WHERE on_poor)", "SELECT child, COUNT(*) FILTER (WHERE on_poor)")
    .replace("SELECT sr.household_id,", "SELECT sr.household_id, substring(v.path, %(pattern)s) child,")
    .replace("GROUP BY sr.household_id) s", "GROUP BY sr.household_id, child) s GROUP BY child")
)
FLOOR_BENEFITS_BY_CHILD = FLOOR_BENEFITS.replace(
    "SELECT b.programme_id", "SELECT substring(v.path, %(pattern)s) child, b.programme_id"
).replace("GROUP BY ROLLUP", "GROUP BY child, ROLLUP")
FLOOR_MEMBERS_BY_CHILD = FLOOR_MEMBERS.replace(
    "SELECT COUNT(*)", "SELECT substring(v.path, %(pattern)s) child, COUNT(*)"
).replace("WHERE m.left_at IS NULL", "WHERE m.left_at IS NULL GROUP BY child")
FLOOR_MOVEMENTS = """
SELECT h.commune_id, COUNT(*),
       COUNT(*) FILTER (WHERE c.class_start = 'poor'), COUNT(*) FILTER (WHERE c.class_end = 'poor'),
       COUNT(*) FILTER (WHERE c.class_start = 'poor' AND c.class_end IS DISTINCT FROM 'poor'),
       COUNT(*) FILTER (WHERE c.class_end = 'poor' AND c.class_start IS DISTINCT FROM 'poor' AND c.was_poor)
  FROM households_household h
  JOIN areas_administrativeunit v ON v.id = h.village_id AND v.path LIKE %(path)s
  LEFT JOIN (SELECT sr.household_id,
                    (array_agg(sr.household_class ORDER BY sr.valid_from DESC) FILTER (WHERE sr.valid_from <= %(before)s
                        AND (sr.valid_to IS NULL OR sr.valid_to >= %(before)s)))[1] class_start,
                    (array_agg(sr.household_class ORDER BY sr.valid_from DESC)
                        FILTER (WHERE sr.valid_to IS NULL OR sr.valid_to >= %(end)s))[1] class_end,
                    bool_or(sr.household_class = 'poor' AND sr.valid_from < %(before)s) was_poor
               FROM households_statusrecord sr WHERE sr.valid_from <= %(end)s GROUP BY sr.household_id) c
    ON c.household_id = h.id
 GROUP BY h.commune_id
"""
FLOOR_COUNTS = """
SELECT h.commune_id, COUNT(*) FROM households_household h
  JOIN areas_administrativeunit v ON v.id = h.village_id AND v.path LIKE %(path)s
 WHERE h.state = 'active' GROUP BY h.commune_id
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--per-child", action="store_true", help="also time unit_figures once per child unit")
    parser.add_argument(
        "--live", action="store_true", help="support figures from the live pass instead of the summary rows"
    )
    parser.add_argument(
        "--support-only", action="store_true", help="only the support figures, their floors and the figures page"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from programs import summary

    summary.LIVE = args.live
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from accounts.models import User
    from areas.models import AdministrativeUnit
    from households.models import Household, Member, StatusRecord
    from households.targets import target_progress
    from households.transitions import period_for_year, transition_table
    from programs.choices import TargetStatus
    from programs.figures import Period, grouped_figures, households_in, status_counts, unit_figures
    from programs.models import Benefit
    from programs.status import escaped_since, status_q
    from reports.content import child_level

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    district_staff = User.objects.get(username="huyen.krongpa")
    province_staff = User.objects.get(username="tinh.gialai")
    figure_period = Period.year(args.year)
    movement_period = period_for_year(args.year)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    print(
        f"data: {number(Household.objects.count())} households, {number(Member.objects.count())} members, "
        f"{number(StatusRecord.objects.count())} status records, {number(Benefit.objects.count())} benefits; "
        f"jit={jit}; load average {' '.join(number(x, 2) for x in os.getloadavg())}"
    )

    def best_of(func):
        counted = [0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        best = None
        for _index in range(args.repeat):
            counted[0] = 0
            with connection.execute_wrapper(count):
                begin = time.perf_counter()
                func()
                seconds = time.perf_counter() - begin
            best = seconds if best is None else min(best, seconds)
        return best, counted[0]

    def raw(*statements):
        def run():
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        return run

    def line(label, selector, floor=None):
        seconds, queries = best_of(selector)
        text = f"{label:<44} {number(seconds * 1000, 0):>8} ms {number(queries):>4} q"
        if floor is not None:
            floor_seconds, _queries = best_of(floor)
            ratio = seconds / floor_seconds if floor_seconds else 0
            text += f"   floor {number(floor_seconds * 1000, 0):>7} ms   × {number(ratio, 2)}"
        print(text, flush=True)

    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    day = figure_period.end
    for user in (district_staff, province_staff):
        unit = user.unit
        where = {"path": unit.path + "%"}
        status_params = {**where, "day": day, "since": escaped_since(day, 3) - timedelta(days=1)}
        benefit_params = {**where, "start": figure_period.start, "end": figure_period.end}
        movement_params = {**where, "before": movement_period.before, "end": movement_period.end}
        print(f"— {unit.name} ({user.username})")
        line(
            "status denominators (status_counts)",
            lambda unit=unit, user=user: status_counts(unit, day, user, 3),
            raw((FLOOR_STATUS, status_params)),
        )
        if not args.support_only:
            line(
                "  the former per-household form",
                lambda unit=unit, user=user: households_in(unit, user).aggregate(
                    **{s: Count("pk", filter=status_q(s, day, 3)) for s in TargetStatus.values if s != "unknown"}
                ),
            )
        line(
            "support figures (unit_figures)",
            lambda unit=unit, user=user: unit_figures(unit=unit, period=figure_period, user=user),
            raw((FLOOR_STATUS, status_params), (FLOOR_BENEFITS, benefit_params), (FLOOR_MEMBERS, where)),
        )
        level = child_level(unit)  # the rows of the report's appendix tables
        children = list(AdministrativeUnit.objects.valid_on().filter(path__startswith=unit.path, level=level))
        depth = children[0].path.count("/") if children else 0
        child_params = {"pattern": f"^((?:[^/]*/){{{depth}}})"}
        line(
            f"support figures of its {len(children)} units (grouped)",
            lambda unit=unit, user=user, children=children: grouped_figures(
                unit=unit, children=children, period=figure_period, user=user
            ),
            raw(
                (FLOOR_STATUS_BY_CHILD, {**status_params, **child_params}),
                (FLOOR_BENEFITS_BY_CHILD, {**benefit_params, **child_params}),
                (FLOOR_MEMBERS_BY_CHILD, {**where, **child_params}),
            ),
        )
        if args.per_child:
            line(
                "  the former form: unit_figures per unit",
                lambda user=user, children=children: [
                    unit_figures(unit=child, period=figure_period, user=user) for child in children
                ],
            )
        if not args.support_only:
            line(
                "movement table by commune",
                lambda unit=unit, user=user: transition_table(
                    user, period=movement_period, level="commune", scope=unit
                ),
                raw((FLOOR_MOVEMENTS, movement_params)),
            )
            line(
                "targets page selector (with last year)",
                lambda unit=unit, user=user: target_progress(user, scope=unit, year=args.year, with_last_year=True),
                raw(
                    (FLOOR_MOVEMENTS, movement_params),
                    (
                        FLOOR_MOVEMENTS,
                        {**where, "before": date(args.year - 2, 12, 31), "end": date(args.year - 1, 12, 31)},
                    ),
                ),
            )
        client = client_for(user)
        line(
            "figures page (GET /chuong-trinh/so-lieu/)",
            lambda client=client: client.get("/chuong-trinh/so-lieu/", {"year": args.year}),
            raw((FLOOR_STATUS, status_params), (FLOOR_BENEFITS, benefit_params), (FLOOR_MEMBERS, where)),
        )
        if not args.support_only:
            line(
                "dashboard page (GET /)",
                lambda client=client: client.get("/"),
                raw((FLOOR_MOVEMENTS, movement_params), (FLOOR_COUNTS, where)),
            )


if __name__ == "__main__":
    main()
