"""The commit of a large file: batches of new households written by a second thread while the next ones are checked
(core.pgcopy.CopyPipeline). Small batches here, so that a few households take the threaded path of a large file."""

import time

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
    run = pgcopy.run_statements

    def spy(database, cursor, statements):
        ran.extend(sql.split(" (")[0] for sql, _text in statements)
        return run(database, cursor, statements)

    monkeypatch.setattr(pgcopy, "run_statements", spy)
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


def test_updated_households_in_batches_give_the_same_rows_and_history(users, batches):
    """The households already in the registry are written batch by batch while the next ones are checked too."""
    excel.household_import(sheet=excel.read_sheet(xlsx(households(5, 1))), user=users.commune_officer, commit=True)
    rows = households(5, 1, income_per_capita=9_000_000)
    rows.append(person("D-005", "Ksor Y Mới Sinh", "Con", "Nam", "01/06/2025", income_per_capita=9_000_000))
    batches.clear()
    report = assert_same(xlsx(rows), users.commune_officer, commit=True)
    assert report.committed and len(report.updated) == 5
    # Two batches of two while the file was checked, the fifth household after the checks.
    assert sum(sql.startswith('UPDATE "households_household"') for sql in batches) == 3
    assert set(Household.objects.values_list("income_per_capita", "version")) == {(9_000_000, 2)}
    assert Member.objects.filter(full_name="Ksor Y Mới Sinh", household__code="D-005").exists()


def test_a_bad_last_row_undoes_the_updates_already_written(users, batches):
    excel.household_import(sheet=excel.read_sheet(xlsx(households(5, 1))), user=users.commune_officer, commit=True)
    before = set(ChangeEntry.objects.values_list("pk", flat=True))
    rows = [*households(5, 1, income_per_capita=9_000_000), person("Z-999", "Ksor Y Cuối", born="31/02/1980")]
    batches.clear()
    report = excel.household_import(sheet=excel.read_sheet(xlsx(rows)), user=users.commune_officer, commit=True)
    assert not report.committed and [e.row for e in report.errors] == [len(rows) + 1]
    assert sum(sql.startswith('UPDATE "households_household"') for sql in batches) == 2  # while the file was checked
    assert set(Household.objects.values_list("version", flat=True)) == {1}
    assert not Household.objects.filter(income_per_capita=9_000_000).exists()
    assert set(ChangeEntry.objects.values_list("pk", flat=True)) == before


def test_a_bad_last_row_undoes_the_batches_already_written(users, batches):
    rows = [*households(6, 1), person("Z-999", "Ksor Y Cuối", born="31/02/1980")]
    report = excel.household_import(sheet=excel.read_sheet(xlsx(rows)), user=users.commune_officer, commit=True)
    assert not report.committed and [e.row for e in report.errors] == [len(rows) + 1]
    assert batches.count('COPY "households_household"') == 3  # written while the file was checked
    assert not Household.objects.exists() and not Member.objects.exists() and not ChangeEntry.objects.exists()


REFUSED = "Không ghi được tệp do trùng dữ liệu với một hộ vừa được lưu; hãy kiểm tra lại rồi nhập lại."


def clash_first_key(monkeypatch, taken: int) -> None:
    """The first new household gets a key someone else's household already has: its COPY is refused."""
    reserve = bulk.reserve_ids

    def clashing(model, count):
        keys = reserve(model, count)
        return [taken, *keys[1:]] if model is Household and keys else keys

    monkeypatch.setattr(bulk, "reserve_ids", clashing)


def refused_import(users, tree, monkeypatch, count: int, **kwargs) -> tuple:
    taken = saved_household(tree, users.commune_officer).pk
    members = Member.objects.count()
    clash_first_key(monkeypatch, taken)
    report = excel.household_import(
        sheet=excel.read_sheet(xlsx(households(count, 1))), user=users.commune_officer, commit=True, **kwargs
    )
    assert not report.committed and report.errors[-1].message == REFUSED
    assert list(Household.objects.values_list("pk", flat=True)) == [taken] and Member.objects.count() == members
    return report


def test_a_batch_the_database_refuses_gives_the_message_and_writes_nothing(users, tree, monkeypatch, batches):
    report = refused_import(users, tree, monkeypatch, 7)
    assert [e.message for e in report.errors] == [REFUSED]
    assert batches.count('COPY "households_household"') == 1  # nothing more is sent after the failure


def test_a_query_of_the_checks_after_a_refused_batch_gives_the_message(users, tree, monkeypatch, batches):
    """A progress write through the import's own connection (a job run inside a transaction, as in tests) or a
    household checked by its form queries the database after the other thread's batch has failed."""

    def progress(percent, message):
        time.sleep(0.05)  # the other thread has run the first batch by the next step
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    monkeypatch.setattr(bulk.BulkImporter, "progress_message", lambda self, done, total: "")
    refused_import(users, tree, monkeypatch, 30, progress=progress)


def test_a_small_file_the_database_refuses_gives_the_message_too(users, tree, monkeypatch):
    """Written after its checks, without the thread: the COPY's error is Django's IntegrityError as well."""
    report = refused_import(users, tree, monkeypatch, 3)
    assert [e.message for e in report.errors] == [REFUSED]


def test_a_first_import_is_analysed_after_the_batches_1_2_4_and_the_last(users, monkeypatch, batches):
    monkeypatch.setattr(bulk, "statistics_statement", lambda model, added: (f"SELECT 'analyse {model.__name__}'", None))
    excel.household_import(sheet=excel.read_sheet(xlsx(households(9, 1))), user=users.commune_officer, commit=True)
    households_and_analyses = [sql for sql in batches if 'household"' in sql or sql == "SELECT 'analyse Household'"]
    assert households_and_analyses == [
        'COPY "households_household"', "SELECT 'analyse Household'",  # batch 1
        'COPY "households_household"', "SELECT 'analyse Household'",  # batch 2
        'COPY "households_household"',  # batch 3
        'COPY "households_household"', "SELECT 'analyse Household'",  # batch 4
        'COPY "households_household"', "SELECT 'analyse Household'",  # the ninth household, after the checks
    ]  # fmt: skip


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
