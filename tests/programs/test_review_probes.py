"""Scoping and bad-input probes of the support records: every write path refuses another unit's
household, member or record; bulk work never touches another commune."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook

from households.models import Member
from programs import bulk, services
from programs.models import Benefit
from tests.export_jobs import export_content
from tests.factories import VillageFactory

from .conftest import programme
from .test_services import image_upload, loan

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def far(make_household, tree):
    """A poor household of a sibling commune (same district) with a housing benefit and a photo."""
    household = make_household(code="PT-001", village=VillageFactory(parent=tree.sibling_commune))
    return household


def xlsx(header, rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "tep.xlsx"
    return buffer


def test_posting_a_benefit_for_another_communes_household_is_404(client_for, users, far):
    client = client_for(users.commune_officer)
    url = reverse("programs:benefit_create", args=[far.pk])
    data = {
        "ct": programme("VBSP_POOR").pk,
        "date": "01/03/2026",
        "amount": "50000000",
        "loan_term_months": "36",
        "interest_rate": "6.6",
    }
    assert client.post(url, data).status_code == 404
    assert not Benefit.objects.exists()


def test_editing_or_adding_photos_to_another_communes_record_is_404(client_for, users, far, media):
    benefit = services.benefit_record(
        benefit=Benefit(
            programme=programme("HOUSING_SUPPORT"),
            household=far,
            date=date(2026, 4, 1),
            housing_work="repair",
            amount_local=30_000_000,
        ),
        user=users.admin,
    )
    photo = services.benefit_photo_add(benefit=benefit, image=image_upload(), caption="Trước", user=users.admin)
    client = client_for(users.commune_officer)
    assert client.post(reverse("programs:benefit_update", args=[benefit.pk]), {"date": "02/04/2026"}).status_code == 404
    upload = image_upload()
    response = client.post(reverse("programs:benefit_photo", args=[benefit.pk]), {"image": upload, "caption": "x"})
    assert response.status_code == 404
    assert client.get(reverse("programs:photo", args=[photo.pk])).status_code == 404
    benefit.refresh_from_db()
    assert benefit.photos.count() == 1 and benefit.date == date(2026, 4, 1)
    # the district sees it but may not write
    district = client_for(users.district_staff)
    assert district.get(reverse("programs:photo", args=[photo.pk])).status_code == 200
    assert district.post(reverse("programs:benefit_update", args=[benefit.pk]), {}).status_code == 403


def test_bhyt_import_refuses_a_member_of_another_commune(client_for, users, make_household, far, media):
    make_household(code="IRS-001")
    stranger = Member.objects.filter(household=far).first()
    header = [c.title for c in bulk.BHYT_COLUMNS]
    row = dict.fromkeys(header)
    row["Mã thành viên*"] = stranger.pk
    row["Số thẻ BHYT mới"] = "HN2640012345670"
    row["Giá trị từ ngày"] = "01/01/2026"
    row["Giá trị đến ngày"] = "31/12/2026"
    client = client_for(users.commune_officer)
    response = client.post(
        reverse("programs:bhyt_import"), {"action": "upload", "file": xlsx(header, [list(row.values())])}
    )
    text = response.content.decode()
    assert f"Không có thành viên mã {stranger.pk} trong đơn vị của bạn" in text
    assert not Benefit.objects.exists()


def test_training_import_refuses_a_household_of_another_commune(client_for, users, far, media):
    stranger = Member.objects.filter(household=far).first()
    header = [c.title for c in bulk.TRAINING_COLUMNS]
    client = client_for(users.commune_officer)
    response = client.post(
        reverse("programs:training_import"),
        {
            "action": "upload",
            "course_name": "Lớp may K1",
            "occupation": "May công nghiệp",
            "course_start": "04/05/2026",
            "course_end": "15/07/2026",
            "file": xlsx(header, [[far.code, stranger.full_name, None, None, None, "Có"]]),
        },
    )
    assert "trong hộ PT-001 của đơn vị bạn" in response.content.decode()
    assert not Benefit.objects.exists()


def test_electricity_payment_stays_in_the_officers_commune(client_for, users, make_household, far, media):
    mine = make_household(code="IRS-001")
    client = client_for(users.commune_officer)
    response = client.post(
        reverse("programs:electricity_pay"), {"year": 2026, "quarter": 2, "paid_on": "20/06/2026", "decision": ""}
    )
    assert response.status_code == 302
    assert set(Benefit.objects.values_list("household_id", flat=True)) == {mine.pk}
    assert client_for(users.district_staff).post(reverse("programs:electricity_pay"), {}).status_code == 403


def test_figures_for_a_unit_outside_the_scope_show_nothing_of_it(client_for, users, far, tree):
    services.benefit_record(benefit=loan(far), user=users.admin)
    client = client_for(users.commune_officer)
    response = client.get(reverse("programs:figures"), {"unit": tree.sibling_commune.pk, "year": 2026})
    assert response.status_code == 200
    assert response.context["unit"] == tree.commune
    assert response.context["figures"]["overall"]["records"] == 0


def test_exports_hold_only_the_users_unit(client_for, users, make_household, far):
    from openpyxl import load_workbook

    mine = make_household(code="IRS-001")
    for household in (mine, far):
        services.benefit_record(benefit=loan(household), user=users.admin)
    client = client_for(users.commune_officer)
    response = client.get(reverse("programs:programme", args=[programme("VBSP_POOR").pk]), {"xuat": "xlsx"})
    cells = {c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row}
    assert "IRS-001" in cells and "PT-001" not in cells
    for name in ("programs:coverage_unsupported", "programs:coverage_uninsured", "programs:bhyt_list"):
        response = client.get(reverse(name), {"nam": 2026, "xuat": "xlsx"})
        cells = {c for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in r}
        assert "PT-001" not in cells, name


# --- rules found missing by the review -------------------------------------------------------------------------


def test_a_loan_above_the_programmes_ceiling_or_term_is_refused(make_household, users):
    from django.core.exceptions import ValidationError

    household = make_household()
    with pytest.raises(ValidationError) as error:
        services.benefit_record(benefit=loan(household, amount=150_000_000), user=users.commune_officer)
    assert "vượt mức cho vay tối đa 100.000.000 đồng" in str(error.value.message_dict["amount"])
    escaped = make_household(code="IRS-002", status=("poor", date(2022, 1, 1), date(2024, 12, 31)))
    with pytest.raises(ValidationError) as error:
        services.benefit_record(benefit=loan(escaped, "VBSP_ESCAPED", loan_term_months=72), user=users.commune_officer)
    assert "tối đa 60 tháng" in str(error.value.message_dict["loan_term_months"])
    # the ceiling is data: an administrator raises it and the same loan passes
    poor_loans = programme("VBSP_POOR")
    poor_loans.parameters["max_amount"]["value"] = 200_000_000
    poor_loans.save()
    assert services.benefit_record(benefit=loan(household, amount=150_000_000), user=users.commune_officer).pk
    assert not Benefit.objects.filter(programme__code="VBSP_ESCAPED").exists()


def card(household, share, day=date(2026, 1, 1)):
    return Benefit(
        programme=programme("BHYT"),
        household=household,
        member=household.members.first(),
        date=day,
        card_number="HN2640012345678",
        card_valid_from=day,
        card_valid_to=date(day.year, 12, 31),
        funding_share=share,
    )


@pytest.mark.parametrize("status,minimum", [("poor", 100), ("near_poor", 70), ("average_living", 30)])
def test_a_card_below_the_groups_budget_share_is_refused(make_household, users, status, minimum):
    from django.core.exceptions import ValidationError

    household = make_household(status=(status, date(2025, 1, 1), None))
    with pytest.raises(ValidationError) as error:
        services.benefit_record(benefit=card(household, minimum - 10), user=users.commune_officer)
    assert f"ít nhất {minimum} %" in str(error.value.message_dict["funding_share"])
    assert services.benefit_record(benefit=card(household, minimum), user=users.commune_officer).household_status == (
        status
    )


def test_bhyt_import_takes_the_groups_share_when_the_cell_is_empty(make_household, users):
    from programs.excel import SheetRow

    household = make_household(status=("near_poor", date(2025, 1, 1), None))
    member = household.members.first()
    row = SheetRow(
        2,
        {
            "member_id": member.pk,
            "card_number": "HN2640012345678",
            "card_valid_from": "01/01/2026",
            "card_valid_to": "31/12/2026",
            "share": None,
        },
    )
    report = bulk.bhyt_import(rows=[row], user=users.commune_officer, commit=True)
    assert report.ok, report.errors
    assert Benefit.objects.get().funding_share == 70  # not 100: the near-poor share of the catalogue


def test_the_card_form_offers_the_groups_share(client_for, users, make_household):
    household = make_household(status=("near_poor", date(2025, 1, 1), None))
    page = client_for(users.commune_officer).get(
        reverse("programs:benefit_create", args=[household.pk]), {"ct": programme("BHYT").pk}
    )
    assert page.context["form"]["funding_share"].value() == 70


def test_the_housing_form_asks_new_or_repair_before_the_amounts(client_for, users, make_household):
    household = make_household()
    page = client_for(users.commune_officer).get(
        reverse("programs:benefit_create", args=[household.pk]), {"ct": programme("HOUSING_SUPPORT").pk}
    )
    names = list(page.context["form"].fields)
    assert names.index("housing_work") < names.index("amount_central") < names.index("started_on")
    assert names.index("started_on") < names.index("finished_on") < names.index("accepted_on")


def test_the_quarters_paid_list_only_reads_the_listed_households(client_for, users, make_household, far, media):
    mine = make_household(code="IRS-001")
    electricity = programme("ELECTRICITY")
    report = bulk.electricity_quarter_pay(
        households=[far], year=2026, quarter=2, paid_on=date(2026, 6, 20), decision="", user=users.admin
    )
    assert report.ok and report.created == 1
    assert bulk.electricity_paid_ids(electricity, 2026, 2, [mine.pk]) == set()
    report = bulk.electricity_quarter_pay(
        households=[mine], year=2026, quarter=2, paid_on=date(2026, 6, 20), decision="", user=users.admin
    )
    assert report.created == 1 and report.skipped == 0  # the other commune's payment is none of this list's
    page = client_for(users.commune_officer).get(reverse("programs:electricity"), {"year": 2026, "quarter": 2})
    assert 'data-confirm="' not in page.content.decode()  # everyone paid: no form, nothing to confirm


def test_the_quarters_payment_asks_before_writing(client_for, users, make_household):
    make_household(code="IRS-001")
    page = client_for(users.commune_officer).get(reverse("programs:electricity"), {"year": 2026, "quarter": 2})
    assert "Ghi nhận đã chi trả tiền điện quý 2 năm 2026 cho 1 hộ?" in page.content.decode()


def test_a_refused_course_file_keeps_the_course_typed_for_the_corrected_file(client_for, users, make_household, media):
    make_household(code="IRS-001")
    header = [c.title for c in bulk.TRAINING_COLUMNS]
    client = client_for(users.commune_officer)
    data = {
        "action": "upload",
        "course_name": "Lớp may K1",
        "occupation": "May công nghiệp",
        "course_start": "04/05/2026",
        "course_end": "15/07/2026",
        "amount": "3.000.000",
        "decision": "QĐ 45/QĐ-UBND",
    }
    bad = client.post(
        reverse("programs:training_import"), {**data, "file": xlsx(header, [["IRS-009", "Không Có Ai", None]])}
    )
    text = bad.content.decode()
    assert 'data-testid="import-has-errors"' in text and 'data-testid="retry-form"' in text
    assert 'value="Lớp may K1"' in text and 'value="04/05/2026"' in text and 'value="QĐ 45/QĐ-UBND"' in text
    assert 'value="3.000.000"' in text
    assert "chưa có số thẻ" not in text  # a training file has no card column
    good = client.post(
        reverse("programs:training_import"), {**data, "file": xlsx(header, [["IRS-001", "Ksor Y Bhin", None]])}
    )
    assert 'data-testid="import-ok"' in good.content.decode()
    assert not Benefit.objects.exists()


def test_the_benefit_form_shows_the_programmes_norms(client_for, users, make_household):
    household = make_household()
    page = client_for(users.commune_officer).get(
        reverse("programs:benefit_create", args=[household.pk]), {"ct": programme("HOUSING_TEMP_2024").pk}
    )
    text = page.content.decode()
    assert 'data-testid="programme-norms"' in text
    assert "60.000.000 đồng/nhà" in text and "30.000.000 đồng/nhà" in text


def test_coverage_electricity_and_detail_pages_do_not_query_per_row(
    client_for, users, make_household, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from households.targets import escape_registration_add

    today = date.today()

    def add(code):
        household = make_household(code=code, status=("poor", date(today.year - 1, 1, 1), None), floor_area_m2=5)
        escape_registration_add(
            household=household,
            year=today.year,
            registered_on=min(date(today.year, 1, 15), today),  # on 1/1 itself: today
            user=users.commune_officer,
            cadre_name="Cán bộ A",
        )
        return household

    first = add("IRS-500")
    benefit = services.benefit_record(
        benefit=loan(first, day=min(date(today.year, 1, 20), today)), user=users.commune_officer
    )
    client = client_for(users.commune_officer)
    urls = [
        reverse("programs:coverage_unsupported"),
        reverse("programs:coverage_housing"),
        reverse("programs:coverage_escape"),
        reverse("programs:electricity"),
        reverse("programs:benefit", args=[benefit.pk]),
        reverse("programs:coverage_escape") + "?xuat=xlsx",
        reverse("programs:electricity") + "?xuat=xlsx",
    ]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as before:
            assert client.get(url).status_code == 200
        counts[url] = len(before)
    for number in range(6):
        other = add(f"IRS-6{number:02d}")
        services.benefit_record(benefit=loan(other, day=date(today.year, 2, 1)), user=users.commune_officer)
        services.benefit_record(benefit=loan(first, day=date(today.year, 2, number + 1)), user=users.commune_officer)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)


def test_support_of_a_registered_household_is_summed_up_per_programme():
    from types import SimpleNamespace

    from programs.views_bulk import support_summary

    card, power = SimpleNamespace(short_name="Thẻ BHYT"), SimpleNamespace(short_name="Hỗ trợ tiền điện")
    benefits = [
        SimpleNamespace(programme_id=1, programme=card, date=date(2026, 1, 1)),
        SimpleNamespace(programme_id=1, programme=card, date=date(2026, 1, 1)),
        SimpleNamespace(programme_id=2, programme=power, date=date(2026, 3, 25)),
        SimpleNamespace(programme_id=2, programme=power, date=date(2026, 6, 25)),
    ]
    assert support_summary(benefits) == "Thẻ BHYT ×2 (01/01/2026); Hỗ trợ tiền điện ×2 (25/03/2026, 25/06/2026)"
    assert support_summary(benefits[2:3]) == "Hỗ trợ tiền điện (25/03/2026)"


def test_the_escape_coverage_says_whether_each_household_escaped(client_for, users, make_household):
    from households.targets import escape_registration_add

    today = date.today()
    household = make_household(code="IRS-700", status=("poor", date(today.year - 1, 1, 1), None))
    escape_registration_add(
        household=household,
        year=today.year,
        registered_on=min(date(today.year, 1, 15), today),  # on 1/1 itself: today
        user=users.commune_officer,
        cadre_name="Cán bộ A",
    )
    page = client_for(users.commune_officer).get(reverse("programs:coverage_escape")).content.decode()
    assert '<th scope="col">Kết quả</th>' in page and "Đang thực hiện" in page


def test_a_mistyped_programme_in_the_address_is_404_not_an_error(client_for, users, make_household):
    household = make_household()
    client = client_for(users.commune_officer)
    url = reverse("programs:benefit_create", args=[household.pk])
    for ct in ("abc", "", "-1", "99999"):
        assert client.get(url, {"ct": ct}).status_code == 404, ct
        assert client.post(url, {"ct": ct}).status_code == 404, ct


def test_district_lists_and_exports_name_each_households_commune(client_for, users, make_household, far):
    from openpyxl import load_workbook

    mine = make_household(code="IRS-001")
    for household in (mine, far):
        services.benefit_record(benefit=loan(household), user=users.admin)
    district = client_for(users.district_staff)
    url = reverse("programs:programme", args=[programme("VBSP_POOR").pk])
    page = district.get(url).content.decode()
    assert "Xã, phường, thị trấn" in page and far.commune.name in page
    sheet = load_workbook(io.BytesIO(export_content(district, url, {"xuat": "xlsx"}))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and "Mã hộ" in r)
    assert "Xã, phường, thị trấn" in header
    for name in ("programs:coverage_unsupported", "programs:electricity"):
        content = export_content(district, reverse(name), {"xuat": "xlsx"})
        rows = [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
        assert any("Xã, phường, thị trấn" in (r or []) for r in rows), name
    officer = client_for(users.commune_officer).get(url).content.decode()
    assert '<th scope="col">Xã, phường, thị trấn</th>' not in officer


def test_the_benefit_form_reports_every_problem_in_one_round(client_for, users, make_household):
    household = make_household()
    response = client_for(users.commune_officer).post(
        reverse("programs:benefit_create", args=[household.pk]),
        {
            "ct": programme("HOUSING_SUPPORT").pk,
            "date": "01/09/2026",
            "amount_central": "0",
            "amount_local": "20000000",
            "amount_mobilised": "0",
            "amount_household": "0",
            "started_on": "01/09/2026",
            "finished_on": "01/08/2026",
        },
    )
    errors = response.context["form"].errors
    assert "housing_work" in errors and "finished_on" in errors  # missing field and reversed dates together
    assert response.context["form"]["amount_local"].value() == "20000000"
    assert not Benefit.objects.exists()


def test_the_electricity_page_states_the_catalogues_kwh_and_price(client_for, users, make_household):
    make_household(code="IRS-001")
    electricity = programme("ELECTRICITY")
    electricity.parameters["kwh_per_month"]["value"] = 35
    electricity.parameters["tier1_price"]["value"] = 2000
    electricity.save()
    client = client_for(users.commune_officer)
    page = client.get(reverse("programs:electricity"), {"year": 2026, "quarter": 2}).content.decode()
    assert "35 kWh × giá điện bậc 1 (2.000 đồng/kWh) × 3 tháng = 210.000 đồng/hộ/quý" in page
    from openpyxl import load_workbook

    export = client.get(reverse("programs:electricity"), {"year": 2026, "quarter": 2, "xuat": "xlsx"})
    cells = [c for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True) for c in row]
    assert "35 kWh × giá bậc 1 2.000 đồng × 3 tháng = 210.000 đồng/hộ" in cells


def test_a_recently_escaped_average_living_household_is_on_the_bhyt_list_at_30_percent(
    client_for, users, make_household
):
    from tests.programs.conftest import set_status as replace_status

    household = make_household(code="IRS-800", status=None)
    replace_status(
        household, ("near_poor", date(2022, 1, 1), date(2024, 12, 31)), ("average_living", date(2025, 1, 1), None)
    )
    Member.objects.filter(household=household).update(health_insurance_valid_to=None, health_insurance_valid_from=None)
    page = client_for(users.commune_officer).get(reverse("programs:bhyt_list"), {"nam": 2026})
    rows = [r for r in page.context["rows"] if r["household"] == "IRS-800"]
    assert rows and all(r["share"] == 30 and "mức sống trung bình" in r["group"] for r in rows)
    card = services.benefit_record(
        benefit=Benefit(
            programme=programme("BHYT"),
            household=household,
            member=household.members.first(),
            date=date(2026, 1, 1),
            card_number="HN2640012345678",
            card_valid_from=date(2026, 1, 1),
            card_valid_to=date(2026, 12, 31),
            funding_share=30,
        ),
        user=users.commune_officer,
    )
    assert card.eligible and card.household_status == "average_living"


def test_training_row_is_never_matched_to_someone_else_by_id_alone(users, make_household):
    from programs.excel import SheetRow

    make_household(code="IRS-001")
    other = make_household(code="IRS-002")
    stranger = other.members.get(full_name="Ksor Y Bhin")
    Member.objects.filter(pk=stranger.pk).update(personal_id="064080001234")
    course = bulk.Course(
        programme=programme("TRAINING_46"),
        course_name="Lớp may K1",
        occupation="May công nghiệp",
        course_start=date(2026, 5, 4),
        course_end=date(2026, 7, 15),
        amount=None,
    )
    wrong = SheetRow(2, {"household": "IRS-001", "full_name": "Rơ Mah H'Nga", "personal_id": "064080001234"})
    report = bulk.training_course_import(rows=[wrong], course=course, user=users.commune_officer, commit=True)
    assert not report.ok and not Benefit.objects.exists()
    typo = SheetRow(2, {"household": "IRS-009", "full_name": "Ksor Y Bhin", "personal_id": "064080001234"})
    report = bulk.training_course_import(rows=[typo], course=course, user=users.commune_officer, commit=True)
    assert report.ok and Benefit.objects.get().member_id == stranger.pk  # same ID and name: the code was mistyped


def test_long_lists_are_paged_on_screen_and_whole_in_excel(client_for, users, make_household, settings):
    from openpyxl import load_workbook

    from programs import views_bulk

    for number in range(3):
        household = make_household(code=f"IRS-9{number:02d}")
        Member.objects.filter(household=household).update(health_insurance_valid_to=None)
    original = views_bulk.PAGE_SIZE
    views_bulk.PAGE_SIZE = 5
    try:
        client = client_for(users.district_staff)
        for name in ("programs:coverage_uninsured", "programs:bhyt_list"):
            first = client.get(reverse(name), {"nam": 2026})
            assert len(first.context["rows"]) == 5 and first.context["total"] == 12, name  # 3 households × 4
            assert "Trang 1/3" in first.content.decode()
            last = client.get(reverse(name), {"nam": 2026, "page": 3})
            assert len(last.context["rows"]) == 2
            export = export_content(client, reverse(name), {"nam": 2026, "xuat": "xlsx"})
            cells = list(load_workbook(io.BytesIO(export)).active.iter_rows(values_only=True))
            assert sum(1 for r in cells if r and any(str(c).startswith("IRS-9") for c in r if c)) == 12, name
    finally:
        views_bulk.PAGE_SIZE = original


def test_amounts_and_rates_are_typed_and_shown_the_vietnamese_way(client_for, users, make_household):
    household = make_household()
    client = client_for(users.commune_officer)
    url = reverse("programs:benefit_create", args=[household.pk])
    page = client.get(url, {"ct": programme("VBSP_POOR").pk}).content.decode()
    assert 'value="6,6"' in page  # the catalogue's rate, with a decimal comma
    response = client.post(
        url,
        {
            "ct": programme("VBSP_POOR").pk,
            "date": "01/03/2026",
            "amount": "50.000.000",
            "loan_term_months": "36",
            "interest_rate": "6,6",
            "outstanding": "45000000",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    loan_record = Benefit.objects.get()
    assert loan_record.amount == 50_000_000 and str(loan_record.interest_rate) == "6.60"
    assert loan_record.outstanding == 45_000_000
    edit = client.get(reverse("programs:benefit_update", args=[loan_record.pk])).content.decode()
    assert 'value="50.000.000"' in edit and 'value="6,60"' in edit


def test_a_refused_payment_keeps_the_quarter_and_what_was_typed(client_for, users, make_household):
    make_household(code="IRS-001")
    client = client_for(users.commune_officer)
    response = client.post(
        reverse("programs:electricity_pay"),
        {"year": 2026, "quarter": 2, "paid_on": "32/06/2026", "decision": "QĐ 77/QĐ-UBND"},
    )
    text = response.content.decode()
    assert response.status_code == 200 and "Hỗ trợ tiền điện quý 2 năm 2026" in text
    assert 'value="QĐ 77/QĐ-UBND"' in text and 'value="32/06/2026"' in text
    assert "invalid-feedback" in text
    assert not Benefit.objects.exists()


def test_near_poor_members_in_a_listed_poor_commune_get_100_percent(client_for, users, make_household, tree):
    from django.core.exceptions import ValidationError

    household = make_household(code="IRS-850", status=("near_poor", date(2025, 1, 1), None))
    Member.objects.filter(household=household).update(health_insurance_valid_to=None, health_insurance_valid_from=None)
    client = client_for(users.commune_officer)
    rows = list(client.get(reverse("programs:bhyt_list"), {"nam": 2026}).context["rows"])
    assert rows and {r["share"] for r in rows} == {70}  # not listed as a poor commune
    bhyt = programme("BHYT")
    assert bhyt.parameters["poor_commune_codes"]["value"] == []  # added by the migration, empty until filled in
    bhyt.parameters["poor_commune_codes"]["value"] = [tree.commune.code]
    bhyt.save()
    rows = list(client.get(reverse("programs:bhyt_list"), {"nam": 2026}).context["rows"])
    assert {r["share"] for r in rows} == {100}
    with pytest.raises(ValidationError) as error:
        services.benefit_record(benefit=card(household, 70), user=users.commune_officer)
    assert "ít nhất 100 %" in str(error.value.message_dict["funding_share"])
    page = client.get(reverse("programs:programme", args=[bhyt.pk])).content.decode()
    assert tree.commune.code in page  # the list is shown with the other norms
