"""The bulk support flows record their benefits as one batch (``services.benefits_record``, ADR 0062): the same
benefits, log rows and derived rows (electricity counts ADR 0053, support years ADR 0054, summary marks ADR 0036/0040)
as recording them one at a time through ``benefit_record`` as it was before the batch (``legacy_benefit_record``,
kept here verbatim as the reference), the same refusals row by row, and statements that do not grow with the rows."""

from datetime import date, timedelta
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from core.integrity import UniqueRulesBatch, check_unique_rules, integrity_as_validation
from households.models import Household
from households.services import household_archive
from programs import bulk, electricity, services
from programs.choices import LogAction
from programs.excel import SheetRow
from programs.models import Benefit, BenefitLog, ElectricityCount, SupportStale, SupportYear

from .conftest import pay, programme

pytestmark = pytest.mark.django_db


def legacy_snapshot(benefit) -> dict:
    """``services._snapshot`` before its labels were worked out once per language (main at 05750e2)."""
    values = {}
    for name in services.LOGGED_FIELDS:
        field = Benefit._meta.get_field(name)
        value = getattr(benefit, name)
        if field.is_relation:
            value = str(value) if value is not None else ""
        elif field.choices:
            value = str(dict(field.flatchoices).get(value, value)) if value not in (None, "") else ""
        elif isinstance(value, date):
            value = value.strftime("%d/%m/%Y")
        elif value is None:
            value = ""
        values[str(field.verbose_name).capitalize()] = value if isinstance(value, (str, int, bool)) else str(value)
    return values


@integrity_as_validation
@transaction.atomic
def legacy_benefit_record(*, benefit, user, override_reason="", action=LogAction.CREATE):
    """``benefit_record`` before the batch (main at 05750e2): every rule read and every row written for one benefit."""
    if benefit.household_id and benefit.household.is_archived:
        raise ValidationError(_("Hộ đã lưu trữ, không ghi nhận hỗ trợ được."))
    services._prepare(benefit)
    check_unique_rules(benefit)
    benefit.full_clean(exclude=["household_status"])
    services._apply_eligibility(benefit, user=user, override_reason=override_reason)
    benefit.created_by = user
    benefit.save()
    BenefitLog.objects.create(benefit=benefit, action=action, changes=legacy_snapshot(benefit), user=user)
    if benefit.override_reason:
        BenefitLog.objects.create(
            benefit=benefit,
            action=LogAction.OVERRIDE,
            note=benefit.override_reason,
            user=user,
            changes={_("Kết quả kiểm tra"): benefit.eligibility_note},
        )
    services._sync_card(benefit, user)
    return benefit


UNCOMPARED = {"id", "created_at", "updated_at"}


def written() -> dict:
    """Everything a recording leaves, without keys and timestamps: the benefits by household and member, their logs,
    the electricity counts summed per village and quarter, the support years, the communes marked for a summary."""
    fields = [f.attname for f in Benefit._meta.concrete_fields if f.attname not in UNCOMPARED]
    benefits = sorted(Benefit.objects.values_list(*fields), key=repr)
    logs = sorted(
        BenefitLog.objects.values_list(
            "benefit__household__code", "benefit__member_id", "action", "changes", "note", "user"
        ),
        key=repr,
    )
    counts = {}
    for row in ElectricityCount.objects.values_list("village", "period_year", "period_quarter", "households", "paid"):
        total = counts.setdefault(row[:3], [0, 0])
        total[0], total[1] = total[0] + row[3], total[1] + row[4]
    return {
        "benefits": benefits,
        "logs": logs,
        "electricity": {key: tuple(value) for key, value in counts.items() if value != [0, 0]},
        "support_years": set(SupportYear.objects.values_list("year", "household_id")),
        "marked": set(SupportStale.objects.values_list("commune_id", flat=True)),
    }


@pytest.fixture
def one_at_a_time(monkeypatch):
    """Record the rows through the row loop and ``benefit_record`` as it was before the batch."""

    def use():
        monkeypatch.setattr(bulk, "_run", partial(bulk._run, one_by_one=True))
        monkeypatch.setattr(bulk, "benefit_record", legacy_benefit_record)

    return use


def both_ways(record, one_at_a_time) -> tuple[tuple, tuple]:
    """Run ``record`` set-based, then one at a time on the same data; each run's writes are rolled back after
    reading what it left."""
    outcomes = []
    for switch in (lambda: None, one_at_a_time):
        switch()
        with transaction.atomic():
            report = record()
            outcomes.append((report.to_dict(), written()))
            transaction.set_rollback(True)
    return outcomes[0], outcomes[1]


