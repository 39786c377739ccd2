"""The cells a dry run parsed, kept for the confirmation: the same import as from the file, every check that reads
the database run again, and the file read again whenever the kept cells are missing or do not match."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from areas.models import AdministrativeUnit
from households import excel, jobs
from households.models import ChangeEntry, Household, Member

from ..factories import VillageFactory
from .import_reference import reference_import
from .test_excel import confirm, good_rows, person, saved_household, upload, xlsx
from .test_excel_bulk import registry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def kept(content: bytes) -> excel.ParsedSheet:
    """The cells as the dry run parses them, through the stored form the confirmation reads back."""
    parsed = excel.parse_sheet(excel.read_sheet(content))
    data = excel.parsed_dumps(parsed, sha256=excel.file_digest(content), job=7)
    return excel.parsed_loads(data, sha256=excel.file_digest(content), job=7)


def bad_rows(tree) -> list[dict]:
    VillageFactory(code="24076-01", name="Tổ dân phố 1", parent=tree.sibling_commune)
    return [
        person("IRS-201", "Ksor Y Bhin", born="31/02/1980", ethnic="Sao Hỏa", village="Thôn Không Có"),
        person("IRS-201", "Rơ Mah H'Nga", "Vợ", "Nữ", "1983", water_source="Nước mưa trên mái"),
        person("IRS-202", "Nguyễn Văn An", village="24076-01", income_per_capita="nhiều", in_school="có lẽ"),
        person("", "Không Mã"),
        person("IRS-203", "Trần Thị Bình", "Con", "Nữ", "01/01/2000", personal_id="064300012345"),
    ]


@pytest.mark.parametrize("commit", [False, True])
def test_the_kept_cells_import_exactly_as_the_file(users, commit):
    """The household-by-household import reads the file; the bulk one starts from the kept cells: same result."""
    content = xlsx(good_rows())
    with transaction.atomic():
        expected = reference_import(sheet=excel.read_sheet(content), user=users.commune_officer, commit=commit)
        expected_rows = registry()
        transaction.set_rollback(True)
    report = excel.household_import(sheet=kept(content), user=users.commune_officer, commit=commit)
    assert report == expected and registry() == expected_rows
    assert report.created == ["IRS-101", "IRS-102"] and report.committed is commit


def test_bad_cells_give_the_same_errors_in_the_same_order(users, tree):
    content = xlsx(bad_rows(tree))
    from_file = excel.household_import(sheet=excel.read_sheet(content), user=users.commune_officer, commit=False)
    from_kept = excel.household_import(sheet=kept(content), user=users.commune_officer, commit=False)
    assert from_file.errors and from_kept.errors == from_file.errors
    columns = [e.column for e in from_file.errors if e.row == 2]
    assert "Thôn/buôn*" in columns and "Dân tộc*" in columns and "Ngày sinh*" in columns


def test_the_commit_from_kept_cells_runs_as_many_queries_whatever_the_size(users):
    def queries(prefix: str, count: int, first_id: int) -> int:
        rows = [
            person(f"{prefix}-{n:03}", f"Ksor Y {chr(65 + n)}", personal_id=f"0640800{first_id + n:05}")
            for n in range(count)
        ]
        parsed = kept(xlsx(rows))
        with CaptureQueriesContext(connection) as context:
            report = excel.household_import(sheet=parsed, user=users.commune_officer, commit=True)
        assert report.committed, report.errors
        return len(context.captured_queries)

    assert queries("IRS", 2, 0) == queries("KP", 12, 100)


def test_tampered_other_jobs_and_other_files_cells_are_ignored(users):
    content = xlsx(good_rows())
    parsed = excel.parse_sheet(excel.read_sheet(content))
    digest = excel.file_digest(content)
    data = excel.parsed_dumps(parsed, sha256=digest, job=7)
    assert excel.parsed_loads(data, sha256=digest, job=7).rows == parsed.rows
    assert excel.parsed_loads(data, sha256=digest, job=8) is None  # another dry run's
    assert excel.parsed_loads(data, sha256=excel.file_digest(content + b"x"), job=7) is None  # another file's
    assert excel.parsed_loads(data, sha256=digest, job=7, language="en") is None  # parsed in another language
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    assert excel.parsed_loads(tampered, sha256=digest, job=7) is None  # never unpickled
    assert excel.parsed_loads(b"", sha256=digest, job=7) is None


# --- the two jobs --------------------------------------------------------------------------------------------------


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """How many times the jobs read a workbook."""
    calls, read_sheet = [], excel.read_sheet

    def counted(content):
        calls.append(len(content))
        return read_sheet(content)

    monkeypatch.setattr(jobs.excel, "read_sheet", counted)
    return calls


def test_the_confirmation_starts_from_the_dry_runs_cells(client_for, users, media, reads):
    client = client_for(users.commune_officer)
    assert upload(client, xlsx(good_rows())).context["report"].ok
    token = client.session["household_import"]["token"]
    assert (media / "imports" / f"{token}.rows").exists() and len(reads) == 1
    response = confirm(client)
    assert "Đã nhập xong. 2 hộ: 2 hộ mới" in response.content.decode()
    assert len(reads) == 1  # not read again
    assert Member.objects.count() == 5 and ChangeEntry.objects.count() == 7
    assert not list((media / "imports").iterdir())  # the upload and its cells are gone


@pytest.mark.parametrize("damage", ["missing", "tampered"])
def test_without_usable_cells_the_confirmation_reads_the_file_again(client_for, users, media, reads, damage):
    client = client_for(users.commune_officer)
    upload(client, xlsx(good_rows()))
    stored = media / "imports" / f"{client.session['household_import']['token']}.rows"
    if damage == "missing":
        stored.unlink()
    else:
        stored.write_bytes(stored.read_bytes()[:-3] + b"xyz")
    response = confirm(client)
    assert "Đã nhập xong. 2 hộ: 2 hộ mới" in response.content.decode()
    assert len(reads) == 2 and Household.objects.count() == 2


def test_a_file_with_errors_keeps_no_cells(client_for, users, media, tree):
    client = client_for(users.commune_officer)
    assert not upload(client, xlsx(bad_rows(tree))).context["report"].ok
    assert not list((media / "imports").glob("*.rows"))


def test_a_village_gone_since_the_preview_is_refused_on_confirmation(client_for, users, media, tree):
    """The village is looked up again: the kept cells hold its name as written, not the row the preview found."""
    client = client_for(users.commune_officer)
    assert upload(client, xlsx(good_rows())).context["report"].ok
    AdministrativeUnit.objects.filter(pk=tree.village.pk).update(name="Buôn Chư Tê Mới")
    page = confirm(client).content.decode()
    assert "Chưa nhập được" in page and "Không tìm thấy thôn, buôn “Buôn Chư Tê”" in page
    assert not Household.objects.exists()


def test_the_registry_is_read_again_on_confirmation(client_for, users, tree):
    """Someone created a household with one of the file's personal IDs after the preview: the commit refuses it."""
    client = client_for(users.commune_officer)
    rows = [person("IRS-301", "Ksor Y Bhin", personal_id="064080054321")]
    assert upload(client, xlsx(rows)).context["report"].ok
    saved_household(tree, users.commune_officer)  # holds 064080054321
    before = registry()
    page = confirm(client).content.decode()
    assert "Chưa nhập được" in page and "064080054321" in page and "IRS-001" in page
    assert registry() == before
