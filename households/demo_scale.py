"""Demo households at province scale: a pool drawn in Python, the rest copied from it in set-based SQL.

``generate_households --per-commune N`` with N above the pool size (``--pool``, 500 per commune by default) runs
this module instead of drawing every household in Python (≈ 1–2 ms of CPU each with its history and support, hours
for a million households on two cores):

1. the pool — households 1…pool of each commune — is drawn by the ordinary generator (``households.demo``), given
   its status history (``demo_histories_load``) and its support (``programs.demo.support_generate``): every pool
   household is a valid, classified record made by the same code as the demo;
2. households pool+1…N of each commune are copies of pool households, written with one ``INSERT … SELECT`` per
   table for all copies at once (households, members, status records, benefits, benefit logs, "created" change
   entries). Copy number ``c`` of a commune repeats pool household ``(c − 1) mod pool + 1`` of the same commune,
   with its own key, its code (``IRS-1501``…), a village of the same commune, kind and area type, and new names:
   each member keeps the family name (clans follow the mother or the father, so the family's structure stays) and
   gets a given name drawn from the pool's given names of the same sex and ethnic group. The classification
   snapshot names the members ("Siu Y Ngăi (36 tuổi) thất nghiệp"): each pool household's snapshot is turned into a
   template with a placeholder per name, and every copy's snapshot is that template filled with its own members'
   names, so it names the copy's members and nobody else's. Personal ID numbers keep their first six digits (the
   province, the sex and century, the year of birth: TT 59/2021/TT-BCA) with new last six, and health-insurance
   numbers their first five characters (object and province, QĐ 1351/QĐ-BHXH) with new last ten; numbers that
   clash with any other member's are drawn again until none does, and the copied BHYT benefits carry their
   member's new card number (the programme's one-card-per-period rule, ``programs_card_once``).

The copies' rows are computed into unlogged work tables of the run and moved into the registry's tables by one
transaction (``households_copy``); with ``workers`` > 1 two other connections compute them while that transaction
moves each table as soon as it is ready (docs/adr/0042, amendment of 04/12/2026).

Keys are reserved from the sequences up front and computed (``base + generation × pool size + position in the
pool``), so no statement has to look up the key another statement gave. When the copies at least double a table,
its indexes, primary keys and foreign keys (and other tables' foreign keys to them) are dropped for the load and
created again afterwards in the same transaction (one validating join and one sorted index build instead of millions
of row checks and insertions); a copy that broke a unique index or a primary key fails its rebuild, which rolls the
whole load back as the insert would have (ADR 0058). With workers the foreign keys come back ``NOT VALID`` (enforced
for every later write) and are checked after the commit beside the summaries; a broken one ends the run with
``KeysBroken`` and every later run checks it first (ADR 0059). The statement triggers that mark changed
communes for the summaries (and keep the electricity counts) are switched off for the moves, whose transition tables
would hold every copied row; the communes copied into are marked once instead, the tables are analysed and the
dashboards' summaries rebuilt at the end (``summaries_rebuild``). The members' search trigger is switched off for the
copies' transaction and their search rows written in one pass (ADR 0046); so are the members' name trigger (each
distinct name normalised once instead, ADR 0057) and the benefits' years-with-support trigger (the copies' years
computed with their benefits, ADR 0054), and the search rows' words trigger (the copies' words added to the names'
vocabulary from their distinct names, ADR 0052). Escape registrations, targets and
populations are not copied: ``load_demo_targets`` makes them for the whole province afterwards.
"""

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.busy import is_conflict

from . import demo
from .demo import GenerationResult, commune_prefix, vn_decimal, vn_number

POOL_PER_COMMUNE = 500
TABLES = (
    "households_household",
    "households_member",
    "households_householdsearch",
    "households_statusrecord",
    "households_changeentry",
    "programs_benefit",
    "programs_benefitlog",
    "programs_support_year",
)
# Family names the generator draws (several are two words: "Rơ Mah"); anything else splits at the first space.
FAMILY_NAMES = sorted(
    {
        *demo.JRAI_CLANS,
        *demo.EDE_CLANS,
        *demo.BAHNAR_CLANS,
        *(name for name, _weight in demo.KINH_SURNAMES),
        *demo.MINORITY_NORTH_SURNAMES,
    },
    key=lambda name: (-len(name), name),
)
PLACEHOLDER = "\u27e6%s\u27e7"  # ⟦1⟧: characters that no name and no explanation contains


@dataclass
class ScaleResult:
    """What the province-scale generation did, with the time of each phase (seconds)."""

    pool: GenerationResult = field(default_factory=GenerationResult)
    copies: int = 0
    members: int = 0
    status_records: int = 0
    benefits: int = 0
    redrawn: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    server_cpu: dict[str, float] = field(default_factory=dict)
    job_seconds: dict[str, float] = field(default_factory=dict)  # the other connections' jobs (wall)

    @property
    def created(self) -> int:
        return self.pool.created + self.copies


