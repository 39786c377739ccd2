"""COPY writer: the encoders chosen by column type write exactly what the generic encoder writes, for any value."""

import random
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core import pgcopy
from households.models import Household, Member
from programs.models import Benefit

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
