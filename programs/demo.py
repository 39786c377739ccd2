"""Demo support records for the demo households (idempotent, seeded random), modelled on report 209/BC-UBND.

Call after the demo households exist (``households.demo.households_generate``)::

    from programs.demo import support_generate
    support_generate(seed=2026)            # every demo commune; or communes=[...] to limit

What it does, per commune, in one transaction per commune:

- a household without any official status record gets one from its current class (valid from 01/01/2026,
  decision "dữ liệu mẫu"); about one non-poor household in ten gets a poor or near-poor period that ended on
  31/12/2024 or 31/12/2023, so that "recently escaped" households exist for the credit figures;
- households that already have a benefit are skipped (running it again adds nothing);
- benefits are drawn with a generator seeded by ``seed`` and the household code, checked against the programme's
  rule by the same pure function the services use (``programs.eligibility``); a draw the rule refuses is dropped;
- households, members and status records are read as plain rows (three queries per commune), and the status
  records, benefits and benefit logs are written with PostgreSQL ``COPY`` (``core.pgcopy``).

Rates follow the seed report's orders of magnitude: about 12 % of poor and 13 % of near-poor households borrow,
23 % of recently escaped ones; BHYT cards mirror the registry's cards; poor households get the quarterly
electricity payments; some housing-deprived poor households get a house built or repaired.
"""

import random
import time
from collections import Counter, defaultdict, namedtuple
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from areas.models import AdministrativeUnit
from core.pgcopy import copy_objects, record_class, reserve_ids
from households.models import Household, Member, StatusRecord

from . import eligibility
from .bulk import electricity_amount
from .catalogue import catalogue_load
from .choices import LogAction
from .figures import HOUSING_INDICATORS
from .models import Benefit, BenefitLog, Programme
from .services import household_flags, status_labels

# Plain stand-ins for the rows, written with PostgreSQL COPY (a model instance costs more than drawing the row).
BenefitRecord = record_class(Benefit, namespace={"housing_total": Benefit.housing_total})
BenefitLogRecord = record_class(BenefitLog)
StatusRecordRecord = record_class(StatusRecord)
MemberRow = namedtuple(
    "MemberRow",
    "pk date_of_birth in_school health_insurance_number health_insurance_valid_from health_insurance_valid_to",
)

YEAR = 2026
LIST_START = date(YEAR, 1, 1)
DEMO_DECISION = "Quyết định công nhận (dữ liệu mẫu)"
ORGANISATIONS = ["women", "farmers", "veterans", "youth"]
OCCUPATIONS = [
    ("Kỹ thuật chăn nuôi bò", "Chăn nuôi bò sinh sản K1"),
    ("Trồng và chăm sóc cây mì", "Trồng mì K2"),
    ("May công nghiệp", "May công nghiệp K1"),
    ("Sửa chữa máy nông nghiệp", "Sửa máy nông nghiệp K1"),
]


@dataclass
class SupportResult:
    households: int = 0
    benefits: int = 0
    statuses: int = 0
    skipped: int = 0
    seconds: float = 0.0
    by_programme: Counter = field(default_factory=Counter)


def _statuses(household: Household, rng: random.Random) -> list[StatusRecord]:
    current = household.current_class or "non_poor"
    rows = []
    if current in ("non_poor", "average_living") and rng.random() < 0.10:
        ended = date(2024, 12, 31) if rng.random() < 0.7 else date(2023, 12, 31)
        former = "poor" if rng.random() < 0.6 else "near_poor"
        rows.append(
            StatusRecordRecord(
                household_id=household.pk,
                household_class=former,
                valid_from=date(2022, 1, 1),
                valid_to=ended,
                decision=DEMO_DECISION,
                note="Dữ liệu mẫu",
            )
        )
        rows.append(
            StatusRecordRecord(
                household_id=household.pk,
                household_class=current,
                valid_from=date(ended.year + 1, 1, 1),
                valid_to=None,
                decision=DEMO_DECISION,
                note="Dữ liệu mẫu",
            )
        )
    else:
        rows.append(
            StatusRecordRecord(
                household_id=household.pk,
                household_class=current,
                valid_from=LIST_START,
                valid_to=None,
                decision=DEMO_DECISION,
                note="Dữ liệu mẫu",
            )
        )
    return rows


