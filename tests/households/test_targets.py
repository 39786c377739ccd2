"""Poverty-reduction targets set by the district, households registering to escape poverty with a helper, and
progress against the target (report 209/BC-UBND of Krông Pa)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from households.models import ChangeEntry, EscapeRegistration, Household, PovertyTarget, StatusRecord, UnitPopulation
from households.targets import (
    Outcome,
    escape_registration_add,
    escape_registration_withdraw,
    poverty_target_set,
    registrations_with_outcome,
    target_may_set,
    target_progress,
)
from tests.clock import on_the_day_of_import
from tests.factories import CommuneFactory, UserFactory, VillageFactory

TODAY = timezone.localdate()
YEAR = TODAY.year
_on_the_day_of_import = on_the_day_of_import()  # a run across midnight: tests.clock
DECISION = "Quyết định số 146/QĐ-UBND ngày 22/3/2021"


def listed(household, *steps):
    for index, (household_class, valid_from) in enumerate(steps):
        valid_to = steps[index + 1][1] - timedelta(days=1) if index + 1 < len(steps) else None
        StatusRecord.objects.create(
            household=household, household_class=household_class, valid_from=valid_from, valid_to=valid_to
        )


_codes = iter(range(1, 100_000))


def household(village, *steps) -> Household:
    h = Household.objects.create(
        code=f"IRS-{next(_codes):04d}", village=village, commune_id=village.parent_id, area_type="rural"
    )
    listed(h, *steps)
    return h


START = date(YEAR - 1, 12, 15)  # the list approved at the end of last year


# --- who may set a target ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,unit_attr,allowed",
    [
        (Role.DISTRICT_STAFF, "commune", True),
        (Role.DISTRICT_STAFF, "sibling_commune", True),
        (Role.DISTRICT_STAFF, "other_district_commune", False),
        (Role.DISTRICT_STAFF, "district", False),
        (Role.DISTRICT_STAFF, "village", False),
        (Role.COMMUNE_OFFICER, "commune", False),
        (Role.PROVINCE_STAFF, "district", True),
        (Role.PROVINCE_STAFF, "commune", False),  # a district's commune: its district assigns it
        (Role.PROVINCE_STAFF, "other_province_commune", False),
        (Role.SYSTEM_ADMIN, "commune", False),
    ],
)
def test_who_may_set_a_target(users, tree, role, unit_attr, allowed):
    assert target_may_set(users.by_role(role), getattr(tree, unit_attr)) is allowed


def test_province_of_a_two_tier_layout_sets_its_communes(tree, users):
    commune = CommuneFactory(parent=tree.province)  # directly under the province (after 01/07/2025)
    assert target_may_set(users.province_staff, commune)


def test_target_set_and_revised_keeps_the_old_figures(tree, users):
    target = poverty_target_set(
        unit=tree.commune,
        year=YEAR,
        households_to_escape=40,
        rate_reduction=Decimal("3.00"),
        legal_basis="Quyết định số 146/QĐ-UBND ngày 22/3/2021",
        user=users.district_staff,
    )
    revised = poverty_target_set(
        unit=tree.commune,
        year=YEAR,
        households_to_escape=45,
        rate_reduction=Decimal("3.68"),
        legal_basis="Quyết định số 235/QĐ-UBND ngày 12/5/2021",
        user=users.district_staff,
        expected_updated_at=target.updated_at.isoformat(),
    )
    assert PovertyTarget.objects.count() == 1
    assert (revised.households_to_escape, revised.rate_reduction) == (45, Decimal("3.68"))
    assert revised.revisions == [
        {
            "households_to_escape": 40,
            "rate_reduction": "3.00",
            "legal_basis": "Quyết định số 146/QĐ-UBND ngày 22/3/2021",
            "set_by": str(users.district_staff),
            "until": revised.revisions[0]["until"],
        }
    ]


def test_target_refusals(tree, users):
    kwargs = {"year": YEAR, "households_to_escape": 5, "rate_reduction": Decimal("1"), "legal_basis": DECISION}
    with pytest.raises(PermissionDenied):
        poverty_target_set(unit=tree.commune, user=users.commune_officer, **kwargs)
    with pytest.raises(PermissionDenied):
        poverty_target_set(unit=tree.other_district_commune, user=users.district_staff, **kwargs)
    with pytest.raises(ValidationError, match="căn cứ"):
        poverty_target_set(unit=tree.commune, user=users.district_staff, **{**kwargs, "legal_basis": " "})
    poverty_target_set(unit=tree.commune, user=users.district_staff, **kwargs)
    with pytest.raises(ValidationError, match="vừa được"):  # opened before the first save: stale
        poverty_target_set(unit=tree.commune, user=users.district_staff, **{**kwargs, "households_to_escape": 9})
    with pytest.raises(ValidationError):
        poverty_target_set(
            unit=tree.sibling_commune, user=users.district_staff, **{**kwargs, "rate_reduction": Decimal("120")}
        )


# --- escape registrations -------------------------------------------------------------------------------------


def register(h, user, **extra):
    return escape_registration_add(
        household=h,
        year=YEAR,
        registered_on=TODAY,
        user=user,
        cadre_name=extra.pop("cadre_name", "Nay Văn Thắng"),
        cadre_position="Phó Chủ tịch Hội Nông dân xã",
        cadre_phone="0905123456",
        commitment="Vay vốn nuôi bò sinh sản",
        **extra,
    )


def test_registration_is_logged_and_unique(tree, users):
    poor = household(tree.village, ("poor", START))
    registration = register(poor, users.commune_officer)
    assert registration.class_at_registration == "poor"
    entry = ChangeEntry.objects.get(household=poor, action="escape_register")
    assert "Nay Văn Thắng" in entry.note and entry.user == users.commune_officer
    with pytest.raises(ValidationError, match="đã đăng ký"):
        register(poor, users.commune_officer)
    escape_registration_withdraw(registration=registration, reason="Hộ chuyển đi nơi khác", user=users.commune_officer)
    registration.refresh_from_db()
    assert registration.state == "withdrawn" and registration.withdrawn_on == TODAY
    assert ChangeEntry.objects.filter(household=poor, action="escape_withdraw").exists()
    with pytest.raises(ValidationError, match="đã được rút"):
        escape_registration_withdraw(registration=registration, reason="x", user=users.commune_officer)
    register(poor, users.commune_officer)  # after a withdrawal the household may register again


def test_registration_refusals(tree, users):
    not_listed = household(tree.village, ("non_poor", START))
    never = household(tree.village)
    poor = household(tree.village, ("poor", START))
    with pytest.raises(ValidationError, match="không có trong danh sách"):
        register(not_listed, users.commune_officer)
    with pytest.raises(ValidationError, match="không có trong danh sách"):
        register(never, users.commune_officer)
    with pytest.raises(ValidationError, match="cán bộ phụ trách"):
        register(poor, users.commune_officer, cadre_name=" ")
    with pytest.raises(PermissionDenied):
        register(poor, users.district_staff)
    other = UserFactory(role=Role.COMMUNE_OFFICER, unit=tree.sibling_commune)
    with pytest.raises(PermissionDenied):
        register(poor, other)
    with pytest.raises(ValidationError, match="sau hôm nay"):
        escape_registration_add(
            household=poor,
            year=YEAR,
            registered_on=TODAY + timedelta(days=1),
            user=users.commune_officer,
            cadre_name="A",
        )


def test_cadre_account_fills_name_position_and_phone(tree, users):
    cadre = UserFactory(
        role=Role.COMMUNE_OFFICER, unit=tree.commune, full_name="Ksor H'Linh", position="Công chức LĐ-TB&XH"
    )
    cadre.phone = "0912000111"
    cadre.save()
    registration = escape_registration_add(
        household=household(tree.village, ("near_poor", START)),
        year=YEAR,
        registered_on=TODAY,
        user=users.commune_officer,
        cadre_user=cadre,
    )
    assert (registration.cadre_name, registration.cadre_position, registration.cadre_phone) == (
        "Ksor H'Linh",
        "Công chức LĐ-TB&XH",
        "0912000111",
    )


def test_outcome_is_read_from_the_status_history(tree, users):
    escaped = household(tree.village, ("poor", START), ("near_poor", TODAY))
    staying = household(tree.village, ("poor", START))
    near_out = household(tree.village, ("near_poor", START), ("non_poor", TODAY))
    for h in (escaped, staying, near_out):
        escape_registration_add(
            household=h,
            year=YEAR,
            registered_on=min(date(YEAR, 1, 5), TODAY - timedelta(days=1)),  # on 1/1: 31/12 before (allowed)
            user=users.commune_officer,
            cadre_name="Siu Văn Kiên",
        )
    outcomes = {r.household_id: r.outcome for r in registrations_with_outcome(EscapeRegistration.objects.all(), TODAY)}
    assert outcomes == {
        escaped.pk: Outcome.ESCAPED_POOR,
        staying.pk: Outcome.IN_PROGRESS,
        near_out.pk: Outcome.ESCAPED_NEAR,
    }
    next_year = date(YEAR + 1, 2, 1)
    later = {r.household_id: r.outcome for r in registrations_with_outcome(EscapeRegistration.objects.all(), next_year)}
    assert later[staying.pk] == Outcome.NOT_ACHIEVED and later[escaped.pk] == Outcome.ESCAPED_POOR


def test_progress_against_the_target(tree, users):
    UnitPopulation.objects.create(unit=tree.commune, year=YEAR - 1, households=400, source="Thống kê xã")
    poor = [household(tree.village, ("poor", START)) for _index in range(8)]
    register(poor[0], users.commune_officer)
    register(poor[5], users.commune_officer)
    for h in poor[:3]:  # the commune's in-year decision: three households escape today
        StatusRecord.objects.filter(household=h).update(valid_to=TODAY - timedelta(days=1))
        StatusRecord.objects.create(household=h, household_class="near_poor", valid_from=TODAY)
    poverty_target_set(
        unit=tree.commune,
        year=YEAR,
        households_to_escape=4,
        rate_reduction=Decimal("1.00"),
        legal_basis=DECISION,
        user=users.district_staff,
    )
    progress = target_progress(users.district_staff, scope=tree.district, year=YEAR)
    row = next(r for r in progress.rows if r.unit == tree.commune)
    assert (row.escaped, row.share, row.bar, row.registered, row.achieved) == (3, 75, 75, 2, 1)
    assert row.rate_reduction == Decimal("0.75") and row.rate_met is False
    sibling = next(r for r in progress.rows if r.unit == tree.sibling_commune)
    assert sibling.target is None and sibling.share is None
    assert progress.children_target_households == 4 and progress.targets_set == 1
    commune_view = target_progress(users.commune_officer, scope=tree.commune, year=YEAR)
    assert [r.unit for r in commune_view.rows] == [tree.commune]
    assert commune_view.rows[0].escaped == 3


# --- screens ------------------------------------------------------------------------------------------------

TARGETS = "households:targets"


@pytest.mark.parametrize("role", list(Role))
def test_targets_page_opens_for_every_role(client_for, users, role):
    response = client_for(users.by_role(role)).get(reverse(TARGETS))
    assert response.status_code == 200
    assert "Mục tiêu giảm nghèo" in response.content.decode()


@pytest.mark.parametrize(
    "role,unit_attr,expected",
    [
        (Role.COMMUNE_OFFICER, "commune", 200),
        (Role.COMMUNE_OFFICER, "sibling_commune", 404),
        (Role.COMMUNE_OFFICER, "district", 404),
        (Role.DISTRICT_STAFF, "sibling_commune", 200),
        (Role.DISTRICT_STAFF, "other_district_commune", 404),
        (Role.DISTRICT_STAFF, "province", 404),
        (Role.PROVINCE_STAFF, "other_district_commune", 200),
        (Role.PROVINCE_STAFF, "other_province_commune", 404),
        (Role.SYSTEM_ADMIN, "other_province_commune", 200),
    ],
)
def test_another_units_targets_are_404(client_for, users, tree, role, unit_attr, expected):
    response = client_for(users.by_role(role)).get(reverse(TARGETS), {"don_vi": getattr(tree, unit_attr).pk})
    assert response.status_code == expected


def post_targets(client, tree, **rows):
    data = {"legal_basis": DECISION, "note": ""}
    for unit_attr, (households, rate) in rows.items():
        pk = getattr(tree, unit_attr).pk
        data[f"u{pk}-households_to_escape"], data[f"u{pk}-rate_reduction"] = households, rate
    return client.post(f"{reverse(TARGETS)}?nam={YEAR}", data)


def test_district_sets_its_communes_targets_in_one_form(client_for, users, tree):
    client = client_for(users.district_staff)
    page = client.get(reverse(TARGETS), {"nam": YEAR})
    assert f'name="u{tree.commune.pk}-households_to_escape"' in page.content.decode()
    response = post_targets(client, tree, commune=("45", "3,68"), sibling_commune=("", ""))
    assert response.status_code == 302
    target = PovertyTarget.objects.get()
    assert (target.unit, target.households_to_escape, target.rate_reduction) == (tree.commune, 45, Decimal("3.68"))
    assert target.legal_basis == DECISION and target.set_by == users.district_staff


def test_target_form_errors_keep_what_was_typed_and_save_nothing(client_for, users, tree):
    client = client_for(users.district_staff)
    response = post_targets(client, tree, commune=("45", "3,68"), sibling_commune=("12", ""))
    assert response.status_code == 200
    assert "hãy nhập cả số hộ thoát nghèo và mức giảm tỷ lệ" in response.content.decode()
    assert 'value="45"' in response.content.decode()
    assert not PovertyTarget.objects.exists()
    no_basis = client.post(f"{reverse(TARGETS)}?nam={YEAR}", {f"u{tree.commune.pk}-households_to_escape": "3"})
    assert no_basis.status_code == 200 and not PovertyTarget.objects.exists()


def test_a_target_cannot_be_erased(client_for, users, tree):
    client = client_for(users.district_staff)
    post_targets(client, tree, commune=("45", "3,68"))
    response = post_targets(client, tree, commune=("", ""))
    assert "không xoá được" in response.content.decode()
    assert PovertyTarget.objects.get().households_to_escape == 45


@pytest.mark.parametrize("role", [Role.COMMUNE_OFFICER, Role.SYSTEM_ADMIN])
def test_commune_officers_and_admins_cannot_set_targets(client_for, users, tree, role):
    response = post_targets(client_for(users.by_role(role)), tree, commune=("45", "3,68"))
    assert response.status_code == 403
    assert not PovertyTarget.objects.exists()


def test_district_cannot_post_for_another_districts_commune(client_for, users, tree):
    client = client_for(users.district_staff)
    response = client.post(
        f"{reverse(TARGETS)}?nam={YEAR}&don_vi={tree.other_district_commune.pk}",
        {"legal_basis": DECISION, f"u{tree.other_district_commune.pk}-households_to_escape": "5"},
    )
    assert response.status_code == 404
    smuggled = post_targets(client, tree, other_district_commune=("5", "1"))
    assert smuggled.status_code == 302 and not PovertyTarget.objects.exists()  # the row is not in the form at all


def test_next_years_target_can_be_set_in_advance(client_for, users, tree):
    client = client_for(users.district_staff)
    response = client.post(
        f"{reverse(TARGETS)}?nam={YEAR + 1}",
        {
            "legal_basis": DECISION,
            f"u{tree.commune.pk}-households_to_escape": "30",
            f"u{tree.commune.pk}-rate_reduction": "2",
        },
    )
    assert response.status_code == 302
    assert PovertyTarget.objects.get().year == YEAR + 1
    assert "chưa bắt đầu" in client.get(reverse(TARGETS), {"nam": YEAR + 1}).content.decode()


def test_commune_page_shows_target_and_registrations(client_for, users, tree):
    poverty_target_set(
        unit=tree.commune,
        year=YEAR,
        households_to_escape=7,
        rate_reduction=Decimal("2.5"),
        legal_basis=DECISION,
        user=users.district_staff,
    )
    poor = household(tree.village, ("poor", START))
    register(poor, users.commune_officer)
    page = client_for(users.commune_officer).get(reverse(TARGETS)).content.decode()
    assert 'data-testid="target-households">7<' in page
    assert poor.code in page and "Nay Văn Thắng" in page and "Đang thực hiện" in page
    assert 'data-testid="register-escape"' in page
    district_view = client_for(users.district_staff).get(reverse(TARGETS), {"don_vi": tree.commune.pk})
    assert 'data-testid="register-escape"' not in district_view.content.decode()


def test_register_and_withdraw_through_the_screens(client_for, users, tree):
    poor = household(tree.village, ("poor", START))
    household(tree.village, ("non_poor", START))
    client = client_for(users.commune_officer)
    form = client.get(reverse("households:escape_register"))
    assert list(form.context["form"].fields["household"].queryset) == [poor]
    response = client.post(
        reverse("households:escape_register"),
        {
            "household": poor.code,
            "year": YEAR,
            "registered_on": TODAY.strftime("%d/%m/%Y"),
            "cadre_name": "Rah Lan Thị Mai",
            "cadre_position": "Bí thư chi bộ buôn",
            "commitment": "Trồng mì, nuôi heo",
        },
    )
    assert response.status_code == 302
    registration = EscapeRegistration.objects.get()
    missing = client.post(reverse("households:escape_register"), {"household": poor.code, "year": YEAR})
    assert missing.status_code == 200 and missing.context["form"].errors
    withdraw = reverse("households:escape_withdraw", args=[registration.pk])
    assert client.post(withdraw, {"reason": ""}).status_code == 200
    assert client.post(withdraw, {"reason": "Hộ xin rút"}).status_code == 302
    assert EscapeRegistration.objects.get().state == "withdrawn"


def test_registration_screens_roles_and_scoping(client_for, users, tree):
    poor = household(tree.village, ("poor", START))
    registration = register(poor, users.commune_officer)
    withdraw = reverse("households:escape_withdraw", args=[registration.pk])
    for role in (Role.DISTRICT_STAFF, Role.PROVINCE_STAFF, Role.SYSTEM_ADMIN):
        client = client_for(users.by_role(role))
        assert client.get(reverse("households:escape_register")).status_code == 403
        assert client.post(withdraw, {"reason": "x"}).status_code == 403
    stranger = UserFactory(role=Role.COMMUNE_OFFICER, unit=tree.sibling_commune)
    VillageFactory(parent=tree.sibling_commune)
    client = client_for(stranger)
    assert client.get(withdraw).status_code == 404
    assert client.post(withdraw, {"reason": "x"}).status_code == 404
    smuggled = client.post(
        reverse("households:escape_register"),
        {"household": poor.code, "year": YEAR, "registered_on": TODAY.strftime("%d/%m/%Y"), "cadre_name": "A"},
    )
    assert smuggled.status_code == 200 and "household" in smuggled.context["form"].errors
    assert EscapeRegistration.objects.count() == 1


def test_dashboard_widget_for_commune_and_district(client_for, users, tree):
    poverty_target_set(
        unit=tree.commune,
        year=YEAR,
        households_to_escape=10,
        rate_reduction=Decimal("2"),
        legal_basis=DECISION,
        user=users.district_staff,
    )
    household(tree.village, ("poor", START), ("near_poor", TODAY))
    commune = client_for(users.commune_officer).get(reverse("dashboards:index")).content.decode()
    assert 'data-testid="dashboard-targets"' in commune and "Đã thoát nghèo 1/10 hộ" in commune
    district = client_for(users.district_staff).get(reverse("dashboards:index")).content.decode()
    assert "Xã Ia RSai" in district and "1/2 đơn vị đã giao" in district
    admin = client_for(users.admin).get(reverse("dashboards:index")).content.decode()
    assert 'data-testid="dashboard-targets"' not in admin


def test_pages_query_count_does_not_grow_with_communes(client_for, users, tree, django_assert_max_num_queries):
    client = client_for(users.district_staff)
    for _index in range(3):
        household(tree.village, ("poor", START))
    with django_assert_max_num_queries(30) as first:
        client.get(reverse(TARGETS), {"nam": YEAR})
    with django_assert_max_num_queries(40) as dashboard:
        client.get(reverse("dashboards:index"))
    for index in range(12):
        commune = CommuneFactory(parent=tree.district, code=f"2419{index:02d}")
        village = VillageFactory(parent=commune)
        household(village, ("poor", START), ("near_poor", TODAY))
        poverty_target_set(
            unit=commune,
            year=YEAR,
            households_to_escape=3,
            rate_reduction=Decimal("1"),
            legal_basis=DECISION,
            user=users.district_staff,
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse(TARGETS), {"nam": YEAR})
    with django_assert_max_num_queries(len(dashboard.captured_queries)):
        client.get(reverse("dashboards:index"))


def test_the_communes_registrations_are_shown_a_page_at_a_time(client_for, users, tree, monkeypatch):
    """A commune's registrations of a year run to hundreds: a page of them at a time, how many in all, the pager
    keeping the year; the page's statements do not grow with them."""
    monkeypatch.setattr("households.views_targets.REGISTRATIONS_PER_PAGE", 2)
    for _index in range(5):
        register(household(tree.village, ("poor", START)), users.commune_officer)
    client = client_for(users.commune_officer)
    url = reverse("households:targets") + f"?nam={YEAR}"
    with CaptureQueriesContext(connection) as first_page:
        page = client.get(url)
    text = page.content.decode()
    assert len(page.context["registrations"]) == 2 and "(5 hộ)" in text
    assert f"nam={YEAR}&amp;page=2" in text
    shown = [r.pk for n in (1, 2, 3) for r in client.get(f"{url}&page={n}").context["registrations"]]
    assert sorted(shown) == sorted(EscapeRegistration.objects.values_list("pk", flat=True))
    register(household(tree.village, ("poor", START)), users.commune_officer)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(first_page.captured_queries)