def province_generate(
    *,
    communes,
    per_commune: int,
    pool: int = POOL_PER_COMMUNE,
    seed: int,
    batch_size: int = demo.BATCH_SIZE,
    workers: int = 1,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScaleResult:
    """``per_commune`` households in each commune: ``pool`` drawn in Python with their history and support, the
    rest copied from them in SQL (see the module docstring). Safe to run again: existing codes are skipped."""
    from programs.demo import support_generate  # programs stands on households: imported when called

    from .demo_targets import demo_histories_load

    today = today or timezone.localdate()
    say = progress or (lambda message: None)
    result = ScaleResult()
    # Keys an earlier run left unchecked (stopped after its commit, or broken rows since mended) are checked first,
    # whatever this run then copies (ADR 0059).
    with connection.cursor() as cursor:
        _keys_check(cursor)
    pool = min(pool, per_commune)
    started = time.monotonic()
    result.pool = demo.households_generate(
        communes=communes,
        per_commune=pool,
        seed=seed,
        batch_size=batch_size,
        progress=progress,
        today=today,
        workers=workers,
    )
    result.phases["pool"] = time.monotonic() - started
    started = time.monotonic()
    demo_histories_load(seed=seed, today=today)
    result.phases["pool_history"] = time.monotonic() - started
    started = time.monotonic()
    if result.pool.created:
        # Only for a pool that grew: the copies carry their pool household's support, and the planner run again
        # over a commune would plan support for copies whose pool household received none (a second run must
        # add nothing).
        support_generate(communes=communes, seed=2026)
    result.phases["pool_support"] = time.monotonic() - started
    say(
        _("Nhóm hộ gốc: %(count)s hộ mới, có lịch sử phân loại và hỗ trợ, trong %(seconds)s giây.")
        % {"count": vn_number(result.pool.created), "seconds": vn_decimal(sum(result.phases.values()))}
    )
    if per_commune > pool:
        households_copy(
            communes=communes, per_commune=per_commune, pool=pool, result=result, progress=say, workers=workers
        )
    return result


def households_copy(
    *, communes, per_commune: int, pool: int, result: ScaleResult, progress: Callable, workers: int = 1
) -> None:
    """Copies of the pool households up to ``per_commune`` households a commune, written in one transaction.

    The copies' rows are first computed into unlogged work tables (``stage_*``, in a schema of this run), then moved
    into the registry's tables by one ``INSERT … SELECT`` each in the transaction that holds the tables' lock. With
    ``workers`` > 1 the plan and the computing run in two other connections (households with their snapshots, status
    records and change entries in one; members with their numbers, search rows and support in the other), each job
    committing only its work tables, and this connection moves each table's rows as soon as they are computed. The
    registry's tables are written by this connection's one transaction alone: a failure anywhere leaves them as they
    were, and so does a crash (the work tables are unlogged: they come back empty, and the transaction that read
    them never committed). The other connections read only work tables once the plan has copied the pool into them,
    so the indexes and foreign keys this transaction drops (and the exclusive locks that takes) never make them
    wait."""
    from programs.electricity import (  # programs stands on households
        CountsBusy,
        electricity_counts_keep,
        electricity_counts_stop,
    )

    say = progress
    with connection.cursor() as cursor:
        # The pool was just written: without statistics (a fresh database is never analysed before the autovacuum
        # gets to it) the planner guesses the pool's joins and can take minutes over a few thousand rows.
        cursor.execute("ANALYZE " + ", ".join(TABLES))
        cursor.execute("SELECT pg_backend_pid()")
        schema = f"gn_scale_{cursor.fetchone()[0]}"
    # Other connections see only committed work tables: inside an outer transaction (tests) the work runs here.
    parallel = workers > 1 and not connection.in_atomic_block
    with connection.cursor() as cursor:  # committed at once unless in an outer transaction: the others use it
        _drop_work_schemas(cursor, schema)
    started: list[_Lanes] = []  # the other connections' lanes, joined before the work schema is dropped
    analysed = False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Checks still deferred from the pool's rows run now: a table with pending checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '512MB'")
            # Waiting for another transaction's lock ends the load (``LoadBusy``) rather than queue every request
            # of the portal behind it.
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            dropping = _dropping(cursor, communes, per_commune)
            # When the load drops the copied tables' keys (and with them the foreign keys that refer to them, ADR
            # 0058), the tables of those foreign keys first, then the copied tables: a transaction that reads one of
            # the former and then writes the latter is waited for instead of deadlocking with the load.
            referring = _referring_tables(cursor) if dropping else []
            if referring:
                cursor.execute("LOCK TABLE " + ", ".join(referring) + " IN ACCESS EXCLUSIVE MODE")
            # Other writers wait until the copies are committed; readers (the work connections) do not.
            cursor.execute("LOCK TABLE " + ", ".join(TABLES) + " IN SHARE ROW EXCLUSIVE MODE")
            timer = _Timer(result, say)
            cursor.execute(f"SET LOCAL search_path = {schema}, {_schema(cursor)}")
            planning = [[("plan", lambda c: _plan(c, communes, per_commune, pool))]]
            planner = _Lanes(schema, planning, result) if parallel else _Inline(cursor, planning)
            if parallel:
                started.append(planner)
            plan = planner.wait("plan")
            if not plan:
                _drop_work_schemas(cursor, schema, own=True)
                say(_("Không có hộ nào cần sao chép: mọi mã hộ đã có."))
                return
            # The electricity counts' triggers (ADR 0053) read the status records and payments by the indexes the
            # load drops: a counted quarter would make each copied household a scan. Counted again after the load
            # (not stopped when there is nothing to copy: the counts would be gone until beat builds them again).
            counted = electricity_counts_stop()
            timer.lap("plan")
            # The households in two halves (the earlier generations of copies first): their job is the longest, and
            # this connection moves the first half while the second is computed.
            jobs = [
                [("households", lambda c: _copy_households(c, plan, result, FIRST)),
                 ("households, second half", lambda c: _copy_households(c, plan, result, SECOND)),
                 ("history", lambda c: _copy_history(c, plan, result))],
                [("members", lambda c: _copy_members(c, plan, result)),
                 ("support", lambda c: _copy_support(c, plan, result)),
                 ("search", lambda c: _fill_search_rows(c, plan))],
            ]  # fmt: skip
            moves, staged_by = _moves(plan)
            lanes = _Lanes(schema, jobs, result) if parallel else _Inline(cursor, jobs)
            if parallel:
                started.append(lanes)
            dropped = _drop_for_load(cursor, dropping)
            # The members' search trigger refreshes the households of each statement's new members through the
            # members' household index, which is dropped for the load: a million copies would be looked up one by
            # one over the whole table. Off for this transaction: the copies' search rows are among the work tables.
            # The members' name trigger (migration 0024) would normalise every moved member's name again and the
            # benefits' years-with-support trigger (ADR 0054) keep every moved benefit in its transition table: the
            # work tables have both (``_copy_members``, ``_copy_support``).
            loading = _triggers_off(cursor, "tgname = ANY(%s)", [list(LOAD_TRIGGERS)])
            marking = _marks_off(cursor)
            timer.lap("drop_indexes")
            # Each table as soon as its rows are computed; parents first when the foreign keys stay (small loads):
            # they are checked row by row.
            remaining = list(moves)
            while remaining:
                label = lanes.first_done(remaining if dropping else remaining[:1], staged_by)
                timer.lap(f"wait {label}")
                _move(cursor, *moves[label])
                timer.lap(f"move {label}")
                remaining.remove(label)
            for name, spent in result.server_cpu.items():  # the other connections' work
                if name.startswith(("lane", "job")):
                    wall = f"{vn_decimal(result.job_seconds[name])} s, " if name in result.job_seconds else ""
                    say(f"    {phase_label(name)}: {wall}CPU của CSDL {vn_decimal(spent)} s")
            if (WORDS_TRIGGER_TABLE, WORDS_TRIGGER) in loading:
                _add_vocabulary(cursor)
            _triggers_on(cursor, loading)
            _marks_on(cursor, marking)
            # With workers the foreign keys come back unchecked and are checked after the commit, beside the
            # summaries: single-threaded inside the transaction, the checks left a core idle for 11–13 s.
            analysed = _restore(cursor, dropped, timer, checked_later=parallel)
            _drop_work_schemas(cursor, schema, own=True)
    except OperationalError as error:
        # A lock this transaction could not take (``LOCK_WAIT``, or a deadlock PostgreSQL ended on this side): the
        # portal is in use. The same error from another connection of the load is a fault of the load: raised as is.
        cause = error.__cause__
        if not is_conflict(error) or getattr(getattr(cause, "cursor", None), "connection", None) is not (
            connection.connection
        ):
            raise
        raise LoadBusy(
            _(
                "Không ghi được các hộ sao chép vì cổng đang có người dùng đọc hoặc ghi các bảng này "
                "(%(reason)s). Chưa có hộ sao chép nào được ghi; hãy chạy lại lệnh khi cổng vắng người dùng "
                "(các hộ đã có sẽ được bỏ qua)."
            )
            % {"reason": _("chờ khóa quá lâu") if cause.pgcode == LOCK_NOT_AVAILABLE else _("tắc nghẽn khóa")}
        ) from error
    finally:
        # The work schema was committed when it was created (outside a transaction), so a failure of the copies'
        # transaction does not take it away: dropped here once the other connections have ended, whatever the
        # number of workers. If even that fails (the server gone), the next run drops it (``_drop_work_schemas``).
        for started_lanes in started:
            started_lanes.join()
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            _drop_work_schemas(cursor, schema, own=True)
    timer.lap("commit")
    if not analysed:
        with connection.cursor() as cursor:  # before the summaries: their queries need the new row counts
            cursor.execute("ANALYZE " + ", ".join(TABLES))
        timer.lap("analyze")
    try:
        _after_load(parallel, result, say)
    finally:  # even when a key was found broken (``KeysBroken``): the copies are written and need their counts
        if counted:
            try:
                electricity_counts_keep()
            except CountsBusy:  # the households are written: the counts can be built later, by beat or by hand
                say(
                    _(
                        "Chưa đếm lại được số hộ hỗ trợ tiền điện theo quý vì đang có thao tác ghi kéo dài; "
                        "Celery beat sẽ đếm lại trong vòng một giờ, hoặc chạy: manage.py rebuild_electricity_counts"
                    )
                )
    timer.lap("summaries")
    say(
        _("Đã sao chép %(count)s hộ: %(members)s thành viên, %(records)s bản ghi phân loại, %(benefits)s khoản hỗ trợ.")
        % {
            "count": vn_number(result.copies),
            "members": vn_number(result.members),
            "records": vn_number(result.status_records),
            "benefits": vn_number(result.benefits),
        }
    )


def _after_load(parallel: bool, result: ScaleResult, say: Callable) -> None:
    """Every commune's summary rows (``summaries_rebuild``) and the check of the foreign keys left unchecked
    (``_keys_check``); with workers, all at once in three other connections: the keys in one, half the communes in
    each of the two others (each commune's rows are computed and written on their own, as the worker's sweep does).
    The summaries are rebuilt even when a key is found broken (``KeysBroken``, raised last)."""
    from areas.choices import UnitLevel
    from areas.models import AdministrativeUnit

    from .summary import summaries_rebuild, summaries_refresh

    if not parallel:
        summaries_rebuild()
        with connection.cursor() as cursor:
            _keys_check(cursor)
        return
    import threading

    from django.db import connections

    communes = sorted(AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).values_list("pk", flat=True))
    errors: list[BaseException] = []

    def run(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as error:  # raised again below
            errors.append(error)
        finally:
            connections["default"].close()

    def keys() -> None:
        with connection.cursor() as cursor:
            _keys_check(cursor)

    def timed(name: str, work: Callable[[], None]) -> Callable[[], None]:
        def job() -> None:
            started = time.monotonic()
            work()
            result.job_seconds[name] = time.monotonic() - started
            say(f"    {phase_label('job ' + name)}: {vn_decimal(result.job_seconds[name])} s")

        return job

    works = [timed("keys", keys)] + [
        timed(f"summaries {i + 1}", lambda ids=communes[i::2]: summaries_refresh(ids)) for i in range(2)
    ]
    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # another failure first (the summaries'), the broken keys said beside it; then the broken keys
    failures = sorted(errors, key=lambda error: isinstance(error, KeysBroken))
    if failures:
        if len(failures) > 1 and isinstance(failures[-1], KeysBroken):
            say(str(failures[-1]))
        raise failures[0]


def _keys_check(cursor) -> int:
    """Check the foreign keys of the copied tables, and of the tables that refer to them, that are marked unchecked
    (``NOT VALID``): those the load added back that way (``_restore``), and any left behind by a run stopped between
    its commit and this check or by one that found broken rows (checked again at the start of every run,
    ``province_generate``). No migration of the portal adds such a key: any found on these tables is the generator's.
    Each is enforced for every write from the moment it was added; the check reads the rows written before, and takes
    only a lock that lets the portal read and write. Returns how many were checked."""
    tables = list(TABLES)
    cursor.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"
        " AND conparentid = 0 AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])) ORDER BY 1, 2",
        [tables, tables],
    )
    unchecked = cursor.fetchall()
    broken: list[tuple[str, IntegrityError]] = []
    for table, name in unchecked:  # every key, even after one that fails
        try:
            with transaction.atomic():
                cursor.execute(f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"')
        except IntegrityError as error:
            broken.append((name, error))
    if broken:
        raise KeysBroken(
            _(
                "Kiểm tra khóa ngoại của các hộ sao chép tìm thấy dòng không khớp khóa %(keys)s (%(error)s). Các hộ "
                "đã ghi được giữ nguyên; khóa vẫn được áp dụng cho mọi lần ghi mới nhưng chưa được kiểm tra với các "
                "dòng đã có: sửa các dòng sai rồi chạy lại lệnh, lệnh sẽ kiểm tra lại trước khi làm việc khác."
            )
            % {"keys": ", ".join(name for name, _error in broken), "error": str(broken[0][1]).splitlines()[0]}
        ) from broken[0][1]
    return len(unchecked)


# Which job computes each table's copies (the households' in two halves: ``_moves``).
STAGED_BY = {
    "households_household": "households",
    "households_member": "members",
    "households_householdsearch": "search",
    "households_statusrecord": "history",
    "households_changeentry": "history",
    "programs_benefit": "support",
    "programs_benefitlog": "support",
    "programs_support_year": "support",
}


# The halves of the households' copies: the generations of copies 1 … ⌊n/2⌋, then the others.
FIRST, SECOND = "first", "second"


def _half(plan: "_Plan", part: str) -> str:
    """The condition on the plan's rows (``p``) of a half of the copies: with one generation, all of them first."""
    middle = plan.generations // 2
    if not middle:
        return "" if part == FIRST else "false"
    return f"p.k <= {middle}" if part == FIRST else f"p.k > {middle}"


def _moves(plan: "_Plan") -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """The moves in order (a label: the table and the condition on its work table's keys) and the job each waits
    for. A half's households are those of its generations, their keys below or above ``base + middle × pool size``
    (keys are ``base + (generation − 1) × pool size + position in the pool``)."""
    middle = plan.generations // 2
    moves, staged_by = {}, {}
    for table in TABLES:
        if table == "households_household" and middle:
            bound = plan.base_household + middle * plan.households
            moves[f"{table} (1/2)"], staged_by[f"{table} (1/2)"] = (table, f"id < {bound}"), "households"
            moves[f"{table} (2/2)"] = (table, f"id >= {bound}")
            staged_by[f"{table} (2/2)"] = "households, second half"
        else:
            moves[table], staged_by[table] = (table, ""), STAGED_BY[table]
    return moves, staged_by


def _schema(cursor) -> str:
    """The schema of the registry's tables (the first of the search path that exists)."""
    cursor.execute("SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = 'households_household'::regclass")
    return cursor.fetchone()[0]


class _Inline:
    """The jobs run here, in this connection's transaction, one after the other."""

    def __init__(self, cursor, lanes: list[list[tuple[str, Callable]]]):
        self.values = {name: job(cursor) for lane in lanes for name, job in lane}

    def wait(self, name: str):
        return self.values[name]

    def first_done(self, tables: list[str], jobs: dict[str, str]) -> str:
        return tables[0]

    def join(self) -> None:
        pass


class _Lanes:
    """Each lane's jobs run in order in a connection of its own (a thread each: the work is the server's), each job
    in a transaction of its own that writes only work tables; ``wait`` returns a job's value once it has committed,
    or raises the first error of any lane. Each connection's server CPU is added to ``result.server_cpu``."""

    def __init__(self, schema: str, lanes: list[list[tuple[str, Callable]]], result: ScaleResult):
        import threading

        self.schema, self.result = schema, result
        self.done = {name: threading.Event() for lane in lanes for name, _job in lane}
        self.values: dict = {}
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, args=(i, lane)) for i, lane in enumerate(lanes)]
        for thread in self.threads:
            thread.start()

    def _run(self, index: int, jobs: list[tuple[str, Callable]]) -> None:
        from django.db import connections

        own = connections["default"]  # per thread: a new connection
        cpu = None
        try:
            with own.cursor() as cursor:
                # A lock this connection should never need (the registry's tables are the other transaction's) ends
                # in an error instead of waiting for a transaction that waits for this one.
                cursor.execute("SET work_mem = '256MB'; SET lock_timeout = '60s'")
                cursor.execute(f"SET search_path = {self.schema}, {_schema(cursor)}")
                cursor.execute("SELECT pg_backend_pid()")
                cpu = _BackendCpu(cursor.fetchone()[0])
                for name, job in jobs:
                    started, before = time.monotonic(), cpu.now()
                    with transaction.atomic():
                        self.values[name] = job(cursor)
                        _out_of_autovacuum(cursor, self.schema)
                    self.done[name].set()
                    after = cpu.now()
                    self.result.job_seconds[f"job {name}"] = time.monotonic() - started
                    if after is not None:
                        self.result.server_cpu[f"job {name}"] = after - before
        except BaseException as error:  # raised again in the waiting thread
            self.errors.append(error)
        finally:
            spent = cpu.spent() if cpu is not None else None
            if spent is not None:
                key = f"lane {index + 1}" if len(self.threads) > 1 else f"lane {jobs[0][0]}"
                self.result.server_cpu[key] = self.result.server_cpu.get(key, 0) + spent
            for name, _job in jobs:
                self.done[name].set()
            own.close()

    def wait(self, name: str):
        self.done[name].wait()
        if self.errors:
            raise self.errors[0]
        return self.values[name]

    def first_done(self, tables: list[str], jobs: dict[str, str]) -> str:
        """The first of ``tables`` whose job (``jobs[table]``) has committed, waiting for one if none has."""
        while True:
            for table in tables:
                if self.done[jobs[table]].is_set():
                    self.wait(jobs[table])  # raises a lane's error
                    return table
            self.done[jobs[tables[0]]].wait(0.2)

    def join(self) -> None:
        for thread in self.threads:
            thread.join()