class Planner:
    """Draws the support one household received in the demo year."""

    def __init__(self, programmes: dict[str, Programme], rng: random.Random):
        self.p, self.rng = programmes, rng

    def day(self, first_month=1, last_month=10) -> date:
        return date(YEAR, self.rng.randint(first_month, last_month), self.rng.randint(1, 28))

    def plan(self, household: Household, members: list, periods: list[eligibility.Period]) -> list[Benefit]:
        rng = self.rng
        status = eligibility.standing_on(periods, date(YEAR, 6, 30)).status
        out: list[Benefit] = []

        def add(code: str, **fields):
            member = fields.pop("member", None)
            out.append(
                BenefitRecord(
                    programme=self.p[code],
                    household_id=household.pk,
                    member_id=member.pk if member else None,
                    member=member,
                    **fields,
                )
            )

        # 3.1 credit
        chance = {"poor": 0.12, "near_poor": 0.13, "recently_escaped": 0.23}.get(status, 0.03)
        if rng.random() < chance:
            code = {"poor": "VBSP_POOR", "near_poor": "VBSP_NEAR_POOR", "recently_escaped": "VBSP_ESCAPED"}.get(
                status, rng.choice(["VBSP_JOBS", "VBSP_PRODUCTION"])
            )
            amount = rng.choice([30, 40, 50, 60, 80, 100]) * 1_000_000
            rate = self.p[code].parameter("interest_rate")
            add(
                code,
                date=self.day(),
                amount=amount,
                loan_term_months=rng.choice([24, 36, 60]),
                interest_rate=Decimal(str(rate)) if rate is not None else None,
                outstanding=amount - rng.choice([0, 0, 5, 10]) * 1_000_000,
                overdue=0 if rng.random() < 0.95 else 5_000_000,
                entrusting_organisation=rng.choice(ORGANISATIONS),
                savings_group=f"Tổ TK&VV {household.village.name}",
                purpose="Chăn nuôi bò sinh sản",
            )
        if status in ("poor", "near_poor") and rng.random() < 0.03:
            add(
                "VBSP_WATER",
                date=self.day(),
                amount=rng.choice([10, 15, 20]) * 1_000_000,
                loan_term_months=60,
                interest_rate=Decimal("9.0"),
                outstanding=None,
                entrusting_organisation=rng.choice(ORGANISATIONS),
                savings_group=f"Tổ TK&VV {household.village.name}",
                purpose="Xây nhà tiêu hợp vệ sinh",
            )
        # 3.2 health insurance: the registry's cards of the year, recorded as support
        if status in ("poor", "near_poor", "average_living"):
            share = self.p["BHYT"].parameter(f"share_{status}")
            for member in members:
                if (
                    member.health_insurance_number
                    and member.health_insurance_valid_to
                    and member.health_insurance_valid_to.year >= YEAR
                ):
                    add(
                        "BHYT",
                        member=member,
                        date=member.health_insurance_valid_from or LIST_START,
                        card_number=member.health_insurance_number,
                        card_valid_from=member.health_insurance_valid_from or LIST_START,
                        card_valid_to=member.health_insurance_valid_to,
                        funding_share=share,
                    )
        # 3.3 education
        if status == "poor":
            for member in members:
                age = YEAR - member.date_of_birth.year
                if member.in_school and 6 <= age <= 18:
                    add(
                        "EDU_LEARNING_COST",
                        member=member,
                        date=date(YEAR, 1, 15),
                        amount=150_000 * 4,
                        school_year=f"{YEAR - 1}-{YEAR}",
                    )
        # 3.4 housing
        deprived = set(household.deprived_indicators) & set(HOUSING_INDICATORS)
        if status == "poor" and deprived and rng.random() < 0.25:
            work = "new" if rng.random() < 0.5 else "repair"
            start = self.day(2, 8)
            finished = date(YEAR, min(start.month + 2, 11), 20) if rng.random() < 0.6 else None
            add(
                "HOUSING_SUPPORT",
                date=start,
                housing_work=work,
                started_on=start,
                finished_on=finished,
                accepted_on=finished,
                amount_local=(40 if work == "new" else 10) * 1_000_000,
                amount_mobilised=(10 if work == "new" else 5) * 1_000_000,
                amount_household=rng.choice([0, 5, 10]) * 1_000_000 if work == "new" else 0,
                decision="QĐ hỗ trợ nhà ở của UBND xã (dữ liệu mẫu)",
                funder=rng.choice(["Quỹ Vì người nghèo huyện", "Quỹ cứu trợ thiên tai tỉnh", "Hội Nông dân huyện"]),
            )
        # 3.5 water and sanitation, 3.6 production
        if status in ("poor", "near_poor") and rng.random() < 0.06:
            add(
                "WATER_SANITATION",
                date=self.day(),
                amount=rng.choice([4, 6]) * 1_000_000,
                item_description="Nhà tiêu hợp vệ sinh",
                funder=rng.choice(["Hội Liên hiệp Phụ nữ huyện", "Ngân sách xã"]),
            )
        if status in ("poor", "near_poor", "recently_escaped") and rng.random() < 0.08:
            item, quantity = rng.choice(
                [("Bò giống", 1), ("Dê giống", 2), ("Giống mì (bó)", 50), ("Giống bắp (kg)", 20)]
            )
            add(
                "NTP_2026_LIVELIHOOD",
                date=self.day(3, 10),
                amount=rng.choice([8, 10, 12]) * 1_000_000,
                item_description=item,
                quantity=Decimal(quantity),
                funder=rng.choice(["Ủy ban MTTQ huyện", "Hội Liên hiệp Phụ nữ huyện", "Ngân sách trung ương"]),
            )
        # 3.7 vocational training: one adult now and then
        adults = [m for m in members if 16 <= YEAR - m.date_of_birth.year <= 45]
        if adults and status in ("poor", "near_poor") and rng.random() < 0.04:
            occupation, course = rng.choice(OCCUPATIONS)
            start = date(YEAR, rng.choice([4, 6, 8]), 5)
            add(
                "TRAINING_46",
                member=rng.choice(adults),
                date=start,
                course_name=course,
                occupation=occupation,
                course_start=start,
                course_end=date(start.year, start.month + 2, 20),
                amount=3_000_000,
                certificate=f"CC-{rng.randint(100, 999)}" if rng.random() < 0.8 else "",
                employed_after=rng.random() < 0.6,
            )
        # 3.8 rice relief and electricity
        if status in ("poor", "near_poor") and rng.random() < 0.40:
            add(
                "RICE_TET",
                date=date(YEAR, 2, 5),
                quantity=Decimal(15 * len(members)),
                persons=len(members),
                item_description="Gạo",
            )
        if status == "poor" and rng.random() < 0.35:
            add(
                "RICE_LEAN",
                date=date(YEAR, 4, 20),
                quantity=Decimal(15 * len(members)),
                persons=len(members),
                item_description="Gạo",
            )
        if status == "poor" or household.social_protection:
            amount = electricity_amount(self.p["ELECTRICITY"])
            for quarter in (1, 2, 3):
                add(
                    "ELECTRICITY",
                    date=date(YEAR, quarter * 3, 25),
                    period_year=YEAR,
                    period_quarter=quarter,
                    amount=amount,
                    decision=f"QĐ chi trả tiền điện quý {quarter}/{YEAR} (dữ liệu mẫu)",
                )
        return out


