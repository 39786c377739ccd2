"""Every programme URL with every role, scoping (another unit's household or record is a 404), the screens'
main paths: record with the rule's refusal and an override, edit, photos, figures, coverage and their exports."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from households.models import Member
from programs import services
from programs.models import Benefit, BenefitLog
from tests.export_jobs import export_content

from .conftest import programme, set_status
from .test_services import image_upload, loan

pytestmark = pytest.mark.django_db
ALL = set(Role)
COMMUNE = {Role.COMMUNE_OFFICER, Role.SYSTEM_ADMIN}  # the administrator is a superuser

# (URL name, object: None | "household" | "benefit" | "photo", roles answered 200) — other roles get 403.
PAGES = [
    ("programs:index", None, ALL),
    ("programs:figures", None, ALL),
    ("programs:programme", "programme", ALL),
    ("programs:household", "household", ALL),
    ("programs:benefit_create", "household", COMMUNE),
    ("programs:benefit", "benefit", ALL),
    ("programs:benefit_update", "benefit", COMMUNE),
    ("programs:benefit_cancel", "benefit", COMMUNE),
    ("programs:photo", "photo", ALL),
    ("programs:coverage_unsupported", None, ALL),
    ("programs:coverage_uninsured", None, ALL),
    ("programs:coverage_housing", None, ALL),
    ("programs:coverage_escape", None, ALL),
    ("programs:bhyt_list", None, ALL),
    ("programs:bhyt_import", None, COMMUNE),
    ("programs:electricity", None, ALL),
    ("programs:training_import", None, COMMUNE),
]
# name -> (roles allowed, answer to an empty POST): a refused payment is shown again on the page (200)
POST_ONLY = {"programs:benefit_photo": (COMMUNE, 302), "programs:electricity_pay": (COMMUNE, 200)}


@pytest.fixture
def objects(make_household, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    household = make_household()
    benefit = services.benefit_record(
        benefit=Benefit(
            programme=programme("HOUSING_SUPPORT"),
            household=household,
            date=date(2026, 4, 1),
            housing_work="repair",
            amount_local=30_000_000,
        ),
        user=users.commune_officer,
    )
    photo = services.benefit_photo_add(benefit=benefit, image=image_upload(), caption="Sau", user=users.commune_officer)
    return {"household": household, "benefit": benefit, "photo": photo, "programme": programme("HOUSING_SUPPORT")}


def url_for(name, kind, objects):
    if kind is None:
        return reverse(name)
    url = reverse(name, args=[objects[kind].pk])
    return url + f"?ct={programme('VBSP_POOR').pk}" if name == "programs:benefit_create" else url


@pytest.mark.parametrize("role", list(Role))
def test_every_page_answers_each_role(client_for, users, objects, role):
    client = client_for(users.by_role(role))
    for name, kind, allowed in PAGES:
        response = client.get(url_for(name, kind, objects))
        assert response.status_code == (200 if role in allowed else 403), (name, role, response.status_code)
    for name, (allowed, answer) in POST_ONLY.items():
        args = [objects["benefit"].pk] if name == "programs:benefit_photo" else []
        response = client.post(reverse(name, args=args), {})
        assert response.status_code == (answer if role in allowed else 403), (name, role)


def test_other_units_objects_are_404(client_for, users, tree, make_household):
    from tests.factories import VillageFactory

    far = make_household(code="IAM-001", village=VillageFactory(parent=tree.other_district_commune))
    benefit = services.benefit_record(benefit=loan(far, day=date(2026, 3, 1)), user=users.admin)
    for user, expected in ((users.commune_officer, 404), (users.district_staff, 404), (users.province_staff, 200)):
        client = client_for(user)
        for name, obj in (("programs:household", far), ("programs:benefit", benefit)):
            assert client.get(reverse(name, args=[obj.pk])).status_code == expected, (user, name)
    officer = client_for(users.commune_officer)
    assert officer.get(reverse("programs:benefit_create", args=[far.pk]) + "?ct=1").status_code == 404
    assert officer.get(reverse("programs:benefit_update", args=[benefit.pk])).status_code == 404
    assert officer.get(reverse("programs:benefit_cancel", args=[benefit.pk])).status_code == 404
    assert officer.post(reverse("programs:benefit_cancel", args=[benefit.pk]), {"reason": "x"}).status_code == 404


def test_lists_only_show_what_the_user_may_see(client_for, users, tree, make_household):
    from tests.factories import VillageFactory

    mine = make_household(code="IRS-010")
    other = make_household(code="PT-010", village=VillageFactory(parent=tree.sibling_commune))
    for household in (mine, other):
        services.benefit_record(benefit=loan(household), user=users.admin)
    page = client_for(users.commune_officer).get(reverse("programs:programme", args=[programme("VBSP_POOR").pk]))
    assert b"IRS-010" in page.content and b"PT-010" not in page.content
    page = client_for(users.district_staff).get(reverse("programs:programme", args=[programme("VBSP_POOR").pk]))
    assert b"IRS-010" in page.content and b"PT-010" in page.content


def form_data(**values):
    return {
        "ct": programme("VBSP_POOR").pk,
        "date": "01/03/2026",
        "amount": "50000000",
        "loan_term_months": "36",
        "interest_rate": "6.6",
        "entrusting_organisation": "women",
        "savings_group": "Tổ 1",
        **values,
    }


def test_recording_refused_then_overridden_by_an_authorised_officer(client_for, users, make_household, authorised):
    household = make_household(status=("near_poor", date(2025, 1, 1), None))
    url = reverse("programs:benefit_create", args=[household.pk])
    page = client_for(authorised).get(url + f"?ct={programme('VBSP_POOR').pk}")
    assert "Lý do ghi nhận ngoài điều kiện" in page.content.decode()
    response = client_for(authorised).post(url, form_data())
    assert response.status_code == 200 and "Không đúng đối tượng" in response.content.decode()
    assert not Benefit.objects.exists()
    response = client_for(authorised).post(url, form_data(override_reason="Quyết định 15/QĐ-UBND ngày 02/3/2026"))
    assert response.status_code == 302
    benefit = Benefit.objects.get()
    assert benefit.override_reason.startswith("Quyết định 15") and not benefit.eligible
    listing = client_for(users.district_staff).get(reverse("programs:programme", args=[benefit.programme_id]))
    assert (
        "Quyết định 15/QĐ-UBND" in listing.content.decode()
        and 'data-testid="override-badge"' in listing.content.decode()
    )


def test_edit_form_saves_and_logs(client_for, users, make_household):
    household = make_household()
    benefit = services.benefit_record(benefit=loan(household), user=users.commune_officer)
    client = client_for(users.commune_officer)
    url = reverse("programs:benefit_update", args=[benefit.pk])
    response = client.post(url, form_data(amount="60000000", outstanding="60000000", version="1"))
    assert response.status_code == 302, response.content.decode()[:2000]
    benefit.refresh_from_db()
    assert benefit.amount == 60_000_000 and BenefitLog.objects.filter(benefit=benefit, action="update").exists()
    stale = client.post(url, form_data(amount="70000000", version="1"))
    assert "người khác cập nhật" in stale.content.decode()


def test_photo_upload_and_refusal(client_for, users, objects):
    client = client_for(users.commune_officer)
    url = reverse("programs:benefit_photo", args=[objects["benefit"].pk])
    bad = io.BytesIO(b"not an image")
    bad.name = "anh.jpg"
    response = client.post(url, {"image": bad, "caption": "x"}, follow=True)
    assert objects["benefit"].photos.count() == 1
    assert "ảnh" in response.content.decode().lower()
    good = image_upload()
    client.post(url, {"image": good, "caption": "Hoàn thành"})
    assert objects["benefit"].photos.count() == 2
    photo = objects["benefit"].photos.last()
    assert client.get(reverse("programs:photo", args=[photo.pk])).status_code == 200


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_coverage_views_and_exports(client_for, users, make_household, tree):
    poor = make_household(code="IRS-020")
    Member.objects.filter(household=poor, relationship="child").update(
        health_insurance_valid_to=None, health_insurance_valid_from=None
    )
    make_household(code="IRS-021", floor_area_m2=20, non_durable_main_parts=3)
    client = client_for(users.commune_officer)
    page = client.get(reverse("programs:coverage_unsupported"))
    assert "IRS-020" in page.content.decode() and "IRS-021" in page.content.decode()
    assert f'value="{date.today().year}" selected' in page.content.decode()
    services.benefit_record(benefit=loan(poor, day=date.today()), user=users.commune_officer)
    page = client.get(reverse("programs:coverage_unsupported"))
    assert "IRS-020" not in page.content.decode()
    uninsured = client.get(reverse("programs:coverage_uninsured")).content.decode()
    assert "Ksor Y Thuận" in uninsured  # born 2015: 6+; Ksor H'Lan (2019) is 6+ as well from 2025
    export = client.get(reverse("programs:coverage_uninsured") + "?xuat=xlsx")
    rows = sheet_rows(export.content)
    assert any("Ksor Y Thuận" in [str(c) for c in row] for row in rows)
    housing = client.get(reverse("programs:coverage_housing")).content.decode()
    assert "IRS-021" in housing
    escape = client.get(reverse("programs:coverage_escape"))
    assert escape.status_code == 200


def test_figures_page_and_export(client_for, users, make_household):
    household = make_household()
    services.benefit_record(benefit=loan(household, day=date(2026, 3, 1)), user=users.commune_officer)
    client = client_for(users.district_staff)
    page = client.get(reverse("programs:figures"), {"year": 2026, "half": 1})
    text = page.content.decode()
    assert "50.000.000" in text and "Cho vay hộ nghèo" in text and "Xã Ia RSai" in text
    export = export_content(client, reverse("programs:figures"), {"year": 2026, "half": 1, "xuat": "xlsx"})
    assert any("Cho vay hộ nghèo (NHCSXH)" in [str(c) for c in row] for row in sheet_rows(export))
    bad = client.get(reverse("programs:figures"), {"start": "01/01/2026"})
    assert bad.status_code == 200


def test_household_page_links_to_its_support(client_for, users, make_household):
    household = make_household()
    page = client_for(users.province_staff).get(reverse("households:detail", args=[household.pk]))
    assert reverse("programs:household", args=[household.pk]) in page.content.decode()


def test_programme_list_query_count_does_not_grow(client_for, users, make_household, django_assert_max_num_queries):
    for number in range(5):
        household = make_household(code=f"IRS-1{number:02d}")
        set_status(household, ("poor", date(2025, 1, 1), None))
        services.benefit_record(benefit=loan(household), user=users.commune_officer)
    client = client_for(users.commune_officer)
    url = reverse("programs:programme", args=[programme("VBSP_POOR").pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        client.get(url)


def test_escape_registrations_list_the_support_each_household_got(client_for, users, make_household):
    from households.targets import escape_registration_add

    today = date.today()
    household = make_household(code="IRS-030", status=("poor", date(today.year - 1, 1, 1), None))
    make_household(code="IRS-031", status=("poor", date(today.year - 1, 1, 1), None))
    escape_registration_add(
        household=household,
        year=today.year,
        registered_on=min(date(today.year, 1, 15), today),  # on 1/1 itself: today
        user=users.commune_officer,
        cadre_name="Nguyễn Văn Phụ Trách",
    )
    services.benefit_record(
        benefit=loan(household, day=min(date(today.year, 2, 1), today)), user=users.commune_officer
    )
    client = client_for(users.commune_officer)
    text = client.get(reverse("programs:coverage_escape")).content.decode()
    assert "IRS-030" in text and "IRS-031" not in text and "Nguyễn Văn Phụ Trách" in text
    loan_day = min(date(today.year, 2, 1), today).strftime("%d/%m/")
    assert f"Cho vay hộ nghèo ({loan_day}" in text and "50.000.000" in text
    export = client.get(reverse("programs:coverage_escape") + "?xuat=xlsx")
    assert any("IRS-030" in [str(c) for c in row] for row in sheet_rows(export.content))
    assert client_for(users.district_staff).get(reverse("programs:coverage_escape")).status_code == 200


def test_pages_do_not_query_per_row(client_for, users, make_household, django_assert_max_num_queries):
    household = make_household(code="IRS-200")
    Member.objects.filter(household=household).update(health_insurance_valid_to=None)  # one row in every list
    services.benefit_record(benefit=loan(household, day=date(2026, 1, 5)), user=users.commune_officer)
    client = client_for(users.district_staff)
    urls = [
        reverse("programs:household", args=[household.pk]),
        reverse("programs:figures") + "?year=2026",
        reverse("programs:index"),
        reverse("programs:coverage_uninsured"),
        reverse("programs:bhyt_list"),
    ]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        counts[url] = len(before)
    for number in range(6):  # more households and benefits must not mean more queries
        other = make_household(code=f"IRS-3{number:02d}")
        Member.objects.filter(household=other).update(health_insurance_valid_to=None)
        services.benefit_record(benefit=loan(other), user=users.commune_officer)
        services.benefit_record(benefit=loan(household, day=date(2026, 2, number + 1)), user=users.commune_officer)
    for url in urls:
        with CaptureQueriesContext(connection) as after:
            client.get(url)
        assert len(after) <= counts[url] + 1, (url, [q["sql"][:150] for q in after.captured_queries])


def test_catalogue_parameters_are_validated():
    from django.core.exceptions import ValidationError as Invalid

    item = programme("ELECTRICITY")
    item.parameters = {"tier1_price": 2000}
    with pytest.raises(Invalid):
        item.full_clean()
    item.parameters = {
        "kwh_per_month": {"label": "Điện năng được hỗ trợ", "value": 30, "unit": "kWh/hộ/tháng", "tag": "V"},
        "tier1_price": {"label": "Giá bậc 1", "value": 2000, "unit": "đồng/kWh", "tag": "V"},
    }
    item.full_clean()
    item.save()
    from programs.bulk import electricity_amount

    assert electricity_amount(item) == 30 * 2000 * 3  # the new price is used at once


def test_admin_edits_the_catalogue_and_only_reads_benefits(client_for, users, objects):
    client = client_for(users.admin)
    item = programme("ELECTRICITY")
    assert client.get(reverse("admin:programs_programme_changelist")).status_code == 200
    assert client.get(reverse("admin:programs_programme_change", args=[item.pk])).status_code == 200
    assert client.get(reverse("admin:programs_benefit_changelist")).status_code == 200
    assert client.get(reverse("admin:programs_benefit_add")).status_code == 403
    change = client.get(reverse("admin:programs_benefit_change", args=[objects["benefit"].pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()  # view only


@pytest.mark.parametrize("url_name,code", [("programs:bhyt_list", "BHYT"), ("programs:electricity", "ELECTRICITY")])
def test_bulk_page_of_a_renamed_programme_is_a_404_not_a_server_error(client_for, users, url_name, code):
    from programs.models import Programme

    Programme.objects.filter(code=code).update(code=f"{code}_DOI_TEN")
    assert client_for(users.commune_officer).get(reverse(url_name)).status_code == 404