# The statement triggers that mark a changed commune for the dashboards' and the support figures' summaries (ADR 0036,
# 0040) and keep the electricity counts (ADR 0053). Each keeps its statement's transition table: for the copies, every
# moved row written aside a second time (spilled to disk past work_mem) and read back to find a few dozen communes.
MARK_TRIGGERS = r"_(summary|support|elec)_(ins|upd|del)$"


def _marks_off(cursor) -> list[tuple[str, str]]:
    """Switch the mark triggers of the copied tables off for the copies' transaction (no other writer can write them:
    it holds their lock); return them, to switch them on again (``_marks_on``)."""
    return _triggers_off(cursor, "tgname ~ %s", [MARK_TRIGGERS])


def _triggers_off(cursor, condition: str, params: list) -> list[tuple[str, str]]:
    """Switch off the copied tables' triggers that ``condition`` names and that are on; return them (table, name),
    to switch them on again: a trigger an administrator had switched off stays off after the load."""
    cursor.execute(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
        f"AND tgrelid = ANY(%s::regclass[]) AND {condition} ORDER BY 1, 2",
        [list(TABLES), *params],
    )
    triggers = cursor.fetchall()
    for table, name in triggers:
        cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
    return triggers


def _triggers_on(cursor, triggers: list[tuple[str, str]]) -> None:
    for table, name in triggers:
        cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')


