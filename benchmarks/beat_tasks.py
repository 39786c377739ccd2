"""Benchmark: the periodic Celery beat tasks (``CELERY_BEAT_SCHEDULE``, config/settings/base.py) in the situations that
happen, on a copy of the million-household province.

    eval "$(bash scripts/services.sh env)"
    su postgres -c "psql -h .local/pgdata -p 54329 -d postgres -c 'CREATE DATABASE gn_bt_1m TEMPLATE gn_h_1m'"
    DATABASE_URL=…/gn_bt_1m DJANGO_DEBUG=false .venv/bin/python manage.py migrate
    .venv/bin/python -u benchmarks/beat_tasks.py --database gn_bt_1m [--groups core,summaries,support,electricity,
        support_year,reports] [--commune 4] [--redis-db 12] [--report-jobs]

WRITES to the database it is given and queues Celery messages in Redis database ``--redis-db`` (the drafts' generation
jobs; nobody consumes them there, and the script deletes its queues at the end). Each situation calls the task as beat
sends it (``task()``, in this process), with the clock moved by time-machine where the situation is a day that has
not come (the day after today, 1 January, the preparation day of the year-end report), and prints its wall time, this
process's CPU time, its statements (counted by an execute wrapper, without a cap), the peak of Python's allocations
(tracemalloc) and the longest wait of an officer's write meanwhile: a second connection that, every 0,1 s, updates one
household of the marked commune and one of its benefits in a transaction it rolls back (the triggers of both tables
run; a table lock, a row lock or the electricity counts' advisory lock held by the task makes it wait). The situations
of a group run in order, each on what the one before left (the first run of a sweep on the copy finds the marks the
load left behind). ``--report-jobs`` then runs the drafts' generation jobs in this process one by one (what the reports
queue's worker does after 01:30). Numbers go to docs/performance.md ("Periodic beat tasks") by hand.
"""

import argparse
import os
import sys
import threading
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GROUPS = ("core", "summaries", "support", "electricity", "support_year", "reports")
LIMIT = 30 * 60  # CELERY_TASK_TIME_LIMIT's default


