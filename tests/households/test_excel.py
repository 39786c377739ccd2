"""Excel export, template and import: same layout both ways, dry run first, every bad row reported, all-or-nothing."""

import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.choices import Role
from core.jobs import job_run_execute
from core.models import JobRun, JobStatus
from households import excel, services
from households.choices import HouseholdClass
from households.models import ChangeEntry, EthnicGroup, Household, Member
from tests.export_jobs import export_content

from ..factories import UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

HEADER = [column.title for column in excel.COLUMNS]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def xlsx(rows: list[dict], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column.key) for column in excel.COLUMNS])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


POOR_HOUSE = {
    "village": "Buôn Chư Tê",
    "income_per_capita": "1.200.000",
    "floor_area_m2": 20,
    "non_durable_main_parts": 2,
    "water_source": "Nước sông, suối, ao, hồ",
    "latrine": "Không có nhà tiêu",
}


def person(code, name, relationship="Chủ hộ", sex="Nam", born="01/03/1980", ethnic="Gia-rai", **more) -> dict:
    return {
        **POOR_HOUSE, "code": code, "full_name": name, "relationship": relationship, "sex": sex,
        "date_of_birth": born, "ethnic_group": ethnic, **more,
    }


def good_rows() -> list[dict]:
    return [
        person("IRS-101", "Ksor Y Bhin", personal_id="064080012345", personal_id_issued_on="12/04/2021",
               health_insurance_number="HN2640012345678",
               health_insurance_valid_from="01/01/2026", health_insurance_valid_to="31/12/2026"),
        person("IRS-101", "Rơ Mah H'Nga", "Vợ/chồng", "Nữ", "01/05/1983", personal_id="064183012346"),
        person("irs-101", "Rơ Mah Y Thuận", "Con", "Nam", datetime(2015, 5, 1), in_school="Có",
               education_level="Chưa học hết tiểu học", employment="Đang đi học"),
        {
            "code": "IRS-102", "village": "24079-01", "phone": 912345678, "area_type": "Nông thôn",
            "agricultural": "Không", "income_per_capita": 3_500_000, "floor_area_m2": "45,5",
            "non_durable_main_parts": 0, "water_source": "Giếng khoan", "latrine": "Tự hoại",
            "full_name": "Nguyễn Văn An", "relationship": "Chủ hộ", "sex": "Nam", "date_of_birth": "12/10/1975",
            "ethnic_group": "kinh", "personal_id": "064075123456",
            "employment": "Làm công ăn lương có hợp đồng lao động", "education_level": "Tốt nghiệp trung học phổ thông",
        },
        person("IRS-102", "Trần Thị Bình", "Vợ", "Nữ", "03/02/1978", ethnic="Kinh", village=None,
               income_per_capita=None, floor_area_m2=None, non_durable_main_parts=None, water_source=None,
               latrine=None),
    ]


def run(content: bytes, user, *, commit: bool, **kwargs) -> excel.ImportReport:
    return excel.household_import(sheet=excel.read_sheet(content), user=user, commit=commit, **kwargs)


def run_queued_jobs() -> None:
    """Do what the Celery worker does, in this process (the view queues jobs on commit)."""
    for pk in JobRun.objects.filter(status=JobStatus.QUEUED).values_list("pk", flat=True):
        job_run_execute(job_id=pk)


def after_jobs(client, response):
    """Follow a redirect to the import page once its background job has run."""
    if response.status_code != 302:
        return response
    run_queued_jobs()
    return client.get(response["Location"], follow=True)


def upload(client, content: bytes, name="ho-gia-dinh.xlsx"):
    file = SimpleUploadedFile(name, content, content_type=excel.XLSX_CONTENT_TYPE)
    return after_jobs(client, client.post(reverse("households:import"), {"action": "upload", "file": file}))


def confirm(client):
    token = client.session["household_import"]["token"]
    return after_jobs(client, client.post(reverse("households:import"), {"action": "confirm", "token": token}))


def errors_by_row(report: excel.ImportReport) -> dict[int, list[excel.RowError]]:
    rows: dict[int, list] = {}
    for error in report.errors:
        rows.setdefault(error.row, []).append(error)
    return rows