def _marks_on(cursor, triggers: list[tuple[str, str]]) -> None:
    """The mark triggers on again, and what they would have written for the copies: one mark for each commune copied
    into, for the dashboards' summary (rebuilt after the load anyway) and for the support figures' (recomputed by the
    worker's sweep). The electricity counts were stopped before the load and are built again after it."""
    _triggers_on(cursor, triggers)
    if triggers:
        communes = "SELECT DISTINCT commune_id, now() FROM stage_households_household"
        cursor.execute(f"INSERT INTO households_summarystale (commune_id, marked_at) {communes}")
        cursor.execute(f"INSERT INTO programs_supportstale (commune_id, marked_at) {communes}")


def _out_of_autovacuum(cursor, schema: str) -> None:
    """The work tables this transaction created, left out of the autovacuum before they are committed: written once
    and read by the moves, they were vacuumed and analysed in the middle of a million-household load (a worker busy
    for minutes, dirtying their pages) for nothing; a plan that needs their statistics takes them (``ANALYZE``).
    "Created by this transaction": ``pg_class.xmin`` is its own id (a table created inside a savepoint would carry
    the savepoint's: the jobs use none)."""
    cursor.execute(
        "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r'"
        " AND c.xmin::text::bigint = pg_current_xact_id()::text::bigint %% 4294967296",
        [schema],
    )
    for (table,) in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)")


