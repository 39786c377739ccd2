"""The walked lists' "Trang sau" and "Trang trước" links carry the signed id of the row they continue from
(programs.listing.VillageOrderPaginator.key_of; nothing else of the row is in the address): on random data, for
every role, following the links forward from page 1 and back from the last page gives exactly the pages read by
their numbers, for lists walked by household (housing gaps), by member (members without a valid card, BHYT list) and
by registration (escape registrations, whose villages share ranks and whose codes differ in case); a link edited by
hand or left over from rows changed since is read as its page number or from the row's place; and a deep page opened
from its link walks from that row, not from the top."""

import random
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import Household, Member
from programs import selectors
from programs.listing import VillageOrderPaginator, page_for
from programs.views_bulk import day_for

from .test_escape_walk import paginator_for as escape_paginator
from .test_escape_walk import random_registrations
from .test_list_indexes import ROLES
from .test_list_indexes import random_households as random_deprived
from .test_member_lists import random_households as random_members

pytestmark = pytest.mark.django_db


def member_paginator(records, user, per_page):
    paginator = VillageOrderPaginator(
        records, per_page, user=user, village="household__village", within=selectors.MEMBER_WITHIN_VILLAGE
    )
    paginator.exact_up_to = paginator.deepest = 10_000
    return paginator


def household_paginator(records, user, per_page):
    paginator = VillageOrderPaginator(
        records, per_page, user=user, village="village", within=selectors.HOUSEHOLD_WITHIN_VILLAGE
    )
    paginator.exact_up_to = paginator.deepest = 10_000
    return paginator


def ids(page) -> list[int]:
    return [row.pk for row in page.object_list]


def assert_links_follow_the_numbered_pages(make_paginator) -> int:
    """Forward by "Trang sau" from page 1, then back by "Trang trước" from the last page: each page equals the page of
    that number; a fresh paginator reads each link, as the next request would. Returns the number of pages."""
    paginator = make_paginator()
    numbered = [ids(paginator.page(number)) for number in paginator.page_range]
    page = make_paginator().page(1)
    forward = [ids(page)]
    while page.has_next():
        reader = make_paginator()
        page = reader.page_from(page.next_page_number(), reader.key_from(page.next_key))
        forward.append(ids(page))
    assert forward == numbered
    backward = [ids(page)]
    while page.has_previous():
        reader = make_paginator()
        page = reader.page_from(page.previous_page_number(), reader.key_from(page.previous_key), backwards=True)
        backward.append(ids(page))
    assert backward[::-1] == numbered
    return len(numbered)


def test_the_links_of_the_housing_gaps_follow_their_numbered_pages(tree, users, make_household):
    random_deprived(random.Random(21), tree, make_household, count=40)
    today = timezone.localdate()
    pages = 0
    for role in ROLES:
        user = getattr(users, role)
        for per_page in (1, 3, 7):
            pages += assert_links_follow_the_numbered_pages(
                lambda user=user, per_page=per_page: household_paginator(
                    selectors.housing_gap(user, day=today), user, per_page
                )
            )
    assert pages > 9  # the lists hold several pages: the comparison is not of single pages


def test_the_links_of_the_member_lists_follow_their_numbered_pages(tree, users, make_household):
    random_members(random.Random(22), tree, make_household, count=20)
    year = timezone.localdate().year
    day = day_for(year)
    pages = 0
    for role in ROLES:
        user = getattr(users, role)
        for per_page in (1, 3, 7):
            for status in ("", "poor"):
                pages += assert_links_follow_the_numbered_pages(
                    lambda user=user, per_page=per_page, status=status: member_paginator(
                        selectors.uninsured_members(user, day=day, status=status, walked=True), user, per_page
                    )
                )
            pages += assert_links_follow_the_numbered_pages(
                lambda user=user, per_page=per_page: member_paginator(
                    selectors.bhyt_candidates(user, year=year, day=day), user, per_page
                )
            )
    assert pages > 100


def test_the_links_of_the_escape_registrations_follow_their_numbered_pages(tree, users, make_household):
    """Two villages of one commune share a name (and a rank: their rows are sorted together), some codes are in
    lower case; the village counts skip whole ranks for the numbered pages, the links walk from their row."""
    year = timezone.localdate().year
    random_registrations(random.Random(5), tree, make_household, year)
    pages = 0
    for role in ROLES:
        user = getattr(users, role)
        for per_page in (1, 2, 3, 7):
            pages += assert_links_follow_the_numbered_pages(
                lambda user=user, per_page=per_page: escape_paginator(user, year, per_page)
            )
    assert pages > 20


