"""The households' years with support, written by triggers (programs_support_year; programs migration 0016,
programs.support_year, docs/adr/0054): on random data, with the clock frozen on a year's last and first day, a leap
day and mid-year, after every kind of change to the benefits (one recorded, several in one statement, cancelled by
the service, un-cancelled, its date moved across a year's end, moved to another household, deleted, an update that
changes nothing the rows read, a household moved to another village, a TRUNCATE), the table never claims support a
household lacks, so the candidates of the poor households without support read from it hold every one the former
live query finds (kept below as the reference); after the nightly rebuild they are exactly its. Writers in real
transactions never wait for each other through the table and never deadlock through it (a card recorded while a
payment holds its household, two imports recording the same households in opposite orders, a cancellation racing a
recording); the rebuild command corrects a damaged table and gives up, without holding the writers back, while a
long writer is in flight."""

import io
import random
import threading
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from households.models import Household
from programs import selectors, support_year
from programs.listing import narrowed_to
from programs.models import Benefit, Programme, SupportYear
from programs.services import benefit_cancel
from programs.status import records_in_force

from ..pg import in_thread, raw_connection, second_waits_for_first
from .test_list_indexes import at, random_households

pytestmark = pytest.mark.django_db

CODES = ("HOUSING_SUPPORT", "RICE_TET", "HOUSING_NTP_DA5")


def frozen_days():
    """31/12 and 01/01 around this year's end, 29/02 of the next leap year and a day in mid-year."""
    year = timezone.localdate().year
    leap = next(y for y in range(year, year + 4) if y % 4 == 0 and (y % 100 or y % 400 == 0))
    return [date(year, 12, 31), date(year + 1, 1, 1), date(leap, 2, 29), date(year + 1, 7, 1)]


def former_candidates(*, year: int, day: date) -> set[int]:
    """The candidates as they were read before the kept counts: the poor records in force anti-joined with the
    year's benefits that count, one look-up in the benefits' index per poor household."""
    supported = Benefit.objects.active().filter(household=OuterRef("household_id"), date__year=year)
    return set(records_in_force(day, ["poor"]).filter(~Exists(supported)).values_list("household_id", flat=True))


def assert_candidates(day: date, *, exact: bool) -> None:
    """For last year, this year and the next, the candidates read from the table hold every one of the former
    query's, and are exactly its when the table has no missing row."""
    for year in (day.year - 1, day.year, day.year + 1):
        kept = list(selectors.unsupported_poor_candidates(year=year, day=day))
        assert len(kept) == len(set(kept)), year
        former = former_candidates(year=year, day=day)
        assert set(kept) == former if exact else set(kept) >= former, year


def assert_kept_follows_live(day: date) -> None:
    """The table claims no support a household lacks (the candidates hold the former query's), and once the nightly
    rebuild has put back what cancellations removed, it is exactly the benefits' (the candidates the former's)."""
    differences = support_year.support_year_differences()
    assert differences["claimed"] == [], differences
    assert_candidates(day, exact=not differences["missing"])
    support_year.support_year_rebuild()
    assert support_year.support_year_differences() == {"claimed": [], "missing": [], "repeated": []}
    assert_candidates(day, exact=True)


def assert_no_difference() -> None:
    assert support_year.support_year_differences() == {"claimed": [], "missing": [], "repeated": []}


def benefit(household, day: date, user, code: str = "RICE_TET") -> Benefit:
    return Benefit(**{**_fields(household, day, user), "programme": Programme.objects.get(code=code)})


