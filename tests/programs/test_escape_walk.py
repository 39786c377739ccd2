"""The escape registrations' list walks its villages along the registrations' copies of their household's village and
code (households migration 0021, docs/adr/0043 amendment of 04/12/2026, late night): on random data, every page, for
a province, district and commune officer, at several page sizes, holds the former query's rows in its order (the
plain ORDER BY of every registration of the year), and the total is the former list's number of rows; the copies
follow every change of a household's village or code, whoever writes it, and a page costs the same queries whatever
the rows."""

import random
import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import EscapeRegistration, Household
from programs import selectors
from programs.views_bulk import EscapeSupportView
from tests.factories import VillageFactory

from ..pg import in_thread, second_waits_for_first
from .test_list_indexes import ROLES, random_households

pytestmark = pytest.mark.django_db


def register(household, year: int, *, state: str = "registered") -> EscapeRegistration:
    """A registration as the generators and the opening balance write it (the copies are the triggers' work)."""
    return EscapeRegistration.objects.create(
        household=household,
        year=year,
        registered_on=date(year, 1, 15),
        class_at_registration="poor",
        cadre_name="Nguyễn Văn Bình",
        state=state,
    )


def former(user, year: int) -> list[int]:
    """The list's rows before the walk: every registration of the year sorted by the plain ORDER BY."""
    return [r.pk for r in selectors.escape_registrations(user, year=year)]


def paginator_for(user, year: int, per_page: int):
    view = EscapeSupportView()
    view.request = RequestFactory().get("/")
    view.request.user = user
    paginator = view.paginator(selectors.escape_registrations(user, year=year), year)
    paginator.per_page = per_page
    return paginator


def walked(user, year: int, per_page: int) -> tuple[list[int], int]:
    paginator = paginator_for(user, year, per_page)
    rows = [r.pk for number in paginator.page_range for r in paginator.page(number).object_list]
    assert paginator.page_ids(paginator.count, per_page) == []  # past the last row
    return rows, paginator.count


def random_registrations(rng, tree, make_household, year: int):
    """Registrations of this year, last year and next year, some withdrawn, of households in six villages (two of one
    commune share a name, so they share a rank), some archived, some with lower-case codes."""
    households = random_households(rng, tree, make_household, count=36)
    twin = VillageFactory(code="24079-09", name=tree.village.name, parent=tree.commune)
    for index, household in enumerate(households):
        changes = {}
        if index % 4 == 0 and household.commune_id == tree.commune.pk:
            changes["village"] = twin
        if index % 5 == 1:
            changes["code"] = household.code.lower()
        if index % 6 == 2:
            changes["state"] = "archived"
        if changes:
            Household.objects.filter(pk=household.pk).update(**changes)
    for household in households:
        for registration_year in (year - 1, year, year + 1):
            if rng.random() < 0.7:
                register(household, registration_year, state=rng.choice(["registered", "registered", "withdrawn"]))
    return households, twin


def assert_pages_equal_the_former_list(users, year: int):
    for role in ROLES:
        user = getattr(users, role)
        expected = former(user, year)
        for per_page in (1, 2, 3, 7):
            rows, count = walked(user, year, per_page)
            assert rows == expected, (role, year, per_page)
            assert count == len(expected), (role, year, per_page)


