"""The list page ranks a search's matches from the keys its statements read (``households.selectors._ranked``, ADR
0049): on random registers, the same households in the same order as the former ranking, which read every match's
household and search row again (``household_search(..., candidates=False)``), for every role, filter and cap."""

import random
from datetime import date

import pytest
from django.urls import reverse

from households.choices import HouseholdState
from households.models import Household, Member
from households.selectors import (
    AnyOf,
    _commune_of,
    _filtered_for,
    household_listing_for,
    household_matches,
    household_search,
)

from ..factories import VillageFactory
from .conftest import member

pytestmark = pytest.mark.django_db

# Names that tie and names that do not: the same name with and without diacritics ("Ân"/"An", "Đức"/"Duc"), an
# apostrophe or not ("H'Linh"/"Hlinh"), short words, a code-like word ("IRS") that is also in a name.
CLANS = ["Ksor", "Rơ Mah", "Siu", "Nguyễn", "Nguyen", "Đặng", "Dang", "Ân", "An", "Irs"]
GIVEN = ["Y Bhin", "H'Linh", "Hlinh", "Đức", "Duc", "Nga", "H'Nga", "Thị Dung", "Văn An", "Ly", "Lyna", "Thanh", "Hà"]
QUERIES = [
    "ksor", "ro mah", "dung", "h'linh", "hlinh", "h linh", "siu nga", "nga", "duc", "đức", "dang duc", "an", "ân",
    "van an", "ly", "lyn", "ha", "thanh", "nguyen thi dung", "y bhin", "irs", "irs-0", "irs-01", "IRS-00", "PT",
    "0641", "064175000001", "0641 7500 0002", "zzz", "ksor hlinh", "nguyen", "nguyễn", "Đ", "a",
]  # fmt: skip


def person(rng, relationship, born, index):
    sex = rng.choice(["male", "female"])
    # Luật Căn cước 2023, Điều 12: province code (064), century and sex (0 man, 1 woman of the 1900s), year, number.
    personal_id = f"064{1 if sex == 'female' else 0}{born.year % 100:02d}{index:06d}" if rng.random() < 0.5 else ""
    return member(f"{rng.choice(CLANS)} {rng.choice(GIVEN)}", relationship, born, sex=sex, personal_id=personal_id)


@pytest.fixture
def register(tree, make_household):
    """Sixty households in two communes of a district and a commune of another district, some archived, some without
    a head, with names drawn so that many tie on the ranking's first keys."""
    rng = random.Random(2049)
    villages = [tree.village, VillageFactory(parent=tree.commune), VillageFactory(parent=tree.sibling_commune)]
    villages.append(VillageFactory(parent=tree.other_district_commune))
    number = 0
    for index in range(1, 61):
        prefix = rng.choice(["IRS", "PT", "KSOR"])
        people = [person(rng, "head", date(1975, 1, 1), number + 1)]
        if rng.random() < 0.7:
            people.append(person(rng, "spouse", date(1976, 1, 1), number + 2))
        number += 2
        household = make_household(code=f"{prefix}-{index:03d}", village=rng.choice(villages), members=people)
        if rng.random() < 0.15:
            Household.objects.filter(pk=household.pk).update(state=HouseholdState.ARCHIVED)
        if rng.random() < 0.1:  # a register's household whose head left: its search row has no head's name
            Member.objects.filter(household=household, relationship="head").update(relationship="other")
    return villages


def former_ranking(user, filters, cap):
    """The ranking before ADR 0049: the matches' households read again and ranked by ``household_search``."""
    qs = _filtered_for(user, filters)
    ids = household_matches(qs, filters["q"], limit=cap + 1, commune=_commune_of(user))[:cap]
    ranked = household_search(qs.filter(AnyOf("pk", ids)), filters["q"], candidates=False)
    return list(ranked.values_list("pk", flat=True))