@pytest.mark.parametrize("day", frozen_days(), ids=str)
def test_the_kept_candidates_equal_the_live_query_after_every_change(tree, users, make_household, day):
    rng = random.Random(day.toordinal() + 54)
    officer = users.commune_officer
    with at(day):
        today = timezone.localdate()
        last_year_end = date(today.year - 1, 12, 31)
        households = random_households(rng, tree, make_household, count=24)
        assert_kept_follows_live(today)

        # One benefit recorded at a time (as the services do), some of last year, some of this year.
        for household in households[:10]:
            benefit(household, rng.choice([today, last_year_end]), officer, rng.choice(CODES)).save()
        assert_kept_follows_live(today)

        # Several in one statement (the bulk payment, the import): two of one household's year, one of next year.
        Benefit.objects.bulk_create(
            [
                benefit(households[10], today, officer),
                benefit(households[10], today, officer, "HOUSING_SUPPORT"),
                benefit(households[11], today, officer),
                benefit(households[12], date(today.year + 1, 1, 1), officer),
                benefit(households[0], today, officer),
            ]
        )
        assert SupportYear.objects.filter(year=today.year, household_id=households[10].pk).count() == 1
        assert_kept_follows_live(today)

        # Cancelled by the service (the household's only benefit of the year: it is unsupported again), then
        # cancelled again by hand and un-cancelled.
        only = Benefit.objects.get(household=households[11])
        benefit_cancel(benefit=only, reason="Ghi nhầm", user=officer, expected_version=only.version)
        assert not SupportYear.objects.filter(household_id=households[11].pk).exists()
        assert_kept_follows_live(today)
        Benefit.objects.filter(pk=only.pk).update(cancelled_at=None)
        assert_kept_follows_live(today)
        Benefit.objects.filter(household=households[10]).update(cancelled_at=timezone.now())  # both, one statement
        assert_kept_follows_live(today)

        # A date moved across the year's end, both ways; a benefit moved to another household.
        moved = Benefit.objects.filter(household=households[0], date=today).first()
        Benefit.objects.filter(pk=moved.pk).update(date=last_year_end)
        assert_kept_follows_live(today)
        Benefit.objects.filter(pk=moved.pk).update(date=date(today.year, 1, 1))
        assert_kept_follows_live(today)
        Benefit.objects.filter(pk=moved.pk).update(household=households[13])
        assert_kept_follows_live(today)

        # Deleted: one, then a household's several in one statement; an update changing nothing counted.
        Benefit.objects.filter(household=households[1]).first().delete()
        Benefit.objects.bulk_create([benefit(households[2], today, officer) for _ in range(3)])
        Benefit.objects.filter(household=households[2]).delete()
        assert_kept_follows_live(today)
        Benefit.objects.all().update(version=models.F("version") + 1, note="x")
        assert_kept_follows_live(today)

        # A household moved to a village of another commune: the counts are per household, unchanged.
        Household.objects.filter(pk=households[3].pk).update(village=households[4].village)
        assert_kept_follows_live(today)

    # The next day (a new year after 31/12): the same table, read for other years.
    with at(day + timedelta(days=1)):
        assert_kept_follows_live(timezone.localdate())


def test_a_truncate_of_the_benefits_empties_the_counts(tree, users, make_household):
    households = random_households(random.Random(3), tree, make_household, count=6)
    today = timezone.localdate()
    Benefit.objects.bulk_create([benefit(h, today, users.commune_officer) for h in households])
    assert SupportYear.objects.count() == 6 and support_year.support_year_differences()["missing"] == []
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys' checks still deferred
        cursor.execute("TRUNCATE programs_benefitphoto, programs_benefitlog, programs_benefit")
    assert not SupportYear.objects.exists()
    assert_kept_follows_live(today)


def test_the_page_narrowed_by_the_kept_candidates_holds_the_list(client_for, tree, users, make_household):
    """The screen's rows and count, for every role, are the plain list's (the list's own conditions, support read
    from the benefits themselves, stay on the narrowed query)."""
    households = random_households(random.Random(8), tree, make_household, count=20)
    today = timezone.localdate()
    officer = users.commune_officer
    Benefit.objects.bulk_create([benefit(h, today, officer) for h in households[::3]])
    Benefit.objects.filter(household=households[0]).update(cancelled_at=timezone.now())
    for role in ("province_staff", "district_staff", "commune_officer"):
        user = getattr(users, role)
        records = selectors.unsupported_poor(user, year=today.year, day=today)
        candidates = selectors.unsupported_poor_candidates(year=today.year, day=today)
        expected = list(records)
        assert expected, role
        assert list(narrowed_to(records, candidates)) == expected, role
        response = client_for(user).get(reverse("programs:coverage_unsupported"))
        assert response.status_code == 200
        assert [row["pk"] for row in response.context["rows"]] == [h.pk for h in expected][:100], role
        assert response.context["total"] == len(expected), role


