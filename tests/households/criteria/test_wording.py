"""Explanations read as natural Vietnamese: an absence is not something a household "uses"."""

import pytest

from .helpers import household
from .test_indicators import result


@pytest.mark.parametrize(
    "field,value,code,expected",
    [
        ("latrine", "none", "latrine", "Hộ không có nhà tiêu."),
        ("latrine", "simple_pit", "latrine", "Hộ dùng hố xí đơn giản, không phải nhà tiêu hợp vệ sinh."),
        ("water_source", "other", "water_source", "Hộ dùng nguồn nước khác, không phải nguồn nước sạch."),
    ],
)
def test_household_level_reasons(field, value, code, expected):
    reason = result(code, household(**{field: value})).reason
    assert reason == expected and "dùng không có" not in reason