def this_quarter() -> tuple[int, int, date]:
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    return today.year, quarter, date(today.year, 3 * quarter - 2, 1)


def pay_quarter(households, user, *, paid_on=None, decision="QĐ 99"):
    year, quarter, _start = this_quarter()
    return bulk.electricity_quarter_pay(
        households=households,
        year=year,
        quarter=quarter,
        paid_on=paid_on or timezone.localdate(),
        decision=decision,
        user=user,
    )


def test_the_payment_writes_what_paying_one_at_a_time_wrote(users, make_household, tree, one_at_a_time):
    from tests.factories import VillageFactory

    year, quarter, _start = this_quarter()
    second_village = VillageFactory(parent=tree.commune)
    households = [make_household(code=f"IRS-{n:03}") for n in range(1, 4)]
    households.append(make_household(code="IRS-004", village=second_village))
    households.append(
        make_household(
            code="IRS-005", status=("non_poor", date(2020, 1, 1), None), social_protection=True, village=second_village
        )
    )
    electricity_programme = programme("ELECTRICITY")
    electricity.electricity_counts_build(electricity_programme, year, quarter)  # the quarter is counted
    SupportStale.objects.all().delete()
    (set_based, report_set), (each, report_each) = both_ways(
        lambda: pay_quarter(households, users.commune_officer), one_at_a_time
    )
    assert set_based == each and set_based["created"] == 5 and set_based["committed"]
    assert report_set == report_each
    assert len(report_set["benefits"]) == 5 and len(report_set["logs"]) == 5
    assert report_set["electricity"] == {
        (tree.village.pk, year, quarter): (3, 3),
        (second_village.pk, year, quarter): (2, 2),
    }
    assert {household for _year, household in report_set["support_years"]} == {h.pk for h in households}
    assert report_set["marked"] == {tree.commune.pk}


def test_a_refused_or_paid_household_is_reported_as_before(users, make_household, one_at_a_time):
    year, quarter, start = this_quarter()
    if quarter == 1:  # the day before the first quarter lies in the year before: refused for another reason
        quarter, start = 2, date(year, 4, 1)
    first = make_household(code="IRS-001")
    make_household(code="IRS-002")
    late = make_household(code="IRS-003", status=("poor", start, None))  # poor only from the quarter's first day
    archived = make_household(code="IRS-004")
    household_archive(
        household=archived, user=users.commune_officer, reason="Chuyển đi nơi khác", expected_version=archived.version
    )
    pay(first, programme("ELECTRICITY"), year, quarter, users.commune_officer)  # paid already
    households = list(Household.objects.filter(code__startswith="IRS").order_by("code"))

    def record():
        return bulk.electricity_quarter_pay(
            households=households,
            year=year,
            quarter=quarter,
            paid_on=start - timedelta(days=1),
            decision="QĐ 99",
            user=users.commune_officer,
        )

    (set_based, left_set), (each, left_each) = both_ways(record, one_at_a_time)
    assert set_based == each and left_set == left_each
    assert set_based["skipped"] == 1 and set_based["created"] == 1 and not set_based["committed"]
    assert [(e["row"], e["column"]) for e in set_based["errors"]] == [(3, ""), (4, "")]
    assert "Không đúng đối tượng" in set_based["errors"][0]["message"]
    assert set_based["errors"][1]["message"] == "Hộ đã lưu trữ, không ghi nhận hỗ trợ được."
    assert late.pk in {h.pk for h in households}
    assert len(left_set["benefits"]) == 1  # all or nothing: only the payment made before


def test_a_household_twice_in_the_list_is_refused_the_second_time_as_before(users, make_household, one_at_a_time):
    household = make_household(code="IRS-001")
    other = make_household(code="IRS-002")
    (set_based, left_set), (each, left_each) = both_ways(
        lambda: pay_quarter([household, other, household], users.commune_officer), one_at_a_time
    )
    assert set_based == each and left_set == left_each
    assert set_based["errors"] == [
        {"row": 3, "column": "Quý", "message": "Hộ đã được ghi nhận khoản chi trả của chính sách này trong quý đó."}
    ]


def course() -> bulk.Course:
    today = timezone.localdate()
    return bulk.Course(
        programme=programme("TRAINING_46"),
        course_name="Lớp may công nghiệp K1",
        occupation="May công nghiệp",
        course_start=today - timedelta(days=60),
        course_end=today - timedelta(days=5),
        amount=3_000_000,
        decision="QĐ 45/QĐ-UBND",
    )


