"""The electricity list's entitled and paid households counted per village (programs.electricity, migration 0013,
docs/adr/0053): on random data, with the clock frozen on a year's last and first day, a quarter's
last and first day and a leap day, the totals read from the counts equal the live count of the list's rows for the
quarters kept counted, for a province, district and commune officer, and the counts per village equal a count from
scratch, after every kind of change the list reads: payments recorded by the payment button, cancelled or deleted,
status decisions and records beginning or ending around a quarter's last day (one statement touching several records
of one household), the social-protection flag set and cleared (one statement, several households), a household
archived, moved, created or deleted, and the clock moving to the next day."""

import io
import random
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from households.models import Household, Member, StatusRecord
from households.services import household_archive, status_record_add
from programs import bulk, electricity, selectors
from programs.listing import VillageOrderPaginator
from programs.models import Benefit, ElectricityCount, ElectricityQuarter, Programme
from programs.services import benefit_cancel
from tests.factories import VillageFactory

from ..pg import in_thread, second_waits_for_first
from .conftest import pay, set_status
from .test_list_indexes import ROLES, at, random_households

pytestmark = pytest.mark.django_db


def frozen_days():
    """31/12 and 01/01 around this year's end, the last and first day of a quarter (30/06, 01/07; 31/03, 01/04 of the
    next year) and 29/02 of the next leap year."""
    year = timezone.localdate().year
    leap = next(y for y in range(year, year + 4) if y % 4 == 0 and (y % 100 or y % 400 == 0))
    return [
        date(year, 12, 31),
        date(year + 1, 1, 1),
        date(year + 1, 6, 30),
        date(year + 1, 7, 1),
        date(year + 1, 3, 31),
        date(year + 1, 4, 1),
        date(leap, 2, 29),
    ]


def assert_counts_equal_live(users, programme):
    """Every counted quarter: the totals of every role from the counts equal the live count, and the counts per
    village equal a count from scratch."""
    counted = list(ElectricityQuarter.objects.filter(programme=programme))
    assert counted, "no quarter is counted"
    seen = {}
    for quarter in counted:
        year, number, day = quarter.period_year, quarter.period_quarter, quarter.day
        assert electricity.counted_village_totals(programme, year, number) == {
            village: counts
            for village, counts in electricity.live_village_counts(programme, year, number).items()
            if any(counts)
        }, (year, number)
        for role in ROLES:
            user = getattr(users, role)
            stored = electricity.counted_totals(user, programme=programme, year=year, quarter=number, day=day)
            live = selectors.electricity_totals_live(user, programme=programme, year=year, quarter=number, day=day)
            rows = list(selectors.electricity_quarter(user, programme=programme, year=year, quarter=number, day=day))
            assert stored == live == {"households": len(rows), "unpaid": sum(1 for h in rows if not h.paid)}, (
                role,
                year,
                number,
            )
            assert selectors.electricity_totals(user, programme=programme, year=year, quarter=number, day=day) == live
            seen[(role, year, number)] = live
    return seen


