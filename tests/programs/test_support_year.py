"""Each household's benefits that count per year, kept by triggers (programs_support_year; programs migration 0016,
programs.support_year, docs/adr/0054): on random data, with the clock frozen on a year's last and first day, a leap
day and mid-year, the candidates of the poor households without support read from the kept counts equal the former
live query (one look-up in the benefits per poor household, kept below as the reference), and the table equals a
count from scratch, for last year, this year and the next, after every kind of change to the benefits: one recorded,
several in one statement, cancelled by the service, un-cancelled, its date moved across a year's end, moved to
another household, deleted (one, and several of one household in one statement), an update that changes nothing the
count reads, a household moved to another village, and a TRUNCATE. Two real transactions writing one household's
year take turns and the count stays exact; a writer of another household does not wait; the rebuild command
corrects a damaged table and gives up, without holding the writers back, while a long writer is in flight."""

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


def assert_kept_equals_live(day: date) -> None:
    """The table equals a count from scratch, and for last year, this year and the next the candidates read from
    it equal the former query's."""
    assert support_year.support_year_differences() == []
    for year in (day.year - 1, day.year, day.year + 1):
        kept = list(selectors.unsupported_poor_candidates(year=year, day=day))
        assert len(kept) == len(set(kept)), year
        assert set(kept) == former_candidates(year=year, day=day), year


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
        assert_kept_equals_live(today)

        # One benefit recorded at a time (as the services do), some of last year, some of this year.
        for household in households[:10]:
            benefit(household, rng.choice([today, last_year_end]), officer, rng.choice(CODES)).save()
        assert_kept_equals_live(today)

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
        assert_kept_equals_live(today)
        assert SupportYear.objects.get(year=today.year, household_id=households[10].pk).benefits == 2

        # Cancelled by the service (the household's only benefit of the year: it is unsupported again), then
        # cancelled again by hand and un-cancelled.
        only = Benefit.objects.get(household=households[11])
        benefit_cancel(benefit=only, reason="Ghi nhầm", user=officer, expected_version=only.version)
        assert not SupportYear.objects.filter(household_id=households[11].pk).exists()
        assert_kept_equals_live(today)
        Benefit.objects.filter(pk=only.pk).update(cancelled_at=None)
        assert_kept_equals_live(today)
        Benefit.objects.filter(household=households[10]).update(cancelled_at=timezone.now())  # both, one statement
        assert_kept_equals_live(today)

        # A date moved across the year's end, both ways; a benefit moved to another household.
        moved = Benefit.objects.filter(household=households[0], date=today).first()
        Benefit.objects.filter(pk=moved.pk).update(date=last_year_end)
        assert_kept_equals_live(today)
        Benefit.objects.filter(pk=moved.pk).update(date=date(today.year, 1, 1))
        assert_kept_equals_live(today)
        Benefit.objects.filter(pk=moved.pk).update(household=households[13])
        assert_kept_equals_live(today)

        # Deleted: one, then a household's several in one statement; an update changing nothing counted.
        Benefit.objects.filter(household=households[1]).first().delete()
        Benefit.objects.bulk_create([benefit(households[2], today, officer) for _ in range(3)])
        Benefit.objects.filter(household=households[2]).delete()
        assert_kept_equals_live(today)
        Benefit.objects.all().update(version=models.F("version") + 1, note="x")
        assert_kept_equals_live(today)

        # A household moved to a village of another commune: the counts are per household, unchanged.
        Household.objects.filter(pk=households[3].pk).update(village=households[4].village)
        assert_kept_equals_live(today)

    # The next day (a new year after 31/12): the same table, read for other years.
    with at(day + timedelta(days=1)):
        assert_kept_equals_live(timezone.localdate())


