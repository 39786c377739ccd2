"""The member's stored normalised name (``Member.search_name``) is right whoever writes the member, and the search
reads it: whole words first, a short word as a whole word, a single letter joined to the next word."""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from core.pgcopy import copy_objects
from households import excel
from households.models import Household, Member
from households.selectors import household_list_for, household_listing_for

from .conftest import member
from .test_excel import good_rows, xlsx

pytestmark = pytest.mark.django_db


def norm(text: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT households_search_norm(%s)", [text])
        return cursor.fetchone()[0]


def stored_names_are_right() -> bool:
    """Every member's stored name is the normalising function of its full name, as the database computes it now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM households_member"
            " WHERE search_name IS DISTINCT FROM households_search_norm(full_name)"
        )
        return cursor.fetchone()[0] == 0


def heads(client, query):
    response = client.get(reverse("households:list"), {"q": query})
    assert response.status_code == 200
    return sorted(h.head_name for h in response.context["page_obj"])


def test_the_service_a_bulk_update_and_copy_keep_the_stored_name(make_household):
    household = make_household(code="IRS-001")
    assert Member.objects.get(full_name="Ksor H'Lan").search_name == "ksor hlan" == norm("Ksor H'Lan")
    Member.objects.filter(full_name="Ksor H'Lan").update(full_name="Đặng Thị  Ly")  # no save(): a bulk update
    assert Member.objects.get(full_name="Đặng Thị  Ly").search_name == "dang thi ly"
    copied = Member.objects.get(full_name="Ksor Y Bhin")
    copied.pk, copied.full_name, copied.relationship = None, "Rơ Mah H’Bla", "child"
    assert copy_objects(Member, [copied]) == 1  # the COPY loaders' path: the column is not written, only computed
    assert Member.objects.get(household=household, full_name="Rơ Mah H’Bla").search_name == "ro mah hbla"
    assert stored_names_are_right()


def test_a_stored_name_written_by_hand_is_normalised_again(make_household):
    """The column is kept by a trigger (households migration 0024), not generated: a value written into it, on
    insert or update, is replaced by the normalised name; an update of other columns keeps it."""
    household = make_household(code="IRS-001")
    head = Member.objects.get(household=household, full_name="Ksor Y Bhin")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE households_member SET search_name = 'sai' WHERE id = %s", [head.pk])
        cursor.execute("UPDATE households_member SET employment = 'farming' WHERE id = %s", [head.pk])
        cursor.execute(
            "INSERT INTO households_member (full_name, sex, date_of_birth, personal_id, relationship,"
            " education_level, health_insurance_number, employment, disability, created_at, updated_at,"
            " ethnic_group_id, household_id, search_name)"
            " SELECT 'Rơ Châm H’Nhi', sex, date_of_birth, '', 'child', education_level, '', employment, false,"
            " now(), now(), ethnic_group_id, household_id, 'sai' FROM households_member WHERE id = %s",
            [head.pk],
        )
    assert Member.objects.get(pk=head.pk).search_name == "ksor y bhin"
    assert Member.objects.get(full_name="Rơ Châm H’Nhi").search_name == "ro cham hnhi"
    assert stored_names_are_right()


def test_the_excel_import_keeps_the_stored_name(users, client_for):
    report = excel.household_import(sheet=excel.read_sheet(xlsx(good_rows())), user=users.commune_officer, commit=True)
    assert report.committed and Member.objects.count() == 5
    assert stored_names_are_right()
    assert heads(client_for(users.province_staff), "hnga") == ["Ksor Y Bhin"]  # found through the wife


@pytest.fixture
def names(make_household):
    make_household(code="IRS-001", members=[member("Rơ Mah Thị Ly", "head", date(1975, 2, 1), sex="female")])
    make_household(code="IRS-002", members=[member("Nay Lyna", "head", date(1980, 2, 1), sex="female")])
    make_household(code="IRS-003", members=[member("Ksor H'Linh", "head", date(1985, 2, 1), sex="female")])
    make_household(code="IRS-004", members=[member("Ksor Y Bhin", "head", date(1970, 2, 1))])
    make_household(code="IRS-005", members=[member("Nguyễn Thị Hà", "head", date(1970, 2, 1), ethnic="01")])
    make_household(code="IRS-006", members=[member("Phạm Văn Thanh", "head", date(1970, 2, 1), ethnic="01")])


@pytest.mark.parametrize(
    "query,expected",
    [
        ("ly", ["Rơ Mah Thị Ly"]),  # a short word is a whole word: not "Lyna"
        ("lyn", ["Nay Lyna"]),  # three letters: any part of a name
        ("ro mah thi ly", ["Rơ Mah Thị Ly"]),
        ("ha", ["Nguyễn Thị Hà"]),  # not "Thanh", not "Phạm"
        ("Hà", ["Nguyễn Thị Hà"]),
        ("y bhin", ["Ksor Y Bhin"]),
        ("h linh", ["Ksor H'Linh"]),  # the apostrophe typed as a space
        ("h lin", ["Ksor H'Linh"]),
        ("ksor h", []),  # a single letter alone is a whole word; no household has one
        ("hlinh", ["Ksor H'Linh"]),
        ("ksor", ["Ksor H'Linh", "Ksor Y Bhin"]),
        ("nguyen-thi", ["Nguyễn Thị Hà"]),  # a hyphen separates words
        ("ß", []),  # no letter of the alphabet the names are written in: names nothing, not everything
    ],
)
def test_short_words_are_whole_words_and_longer_ones_parts(client_for, users, names, query, expected):
    assert heads(client_for(users.province_staff), query) == expected


def test_the_export_of_a_search_finds_the_same_households(users, names):
    for query in ("ly", "lyn", "h linh", "thi", "ksor", "ha"):
        full = set(household_list_for(users.province_staff, filters={"q": query}).values_list("pk", flat=True))
        shown = household_listing_for(users.province_staff, filters={"q": query}).households
        assert full == set(shown.values_list("pk", flat=True)), query
    assert Household.objects.count() == 6


def test_names_are_indexed_in_the_search_rows_only():
    """The households' search rows carry the name indexes (ADR 0046); the members' own, which nothing reads any more,
    would only slow every member written (migration 0018)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid IN "
            "('households_member'::regclass, 'households_householdsearch'::regclass) AND indexrelid::regclass::text "
            "LIKE '%%search%%idx' ORDER BY 1"
        )
        assert [name for (name,) in cursor.fetchall()] == ["household_search_trgm_idx", "household_search_words_idx"]
        cursor.execute("SELECT count(*) FROM pg_statistic_ext WHERE stxname = 'members_search_words_stats'")
        assert cursor.fetchone()[0] == 0