@pytest.mark.parametrize("commit", [False, True])
def test_a_course_writes_and_refuses_what_recording_one_at_a_time_did(users, make_household, one_at_a_time, commit):
    make_household(code="IRS-001")
    make_household(code="IRS-002")
    rows = [
        SheetRow(
            2, {"household": "IRS-001", "full_name": "Ksor Y Bhin", "certificate": "CC-1", "employed_after": "Có"}
        ),
        SheetRow(3, {"household": "irs-002", "full_name": "Rơ Mah H'Nga", "employed_after": "Không"}),
        SheetRow(4, {"household": "IRS-009", "full_name": "Không Có Ai"}),
        SheetRow(5, {"household": "IRS-002", "full_name": "Ksor Y Bhin", "employed_after": "Có lẽ"}),
    ]

    def record():
        return bulk.training_course_import(rows=rows, course=course(), user=users.commune_officer, commit=commit)

    (set_based, left_set), (each, left_each) = both_ways(record, one_at_a_time)
    assert set_based == each and left_set == left_each
    assert [e["row"] for e in set_based["errors"]] == [4, 5] and set_based["created"] == 2
    good = [*rows[:2], SheetRow(5, {"household": "IRS-002", "full_name": "Ksor Y Bhin", "employed_after": "Có"})]

    def record_good():
        return bulk.training_course_import(rows=good, course=course(), user=users.commune_officer, commit=commit)

    (set_based, left_set), (each, left_each) = both_ways(record_good, one_at_a_time)
    assert set_based == each and left_set == left_each and set_based["committed"] == commit
    assert len(left_set["benefits"]) == (3 if commit else 0)


def test_a_person_trained_before_is_refused_in_the_rows_order(users, make_household, one_at_a_time):
    make_household(code="IRS-001")
    make_household(code="IRS-002")
    first = [SheetRow(2, {"household": "IRS-001", "full_name": "Ksor Y Bhin"})]
    assert bulk.training_course_import(rows=first, course=course(), user=users.commune_officer, commit=True).committed
    rows = [
        SheetRow(2, {"household": "IRS-002", "full_name": "Ksor Y Bhin"}),
        SheetRow(3, {"household": "IRS-001", "full_name": "Ksor Y Bhin"}),  # QĐ 46/2015: supported once
        SheetRow(4, {"household": "IRS-001", "full_name": "Rơ Mah H'Nga"}),
    ]

    def record():
        return bulk.training_course_import(rows=rows, course=course(), user=users.commune_officer, commit=True)

    (set_based, left_set), (each, left_each) = both_ways(record, one_at_a_time)
    assert set_based == each and left_set == left_each
    assert [e["row"] for e in set_based["errors"]] == [3] and "một lần" in set_based["errors"][0]["message"]


def statements(record) -> int:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        report = record()
        assert report.ok
        transaction.set_rollback(True)
    return len(queries)


def test_the_payments_statements_do_not_grow_with_the_households(users, make_household):
    households = [make_household(code=f"IRS-{n:03}") for n in range(1, 31)]
    few = statements(lambda: pay_quarter(households[:3], users.commune_officer))
    many = statements(lambda: pay_quarter(households, users.commune_officer))
    assert few == many


def test_a_courses_statements_do_not_grow_with_the_participants(users, make_household):
    for n in range(1, 31):
        make_household(code=f"IRS-{n:03}")
    rows = [SheetRow(n + 1, {"household": f"IRS-{n:03}", "full_name": "Ksor Y Bhin"}) for n in range(1, 31)]

    def record(rows):
        return lambda: bulk.training_course_import(rows=rows, course=course(), user=users.commune_officer, commit=True)

    assert statements(record(rows[:3])) == statements(record(rows))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_logs_snapshot_reads_as_before_in_each_language(make_household, language):
    from django.utils import translation

    from programs.choices import EntrustingOrganisation, HousingWork

    household = make_household()
    benefit = Benefit(
        programme=programme("ELECTRICITY"),
        household=household,
        member=household.members.first(),
        date=timezone.localdate(),
        amount=178_560,
        quantity=None,
        entrusting_organisation=EntrustingOrganisation.values[0],
        housing_work=HousingWork.values[-1],
        period_year=timezone.localdate().year,
        period_quarter=4,
        employed_after=True,
    )
    with translation.override(language):
        assert services._snapshot(benefit) == legacy_snapshot(benefit)
        benefit.entrusting_organisation = "not-a-choice"
        assert services._snapshot(benefit) == legacy_snapshot(benefit)


def test_the_batch_checks_every_constraint_of_the_benefits():
    """``benefits_record`` leaves the constraints out of ``full_clean`` because ``UniqueRulesBatch`` checks the unique
    rules: a new constraint of another kind (a check) must be checked there too before this test is changed."""
    from django.db.models import UniqueConstraint

    assert all(isinstance(constraint, UniqueConstraint) for constraint in Benefit._meta.constraints)
    # and every unique rule is one the batch evaluates itself, so that two rows of one batch cannot share a key
    assert UniqueRulesBatch(Benefit, []).each == []


