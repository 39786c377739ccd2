"""The household list's search box at province scale: ID number, code prefix, names whatever the accents,
apostrophes or Đ/đ, ranked; the list's query count does not grow with its rows; big counts are estimates."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.pagination import round_estimate
from households.models import Household
from households.selectors import EstimatedCountPaginator, household_list_for

from ..factories import VillageFactory
from .conftest import family, member

pytestmark = pytest.mark.django_db


def heads(client, query):
    response = client.get(reverse("households:list"), {"q": query})
    assert response.status_code == 200
    return [h.head_name for h in response.context["page_obj"]]


@pytest.fixture
def registry(make_household):
    make_household(
        code="IRS-001",
        members=[member("Ksor H'Linh", "head", date(1975, 2, 1), sex="female", personal_id="064175001234")],
    )
    make_household(code="IRS-002", members=[member("Đặng Văn Đức", "head", date(1968, 4, 1), ethnic="01")])
    make_household(code="IRS-010", members=family())  # head Ksor Y Bhin; a child Ksor H'Lan
    make_household(code="PT-001", members=[member("Nguyễn Thị Dung", "head", date(1980, 1, 1), ethnic="01")])
    make_household(code="PT-002", members=[member("Trần Thị Nga", "head", date(1985, 1, 1), ethnic="01")])


def test_an_id_card_number_finds_its_household(client_for, users, registry):
    client = client_for(users.province_staff)
    assert heads(client, "064175001234") == ["Ksor H'Linh"]
    assert heads(client, "0641 7500 1234") == ["Ksor H'Linh"]  # grouped as printed on the card
    assert heads(client, "064175001235") == []


def test_a_code_is_found_by_its_beginning_whatever_its_case(client_for, users, registry):
    client = client_for(users.province_staff)
    assert heads(client, "irs-00") == ["Đặng Văn Đức", "Ksor H'Linh"]
    assert heads(client, "pt") == ["Nguyễn Thị Dung", "Trần Thị Nga"]
    assert heads(client, "IRS-01") == ["Ksor Y Bhin"]
    assert heads(client, "001") == []  # a prefix, not anywhere in the code


@pytest.mark.parametrize(
    "query,expected",
    [
        ("Đặng Văn Đức", ["Đặng Văn Đức"]),
        ("dang van duc", ["Đặng Văn Đức"]),
        ("DANG", ["Đặng Văn Đức"]),
        ("đặng", ["Đặng Văn Đức"]),
        ("Đức", ["Đặng Văn Đức"]),
        ("hlinh", ["Ksor H'Linh"]),
        ("H'Linh", ["Ksor H'Linh"]),
        ("h’linh", ["Ksor H'Linh"]),  # a typographic apostrophe
        ("nguyen thi dung", ["Nguyễn Thị Dung"]),
        ("NGUYỄN THỊ DUNG", ["Nguyễn Thị Dung"]),
        ("h'lan", ["Ksor Y Bhin"]),  # a member, not the head
    ],
)
def test_names_are_found_without_diacritics_case_or_apostrophes(client_for, users, registry, query, expected):
    assert heads(client_for(users.province_staff), query) == expected


def test_every_word_counts_in_any_order(client_for, users, registry):
    client = client_for(users.province_staff)
    assert heads(client, "dung nguyen") == ["Nguyễn Thị Dung"]
    assert heads(client, "nguyen dung") == ["Nguyễn Thị Dung"]  # a middle name may be left out
    assert heads(client, "ksor hlinh") == ["Ksor H'Linh"]
    assert heads(client, "ksor") == ["Ksor H'Linh", "Ksor Y Bhin"]


def test_the_best_match_comes_first(client_for, users, registry):
    # "Nga" is a whole name of Trần Thị Nga and only a part of H'Nga (a member of Ksor Y Bhin's household):
    # the closer match first, although K comes before T in the list's order.
    assert heads(client_for(users.province_staff), "nga") == ["Trần Thị Nga", "Ksor Y Bhin"]


def test_search_stays_in_the_officers_scope(client_for, users, tree, make_household, registry):
    neighbour = VillageFactory(parent=tree.sibling_commune)
    make_household(code="IRS-001", village=neighbour, members=[member("Ksor H'Linh", "head", date(1990, 1, 1))])
    assert heads(client_for(users.commune_officer), "hlinh") == ["Ksor H'Linh"]
    assert heads(client_for(users.province_staff), "hlinh") == ["Ksor H'Linh", "Ksor H'Linh"]


def test_search_text_that_matches_nothing_is_an_empty_list_not_an_error(client_for, users, registry):
    client = client_for(users.province_staff)
    for query in ("'''", "%", "_", "zzzzzz", "0" * 12, "a" * 300):
        response = client.get(reverse("households:list"), {"q": query})
        assert response.status_code == 200
        assert "Không có hộ nào khớp với điều kiện lọc." in response.content.decode()


def test_the_list_and_search_run_a_fixed_number_of_queries(client_for, users, make_household):
    client = client_for(users.province_staff)
    make_household(code="IRS-001")

    def count(params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("households:list"), params)
            assert response.status_code == 200
        return len(queries), len(response.context["page_obj"])

    client.get(reverse("households:list"))  # the first page reads the filter's villages; later pages reuse them
    before = {key: count(params) for key, params in {"list": {}, "search": {"q": "ksor"}}.items()}
    for index in range(2, 60):  # more than a page
        make_household(code=f"IRS-{index:03d}")
    after = {key: count(params) for key, params in {"list": {}, "search": {"q": "ksor"}}.items()}
    assert after["list"][0] == before["list"][0] and after["search"][0] == before["search"][0]
    assert after["list"][1] == after["search"][1] == 50


def test_member_counts_are_those_of_current_members(client_for, users, make_household):
    make_household(code="IRS-001")
    page = client_for(users.province_staff).get(reverse("households:list")).context["page_obj"]
    assert [h.member_count for h in page] == [4]


def test_a_count_past_the_limit_is_an_estimate_shown_as_approximate(client_for, users, make_household, monkeypatch):
    for index in range(1, 4):
        make_household(code=f"IRS-{index:03d}")
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 2)
    response = client_for(users.province_staff).get(reverse("households:list"))
    paginator = response.context["paginator"]
    assert paginator.approximate and paginator.count >= 3
    assert "khoảng" in response.content.decode()
    exact = EstimatedCountPaginator(household_list_for(users.province_staff, filters={}), 50)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 10)
    assert exact.count == 3 and not exact.approximate


def test_estimates_are_rounded_to_two_significant_figures():
    assert [round_estimate(n) for n in (42, 1234, 98_765, 1_023_417)] == [42, 1200, 99_000, 1_000_000]


def test_the_list_keeps_its_vietnamese_order_across_pages(client_for, users, make_household):
    for index in range(55):
        make_household(code=f"IRS-{index:03d}", members=[member("Ân Thị Hoa", "head", date(1970, 1, 1), ethnic="01")])
    client = client_for(users.province_staff)
    first = client.get(reverse("households:list")).context["page_obj"]
    second = client.get(reverse("households:list"), {"page": 2}).context["page_obj"]
    codes = [h.code for h in first] + [h.code for h in second]
    assert codes == sorted(codes) and len(set(codes)) == 55 == Household.objects.count()


def test_the_filter_selects_have_the_markup_django_gives_them(users, tree):
    """The list filter's selects are written in Python (households.forms.DirectSelect) for speed: same options, same
    selected one, same attributes as Django's templates write."""
    from django import forms

    from households.forms import HouseholdFilterForm

    data = {"village": str(tree.village.pk), "household_class": "poor", "flag": "meritorious"}
    form = HouseholdFilterForm(data, user=users.province_staff, indicators=[("income", "Thu nhập"), ("a&b", "<b>")])
    assert form.is_valid(), form.errors
    for name in ("village", "household_class", "flag", "indicator"):
        field = form[name]
        attrs = {"id": field.auto_id, "class": "form-select", "required": False, "disabled": True}
        direct = field.field.widget.render(field.html_name, field.value(), attrs=attrs)
        django = forms.Select.render(field.field.widget, field.html_name, field.value(), attrs=attrs)
        assert direct == django.replace("\n\n", "\n"), name
    assert 'value="a&amp;b">&lt;b&gt;</option>' in str(form["indicator"].field.widget.render("indicator", ""))


def test_a_search_is_counted_as_its_matches_were_collected(client_for, users, make_household):
    """The search's matches are counted while they are collected, so the page shows their number without a second
    count over the ranked households; the rows still carry their village and member count."""
    for index in range(1, 4):
        make_household(code=f"IRS-{index:03d}")
    make_household(code="KPA-001")
    response = client_for(users.province_staff).get(reverse("households:list"), {"q": "irs-00"})
    paginator = response.context["paginator"]
    assert paginator.count == 3 and not paginator.approximate
    assert [h.code for h in response.context["page_obj"]] == ["IRS-001", "IRS-002", "IRS-003"]
    assert {(h.village.name, h.member_count) for h in response.context["page_obj"]} == {(
        response.context["page_obj"][0].village.name, 4
    )}  # fmt: skip
    assert '<p class="small text-muted mt-2" data-testid="household-count">3 hộ</p>' in response.content.decode()


def test_the_village_filter_names_each_village_with_its_commune(users, tree):
    from households.forms import HouseholdFilterForm

    choices = list(HouseholdFilterForm(None, user=users.province_staff).fields["village"].choices)
    assert choices[0][0] == "" and (tree.village.pk, f"{tree.village.name} – {tree.commune.name}") in choices