def _drop_work_schemas(cursor, schema: str, own: bool = False) -> None:
    """Drop this run's work schema (``own``), or before a run the work schemas left by runs whose connection is gone
    (a process killed mid-run leaves its unlogged work tables; the registry's tables were never touched)."""
    if own:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        return
    cursor.execute(
        r"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'gn\_scale\_%%' AND NOT EXISTS "
        "(SELECT 1 FROM pg_stat_activity a WHERE 'gn_scale_' || a.pid = nspname AND a.pid <> pg_backend_pid())"
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    cursor.execute(f"CREATE SCHEMA {schema}")


def _move(cursor, table: str, where: str = "") -> None:
    """The work table's rows (those of ``where``) into the registry's table, with their keys (generated columns are
    computed here)."""
    names = ", ".join(f'"{c}"' for c in _columns(cursor, table, key=True))
    condition = f" WHERE {where}" if where else ""
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM stage_{table}{condition}")


class _BackendCpu:
    """CPU time a database backend has used (its process's, read from /proc where the server runs on this machine;
    ``None`` elsewhere)."""

    def __init__(self, pid: int):
        self.stat = f"/proc/{pid}/stat"
        self.start = self.now()

    def now(self) -> float | None:
        try:
            with open(self.stat) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # the server runs elsewhere
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def spent(self) -> float | None:
        now = self.now()
        return None if now is None or self.start is None else now - self.start


# The console's names of the phases and jobs (operator output; the keys of ``ScaleResult.phases`` stay short).
PHASE_LABELS = {
    "plan": "lập kế hoạch sao chép",
    "drop_indexes": "tạm bỏ chỉ mục và khóa ngoại",
    "rebuild_indexes": "dựng lại chỉ mục",
    "rebuild_keys": "tạo lại khóa ngoại",
    "analyze": "cập nhật thống kê cho bộ lập kế hoạch (ANALYZE)",
    "commit": "ghi nhận giao dịch và dọn bảng tạm",
    "summaries": "kiểm tra khóa ngoại sau khi ghi, dựng lại các bảng tổng hợp",
}
JOB_LABELS = {
    "plan": "kế hoạch",
    "households": "hộ",
    "households, second half": "hộ, nửa sau",
    "history": "bản ghi phân loại và nhật ký",
    "members": "thành viên",
    "search": "dòng tìm kiếm",
    "support": "khoản hỗ trợ",
    "keys": "kiểm tra khóa ngoại",
    "summaries 1": "bảng tổng hợp, nửa đầu các xã",
    "summaries 2": "bảng tổng hợp, nửa sau các xã",
}


def phase_label(key: str) -> str:
    """The Vietnamese name of a phase (``move households_member`` → ``chuyển vào households_member``)."""
    head, _, rest = key.partition(" ")
    if head == "wait":
        return f"chờ bảng {rest}"
    if head == "move":
        return f"chuyển vào {rest}"
    if head == "job":
        return f"việc «{JOB_LABELS.get(rest, rest)}»"
    if head == "lane":
        return f"kết nối {rest}" if rest.isdigit() else f"kết nối «{JOB_LABELS.get(rest, rest)}»"
    return PHASE_LABELS.get(key, key)


class _Timer:
    """Wall time of each phase, and the CPU time the database server spent on it: on a shared machine the wall time
    mostly measures the wait. The phases the other connections ran report their CPU per connection (``lane``)."""

    def __init__(self, result: ScaleResult, say: Callable):
        self.result, self.say = result, say
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.cpu = _BackendCpu(cursor.fetchone()[0])
        self.last, self.last_cpu = time.monotonic(), self.cpu.now()

    def lap(self, name: str) -> None:
        now, cpu = time.monotonic(), self.cpu.now()
        self.result.phases[name] = now - self.last
        spent = f", CPU của CSDL {vn_decimal(cpu - self.last_cpu)} s" if cpu is not None else ""
        if cpu is not None:
            self.result.server_cpu[name] = cpu - self.last_cpu
        self.say(f"  {phase_label(name)}: {vn_decimal(now - self.last)} s{spent}")
        self.last, self.last_cpu = now, cpu


@dataclass
class _Plan:
    generations: int  # the largest number of copies of one pool household
    households: int  # pool sizes across the communes (the stride of a generation's keys)
    members: int
    benefits: int
    base_household: int = 0
    base_member: int = 0
    base_benefit: int = 0
    copies: int = 0

    def __bool__(self) -> bool:
        return self.copies > 0


def _plan(cursor, communes, per_commune: int, pool: int) -> _Plan | None:
    """Work tables: the pool (households, members, distinct names, benefits, given names), the copies to make (code,
    key, village, source) and the empty tables of the copies' rows (``stage_*``); reserves the keys."""
    values = ", ".join(cursor.mogrify("(%s, %s)", [c.pk, commune_prefix(c)]).decode() for c in communes)
    family = "|".join(FAMILY_NAMES)
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE gen_pool_h AS
        SELECT h.id AS src_id, h.commune_id, h.village_id, c.prefix,
               (row_number() OVER (ORDER BY h.id) - 1)::bigint AS ord,
               row_number() OVER (PARTITION BY h.commune_id ORDER BY h.id)::int AS n,
               count(*) OVER (PARTITION BY h.commune_id)::int AS size
        FROM households_household h JOIN (VALUES {values}) c(commune_id, prefix) ON c.commune_id = h.commune_id
        WHERE h.code ~ ('^' || c.prefix || '-[0-9]+$')
          AND substring(h.code FROM '-([0-9]+)$')::int <= %s;
        CREATE UNLOGGED TABLE gen_pool_m AS
        SELECT m.id AS src_id, m.household_id AS hh_src, (row_number() OVER (ORDER BY m.id) - 1)::bigint AS ord,
               m.full_name, m.sex, m.ethnic_group_id,
               coalesce(substring(m.full_name FROM '^({family}) '), split_part(m.full_name, ' ', 1)) AS family
        FROM households_member m JOIN gen_pool_h p ON p.src_id = m.household_id;
        UPDATE gen_pool_m SET family = '' WHERE family = full_name;
        CREATE UNLOGGED TABLE gen_pool_b AS
        SELECT b.id AS src_id, (row_number() OVER (ORDER BY b.id) - 1)::bigint AS ord
        FROM programs_benefit b JOIN gen_pool_h p ON p.src_id = b.household_id;
        """,
        [pool],
    )
    # Names: one row per distinct name of a pool household (placeholder j), its given part and the group it draws
    # a new given name from (sex and ethnic group of its first holder).
    cursor.execute(
        """
        CREATE UNLOGGED TABLE gen_pool_names AS
        SELECT hh_src, full_name, family, ltrim(substr(full_name, length(family) + 1)) AS given,
               sex, ethnic_group_id, dense_rank() OVER (PARTITION BY hh_src ORDER BY full_name)::int AS j
        FROM (SELECT DISTINCT ON (hh_src, full_name) hh_src, full_name, family, sex, ethnic_group_id
              FROM gen_pool_m ORDER BY hh_src, full_name, src_id) d;
        CREATE UNLOGGED TABLE gen_givens AS
        SELECT sex, ethnic_group_id, given,
               (row_number() OVER (PARTITION BY sex, ethnic_group_id ORDER BY given) - 1)::int AS i,
               count(*) OVER (PARTITION BY sex, ethnic_group_id)::int AS n
        FROM (SELECT DISTINCT sex, ethnic_group_id, given FROM gen_pool_names) g;
        CREATE INDEX ON gen_givens (sex, ethnic_group_id, i);
        ALTER TABLE gen_pool_m ADD COLUMN j int;
        UPDATE gen_pool_m m SET j = n.j FROM gen_pool_names n WHERE n.hh_src = m.hh_src AND n.full_name = m.full_name;
        CREATE INDEX ON gen_pool_m (hh_src);
        CREATE INDEX ON gen_pool_names (hh_src);
        ANALYZE gen_pool_h, gen_pool_m, gen_pool_names, gen_givens, gen_pool_b;
        """
    )
    cursor.execute("SELECT count(*), coalesce(max(size), 0), coalesce(min(size), 0) FROM gen_pool_h")
    households, _largest, smallest = cursor.fetchone()
    if not households:
        return None
    generations = -(-per_commune // smallest) - 1  # copies of one pool household at most
    cursor.execute("SELECT (SELECT count(*) FROM gen_pool_m), (SELECT count(*) FROM gen_pool_b)")
    members, benefits = cursor.fetchone()
    plan = _Plan(generations=generations, households=households, members=members, benefits=benefits)
    # The copies: numbers size+1 … per_commune of each commune whose code does not exist yet.
    cursor.execute(
        """
        CREATE UNLOGGED TABLE gen_plan AS
        SELECT c.number, c.code, p.src_id, p.commune_id, p.village_id AS old_village_id, p.ord AS h_ord,
               ((c.number - 1) / p.size)::int AS k
        FROM (SELECT DISTINCT commune_id, prefix, size FROM gen_pool_h) s
        CROSS JOIN LATERAL generate_series(s.size + 1, %s) AS g(number)
        CROSS JOIN LATERAL (SELECT g.number,
                                   s.prefix || '-' || CASE WHEN g.number < 1000 THEN lpad(g.number::text, 4, '0')
                                                           ELSE g.number::text END AS code) c
        JOIN gen_pool_h p ON p.commune_id = s.commune_id AND p.n = (c.number - 1) %% s.size + 1
        WHERE NOT EXISTS (SELECT 1 FROM households_household e
                          WHERE e.commune_id = s.commune_id AND lower(e.code) = lower(c.code))
        """,
        [per_commune],
    )
    cursor.execute("SELECT count(*) FROM gen_plan")
    plan.copies = cursor.fetchone()[0]
    if not plan.copies:
        return plan
    plan.base_household = _reserve(cursor, "households_household", generations * households)
    plan.base_member = _reserve(cursor, "households_member", generations * members)
    plan.base_benefit = _reserve(cursor, "programs_benefit", max(1, generations * benefits))
    # Keys, villages (same commune, kind and area type, picked by the code) and the new names of each copy.
    # (the plan's table written again with both columns rather than updated twice: a million rows each time)
    cursor.execute(
        """
        CREATE UNLOGGED TABLE gen_villages AS
        SELECT o.id AS old_id, v.id, v.name, o.name AS old_name,
               (row_number() OVER (PARTITION BY o.id ORDER BY v.code) - 1)::int AS i,
               count(*) OVER (PARTITION BY o.id)::int AS n
        FROM areas_administrativeunit o
        JOIN areas_administrativeunit v ON v.parent_id = o.parent_id AND v.level = o.level AND v.kind = o.kind
             AND v.area_type = o.area_type AND v.valid_to IS NULL
        WHERE o.id IN (SELECT DISTINCT old_village_id FROM gen_plan);
        CREATE UNLOGGED TABLE gen_plan_keyed AS
        SELECT p.*, %s + (p.k - 1)::bigint * %s + p.h_ord AS new_id, coalesce(v.id, p.old_village_id) AS village_id
          FROM gen_plan p LEFT JOIN gen_villages v
               ON v.old_id = p.old_village_id AND v.i = abs(hashtext(p.code)::bigint) %% v.n;
        DROP TABLE gen_plan;
        ALTER TABLE gen_plan_keyed RENAME TO gen_plan;
        ANALYZE gen_plan;
        """,
        [plan.base_household, households],
    )
    # Each copy's names: a hash join with the given names on the drawn index. The planner's estimate of the rows
    # (a third of them) made it sort every member of the copies for a merge join instead (13,7 s against 4,4 s at a
    # million households, on the plan's single connection while the other core waits).
    cursor.execute("SELECT current_setting('enable_mergejoin')")
    merge_joins = cursor.fetchone()[0]  # put back afterwards: this may run in the copies' own transaction
    cursor.execute(
        """
        SET LOCAL enable_mergejoin = off;
        CREATE UNLOGGED TABLE gen_names AS
        SELECT p.new_id, array_agg(CASE WHEN n.family = '' THEN g.given ELSE n.family || ' ' || g.given END
                                   ORDER BY n.j) AS names
        FROM gen_plan p JOIN gen_pool_names n ON n.hh_src = p.src_id
        JOIN gen_givens g0 ON g0.sex = n.sex AND g0.ethnic_group_id = n.ethnic_group_id AND g0.given = n.given
        JOIN gen_givens g ON g.sex = n.sex AND g.ethnic_group_id = n.ethnic_group_id
             AND g.i = abs(hashtext(p.code || ':' || n.given)::bigint) % g0.n
        GROUP BY p.new_id;
        """
    )
    cursor.execute("SELECT set_config('enable_mergejoin', %s, true); ANALYZE gen_names", [merge_joins])
    # The pool's rows and the registry's numbers, so that the jobs never read a registry table (the copies'
    # transaction drops its indexes and foreign keys while they run).
    cursor.execute(
        """
        CREATE UNLOGGED TABLE pool_households_household AS
        SELECT o.* FROM households_household o WHERE o.id IN (SELECT src_id FROM gen_pool_h);
        CREATE UNLOGGED TABLE pool_households_member AS
        SELECT o.* FROM households_member o WHERE o.household_id IN (SELECT src_id FROM gen_pool_h);
        CREATE UNLOGGED TABLE pool_households_statusrecord AS
        SELECT o.* FROM households_statusrecord o WHERE o.household_id IN (SELECT src_id FROM gen_pool_h);
        CREATE UNLOGGED TABLE pool_households_changeentry AS
        SELECT o.* FROM households_changeentry o
         WHERE o.household_id IN (SELECT src_id FROM gen_pool_h) AND o.action = 'create';
        CREATE UNLOGGED TABLE pool_programs_benefit AS
        SELECT o.* FROM programs_benefit o WHERE o.household_id IN (SELECT src_id FROM gen_pool_h);
        CREATE UNLOGGED TABLE pool_programs_benefitlog AS
        SELECT o.* FROM programs_benefitlog o WHERE o.benefit_id IN (SELECT id FROM pool_programs_benefit);
        CREATE UNLOGGED TABLE gen_numbers AS
        SELECT personal_id, health_insurance_number FROM households_member;
        CREATE INDEX ON pool_households_household (id);
        CREATE INDEX ON pool_households_member (id);
        CREATE INDEX ON pool_households_member (household_id);
        CREATE INDEX ON pool_programs_benefit (id);
        ANALYZE pool_households_household, pool_households_member, pool_households_statusrecord,
                pool_households_changeentry, pool_programs_benefit, pool_programs_benefitlog, gen_numbers;
        """
    )
    for table in TABLES:  # the copies' rows, computed here before they are moved into the registry's tables
        cursor.execute(f"CREATE UNLOGGED TABLE stage_{table} (LIKE {table} INCLUDING COMPRESSION)")
        cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attgenerated <> ''", [table])
        for (column,) in cursor.fetchall():  # computed by the registry's table when the rows are moved
            cursor.execute(f'ALTER TABLE stage_{table} DROP COLUMN "{column}"')
    return plan


def _reserve(cursor, table: str, count: int) -> int:
    """The first of ``count`` consecutive keys taken from the table's sequence (the tables are locked)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + count])
    return first


def _next_key(cursor, table: str) -> str:
    """SQL drawing the table's next key from its sequence, named once: ``pg_get_serial_sequence`` in the statement
    would look the sequence up again for every row (≈ 2,5 µs against 0,2 µs, millions of rows)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    return f"nextval({cursor.mogrify('%s', [sequence]).decode()}::regclass)"


def _columns(cursor, table: str, key: bool = False) -> list[str]:
    """The table's stored columns but the generated ones (and but ``id`` unless ``key``), in order."""
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "AND attgenerated = '' AND (%s OR attname <> 'id') ORDER BY attnum",
        [table, key],
    )
    return [row[0] for row in cursor.fetchall()]