@pytest.mark.parametrize("day", frozen_days(), ids=str)
def test_the_counted_totals_equal_the_live_list_after_every_change(tree, users, make_household, day):
    rng = random.Random(day.toordinal() + 7)
    programme = Programme.objects.get(code="ELECTRICITY")
    with at(day):
        today = timezone.localdate()
        households = random_households(rng, tree, make_household)
        for household in households:
            Household.objects.filter(pk=household.pk).update(social_protection=rng.random() < 0.4)
        assert electricity.electricity_counts_keep(today)["built"] == 3
        year, quarter = electricity.quarter_of(today)
        last_year, last_quarter = electricity.shift_quarter(year, quarter, -1)
        end = bulk.quarter_end(year, quarter)
        seen = assert_counts_equal_live(users, programme)
        assert any(totals["households"] for totals in seen.values())
        officer = users.commune_officer

        # The payment button (the commune's list of this quarter), one of last quarter, one cancelled, one deleted.
        # (the button checks each household's standing on the day paid, today: those entitled today as well)
        entitled_today = set(selectors.electricity_candidates(officer, day=today).values_list("pk", flat=True))
        listed = [h for h in selectors.electricity_candidates(officer, day=end) if h.pk in entitled_today]
        report = bulk.electricity_quarter_pay(
            households=listed[: len(listed) // 2 + 1],
            year=year,
            quarter=quarter,
            paid_on=today,
            decision="QĐ 1/UBND",
            user=officer,
        )
        assert report.ok and report.created
        assert_counts_equal_live(users, programme)
        paid = list(Benefit.objects.filter(programme=programme, period_quarter__isnull=False, cancelled_at=None))
        benefit_cancel(benefit=paid[0], reason="Ghi nhầm", user=officer, expected_version=paid[0].version)
        paid[1].delete()
        late = [h for h in households if h.pk not in {b.household_id for b in paid}]
        pay(late[0], programme, last_year, last_quarter, officer)
        pay(late[1], programme, year, quarter, officer)  # paid, whether or not in the list
        assert_counts_equal_live(users, programme)

        # Status decisions: one through the service from the quarter's last day, one ending the day before it, one
        # beginning the day after; several records of one household replaced in one statement each way.
        household = Household.objects.get(pk=households[8].pk)
        opened = household.status_records.filter(valid_to__isnull=True).first()
        start = max(end, opened.valid_from + timedelta(days=1)) if opened else end
        status_record_add(
            household=household, household_class="poor", valid_from=start, decision="QĐ 2/UBND", user=officer
        )
        set_status(households[5], ("poor", today - timedelta(days=90), end - timedelta(days=1)))
        set_status(
            households[7], ("near_poor", today - timedelta(days=400), end), ("poor", end + timedelta(days=1), None)
        )
        StatusRecord.objects.filter(household=households[9]).delete()
        StatusRecord.objects.bulk_create(
            [
                StatusRecord(
                    household=households[9],
                    household_class="poor",
                    valid_from=end - timedelta(days=400),
                    valid_to=end - timedelta(days=200),
                    decision="QĐ 3",
                ),
                StatusRecord(
                    household=households[9],
                    household_class="poor",
                    valid_from=end - timedelta(days=199),
                    valid_to=None,
                    decision="QĐ 4",
                ),
            ]
        )
        assert_counts_equal_live(users, programme)
        StatusRecord.objects.filter(household=households[9], valid_to__isnull=True).update(household_class="near_poor")
        StatusRecord.objects.filter(household=households[10], valid_from__lt=end).update(
            valid_to=end - timedelta(days=1)
        )
        bare = make_household(code="N-BARE", village=households[12].village, status=None)
        StatusRecord.objects.filter(household=households[11]).update(household=bare)  # records moved
        assert_counts_equal_live(users, programme)

        # The flag set on many households and cleared on one (one statement each), a household archived by the
        # service, one moved to a village of another commune, one created, one deleted.
        flagged = [h.pk for h in households if rng.random() < 0.5]
        Household.objects.filter(pk__in=flagged).update(social_protection=True)
        Household.objects.filter(pk=households[0].pk).update(social_protection=False)
        archived = Household.objects.get(pk=households[2].pk)
        household_archive(household=archived, reason="Chuyển đi", user=officer, expected_version=archived.version)
        Household.objects.filter(pk=households[3].pk).update(village=households[4].village)
        created = make_household(code="N-NEW", village=households[1].village, status=None)
        set_status(created, ("poor", end - timedelta(days=10), None))
        pay(created, programme, year, quarter, officer)
        gone = households[13]
        Benefit.objects.filter(household=gone).delete()
        Member.objects.filter(household=gone).delete()
        StatusRecord.objects.filter(household=gone).delete()
        Household.objects.filter(pk=gone.pk).delete()
        assert_counts_equal_live(users, programme)

        # Folding the triggers' rows and building again change nothing.
        appended = ElectricityCount.objects.count()
        assert electricity.electricity_counts_fold() == appended
        assert ElectricityCount.objects.count() <= 5 * 3 < appended  # a row per village and quarter at most
        assert_counts_equal_live(users, programme)
        electricity.electricity_counts_rebuild(today)
        assert_counts_equal_live(users, programme)

    # The next day: the kept quarters move at a quarter's first day, the others stay counted.
    with at(day + timedelta(days=1)):
        result = electricity.electricity_counts_keep()
        moved = electricity.quarter_of(day + timedelta(days=1)) != electricity.quarter_of(day)
        assert (result["built"], result["dropped"]) == ((1, 1) if moved else (0, 0))
        assert_counts_equal_live(users, programme)
        Household.objects.filter(pk=households[4].pk).update(social_protection=True, village=households[0].village)
        assert_counts_equal_live(users, programme)


def test_a_quarter_not_counted_is_counted_live_and_a_truncate_stops_the_counting(tree, users, make_household):
    rng = random.Random(11)
    programme = Programme.objects.get(code="ELECTRICITY")
    households = random_households(rng, tree, make_household, count=10)
    Household.objects.filter(pk__in=[h.pk for h in households[:4]]).update(social_protection=True)
    today = timezone.localdate()
    electricity.electricity_counts_keep(today)
    user = users.province_staff
    old_year, old_quarter = electricity.shift_quarter(*electricity.quarter_of(today), -6)
    old_day = bulk.quarter_end(old_year, old_quarter)
    assert (
        electricity.counted_totals(user, programme=programme, year=old_year, quarter=old_quarter, day=old_day) is None
    )
    year, quarter = electricity.quarter_of(today)
    end = bulk.quarter_end(year, quarter)
    totals = electricity.counted_totals(user, programme=programme, year=year, quarter=quarter, day=end)
    assert totals is not None and totals["households"] >= 4
    # another day than the quarter's last is not what the counts hold
    assert (
        electricity.counted_totals(
            user, programme=programme, year=year, quarter=quarter, day=today - timedelta(days=400)
        )
        is None
    )
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE programs_benefitphoto, programs_benefitlog, programs_benefit")
    assert not ElectricityQuarter.objects.exists() and not ElectricityCount.objects.exists()
    assert electricity.counted_totals(user, programme=programme, year=year, quarter=quarter, day=end) is None
    assert selectors.electricity_totals(user, programme=programme, year=year, quarter=quarter, day=end) == totals


def test_the_electricity_page_shows_the_counted_totals(client_for, tree, users, make_household):
    rng = random.Random(5)
    programme = Programme.objects.get(code="ELECTRICITY")
    households = random_households(rng, tree, make_household, count=12)
    Household.objects.filter(pk__in=[h.pk for h in households[:5]]).update(social_protection=True)
    today = timezone.localdate()
    electricity.electricity_counts_keep(today)
    year, quarter = electricity.quarter_of(today)
    pay(households[0], programme, year, quarter, users.commune_officer)
    for role in ROLES:
        user = getattr(users, role)
        live = selectors.electricity_totals_live(
            user, programme=programme, year=year, quarter=quarter, day=bulk.quarter_end(year, quarter)
        )
        response = client_for(user).get(reverse("programs:electricity"))
        assert response.status_code == 200
        assert (response.context["count"], response.context["unpaid"]) == (live["households"], live["unpaid"])


def test_the_rebuild_command_counts_the_kept_quarters(tree, users, make_household):
    from django.core.management import call_command

    random_households(random.Random(2), tree, make_household, count=6)
    out = io.StringIO()
    call_command("rebuild_electricity_counts", stdout=out)
    assert "Đã đếm lại" in out.getvalue()
    programme = Programme.objects.get(code="ELECTRICITY")
    counted = set(ElectricityQuarter.objects.filter(programme=programme).values_list("period_year", "period_quarter"))
    assert counted == set(electricity.kept_quarters())
    assert_counts_equal_live(users, programme)


def test_pages_skip_the_villages_before_them_by_the_counts(tree, users, make_household):
    """A page read from the village of its first row, the villages before it skipped by their counts, holds the
    rows of the full walk, on every page, for every role; two villages of one commune share a name (one rank)."""
    rng = random.Random(17)
    programme = Programme.objects.get(code="ELECTRICITY")
    households = random_households(rng, tree, make_household, count=40)
    twin = VillageFactory(code="24079-09", name=tree.village.name, parent=tree.commune)
    for index, household in enumerate(households):
        Household.objects.filter(pk=household.pk).update(
            social_protection=rng.random() < 0.5,
            **({"village": twin} if index % 3 == 0 and household.commune_id == tree.commune.pk else {}),
        )
    assert Household.objects.filter(village=twin).exists()
    today = timezone.localdate()
    electricity.electricity_counts_keep(today)
    for year, quarter in electricity.kept_quarters(today):
        day = bulk.quarter_end(year, quarter)
        for role in ROLES:
            user = getattr(users, role)
            totals, village_rows = selectors.electricity_page_counts(
                user, programme=programme, year=year, quarter=quarter, day=day
            )
            assert village_rows is not None
            records = selectors.electricity_quarter(
                user, programme=programme, year=year, quarter=quarter, day=day, walked=True
            )
            expected = [
                h.pk
                for h in selectors.electricity_quarter(user, programme=programme, year=year, quarter=quarter, day=day)
            ]
            assert totals["households"] == len(expected)
            for per_page in (1, 2, 3):
                paginator = VillageOrderPaginator(
                    records,
                    per_page,
                    user=user,
                    village="village",
                    within=selectors.HOUSEHOLD_WITHIN_VILLAGE,
                    village_rows=village_rows,
                )
                paginator.count = totals["households"]
                paginator.deepest = 10_000
                pages = [row.pk for number in paginator.page_range for row in paginator.page(number).object_list]
                plain = VillageOrderPaginator(
                    records, per_page, user=user, village="village", within=selectors.HOUSEHOLD_WITHIN_VILLAGE
                )
                plain.count, plain.deepest = totals["households"], 10_000
                walked_plain = [row.pk for number in plain.page_range for row in plain.page(number).object_list]
                assert walked_plain == expected, ("plain", role, quarter, per_page)
                assert pages == expected, (role, quarter, per_page)
                assert paginator.page_ids(len(expected), per_page) == []  # past the last row


def test_the_electricity_page_reads_its_rows_from_the_village_of_its_first_row(client_for, tree, users, make_household):
    rng = random.Random(23)
    households = random_households(rng, tree, make_household, count=30)
    Household.objects.filter(pk__in=[h.pk for h in households]).update(social_protection=True)
    electricity.electricity_counts_keep(timezone.localdate())
    user = users.province_staff
    programme = Programme.objects.get(code="ELECTRICITY")
    year, quarter = electricity.quarter_of(timezone.localdate())
    expected = [
        h.pk
        for h in selectors.electricity_quarter(
            user, programme=programme, year=year, quarter=quarter, day=bulk.quarter_end(year, quarter)
        )
    ]
    response = client_for(user).get(reverse("programs:electricity"))
    assert response.context["count"] == len(expected)
    assert response.context["page_obj"].number == 1
    assert [row.pk for row in response.context["page_obj"].object_list] == expected[:100]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["status", "flag"])