def test_an_edited_or_stale_link_is_read_as_its_page_number(tree, users, make_household):
    random_deprived(random.Random(8), tree, make_household, count=30)
    user = users.province_staff
    today = timezone.localdate()

    def paginator():
        return household_paginator(selectors.housing_gap(user, day=today), user, 3)

    second = ids(paginator().page(2))
    first = paginator().page(1)
    factory = RequestFactory()

    def page(**query):
        return ids(page_for(paginator(), factory.get("/", query)))

    assert page(page=2, sau=first.next_key) == second
    edited = first.next_key[:-2] + ("AA" if not first.next_key.endswith("AA") else "BB")
    other_salt = signing.dumps([1, "N-1"], salt="another", compress=True)
    wrong_shape = signing.dumps(["x", 1], salt=paginator()._salt, compress=True)
    other_list = signing.dumps(first.object_list[0].pk, salt=member_paginator(Member.objects.none(), user, 3)._salt)
    for key in (edited, other_salt, wrong_shape, other_list, "", "%%%"):
        assert page(page=2, sau=key) == second, key
        assert page(page=2, truoc=key) == second, key
    assert page(page="abc", sau=first.next_key) == ids(paginator().page(1))  # not a number: page 1, as get_page
    # The rows the link continued from are gone, and everything after them: the page by its number.
    last = paginator().page(paginator().num_pages)
    Household.objects.filter(pk__in=ids(last)).update(state="archived")
    assert page(page=last.number, truoc=last.previous_key) == ids(paginator().get_page(last.number))


def test_a_deep_page_from_its_link_walks_from_the_row_before_it(tree, users, make_household, monkeypatch):
    """The last page of the members without a valid card opened from the page before's "Trang sau" reads the rows
    after that page's last row (one walk of a page's rows), where the numbered page walks every page before it."""
    random_members(random.Random(3), tree, make_household, count=24)
    user = users.province_staff
    day = day_for(timezone.localdate().year)

    def paginator():
        return member_paginator(selectors.uninsured_members(user, day=day, walked=True), user, 3)

    last = paginator().num_pages
    assert last >= 4
    before = paginator().page(last - 1)
    reader = paginator()
    walked = []
    monkeypatch.setattr(
        reader,
        "_walk_sql",
        lambda limit, *args, **kwargs: (
            walked.append(limit) or VillageOrderPaginator._walk_sql(reader, limit, *args, **kwargs)
        ),
    )
    page = reader.page_from(last, reader.key_from(before.next_key))
    assert ids(page) == ids(paginator().page(last))
    # the page's own rows and one more (4: is there a next page?), one row the other way (1: a previous page?),
    # besides the capped count (10.001); the numbered page walks (last - 1) × 3 + 3 rows
    assert 4 in walked and set(walked) <= {4, 1, 10_001}, walked


def test_the_screen_s_links_carry_the_keys_and_lead_to_the_same_rows(
    client_for, tree, users, make_household, monkeypatch
):
    """The page's "Trang sau" link holds ``sau=`` with the last row's key, the next page's "Trang trước" ``truoc=``;
    both lead to the rows of the numbered pages, and the other query parameters (the group) are kept."""
    import re
    from html import unescape

    from programs import views_bulk

    monkeypatch.setattr(views_bulk, "PAGE_SIZE", 2)
    random_members(random.Random(4), tree, make_household, count=24)
    client = client_for(users.province_staff)
    url = reverse("programs:coverage_uninsured")

    def rows(response):
        return [row["member"] for row in response.context["rows"]]

    def link(response, label):
        anchors = re.findall(r'<a class="page-link" href="([^"]+)">([^<]+)</a>', response.content.decode())
        return url + unescape(next(href for href, text in anchors if text == label))

    first = client.get(url, {"nhom": "poor"})
    numbered_second = client.get(url, {"nhom": "poor", "page": 2})
    following = link(first, "Trang sau")
    assert "sau=" in following and "nhom=poor" in following
    # a member's date of birth or code is not in the address: only the row's signed id
    salt = member_paginator(Member.objects.none(), users.province_staff, 2)._salt
    assert signing.loads(parse_qs(urlsplit(following).query)["sau"][0], salt=salt) in Member.objects.values_list(
        "pk", flat=True
    )
    second = client.get(following)
    assert rows(second) == rows(numbered_second) and rows(second)
    back = link(second, "Trang trước")
    assert "truoc=" in back and "sau=" not in back
    assert rows(client.get(back)) == rows(first)
    with CaptureQueriesContext(connection) as queries:
        client.get(following)
    with CaptureQueriesContext(connection) as numbered:
        client.get(url, {"nhom": "poor", "page": 2})
    # the link's row and the page's first row read again (their places), the walks from them (the key's rank, then
    # the ranks after it; one row the other way): a few more statements, as many whatever the rows
    assert len(queries) <= len(numbered) + 5
    assert Member.objects.exists()