def test_a_communes_registrations_are_found_by_their_own_village(users, tree):
    """The commune's registrations are selected and ordered by the copy of the household's village and code kept on
    each registration (its index, households migration 0022), and are exactly those the household's own village
    gives: registered before withdrawn, by village and code; another commune's left out; moved households follow
    their new village; for the commune's officer and its district's."""
    from households.targets import escape_registrations_for

    second_village = VillageFactory(parent=tree.commune, code=f"{tree.village.code}9")
    elsewhere = VillageFactory(parent=tree.sibling_commune)
    ids = [
        register(household(village, ("poor", START)), users.commune_officer).pk
        for village in (second_village, tree.village, second_village, tree.village)
    ]
    register(household(elsewhere, ("poor", START)), UserFactory(role=Role.COMMUNE_OFFICER, unit=tree.sibling_commune))
    withdrawn = EscapeRegistration.objects.get(pk=ids[0])
    escape_registration_withdraw(registration=withdrawn, reason="Hộ chuyển đi nơi khác", user=users.commune_officer)
    moved = Household.objects.get(pk=EscapeRegistration.objects.get(pk=ids[1]).household_id)
    moved.village = tree.village
    moved.save()  # the triggers copy the new village onto its registration
    for user in (users.commune_officer, users.district_staff):
        found = list(escape_registrations_for(user, commune=tree.commune, year=YEAR))
        through_household = sorted(
            EscapeRegistration.objects.filter(year=YEAR, household__village__path__startswith=tree.commune.path),
            key=lambda r: (r.state, r.household.village.code, r.household.code, r.pk),
        )
        assert [r.pk for r in found] == [r.pk for r in through_household]
        assert len(found) == 4 and found[-1].pk == ids[0]
    # the commune's villages are read from the registration's own column and its index, not the household's
    sql = str(escape_registrations_for(users.district_staff, commune=tree.commune, year=YEAR).query)
    assert 'ON ("households_escaperegistration"."household_village_id" = ' in sql
