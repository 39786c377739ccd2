"""Registry screens: scoping, search, filters, the one-page form with members, archive, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from households.choices import HouseholdClass
from households.models import Household

from ..factories import VillageFactory
from .conftest import family, member

pytestmark = pytest.mark.django_db


def names(response):
    return [h.head_name for h in response.context["page_obj"]]


def test_another_communes_household_is_a_404(client_for, users, tree, make_household):
    neighbour_village = VillageFactory(parent=tree.sibling_commune)
    household = make_household(code="PT-1", village=neighbour_village)
    officer = client_for(users.commune_officer)
    for url_name in ("households:detail", "households:update", "households:archive", "households:history"):
        assert officer.get(reverse(url_name, args=[household.pk])).status_code == 404
    assert client_for(users.district_staff).get(reverse("households:detail", args=[household.pk])).status_code == 200


@pytest.mark.parametrize(
    "role,status", [(Role.DISTRICT_STAFF, 403), (Role.PROVINCE_STAFF, 403), (Role.COMMUNE_OFFICER, 200)]
)
def test_only_commune_officers_edit(client_for, users, make_household, role, status):
    household = make_household()
    assert client_for(users.by_role(role)).get(reverse("households:update", args=[household.pk])).status_code == status


def test_search_ignores_diacritics_and_finds_members(client_for, users, make_household):
    from datetime import date

    make_household(members=[member("Nguyễn Văn An", "head", date(1970, 1, 1), ethnic="01")])
    make_household(code="IRS-002", members=family())
    client = client_for(users.commune_officer)
    assert names(client.get(reverse("households:list"), {"q": "nguyen van an"})) == ["Nguyễn Văn An"]
    assert names(client.get(reverse("households:list"), {"q": "h'lan"})) == ["Ksor Y Bhin"]  # a member, not the head


def test_vietnamese_alphabetical_order(client_for, users, make_household):
    from datetime import date

    for index, name in enumerate(["Đỗ Văn Bình", "Dương Văn Cường", "Ân Thị Hoa", "Âu Văn Nam", "Bùi Thị Lan"]):
        make_household(code=f"H-{index}", members=[member(name, "head", date(1970, 1, 1), ethnic="01")])
    got = names(client_for(users.commune_officer).get(reverse("households:list")))
    assert got == ["Ân Thị Hoa", "Âu Văn Nam", "Bùi Thị Lan", "Dương Văn Cường", "Đỗ Văn Bình"]


def test_filters_by_class_flag_and_indicator(client_for, users, make_household):
    make_household()  # poor, ethnic minority, deprived on water
    make_household(code="IRS-002", water_source="piped", latrine="septic", non_durable_main_parts=0)
    client = client_for(users.commune_officer)
    assert len(names(client.get(reverse("households:list"), {"household_class": HouseholdClass.POOR}))) == 1
    assert len(names(client.get(reverse("households:list"), {"indicator": "water_source"}))) == 1
    assert len(names(client.get(reverse("households:list"), {"flag": "ethnic_minority"}))) == 2


def test_list_query_count_is_constant(client_for, users, make_household):
    client = client_for(users.district_staff)
    make_household()
    client.get(reverse("households:list"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("households:list")).status_code == 200
        return len(queries)

    before = count()
    for index in range(2, 12):
        make_household(code=f"IRS-{index:03d}")
    assert count() == before


def test_detail_shows_the_explanation(client_for, users, make_household):
    household = make_household()
    page = client_for(users.province_staff).get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "Hộ nghèo theo Nghị định 07/2021/NĐ-CP" in page
    assert "Nguồn nước sinh hoạt" in page and "Sửa hộ và thành viên" not in page  # read-only for the province


def form_data(tree, **overrides):
    data = {
        "code": "IRS-100",
        "village": tree.village.pk,
        "address": "",
        "phone": "0912 345 678",
        "area_type": "",
        "agricultural": "on",
        "income_per_capita": "1200000",
        "score_a": "",
        "reference_date": "01/01/2026",
        "floor_area_m2": "40",
        "non_durable_main_parts": "2",
        "water_source": "surface_water",
        "latrine": "none",
        "uses_telecom": "true",
        "has_information_device": "true",
        "has_loudspeaker_access": "unknown",
        "uses_digital_services": "unknown",
        "handles_waste": "unknown",
        "untreated_illness": "unknown",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-full_name": "Siu Y Blơng",
        "members-0-relationship": "head",
        "members-0-sex": "male",
        "members-0-date_of_birth": "15/08/1978",
        "members-0-ethnic_group": "10",
        "members-0-personal_id": "",
        "members-1-full_name": "Rơ Lan H'Ping",
        "members-1-relationship": "spouse",
        "members-1-sex": "female",
        "members-1-date_of_birth": "02/02/1981",
        "members-1-ethnic_group": "10",
        "members-1-personal_id": "",
    }
    from households.models import EthnicGroup

    jrai = EthnicGroup.objects.get(code="10").pk
    data["members-0-ethnic_group"] = data["members-1-ethnic_group"] = jrai
    data.update(overrides)
    return data


def test_create_household_with_members_on_one_page(client_for, users, tree):
    response = client_for(users.commune_officer).post(reverse("households:create"), form_data(tree))
    household = Household.objects.get(code="IRS-100")
    assert response["Location"] == reverse("households:detail", args=[household.pk])
    assert household.members.count() == 2 and household.phone == "0912345678"
    assert household.current_class == HouseholdClass.POOR


def test_bad_member_input_keeps_everything_typed(client_for, users, tree):
    data = form_data(tree, **{"members-1-personal_id": "12345", "members-1-date_of_birth": "31/02/1981"})
    response = client_for(users.commune_officer).post(reverse("households:create"), data)
    body = response.content.decode()
    assert response.status_code == 200 and not Household.objects.exists()
    assert "Siu Y Blơng" in body and "Rơ Lan H&#x27;Ping" in body
    assert "Nhập một ngày hợp lệ" in body or "ngày hợp lệ" in body


def edit_data(household, **overrides):
    """What the edit page posts back when nothing is changed."""
    from households.forms import MemberForm

    page = {
        "code": household.code,
        "village": household.village_id,
        "version": household.version,
        "area_type": household.area_type,
        "income_per_capita": household.income_per_capita or "",
        "reference_date": household.reference_date.strftime("%d/%m/%Y") if household.reference_date else "",
    }
    members = list(household.members.current())
    page.update(
        {
            "members-TOTAL_FORMS": len(members),
            "members-INITIAL_FORMS": len(members),
            "members-MIN_NUM_FORMS": 1,
            "members-MAX_NUM_FORMS": 1000,
        }
    )
    for index, person in enumerate(members):
        page[f"members-{index}-id"] = person.pk
        page[f"members-{index}-household"] = household.pk
        for name in MemberForm.Meta.fields:
            value = getattr(person, name if name != "ethnic_group" else "ethnic_group_id")
            if hasattr(value, "strftime"):
                value = value.strftime("%d/%m/%Y")
            if isinstance(value, bool):
                value = "true" if value else "false"
            page[f"members-{index}-{name}"] = "" if value is None else value
    page.update(overrides)
    return page


def test_stale_form_is_refused_and_keeps_input(client_for, users, make_household):
    household = make_household()
    client = client_for(users.commune_officer)
    data = edit_data(household, address="địa chỉ của tôi")
    Household.objects.filter(pk=household.pk).update(version=household.version + 1)  # someone else saved meanwhile
    response = client.post(reverse("households:update", args=[household.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "vừa được" in body, (response.context["form"].errors, response.context["formset"].errors)
    assert "địa chỉ của tôi" in body
    household.refresh_from_db()
    assert household.address == ""


def test_unchanged_edit_saves_and_bumps_the_version(client_for, users, make_household):
    household = make_household()
    data = edit_data(household)
    response = client_for(users.commune_officer).post(reverse("households:update", args=[household.pk]), data)
    errors = response.context["formset"].errors if response.status_code == 200 else None
    assert response.status_code == 302, (errors, {k: v for k, v in data.items() if "-household" in k or "-id" in k})
    household.refresh_from_db()
    assert household.version == 2 and household.members.current().count() == 4


def test_archive_asks_first(client_for, users, make_household):
    household = make_household()
    client = client_for(users.commune_officer)
    assert "Lưu trữ hộ IRS-001?" in client.get(reverse("households:archive", args=[household.pk])).content.decode()
    client.post(
        reverse("households:archive", args=[household.pk]), {"version": household.version, "reason": "Chuyển đi"}
    )
    household.refresh_from_db()
    assert household.is_archived
    assert names(client.get(reverse("households:list"))) == []
    assert names(client.get(reverse("households:list"), {"archived": "on"})) == ["Ksor Y Bhin"]


def test_personal_id_issue_date_is_entered_shown_and_checked(client_for, users, tree):
    from households.models import ChangeEntry

    client = client_for(users.commune_officer)
    page = client.get(reverse("households:create")).content.decode()
    assert 'name="members-0-personal_id_issued_on"' in page and "Ngày cấp CCCD" in page

    refused = form_data(
        tree, **{"members-0-personal_id": "064078012345", "members-0-personal_id_issued_on": "01/01/1970"}
    )
    body = client.post(reverse("households:create"), refused).content.decode()
    assert not Household.objects.exists()
    assert "Ngày cấp CCCD/thẻ căn cước 01/01/1970 trước ngày sinh 15/08/1978." in body

    data = form_data(tree, **{"members-0-personal_id": "064078012345", "members-0-personal_id_issued_on": "12/04/2021"})
    response = client.post(reverse("households:create"), data)
    household = Household.objects.get(code="IRS-100")
    head = household.members.get(relationship="head")
    assert head.personal_id_issued_on.isoformat() == "2021-04-12"
    detail = client.get(response["Location"]).content.decode()
    assert "Ngày cấp CCCD" in detail and "12/04/2021" in detail

    edit = edit_data(household)
    index = next(i for i, m in enumerate(household.members.current()) if m.pk == head.pk)
    edit[f"members-{index}-personal_id_issued_on"] = "13/04/2021"
    client.post(reverse("households:update", args=[household.pk]), edit)
    head.refresh_from_db()
    assert head.personal_id_issued_on.isoformat() == "2021-04-13"
    change = ChangeEntry.objects.filter(household=household).latest("pk")
    assert change.changes["Ngày cấp CCCD/thẻ căn cước"] == ["12/04/2021", "13/04/2021"]
