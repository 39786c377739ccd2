"""COPY writer: the encoders chosen by column type write exactly what the generic encoder writes, for any value."""

import random
import signal
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from core import pgcopy
from households.models import Household, Member
from programs.models import Benefit

from ..factories import UserFactory
from ..households.test_excel import saved_household

VALUES = [
    None,
    True,
    False,
    0,
    1,
    -7,
    2**40,
    "",
    "Ksor H'Linh",
    "tab\there",
    "line\nbreak\r",
    "back\\slash",
    "12",
    date(2024, 2, 29),
    datetime(2026, 1, 1, 7, 30, tzinfo=timezone.get_fixed_timezone(420)),
    Decimal("15.9"),
    1.5,
]


@pytest.mark.parametrize("model", [Household, Member, Benefit])
def test_typed_encoders_equal_the_generic_one(model):
    for field in pgcopy.insert_fields(model, with_pk=True):
        encode = pgcopy._encoder(field)
        for value in VALUES:
            assert encode(value) == pgcopy._scalar(value), (field.name, value)


def test_typed_encoders_on_random_text_and_numbers():
    rng = random.Random(11)
    alphabet = "aăâđêôơư AĂĐ'\t\n\r\\"
    for _index in range(2000):
        text = "".join(rng.choice(alphabet) for _char in range(rng.randint(0, 12)))
        number = rng.randint(-(10**12), 10**12)
        day = date(1900, 1, 1) + (date(2100, 1, 1) - date(1900, 1, 1)) * rng.random()
        assert pgcopy._text(text) == pgcopy._scalar(text)
        assert pgcopy._integer(number) == pgcopy._scalar(number)
        assert pgcopy._day(day) == pgcopy._scalar(day)


@pytest.mark.parametrize("encode", [pgcopy._text, pgcopy._integer, pgcopy._boolean, pgcopy._day, pgcopy._scalar])
def test_a_column_is_encoded_as_each_of_its_values(encode):
    """``copy_objects`` encodes a column at once: the same text as its encoder value by value, whatever the mix."""
    rng = random.Random(5)
    alphabet = "aăâđ 'Y\t\n\r\\"
    pools = {
        "text": lambda: "".join(rng.choice(alphabet) for _char in range(rng.randint(0, 6))),
        "plain text": lambda: "".join(rng.choice("aăâđ 'Y") for _char in range(rng.randint(0, 6))),
        "integer": lambda: rng.randint(-(10**6), 10**6),
        "boolean": lambda: rng.random() < 0.5,
        "day": lambda: date(1950, 1, 1) + (date(2030, 1, 1) - date(1950, 1, 1)) * rng.random(),
        "any": lambda: rng.choice(VALUES),
    }
    for name, draw in pools.items():
        for none_share in (0, 0.3):
            values = [None if rng.random() < none_share else draw() for _index in range(200)]
            assert pgcopy._column(values, encode) == [encode(value) for value in values], (name, none_share)


def test_json_values_are_written_as_before():
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    value = {"lý do": "Ksor H'Linh\tY", "ngày": date(2026, 12, 4), "số": Decimal("1.5"), "danh sách": [1, None, True]}
    assert pgcopy._json(value) == pgcopy._escaped(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
    assert pgcopy._json(None) == pgcopy.NULL


@pytest.mark.django_db
@pytest.mark.parametrize("count", [0, 1, 7, 250])
def test_reserved_ids_are_fresh_distinct_keys_of_the_tables_sequence(count):
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('households_household', 'id'))")
        before = cursor.fetchone()[0]
        ids = pgcopy.reserve_ids(Household, count)
        cursor.execute("SELECT nextval(pg_get_serial_sequence('households_household', 'id'))")
        after = cursor.fetchone()[0]
    assert len(ids) == len(set(ids)) == count
    assert all(before < pk < after for pk in ids)  # taken from the sequence, which moved past them
    assert after - before == count + 1  # one call to nextval per key, nothing else


@pytest.mark.django_db
def test_statistics_follow_a_load_that_outgrows_them_and_only_such_a_load():
    def estimate() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'accounts_user'::regclass")
            return cursor.fetchone()[0]

    def follow(added: int) -> int:
        """The statement run as an import runs it; the number of queries."""
        with CaptureQueriesContext(connection) as queries, pgcopy.CopyPipeline(threaded=False) as pipeline:
            pipeline.send([pgcopy.statistics_statement(User, added)])
        return len(queries)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")  # the estimate of an empty table, as autovacuum leaves it
    assert estimate() == User.objects.count() == 0
    UserFactory.create_batch(6)
    assert follow(6) == 1 and estimate() == 6  # six rows where the planner expects none: analysed
    UserFactory.create_batch(10)
    assert follow(5) == 1 and estimate() == 6  # five rows more than a table of six: left to autovacuum
    assert pgcopy.statistics_statement(User, 0) is None and follow(0) == 0


def pipeline_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE pipeline_rows (n integer PRIMARY KEY, label text NOT NULL)")


def pipeline_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, label FROM pipeline_rows ORDER BY n")
        return cursor.fetchall()