def test_two_writers_of_one_household_take_turns_and_the_counts_stay_exact(tree, users, make_household, first):
    """A poor period and the social-protection flag of one household written by two transactions at once: without
    the household's row lock each would count the household as newly in the list (write skew, two instead of one);
    the second writer waits for the first to commit, then reads what it wrote."""
    programme = Programme.objects.get(code="ELECTRICITY")
    household = make_household(code="N-LOCK", village=tree.village, status=None)
    Household.objects.filter(pk=household.pk).update(social_protection=False)
    today = timezone.localdate()
    electricity.electricity_counts_keep(today)
    year, quarter = electricity.quarter_of(today)
    end = bulk.quarter_end(year, quarter)
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def write_status():
        with transaction.atomic():
            StatusRecord.objects.create(
                household_id=household.pk, household_class="poor", valid_from=end - timedelta(days=30), decision="QĐ"
            )
            if first == "status":
                holding.set()
                release.wait(10)
        if first != "status":
            done.set()

    def write_flag():
        with transaction.atomic():
            Household.objects.filter(pk=household.pk).update(social_protection=True)
            if first == "flag":
                holding.set()
                release.wait(10)
        if first != "flag":
            done.set()

    leader, follower = (write_status, write_flag) if first == "status" else (write_flag, write_status)
    second_waits_for_first(leader, follower, holding, release, done)
    user = users.province_staff
    live = selectors.electricity_totals_live(user, programme=programme, year=year, quarter=quarter, day=end)
    assert live["households"] == 1
    assert electricity.counted_totals(user, programme=programme, year=year, quarter=quarter, day=end) == live


