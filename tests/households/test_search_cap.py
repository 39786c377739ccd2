"""A broad search on the list page ranks at most SEARCH_CAP matches and tells the officer to type more; below the
cap it gives exactly the full search's households in the full search's order."""

import random
from datetime import date

import pytest
from django.urls import reverse

from households import selectors
from households.selectors import household_list_for, household_listing_for, household_matches

from ..factories import VillageFactory
from .conftest import member

pytestmark = pytest.mark.django_db

MESSAGE = "Có hơn 2 hộ khớp, hãy gõ thêm tên đệm, mã hộ hoặc số CCCD."


def make_clan(make_household, village, count, clan="Ksor", start=1, prefix="IRS"):
    for index in range(start, start + count):
        make_household(
            code=f"{prefix}-{index:03d}",
            village=village,
            members=[member(f"{clan} Y Bhin{index}", "head", date(1970, 1, 1))],
        )


def test_a_broad_search_ranks_at_most_the_cap_and_asks_for_more(client_for, users, tree, make_household, monkeypatch):
    make_clan(make_household, tree.village, 4)
    monkeypatch.setattr(selectors, "SEARCH_CAP", 2)
    response = client_for(users.province_staff).get(reverse("households:list"), {"q": "ksor"})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert len(page) == 2 and all(h.head_name.startswith("Ksor") for h in page)
    html = response.content.decode()
    assert MESSAGE in html and 'data-testid="search-capped"' in html
    assert "hơn 2 hộ" in html  # the count says "more than", not an exact total


def test_within_the_cap_every_match_is_shown_without_the_message(client_for, users, tree, make_household, monkeypatch):
    make_clan(make_household, tree.village, 2)
    monkeypatch.setattr(selectors, "SEARCH_CAP", 2)
    response = client_for(users.province_staff).get(reverse("households:list"), {"q": "ksor"})
    assert [h.code for h in response.context["page_obj"]] == ["IRS-001", "IRS-002"]
    assert "hãy gõ thêm" not in response.content.decode()
    assert response.context["more_matches_than"] is None


def test_matches_outside_the_officers_scope_do_not_count_towards_the_cap(
    client_for, users, tree, make_household, monkeypatch
):
    neighbour = VillageFactory(parent=tree.sibling_commune)
    for index in range(1, 4):
        make_household(
            code=f"PT-{index:03d}", village=neighbour, members=[member(f"Ksor Y Dam{index}", "head", date(1970, 1, 1))]
        )
    make_clan(make_household, tree.village, 1)
    monkeypatch.setattr(selectors, "SEARCH_CAP", 2)
    response = client_for(users.commune_officer).get(reverse("households:list"), {"q": "ksor"})
    assert [h.code for h in response.context["page_obj"]] == ["IRS-001"]
    assert response.context["more_matches_than"] is None
    province = client_for(users.province_staff).get(reverse("households:list"), {"q": "ksor"})
    assert province.context["more_matches_than"] == 2 and len(province.context["page_obj"]) == 2


def test_a_code_prefix_and_an_id_number_are_capped_and_found_like_names(users, tree, make_household):
    make_clan(make_household, tree.village, 3)
    make_household(
        code="PT-001", members=[member("Nay H'Bla", "head", date(1975, 2, 1), sex="female", personal_id="064175009999")]
    )
    scoped = household_list_for(users.province_staff, filters={}).order_by()
    assert len(household_matches(scoped, "irs-", limit=2)) == 2
    assert len(household_matches(scoped, "irs-", limit=10)) == 3
    assert household_matches(scoped, "0641 7500 9999", limit=10) == [
        household_list_for(users.province_staff, filters={"q": "PT-001"}).get().pk
    ]


def test_the_capped_list_is_the_full_ranking_or_a_part_of_it_in_the_same_order(users, tree, make_household):
    """On random names: below the cap the capped form equals the full search; above it, its households are
    matches and keep the full ranking's order among themselves."""
    rng = random.Random(2026)
    clans, given = ["Ksor", "Rơ Mah", "Siu", "Nguyễn"], ["Bhin", "H'Linh", "Đức", "Nga", "Hyung", "Thị Dung"]
    villages = [tree.village, VillageFactory(parent=tree.commune)]
    for index in range(1, 31):
        people = [
            member(f"{rng.choice(clans)} {rng.choice(given)}", "head", date(1970, 1, 1)),
            member(f"{rng.choice(clans)} {rng.choice(given)}", "spouse", date(1972, 1, 1), sex="female"),
        ]
        make_household(code=f"IRS-{index:03d}", village=rng.choice(villages), members=people)
    for query in ["ksor", "ro mah", "dung", "h'linh", "siu nga", "irs-01", "irs-0", "duc ksor", "zzz"]:
        full = list(household_list_for(users.province_staff, filters={"q": query}).values_list("pk", flat=True))
        for cap in (3, 10, 1_000):
            listing = household_listing_for(users.province_staff, filters={"q": query}, cap=cap)
            shown = list(listing.households.values_list("pk", flat=True))
            if len(full) <= cap:
                assert shown == full and listing.more_than is None, (query, cap)
            else:
                assert len(shown) == cap and listing.more_than == cap, (query, cap)
                assert shown == [pk for pk in full if pk in set(shown)], (query, cap)
