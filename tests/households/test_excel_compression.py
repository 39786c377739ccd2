"""The import stores its classification snapshots compressed with lz4 (where the server has it) for the length of
its own transaction only: the same values as before, and the server's default for everything after it."""

import pytest
from django.db import connection

from households import excel
from households.excel.bulk import LZ4_SNAPSHOTS
from households.models import Household

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