def test_every_page_of_every_role_holds_the_former_rows_in_their_order(tree, users, make_household):
    year = timezone.localdate().year
    rng = random.Random(2026)
    households, twin = random_registrations(rng, tree, make_household, year)
    assert EscapeRegistration.objects.filter(household__village=twin, year=year, state="registered").exists()
    assert former(users.province_staff, year)
    for registration_year in (year - 1, year, year + 1):
        assert_pages_equal_the_former_list(users, registration_year)
    # Each kind of change to what the list's order reads, written as the services, the import's UPDATE and the
    # generators write it (SQL on the households' table): the pages still equal the former list.
    villages = sorted({h.village_id for h in Household.objects.filter(pk__in=[h.pk for h in households])})
    for step in range(6):
        household = rng.choice(households)
        changes = {"village_id": rng.choice(villages)} if step % 2 == 0 else {"code": f"M-{rng.randint(1000, 9999)}"}
        village = changes.get("village_id")
        if village is not None:
            changes["commune_id"] = Household.objects.get(pk=household.pk).commune_id
            if not Household.objects.filter(village_id=village, commune_id=changes["commune_id"]).exists():
                continue  # a move stays inside the commune (the list reads the village's commune)
        Household.objects.filter(pk=household.pk).update(**changes)
        register(rng.choice(households), year + 2)
        for registration_year in (year, year + 2):
            assert_pages_equal_the_former_list(users, registration_year)


def test_the_copies_follow_the_household_whoever_writes(tree, users, make_household):
    year = timezone.localdate().year
    household = make_household(code="IRS-101")
    registration = register(household, year)
    withdrawn = register(household, year - 1, state="withdrawn")
    other_village = VillageFactory(code="24079-05", name="Buôn Ia Rnho", parent=tree.commune)

    def copies():
        return sorted(
            EscapeRegistration.objects.filter(household=household).values_list(
                "pk", "household_village_id", "household_code"
            )
        )

    assert copies() == sorted(
        [(registration.pk, tree.village.pk, "IRS-101"), (withdrawn.pk, tree.village.pk, "IRS-101")]
    )
    # the household's service saving a move and a new code
    from households import services

    household.refresh_from_db()
    household.village, household.code = other_village, "IRS-102"
    services.household_save(
        household=household,
        members=list(household.members.all()),
        user=users.commune_officer,
        expected_version=household.version,
    )
    assert {(v, c) for _pk, v, c in copies()} == {(other_village.pk, "IRS-102")}
    # SQL on the households (the import's UPDATE, the generators)
    Household.objects.filter(pk=household.pk).update(village=tree.village, code="IRS-103")
    assert {(v, c) for _pk, v, c in copies()} == {(tree.village.pk, "IRS-103")}
    # a registration's copies written directly are read again from the household
    EscapeRegistration.objects.filter(pk=registration.pk).update(household_village=other_village, household_code="X")
    assert {(v, c) for _pk, v, c in copies()} == {(tree.village.pk, "IRS-103")}
    # a full save of a registration read before the household moved keeps the household's current values
    stale = EscapeRegistration.objects.get(pk=registration.pk)
    Household.objects.filter(pk=household.pk).update(village=other_village)
    stale.commitment = "Nuôi bò sinh sản"
    stale.save()
    assert {(v, c) for _pk, v, c in copies()} == {(other_village.pk, "IRS-103")}


def test_the_page_shows_the_former_rows_and_the_exact_total_for_every_role(client_for, tree, users, make_household):
    year = timezone.localdate().year
    rng = random.Random(7)
    random_registrations(rng, tree, make_household, year)
    for role in ROLES:
        user = getattr(users, role)
        expected = former(user, year)
        response = client_for(user).get(reverse("programs:coverage_escape"), {"nam": year})
        assert response.status_code == 200
        assert response.context["total"] == len(expected), role
        assert not response.context["approximate"]
        households = dict(EscapeRegistration.objects.filter(pk__in=expected).values_list("pk", "household_id"))
        assert [row["pk"] for row in response.context["rows"]] == [households[pk] for pk in expected[:100]], role


def test_a_page_costs_the_same_queries_whatever_the_rows(client_for, tree, users, make_household):
    year = timezone.localdate().year
    user = users.province_staff
    villages = [tree.village, VillageFactory(code="24079-03", name="Thôn Mới", parent=tree.commune)]

    def queries(count: int, start: int) -> int:
        for index in range(count):
            register(make_household(code=f"Q-{start + index}", village=villages[index % 2]), year)
        client = client_for(user)
        client.get(reverse("programs:coverage_escape"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("programs:coverage_escape"), {"page": 1})
        assert response.status_code == 200
        return len(captured)

    assert queries(4, 100) == queries(8, 200)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["move", "register"])
