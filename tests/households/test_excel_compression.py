"""The import's cheaper writes and copies give what the plain ones gave: the classification snapshots compressed with
lz4 (where the server has it) for the length of the import's own transaction only, read back as the plain import
writes them; a new household's form data copied from kept values."""

import pytest
from django.db import connection

from households import excel
from households.excel.bulk import LZ4_SNAPSHOTS, BulkImporter, _new
from households.excel.importer import HOUSEHOLD_FORM_FIELDS, MEMBER_FORM_FIELDS, _model_values
from households.models import Household, Member

from .test_excel import xlsx
from .test_excel_bulk import assert_same, households


def server_has_lz4() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(LZ4_SNAPSHOTS.replace("set_config('default_toast_compression', 'lz4', true)", "1"))
        return cursor.fetchone() is not None


def default_compression() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW default_toast_compression")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_compressed_snapshots_read_back_as_the_plain_import_writes_them(users):
    assert_same(xlsx(households(6, 1)), users.commune_officer, commit=True)  # rows compared with the reference
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_compression(classification) FROM households_household")
        methods = {method for (method,) in cursor.fetchall()}
    assert Household.objects.count() == 6
    if server_has_lz4():
        assert "lz4" in methods and methods <= {"lz4", None}  # None: a snapshot small enough to be kept as it is
    else:
        assert "lz4" not in methods


@pytest.mark.django_db(transaction=True)  # the setting must end with the import's own transaction
def test_the_setting_ends_with_the_imports_transaction(users):
    before = default_compression()
    sheet = excel.read_sheet(xlsx(households(2, 1)))
    report = excel.household_import(sheet=sheet, user=users.commune_officer, commit=True)
    assert report.committed
    assert default_compression() == before


@pytest.mark.django_db
def test_a_new_households_form_data_is_the_new_instances_own_values_each_time(users):
    """``new_values`` copies its kept values (and the lists in them) instead of reading a new instance again."""
    importer = BulkImporter(
        sheet=excel.read_sheet(xlsx(households(1, 1))),
        user=users.commune_officer,
        commit=False,
        expected_versions=None,
        progress=None,
    )
    importer.new_data = {}
    for model, fields in ((Household, HOUSEHOLD_FORM_FIELDS), (Member, MEMBER_FORM_FIELDS)):
        first, second = importer.new_values(model, fields), importer.new_values(model, fields)
        assert first == second == _model_values(_new(model), fields)
        for name, value in first.items():
            if isinstance(value, list):
                assert value is not second[name]  # each household may change its own lists
                value.append("x")
        assert importer.new_values(model, fields) == _model_values(_new(model), fields)