def rows_input(*numbers: int) -> tuple[str, str]:
    return "COPY pipeline_rows (n, label) FROM STDIN", "".join(f"{n}\tdòng {n}\n" for n in numbers)


@pytest.mark.django_db
@pytest.mark.parametrize("threaded", [True, False])
def test_a_pipeline_runs_its_statements_in_order_in_this_transaction(threaded):
    pipeline_table()
    with transaction.atomic():
        with pgcopy.CopyPipeline(threaded=threaded) as pipeline:
            pipeline.send([rows_input(1, 2), ("UPDATE pipeline_rows SET label = 'đã sửa' WHERE n = 2", None)])
            pipeline.send([None, rows_input(3)])
            pipeline.drain()
            assert pipeline_rows() == [(1, "dòng 1"), (2, "đã sửa"), (3, "dòng 3")]
        transaction.set_rollback(True)
    assert pipeline_rows() == []  # the thread wrote in this transaction: rolled back with it


@pytest.mark.django_db
def test_after_a_failed_statement_this_threads_queries_and_leaving_the_block_raise_its_error():
    pipeline_table()
    with transaction.atomic():
        # Leaving the block raises the pending error too: the transaction is not marked for rollback.
        with pytest.raises(IntegrityError), pgcopy.CopyPipeline(threaded=True) as pipeline:
            pipeline.send([rows_input(1, 1)])  # the same key twice
            with pytest.raises(IntegrityError):
                pipeline.drain()
            pipeline.send([rows_input(2)])
            assert pipeline.failed
            with pytest.raises(IntegrityError):  # not "current transaction is aborted"
                pipeline_rows()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_failed_statement_in_a_transaction_marked_for_rollback_changes_nothing():
    pipeline_table()
    with transaction.atomic(), pgcopy.CopyPipeline(threaded=True) as pipeline:
        pipeline.send([rows_input(1, 1)])
        transaction.set_rollback(True)  # e.g. the file had errors: the batches written meanwhile are undone
    assert pipeline_rows() == []


class SoftTimeLimit(Exception):
    """Stands for Celery's SoftTimeLimitExceeded, raised in the main thread by a signal handler."""


@pytest.mark.django_db
def test_an_exit_interrupted_by_a_signal_still_waits_for_the_thread_and_gives_the_connection_back():
    def handler(signum, frame):
        raise SoftTimeLimit

    pipeline_table()
    previous = signal.signal(signal.SIGALRM, handler)
    try:
        with transaction.atomic():
            started = time.monotonic()
            with pytest.raises(SoftTimeLimit), pgcopy.CopyPipeline(threaded=True) as pipeline:
                pipeline.send([("SELECT pg_sleep(0.6)", None)])
                pipeline.send([rows_input(1)])
                signal.setitimer(signal.ITIMER_REAL, 0.15)  # fires while leaving the block waits
            assert time.monotonic() - started >= 0.6  # the statement in flight ended before the block was left
            assert not pipeline._thread and not connection.execute_wrappers  # this thread's queries are its own
            assert pipeline_rows() == []  # the connection is usable; the statement queued behind was skipped
            transaction.set_rollback(True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.django_db
def test_update_statements_set_the_fields_of_these_rows_only_and_can_run_twice(tree, users):
    """Text with tabs and line breaks, NULLs, a JSON value, an array, a decimal and a date written through the
    temporary table; rows not given and fields not named keep their values; the statements can run again in the
    same transaction (the temporary table is dropped)."""
    first = saved_household(tree, users.commune_officer)
    second = saved_household(tree, users.commune_officer, code="IRS-002", with_ids=False)
    untouched = saved_household(tree, users.commune_officer, code="IRS-003", with_ids=False)
    last_month = timezone.localdate() - timedelta(days=30)  # any day: nothing compares it with today here
    for number, household in enumerate((first, second), start=1):
        household.address = f"Tổ {number}\tthôn\nmới\\"
        household.phone = ""
        household.score_a = None
        household.floor_area_m2 = Decimal("42.5")
        household.poverty_causes = ["land", "capital"]
        household.classification = {"lý do": "Ksor H'Linh\tY", "ngày": "2026-12-05"}
        household.reference_date = last_month
        household.income_per_capita = 2_000_000  # not among the fields named below: not written
    fields = ["address", "phone", "score_a", "floor_area_m2", "poverty_causes", "classification", "reference_date"]
    with transaction.atomic():
        for _twice in range(2):
            with connection.cursor() as cursor:
                pgcopy.run_statements(connection, cursor, pgcopy.update_statements(Household, [first, second], fields))
    for household in Household.objects.filter(pk__in=[first.pk, second.pk]):
        assert household.address.endswith("\tthôn\nmới\\") and household.phone == "" and household.score_a is None
        assert household.floor_area_m2 == Decimal("42.5") and household.poverty_causes == ["land", "capital"]
        assert household.classification == {"lý do": "Ksor H'Linh\tY", "ngày": "2026-12-05"}
        assert household.reference_date == last_month and household.income_per_capita == 1_250_000
    assert Household.objects.get(pk=untouched.pk).address == "Tổ 3"
    assert pgcopy.update_statements(Household, [], fields) == []
