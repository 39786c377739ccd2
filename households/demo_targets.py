"""Demo status history, populations, targets and escape registrations for the demo communes (safe to run again).

Call after the demo households exist (``manage.py load_demo`` then ``manage.py generate_households``)::

    from households.demo_targets import demo_targets_load
    demo_targets_load(seed=2021)

What it writes, modelled on report 209/BC-UBND of Krông Pa (15/06/2021):

- for each household without any status record, a plausible official history ending in its current class:
  annual decisions dated 15/12 of each year since 2021 (the periodic review, QĐ 24/2021, Điều 4) and, for
  households whose class changed this year, an in-year decision (Điều 5); poverty was higher in earlier years,
  so going back in time households are more often poor — which yields escapes, newly poor and relapsed cases;
- a ``UnitPopulation`` per commune and year (the demo treats the registry as the whole commune, so the total is
  the number of households in the registry, about 1 % fewer each year back);
- each year's target per commune, assigned by the district account through ``poverty_target_set`` (about a
  third of the poor households at the start of the year, as Krông Pa's 625 of ~2,300);
- this year's registrations to escape poverty, each with a helper (every household that has escaped since, and
  about half of the others poor at the start of the year), checked against ``escape_registration_add``'s rules.

Targets go through ``poverty_target_set``; the status records of the history and the registrations with their
change entries are written with PostgreSQL ``COPY`` (a million-household province gets them in minutes, where one
service call per registration took about 0,1 s).
Households that already have a history are left alone, so running it again adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.pgcopy import copy_objects, record_class

from .choices import HouseholdClass, HouseholdState
from .models import ChangeEntry, EscapeRegistration, Household, PovertyTarget, StatusRecord, UnitPopulation
from .targets import poverty_target_set
from .transitions import period_for_year, transition_counts_of_periods

FIRST_YEAR = 2021  # the first list under NĐ 07/2021 was approved in December 2021
P, N, A, X = (
    c.value
    for c in (HouseholdClass.POOR, HouseholdClass.NEAR_POOR, HouseholdClass.AVERAGE_LIVING, HouseholdClass.NON_POOR)
)
# Plain stand-ins for the rows, written by COPY.
StatusRecordRecord = record_class(StatusRecord)
EscapeRegistrationRecord = record_class(EscapeRegistration)
ChangeEntryRecord = record_class(ChangeEntry)
HELPERS = [
    ("Chủ tịch Hội Nông dân xã", "Nay Văn Hlang"),
    ("Chủ tịch Hội Liên hiệp Phụ nữ xã", "Rơ Mah H'Bliêm"),
    ("Bí thư Đoàn xã", "Ksor Y Drơng"),
    ("Trưởng buôn", "Siu Y Blứ"),
    ("Công chức Địa chính – Nông nghiệp", "Trần Văn Lộc"),
    ("Đảng viên chi bộ buôn", "Kpă Thị Xuân"),
]
COMMITMENTS = [
    "Vay vốn Ngân hàng Chính sách xã hội nuôi bò sinh sản; cán bộ hướng dẫn kỹ thuật chăn nuôi.",
    "Nhận hỗ trợ giống mì, phân bón; tham gia lớp tập huấn trồng mì cao sản.",
    "Con trai học nghề hàn dưới 3 tháng, đi làm tại khu công nghiệp.",
    "Cải tạo vườn, trồng xen rau màu; vay vốn làm nhà tiêu hợp vệ sinh.",
    "Nhận hỗ trợ dê giống theo Dự án 2; tham gia tổ hợp tác chăn nuôi của buôn.",
]


@dataclass
class DemoTargetsResult:
    histories: int = 0
    populations: int = 0
    targets: int = 0
    registrations: int = 0


def _earlier(rng: random.Random, later: str) -> str:
    """The class a year before, given the class after: poverty was more common earlier."""
    # About 3–4 % of all households escape poverty each year and 1 % fall into it: the poverty rate falls by
    # 2–3 points a year, as in Krông Pa's targets (3,0–3,68 %, report 209/BC-UBND).
    roll = rng.random()
    if later == P:
        return P if roll < 0.90 else (N if roll < 0.96 else X)  # the rest are newly poor (or relapsed)
    if later == N:
        return N if roll < 0.80 else (P if roll < 0.94 else X)
    return later if roll < 0.94 else (P if roll < 0.97 else N)


def _history(rng: random.Random, current: str, years: list[int], in_year: date) -> list[tuple[str, date]]:
    """Steps (class, from) ending in ``current``: annual decisions on 15/12 and one in-year decision this year."""
    at_last_review = _earlier(rng, current) if rng.random() < 0.5 else current
    classes = [at_last_review]
    for _year in years[:-1]:
        classes.insert(0, _earlier(rng, classes[0]))
    steps: list[tuple[str, date]] = []
    for year, household_class in zip(years, classes, strict=True):
        if not steps or steps[-1][0] != household_class:
            steps.append((household_class, date(year, 12, 15)))
    if steps[-1][0] != current:
        steps.append((current, in_year))
    return steps


def _rate(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def demo_targets_load(*, seed: int = 2021, today: date | None = None) -> DemoTargetsResult:
    """Fill the demo communes' history, populations, targets and this year's registrations (idempotent)."""
    today = today or timezone.localdate()
    result = DemoTargetsResult()
    years = list(range(FIRST_YEAR, today.year))  # annual reviews already held (15/12 of each year)
    communes = _communes_with_households()
    lacking = _lacking_history()
    for commune in communes:
        if commune.pk in lacking:
            result.histories += _commune_histories(commune, seed, today)
        for year in [*years, today.year]:
            _population, created = UnitPopulation.objects.get_or_create(
                unit=commune,
                year=year,
                defaults={
                    "households": max(1, round(commune.n * (1 - 0.01 * (today.year - year)))),
                    "persons": round(commune.n * 4.3),
                    "source": "Dữ liệu mẫu: tổng số hộ dân cư theo sổ theo dõi",
                },
            )
            result.populations += created
    _targets(communes, years + [today.year], result)
    _registrations(communes, today, seed, result)
    return result


@transaction.atomic
def demo_histories_load(*, seed: int = 2021, today: date | None = None) -> int:
    """Only the status history of the households that have none (the first step of ``demo_targets_load``, the same
    draws): what the province-scale generator copies with each household. Returns the number of households."""
    today = today or timezone.localdate()
    lacking = _lacking_history()
    return sum(_commune_histories(c, seed, today) for c in _communes_with_households() if c.pk in lacking)


def _lacking_history() -> set[int]:
    """The communes holding a household with a class and no status record, in one pass (asking each commune read
    every status record again: 6 s for none at a million households)."""
    return set(
        Household.objects.filter(status_records__isnull=True)
        .exclude(current_class="")
        .values_list("commune_id", flat=True)
        .distinct()
    )


def _communes_with_households() -> list:
    sizes = dict(Household.objects.values("commune_id").annotate(n=Count("pk")).values_list("commune_id", "n"))
    communes = list(
        AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, pk__in=sizes).valid_on().select_related("parent")
    )
    communes.sort(key=lambda unit: unit.code)
    for commune in communes:
        commune.n = sizes[commune.pk]
    return communes


def _commune_histories(commune, seed: int, today: date) -> int:
    """A history for each household of the commune that has none, written by COPY; returns how many."""
    years = list(range(FIRST_YEAR, today.year))
    last_review = date(years[-1], 12, 15)
    in_year = max(last_review + timedelta(days=30), today - timedelta(days=60))
    in_year = min(in_year, today)
    rng = random.Random(f"{seed}:targets:{commune.code}")
    # Only what the history needs (a household's classification snapshot is kilobytes), written by COPY.
    households = list(
        Household.objects.filter(commune=commune, status_records__isnull=True)
        .exclude(current_class="")
        .order_by("code")
        .values_list("pk", "current_class")
    )
    records = []
    for household_id, current_class in households:
        for index, (household_class, valid_from) in enumerate(steps := _history(rng, current_class, years, in_year)):
            valid_to = steps[index + 1][1] - timedelta(days=1) if index + 1 < len(steps) else None
            number = 100 + years.index(valid_from.year) * 7 if valid_from.month == 12 else 300
            records.append(
                StatusRecordRecord(
                    household_id=household_id,
                    household_class=household_class,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    decision=f"{number}/QĐ-UBND ngày {valid_from:%d/%m/%Y} của UBND {commune.name}",
                    note="Dữ liệu mẫu",
                )
            )
    copy_objects(StatusRecord, records)
    return len(households)


def _targets(communes, years: list[int], result: DemoTargetsResult) -> None:
    """Each year's target per commune, a third of the poor households at the start of the year: the counts of the
    years a commune still lacks its target, all from one statement (one per year took 39 s at a million
    households, together 22 s)."""
    staff = {u.unit_id: u for u in User.objects.filter(role=Role.DISTRICT_STAFF, is_active=True)}
    have = set(PovertyTarget.objects.filter(unit__in=communes, year__in=years[1:]).values_list("unit_id", "year"))
    missing = [
        year
        for year in years[1:]
        if any(staff.get(commune.parent_id) is not None and (commune.pk, year) not in have for commune in communes)
    ]
    counted = transition_counts_of_periods(
        Household.objects.filter(commune__in=communes), [period_for_year(year) for year in missing], UnitLevel.COMMUNE
    )
    for year, counts in zip(missing, counted, strict=True):
        for index, commune in enumerate(communes):
            user = staff.get(commune.parent_id)
            if user is None or (commune.pk, year) in have:
                continue
            poor_start = counts.get(commune.pk, {}).get("poor_start", 0)
            goal = max(1, round(poor_start / 3))
            poverty_target_set(
                unit=commune,
                year=year,
                households_to_escape=goal,
                rate_reduction=_rate(goal, max(commune.n, 1)),
                legal_basis=f"Quyết định số {146 + index}/QĐ-UBND ngày 22/3/{year} của UBND {commune.parent.name}",
                user=user,
            )
            result.targets += 1


def _registrations(communes, today: date, seed: int, result: DemoTargetsResult) -> None:
    """This year's registrations: most poor households of the start of the year, each with a helper.

    The rules of ``escape_registration_add`` checked for the whole commune at once (the household is active and on
    the poor or near-poor list on the day of registration, one registration per household and year), and the same
    rows it writes — the registration and its change entry — written with COPY."""
    officers = {u.unit_id: u for u in User.objects.filter(role=Role.COMMUNE_OFFICER, is_active=True)}
    registered_on = min(date(today.year, 1, 15), today)
    start = date(today.year - 1, 12, 31)
    for commune in communes:
        officer = officers.get(commune.pk)
        already = EscapeRegistration.objects.filter(household__commune=commune, year=today.year).exists()
        if officer is None or already:  # the commune's list of the year is made once
            continue
        rng = random.Random(f"{seed}:registrations:{commune.code}")
        on_list = StatusRecord.objects.filter(household_class=P, valid_from__lte=start).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        )
        poor_at_start = (
            Household.objects.filter(commune=commune, pk__in=on_list.values("household_id"))
            .order_by("code")
            .values_list("pk", "code", "current_class", "state")
        )
        # households.targets.official_class_on for every household of the commune in one query
        class_on_day = dict(
            StatusRecord.objects.filter(household__commune=commune, valid_from__lte=registered_on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=registered_on))
            .order_by("household_id", "valid_from")
            .values_list("household_id", "household_class")
        )
        registrations, entries = [], []
        for household_id, code, current_class, state in poor_at_start:
            escaped = current_class != P  # those who escaped had registered, as most do
            if not escaped and rng.random() > 0.5:
                continue
            position, name = rng.choice(HELPERS)
            phone, commitment = f"09{rng.randint(0, 10**8 - 1):08d}", rng.choice(COMMITMENTS)
            on_day = class_on_day.get(household_id)
            if state != HouseholdState.ACTIVE or on_day not in (P, N):  # the service refuses these
                continue
            registrations.append(
                EscapeRegistrationRecord(
                    household_id=household_id,
                    year=today.year,
                    registered_on=registered_on,
                    class_at_registration=on_day,
                    cadre_name=name,
                    cadre_position=position,
                    cadre_phone=phone,
                    commitment=commitment,
                    created_by_id=officer.pk,
                )
            )
            entries.append(
                ChangeEntryRecord(
                    household_id=household_id,
                    subject=_("Hộ %(code)s") % {"code": code},
                    action="escape_register",
                    note=_("Đăng ký thoát nghèo năm %(year)s; cán bộ phụ trách: %(cadre)s")
                    % {"year": today.year, "cadre": f"{name}, {position}"},
                    user_id=officer.pk,
                )
            )
        copy_objects(EscapeRegistration, registrations)
        copy_objects(ChangeEntry, entries)
        result.registrations += len(registrations)
