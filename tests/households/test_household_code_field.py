"""A household chosen by typing its code: forms whose choices are a commune's households (thousands to tens of
thousands in a merged province) render no list of them, match the code whatever its case, refuse in Vietnamese what
the form may not take, and keep what was typed."""

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.forms import HouseholdCodeField
from households.models import Household
from tests.factories import VillageFactory


class Pick(forms.Form):
    household = HouseholdCodeField(label="Mã hộ", queryset=Household.objects.none())

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households


def test_the_code_is_matched_whatever_its_case_and_spaces(make_household):
    household = make_household("IRS-007")
    form = Pick({"household": "  irs-007 "}, households=Household.objects.all())
    assert form.is_valid() and form.cleaned_data["household"] == household


def test_a_code_outside_the_choices_is_refused_and_kept_as_typed(tree, make_household):
    make_household("IRS-001")
    outside = make_household("PT-001", village=VillageFactory(parent=tree.sibling_commune))
    form = Pick({"household": "pt-001"}, households=Household.objects.filter(commune=tree.commune))
    assert not form.is_valid()
    assert form.errors["household"] == [
        "Không tìm thấy hộ có mã “pt-001” trong số các hộ được chọn ở mục này. Hãy kiểm tra lại mã hộ."
    ]
    assert 'value="pt-001"' in str(form["household"])  # the officer's own typing, not the other commune's household
    assert outside.code not in str(form["household"])
    assert Pick({"household": ""}, households=Household.objects.all()).errors["household"] == [
        "Trường này là bắt buộc."
    ]


def test_one_code_in_two_communes_asks_for_the_households_page(tree, make_household):
    make_household("IRS-001")
    make_household("IRS-001", village=VillageFactory(parent=tree.sibling_commune))
    form = Pick({"household": "IRS-001"}, households=Household.objects.all())
    assert not form.is_valid() and "ở các xã khác nhau" in form.errors["household"][0]


def test_an_initial_household_is_shown_by_its_code(make_household):
    household = make_household("IRS-003")
    assert 'value="IRS-003"' in str(
        Pick(initial={"household": household.pk}, households=Household.objects.all())["household"]
    )
    assert 'value="IRS-003"' in str(
        Pick(initial={"household": household}, households=Household.objects.all())["household"]
    )


def test_the_request_page_lists_no_household_and_reads_as_many_statements_whatever_their_number(
    client_for, users, make_household
):
    """The page of a request (Mẫu số 01/04) offered every household of the commune as an option: 2,8 MB and 8 s for
    a commune of 43.479 households of the million."""
    client = client_for(users.commune_officer)
    make_household("XY-001")
    with CaptureQueriesContext(connection) as few:
        first = client.get(reverse("reviews:request_create")).content.decode()
    for index in range(2, 8):
        make_household(f"XY-{index:03d}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("reviews:request_create")).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "XY-00" not in page and len(page) == len(first)
    assert 'name="household"' in page and "Gõ mã hộ" in page


def test_codes_are_compared_as_the_unique_rule_compares_them(make_household):
    """PostgreSQL lowers the codes for the rule that one code names one household of a commune; the typed code is
    lowered the same way, so "ĐL-001" finds "ĐL-001" and not "đl-001" (which the rule lets stand beside it)."""
    upper, lower = make_household("ĐL-001"), make_household("đl-001")
    for typed, household in (("ĐL-001", upper), ("đl-001", lower)):
        form = Pick({"household": typed}, households=Household.objects.all())
        assert form.is_valid() and form.cleaned_data["household"] == household


def test_a_code_that_cannot_exist_is_refused_not_a_server_error(client_for, users, make_household):
    make_household("IRS-009")
    form = Pick({"household": "IRS\x00009"}, households=Household.objects.all())
    assert not form.is_valid() and "Không tìm thấy hộ có mã" in form.errors["household"][0]
    response = client_for(users.commune_officer).post(reverse("reviews:request_create"), {"household": "IRS\x00009"})
    assert response.status_code == 200


def test_an_initial_key_outside_the_choices_is_not_shown(tree, make_household):
    outside = make_household("PT-777", village=VillageFactory(parent=tree.sibling_commune))
    mine = Household.objects.filter(commune=tree.commune)
    assert "PT-777" not in str(Pick(initial={"household": outside.pk}, households=mine)["household"])
