"""Targets and escape registrations: the commune's target page does not query per registration, and a
withdrawn registration cannot be withdrawn twice through the screen."""

from datetime import date

import pytest
from django.urls import reverse

from households.models import EscapeRegistration
from households.targets import escape_registration_add
from tests.export_jobs import fetch_export

from .test_targets import START, TODAY, YEAR, household

pytestmark = pytest.mark.django_db


def register(h, user, cadre=None):
    return escape_registration_add(
        household=h,
        year=YEAR,
        registered_on=min(TODAY, date(YEAR, 1, 15)),
        user=user,
        cadre_user=cadre,
        cadre_name="" if cadre else "Siu Y Blứ",
    )


def test_commune_page_does_not_query_per_registration(client_for, users, tree, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    register(household(tree.village, ("poor", START)), users.commune_officer, cadre=users.commune_officer)
    client = client_for(users.commune_officer)
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse("households:targets"), {"nam": YEAR}).status_code == 200
    for _index in range(8):
        register(household(tree.village, ("poor", START)), users.commune_officer, cadre=users.commune_officer)
    with django_assert_max_num_queries(len(first)):
        page = client.get(reverse("households:targets"), {"nam": YEAR})
    assert page.content.decode().count("/rut/") == 9


def test_withdrawing_twice_is_explained_and_changes_nothing(client_for, users, tree):
    registration = register(household(tree.village, ("poor", START)), users.commune_officer)
    client = client_for(users.commune_officer)
    url = reverse("households:escape_withdraw", args=[registration.pk])
    assert client.post(url, {"reason": "Hộ chuyển đi nơi khác"}).status_code == 302
    again = client.post(url, {"reason": "Lần hai"})
    assert again.status_code == 200 and "đã được rút trước đó" in again.content.decode()
    registration = EscapeRegistration.objects.get(pk=registration.pk)
    assert registration.withdraw_reason == "Hộ chuyển đi nơi khác"
    empty = client.post(url, {"reason": "   "})
    assert empty.status_code == 200


def test_total_of_targets_is_a_dash_until_one_is_assigned(client_for, users, tree):
    household(tree.village, ("poor", START))
    page = client_for(users.district_staff).get(reverse("households:targets"), {"nam": YEAR}).content.decode()
    assert 'data-col="target-total">—</td>' in page


def test_last_years_registration_cannot_be_withdrawn(client_for, users, tree):
    from datetime import timedelta

    from households.models import EscapeRegistrationState

    registration = register(household(tree.village, ("poor", START - timedelta(days=400))), users.commune_officer)
    EscapeRegistration.objects.filter(pk=registration.pk).update(year=YEAR - 1, registered_on=date(YEAR - 1, 1, 15))
    client = client_for(users.commune_officer)
    response = client.post(reverse("households:escape_withdraw", args=[registration.pk]), {"reason": "Muộn"})
    assert response.status_code == 200 and "năm đã qua" in response.content.decode()
    assert EscapeRegistration.objects.get(pk=registration.pk).state == EscapeRegistrationState.REGISTERED


def test_district_exports_its_targets_and_progress(client_for, users, tree):
    import io

    from openpyxl import load_workbook

    from households.targets import poverty_target_set

    household(tree.village, ("poor", START))
    poverty_target_set(
        unit=tree.commune,
        year=YEAR,
        households_to_escape=4,
        rate_reduction="3.5",
        legal_basis="Quyết định số 12/QĐ-UBND",
        user=users.district_staff,
    )
    client = client_for(users.district_staff)
    page = client.get(reverse("households:targets"), {"nam": YEAR}).content.decode()
    assert 'data-testid="targets-export"' in page
    response, content = fetch_export(client, reverse("households:targets"), {"nam": YEAR, "xuat": "xlsx"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith(f'{YEAR}-{TODAY:%d-%m-%Y}.xlsx"')
    rows = [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    commune_row = next(r for r in rows if r[1] == tree.commune.name)
    assert 4 in commune_row and 3.5 in commune_row and "Quyết định số 12/QĐ-UBND" in commune_row
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[2 + 6] == 4
    assert f"NĂM {YEAR} " in rows[0][0]  # a year, never "2.026"
    # the commune's own page has no table to export; another district's figures stay a 404
    officer = client_for(users.commune_officer)
    assert officer.get(reverse("households:targets"), {"nam": YEAR, "xuat": "xlsx"})["Content-Type"].startswith(
        "text/html"
    )
    stranger = client.get(reverse("households:targets"), {"don_vi": tree.other_district.pk, "xuat": "xlsx"})
    assert stranger.status_code == 404