def saved_household(tree, user, code="IRS-001", village=None, with_ids=True, **facts) -> Household:
    """A household with varied facts, saved through the service."""
    jrai, kinh = EthnicGroup.objects.get(code="10"), EthnicGroup.objects.get(code="01")
    members = [
        Member(full_name="Ksor Y Bhin", relationship="head", sex="male", date_of_birth=date(1980, 3, 1),
               ethnic_group=jrai, personal_id="064080054321", personal_id_issued_on=date(2021, 4, 12),
               health_insurance_number="HN2640099999999",
               health_insurance_valid_from=date(2026, 1, 1), health_insurance_valid_to=date(2026, 12, 31),
               education_level="primary", employment="self_employed", able_to_work=True),
        Member(full_name="Nguyễn Thị Hoa", relationship="spouse", sex="female", date_of_birth=date(1984, 7, 9),
               ethnic_group=kinh, disability=True, social_allowance=540_000, employment="not_working"),
        Member(full_name="Ksor H'Lan", relationship="child", sex="female", date_of_birth=date(2014, 2, 28),
               ethnic_group=jrai, in_school=True, education_level="primary", personal_id="064314054322"),
        Member(full_name="Ksor Y Ju", relationship="child", sex="male", date_of_birth=date(2021, 6, 1),
               ethnic_group=jrai),
    ]
    if not with_ids:
        for member in members:
            member.personal_id, member.personal_id_issued_on = "", None
    defaults = {
        "phone": "0912345678", "address": "Tổ 3", "income_per_capita": 1_250_000, "floor_area_m2": Decimal("31.5"),
        "non_durable_main_parts": 2, "water_source": "unprotected_well", "latrine": "simple_pit",
        "uses_telecom": True, "has_information_device": True, "meritorious": True, "poverty_causes": ["capital"],
        "reference_date": date(2026, 1, 1),
    }
    household = Household(code=code, village=village or tree.village, **{**defaults, **facts})
    return services.household_save(household=household, members=members, user=user, expected_version=None)


# --- template ----------------------------------------------------------------------------------------------------


