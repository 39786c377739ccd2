"""The commit of a large file: batches of new households written by a second thread while the next ones are checked
(core.pgcopy.CopyPipeline). Small batches here, so that a few households take the threaded path of a large file."""

import pytest
from django.db import IntegrityError, connection

from core import pgcopy
from households import excel
from households.excel import bulk
from households.models import ChangeEntry, Household, Member

from .test_excel import person, saved_household, xlsx
from .test_excel_bulk import assert_same, households

pytestmark = pytest.mark.django_db


@pytest.fixture
def batches(monkeypatch):
    """Batches of two households, and the statements the second thread ran, in order."""
    monkeypatch.setattr(bulk, "WRITE_BATCH", 2)
    ran = []
    run = pgcopy.CopyPipeline._run

    def spy(cursor, statements):
        ran.extend(sql.split(" (")[0] for sql, _text in statements)
        return run(cursor, statements)

    monkeypatch.setattr(pgcopy.CopyPipeline, "_run", staticmethod(spy))
    return ran


def test_new_households_in_batches_give_the_same_rows_and_history(users, batches):
    report = assert_same(xlsx(households(7, 1)), users.commune_officer, commit=True)
    assert report.committed and len(report.created) == 7
    # Three batches of two while the file was checked, the seventh household after the checks.
    assert batches.count('COPY "households_household"') == 4
    assert batches[0] == "SET CONSTRAINTS ALL IMMEDIATE" and batches[-1] == "SET CONSTRAINTS ALL DEFERRED"
    assert Member.objects.count() == 21 and ChangeEntry.objects.count() == 28


def test_updated_and_new_households_give_the_same_rows_and_history(users, tree, batches):
    saved_household(tree, users.commune_officer)
    rows = [
        person("IRS-001", "Ksor Y Bhin", personal_id="064080054321", income_per_capita=3_000_000),
        person("IRS-001", "Ksor H'Mai", "Con", "Nữ", "15/08/2025", income_per_capita=3_000_000),
        *households(5, 1),
    ]
    report = assert_same(xlsx(rows), users.commune_officer, commit=True)
    assert report.updated == ["IRS-001"] and len(report.created) == 5
    assert Household.objects.get(code="IRS-001").version == 2


def test_a_bad_last_row_undoes_the_batches_already_written(users, batches):
    rows = [*households(6, 1), person("Z-999", "Ksor Y Cuối", born="31/02/1980")]
    report = excel.household_import(sheet=excel.read_sheet(xlsx(rows)), user=users.commune_officer, commit=True)
    assert not report.committed and [e.row for e in report.errors] == [len(rows) + 1]
    assert batches.count('COPY "households_household"') == 3  # written while the file was checked
    assert not Household.objects.exists() and not Member.objects.exists() and not ChangeEntry.objects.exists()


def test_a_batch_the_database_refuses_gives_the_message_and_writes_nothing(users, tree, monkeypatch, batches):
    taken = saved_household(tree, users.commune_officer).pk
    members = Member.objects.count()
    reserve = bulk.reserve_ids

    def clashing(model, count):  # a key someone else's household already has: the COPY fails in the thread
        keys = reserve(model, count)
        return [taken, *keys[1:]] if model is Household and keys else keys

    monkeypatch.setattr(bulk, "reserve_ids", clashing)
    report = excel.household_import(
        sheet=excel.read_sheet(xlsx(households(7, 1))), user=users.commune_officer, commit=True
    )
    assert not report.committed
    assert [e.message for e in report.errors] == [
        "Không ghi được tệp do trùng dữ liệu với một hộ vừa được lưu; hãy kiểm tra lại rồi nhập lại."
    ]
    assert batches.count('COPY "households_household"') == 1  # nothing more is sent after the failure
    assert list(Household.objects.values_list("pk", flat=True)) == [taken] and Member.objects.count() == members


def test_the_foreign_keys_are_deferred_again_after_the_import(users, batches):
    report = excel.household_import(
        sheet=excel.read_sheet(xlsx(households(5, 1))), user=users.commune_officer, commit=True
    )
    assert report.committed and "SET CONSTRAINTS ALL IMMEDIATE" in batches
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT orphan")
        # A member of no household is accepted until the transaction ends, as Django declares the key.
        cursor.execute("UPDATE households_member SET household_id = -1 WHERE id = %s", [Member.objects.first().pk])
        with pytest.raises(IntegrityError):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ROLLBACK TO SAVEPOINT orphan")
