"""The households' search rows (``HouseholdSearch``, ADR 0046) stay equal to their current members after every kind
of change, whoever writes them (services, bulk updates, COPY, the Excel import, the demo generators), and the search
that reads them keeps its meaning: every typed word in ONE member's name, a commune officer sees the commune only."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.pgcopy import copy_objects
from households import excel, services
from households.demo_scale import province_generate
from households.models import Household, HouseholdSearch, Member
from households.selectors import household_list_for, household_listing_for

from ..factories import VillageFactory
from .conftest import family, member
from .test_excel import good_rows, xlsx

pytestmark = pytest.mark.django_db

# The rows as migration 0017 computes them from the members, to compare with the rows the triggers keep.
EXPECTED = """
SELECT h.id, h.commune_id, m.names, m.head_name
  FROM (SELECT household_id, string_agg(search_name, '|' ORDER BY id) AS names,
               min(search_name) FILTER (WHERE relationship = 'head') AS head_name
          FROM households_member WHERE left_at IS NULL GROUP BY household_id) m
  JOIN households_household h ON h.id = m.household_id
"""
STORED = "SELECT household_id, commune_id, names, head_name FROM households_householdsearch"


def words_of(names: str) -> list[str]:
    """Each word of the members' names once, and each pair of words of one member's name as "a+b" (a < b)."""
    tokens = set()
    for name in names.split("|"):
        words = [word for word in name.split(" ") if word]
        tokens.update(words)
        tokens.update(f"{a}+{b}" for a in words for b in words if a < b)
    return sorted(tokens)


def differences() -> list[tuple]:
    """Rows stored but not expected, and expected but not stored, and rows whose words are not their names' (empty
    when the search rows are right)."""
    with connection.cursor() as cursor:
        cursor.execute(f"({STORED} EXCEPT {EXPECTED}) UNION ALL ({EXPECTED} EXCEPT {STORED})")
        wrong = cursor.fetchall()
    for household_id, names, words in HouseholdSearch.objects.values_list("household_id", "names", "words"):
        if sorted(words) != words_of(names):
            wrong.append((household_id, names, words))
    # The vocabulary (migration 0019, ADR 0052) holds every word of a current member's name; it may hold more.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT w FROM households_member, unnest(string_to_array(search_name, ' ')) AS w"
            " WHERE left_at IS NULL AND w <> '' EXCEPT SELECT word FROM households_householdsearchword"
        )
        wrong += [("not in the vocabulary", word) for (word,) in cursor.fetchall()]
    return wrong


def row(household: Household) -> HouseholdSearch:
    return HouseholdSearch.objects.get(household=household)


def edit(household: Household, users, *, members=None, removed=(), **changes) -> Household:
    """Save ``household`` through the service as the officer's form does, with ``changes`` to its fields."""
    household = Household.objects.get(pk=household.pk)
    for field, value in changes.items():
        setattr(household, field, value)
    members = list(household.members.current().select_related("ethnic_group")) if members is None else members
    return services.household_save(
        household=household, members=members, removed=removed, user=users.district_staff,
        expected_version=household.version,
    )  # fmt: skip


def test_each_change_through_the_services_keeps_the_rows(make_household, tree, users):
    household = make_household(code="IRS-001")
    other = make_household(code="IRS-002", members=[member("Nay Y Blih", "head", date(1970, 1, 1))])
    assert row(household).names == "ksor y bhin|ro mah hnga|ksor y thuan|ksor hlan"
    assert row(household).head_name == "ksor y bhin" and row(household).commune_id == tree.commune.pk
    assert not differences()

    members = list(household.members.current().select_related("ethnic_group"))
    newborn = member("Ksor H'Mai", "child", date(2024, 1, 1), sex="female")
    household = edit(household, users, members=[*members, newborn])  # a member added
    assert "ksor hmai" in row(household).names and not differences()

    members = list(household.members.current().select_related("ethnic_group"))
    renamed = next(m for m in members if m.full_name == "Ksor H'Mai")
    renamed.full_name = "Ksor H'Mây"
    household = edit(household, users, members=members)  # a member renamed
    assert "ksor hmay" in row(household).names and "hmai" not in row(household).words and not differences()

    Member.objects.filter(pk=renamed.pk).update(full_name="Ksor H'Mơ")  # a bulk update, no save()
    assert "ksor hmo" in row(household).names and not differences()

    members = list(household.members.current().select_related("ethnic_group"))
    leaving = next(m for m in members if m.full_name == "Ksor H'Lan")
    household = edit(household, users, members=members, removed=[leaving])  # a member leaves
    assert "hlan" not in row(household).words and not differences()

    spouse = household.members.current().get(relationship="spouse")
    services.member_move(member=spouse, target=other, relationship="spouse", user=users.commune_officer)
    assert "hnga" not in row(household).words and "ro mah hnga" in row(other).names and not differences()

    sibling_village = VillageFactory(code="24076-01", name="Tổ dân phố 1", parent=tree.sibling_commune)
    household = edit(household, users, village=sibling_village)  # the household moves to another commune
    assert row(household).commune_id == tree.sibling_commune.pk and not differences()

    Household.objects.filter(pk=household.pk).update(commune=tree.commune)  # a move written around the service
    assert row(household).commune_id == tree.commune.pk and not differences()

    # the head changes: the ranking's name follows
    members = list(household.members.current().select_related("ethnic_group"))
    for person in members:
        if person.relationship == "head" or person.full_name == "Ksor Y Thuận":
            person.relationship = "parent" if person.relationship == "head" else "head"
    household = edit(household, users, members=members)
    assert row(household).head_name == "ksor y thuan" and not differences()

    Member.objects.filter(household=other).delete()  # the last members gone: no row
    assert not HouseholdSearch.objects.filter(household=other).exists() and not differences()


