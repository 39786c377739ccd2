"""The programme page's search box (programs.selectors.benefit_list_for) finds records through the household list's
indexed search (households.selectors.households_named: an ID number exactly, a household code by its beginning, a
head's or member's name without its accents) or a BHYT card by its whole number; it never reads the programme's
other records (an unindexed ``icontains`` over them took seconds for a province), stays inside the officer's unit,
and says so when more households matched than it lists."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from programs import selectors
from programs.models import Benefit
from tests.factories import CommuneFactory, UserFactory, VillageFactory

from .conftest import family, member, programme

pytestmark = pytest.mark.django_db


def card(household, number: str, person=None) -> Benefit:
    person = person or household.members.get(relationship="head")
    return Benefit.objects.create(
        programme=programme("BHYT"),
        household=household,
        member=person,
        date=timezone.localdate(),
        card_number=number,
        card_valid_from=date(timezone.localdate().year, 1, 1),
        card_valid_to=date(timezone.localdate().year, 12, 31),
        household_status="poor",
    )


@pytest.fixture
def cards(make_household, tree):
    bhin = make_household(code="IRS-001")
    lan = make_household(
        code="IRS-002",
        members=[
            member("Nguyễn Thị Đào", "head", date(1975, 1, 1), sex="female", personal_id="064175001234"),
            member("Đặng Văn Hùng", "spouse", date(1974, 1, 1)),
        ],
    )
    elsewhere = make_household(code="IRS-003", village=VillageFactory(parent=tree.sibling_commune), members=family())
    return {
        "bhin": card(bhin, "HN2640000000001"),
        "dao": card(lan, "HN2640000000002"),
        "hung": card(lan, "HN2640000000003", lan.members.get(full_name="Đặng Văn Hùng")),
        "elsewhere": card(elsewhere, "HN2640000000004"),
    }


def found(user, query: str) -> set[int]:
    filters = {"programme": programme("BHYT"), "q": query}
    return set(selectors.benefit_list_for(user, filters=filters).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "query,names",
    [
        ("ksor y bhin", {"bhin"}),  # the head's name without accents
        ("H'Nga", {"bhin"}),  # a member's name with its apostrophe: the household's records
        ("hnga", {"bhin"}),  # and without it
        ("dang van hung", {"dao", "hung"}),  # Đ typed as d
        ("Đặng", {"dao", "hung"}),
        ("irs-00", {"bhin", "dao", "hung"}),  # a household code by its beginning
        ("064175001234", {"dao", "hung"}),  # an ID number, exactly
        ("hn2640000000003", {"hung"}),  # a card by its whole number, any case
        ("HN264000", set()),  # not a whole card number, nor a code or a name
        ("zzqx", set()),
    ],
)
def test_the_search_finds_the_households_and_cards_it_names_in_the_officers_unit(users, cards, query, names):
    assert found(users.commune_officer, query) == {cards[name].pk for name in names}


def test_the_district_finds_both_communes_and_another_unit_finds_nothing(users, cards, tree):
    assert found(users.district_staff, "ksor") == {cards["bhin"].pk, cards["elsewhere"].pk}
    other = UserFactory(role=Role.COMMUNE_OFFICER, unit=CommuneFactory(parent=tree.district, code="24999"))
    assert found(other, "ksor") == set() and found(other, "HN2640000000001") == set()


def test_the_page_lists_the_found_records_newest_first_and_says_when_more_households_matched(
    users, cards, client_for, monkeypatch
):
    client = client_for(users.commune_officer)
    url = reverse("programs:programme", args=[programme("BHYT").pk])
    Benefit.objects.filter(pk=cards["dao"].pk).update(date=timezone.localdate() - timedelta(days=30))
    page = client.get(url, {"q": "dang van hung"})
    shown = [b.pk for b in page.context["page_obj"]]
    assert (
        set(shown) == {cards["dao"].pk, cards["hung"].pk} and 'data-testid="search-capped"' not in page.content.decode()
    )
    assert shown == [cards["hung"].pk, cards["dao"].pk]  # newest first
    monkeypatch.setattr("households.selectors.SEARCH_CAP", 1)
    monkeypatch.setattr("programs.views.SEARCH_CAP", 1)
    page = client.get(url, {"q": "irs"})
    assert 'data-testid="search-capped"' in page.content.decode() and "Có hơn 1 hộ khớp" in page.content.decode()
    assert len({b.household_id for b in page.context["page_obj"]}) == 1


def test_the_search_reads_no_more_statements_for_more_records(users, cards, make_household, client_for):
    client = client_for(users.commune_officer)
    url = reverse("programs:programme", args=[programme("BHYT").pk])
    client.get(url, {"q": "ksor"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"q": "ksor"})
    for n in range(4, 8):
        card(make_household(code=f"IRS-{n:03}"), f"HN26400000001{n:02}")
    with CaptureQueriesContext(connection) as more:
        client.get(url, {"q": "ksor"})
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_export_of_a_search_writes_every_match_and_the_cap_counts_only_the_programmes_households(
    users, cards, make_household, client_for, monkeypatch
):
    """The page lists at most SEARCH_CAP households' records, chosen among the households with a record of the
    programme (a household the text names without one takes no place); the Excel file of the same search writes
    the records of every household it names."""
    from io import BytesIO

    from openpyxl import load_workbook

    monkeypatch.setattr("households.selectors.SEARCH_CAP", 1)
    monkeypatch.setattr("programs.views.SEARCH_CAP", 1)
    make_household(code="IRS-000")  # named by "irs", first by its code, but no card: takes no place in the cap
    client = client_for(users.commune_officer)
    url = reverse("programs:programme", args=[programme("BHYT").pk])
    page = client.get(url, {"q": "irs"})
    assert len({b.household_id for b in page.context["page_obj"]}) == 1
    assert {b.household.code for b in page.context["page_obj"]} <= {"IRS-001", "IRS-002"}
    content = client.get(url, {"q": "irs", "xuat": "xlsx"}).content
    cells = {str(c) for row in load_workbook(BytesIO(content)).worksheets[0].iter_rows(values_only=True) for c in row}
    assert {"HN2640000000001", "HN2640000000002", "HN2640000000003"} <= cells


def test_a_card_is_found_as_typed_and_a_former_member_by_id_number(users, cards):
    """A card recorded through the form keeps the case it was typed in; a person who has left the household is
    still found by ID number on the records that name them."""
    Benefit.objects.filter(pk=cards["bhin"].pk).update(card_number="hn2640000000001")
    assert found(users.commune_officer, "HN2640000000001") == {cards["bhin"].pk}
    hung = cards["hung"].member
    hung.personal_id, hung.left_at = "064174009999", timezone.localdate()
    hung.save(update_fields=["personal_id", "left_at"])
    assert found(users.commune_officer, "064174009999") == {cards["hung"].pk}


def test_a_programmes_page_is_read_along_an_index_in_its_order_without_sorting(users, cards):
    """The page's order (newest first, ties by id) is an index's order (programs migration 0020): with
    (programme, date) alone, the records sharing a date were all sorted, the 1,3 million BHYT cards of a province
    dated the first day of the year on disk (1,3-1,5 s)."""
    qs = selectors.benefit_list_for(users.province_staff, filters={"programme": programme("BHYT")})
    sql, params = qs[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the planner show the large plan
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Sort" not in plan and "programs_benefit_prog_date_id" in plan, plan