def test_the_candidates_can_be_a_merge_of_two_index_ranges_without_a_sort(tree, users, make_household):
    """The year's supported households come out of their subquery in household order, from the table's index's year
    range: merged with the poor periods' index, neither side is sorted. (Forced here, the tables being tiny; the
    planner's own choice at a million households is in docs/performance.md.)"""
    households = random_households(random.Random(4), tree, make_household, count=6)
    today = timezone.localdate()
    Benefit.objects.bulk_create([benefit(h, today, users.commune_officer) for h in households[:3]])
    sql, params = selectors.unsupported_poor_candidates(year=today.year, day=today).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ("enable_hashjoin", "enable_nestloop", "enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Merge Anti Join" in plan and "programs_support_year_idx" in plan and "Sort" not in plan, plan


def test_the_rebuild_command_corrects_a_damaged_table(tree, users, make_household):
    households = random_households(random.Random(6), tree, make_household, count=8)
    today = timezone.localdate()
    Benefit.objects.bulk_create([benefit(h, today, users.commune_officer) for h in households])
    # As after writes with the triggers disabled: a row twice, a row missing, a row of a household's year without
    # benefits, and a year's row where the benefits are of another year (one missing, one claimed).
    kept = SupportYear.objects.filter(year=today.year)
    SupportYear.objects.create(year=today.year, household_id=households[0].pk)
    kept.filter(household_id=households[1].pk).delete()
    SupportYear.objects.create(year=today.year - 5, household_id=households[3].pk)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE programs_benefit DISABLE TRIGGER programs_benefit_support_year_upd")
        Benefit.objects.filter(household=households[2]).update(date=date(today.year - 1, 6, 1))
        cursor.execute("ALTER TABLE programs_benefit ENABLE TRIGGER programs_benefit_support_year_upd")
    differences = support_year.support_year_differences()
    assert sum(map(len, differences.values())) == 5, differences
    out = io.StringIO()
    call_command("rebuild_support_year", stdout=out)
    assert "Đã lập lại" in out.getvalue() and "sửa 5 dòng" in out.getvalue()
    assert_no_difference()
    assert_candidates(today, exact=True)
    assert support_year.support_year_rebuild() == {"rows": SupportYear.objects.count(), "fixed": 0}  # again: nothing


def test_the_rebuild_s_statements_are_joins_not_a_sub_plan_per_row(tree, users, make_household):
    """Each of the rebuild's writes is planned as a join (anti-join, semi-join) whatever the tables' sizes: a sub-plan
    reads its inner table once per row of the outer one, which at a million households held the benefits' writers
    back for the worker's whole time limit (docs/performance.md, "Periodic beat tasks"). The plans are read by EXPLAIN
    of each statement on the rebuild's own connection, just before it runs. The temporary table is built without
    parallel workers (a parallel CREATE … AS took minutes there, the serial one a second), checked with a parallel plan
    forced wherever the planner may make one."""
    households = random_households(random.Random(7), tree, make_household, count=4)
    Benefit.objects.bulk_create([benefit(h, timezone.localdate(), users.commune_officer) for h in households])
    plans = []

    def explain(execute, sql, params, many, context):
        if sql.lstrip().startswith(("CREATE TEMP", "DELETE", "INSERT")) and "support_year" in sql:
            context["cursor"].execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in context["cursor"].fetchall()))
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        # a Gather over every plan that may be parallel (PostgreSQL 16 renamed the setting)
        forced = "debug_parallel_query" if connection.pg_version >= 160000 else "force_parallel_mode"
        cursor.execute(f"SET LOCAL {forced} = on")
        cursor.execute(f"EXPLAIN {support_year.LIVE}")
        assert "Gather" in "\n".join(row[0] for row in cursor.fetchall()), "no parallel plan to refuse"
    with connection.execute_wrapper(explain):
        support_year.support_year_rebuild()
    assert len(plans) == 4 and not [plan for plan in plans if "SubPlan" in plan or "Gather" in plan], plans
    assert_no_difference()