def first_payment_pauses(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """The first payments recorded (the payment's batch, ``services.benefits_record``) set ``paying`` and wait, their
    transaction open, until ``go_on`` is set."""
    paying, go_on = threading.Event(), threading.Event()
    real_record = bulk.benefits_record

    def record_then_wait(**kwargs):
        refused = real_record(**kwargs)
        if not paying.is_set():
            paying.set()
            go_on.wait(10)
        return refused

    monkeypatch.setattr(bulk, "benefits_record", record_then_wait)
    return paying, go_on


@pytest.mark.django_db(transaction=True)
def test_the_payment_button_locks_its_households_first_so_a_writer_of_two_of_them_waits_instead_of_deadlocking(
    tree, users, make_household, monkeypatch
):
    """The list pays the higher id first; meanwhile another transaction updates both households (a member moved
    between them). Locked one by one by the payments' trigger, the two deadlocked and PostgreSQL cancelled one."""
    first = make_household(code="N-DL1", village=tree.village, status=None)
    second = make_household(code="N-DL2", village=tree.village, status=None)
    Household.objects.filter(pk__in=[first.pk, second.pk]).update(social_protection=True)
    today = timezone.localdate()
    electricity.electricity_counts_keep(today)
    year, quarter = electricity.quarter_of(today)
    low, high = sorted([first, second], key=lambda h: h.pk)
    paying, go_on = first_payment_pauses(monkeypatch)
    reports = []

    def payment():
        reports.append(
            bulk.electricity_quarter_pay(
                households=[Household.objects.get(pk=high.pk), Household.objects.get(pk=low.pk)],
                year=year,
                quarter=quarter,
                paid_on=today,
                decision="QĐ 5/UBND",
                user=users.commune_officer,
            )
        )

    def both():
        with transaction.atomic():
            Household.objects.filter(pk__in=[low.pk, high.pk]).update(version=models.F("version") + 1)

    paying_thread, paying_errors = in_thread(payment)
    assert paying.wait(10)
    writer_thread, writer_errors = in_thread(both)
    writer_thread.join(1)
    assert writer_thread.is_alive(), "the other writer did not wait for the payment's households"
    go_on.set()
    paying_thread.join(20)
    writer_thread.join(20)
    assert not paying_errors and not writer_errors, (paying_errors, writer_errors)
    assert reports[0].ok and reports[0].created == 2
    assert_counts_equal_live(users, Programme.objects.get(code="ELECTRICITY"))


@pytest.mark.django_db(transaction=True)
def test_a_second_payment_of_the_same_households_waits_and_then_skips_them_as_paid(
    tree, users, make_household, monkeypatch
):
    """Two payments of one quarter for the same households at once (a district's beside a commune's, a job run
    again): the second waits for the first's locks, then reads what is paid and skips it, instead of refusing every
    household as already paid (it read what was paid before waiting)."""
    first = make_household(code="N-TW1", village=tree.village, status=None)
    second = make_household(code="N-TW2", village=tree.village, status=None)
    Household.objects.filter(pk__in=[first.pk, second.pk]).update(social_protection=True)
    today = timezone.localdate()
    year, quarter = electricity.quarter_of(today)
    paying, go_on = first_payment_pauses(monkeypatch)
    reports = []

    def payment():
        households = list(Household.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"))
        reports.append(
            bulk.electricity_quarter_pay(
                households=households,
                year=year,
                quarter=quarter,
                paid_on=today,
                decision="QĐ 5",
                user=users.commune_officer,
            )
        )

    first_thread, first_errors = in_thread(payment)
    assert paying.wait(10)
    second_thread, second_errors = in_thread(payment)
    second_thread.join(1)
    assert second_thread.is_alive(), "the second payment did not wait for the first one's households"
    go_on.set()
    first_thread.join(20)
    second_thread.join(20)
    assert not first_errors and not second_errors, (first_errors, second_errors)
    done, again = sorted(reports, key=lambda report: -report.created)
    assert (done.ok, done.created, done.skipped) == (True, 2, 0)
    assert (again.ok, again.created, again.skipped, again.errors) == (True, 0, 2, [])
    assert Benefit.objects.filter(programme__code="ELECTRICITY", period_year=year, period_quarter=quarter).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_build_that_meets_a_long_writer_gives_up_without_holding_the_other_writers_back(tree, monkeypatch):
    """A writer in flight holds the counts' lock shared (an import, for its whole length). The build tries the lock
    without queueing: the writers that come meanwhile get theirs at once, and the build gives up with a message."""
    from ..pg import raw_connection

    monkeypatch.setattr(electricity, "BUILD_LOCK_SECONDS", 1.0)
    long_writer, newcomer = raw_connection(), raw_connection()
    programme = Programme.objects.get(code="ELECTRICITY")
    year, quarter = electricity.quarter_of(timezone.localdate())
    try:
        long_writer.cursor().execute("SELECT pg_advisory_xact_lock_shared(%s)", [electricity.LOCK_KEY])

        def build():
            electricity.electricity_counts_build(programme, year, quarter)

        builder, errors = in_thread(build)
        time_in = threading.Event()
        time_in.wait(0.3)  # the build is polling by now
        cursor = newcomer.cursor()
        cursor.execute("SET lock_timeout = '200ms'")
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [electricity.LOCK_KEY])  # would time out if queued
        newcomer.rollback()
        builder.join(10)
        assert len(errors) == 1 and isinstance(errors[0], electricity.CountsBusy), errors
        assert "chưa đếm lại được" in str(errors[0])
        assert not ElectricityQuarter.objects.filter(period_year=year, period_quarter=quarter).exists()
    finally:
        for conn in (long_writer, newcomer):
            conn.rollback()
            conn.close()
    electricity.electricity_counts_build(programme, year, quarter)  # once the writer is gone
    assert ElectricityQuarter.objects.filter(period_year=year, period_quarter=quarter).exists()