def test_template_has_the_header_an_example_household_and_instructions(client_for, users):
    response = client_for(users.commune_officer).get(reverse("households:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert "Mã hộ*" in HEADER and "Ngày sinh*" in HEADER and "Địa chỉ" in HEADER
    examples = [row for row in sheet.iter_rows(min_row=2, values_only=True) if any(row)]
    assert len(examples) == 3 and {row[0] for row in examples} == {excel.EXAMPLE_CODE}
    assert examples[0][1] == "Buôn Chư Tê"  # one of the officer's own villages
    guide = workbook["Hướng dẫn"]
    listed = [row[0] for row in guide.iter_rows(min_row=2, values_only=True)]
    assert all(title in listed for title in HEADER)
    relationship = next(row for row in guide.iter_rows(values_only=True) if row[0] == "Quan hệ với chủ hộ*")
    assert relationship[1] == "Có (trên dòng có thành viên)" and "Vợ/chồng" in relationship[2]


def test_the_template_example_itself_is_valid_but_refused_as_an_example(users):
    content = excel.template_workbook(users.commune_officer)
    report = run(content, users.commune_officer, commit=False)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Mã hộ*")]
    assert "hộ ví dụ" in report.errors[0].message


# --- import: the good path -----------------------------------------------------------------------------------------


def test_good_file_is_previewed_then_created_on_confirmation(client_for, users, media):
    client = client_for(users.commune_officer)
    response = upload(client, xlsx(good_rows()))
    report = response.context["report"]
    assert report.ok, report.errors
    assert (report.households, report.members, report.created) == (2, 5, ["IRS-101", "IRS-102"])
    assert "Xác nhận nhập" in response.content.decode()
    assert not Household.objects.exists()  # the dry run wrote nothing

    token = client.session["household_import"]["token"]
    assert (media / "imports" / f"{token}.xlsx").exists()
    response = confirm(client)
    assert response.redirect_chain[-1][0] == reverse("households:list")
    assert "Đã nhập xong. 2 hộ: 2 hộ mới, 0 hộ cập nhật, 0 hộ không thay đổi." in response.content.decode()
    assert not (media / "imports" / f"{token}.xlsx").exists() and "household_import" not in client.session

    poor = Household.objects.get(code="IRS-101")
    assert poor.current_class == HouseholdClass.POOR and poor.head_name == "Ksor Y Bhin" and poor.ethnic_minority
    assert poor.created_by == users.commune_officer and poor.area_type == "rural" and poor.agricultural
    assert sorted(poor.members.values_list("full_name", flat=True)) == ["Ksor Y Bhin", "Rơ Mah H'Nga", "Rơ Mah Y Thuận"]
    child = poor.members.get(full_name="Rơ Mah Y Thuận")
    assert child.date_of_birth == date(2015, 5, 1) and child.in_school is True and child.employment == "studying"
    head = poor.members.get(relationship="head")
    assert head.health_insurance_valid_to == date(2026, 12, 31) and head.personal_id_issued_on == date(2021, 4, 12)
    assert poor.members.get(full_name="Rơ Mah H'Nga").personal_id_issued_on is None
    other = Household.objects.get(code="IRS-102")
    assert other.phone == "0912345678" and other.floor_area_m2 == Decimal("45.5") and not other.agricultural
    assert other.current_class == HouseholdClass.NON_POOR and other.members.count() == 2
    assert other.members.get(full_name="Trần Thị Bình").relationship == "spouse"
    assert ChangeEntry.objects.filter(household=poor, action="create").count() == 1


def test_reimporting_the_same_file_changes_nothing(users):
    content = xlsx(good_rows())
    assert run(content, users.commune_officer, commit=True).committed
    versions = dict(Household.objects.values_list("code", "version"))
    stamps = dict(Household.objects.values_list("code", "updated_at"))
    entries = ChangeEntry.objects.count()

    report = run(content, users.commune_officer, commit=True)
    assert report.ok and report.unchanged == ["IRS-101", "IRS-102"] and not report.created and not report.updated
    assert dict(Household.objects.values_list("code", "version")) == versions
    assert dict(Household.objects.values_list("code", "updated_at")) == stamps
    assert ChangeEntry.objects.count() == entries and Member.objects.count() == 5


# --- import: errors ------------------------------------------------------------------------------------------------


def test_every_bad_row_is_reported_in_vietnamese_and_nothing_is_written(client_for, users, tree):
    VillageFactory(code="24076-01", name="Tổ dân phố 1", parent=tree.sibling_commune)
    rows = [
        person("A-1", "Ksor Y Một", born="31/02/1980"),  # row 2: no such date
        person("A-2", "Ksor Y Hai", ethnic="Kinh Thượng"),  # row 3
        person("A-3", "Ksor Y Ba", personal_id="06408001234"),  # row 4: 11 digits
        person("A-4", "Ksor Y Bốn"),  # rows 5 and 6: two heads
        person("A-4", "Siu Y Năm", born="01/01/1985"),
        person("A-5", "Nay Y Sáu", personal_id="064080099999"),  # row 7
        person("A-6", "Nay Y Sáu", personal_id="064080099999"),  # row 8: the same person in another household
        person("A-7", "Kpă Y Bảy", village="Buôn Không Có"),  # row 9
        person("A-8", "Puih Y Tám", village="Tổ dân phố 1"),  # row 10: a village of another commune
        person("A-9", "Rơ Lan Y Chín"),  # row 11: fine, but the file is all-or-nothing
    ]
    report = run(xlsx(rows), users.commune_officer, commit=False)
    found = errors_by_row(report)
    assert set(found) == {2, 3, 4, 5, 6, 8, 9, 10}

    def only(row):
        assert len(found[row]) == 1, found[row]
        return found[row][0]

    assert only(2).column == "Ngày sinh*" and "không có thật" in only(2).message
    assert only(3).column == "Dân tộc*" and "Không tìm thấy dân tộc “Kinh Thượng”" in only(3).message
    assert only(4).column == "Số định danh cá nhân" and "đúng 12 chữ số" in only(4).message
    assert only(5).message == only(6).message == "Mỗi hộ phải có đúng một chủ hộ (đang có 2)."
    assert only(5).column == "Quan hệ với chủ hộ*"
    assert only(8).code == "A-6" and "Số định danh 064080099999 của Nay Y Sáu đã có trong hộ A-5" in only(8).message
    assert only(9).column == "Thôn/buôn*" and "Không tìm thấy thôn, buôn “Buôn Không Có”" in only(9).message
    assert only(10).column == "Thôn/buôn*" and "“Tổ dân phố 1”" in only(10).message
    assert not Household.objects.exists() and not Member.objects.exists()

    # The preview page lists them with Excel's row numbers, offers no confirmation, and confirming is refused.
    client = client_for(users.commune_officer)
    response = upload(client, xlsx(rows))
    page = response.content.decode()
    assert "Tệp có lỗi ở 8 dòng" in page and "Xác nhận nhập" not in page
    assert re.search(r'<td class="num">10</td><td>A-8</td><td>Thôn/buôn\*</td>', page)
    response = confirm(client)
    assert "Tệp còn lỗi" in response.content.decode()
    assert not Household.objects.exists()


def test_cell_errors_name_the_accepted_values(users):
    rows = [
        person("B-1", "Ksor Y Bhin", relationship="Cháu rể", sex="Đực", in_school="Có lẽ", income_per_capita="1,5",
               floor_area_m2="hai mươi", date_of_birth="1980"),
        person("B-1", "Rơ Mah H'Nga", "Vợ", "Nữ", "01/05/1983", latrine="Tự hoại"),
        person("B-2", "", relationship=None),
        {"full_name": "Siu Y Mất Mã", "relationship": "Chủ hộ"},
    ]
    report = run(xlsx(rows), users.commune_officer, commit=False)
    found = {(e.row, e.column): e.message for e in report.errors}
    assert "Chọn một trong: Chủ hộ; Vợ/chồng; Con;" in found[(2, "Quan hệ với chủ hộ*")]
    assert "chỉ nhận Có hoặc Không" in found[(2, "Đang đi học")]
    assert "phải là số nguyên" in found[(2, "Thu nhập bình quân (đồng/người/tháng)")]
    assert "phải là một số" in found[(2, "Diện tích nhà ở (m²)")]
    assert "không đúng dạng ngày dd/mm/yyyy" in found[(2, "Ngày sinh*")]
    assert "Khác với dòng 2 của cùng hộ B-1 (“Không có nhà tiêu”)" in found[(3, "Nhà tiêu")]
    assert found[(4, "Họ và tên*")] == "Ô này là bắt buộc trên dòng có thành viên."
    assert found[(5, "Mã hộ*")] == "Thiếu mã hộ."


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("ho.csv", b"ma ho;ho ten\n", "Chỉ nhận tệp Excel .xlsx"),
        ("ho.xls", b"\xd0\xcf\x11\xe0", "Chỉ nhận tệp Excel .xlsx"),
        ("ho.xlsx", b"khong phai excel", "không phải bảng tính Excel .xlsx hợp lệ"),
    ],
)
def test_unusable_uploads_get_a_clear_message(client_for, users, name, content, message):
    response = upload(client_for(users.commune_officer), content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "household_import" not in response.wsgi_request.session


@pytest.mark.parametrize(
    "content,message",
    [
        (xlsx([], header=HEADER), "không có dòng dữ liệu"),
        (xlsx([{"code": "X"}], header=[*HEADER, "Ghi chú"]), "cột không thuộc tệp mẫu: “Ghi chú”"),
        (xlsx([{"code": "X"}], header=["Mã hộ", "Họ và tên"]), "Tệp thiếu cột bắt buộc"),
        (xlsx([{"code": "X"}], header=["Số hộ", "Tên"]), "Không tìm thấy dòng tiêu đề"),
    ],
)
def test_sheet_contents_are_read_in_the_background_job_and_its_message_shown(client_for, users, content, message):
    client = client_for(users.commune_officer)
    file = SimpleUploadedFile("ho.xlsx", content, content_type=excel.XLSX_CONTENT_TYPE)
    response = client.post(reverse("households:import"), {"action": "upload", "file": file})
    assert response.status_code == 302  # stored and queued: no row was read in the request
    job = JobRun.objects.get()
    assert job.status == JobStatus.QUEUED
    page = after_jobs(client, response)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and message in job.error
    assert message in page.content.decode()


# --- damaged and hostile files ----------------------------------------------------------------------------------


def with_sheet(sheet_xml: bytes, *, truncate_member: bool = False) -> bytes:
    """A real workbook whose first sheet's XML is replaced (or whose compressed member is cut short)."""
    source = zipfile.ZipFile(BytesIO(xlsx(good_rows())))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, data)
    content = buffer.getvalue()
    if truncate_member:  # flip bytes inside the sheet's compressed data: the checksum no longer matches
        start = content.index(b"xl/worksheets/sheet1.xml") + 200
        content = content[:start] + bytes(b ^ 0xFF for b in content[start : start + 64]) + content[start + 64 :]
    return content