class WriteProbe:
    """An officer's small write, again every 0,1 s on its own connection while a task runs: the longest one is how
    long the task made a save wait."""

    def __init__(self, dsn: str, household_id: int, benefit_id: int | None):
        import psycopg2

        self.connection = psycopg2.connect(dsn)
        self.household_id, self.benefit_id = household_id, benefit_id
        self.longest = 0.0
        self.writes = 0
        self._stop = threading.Event()
        self._thread = None

    def _run(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '120s'")
            self.connection.commit()
            while not self._stop.is_set():
                start = time.perf_counter()
                cursor.execute(
                    "UPDATE households_household SET updated_at = updated_at WHERE id = %s", [self.household_id]
                )
                if self.benefit_id is not None:
                    cursor.execute(
                        "UPDATE programs_benefit SET updated_at = updated_at WHERE id = %s", [self.benefit_id]
                    )
                self.connection.rollback()
                self.longest = max(self.longest, time.perf_counter() - start)
                self.writes += 1
                self._stop.wait(0.1)

    def __enter__(self):
        self.longest, self.writes = 0.0, 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True, help="a copy of the million-household database (written to)")
    parser.add_argument("--groups", default=",".join(GROUPS), help="comma-separated, in order: " + ", ".join(GROUPS))
    parser.add_argument("--commune", type=int, default=None, help="the commune marked (pk; the largest by default)")
    parser.add_argument("--redis-db", type=int, default=12, help="the Redis database of the cache and the queues")
    parser.add_argument("--report-jobs", action="store_true", help="run the drafts' generation jobs afterwards")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DATABASE_URL"] = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[0]}/{args.database}"
    os.environ["REDIS_URL"] = f"{os.environ['REDIS_URL'].rsplit('/', 1)[0]}/{args.redis_db}"

    import logging
    import warnings

    import django

    django.setup()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    import time_machine
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from core.tasks import heartbeat_task, job_run_fail_dead_task
    from households.models import Household, SummaryStale
    from households.tasks import summaries_sweep_task
    from programs.models import Benefit, SupportStale
    from programs.tasks import electricity_counts_keep_task, support_sweep_task, support_year_rebuild_task
    from reports.tasks import report_deadlines_prepare_task

    groups = [group for group in args.groups.split(",") if group]
    unknown = set(groups) - set(GROUPS)
    if unknown:
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")
    commune = (
        args.commune
        or (
            Household.objects.values("commune_id").annotate(n=Count("pk")).order_by("-n", "commune_id")[0]["commune_id"]
        )
    )
    household = Household.objects.filter(commune_id=commune).order_by("pk").values_list("pk", flat=True)[0]
    benefit = Benefit.objects.filter(household__commune_id=commune).order_by("pk").values_list("pk", flat=True).first()
    settings_db = settings.DATABASES["default"]
    dsn = (
        f"host={settings_db['HOST']} port={settings_db['PORT']} dbname={settings_db['NAME']} "
        f"user={settings_db['USER']} password={settings_db['PASSWORD']}"
    )
    probe = WriteProbe(dsn, household, benefit)
    today = timezone.localdate()
    print(
        f"database {args.database}, {Household.objects.count():,} households".replace(",", "."),
        f"commune {commune}, today {today:%d/%m/%Y}; load {' '.join(f'{n:.2f}' for n in os.getloadavg())}",
    )
    print(f"{'task · situation':62} {'wall':>9} {'CPU':>8} {'stmts':>7} {'peak MB':>8} {'write wait':>10}  result")

    statements = [0]

    def counter(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    def at(day: date, hour: int = 0, minute: int = 1):
        """The clock on ``day`` at that local time, ticking."""
        moment = timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))
        return time_machine.travel(moment, tick=True)

    def timed(label: str, task, clock=None, **kwargs):
        statements[0] = 0
        tracemalloc.start()
        with connection.execute_wrapper(counter), probe:
            start, started = time.perf_counter(), time.process_time()
            if clock is not None:
                with clock:
                    result = task(**kwargs)
            else:
                result = task(**kwargs)
            wall, cpu = time.perf_counter() - start, time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        over = "  OVER THE TIME LIMIT" if wall > LIMIT else ""
        print(
            f"{label:62} {wall:8.3f}s {cpu:7.3f}s {statements[0]:7d} {peak:8.1f} {probe.longest * 1000:8.0f}ms  "
            f"{result!r}{over}",
            flush=True,
        )
        return result

    if "core" in groups:
        timed("heartbeat_task", heartbeat_task)
        timed("job_run_fail_dead_task · idle", job_run_fail_dead_task)

    if "summaries" in groups:
        print(f"  summary marks {SummaryStale.objects.count()}", flush=True)
        timed("summaries_sweep_task · first run on the copy", summaries_sweep_task)
        timed("summaries_sweep_task · idle", summaries_sweep_task)
        SummaryStale.objects.create(commune_id=commune)
        timed("summaries_sweep_task · one commune marked", summaries_sweep_task)
        tomorrow = today + timedelta(days=1)
        timed("summaries_sweep_task · the day after (every commune)", summaries_sweep_task, at(tomorrow))
        timed("summaries_sweep_task · idle, the day after", summaries_sweep_task, at(tomorrow, 0, 3))
        after = today + timedelta(days=2)

        def day_run():
            # time-machine moves the clock of the whole process: the copy below runs on that day too
            with at(after):
                summaries_sweep_task()
            connection.close()

        running = threading.Thread(target=day_run)
        running.start()
        time.sleep(2)
        timed("summaries_sweep_task · a copy sent while the day's run runs", summaries_sweep_task)
        running.join()
        new_year = date(today.year + 1, 1, 1)
        timed("summaries_sweep_task · 1 January (the periods move on)", summaries_sweep_task, at(new_year))
        timed("summaries_sweep_task · back to today (the copy restored)", summaries_sweep_task)

    if "support" in groups:
        print(f"  support marks {SupportStale.objects.count()}", flush=True)
        timed("support_sweep_task · first run on the copy (every row)", support_sweep_task)
        timed("support_sweep_task · idle", support_sweep_task)
        SupportStale.objects.create(commune_id=commune)
        timed("support_sweep_task · one commune marked", support_sweep_task)
        timed("support_sweep_task · idle, the day after", support_sweep_task, at(today + timedelta(days=1)))

    if "electricity" in groups:
        timed("electricity_counts_keep_task · idle (fold)", electricity_counts_keep_task)
        year, quarter = today.year, (today.month - 1) // 3 + 1
        next_quarter = date(year + quarter // 4, quarter % 4 * 3 + 1, 1)
        timed("electricity_counts_keep_task · a new quarter", electricity_counts_keep_task, at(next_quarter, 0, 7))
        timed("electricity_counts_keep_task · back to today (the copy restored)", electricity_counts_keep_task)

    if "support_year" in groups:
        timed("support_year_rebuild_task · nightly", support_year_rebuild_task)
        timed("support_year_rebuild_task · nightly, again", support_year_rebuild_task)

    if "reports" in groups:
        from core.jobs import job_run_execute
        from core.models import JobRun, JobStatus
        from reports.models import ReportDeadline
        from reports.schedule import deadline_in_year

        occurrences = [deadline_in_year(d, today.year) for d in ReportDeadline.objects.filter(is_active=True)]
        occurrence = max((o for o in occurrences if o.prepare_on <= today), key=lambda o: o.prepare_on, default=None)
        if occurrence is None:
            print("  no deadline prepared this year by today")
        else:
            day = occurrence.prepare_on
            before = set(JobRun.objects.values_list("pk", flat=True))
            timed(f"report_deadlines_prepare_task · {day:%d/%m/%Y}", report_deadlines_prepare_task, at(day, 1, 30))
            timed(
                f"report_deadlines_prepare_task · {day:%d/%m/%Y}, again", report_deadlines_prepare_task, at(day, 1, 31)
            )
            # on that day too: seen from today, jobs queued on 15/11 would be failed as never taken by a worker
            queued = "job_run_fail_dead_task · with the drafts' jobs queued"
            timed(queued, job_run_fail_dead_task, at(day, 1, 32))
            jobs = list(JobRun.objects.exclude(pk__in=before).order_by("pk"))
            if args.report_jobs:
                for job in jobs:
                    label = f"  {job.kind} {job.unit.name if job.unit_id else ''}"[:62]
                    run = timed(label, job_run_execute, job_id=job.pk)
                    if run.status != JobStatus.SUCCEEDED:
                        print(f"    {run.status}: {run.error[:200]}")
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(*[queue.name for queue in settings.CELERY_TASK_QUEUES])
    print(f"load {' '.join(f'{n:.2f}' for n in os.getloadavg())}; peak RSS {_max_rss_mb():.0f} MB")


def _max_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