def run_together(first, second) -> list:
    """``first`` holds its transaction open after its writes while ``second`` runs whole; then ``first`` commits.
    Neither may wait for the other through the table: ``second`` must end while ``first`` is still open."""
    holding, release = threading.Event(), threading.Event()

    def held():
        with transaction.atomic():
            first()
            holding.set()
            release.wait(10)

    leader, errors = in_thread(held)
    try:
        assert holding.wait(10)
        follower, follower_errors = in_thread(second)
        follower.join(5)
        assert not follower.is_alive(), "the second writer waited for the first"
    finally:
        release.set()
        leader.join(10)
    return errors + follower_errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["record", "cancel"])
def test_two_writers_of_one_household_s_year_do_not_wait_for_each_other(tree, users, make_household, first):
    """A benefit recorded while another transaction records (or cancels) one of the same household and year: no
    unique key, so the second never waits for the first's uncommitted row; the table claims nothing false after."""
    household = make_household(code="N-LOCK", village=tree.village, status=None)
    today = timezone.localdate()
    officer = users.commune_officer
    existing = Benefit.objects.create(**_fields(household, today, officer))

    def leader():
        if first == "cancel":
            Benefit.objects.filter(pk=existing.pk).update(cancelled_at=timezone.now())
        else:
            Benefit.objects.create(**_fields(household, today, officer))

    def follower():
        with transaction.atomic():
            Benefit.objects.create(**_fields(household, today, officer))

    assert not run_together(leader, follower)
    differences = support_year.support_year_differences()
    assert differences["claimed"] == []
    support_year.support_year_rebuild()
    assert_no_difference()


@pytest.mark.django_db(transaction=True)
def test_two_cancellations_of_a_household_s_last_two_benefits_leave_no_claim(tree, users, make_household):
    """Each cancels one of the household's two benefits of the year at once, each seeing the other's still counting:
    the row goes whatever the other benefits (checking them would have kept it, claiming support it lacks)."""
    household = make_household(code="N-TWO", village=tree.village, status=None)
    today = timezone.localdate()
    officer = users.commune_officer
    one, two = (Benefit.objects.create(**_fields(household, today, officer)) for _ in range(2))
    holding, release = threading.Event(), threading.Event()

    def cancel(benefit, hold):
        def run():
            with transaction.atomic():
                Benefit.objects.filter(pk=benefit.pk).update(cancelled_at=timezone.now())
                if hold:
                    holding.set()
                    release.wait(10)

        return run

    leader, errors = in_thread(cancel(one, True))
    assert holding.wait(10)
    follower, follower_errors = in_thread(cancel(two, False))
    threading.Event().wait(0.5)  # the second's removal waits for the first's lock of the row, then finds it gone
    release.set()
    leader.join(10)
    follower.join(10)
    assert not errors + follower_errors
    assert not SupportYear.objects.filter(household_id=household.pk).exists()
    assert_no_difference()


@pytest.mark.django_db(transaction=True)
def test_a_card_recorded_while_a_payment_holds_its_household_does_not_deadlock(tree, users, make_household):
    """The payment button locks its households first and records their payments after (ADR 0053); a BHYT card
    recorded meanwhile for one of them writes its benefit, then locks the household to update the member's card
    (``services._sync_card``). The table adds no lock of its own between them: the card waits for the payment's
    household only, as before the table, and both are saved."""
    household = make_household(code="N-CARD", village=tree.village, status=None)
    today = timezone.localdate()
    officer = users.commune_officer
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def payment():
        with transaction.atomic():
            list(Household.objects.filter(pk=household.pk).select_for_update(no_key=True).values_list("pk"))
            holding.set()
            release.wait(10)
            Benefit.objects.create(**_fields(household, today, officer))

    def card():
        with transaction.atomic():
            Benefit.objects.create(**_fields(household, today, officer))
            list(Household.objects.filter(pk=household.pk).select_for_update().values_list("pk"))
        done.set()

    second_waits_for_first(payment, card, holding, release, done)
    assert Benefit.objects.filter(household=household).count() == 2
    support_year.support_year_rebuild()
    assert_no_difference()