def test_a_truncate_of_the_benefits_empties_the_counts(tree, users, make_household):
    households = random_households(random.Random(3), tree, make_household, count=6)
    today = timezone.localdate()
    Benefit.objects.bulk_create([benefit(h, today, users.commune_officer) for h in households])
    assert SupportYear.objects.count() == 6
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys' checks still deferred
        cursor.execute("TRUNCATE programs_benefitphoto, programs_benefitlog, programs_benefit")
    assert not SupportYear.objects.exists()
    assert_kept_equals_live(today)


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
    """The year's supported households come out of their subquery in household order, from the primary key's year
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
    assert "Merge Anti Join" in plan and "programs_support_year_pkey" in plan and "Sort" not in plan, plan


def test_the_rebuild_command_corrects_a_damaged_table(tree, users, make_household):
    households = random_households(random.Random(6), tree, make_household, count=8)
    today = timezone.localdate()
    Benefit.objects.bulk_create([benefit(h, today, users.commune_officer) for h in households])
    # As after writes with the triggers disabled: a count wrong, a row missing, a row too many (two, one of them
    # of a household's year without benefits), and a year's row where the benefits are of another year.
    kept = SupportYear.objects.filter(year=today.year)
    kept.filter(household_id=households[0].pk).update(benefits=5)
    kept.filter(household_id=households[1].pk).delete()
    SupportYear.objects.create(year=today.year - 5, household_id=households[3].pk, benefits=2)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE programs_benefit DISABLE TRIGGER programs_benefit_support_year_upd")
        Benefit.objects.filter(household=households[2]).update(date=date(today.year - 1, 6, 1))
        cursor.execute("ALTER TABLE programs_benefit ENABLE TRIGGER programs_benefit_support_year_upd")
    assert len(support_year.support_year_differences()) == 5
    out = io.StringIO()
    call_command("rebuild_support_year", stdout=out)
    assert "Đã đếm lại" in out.getvalue() and "sửa 5 dòng" in out.getvalue()
    assert_kept_equals_live(today)
    assert support_year.support_year_rebuild() == {"rows": SupportYear.objects.count(), "fixed": 0}  # again: nothing


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["record", "cancel"])
def test_two_writers_of_one_household_s_year_take_turns_and_the_count_stays_exact(tree, users, make_household, first):
    """A benefit recorded while another transaction records (or cancels) one of the same household and year: the
    second's upsert waits for the first to commit, then adds to what it committed (not to what it saw before)."""
    household = make_household(code="N-LOCK", village=tree.village, status=None)
    today = timezone.localdate()
    officer = users.commune_officer
    existing = Benefit.objects.create(**_fields(household, today, officer))
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def leader():
        with transaction.atomic():
            if first == "cancel":
                Benefit.objects.filter(pk=existing.pk).update(cancelled_at=timezone.now())
            else:
                Benefit.objects.create(**_fields(household, today, officer))
            holding.set()
            release.wait(10)

    def follower():
        with transaction.atomic():
            Benefit.objects.create(**_fields(household, today, officer))
        done.set()

    second_waits_for_first(leader, follower, holding, release, done)
    expected = 1 if first == "cancel" else 3
    assert SupportYear.objects.get(year=today.year, household_id=household.pk).benefits == expected
    assert support_year.support_year_differences() == []


@pytest.mark.django_db(transaction=True)
def test_a_card_recorded_while_a_payment_holds_its_household_waits_instead_of_deadlocking(tree, users, make_household):
    """The payment button locks its households first and records their payments after (ADR 0053); a BHYT card
    recorded meanwhile for one of them writes its benefit, then locks the household to update the member's card
    (``services._sync_card``). Had the card's counter been taken before its household, the payment's benefit would
    wait for the card's counter and the card for the payment's household: PostgreSQL would cancel one as a deadlock.
    The counters are taken after the households: the card waits for the payment."""
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
    assert SupportYear.objects.get(year=today.year, household_id=household.pk).benefits == 2
    assert support_year.support_year_differences() == []


@pytest.mark.django_db(transaction=True)
def test_a_writer_of_another_household_does_not_wait_for_an_uncommitted_import(tree, users, make_household):
    """A long import holds its households' counters until it commits; an officer's save of another household goes
    through at once."""
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
    assert support_year.support_year_differences() == []


@pytest.mark.django_db(transaction=True)
def test_writers_of_several_households_in_any_order_do_not_deadlock(tree, users, make_household):
    """Two transactions at once, each recording or cancelling benefits of the same three households in one statement,
    the households in a random order: the counters are written in one order, so neither is cancelled as a deadlock,
    and the counts stay exact."""
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
    assert support_year.support_year_differences() == []


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
        assert "chưa đếm lại được" in str(errors[0])
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