SHEET_NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def empty_rows_sheet(count: int, *, dimension: bool) -> bytes:
    """The header, one member, then ``count`` empty rows: a few kilobytes zipped, as in the reported attack."""
    header = "".join(f'<c t="inlineStr"><is><t>{t}</t></is></c>' for t in HEADER)
    rows = "".join(f'<row r="{n}"/>' for n in range(3, count + 3))
    dim = f'<dimension ref="A1:AH{count + 2}"/>' if dimension else ""
    return (
        SHEET_NS + f'{dim}<sheetData><row r="1">{header}</row>{rows}</sheetData></worksheet>'.encode()
    )


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' + SHEET_NS + b'<sheetData><row r="1">'
    b'<c t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>' + SHEET_NS
    + b'<sheetData><row r="1"><c t="inlineStr"><is><t>&secret;</t></is></c></row></sheetData></worksheet>'
)
TOO_BIG = "dòng hoặc hơn 100 cột"
MALFORMED = "Không đọc được nội dung bảng tính"


@pytest.mark.parametrize(
    "content,message",
    [
        (with_sheet(empty_rows_sheet(excel.workbooks.MAX_ROWS + 20, dimension=True)), TOO_BIG),
        (with_sheet(empty_rows_sheet(excel.workbooks.MAX_ROWS + 20, dimension=False)), TOO_BIG),
        (with_sheet(SHEET_NS + b'<dimension ref="A1:XFD20"/><sheetData/></worksheet>'), TOO_BIG),
        (with_sheet(BILLION_LAUGHS), MALFORMED),
        (with_sheet(EXTERNAL_ENTITY), MALFORMED),
        (with_sheet(b"<worksheet><sheetData><row"), MALFORMED),
        (with_sheet(b"", truncate_member=True), MALFORMED),
    ],
    ids=["empty-rows", "empty-rows-no-dimension", "wide", "billion-laughs", "external-entity", "cut-xml", "crc"],
)
def test_hostile_or_damaged_sheets_are_refused_in_the_request(client_for, users, content, message):
    response = upload(client_for(users.commune_officer), content, name="ho.xlsx")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not JobRun.objects.exists()


