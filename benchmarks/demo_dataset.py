"""Benchmark: build the demo province at a chosen size (households, status history, support) and time each step.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/demo_dataset.py --per-commune 435 --fresh              # ≈ 10.000 households
    .venv/bin/python benchmarks/demo_dataset.py --per-commune 4348 --fresh --workers 2  # ≈ 100.000 households
    .venv/bin/python benchmarks/demo_dataset.py --per-commune 43479 --fresh --workers 2 # ≈ 1.000.000 households

It works in a benchmark database (DATABASE_URL with the name suffixed "_bench", or the one named by
``--database``), created, migrated and given the demo units and accounts if needed. ``--fresh`` empties the registry
first (households and everything hanging from them); without it the generators only add what is missing, as they
do in ``scripts/run.sh``. The 23 demo communes of Krông Pa and Ia Pa are filled with ``--per-commune`` households
each, then ``load_demo_targets`` and ``generate_support`` run as the commands do. Above ``--pool`` households a
commune (500 by default, as ``generate_households``) the first step is the province-scale generator
(``households.demo_scale``): the pool with its history and support drawn in Python, the rest copied in SQL, each phase
timed with the database server's CPU; ``generate_support`` is then skipped (the copies have their support, and the
planner would spend minutes finding nothing new to add). Prints, per step, wall time, rows written, households per
second, and the machine's load average before and after (others' work slows every figure). Results go to
docs/performance.md by hand.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.formatting import number  # noqa: E402 - after the project is on the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def load() -> str:
    return " / ".join(number(value, 2) for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-commune", type=int, default=435)
    parser.add_argument("--workers", type=int, default=1, help="processes for generate_households")
    parser.add_argument("--fresh", action="store_true", help="empty the registry first")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--pool", type=int, default=None, help="households drawn in Python per commune (default 500)")
    parser.add_argument("--database", help="the database to fill (default: DATABASE_URL's name suffixed _bench)")
    args = parser.parse_args()
    base_url = os.environ["DATABASE_URL"].rsplit("/", 1)
    os.environ["DATABASE_URL"] = f"{base_url[0]}/{args.database or base_url[1] + '_bench'}"

    import django
    from django.core.management import call_command
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        django.setup()
        connection.ensure_connection()
    except OperationalError:
        import psycopg2

        admin = psycopg2.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres")
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{connection.settings_dict["NAME"]}"')
        admin.close()
    call_command("migrate", verbosity=0)

    from households.demo import demo_communes, households_generate
    from households.demo_scale import POOL_PER_COMMUNE, province_generate
    from households.demo_targets import demo_targets_load
    from households.models import Household, Member, StatusRecord
    from programs.demo import support_generate
    from programs.models import Benefit

    if not demo_communes():
        call_command("load_demo", verbosity=0)
    if args.fresh:
        with connection.cursor() as cursor:
            cursor.execute(
                f"TRUNCATE {Household._meta.db_table} CASCADE; "
                "DELETE FROM households_povertytarget; DELETE FROM households_unitpopulation"
            )
    communes = demo_communes()
    print(f"{len(communes)} xã × {number(args.per_commune)} hộ, {args.workers} tiến trình; tải (1/5/15 phút): {load()}")
    total_started = time.monotonic()

    started = time.monotonic()
    pool = args.pool or POOL_PER_COMMUNE
    at_scale = args.per_commune > pool
    if at_scale:
        made = province_generate(
            communes=communes,
            per_commune=args.per_commune,
            pool=pool,
            seed=args.seed,
            workers=args.workers,
            progress=print,
        )
    else:
        made = households_generate(
            communes=communes, per_commune=args.per_commune, seed=args.seed, workers=args.workers
        )
    seconds = time.monotonic() - started
    members = Member.objects.count()
    print(
        f"generate_households: {number(made.created)} hộ, {number(members)} thành viên trong {number(seconds, 1)} giây"
        f" = {number(made.created / seconds if seconds else 0)} hộ/giây; tải máy: {load()}"
    )

    started = time.monotonic()
    targets = demo_targets_load(seed=args.seed)
    seconds = time.monotonic() - started
    records, speed = StatusRecord.objects.count(), targets.histories / seconds if seconds else 0
    print(
        f"load_demo_targets: lịch sử của {number(targets.histories)} hộ ({number(records)} bản ghi), "
        f"{number(targets.targets)} chỉ tiêu, {number(targets.registrations)} đăng ký thoát nghèo trong "
        f"{number(seconds, 1)} giây = {number(speed)} hộ/giây; tải máy: {load()}"
    )

    households = Household.objects.count()
    if at_scale:
        print(f"generate_support: bỏ qua (các hộ sao chép đã có hỗ trợ: {number(Benefit.objects.count())} khoản)")
    else:
        started = time.monotonic()
        support = support_generate(seed=2026)
        seconds = time.monotonic() - started
        print(
            f"generate_support: {number(support.benefits)} khoản hỗ trợ cho {number(support.households)} hộ "
            f"({number(Benefit.objects.count())} khoản trong CSDL) trong {number(seconds, 1)} giây = "
            f"{number(households / seconds if seconds else 0)} hộ/giây; tải máy: {load()}"
        )
    seconds = time.monotonic() - total_started
    print(
        f"Tổng: {number(households)} hộ trong {number(seconds, 1)} giây = {number(households / seconds)} hộ/giây "
        f"(hộ, thành viên, lịch sử phân loại và hỗ trợ)."
    )


if __name__ == "__main__":
    main()