def test_a_household_supported_once_is_refused_in_a_batch_as_one_at_a_time(users, make_household):
    """A household-level programme supported once (none in today's catalogue; a province may set one): the earlier
    benefit, and one accepted earlier in the batch, refuse the next as ``benefit_check`` counted them one by one."""
    water = programme("WATER_SANITATION")
    water.once_per_beneficiary = True
    water.save()
    household = make_household(code="IRS-001")
    other = make_household(code="IRS-002")
    day = timezone.localdate()

    def benefit(on):
        return Benefit(programme=water, household=on, date=day, amount=2_000_000)

    services.benefit_record(benefit=benefit(household), user=users.commune_officer)

    def outcome(record):
        results = []
        with transaction.atomic():
            for on in (household, other, other):
                try:
                    record(benefit=benefit(on), user=users.commune_officer)
                    results.append("")
                except ValidationError as error:
                    results.append(" ".join(error.messages))
            transaction.set_rollback(True)
        return results

    one_at_a_time = outcome(legacy_benefit_record)
    batch = services.benefits_record(
        benefits=[benefit(on) for on in (household, other, other)], user=users.commune_officer
    )
    assert [" ".join(error.messages) for _index, error in batch] == [m for m in one_at_a_time if m]
    assert [index for index, _error in batch] == [0, 2] and "một lần" in one_at_a_time[0]
    assert outcome(services.benefit_record) == one_at_a_time


def test_the_support_figures_refresh_is_queued_after_a_batch_as_after_one_benefit(users, make_household, monkeypatch):
    """A batch inserted in bulk sends no ``post_save``: the support figures' refresh of the communes its triggers
    marked is still asked for after its commit, as each benefit saved alone asked for it (programs.summary)."""
    households = [make_household(code=f"IRS-{n:03}") for n in range(1, 4)]
    asked = []
    monkeypatch.setattr("programs.summary.support_refresh_on_commit", lambda: asked.append("support"))
    report = pay_quarter(households, users.commune_officer)
    assert report.created == 3 and asked


def test_a_payment_recorded_meanwhile_is_refused_on_its_row_not_as_a_server_error(users, make_household, monkeypatch):
    """A household paid through the form after the batch read what was paid (a quarter whose payments take no
    household lock: not counted) is refused by the database at the insert; the rules are checked again and the
    household is refused on its own row with the quarter's message, nothing written, as the row loop did."""
    households = [make_household(code=f"IRS-{n:03}") for n in range(1, 4)]
    year, quarter, _start = this_quarter()
    electricity_programme = programme("ELECTRICITY")

    class RivalAfterTheRead(services._Batch):
        raced = False

        def __init__(self, benefits):
            super().__init__(benefits)
            if not RivalAfterTheRead.raced:  # once: the second read sees the rival's payment
                RivalAfterTheRead.raced = True
                pay(households[1], electricity_programme, year, quarter, users.commune_officer)

    monkeypatch.setattr(services, "_Batch", RivalAfterTheRead)
    report = pay_quarter(households, users.commune_officer)
    assert not report.committed and report.created == 2
    assert [(error.row, error.column) for error in report.errors] == [(2, "Quý")]
    assert report.errors[0].message == "Hộ đã được ghi nhận khoản chi trả của chính sách này trong quý đó."
    assert not Benefit.objects.filter(household__in=[households[0], households[2]]).exists()


def test_a_duplicate_gone_again_before_the_second_look_lets_the_batch_through(users, make_household, monkeypatch):
    """The rival payment that refused the insert was cancelled before the rules were checked again: nothing is left
    to refuse, and the batch is inserted once more instead of being refused on a row that was never paid."""
    households = [make_household(code=f"IRS-{n:03}") for n in range(1, 4)]
    year, quarter, _start = this_quarter()
    electricity_programme = programme("ELECTRICITY")
    reads = []

    class RivalComesAndGoes(services._Batch):
        def __init__(self, benefits):
            reads.append(len(reads))
            if len(reads) == 2:  # cancelled before the second look reads what is taken
                Benefit.objects.filter(household=households[2]).delete()
            super().__init__(benefits)
            if len(reads) == 1:  # paid through the form after the first look
                pay(households[2], electricity_programme, year, quarter, users.commune_officer)

    monkeypatch.setattr(services, "_Batch", RivalComesAndGoes)
    report = pay_quarter(households, users.commune_officer)
    assert report.committed and report.created == 3 and not report.errors and len(reads) == 2
    assert Benefit.objects.filter(household__in=households).count() == 3