def follow(paginator, page) -> list[int]:
    """Follow "Trang sau" as the template builds it until there is none: the ids seen after ``page``."""
    factory, seen = RequestFactory(), []
    while page.has_next():
        page = page_for(paginator(), factory.get("/", {"page": page.next_page_number(), "sau": page.next_key}))
        seen += ids(page)
    return seen


def housing_list(tree, users, make_household):
    random_deprived(random.Random(8), tree, make_household, count=120)
    user = users.province_staff
    today = timezone.localdate()
    return lambda: household_paginator(selectors.housing_gap(user, day=today), user, 3)


def every_row(paginator) -> list[int]:
    return [pk for number in paginator().page_range for pk in ids(paginator().page(number))]


def test_rows_handled_while_paging_neither_hide_nor_repeat_the_rows_after_the_link(tree, users, make_household):
    """The officer handles page 1's rows (they leave the list) and goes on paging from page 2: every row after page
    2 is reached, once, although the page numbers now run past the count (whether a link is shown is read from the
    walk, not from the number)."""
    paginator = housing_list(tree, users, make_household)
    first = paginator().page(1)
    second = page_for(paginator(), RequestFactory().get("/", {"page": 2, "sau": first.next_key}))
    Household.objects.filter(pk__in=ids(first)).update(state="archived")
    everything = every_row(paginator)
    expected = everything[everything.index(ids(second)[-1]) + 1 :]
    assert len(expected) > 3
    assert follow(paginator, second) == expected


def test_rows_come_back_before_the_link_and_paging_on_shows_each_row_once(tree, users, make_household):
    paginator = housing_list(tree, users, make_household)
    early = ids(paginator().page(1))
    Household.objects.filter(pk__in=early).update(state="archived")
    first = paginator().page(1)
    Household.objects.filter(pk__in=early).update(state="active")  # back in the list, before the officer's place
    everything = every_row(paginator)
    seen = follow(paginator, first)
    assert seen == everything[everything.index(ids(first)[-1]) + 1 :]
    # and back: "Trang trước" from the last page reaches the rows that came back, down to the list's first row
    page, back = paginator().page(paginator().num_pages), []
    while page.has_previous():
        page = page_for(
            paginator(), RequestFactory().get("/", {"page": page.previous_page_number(), "truoc": page.previous_key})
        )
        back = ids(page) + back
    assert back + ids(paginator().page(paginator().num_pages)) == everything


def test_a_link_past_the_screen_s_depth_offers_no_further_page(tree, users, make_household):
    """The screen pages through the first ``deepest`` rows: from the last of them, no "Trang sau"."""
    base = housing_list(tree, users, make_household)

    def paginator():
        shown = base()
        shown.deepest = 6  # two pages of 3
        return shown

    last = paginator().page(2)
    assert not last.has_next()
    from_link = page_for(paginator(), RequestFactory().get("/", {"page": 2, "truoc": paginator().page(2).next_key}))
    assert from_link.number == 2 and not from_link.has_next() and from_link.has_previous()


def test_a_link_to_a_row_outside_the_officer_s_unit_is_read_as_its_page_number(tree, users, make_household):
    """A commune officer given a province officer's link whose row lies in another commune: the row's place is read
    through the officer's ``visible_to``, so the link is ignored and the page is the officer's own page 2."""
    random_deprived(random.Random(9), tree, make_household, count=40)
    today = timezone.localdate()
    province, commune = users.province_staff, users.commune_officer

    def paginator(user):
        return household_paginator(selectors.housing_gap(user, day=today), user, 2)

    # a household of a sibling commune: in the province officer's unit, not in the commune officer's
    outside = Household.objects.filter(commune=tree.sibling_commune).first()
    key = paginator(province).key_of(outside)
    assert paginator(province).key_from(key) is not None
    assert paginator(commune).key_from(key) is None
    page = page_for(paginator(commune), RequestFactory().get("/", {"page": 2, "sau": key}))
    assert ids(page) == ids(paginator(commune).page(2))