def _finish(benefit: Benefit, periods, flags, labels, rules) -> bool:
    """Snapshot the status and keep the draw only if the programme's rule accepts it."""
    programme = benefit.programme
    if programme.kind == "housing":
        benefit.amount = benefit.housing_total
    verdict = eligibility.check(rules[programme.code], periods, benefit.date, flags=flags, labels=labels)
    benefit.household_status, benefit.eligible, benefit.eligibility_note = verdict.status, True, verdict.message
    benefit.status_decision = DEMO_DECISION
    return verdict.eligible


def support_generate(*, communes=None, seed: int = 2026, progress=None) -> SupportResult:
    """Create the demo support of the demo households (see the module docstring); safe to run again."""
    started = time.monotonic()
    catalogue_load()
    programmes = {p.code: p for p in Programme.objects.all()}
    labels = status_labels()
    result = SupportResult()
    say = progress or (lambda message: None)
    if communes is None:
        communes = list(
            AdministrativeUnit.objects.filter(
                pk__in=Household.objects.values_list("commune", flat=True).distinct()
            ).order_by("code")
        )
    rules = {code: programme.rule() for code, programme in programmes.items()}
    for commune in communes:
        with transaction.atomic():
            # What the planner reads, without each household's kilobytes of classification snapshot; members and
            # status records as plain rows, one query each for the commune.
            households = list(
                Household.objects.filter(commune=commune)
                .active()
                .select_related("village")
                .defer("classification")
                .order_by("code")
            )
            members_of, records_of = defaultdict(list), defaultdict(list)
            member_fields = [f for f in MemberRow._fields if f != "pk"]
            for household_id, *values in (
                Member.objects.filter(household__commune=commune, household__state="active", left_at__isnull=True)
                .order_by("household_id", "date_of_birth", "pk")
                .values_list("household_id", "pk", *member_fields)
            ):
                members_of[household_id].append(MemberRow(*values))
            for household_id, *values in (
                StatusRecord.objects.filter(household__commune=commune)
                .order_by("household_id", "valid_from")
                .values_list("household_id", "household_class", "valid_from", "valid_to")
            ):
                records_of[household_id].append(eligibility.Period(*values))
            done = set(Benefit.objects.filter(household__commune=commune).values_list("household", flat=True))
            new_records, benefits = [], []
            for household in households:
                rng = random.Random(f"{seed}:{household.commune_id}:{household.code}")
                periods = records_of.get(household.pk)
                drawn = _statuses(household, rng)  # always drawn, so the sequence does not depend on earlier runs
                if not periods:
                    periods = [eligibility.Period(r.household_class, r.valid_from, r.valid_to) for r in drawn]
                    new_records += drawn
                if household.pk in done:
                    result.skipped += 1
                    continue
                members = members_of.get(household.pk, [])
                flags = household_flags(household)
                planned = Planner(programmes, rng).plan(household, members, periods)
                kept = [b for b in planned if _finish(b, periods, flags, labels, rules)]
                benefits += kept
                result.households += bool(kept)
                result.by_programme.update(b.programme.code for b in kept)
            result.statuses += copy_objects(StatusRecord, new_records)
            for benefit, pk in zip(benefits, reserve_ids(Benefit, len(benefits)), strict=True):
                benefit.id = pk
            copy_objects(Benefit, benefits, with_pk=True)
            copy_objects(
                BenefitLog,
                (
                    BenefitLogRecord(benefit_id=b.id, action=LogAction.IMPORT, note="Tạo từ dữ liệu mẫu")
                    for b in benefits
                ),
            )
            result.benefits += len(benefits)
        say(f"{commune.name}: {len(benefits)} khoản hỗ trợ")
    result.seconds = time.monotonic() - started
    return result
