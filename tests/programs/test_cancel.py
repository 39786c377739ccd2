"""Cancelling a wrongly recorded benefit: a mandatory reason, no hard delete, a log row, optimistic locking, the
confirmation screen; and, one test per place, proof that a cancelled record no longer counts anywhere (figures,
lists, coverage views, exports, the once-per-person, one-payment-per-quarter and repeated-card rules)."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from households.models import Member
from programs import bulk, selectors, services
from programs.figures import Period, child_rollup, unit_figures
from programs.models import Benefit, BenefitLog
from tests.clock import on_the_day_of_import
from tests.factories import UserFactory, VillageFactory

from .conftest import programme
from .test_services import loan

pytestmark = pytest.mark.django_db
TODAY = date.today()
_on_the_day_of_import = on_the_day_of_import()  # a run across midnight: tests.clock


def cancel(benefit, user, reason="Ghi nhầm hộ"):
    benefit.refresh_from_db()
    return services.benefit_cancel(benefit=benefit, reason=reason, user=user, expected_version=benefit.version)


def card(household, member, number="HN2640012345678", day=date(2026, 1, 1), valid_to=date(2026, 12, 31)):
    return Benefit(
        programme=programme("BHYT"),
        household=household,
        member=member,
        date=day,
        card_number=number,
        card_valid_from=day,
        card_valid_to=valid_to,
        funding_share=100,
    )


def clear_registry_card(member):
    Member.objects.filter(pk=member.pk).update(
        health_insurance_number="", health_insurance_valid_from=None, health_insurance_valid_to=None
    )


def sheet_rows(content: bytes) -> list:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


# --- the service --------------------------------------------------------------------------------------------------


def test_cancel_keeps_the_row_stamps_it_and_logs(make_household, users):
    household = make_household()
    benefit = services.benefit_record(benefit=loan(household), user=users.commune_officer)
    cancel(benefit, users.commune_officer, "  Ghi trùng với khoản ngày 01/03  ")
    benefit.refresh_from_db()
    assert benefit.is_cancelled and benefit.cancelled_by == users.commune_officer
    assert benefit.cancel_reason == "Ghi trùng với khoản ngày 01/03" and benefit.version == 2
    entry = BenefitLog.objects.get(benefit=benefit, action="cancel")
    assert entry.note == "Ghi trùng với khoản ngày 01/03" and entry.user == users.commune_officer
    assert Benefit.objects.filter(pk=benefit.pk).exists()  # no hard delete


def test_cancel_refuses_an_empty_reason_a_second_cancel_and_a_stale_version(make_household, users):
    household = make_household()
    benefit = services.benefit_record(benefit=loan(household), user=users.commune_officer)
    with pytest.raises(ValidationError) as error:
        services.benefit_cancel(benefit=benefit, reason="   ", user=users.commune_officer, expected_version=1)
    assert "lý do huỷ" in " ".join(error.value.messages)
    with pytest.raises(services.StaleBenefitError):
        services.benefit_cancel(benefit=benefit, reason="Sai", user=users.commune_officer, expected_version=7)
    assert not Benefit.objects.get(pk=benefit.pk).is_cancelled
    cancel(benefit, users.commune_officer)
    with pytest.raises(ValidationError) as error:
        cancel(benefit, users.commune_officer, "Lần nữa")
    assert "đã được huỷ trước đó" in " ".join(error.value.messages)
    assert BenefitLog.objects.filter(benefit=benefit, action="cancel").count() == 1


def test_a_record_that_no_longer_passes_todays_rules_can_still_be_cancelled(make_household, users):
    household = make_household()
    benefit = services.benefit_record(benefit=loan(household), user=users.commune_officer)
    vbsp = programme("VBSP_POOR")
    vbsp.parameters = {**vbsp.parameters, "max_amount": {"label": "Mức cho vay tối đa", "value": 10_000_000}}
    vbsp.save()
    cancel(benefit, users.commune_officer, "Ghi sai số tiền")
    assert Benefit.objects.get(pk=benefit.pk).is_cancelled


def test_a_cancelled_record_can_no_longer_be_edited(make_household, users):
    household = make_household()
    benefit = services.benefit_record(benefit=loan(household), user=users.commune_officer)
    cancel(benefit, users.commune_officer)
    benefit.refresh_from_db()
    benefit.amount = 10_000_000
    with pytest.raises(ValidationError) as error:
        services.benefit_update(benefit=benefit, user=users.commune_officer, expected_version=benefit.version)
    assert "đã bị huỷ" in " ".join(error.value.messages)


def test_cancelling_a_card_leaves_the_members_registry_card_alone(make_household, users):
    household = make_household()
    child = household.members.get(full_name="Ksor H'Lan")
    benefit = services.benefit_record(benefit=card(household, child), user=users.commune_officer)
    assert services.card_on_member(benefit)
    cancel(benefit, users.commune_officer)
    child.refresh_from_db()
    assert child.health_insurance_number == "HN2640012345678"  # corrected by the officer in the household form


# --- the screens --------------------------------------------------------------------------------------------------


def test_confirmation_page_cancel_and_the_struck_through_record(client_for, users, make_household):
    household = make_household()
    benefit = services.benefit_record(benefit=loan(household), user=users.commune_officer)
    client = client_for(users.commune_officer)
    detail = client.get(reverse("programs:benefit", args=[benefit.pk])).content.decode()
    url = reverse("programs:benefit_cancel", args=[benefit.pk])
    assert url in detail and "Huỷ bản ghi" in detail
    page = client.get(url).content.decode()
    assert "không còn được tính trong số liệu" in page and 'name="reason"' in page
    refused = client.post(url, {"version": benefit.version, "reason": "   "})
    assert refused.status_code == 200 and "Hãy ghi lý do huỷ bản ghi." in refused.content.decode()
    stale = client.post(url, {"version": 99, "reason": "Ghi nhầm hộ IRS-001"})
    assert "vừa được người khác cập nhật" in stale.content.decode()
    assert "Ghi nhầm hộ IRS-001" in stale.content.decode()  # what was typed is kept
    response = client.post(url, {"version": benefit.version, "reason": "Ghi nhầm hộ IRS-001"})
    assert response.status_code == 302
    detail = client.get(reverse("programs:benefit", args=[benefit.pk])).content.decode()
    stamp = f"Đã huỷ: Ghi nhầm hộ IRS-001, {users.commune_officer}, {timezone.localdate():%d/%m/%Y}"
    assert stamp in detail and "text-decoration-line-through" in detail and url not in detail
    support = client.get(reverse("programs:household", args=[household.pk])).content.decode()
    assert stamp in support and 'data-cancelled="1"' in support
    assert "0 khoản · 0 đồng" in support and "1 bản ghi đã huỷ" in support  # the household's total no longer counts it
    assert client.get(reverse("programs:benefit_update", args=[benefit.pk])).status_code == 404
    again = client.get(url).content.decode()
    assert "đã được huỷ trước đó" in again and 'name="reason"' not in again


def test_confirmation_page_points_to_the_household_form_when_the_card_is_on_the_member(
    client_for, users, make_household
):
    household = make_household()
    child = household.members.get(full_name="Ksor H'Lan")
    benefit = services.benefit_record(benefit=card(household, child), user=users.commune_officer)
    page = client_for(users.commune_officer).get(reverse("programs:benefit_cancel", args=[benefit.pk]))
    text = page.content.decode()
    assert 'data-testid="card-on-member"' in text and reverse("households:update", args=[household.pk]) in text
    loan_benefit = services.benefit_record(benefit=loan(household), user=users.commune_officer)
    text = client_for(users.commune_officer).get(reverse("programs:benefit_cancel", args=[loan_benefit.pk]))
    assert 'data-testid="card-on-member"' not in text.content.decode()


def test_only_commune_officers_of_the_households_commune_may_cancel(client_for, users, tree, make_household):
    household = make_household()
    benefit = services.benefit_record(benefit=loan(household), user=users.commune_officer)
    url = reverse("programs:benefit_cancel", args=[benefit.pk])
    neighbour = UserFactory(role="commune_officer", unit=tree.sibling_commune)
    assert client_for(neighbour).post(url, {"version": 1, "reason": "x"}).status_code == 404
    assert client_for(users.district_staff).post(url, {"version": 1, "reason": "x"}).status_code == 403
    detail = client_for(users.district_staff).get(reverse("programs:benefit", args=[benefit.pk])).content.decode()
    assert url not in detail
    assert not Benefit.objects.get(pk=benefit.pk).is_cancelled


# --- a cancelled record counts nowhere ----------------------------------------------------------------------------


def test_figures_leave_out_a_cancelled_record(make_household, users, tree):
    household = make_household()
    kept = services.benefit_record(benefit=loan(household, day=date(2026, 3, 1)), user=users.commune_officer)
    wrong = services.benefit_record(
        benefit=loan(household, day=date(2026, 4, 1), amount=20_000_000), user=users.commune_officer
    )
    cancel(wrong, users.commune_officer)
    figures = unit_figures(unit=tree.district, period=Period.half_year(2026, 1))
    assert figures["overall"]["records"] == 1 and figures["overall"]["amount"] == kept.amount
    assert figures["credit"]["amount"] == kept.amount
    assert [r["records"] for r in figures["programmes"]] == [1]


def test_rollup_leaves_out_a_cancelled_record(make_household, users, tree):
    household = make_household()
    wrong = services.benefit_record(benefit=loan(household, day=date(2026, 3, 1)), user=users.commune_officer)
    cancel(wrong, users.commune_officer)
    rows = child_rollup(unit=tree.district, children=[tree.commune], period=Period.half_year(2026, 1))
    assert rows[0]["records"] == 0 and rows[0]["amount"] == 0 and rows[0]["households"] == 0


def test_insured_figure_leaves_out_a_cancelled_card(make_household, users, tree):
    household = make_household()
    child = household.members.get(full_name="Ksor H'Lan")
    period = Period.half_year(2026, 1)
    before = unit_figures(unit=tree.commune, period=period)["health_insurance"]
    benefit = services.benefit_record(benefit=card(household, child), user=users.commune_officer)
    clear_registry_card(child)  # the card is known only from the benefit record
    with_card = unit_figures(unit=tree.commune, period=period)["health_insurance"]
    assert with_card["cards"] == 1
    cancel(benefit, users.commune_officer)
    after = unit_figures(unit=tree.commune, period=period)["health_insurance"]
    assert after["cards"] == 0 and after["insured"] == with_card["insured"] - 1
    assert after["insured"] <= before["insured"]


def test_programme_list_hides_cancelled_records_unless_asked(client_for, users, make_household):
    household = make_household()
    wrong = services.benefit_record(benefit=loan(household, day=date(2026, 3, 1)), user=users.commune_officer)
    cancel(wrong, users.commune_officer)
    assert not selectors.benefit_list_for(users.commune_officer, filters={}).exists()
    assert selectors.benefit_list_for(users.commune_officer, filters={"include_cancelled": True}).count() == 1
    client = client_for(users.district_staff)
    url = reverse("programs:programme", args=[programme("VBSP_POOR").pk])
    page = client.get(url).content.decode()
    assert "IRS-001" not in page and "Gồm bản ghi đã huỷ" in page
    page = client.get(url, {"include_cancelled": "on"}).content.decode()
    assert "IRS-001" in page and "Đã huỷ: Ghi nhầm hộ" in page


def test_programme_export_leaves_out_cancelled_records(client_for, users, make_household):
    household = make_household()
    services.benefit_record(benefit=loan(household, day=date(2026, 3, 1)), user=users.commune_officer)
    other = make_household(code="IRS-002")
    wrong = services.benefit_record(benefit=loan(other, day=date(2026, 3, 2)), user=users.commune_officer)
    cancel(wrong, users.commune_officer)
    url = reverse("programs:programme", args=[programme("VBSP_POOR").pk])
    content = client_for(users.commune_officer).get(url, {"xuat": "xlsx", "include_cancelled": "on"}).content
    cells = {str(c) for row in sheet_rows(content) for c in row}
    assert "IRS-001" in cells and "IRS-002" not in cells


def test_household_summary_leaves_out_a_cancelled_record(make_household, users):
    household = make_household()
    wrong = services.benefit_record(benefit=loan(household), user=users.commune_officer)
    cancel(wrong, users.commune_officer)
    summary = selectors.household_support_summary(users.commune_officer, household)
    assert summary == {"records": 0, "amount": 0}
    assert list(selectors.household_benefits(users.commune_officer, household)) == [wrong]  # shown, struck through


def test_unsupported_poor_counts_a_household_whose_only_support_was_cancelled(make_household, users):
    household = make_household()
    wrong = services.benefit_record(benefit=loan(household, day=TODAY), user=users.commune_officer)
    assert household not in selectors.unsupported_poor(users.commune_officer, year=TODAY.year, day=TODAY)
    cancel(wrong, users.commune_officer)
    assert household in selectors.unsupported_poor(users.commune_officer, year=TODAY.year, day=TODAY)


def test_uninsured_members_include_a_member_whose_card_was_cancelled(make_household, users):
    household = make_household()
    child = household.members.get(full_name="Ksor Y Thuận")
    start = TODAY.replace(month=1, day=1)
    benefit = services.benefit_record(
        benefit=card(household, child, day=start, valid_to=start.replace(month=12, day=31)), user=users.commune_officer
    )
    clear_registry_card(child)
    assert child not in selectors.uninsured_members(users.commune_officer, day=TODAY)
    cancel(benefit, users.commune_officer)
    assert child in selectors.uninsured_members(users.commune_officer, day=TODAY)


def test_housing_gap_includes_a_household_whose_housing_support_was_cancelled(make_household, users):
    household = make_household(code="IRS-021", floor_area_m2=20, non_durable_main_parts=3)
    house = Benefit(
        programme=programme("HOUSING_SUPPORT"),
        household=household,
        date=TODAY,
        housing_work="repair",
        amount_local=30_000_000,
    )
    services.benefit_record(benefit=house, user=users.commune_officer)
    assert household not in selectors.housing_gap(users.commune_officer, day=TODAY)
    cancel(house, users.commune_officer)
    assert household in selectors.housing_gap(users.commune_officer, day=TODAY)


def test_escape_registrations_leave_out_a_cancelled_record(make_household, users):
    from households.targets import escape_registration_add

    household = make_household(code="IRS-030", status=("poor", date(TODAY.year - 1, 1, 1), None))
    escape_registration_add(
        household=household,
        year=TODAY.year,
        registered_on=min(date(TODAY.year, 1, 15), TODAY),  # on 1/1 itself: today
        user=users.commune_officer,
        cadre_name="Nguyễn Văn Phụ Trách",
    )
    wrong = services.benefit_record(
        benefit=loan(household, day=min(date(TODAY.year, 2, 1), TODAY)), user=users.commune_officer
    )
    cancel(wrong, users.commune_officer)
    [registration] = selectors.escape_registrations(users.commune_officer, year=TODAY.year)
    assert registration.household.year_benefits == []


def test_bhyt_list_includes_a_member_whose_card_was_cancelled(make_household, users):
    household = make_household()
    child = household.members.get(full_name="Ksor H'Lan")
    year = TODAY.year
    benefit = services.benefit_record(
        benefit=card(household, child, day=date(year, 1, 1), valid_to=date(year, 12, 31)), user=users.commune_officer
    )
    clear_registry_card(child)
    assert child not in selectors.bhyt_candidates(users.commune_officer, year=year, day=TODAY)
    cancel(benefit, users.commune_officer)
    assert child in selectors.bhyt_candidates(users.commune_officer, year=year, day=TODAY)


def quarter_payment(household, day=date(2026, 3, 25)):
    return Benefit(
        programme=programme("ELECTRICITY"),
        household=household,
        date=day,
        period_year=2026,
        period_quarter=1,
        amount=178_560,
    )


def test_electricity_list_treats_a_cancelled_payment_as_unpaid(make_household, users):
    household = make_household()
    wrong = services.benefit_record(benefit=quarter_payment(household), user=users.commune_officer)
    assert bulk.electricity_paid_ids(programme("ELECTRICITY"), 2026, 1, [household.pk]) == {household.pk}
    cancel(wrong, users.commune_officer)
    assert bulk.electricity_paid_ids(programme("ELECTRICITY"), 2026, 1, [household.pk]) == set()


def test_one_payment_per_quarter_ignores_a_cancelled_payment(make_household, users):
    household = make_household()
    wrong = services.benefit_record(benefit=quarter_payment(household), user=users.commune_officer)
    with pytest.raises(ValidationError):
        services.benefit_record(benefit=quarter_payment(household), user=users.commune_officer)
    cancel(wrong, users.commune_officer)
    again = services.benefit_record(benefit=quarter_payment(household, date(2026, 3, 26)), user=users.commune_officer)
    assert again.pk != wrong.pk


def test_repeated_card_rule_ignores_a_cancelled_card(make_household, users):
    household = make_household()
    first, second = household.members.all()[:2]
    wrong = services.benefit_record(benefit=card(household, first), user=users.commune_officer)
    with pytest.raises(ValidationError):
        services.benefit_record(benefit=card(household, second), user=users.commune_officer)
    cancel(wrong, users.commune_officer)  # the card was entered for the wrong member
    assert services.benefit_record(benefit=card(household, second), user=users.commune_officer).member == second


def test_once_per_person_ignores_a_cancelled_course(make_household, users):
    household = make_household()
    head = household.members.get(relationship="head")

    def course():
        return Benefit(
            programme=programme("TRAINING_46"),
            household=household,
            member=head,
            date=date(2026, 5, 1),
            course_name="Lớp may K1",
            occupation="May công nghiệp",
            course_start=date(2026, 5, 1),
            course_end=date(2026, 7, 15),
            amount=3_000_000,
        )

    wrong = services.benefit_record(benefit=course(), user=users.commune_officer)
    with pytest.raises(services.IneligibleError):
        services.benefit_record(benefit=course(), user=users.commune_officer)
    cancel(wrong, users.commune_officer)
    assert services.benefit_record(benefit=course(), user=users.commune_officer).eligible


def test_other_districts_cancelled_record_is_not_visible(make_household, users, tree, client_for):
    far = make_household(code="IAM-001", village=VillageFactory(parent=tree.other_district_commune))
    benefit = services.benefit_record(benefit=loan(far, day=date(2026, 3, 1)), user=users.admin)
    url = reverse("programs:benefit_cancel", args=[benefit.pk])
    assert client_for(users.commune_officer).get(url).status_code == 404
    assert client_for(users.admin).get(url).status_code == 200