def test_copy_and_the_excel_import_keep_the_rows(make_household, users, client_for):
    household = make_household(code="IRS-001")
    copied = Member.objects.get(full_name="Ksor Y Bhin")
    copied.pk, copied.full_name, copied.relationship = None, "Rơ Mah H’Bla", "child"
    assert copy_objects(Member, [copied]) == 1  # the COPY loaders' path
    assert "ro mah hbla" in row(household).names and not differences()

    report = excel.household_import(sheet=excel.read_sheet(xlsx(good_rows())), user=users.commune_officer, commit=True)
    assert report.committed
    assert not differences() and HouseholdSearch.objects.count() == Household.objects.count()
    assert "Ksor Y Bhin" in [h.head_name for h in household_listing_for(users.province_staff, filters={"q": "hnga"})
                             .households]  # fmt: skip


def test_the_demo_generators_copies_keep_the_rows(tree):
    VillageFactory(code="24079-02", name="Buôn Ma Giai", parent=tree.commune)
    result = province_generate(communes=[tree.commune], per_commune=12, pool=4, seed=11)
    assert result.copies == 8
    assert HouseholdSearch.objects.count() == Household.objects.count() == 12
    assert not differences()


@pytest.fixture
def two_communes(make_household, tree, users):
    """The same full name in the officer's commune and in another commune of the same district."""
    sibling_village = VillageFactory(code="24076-01", name="Tổ dân phố 1", parent=tree.sibling_commune)
    mine = make_household(code="IRS-001", members=[member("Ksor H'Linh", "head", date(1975, 2, 1), sex="female")])
    theirs = make_household(
        code="PT-001",
        village=sibling_village,
        members=[member("Ksor H'Linh", "head", date(1976, 2, 1), sex="female")],
        user=users.district_staff,
    )
    return mine, theirs


@pytest.mark.parametrize("query", ["ksor hlinh", "h linh", "linh", "ksor"])
def test_a_commune_officer_never_sees_another_commune_s_match(client_for, users, two_communes, query):
    mine, theirs = two_communes
    client = client_for(users.commune_officer)
    page = client.get(reverse("households:list"), {"q": query}).context["page_obj"]
    assert [h.pk for h in page] == [mine.pk]
    assert client.get(reverse("households:detail", args=[theirs.pk])).status_code == 404
    district = household_listing_for(users.district_staff, filters={"q": query}).households
    assert set(district.values_list("pk", flat=True)) == {mine.pk, theirs.pk}


def test_a_household_moved_away_leaves_the_commune_officer_s_search(client_for, users, tree, two_communes):
    mine, theirs = two_communes
    edit(theirs, users, village=tree.village)  # moved into the officer's commune
    found = household_listing_for(users.commune_officer, filters={"q": "ksor hlinh"}).households
    assert set(found.values_list("pk", flat=True)) == {mine.pk, theirs.pk}
    edit(theirs, users, village=theirs.village)  # and back
    found = household_listing_for(users.commune_officer, filters={"q": "ksor hlinh"}).households
    assert list(found.values_list("pk", flat=True)) == [mine.pk]


@pytest.mark.parametrize(
    "query,found",
    [
        ("ksor nga", False),  # "Ksor" is the head's, "Nga" the wife's: two people, not one
        ("y nga", False),
        ("ro mah nga", True),
        ("mah hnga", True),
        ("ksor thuan", True),
        ("bhin hlan", False),
    ],
)
def test_every_word_must_be_in_one_member_s_name(users, make_household, query, found):
    make_household(code="IRS-001", members=family())
    for listing in (household_list_for, household_listing_for):
        result = listing(users.province_staff, filters={"q": query})
        households = result if listing is household_list_for else result.households
        assert households.exists() is found, (listing.__name__, query)


def test_the_commune_officer_s_search_runs_a_fixed_number_of_queries(client_for, users, tree, make_household):
    sibling_village = VillageFactory(code="24076-01", name="Tổ dân phố 1", parent=tree.sibling_commune)
    client = client_for(users.commune_officer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("households:list"), {"q": "ksor"})
            assert response.status_code == 200
        return len(queries), len(response.context["page_obj"])

    make_household(code="IRS-001")
    client.get(reverse("households:list"))  # the first page reads the filter's villages; later pages reuse them
    before = count()
    for index in range(2, 60):
        make_household(code=f"IRS-{index:03d}")
        make_household(code=f"PT-{index:03d}", village=sibling_village, user=users.district_staff)
    after = count()
    assert before[0] == after[0] and (before[1], after[1]) == (1, 50)