def test_a_registration_written_while_its_household_moves_copies_the_committed_village(
    tree, users, make_household, first
):
    """A household's move and a new registration of it in two transactions at once: the registration's trigger
    locks the household FOR SHARE, so whichever commits second sees the other's row, and the copy is the village the
    household has once both committed (without the lock, a registration inserted during the move kept the former
    village: the move's trigger could not see the uncommitted registration)."""
    year = timezone.localdate().year
    household = make_household(code="N-MOVE", village=tree.village)
    other_village = VillageFactory(code="24079-06", name="Thôn Hợp Thành", parent=tree.commune)
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def move():
        with transaction.atomic():
            Household.objects.filter(pk=household.pk).update(village=other_village)
            if first == "move":
                holding.set()
                release.wait(10)
        if first != "move":
            done.set()

    def add():
        with transaction.atomic():
            register(household, year)
            if first == "register":
                holding.set()
                release.wait(10)
        if first != "register":
            done.set()

    leader, follower = (move, add) if first == "move" else (add, move)
    second_waits_for_first(leader, follower, holding, release, done)
    assert list(EscapeRegistration.objects.values_list("household_village_id", "household_code")) == [
        (other_village.pk, "N-MOVE")
    ]
    assert former(users.province_staff, year) == walked(users.province_staff, year, 1)[0]


def test_a_large_total_is_written_with_thousands_separators(client_for, tree, users, make_household, monkeypatch):
    """49.429 registrations read "49.429 trường hợp" (the portal's number format), not "49429"."""
    year = timezone.localdate().year
    random_registrations(random.Random(3), tree, make_household, year)
    real = selectors.escape_village_rows

    def many(user, *, year):
        counts = real(user, year=year)
        first = next(iter(counts), tree.village.pk)
        return {**counts, first: counts.get(first, 0) + 49_429 - sum(counts.values())}

    monkeypatch.setattr(selectors, "escape_village_rows", many)
    response = client_for(users.province_staff).get(reverse("programs:coverage_escape"), {"nam": year})
    assert response.status_code == 200
    assert "49.429 trường hợp" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_pending_registration_does_not_hold_back_other_writes_of_its_household(tree, users, make_household):
    """The copies' lock is the household's place alone: while a registration is not committed (an opening balance
    writing a whole sheet), an officer's save or a payment's lock of the same household goes on at once."""
    year = timezone.localdate().year
    household = make_household(code="N-PENDING", village=tree.village)
    holding, release = threading.Event(), threading.Event()

    def pending():
        with transaction.atomic():
            register(household, year)
            holding.set()
            release.wait(10)

    thread, errors = in_thread(pending)
    try:
        assert holding.wait(10)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '500ms'")
            Household.objects.filter(pk=household.pk).update(phone="0905 123 456")  # waited 0,5 s and failed before
            list(Household.objects.filter(pk=household.pk).select_for_update(no_key=True).values_list("pk"))
    finally:
        release.set()
        thread.join(10)
    assert not errors
    assert list(EscapeRegistration.objects.values_list("household_village_id", "household_code")) == [
        (tree.village.pk, "N-PENDING")
    ]


def test_a_registration_without_its_copies_is_refused_not_hidden(tree, make_household):
    """With the copying trigger switched off by hand, a registration written without its household's village would
    drop out of the walked list: the database refuses it instead (households migration 0023)."""
    from django.db import IntegrityError

    household = make_household(code="N-BARE")
    register(household, timezone.localdate().year)  # the trigger fills the copies: accepted
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a table with deferred checks pending cannot be altered
        cursor.execute("ALTER TABLE households_escaperegistration DISABLE TRIGGER households_escaperegistration_place")
    with pytest.raises(IntegrityError, match="household_village_id"), transaction.atomic():
        register(household, timezone.localdate().year + 1)