def _insert(cursor, table: str, key: str, replace: dict[str, str], source: str, params=None) -> int:
    """INSERT INTO the table's work table (id, every column) SELECT key, o.column or its replacement … source."""
    columns = _columns(cursor, table)
    values = ", ".join(replace.get(c, f'o."{c}"') for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(f"INSERT INTO stage_{table} (id, {names}) SELECT {key}, {values} {source}", params)
    return cursor.rowcount


def _copy_households(cursor, plan: _Plan, result: ScaleResult, part: str) -> None:
    """Households whose snapshot names their own members: the texts of the pool household's snapshot that name a
    member (an indicator's reason, a row's detail) become templates with a placeholder per name, and each copy's
    snapshot is the pool household's with those texts filled with the copy's names (``jsonb_set`` on those texts
    only: parsing every snapshot again from text cost several times more). The copies of ``part`` (``_half``); the
    templates are made with the first, in this connection."""
    if part == FIRST:
        _household_templates(cursor)
    condition = _half(plan, part)
    result.copies += _insert(
        cursor,
        "households_household",
        "p.new_id",
        {
            "code": "p.code",
            "village_id": "p.village_id",
            "head_name": "CASE WHEN t.head_j IS NULL THEN o.head_name ELSE n.names[t.head_j] END",
            "classification": "pg_temp.gn_fill(o.classification, t.paths, t.templates, n.names)",
            "created_at": "now()",
            "updated_at": "now()",
            "created_by_id": "NULL",
            "version": "1",
        },
        "FROM gen_plan p JOIN pool_households_household o ON o.id = p.src_id "
        "JOIN gen_templates t ON t.src_id = p.src_id "
        "JOIN gen_names n ON n.new_id = p.new_id" + (f" WHERE {condition}" if condition else ""),
    )


def _household_templates(cursor) -> None:
    """The snapshots' templates (``gen_templates``) and the functions that fill them (this connection's own)."""
    placeholder = PLACEHOLDER.replace("%s", "' || i || '")
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION pg_temp.gn_template(snapshot text, names text[]) RETURNS text
        LANGUAGE plpgsql IMMUTABLE AS $$
        DECLARE i int;
        BEGIN
            FOR i IN SELECT s.i FROM unnest(names) WITH ORDINALITY s(name, i) ORDER BY length(s.name) DESC, s.i LOOP
                snapshot := replace(snapshot, names[i], '{placeholder}');
            END LOOP;
            RETURN snapshot;
        END $$;
        CREATE OR REPLACE FUNCTION pg_temp.gn_fill(snapshot jsonb, paths text[], templates text[], names text[])
        RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
        DECLARE t text; i int; j int;
        BEGIN
            IF paths IS NULL THEN RETURN snapshot; END IF;
            FOR i IN 1 .. array_length(paths, 1) LOOP
                t := templates[i];
                FOR j IN 1 .. coalesce(array_length(names, 1), 0) LOOP
                    t := replace(t, '{placeholder.replace("i ||", "j ||")}', names[j]);
                END LOOP;
                snapshot := jsonb_set(snapshot, string_to_array(paths[i], ','), to_jsonb(t));
            END LOOP;
            RETURN snapshot;
        END $$;
        -- every text of the snapshot one or two levels down ("summary", "indicators"[i]."reason", "rows"[i]."detail")
        CREATE UNLOGGED TABLE gen_leaves AS
        SELECT l.src_id, l.path, pg_temp.gn_template(l.text, n.names) AS template
        FROM (
            SELECT h.id AS src_id, a.key AS path, a.value #>> '{{}}' AS text
            FROM pool_households_household h JOIN gen_pool_h p ON p.src_id = h.id, jsonb_each(h.classification) a
            WHERE jsonb_typeof(a.value) = 'string'
            UNION ALL
            SELECT h.id, a.key || ',' || (e.i - 1) || ',' || f.key, f.value #>> '{{}}'
            FROM pool_households_household h JOIN gen_pool_h p ON p.src_id = h.id, jsonb_each(h.classification) a,
                 jsonb_array_elements(CASE WHEN jsonb_typeof(a.value) = 'array' THEN a.value ELSE '[]' END)
                     WITH ORDINALITY e(v, i),
                 jsonb_each(CASE WHEN jsonb_typeof(e.v) = 'object' THEN e.v ELSE '{{}}' END) f
            WHERE jsonb_typeof(f.value) = 'string'
        ) l
        JOIN (SELECT hh_src, array_agg(full_name ORDER BY j) AS names FROM gen_pool_names GROUP BY hh_src) n
             ON n.hh_src = l.src_id
        WHERE EXISTS (SELECT 1 FROM gen_pool_names pn WHERE pn.hh_src = l.src_id AND strpos(l.text, pn.full_name) > 0);
        CREATE UNLOGGED TABLE gen_templates AS
        SELECT p.src_id, lv.paths, lv.templates, hd.head_j
        FROM gen_pool_h p
        LEFT JOIN (SELECT src_id, array_agg(path ORDER BY path) AS paths, array_agg(template ORDER BY path) AS templates
                   FROM gen_leaves GROUP BY src_id) lv ON lv.src_id = p.src_id
        -- one join for every pool household's head, not a look-up per household: on a pool just loaded the planner
        -- has no statistics and chose a scan of the pool's members for each household (11,5 ms × 11.500 = 132 s)
        LEFT JOIN (SELECT DISTINCT ON (m.hh_src) m.hh_src, m.j AS head_j FROM gen_pool_m m
                   JOIN pool_households_member hm ON hm.id = m.src_id
                   WHERE hm.relationship = 'head' AND hm.left_at IS NULL
                   ORDER BY m.hh_src, m.src_id) hd ON hd.hh_src = p.src_id;
        ANALYZE gen_templates;
        """
    )


# The last six digits of an ID card (TT 59/2021/TT-BCA): the counters of one prefix must stay below this many.
ID_COUNTERS = 10**6


def _copy_members(cursor, plan: _Plan, result: ScaleResult) -> None:
    """Members with their new names and new ID and card numbers (clashes are redrawn afterwards), each with its stored
    normalised name: the copies' names are recombined from the pool's (≈ 11.000 different at a million households),
    so each is normalised once here and looked up per member; the moves keep the members' name trigger off
    (households migration 0024), which would otherwise call the function for every member row moved."""
    cursor.execute(
        """
        CREATE UNLOGGED TABLE gen_search_names AS
        SELECT full_name, households_search_norm(full_name) AS search_name
          FROM (SELECT DISTINCT unnest(names) AS full_name FROM gen_names) n;
        ANALYZE gen_search_names;
        -- each pool member with an ID: its rank among the pool's members of the same prefix, and their number
        CREATE UNLOGGED TABLE gen_id_rank AS
        SELECT m.src_id, row_number() OVER (PARTITION BY left(o.personal_id, 6) ORDER BY m.ord) AS rank,
               count(*) OVER (PARTITION BY left(o.personal_id, 6)) AS size
          FROM gen_pool_m m JOIN pool_households_member o ON o.id = m.src_id
         WHERE o.personal_id <> '';
        ANALYZE gen_id_rank;
        """
    )
    # The ID cards' counter per prefix: the copy's generation times the pool's members of the prefix plus the pool
    # member's rank among them, distinct for every copied member without numbering the copies in a sort of all of
    # them, as long as its range fits the six digits. With pools of very different sizes (the generations are those
    # of the smallest) it may not: the copies are then numbered one by one, a range of exactly their number.
    cursor.execute("SELECT coalesce(max(size), 0) FROM gen_id_rank")
    if plan.generations * cursor.fetchone()[0] < ID_COUNTERS:
        counter = "(p.k - 1)::bigint * r.size + r.rank"
    else:
        counter = "row_number() OVER (PARTITION BY left(o.personal_id, 6) ORDER BY p.new_id, m.ord)"
    key = f"{plan.base_member} + (p.k - 1)::bigint * {plan.members} + m.ord"
    result.members = _insert(
        cursor,
        "households_member",
        key,
        {
            "household_id": "p.new_id",
            "full_name": "n.names[m.j]",
            # the same first six digits (province, sex and century, year of birth), new last six
            "personal_id": "CASE WHEN o.personal_id = '' THEN '' ELSE left(o.personal_id, 6) || lpad(((("
            f"{counter} + {plan.base_member}) * 389141) % {ID_COUNTERS})::text, 6, '0') END",
            # (the counter times a multiplier prime to 10^6: distinct last six digits within this load)
            # the same object code and province, new last ten digits (a bijection of the new key)
            "health_insurance_number": "CASE WHEN o.health_insurance_number = '' THEN '' ELSE "
            f"left(o.health_insurance_number, 5) || lpad((({key}) * 7777777777 % 10000000000)::text, 10, '0') END",
            "created_at": "now()",
            "updated_at": "now()",
            # a name missing from the look-up (none should be) is normalised here rather than left without its value
            "search_name": "coalesce(s.search_name, households_search_norm(n.names[m.j]))",
        },
        "FROM gen_plan p JOIN gen_pool_m m ON m.hh_src = p.src_id JOIN pool_households_member o ON o.id = m.src_id "
        "JOIN gen_names n ON n.new_id = p.new_id LEFT JOIN gen_search_names s ON s.full_name = n.names[m.j] "
        "LEFT JOIN gen_id_rank r ON r.src_id = m.src_id",
    )
    cursor.execute("ANALYZE stage_households_member")
    result.redrawn = _redraw_clashes(cursor)


# households migration 0017 (ADR 0046): the trigger that writes the search rows of inserted members' households;
# migration 0024: the trigger that computes a member's stored normalised name. Both off for the moves.
SEARCH_TRIGGER = "households_member_search_inserted"
NAME_TRIGGER = "households_member_search_name"
# programs migration 0016 (ADR 0054): the trigger that adds the years with support of inserted benefits; off for the
# moves, the copies' rows being computed with the benefits (``_copy_support``).
SUPPORT_YEAR_TRIGGER = "programs_benefit_support_year_ins"
# households migration 0020 (ADR 0052): the trigger that adds the words of inserted search rows to the names'
# vocabulary; off for the moves (its transition table held every moved search row, and it unnested their ≈ 20 words
# each), the copies' words being added from each distinct name's words (``_add_vocabulary``).
WORDS_TRIGGER_TABLE, WORDS_TRIGGER = "households_householdsearch", "households_search_words_inserted"
LOAD_TRIGGERS = (SEARCH_TRIGGER, NAME_TRIGGER, SUPPORT_YEAR_TRIGGER, WORDS_TRIGGER)


def _add_vocabulary(cursor) -> None:
    """What the search rows' words trigger would have added for the copies: every single word (not a pair: "a+b") of
    their names that the vocabulary lacks. A row's words are its names' words (``_fill_search_rows``), so the
    copies' words are those of their distinct names (``gen_name_words``, a few hundred thousand rows)."""
    cursor.execute(
        "INSERT INTO households_householdsearchword (word) SELECT DISTINCT w.word FROM gen_name_words w"
        " WHERE strpos(w.word, '+') = 0"
        " AND NOT EXISTS (SELECT 1 FROM households_householdsearchword v WHERE v.word = w.word)"
    )


def _fill_search_rows(cursor, plan: _Plan) -> None:
    """The copies' search rows (ADR 0046) from their members: what the members' search trigger writes, for the
    planned households at once (they have no row yet; ``_copy_members`` gave each member its ``search_name``).

    A row's words (``households_search_words`` of its names: the words and the pairs of words of each member's name)
    are the union of its members' names' words, so each distinct name's words are computed once and gathered per
    household (≈ 35 % less than calling the function on each household's names at a million households)."""
    cursor.execute(
        """
        CREATE UNLOGGED TABLE gen_name_words AS
        SELECT n.search_name, w.word
          FROM (SELECT DISTINCT search_name FROM stage_households_member WHERE left_at IS NULL) n,
               unnest(households_search_words(n.search_name)) AS w(word);
        ANALYZE gen_name_words;
        INSERT INTO stage_households_householdsearch (household_id, commune_id, names, words, head_name)
        SELECT p.new_id, p.commune_id, m.names, coalesce(w.words, '{}'), m.head_name
          FROM (SELECT m.household_id,
                       string_agg(m.search_name, '|' ORDER BY m.id) AS names,
                       min(m.search_name) FILTER (WHERE m.relationship = 'head') AS head_name
                  FROM stage_households_member m
                 WHERE m.left_at IS NULL
                 GROUP BY m.household_id) m
          JOIN gen_plan p ON p.new_id = m.household_id
          LEFT JOIN (SELECT m.household_id, array_agg(DISTINCT w.word ORDER BY w.word) AS words
                       FROM stage_households_member m JOIN gen_name_words w ON w.search_name = m.search_name
                      WHERE m.left_at IS NULL
                      GROUP BY m.household_id) w ON w.household_id = m.household_id
        """
    )


def _redraw_clashes(cursor) -> int:
    """Draw again the copies' ID and card numbers that another member holds.

    Within the copies the numbers are distinct by construction (a bijection of a counter per prefix for IDs, of the
    key for cards), so only the registry's members can hold the same number: one hashed join finds those. The rows
    found are then updated by their place in the table (``ctid``, no scan), and the numbers just drawn are checked
    against the registry and, through an index built for the redraw, against the other copies: a few hundred look-ups
    a round instead of two scans of every copied member (≈ 2 s each at a million households, 3 rounds for the IDs)."""
    redrawn = 0
    for column, kept, digits in (("personal_id", 6, 6), ("health_insurance_number", 5, 10)):
        cursor.execute(
            f"SELECT m.ctid FROM stage_households_member m WHERE m.{column} <> ''"
            f" AND m.{column} IN (SELECT {column} FROM gen_numbers WHERE {column} <> '')"
        )
        places = [row[0] for row in cursor.fetchall()]
        if not places:
            continue
        cursor.execute(f"CREATE INDEX gen_redraw_idx ON stage_households_member ({column})")
        for attempt in range(1, 20):
            cursor.execute(
                f"""
                UPDATE stage_households_member m
                SET {column} = left(m.{column}, {kept}) ||
                    lpad((abs(hashint8(m.id * 7919 + %s)::bigint * 2654435761) %% {10**digits})::text, {digits}, '0')
                WHERE m.ctid = ANY(%s::tid[])
                RETURNING m.ctid, m.{column}
                """,
                [attempt, places],
            )
            drawn = cursor.fetchall()
            redrawn += len(drawn)
            # the numbers just drawn that a registry member or another copy holds (drawn again in the next round)
            cursor.execute(
                f"""
                SELECT d.place FROM unnest(%s::tid[], %s::text[]) AS d(place, value)
                 WHERE d.value IN (SELECT {column} FROM gen_numbers WHERE {column} <> '')
                    OR (SELECT count(*) FROM stage_households_member o WHERE o.{column} = d.value) > 1
                """,
                [[place for place, _value in drawn], [value for _place, value in drawn]],
            )
            places = [row[0] for row in cursor.fetchall()]
            if not places:
                break
        cursor.execute("DROP INDEX gen_redraw_idx")
    return redrawn


def _copy_history(cursor, plan: _Plan, result: ScaleResult) -> None:
    """Status records and each copy's "created" change entry."""
    result.status_records = _insert(
        cursor,
        "households_statusrecord",
        _next_key(cursor, "households_statusrecord"),
        {"household_id": "p.new_id", "created_at": "now()", "created_by_id": "NULL"},
        "FROM gen_plan p JOIN pool_households_statusrecord o ON o.household_id = p.src_id",
    )
    subject = _("Hộ %(code)s") % {"code": "\x00"}
    before, after = subject.split("\x00")
    _insert(
        cursor,
        "households_changeentry",
        _next_key(cursor, "households_changeentry"),
        {"household_id": "p.new_id", "subject": "%s || p.code || %s", "at": "now()", "member_id": "NULL"},
        "FROM gen_plan p JOIN pool_households_changeentry o ON o.household_id = p.src_id AND o.action = 'create'",
        [before, after],
    )


def _copy_support(cursor, plan: _Plan, result: ScaleResult) -> None:
    """Benefits with their logs; a copied BHYT benefit carries its member's new card (after the numbers' redraw)."""
    member_key = f"{plan.base_member} + (p.k - 1)::bigint * {plan.members} + pm.ord"
    benefit_key = f"{plan.base_benefit} + (p.k - 1)::bigint * {plan.benefits} + pb.ord"
    result.benefits = _insert(
        cursor,
        "programs_benefit",
        benefit_key,
        {
            "household_id": "p.new_id",
            "member_id": f"CASE WHEN o.member_id IS NULL THEN NULL ELSE {member_key} END",
            "card_number": "CASE WHEN o.card_number = '' THEN '' WHEN nm.id IS NOT NULL "
            "THEN nm.health_insurance_number ELSE upper(left(md5(o.card_number || p.code), 15)) END",
            "savings_group": "CASE WHEN p.village_id = p.old_village_id THEN o.savings_group "
            "ELSE replace(o.savings_group, v.old_name, v.name) END",
            "created_at": "now()",
            "updated_at": "now()",
        },
        "FROM gen_plan p JOIN pool_programs_benefit o ON o.household_id = p.src_id "
        "JOIN gen_pool_b pb ON pb.src_id = o.id "
        "LEFT JOIN gen_pool_m pm ON pm.src_id = o.member_id "
        "LEFT JOIN pool_households_member mo ON mo.id = o.member_id "
        f"LEFT JOIN stage_households_member nm ON nm.id = {member_key} AND o.card_number = mo.health_insurance_number "
        "LEFT JOIN gen_villages v ON v.old_id = p.old_village_id AND v.id = p.village_id",
    )
    _insert(
        cursor,
        "programs_benefitlog",
        _next_key(cursor, "programs_benefitlog"),
        {"benefit_id": benefit_key, "at": "now()"},
        "FROM gen_plan p JOIN pool_programs_benefit b ON b.household_id = p.src_id "
        "JOIN gen_pool_b pb ON pb.src_id = b.id "
        "JOIN pool_programs_benefitlog o ON o.benefit_id = b.id",
    )
    # The copies' years with support (programs migration 0016, ADR 0054): what the benefits' trigger would add for
    # them, computed here beside the other work; the trigger is off while the benefits are moved (the copies are new
    # households: none of them has a row yet, so there is nothing to look up).
    cursor.execute(
        f"""
        INSERT INTO stage_programs_support_year (id, year, household_id)
        SELECT {_next_key(cursor, "programs_support_year")}, y.year, y.household_id
          FROM (SELECT DISTINCT EXTRACT(YEAR FROM b.date)::smallint AS year, b.household_id
                  FROM stage_programs_benefit b WHERE b.cancelled_at IS NULL ORDER BY 1, 2) y
        """
    )


# How long the load waits for another transaction's lock before it gives up (``LoadBusy``).
LOCK_WAIT = "10s"
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE of a lock wait past lock_timeout


class LoadBusy(RuntimeError):
    """The copies' transaction could not take its locks: no copy was written (the pool, drawn before, stays); the
    command can be run again, and skips the households already there."""


class KeysBroken(RuntimeError):
    """A check of the keys left unchecked (``_keys_check``: after a load's commit, or at the start of a run) found
    rows that break them: the households written stay, those keys stay ``NOT VALID`` (enforced for new writes) until
    the rows are mended and a run checks them again."""


def _referring_tables(cursor) -> list[str]:
    """The other tables whose foreign keys refer to a copied table (the emulation's, the reviews', the escape
    registrations', the benefits' photos…), locked before the copied tables (``households_copy``)."""
    tables = list(TABLES)
    cursor.execute(
        "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conparentid = 0"
        " AND confrelid = ANY(%s::regclass[]) AND NOT conrelid = ANY(%s::regclass[]) ORDER BY 1",
        [tables, tables],
    )
    return [table for (table,) in cursor.fetchall()]


def _dropping(cursor, communes, per_commune: int) -> bool:
    """Whether the copies will at least double the registry (then the load drops the copied tables' indexes and
    keys, ``_drop_for_load``): decided before the plan, from the households each commune lacks, since the tables the
    drop locks are locked first."""
    cursor.execute(
        "SELECT count(*), count(*) FILTER (WHERE commune_id = ANY(%s)) FROM households_household",
        [[c.pk for c in communes]],
    )
    registry, in_communes = cursor.fetchone()
    return max(0, per_commune * len(communes) - in_communes) >= registry


def _drop_for_load(cursor, dropping: bool) -> tuple[list[str], list[str]]:
    """When the copies at least double the registry (``dropping``), drop the copied tables' indexes, primary keys and
    foreign keys; return the statements that create them again: the indexes and keys, then the foreign keys, whose
    validation then reads the indexes on their columns (a key the copies leave empty, e.g. ``created_by``, is checked
    without reading the table; the others read an index instead of the heap).

    The primary keys and unique indexes go too (ADR 0058): maintained row by row they cost a third of the benefits'
    move, while a build sorts once, on both cores. A copy that broke one of them fails its rebuild, which rolls the
    whole load back, as the insert would have. The foreign keys of other tables that refer to those keys go with
    them (those tables were locked first, ``households_copy``). Kept in place, maintained row by row: an index
    carrying what its definition does not restore (a ``CLUSTER`` mark, the replica identity, a comment, a statistics
    target), and exclusion constraints."""
    indexes: list[str] = []
    keys: list[str] = []
    if not dropping:
        return indexes, keys
    tables = list(TABLES)
    # the copied tables' foreign keys and those that refer to them (a partition's inherited key goes with its
    # parent's)
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'"
        " AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])) AND conparentid = 0 ORDER BY 1, 2",
        [tables, tables],
    )
    for table, name, definition in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        keys.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for table in TABLES:
        cursor.execute(
            """
            SELECT c.relname, pg_get_indexdef(i.indexrelid), con.conname, con.contype, con.condeferrable,
                   con.condeferred
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                   AND con.contype IN ('p', 'u', 'x')
             WHERE i.indrelid = %s::regclass
               AND NOT i.indisclustered AND NOT i.indisreplident
               AND obj_description(i.indexrelid, 'pg_class') IS NULL
               AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0)
               AND (con.oid IS NULL OR con.contype IN ('p', 'u') AND obj_description(con.oid, 'pg_constraint') IS NULL)
             ORDER BY 1
            """,
            [table],
        )
        for name, definition, constraint, kind, deferrable, deferred in cursor.fetchall():
            if constraint is None:
                cursor.execute(f'DROP INDEX "{name}"')
                indexes.append(definition)
                continue
            # built as a unique index from its own definition (storage options included), then made the key again
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
            timing = (" DEFERRABLE INITIALLY DEFERRED" if deferred else " DEFERRABLE") if deferrable else ""
            kind = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            indexes += [
                definition,
                f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {kind} USING INDEX "{name}"{timing}',
            ]
    return indexes, keys


def _restore(cursor, dropped: tuple[list[str], list[str]], timer, checked_later: bool = False) -> bool:
    """The indexes and primary keys, the tables' statistics, then the foreign keys (``_drop_for_load``); whether it
    analysed. ``checked_later``: the foreign keys are added ``NOT VALID`` (enforced for every later write, the rows
    already there not read), to be checked after the commit (``_keys_check``, ``_after_load``)."""
    indexes, keys = dropped
    if not (indexes or keys):
        return False
    for statement in indexes:
        cursor.execute(statement)
    timer.lap("rebuild_indexes")
    # Analysed inside the transaction (its own rows count): the keys' checks are then planned from the real tables
    # (a key the copies leave empty, e.g. ``created_by``, read from its index), and the commit has its statistics.
    cursor.execute("ANALYZE " + ", ".join(TABLES))
    timer.lap("analyze")
    for statement in keys:
        cursor.execute(statement + (" NOT VALID" if checked_later and not statement.endswith(" NOT VALID") else ""))
    timer.lap("rebuild_keys")
    return True