def test_the_ranking_from_the_read_keys_is_the_former_ranking(users, register):
    compared = 0
    for user in (users.province_staff, users.district_staff, users.commune_officer):
        for extra in ({}, {"archived": True}, {"village": register[1]}):
            for query in QUERIES:
                filters = {"q": query, **extra}
                for cap in (3, 1_000):
                    listing = household_listing_for(user, filters=filters, cap=cap)
                    former = former_ranking(user, filters, cap)
                    assert listing.ids == former, (user.username, extra, query, cap)
                    assert list(listing.households.values_list("pk", flat=True)) == former
                    assert listing.count == len(former)
                    if cap == 1_000:  # below the cap: which households, too, against the plain search of them all
                        plain = household_search(_filtered_for(user, filters), query)
                        assert listing.ids == list(plain.values_list("pk", flat=True)), (user.username, query)
                    compared += len(former) > 1
    assert compared > 100  # most comparisons ordered several households


def test_similar_names_rank_apart_and_ties_fall_back_to_the_list_order(users, tree, make_household):
    """A hand-made case of each key: a code match first, then the closer head's name, then the Vietnamese order
    of the heads' names ("An" < "Ân" < "Ba"), then the code."""
    for code, name in [
        ("PT-002", "Ân Thị Nga"),
        ("PT-001", "Ân Thị Nga"),
        ("PT-003", "An Thị Nga"),
        ("PT-004", "Ba Thị Nga"),
        ("PT-005", "Siu H'Nga"),  # "nga" only a part of the name's words: a weaker match
        ("NGA-01", "Ksor Y Bhin"),  # code match, whatever its name
    ]:
        make_household(code=code, members=[member(name, "head", date(1980, 1, 1), sex="female")])
    listing = household_listing_for(users.province_staff, filters={"q": "nga"})
    assert [h.code for h in listing.households] == ["NGA-01", "PT-003", "PT-001", "PT-002", "PT-004", "PT-005"]
    assert listing.ids == former_ranking(users.province_staff, {"q": "nga"}, 1_000)


def test_the_pages_of_a_search_are_slices_of_its_ranking(client_for, users, tree, make_household):
    rng = random.Random(7)
    for index in range(1, 56):
        name = f"Ksor {rng.choice(GIVEN)}"
        make_household(code=f"IRS-{index:03d}", members=[member(name, "head", date(1970, 1, 1))])
    former = former_ranking(users.province_staff, {"q": "ksor"}, 1_000)
    client = client_for(users.province_staff)
    pages = [client.get(reverse("households:list"), {"q": "ksor", "page": page}) for page in (1, 2)]
    assert [h.pk for response in pages for h in response.context["page_obj"]] == former
    assert [len(response.context["page_obj"]) for response in pages] == [50, 5]


def test_the_keys_reach_postgresql_as_they_were_read():
    """The ranking's arrays are written as PostgreSQL array literals: any text, number or truth value reads back."""
    from django.db import connection

    from households.selectors import _array_literal, _text_array_literal

    texts = ['Ksor "H\'Linh"', "a,b", "{c}", "NULL", "", " d ", "e\\f", "Đặng Văn Đức", 'g\\"h']
    similarities = [0.0, 1.0, 0.6666667, 0.1, 1e-05]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::text[], %s::real[], %s::boolean[], %s::text[], %s::text[]",
            [
                _text_array_literal(texts),
                _array_literal(map(str, similarities)),
                _array_literal(["t", "f"]),
                _text_array_literal([]),
                _text_array_literal([""]),
            ],
        )
        assert cursor.fetchone() == (texts, similarities, [True, False], [], [""])


@pytest.mark.parametrize(
    "query,found",
    [
        ("ksor bhin", True),
        ("bhin", True),
        ("ksor hlinh", False),  # two words, each in another member's name
        ("hlinh ksor hlinh", False),  # the same two words
        ("ksorαhlinh", False),  # one typed word that normalises to two ("ksor hlinh"): the names are still split
        ("nay hlinh", True),
        ("nay ksor", False),
        ("y bhin ksor", True),  # three words: the names are split and compared
        ("y hlinh ksor", False),
    ],
)
def test_whole_words_in_one_members_name_without_splitting_the_names(users, make_household, query, found):
    """Up to two different words, the words index and its pairs decide "in one member's name" without the names
    being split (``OneName.decided_up_to``); the answer is the full search's."""
    make_household(
        code="IRS-001",
        members=[member("Ksor Y Bhin", "head", date(1980, 1, 1)), member("Nay H'Linh", "spouse", date(1982, 1, 1))],
    )
    qs = _filtered_for(users.province_staff, {})
    assert bool(household_matches(qs, query, limit=10)) is found
    assert household_search(qs, query).exists() is found