@pytest.mark.django_db(transaction=True)
def test_imports_recording_in_the_file_s_order_do_not_deadlock_with_a_payment_or_each_other(
    tree, users, make_household
):
    """The bulk recordings write one benefit per row in the file's order (programs.bulk); the payment button locks
    its households in id order. A household lock taken by the table's triggers made both cases deadlock: the
    triggers take none, so the payment goes through while an import is open, and two imports of the same households
    in opposite orders both commit."""
    low, high = sorted(
        (make_household(code=f"N-FO{i}", village=tree.village, status=None) for i in range(2)), key=lambda h: h.pk
    )
    today = timezone.localdate()
    officer = users.commune_officer

    def record(*households):
        def run():
            with transaction.atomic():
                for household in households:
                    Benefit.objects.create(**_fields(household, today, officer))

        return run

    def payment():
        with transaction.atomic():
            list(Household.objects.filter(pk__in=[low.pk, high.pk]).order_by("pk").select_for_update(no_key=True))

    assert not run_together(record(high, low), payment)
    assert not run_together(record(high, low), record(low, high))
    support_year.support_year_rebuild()
    assert_no_difference()


@pytest.mark.django_db(transaction=True)
def test_a_writer_of_another_household_does_not_wait_for_an_uncommitted_import(tree, users, make_household):
    """A long import keeps its rows uncommitted until it ends; an officer's save of another household goes through at
    once."""
    imported = make_household(code="N-IMP", village=tree.village, status=None)
    other = make_household(code="N-OTH", village=tree.village, status=None)
    today = timezone.localdate()
    officer = users.commune_officer
    holding, release = threading.Event(), threading.Event()

    def long_import():
        with transaction.atomic():
            Benefit.objects.bulk_create([Benefit(**_fields(imported, today, officer)) for _ in range(5)])
            holding.set()
            release.wait(10)

    importer, errors = in_thread(long_import)
    try:
        assert holding.wait(10)
        saved, save_errors = in_thread(lambda: Benefit.objects.create(**_fields(other, today, officer)))
        saved.join(3)
        assert not saved.is_alive(), "the officer's save waited for the import"
        assert not save_errors, save_errors
    finally:
        release.set()
        importer.join(10)
    assert not errors, errors
    assert_no_difference()  # no cancellation: nothing missing, nothing claimed


@pytest.mark.django_db(transaction=True)
def test_writers_of_several_households_in_any_order_do_not_deadlock(tree, users, make_household):
    """Two transactions at once, each recording or cancelling benefits of the same three households in one statement,
    the households in a random order: neither is cancelled as a deadlock (removals lock the removed rows only),
    and the table claims nothing false (exact after the rebuild)."""
    households = [make_household(code=f"N-DL{i}", village=tree.village, status=None) for i in range(3)]
    today = timezone.localdate()
    officer = users.commune_officer

    def writer(seed):
        def run():
            rng = random.Random(seed)
            for _ in range(12):
                with transaction.atomic():
                    order = rng.sample(households, len(households))
                    Benefit.objects.bulk_create([Benefit(**_fields(h, today, officer)) for h in order])
                    if rng.random() < 0.5:
                        ids = list(
                            Benefit.objects.filter(household__in=order, cancelled_at=None).values_list("pk", flat=True)
                        )
                        Benefit.objects.filter(pk__in=rng.sample(ids, 2)).update(cancelled_at=timezone.now())

        return run

    threads = [in_thread(writer(seed)) for seed in (1, 2)]
    for thread, _errors in threads:
        thread.join(60)
    assert not any(errors for _thread, errors in threads), [errors for _thread, errors in threads]
    assert support_year.support_year_differences()["claimed"] == []
    support_year.support_year_rebuild()
    assert_no_difference()


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_that_meets_a_long_writer_gives_up_without_holding_the_other_writers_back(tree, monkeypatch):
    """A writer of benefits in flight (an import): the rebuild tries the table's lock without queueing, so the
    writers that come meanwhile are not held behind it, and it gives up with a message."""
    monkeypatch.setattr(support_year, "LOCK_SECONDS", 1.0)
    long_writer, newcomer = raw_connection(), raw_connection()
    try:
        long_writer.cursor().execute("LOCK TABLE programs_benefit IN ROW EXCLUSIVE MODE")
        builder, errors = in_thread(support_year.support_year_rebuild)
        threading.Event().wait(0.3)  # the rebuild is polling by now
        cursor = newcomer.cursor()
        cursor.execute("SET lock_timeout = '200ms'")
        cursor.execute("LOCK TABLE programs_benefit IN ROW EXCLUSIVE MODE")  # would time out if queued
        newcomer.rollback()
        builder.join(10)
        assert len(errors) == 1 and isinstance(errors[0], support_year.SupportYearBusy), errors
        assert "chưa lập lại được" in str(errors[0])
    finally:
        for conn in (long_writer, newcomer):
            conn.rollback()
            conn.close()
    assert support_year.support_year_rebuild()["fixed"] == 0  # once the writer is gone


