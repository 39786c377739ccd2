"""The nomination, decision, register and typical-example screens: scoping on every URL (another unit's object is a
404, the wrong unit a 403), the workflow through the pages, and refusals shown in Vietnamese without a server error."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from emulation import nominations as svc
from emulation.models import Award, AwardDecision, AwardForm, Movement, Nomination, NominationStatus, SubjectType
from tests.clock import on_the_day_of_import

from .awards_setup import PDF_BYTES, evidence_pdf, household_fixture, others_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
_on_the_day_of_import = on_the_day_of_import()  # a run across midnight: tests.clock


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def movement(tree):
    """A district movement whose phase always includes this year (the tests run on any day)."""
    return Movement.objects.create(
        name="Vì người nghèo – Không để ai bị bỏ lại phía sau",
        phase_start=TODAY.year - 2,
        phase_end=TODAY.year + 1,
        unit=tree.district,
        launch_number="45/KH-UBND",
        launch_date=datetime.date(TODAY.year - 2, 3, 1),
    )


@pytest.fixture
def nomination(users, movement, household):
    """A commune's draft for the province's Bằng khen (a form every period has: the province decides)."""
    return svc.nomination_create(
        user=users.commune_officer,
        movement=movement,
        year=TODAY.year,
        subject_type=SubjectType.HOUSEHOLD,
        household=household,
        achievements="Hiến đất làm đường.",
        requested_form=AwardForm.PROVINCE_MERIT,
    )


def _urls(n):
    return {
        "detail": reverse("emulation:nomination_detail", args=[n.pk]),
        "update": reverse("emulation:nomination_update", args=[n.pk]),
        "evidence": reverse("emulation:nomination_evidence", args=[n.pk]),
        "submit": reverse("emulation:nomination_submit", args=[n.pk]),
        "review": reverse("emulation:nomination_review", args=[n.pk]),
        "reject": reverse("emulation:nomination_reject", args=[n.pk]),
    }


@pytest.mark.parametrize("page", ["detail", "update", "evidence", "submit", "review", "reject"])
@pytest.mark.parametrize("who", ["sibling", "other_district", "other_province"])
def test_another_units_nomination_is_404_on_every_url(client_for, others, nomination, page, who):
    client = client_for(others[who])
    assert client.get(_urls(nomination)[page]).status_code == 404
    if page != "detail":
        assert client.post(_urls(nomination)[page], {"comment": "x"}).status_code == 404
    assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.DRAFT


def test_the_units_above_read_it_but_do_not_write_it(client_for, users, nomination):
    for user in (users.district_staff, users.province_staff, users.admin):
        assert client_for(user).get(_urls(nomination)["detail"]).status_code == 200
    district = client_for(users.district_staff)
    assert district.get(_urls(nomination)["update"]).status_code == 403
    assert district.post(_urls(nomination)["submit"], {"comment": ""}).status_code == 403
    assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.DRAFT


def test_decision_and_evidence_files_are_scoped(client_for, users, others, nomination):
    evidence = svc.nomination_evidence_add(
        user=users.commune_officer, nomination=nomination, upload=evidence_pdf(), description="Báo cáo thành tích"
    )
    url = reverse("emulation:nomination_evidence_file", args=[evidence.pk])
    assert client_for(users.district_staff).get(url).content == PDF_BYTES
    assert client_for(others["sibling"]).get(url).status_code == 404


def test_the_workflow_through_the_pages(client_for, users, others, movement, household, tree):
    commune = client_for(users.commune_officer)
    response = commune.post(
        reverse("emulation:nomination_create"),
        {
            "movement": movement.pk,
            "year": TODAY.year,
            "subject_type": SubjectType.HOUSEHOLD,
            "household_code": household.code.lower(),
            "achievements": "Tự vươn lên thoát nghèo, giúp 3 hộ khác.",
            "requested_form": AwardForm.PROVINCE_MERIT,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    n = Nomination.objects.get()
    assert (n.household, n.proposing_unit) == (household, tree.commune)
    urls = _urls(n)
    response = commune.post(urls["evidence"], {"file": evidence_pdf(), "description": "Báo cáo thành tích"})
    assert response.status_code == 302
    assert commune.post(urls["submit"], {"comment": "Trình tỉnh"}).status_code == 302
    # The district proposing unit's parent does not grant a Bằng khen: it reads, the province's council reviews.
    assert client_for(users.district_staff).post(urls["review"], {"comment": "x"}).status_code == 403
    province = client_for(users.province_staff)
    response = province.post(urls["review"], {"comment": ""})
    assert response.status_code == 200
    assert "Hãy ghi ý kiến của Hội đồng thi đua – khen thưởng." in response.content.decode()
    assert province.post(urls["review"], {"comment": "Hội đồng tỉnh nhất trí"}).status_code == 302
    decide = reverse("emulation:decision_create")
    page = province.get(decide + f"?form={AwardForm.PROVINCE_MERIT}").content.decode()
    assert n.subject_name in page
    decide += f"?form={AwardForm.PROVINCE_MERIT}"
    data = {
        "nominations": [str(n.pk)],
        "number": "2150/QĐ-UBND",
        "signed_on": TODAY.strftime("%d/%m/%Y"),
        "signer_name": "Rah Lan Chung",
        "signer_title": "Chủ tịch",
    }
    response = province.post(decide, data)  # without the confirmation: shown again, nothing decided
    assert response.status_code == 200 and not AwardDecision.objects.exists()
    assert "2150/QĐ-UBND" in response.content.decode()
    response = province.post(decide, {**data, "confirm": "on"})
    assert response.status_code == 302
    decision = AwardDecision.objects.get()
    assert Nomination.objects.get(pk=n.pk).status == NominationStatus.DECIDED
    pdf = province.get(reverse("emulation:decision_pdf", args=[decision.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    register = commune.get(reverse("emulation:register") + f"?year={TODAY.year}&name=ksor").content.decode()
    assert "2150/QĐ-UBND" in register and n.subject_name in register
    assert others["sibling"].unit_id != n.proposing_unit_id
    sibling = client_for(others["sibling"])
    assert "2150/QĐ-UBND" not in sibling.get(reverse("emulation:register")).content.decode()
    assert sibling.get(reverse("emulation:decision_detail", args=[decision.pk])).status_code == 404
    assert sibling.get(reverse("emulation:decision_pdf", args=[decision.pk])).status_code == 404
    xlsx = commune.get(reverse("emulation:register_export") + f"?year={TODAY.year}")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert Award.objects.count() == 1


def test_a_step_in_the_wrong_state_is_a_vietnamese_message(client_for, users, nomination):
    commune = client_for(users.commune_officer)
    assert commune.post(_urls(nomination)["submit"], {"comment": ""}).status_code == 302
    response = commune.post(_urls(nomination)["submit"], {"comment": "lần nữa"})
    assert response.status_code == 200
    assert "khi đề nghị đang ở trạng thái “Đã trình”" in response.content.decode()
    assert nomination.log.count() == 2


def test_an_unknown_household_code_keeps_what_was_typed(client_for, users, movement):
    response = client_for(users.commune_officer).post(
        reverse("emulation:nomination_create"),
        {
            "movement": movement.pk,
            "year": TODAY.year,
            "subject_type": SubjectType.HOUSEHOLD,
            "household_code": "KHONG-CO",
            "achievements": "Thành tích đã gõ",
            "requested_form": AwardForm.COMMUNE_CERTIFICATE,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Không tìm thấy hộ có mã “KHONG-CO”" in page and "Thành tích đã gõ" in page


def test_typical_example_pages(client_for, users, others, movement, household):
    commune = client_for(users.commune_officer)
    response = commune.post(
        reverse("emulation:example_create"),
        {"movement": movement.pk, "year": TODAY.year, "household_code": household.code, "story": "Nuôi bò sinh sản."},
    )
    assert response.status_code == 302
    assert "Nuôi bò sinh sản." in client_for(users.district_staff).get(reverse("emulation:examples")).content.decode()
    assert "Nuôi bò sinh sản." not in client_for(others["sibling"]).get(reverse("emulation:examples")).content.decode()


@pytest.mark.parametrize(
    "name",
    ["nominations", "nomination_create", "decisions", "decision_create", "register", "examples", "example_create"],
)
def test_lists_and_forms_open_for_every_role(client_for, users, name):
    for user in (users.commune_officer, users.district_staff, users.province_staff, users.admin):
        assert client_for(user).get(reverse(f"emulation:{name}")).status_code == 200