def test_a_sheet_cut_short_after_its_first_rows_fails_the_job_with_a_message(client_for, users):
    sheet = zipfile.ZipFile(BytesIO(xlsx(good_rows()))).read("xl/worksheets/sheet1.xml")
    content = with_sheet(sheet[: len(sheet) * 2 // 3])  # the size checks pass; the rows end mid-element
    with pytest.raises(excel.ImportFileError, match=MALFORMED):
        excel.read_sheet(content)
    page = upload(client_for(users.commune_officer), content)
    assert MALFORMED in page.content.decode()
    assert JobRun.objects.get().status == JobStatus.FAILED


def test_empty_rows_count_toward_the_row_limit(monkeypatch):
    monkeypatch.setattr(excel.workbooks, "MAX_ROWS", 5)
    rows = [person(f"B-{n}", "Ksor Y Bhin") for n in range(3)] + [{}] * 4  # 3 members, then 4 empty rows
    with pytest.raises(excel.ImportFileError, match="Tệp có hơn 5 dòng"):
        excel.read_sheet(xlsx(rows))


def test_a_zip_bomb_is_refused_by_its_unpacked_size(client_for, users, monkeypatch):
    monkeypatch.setattr(excel.workbooks, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    buffer = BytesIO(xlsx(good_rows()))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * 2 * 1024 * 1024)  # 2 MB of zeros, 2 KB zipped
    response = upload(client_for(users.commune_officer), buffer.getvalue())
    assert "Tệp quá lớn sau khi giải nén" in response.content.decode()


def test_personal_id_issue_dates_are_checked_and_reported_in_their_column(users):
    rows = [
        person("B-1", "Ksor Y Một", personal_id="064080012345", personal_id_issued_on="31/12/2099"),  # row 2
        person("B-2", "Ksor Y Hai", personal_id_issued_on="12/04/2021"),  # row 3: no personal ID
        person("B-3", "Ksor Y Ba", personal_id="064080012346", personal_id_issued_on="01/01/1979"),  # row 4
        person("B-4", "Ksor Y Bốn", personal_id="064080012347", personal_id_issued_on="32/01/2021"),  # row 5
        person("B-5", "Ksor Y Năm", personal_id="064080012348", personal_id_issued_on="12/04/2021"),  # fine
    ]
    report = run(xlsx(rows), users.commune_officer, commit=False)
    found = errors_by_row(report)
    assert set(found) == {2, 3, 4, 5}
    assert all(len(errors) == 1 and errors[0].column == "Ngày cấp CCCD" for errors in found.values()), found
    assert "31/12/2099 ở tương lai" in found[2][0].message
    assert "chưa có số định danh cá nhân" in found[3][0].message
    assert "trước ngày sinh 01/03/1980" in found[4][0].message
    assert not Household.objects.exists()


def test_import_and_template_are_for_commune_officers_only(client_for, users):
    for user, expected in (
        (users.commune_officer, 200), (users.district_staff, 403), (users.province_staff, 403),
    ):
        client = client_for(user)
        assert client.get(reverse("households:import")).status_code == expected
        assert client.get(reverse("households:import_template")).status_code == expected
        response = upload(client, xlsx(good_rows()))
        assert response.status_code == expected
    assert not Household.objects.exists()


# --- import: updates -----------------------------------------------------------------------------------------------


def test_update_changes_what_differs_and_keeps_members_missing_from_the_file(client_for, users, tree):
    household = saved_household(tree, users.commune_officer)
    content = client_for(users.commune_officer).get(reverse("households:export")).content
    workbook = load_workbook(BytesIO(content))
    sheet = workbook.worksheets[0]
    income = HEADER.index("Thu nhập bình quân (đồng/người/tháng)") + 1
    names = [sheet.cell(row=r, column=HEADER.index("Họ và tên*") + 1).value for r in range(2, sheet.max_row + 1)]
    assert names == ["Ksor Y Bhin", "Nguyễn Thị Hoa", "Ksor H'Lan", "Ksor Y Ju"]
    for row in range(2, sheet.max_row + 1):  # household columns are repeated: change them on every row
        sheet.cell(row=row, column=income, value=3_000_000)
    sheet.delete_rows(5)  # Ksor Y Ju is not in the file: he stays in the household
    newborn = [sheet.cell(row=2, column=c).value for c in range(1, len(HEADER) + 1)]
    newborn[HEADER.index("Họ và tên*")] = "Ksor H'Mai"
    newborn[HEADER.index("Quan hệ với chủ hộ*")] = "Con"
    newborn[HEADER.index("Giới tính*")] = "Nữ"
    newborn[HEADER.index("Ngày sinh*")] = "15/08/2025"
    newborn[HEADER.index("Số định danh cá nhân")] = None
    newborn[HEADER.index("Ngày cấp CCCD")] = None
    newborn[HEADER.index("Số thẻ BHYT")] = "TE1640000000001"
    sheet.append(newborn)
    buffer = BytesIO()
    workbook.save(buffer)

    earlier = set(ChangeEntry.objects.values_list("pk", flat=True))
    report = run(buffer.getvalue(), users.commune_officer, commit=True)
    assert report.ok, report.errors
    assert report.updated == ["IRS-001"] and not report.created
    household.refresh_from_db()
    assert household.version == 2 and household.income_per_capita == 3_000_000
    assert household.meritorious and household.poverty_causes == ["capital"]  # not in the template: kept
    assert household.current_class == HouseholdClass.NON_POOR
    assert sorted(household.members.current().values_list("full_name", flat=True)) == [
        "Ksor H'Lan", "Ksor H'Mai", "Ksor Y Bhin", "Ksor Y Ju", "Nguyễn Thị Hoa",
    ]
    spouse = household.members.get(full_name="Nguyễn Thị Hoa")
    assert spouse.social_allowance == 540_000 and spouse.disability  # not in the template: kept
    actions = ChangeEntry.objects.exclude(pk__in=earlier).values_list("action", "subject")
    assert sorted(actions) == [("member_add", "Ksor H'Mai"), ("update", "Hộ IRS-001")]


def test_confirmation_is_refused_if_the_household_changed_after_the_preview(client_for, users, tree):
    household = saved_household(tree, users.commune_officer)
    client = client_for(users.commune_officer)
    rows = [person("IRS-001", "Ksor Y Bhin", personal_id="064080054321", income_per_capita=2_000_000)]
    response = upload(client, xlsx(rows))
    assert response.context["report"].updated == ["IRS-001"]
    # A colleague saves the household meanwhile.
    household.address = "Tổ 4"
    services.household_save(
        household=household, members=list(household.members.current()), user=users.commune_officer,
        expected_version=household.version,
    )
    response = confirm(client)
    page = response.content.decode()
    assert "Chưa nhập được" in page and "vừa được" in page
    household.refresh_from_db()
    assert household.income_per_capita == 1_250_000 and household.version == 2


# --- export --------------------------------------------------------------------------------------------------------


def test_export_lists_members_of_visible_households_in_the_template_layout(client_for, users, tree):
    mine = saved_household(tree, users.commune_officer)
    Member.objects.filter(household=mine, full_name="Ksor Y Ju").update(left_at=date(2026, 3, 1))
    sibling_village = VillageFactory(code="24076-01", name="Tổ dân phố 1", parent=tree.sibling_commune)
    sibling_officer = UserFactory(role=Role.COMMUNE_OFFICER, unit=tree.sibling_commune)
    saved_household(
        tree, sibling_officer, code="PT-001", village=sibling_village, with_ids=False, income_per_capita=5_000_000
    )

    response = client_for(users.commune_officer).get(reverse("households:export"))
    assert response.status_code == 200
    stamp = date.today().strftime("%d-%m-%Y")
    assert response["Content-Disposition"] == f'attachment; filename="ho-gia-dinh-{stamp}.xlsx"'
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert sheet["A1"].font.bold
    assert [row[0] for row in rows[1:]] == ["IRS-001"] * 3  # current members only; PT-001 is not visible
    head = dict(zip(HEADER, rows[1], strict=True))
    assert head["Thôn/buôn*"] == "Buôn Chư Tê" and head["Khu vực"] == "Nông thôn"
    assert head["Hộ làm nông lâm ngư diêm nghiệp"] == "Có"
    assert head["Thu nhập bình quân (đồng/người/tháng)"] == 1_250_000
    assert head["Nguồn nước"] == "Giếng đào không được bảo vệ" and head["Dân tộc*"] == "Gia-rai"
    assert head["Ngày sinh*"] == datetime(1980, 3, 1) and head["Số định danh cá nhân"] == "064080054321"
    assert head["Ngày cấp CCCD"] == datetime(2021, 4, 12)
    assert sheet.cell(row=2, column=HEADER.index("Ngày cấp CCCD") + 1).number_format == "DD/MM/YYYY"
    assert sheet.cell(row=2, column=HEADER.index("Ngày sinh*") + 1).number_format == "DD/MM/YYYY"
    assert sheet.cell(row=2, column=HEADER.index("Thu nhập bình quân (đồng/người/tháng)") + 1).number_format == (
        excel.VND_FORMAT
    )

    district = load_workbook(BytesIO(export_content(client_for(users.district_staff), reverse("households:export"))))
    codes = {row[0] for row in district.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert codes == {"IRS-001", "PT-001"}
    district_client = client_for(users.district_staff)
    poor_only = export_content(district_client, reverse("households:export"), {"household_class": "poor"})
    poor_sheet = load_workbook(BytesIO(poor_only)).worksheets[0]
    codes = {row[0] for row in poor_sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {"IRS-001"}


def test_export_then_import_changes_nothing(client_for, users, tree):
    saved_household(tree, users.commune_officer)
    saved_household(tree, users.commune_officer, code="IRS-002", with_ids=False, income_per_capita=None, score_a=120,
                    floor_area_m2=None, water_source="", latrine="", area_type="urban", agricultural=False)
    before = list(Household.objects.order_by("code").values_list("code", "version", "updated_at"))
    entries = ChangeEntry.objects.count()
    client = client_for(users.commune_officer)
    content = client.get(reverse("households:export")).content

    response = upload(client, content)
    report = response.context["report"]
    assert report.ok, report.errors
    assert report.unchanged == ["IRS-001", "IRS-002"] and not report.updated and not report.created
    confirm(client)
    assert list(Household.objects.order_by("code").values_list("code", "version", "updated_at")) == before
    assert ChangeEntry.objects.count() == entries


def test_archived_households_reimport_unchanged_but_are_not_updated(client_for, users, tree):
    household = saved_household(tree, users.commune_officer)
    services.household_archive(
        household=household, reason="Chuyển đi nơi khác", user=users.commune_officer, expected_version=household.version
    )
    content = client_for(users.commune_officer).get(reverse("households:export"), {"archived": "on"}).content
    assert run(content, users.commune_officer, commit=False).unchanged == ["IRS-001"]
    rows = [person("IRS-001", "Ksor Y Bhin", personal_id="064080054321", income_per_capita=2_000_000)]
    report = run(xlsx(rows), users.commune_officer, commit=False)
    assert [(e.row, e.message) for e in report.errors] == [
        (2, "Hộ IRS-001 đã lưu trữ nên không cập nhật được từ Excel.")
    ]


# --- the background job ------------------------------------------------------------------------------------------


def test_the_check_runs_in_the_background_with_a_progress_bar(client_for, users, media):
    client = client_for(users.commune_officer)
    file = SimpleUploadedFile("ho.xlsx", xlsx(good_rows()), content_type=excel.XLSX_CONTENT_TYPE)
    response = client.post(reverse("households:import"), {"action": "upload", "file": file}, follow=True)
    page = response.content.decode()
    assert "Đang kiểm tra tệp “ho.xlsx”" in page and "data-job-progress-url" in page
    job = JobRun.objects.get()
    assert job.kind == "household_import" and job.params["commit"] is False and job.unit == users.commune_officer.unit
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["report"]["created"] == ["IRS-101", "IRS-102"]
    assert not Household.objects.exists()


def test_a_job_whose_file_is_gone_fails_with_a_reason_and_offers_a_retry(client_for, users, media):
    client = client_for(users.commune_officer)
    file = SimpleUploadedFile("ho.xlsx", xlsx(good_rows()), content_type=excel.XLSX_CONTENT_TYPE)
    location = client.post(reverse("households:import"), {"action": "upload", "file": file})["Location"]
    token = client.session["household_import"]["token"]
    stored = media / "imports" / f"{token}.xlsx"
    content = stored.read_bytes()
    stored.unlink()
    run_queued_jobs()
    job = JobRun.objects.get()
    assert job.status == JobStatus.FAILED and "không còn trên máy chủ" in job.error
    stored.write_bytes(content)  # e.g. the shared volume was briefly unavailable
    page = client.get(location).content.decode()
    assert "không còn trên máy chủ" in page and 'data-testid="retry"' in page and f'value="{location}"' in page
    response = client.post(reverse("core:job_retry", args=[job.pk]), {"next": location})
    assert response["Location"] == location
    page = after_jobs(client, response).content.decode()
    assert 'data-testid="import-ok"' in page


def test_a_vietnamese_file_is_read_when_the_interface_is_in_english(users):
    from django.utils import translation

    content = xlsx(good_rows())  # Vietnamese headers, as a colleague's file would have
    with translation.override("en"):
        sheet = excel.read_sheet(content)
    assert "code" in sheet.columns and len(sheet.rows) == len(good_rows())