def _fields(household, day, user) -> dict:
    return {
        "programme": Programme.objects.get(code="RICE_TET"),
        "household": household,
        "date": day,
        "amount": 1_000_000,
        "household_status": "poor",
        "created_by": user,
    }


def test_beat_rebuilds_every_night_and_a_busy_night_is_a_message(tree, users, make_household, settings, monkeypatch):
    """Beat's nightly entry puts back a row a cancellation removed; when a long writer leaves no moment, the task ends
    with the rebuild's Vietnamese message instead of an error (nothing is wrong meanwhile)."""
    from programs import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["support-year-rebuild"]
    assert entry["task"] == "programs.tasks.support_year_rebuild_task"
    household = make_household(code="N-BEAT", village=tree.village, status=None)
    today = timezone.localdate()
    kept, cancelled = (Benefit.objects.create(**_fields(household, today, users.commune_officer)) for _ in range(2))
    Benefit.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    assert support_year.support_year_differences()["missing"] == [(today.year, household.pk)]
    assert tasks.support_year_rebuild_task()["fixed"] == 1
    assert_no_difference()

    def busy():
        raise support_year.SupportYearBusy("chưa lập lại được")

    monkeypatch.setattr(support_year, "support_year_rebuild", busy)
    assert tasks.support_year_rebuild_task() == {"busy": "chưa lập lại được"}


@pytest.mark.django_db(transaction=True)
def test_a_card_moved_to_last_year_while_a_payment_of_its_household_is_cancelled_does_not_deadlock(
    tree, users, make_household, monkeypatch
):
    """A BHYT card's date moved to last year removes this year's support rows of its household, then updates the
    member's card under the household's lock (``services._sync_card``); an electricity payment of the same household
    cancelled meanwhile in a counted quarter locks the household (ADR 0053), then removes the same rows. The card's
    update locks its household before saving, so the cancellation waits for it instead of deadlocking."""
    from programs import electricity, services

    from .conftest import pay
    from .test_cancel import card

    officer = users.commune_officer
    today = timezone.localdate()
    household = make_household(code="N-ELC", village=tree.village, status=None)
    Household.objects.filter(pk=household.pk).update(social_protection=True)
    member = household.members.first()
    electricity.electricity_counts_keep(today)
    year, quarter = electricity.quarter_of(today)
    payment = pay(household, Programme.objects.get(code="ELECTRICITY"), year, quarter, officer)
    recorded = services.benefit_record(
        benefit=card(household, member, day=today, valid_to=today + timedelta(days=300)), user=officer
    )
    paused, resume = threading.Event(), threading.Event()
    sync_card = services._sync_card

    def held_sync_card(benefit, user):
        if benefit.pk == recorded.pk:
            paused.set()
            resume.wait(10)
        sync_card(benefit, user)

    monkeypatch.setattr(services, "_sync_card", held_sync_card)

    def move_card():
        moved = Benefit.objects.get(pk=recorded.pk)
        moved.date = date(today.year - 1, 12, 1)
        services.benefit_update(benefit=moved, user=officer, expected_version=moved.version)

    def cancel_payment():
        stored = Benefit.objects.get(pk=payment.pk)
        services.benefit_cancel(benefit=stored, reason="Ghi nhầm", user=officer, expected_version=stored.version)

    mover, mover_errors = in_thread(move_card)
    try:
        assert paused.wait(10)
        canceller, canceller_errors = in_thread(cancel_payment)
        threading.Event().wait(0.5)  # the cancellation is waiting by now
    finally:
        resume.set()
        mover.join(15)
    canceller.join(15)
    assert not mover_errors + canceller_errors, mover_errors + canceller_errors
    assert Benefit.objects.get(pk=payment.pk).cancelled_at is not None
    assert Benefit.objects.get(pk=recorded.pk).date.year == today.year - 1
    assert support_year.support_year_differences()["claimed"] == []
