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


def test_stored_explanations_are_reworded(make_household):
    import importlib

    from django.db import connection

    from households.models import Household

    household = make_household()
    old = {"indicators": [{"code": "latrine", "reason": "Hộ dùng không có nhà tiêu, không phải nhà tiêu hợp vệ sinh."}]}
    Household.objects.filter(pk=household.pk).update(classification=old)
    migration = importlib.import_module("households.migrations.0008_latrine_wording_in_stored_explanations")
    with connection.schema_editor() as editor:
        migration.reword(None, editor)
    household.refresh_from_db()
    assert household.classification["indicators"][0]["reason"] == "Hộ không có nhà tiêu."
