"""The households and escape registrations in the Django admin at a province's scale: the newest first along an index,
the statements of a page do not grow with the rows, and the search box is the portal's indexed search (code
prefix, names without their accents, ID number), scoped to the administrator's units (docs/performance.md, "The
Django admin at a million households")."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from core.pagination import CappedCountPaginator
from households import selectors
from households.admin import HouseholdAdmin
from households.models import EscapeRegistration, Household

from ..factories import UserFactory, VillageFactory
from .conftest import family, member

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:households_household_changelist"
REGISTRATIONS = "admin:households_escaperegistration_changelist"


def shown(client, name=CHANGELIST, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response


def codes(response) -> list[str]:
    return [getattr(row, "code", None) or row.household.code for row in response.context["cl"].result_list]


def statements(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.fixture
def registry(make_household):
    make_household(
        code="IRS-001",
        members=[member("Ksor H'Linh", "head", date(1975, 2, 1), sex="female", personal_id="064175001234")],
    )
    make_household(code="IRS-002", members=[member("Đặng Văn Đức", "head", date(1968, 4, 1), ethnic="01")])
    make_household(code="IRS-010", members=family())  # head Ksor Y Bhin; a child Ksor H'Lan
    make_household(code="PT-001", members=[member("Nguyễn Thị Dung", "head", date(1980, 1, 1), ethnic="01")])


def test_the_list_shows_the_newest_households_first_without_sorting_by_a_column(client_for, users, registry):
    client = client_for(users.admin)
    assert codes(shown(client)) == ["PT-001", "IRS-010", "IRS-002", "IRS-001"]
    # No column sorts (none has an index over the whole table), not even by a ?o= written by hand.
    assert codes(shown(client, o="1")) == ["PT-001", "IRS-010", "IRS-002", "IRS-001"]
    assert 'class="sortable' not in shown(client).content.decode()


@pytest.mark.parametrize("approximate", [False, True], ids=["counted", "estimated"])
def test_a_page_of_the_list_reads_the_same_statements_whatever_the_households(
    client_for, users, make_household, monkeypatch, approximate
):
    """Counted exactly or, past the cap, estimated (then a page's ids are read first): the same statements for 4
    households as for 8, on the first page and a later one."""
    monkeypatch.setattr(HouseholdAdmin, "list_per_page", 2)
    if approximate:
        monkeypatch.setattr(CappedCountPaginator, "exact_up_to", 2)
    client = client_for(users.admin)
    url = reverse(CHANGELIST)

    def counts():
        return statements(client, url), statements(client, url, {"p": 2})

    for index in range(4):
        make_household(code=f"IRS-{index:03d}")
    before = counts()
    for index in range(4, 8):
        make_household(code=f"IRS-{index:03d}")
    assert counts() == before
    response = shown(client, p=2)
    assert response.context["cl"].paginator.approximate is approximate
    assert codes(response) == ["IRS-005", "IRS-004"]
    # An estimate says so ("khoảng 10 hộ gia đình"), a count does not.
    assert ('data-testid="estimated-count"' in response.content.decode()) is approximate
    # and the search box does not show the estimate as a number of results
    assert ("kết quả (" in shown(client).content.decode()) is not approximate


def test_the_search_finds_a_code_by_its_beginning(client_for, users, registry):
    client = client_for(users.admin)
    # Ranked as on the portal's list: code matches in the list's order (the head's name, the Vietnamese way).
    assert codes(shown(client, q="irs-00")) == ["IRS-002", "IRS-001"]
    # the search's rank, not the list's newest first (which would put IRS-010 first)
    assert codes(shown(client, q="irs-0")) == ["IRS-002", "IRS-001", "IRS-010"]
    assert codes(shown(client, q="pt")) == ["PT-001"]
    assert codes(shown(client, q="001")) == []  # a beginning, not anywhere in the code


@pytest.mark.parametrize(
    "query,expected",
    [
        ("dang van duc", ["IRS-002"]),
        ("ĐẶNG", ["IRS-002"]),
        ("nguyen thi dung", ["PT-001"]),
        ("hlinh", ["IRS-001"]),
        ("h'lan", ["IRS-010"]),  # a child's name finds the household
    ],
)
def test_the_search_finds_names_without_their_accents(client_for, users, registry, query, expected):
    assert codes(shown(client_for(users.admin), q=query)) == expected


def test_the_search_finds_an_id_number(client_for, users, registry):
    client = client_for(users.admin)
    assert codes(shown(client, q="064175001234")) == ["IRS-001"]
    assert codes(shown(client, q="0641 7500 1234")) == ["IRS-001"]
    assert codes(shown(client, q="064175001235")) == []


def test_the_search_keeps_the_lists_filters(client_for, users, registry):
    Household.objects.filter(code="IRS-010").update(current_class="near_poor")
    client = client_for(users.admin)
    assert codes(shown(client, q="ksor", current_class__exact="near_poor")) == ["IRS-010"]


def test_a_broad_search_shows_the_cap_and_asks_for_more(client_for, users, make_household, monkeypatch):
    for index in range(4):
        make_household(code=f"IRS-{index:03d}", members=[member(f"Ksor Y Bhin{index}", "head", date(1970, 1, 1))])
    monkeypatch.setattr(selectors, "SEARCH_CAP", 2)
    response = shown(client_for(users.admin), q="ksor")
    assert len(codes(response)) == 2
    assert any("Có hơn 2 hộ khớp" in str(m) for m in response.context["messages"])


def test_statements_of_a_search_do_not_grow_with_its_matches(client_for, users, make_household):
    client = client_for(users.admin)
    url = reverse(CHANGELIST)
    for index in range(2):
        make_household(code=f"IRS-{index:03d}")
    before = statements(client, url, {"q": "ksor"})
    for index in range(2, 6):
        make_household(code=f"IRS-{index:03d}")
    assert statements(client, url, {"q": "ksor"}) == before


def test_an_officer_is_not_staff_and_a_staff_officer_sees_only_the_commune(client_for, users, tree, make_household):
    """Only system administrators reach the admin (User.save); if an officer of a commune were made staff by hand,
    the list and its search would still show that commune's households only (``visible_to``)."""
    make_household(code="IRS-001")
    make_household(code="PT-001", village=VillageFactory(parent=tree.sibling_commune))  # a Ksor family too
    officer = UserFactory(username="xa.canbo", role=Role.COMMUNE_OFFICER, unit=tree.commune)
    assert officer.is_staff is False
    assert client_for(officer).get(reverse(CHANGELIST)).status_code == 302  # to the sign-in page
    User.objects.filter(pk=officer.pk).update(is_staff=True)
    officer.user_permissions.add(Permission.objects.get(codename="view_household"))
    client = client_for(User.objects.get(pk=officer.pk))
    assert codes(shown(client)) == ["IRS-001"]
    assert codes(shown(client, q="ksor")) == ["IRS-001"]
    assert codes(shown(client, q="pt")) == []
    assert sorted(codes(shown(client_for(users.admin), q="ksor"))) == ["IRS-001", "PT-001"]


def register(household, year=2026, **fields) -> EscapeRegistration:
    fields = {"cadre_name": "Siu Văn Kiên", **fields}
    return EscapeRegistration.objects.create(
        household=household, year=year, registered_on=date(year, 2, 1), class_at_registration="poor", **fields
    )


def test_registrations_are_searched_by_household_and_by_the_cadres_account(client_for, users, tree, registry):
    by_code = {household.code: household for household in Household.objects.all()}
    cadre = UserFactory(username="xa.kien", full_name="Nay Văn Thắng", unit=tree.commune)
    register(by_code["IRS-001"])
    register(by_code["IRS-002"], cadre_user=cadre, cadre_name="Nay Văn Thắng")
    register(by_code["PT-001"], cadre_name="Nguyễn Văn Hùng")
    client = client_for(users.admin)
    assert codes(shown(client, REGISTRATIONS, q="irs-00")) == ["IRS-002", "IRS-001"]
    assert codes(shown(client, REGISTRATIONS, q="hlinh")) == ["IRS-001"]
    assert codes(shown(client, REGISTRATIONS, q="064175001234")) == ["IRS-001"]
    assert codes(shown(client, REGISTRATIONS, q="nay van thang")) == ["IRS-002"]  # the cadre's account
    # A cadre typed without an account is not searched: no index over the registrations' text.
    assert codes(shown(client, REGISTRATIONS, q="nguyen van hung")) == []
    assert codes(shown(client, REGISTRATIONS)) == ["PT-001", "IRS-002", "IRS-001"]


def test_the_registrations_year_filter_lists_the_years_from_the_first_to_the_last(client_for, users, registry):
    household = Household.objects.get(code="IRS-001")
    register(household, year=2024)
    register(Household.objects.get(code="IRS-002"), year=2026)
    response = shown(client_for(users.admin), REGISTRATIONS)
    year_filter = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "year")
    assert [value for value, _label in year_filter.lookup_choices] == ["2026", "2025", "2024"]
    assert codes(shown(client_for(users.admin), REGISTRATIONS, year="2024")) == ["IRS-001"]
    assert len(codes(shown(client_for(users.admin), REGISTRATIONS, year="hai"))) == 2  # not a year: every one
