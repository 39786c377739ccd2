"""COPY writer: the encoders chosen by column type write exactly what the generic encoder writes, for any value."""

import random
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from core import pgcopy
from households.models import Household, Member
from programs.models import Benefit

from ..factories import UserFactory

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

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")  # the estimate of an empty table, as autovacuum leaves it
    assert estimate() == User.objects.count() == 0
    UserFactory.create_batch(6)
    with CaptureQueriesContext(connection) as queries:
        pgcopy.statistics_follow(User, 6)  # six rows where the planner expects none: analysed
    assert len(queries) == 1 and estimate() == 6
    UserFactory.create_batch(10)
    with CaptureQueriesContext(connection) as queries:
        pgcopy.statistics_follow(User, 5)  # five rows more than a table of six: left to autovacuum
    assert len(queries) == 1 and estimate() == 6
    with CaptureQueriesContext(connection) as queries:
        pgcopy.statistics_follow(User, 0)
    assert len(queries) == 0
