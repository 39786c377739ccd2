"""Demo households for the demo communes, modelled on report 209/BC-UBND of Krông Pa (15/06/2021).

Seeded and deterministic: each commune draws from its own ``random.Random(f"{seed}:{commune code}")``, so the
same seed gives the same households whatever communes are chosen. Codes are deterministic (``IRS-0001``…) and
existing codes are skipped, so running the generator again adds nothing, and raising ``per_commune`` only adds
the missing households.

Fast path: households are drawn as plain records (``core.pgcopy.record_class``: a Django model instance costs more
than drawing the household) and written with PostgreSQL ``COPY`` in batches of 10.000 (one transaction each), with
their members and their "created" change entry. Every derived field (head, ethnic-minority flag, classification
snapshot with indicators and explanation) still comes from the registry service's own derivation, given the
standard and the province's income line once per commune instead of two queries per household, and every
generated household satisfies the service's validation rules (one head, ages, personal IDs unique in the
province) — the tests re-save a sample through ``household_save`` and compare it with the service path.

Rates: about 12 % poor and 8 % near-poor households under NĐ 07/2021 (the report counts ~2,300 poor households
of ~19,000), poorer in the Jrai buôn than in the Kinh thôn and the town's residential groups.
"""

import multiprocessing
import random
import re
import time
import unicodedata
from bisect import bisect
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core import formatting
from core.demo import DISTRICT_CODES, PROVINCE_CODE
from core.pgcopy import copy_objects, record_class, reserve_ids

from . import criteria
from .choices import Employment, Latrine, PovertyCause, Relationship, Sex, WaterSource
from .classification import household_facts, local_line_on, standard_on
from .models import ChangeEntry, EthnicGroup, Household, Member
from .services import _refresh_derived  # the service's own derivation: generated rows cannot drift from it

REFERENCE_DATE = date(2026, 1, 1)
ADULT_AGE = 18  # members of this age or older on the generation day hold an ID card with its issue date
CCCD_FROM = date(2016, 1, 1)  # Luật Căn cước công dân 2014 in force: the first 12-digit cards
PROVINCE_ID_CODE = "064"  # Gia Lai in personal identification numbers (TT 59/2021/TT-BCA, Phụ lục I)
CARD_FROM, CARD_TO = date(2026, 1, 1), date(2026, 12, 31)
BATCH_SIZE = 10_000  # households per COPY round and transaction

# Plain stand-ins for the rows, with the models' attribute names and defaults (see the module docstring).
HouseholdRecord = record_class(Household)
MemberRecord = record_class(Member, namespace={"is_head": Member.is_head})
ALLOWANCE = 360_000  # NĐ 20/2021: the monthly social allowance base (mức chuẩn trợ giúp xã hội)

# --- who lives where ---------------------------------------------------------------------------------------------

JRAI, KINH, EDE, BAHNAR, TAY, NUNG, MUONG, THAI = "10", "01", "12", "13", "02", "07", "06", "03"


@dataclass(frozen=True)
class VillageProfile:
    """Shares of poor / near-poor / average-living households and the ethnic mix of one kind of village."""

    poor: float
    near_poor: float
    average: float
    ethnic: tuple[tuple[str, float], ...]
    agricultural: float


PROFILES = {
    # Jrai buôn along the Ba river: the poorest (report 209: poverty concentrated in minority households).
    "buon": VillageProfile(0.15, 0.10, 0.17, ((JRAI, 0.88), (KINH, 0.08), (EDE, 0.02), (BAHNAR, 0.02)), 0.92),
    "village": VillageProfile(
        0.09, 0.065, 0.14, ((JRAI, 0.45), (KINH, 0.48), (TAY, 0.02), (NUNG, 0.02), (MUONG, 0.02), (THAI, 0.01)), 0.85
    ),
    "residential_group": VillageProfile(0.05, 0.04, 0.08, ((KINH, 0.65), (JRAI, 0.30), (EDE, 0.05)), 0.35),
}

# --- names -------------------------------------------------------------------------------------------------------

JRAI_CLANS = [
    "Ksor",
    "Rơ Mah",
    "Siu",
    "Nay",
    "Kpă",
    "Rơ Lan",
    "Rah Lan",
    "Puih",
    "Rơ Chăm",
    "Rơ Ô",
    "Kpuih",
    "Hiao",
    "Rcom",
    "Ayun",
]
EDE_CLANS = ["Niê", "Êban", "Mlô", "Byă", "Ksơr", "Hđơk"]
BAHNAR_CLANS = ["Đinh", "Rơ Châm", "Hyưu"]
JRAI_MEN = [
    "Bhin",
    "Thơ",
    "Phun",
    "Ban",
    "Kiên",
    "Juk",
    "Nhơn",
    "Mlô",
    "Hrin",
    "Blứ",
    "Tuel",
    "Djăm",
    "Khăm",
    "Drơng",
    "Hlang",
    "Ngăi",
    "Thuận",
    "Wih",
    "Yuh",
    "Kem",
    "Hyung",
    "Nut",
    "Rin",
    "Ju",
]
JRAI_WOMEN = [
    "Nga",
    "Linh",
    "Điệp",
    "Lan",
    "Blơi",
    "Hniê",
    "Yang",
    "Jen",
    "Bliêm",
    "Thoan",
    "Xuân",
    "Mơ",
    "Hen",
    "Ngơn",
    "Nhi",
    "Phi",
    "Hlên",
    "Byơ",
    "Luyn",
    "Ly",
]
KINH_SURNAMES = (
    ("Nguyễn", 31),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Hoàng", 3),
    ("Huỳnh", 2),
    ("Phan", 4.5),
    ("Vũ", 2),
    ("Võ", 2),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1),
    ("Lý", 0.5),
    ("Đinh", 1),
    ("Trương", 1),
)
MINORITY_NORTH_SURNAMES = ["Hoàng", "Nông", "Lương", "Lò", "Bùi", "Hà", "Quách", "Vi", "Lục"]
KINH_MEN = [
    "Hùng",
    "Dũng",
    "Tuấn",
    "Nam",
    "Bình",
    "Hải",
    "Long",
    "Phúc",
    "Thắng",
    "Tài",
    "Tâm",
    "Sơn",
    "Quang",
    "Khoa",
    "An",
    "Minh",
    "Hiếu",
    "Trung",
    "Toàn",
    "Lộc",
    "Thành",
    "Cường",
    "Đức",
    "Huy",
    "Việt",
]
KINH_WOMEN = [
    "Hoa",
    "Lan",
    "Hương",
    "Mai",
    "Hà",
    "Linh",
    "Nhung",
    "Thảo",
    "Trang",
    "Yến",
    "Ngọc",
    "Phương",
    "Hạnh",
    "Thu",
    "Loan",
    "Dung",
    "Tuyết",
    "Vân",
    "Anh",
    "Nga",
    "Hằng",
    "Liên",
    "Nhàn",
    "Oanh",
]
KINH_MEN_MIDDLE = (("Văn", 55), ("Đức", 8), ("Minh", 10), ("Quốc", 6), ("Hữu", 7), ("Công", 6), ("Thanh", 8))
KINH_WOMEN_MIDDLE = (("Thị", 70), ("Ngọc", 8), ("Thu", 6), ("Thanh", 6), ("Kim", 5), ("Mỹ", 5))
MATRILINEAL = {JRAI, EDE}  # Jrai and Ê-đê children take their mother's clan name


_CUMULATIVE: dict = {}


def _weighted(rng: random.Random, pairs) -> str:
    """``rng.choices(values, weights)[0]`` with the cumulative weights computed once per table: the same draw (the
    same single ``random()`` call and bisection as ``random.choices``), without rebuilding the table each time."""
    try:
        values, cumulative, total = _CUMULATIVE[pairs]
    except KeyError:
        values, weights = zip(*pairs, strict=True)
        cumulative = list(accumulate(weights))
        _CUMULATIVE[pairs] = values, cumulative, total = values, cumulative, cumulative[-1] + 0.0
    return values[bisect(cumulative, rng.random() * total, 0, len(values) - 1)]


def _clan(rng: random.Random, group: str) -> str:
    if group == JRAI:
        return rng.choice(JRAI_CLANS)
    if group == EDE:
        return rng.choice(EDE_CLANS)
    if group == BAHNAR:
        return rng.choice(BAHNAR_CLANS)
    if group == KINH:
        return _weighted(rng, KINH_SURNAMES)
    return rng.choice(MINORITY_NORTH_SURNAMES)


def _given(rng: random.Random, group: str, sex: str) -> str:
    """The part after the family name: "Y Bhin", "H'Nga", "Thị Hoa", "Văn Thơ"…"""
    male = sex == Sex.MALE
    if group in (JRAI, EDE, BAHNAR):
        roll = rng.random()
        if male:
            name = rng.choice(JRAI_MEN)
            return f"Y {name}" if roll < 0.6 else (f"Văn {name}" if roll < 0.9 else name)
        if roll < 0.55:
            return f"H'{rng.choice(JRAI_WOMEN)}"
        return f"Thị {rng.choice(KINH_WOMEN + JRAI_WOMEN)}" if roll < 0.9 else rng.choice(JRAI_WOMEN)
    middle = _weighted(rng, KINH_MEN_MIDDLE if male else KINH_WOMEN_MIDDLE)
    return f"{middle} {rng.choice(KINH_MEN if male else KINH_WOMEN)}"


# --- the household maker -------------------------------------------------------------------------------------------

SIZES = ((1, 5), (2, 10), (3, 17), (4, 25), (5, 20), (6, 12), (7, 6), (8, 3), (9, 2))  # mean 4,32
SIZE_WEIGHTS = tuple((str(n), w) for n, w in SIZES)
HOUSE_INDICATORS = ("housing_quality", "housing_area", "water_source", "latrine", "telecom", "information_devices")
CLEAN_WATER = (
    (WaterSource.DRILLED_WELL, 50),
    (WaterSource.PROTECTED_DUG_WELL, 25),
    (WaterSource.PIPED, 15),
    (WaterSource.RAINWATER, 5),
    (WaterSource.BOTTLED, 5),
)
DIRTY_WATER = ((WaterSource.UNPROTECTED_WELL, 55), (WaterSource.SURFACE_WATER, 35), (WaterSource.OTHER, 10))
GOOD_LATRINE = ((Latrine.SEPTIC, 45), (Latrine.SEMI_SEPTIC, 25), (Latrine.POUR_FLUSH, 20), (Latrine.DOUBLE_VAULT, 10))
BAD_LATRINE = ((Latrine.SIMPLE_PIT, 55), (Latrine.NONE, 40), (Latrine.OTHER, 5))
CAUSES = (
    (PovertyCause.LACK_OF_CAPITAL, 30),
    (PovertyCause.LACK_OF_LAND, 20),
    (PovertyCause.LACK_OF_SKILLS, 18),
    (PovertyCause.LACK_OF_LABOUR, 10),
    (PovertyCause.ILLNESS, 8),
    (PovertyCause.MANY_DEPENDANTS, 6),
    (PovertyCause.NO_JOB, 4),
    (PovertyCause.DISASTER, 2),
    (PovertyCause.OTHER, 2),
)


@dataclass
class Person:
    relationship: str
    sex: str
    age: int
    group: str
    clan: str = ""


class HouseholdMaker:
    """Draws one household with its members from a seeded generator; knows nothing about the database."""

    def __init__(self, rng: random.Random, standard: criteria.Standard, groups: dict[str, EthnicGroup]):
        self.rng, self.standard, self.groups = rng, standard, groups
        self.day = REFERENCE_DATE

    # people
    def people(self, size: int, profile: VillageProfile) -> list[Person]:
        rng = self.rng
        group = _weighted(rng, profile.ethnic)
        if size == 1:
            age = rng.randint(60, 88) if rng.random() < 0.6 else rng.randint(24, 59)
            sex = Sex.FEMALE if rng.random() < 0.6 else Sex.MALE
            alone = [Person(Relationship.HEAD, sex, age, group)]
            self.name_clans(alone)
            return alone
        head_age = min(75, max(22, int(rng.triangular(22, 75, 38))))
        has_spouse = rng.random() < 0.9
        head_sex = (
            Sex.MALE
            if (has_spouse and rng.random() < 0.78) or (not has_spouse and rng.random() < 0.4)
            else (Sex.FEMALE)
        )
        people = [Person(Relationship.HEAD, head_sex, head_age, group)]
        left = size - 1
        mother_age = head_age if head_sex == Sex.FEMALE else None
        if has_spouse:
            spouse_age = max(18, head_age + rng.randint(-7, 4) * (1 if head_sex == Sex.MALE else -1))
            spouse_group = group if rng.random() < 0.92 else _weighted(rng, profile.ethnic)
            spouse_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
            people.append(Person(Relationship.SPOUSE, spouse_sex, spouse_age, spouse_group))
            left -= 1
            if spouse_sex == Sex.FEMALE:
                mother_age = spouse_age
        if left >= 2 and head_age <= 50 and rng.random() < 0.18:
            parents = 2 if left >= 4 and rng.random() < 0.4 else 1
            for index in range(parents):
                sex = (Sex.MALE, Sex.FEMALE)[index] if parents == 2 else rng.choice((Sex.MALE, Sex.FEMALE))
                age = min(92, head_age + rng.randint(20, 32))
                people.append(Person(Relationship.PARENT, sex, age, group))
            left -= parents
        if left >= 3 and head_age >= 46 and rng.random() < 0.45:
            child_age = rng.randint(20, min(head_age - 18, 34))
            child_sex = rng.choice((Sex.MALE, Sex.FEMALE))
            people.append(Person(Relationship.CHILD, child_sex, child_age, group))
            in_law_sex = Sex.FEMALE if child_sex == Sex.MALE else Sex.MALE
            people.append(
                Person(
                    Relationship.CHILD_IN_LAW,
                    in_law_sex,
                    max(18, child_age + rng.randint(-4, 4)),
                    _weighted(rng, profile.ethnic),
                )
            )
            left -= 2
            grandchildren = min(left, rng.randint(1, 3))
            for _index in range(grandchildren):
                people.append(
                    Person(
                        Relationship.GRANDCHILD,
                        rng.choice((Sex.MALE, Sex.FEMALE)),
                        rng.randint(0, max(0, min(child_age, head_age) - 19)),
                        group,
                    )
                )
            left -= grandchildren
        if left and rng.random() < 0.04:
            people.append(
                Person(
                    Relationship.SIBLING,
                    rng.choice((Sex.MALE, Sex.FEMALE)),
                    max(15, head_age + rng.randint(-10, 10)),
                    group,
                )
            )
            left -= 1
        reference = mother_age or head_age
        youngest, oldest = max(0, reference - 44), max(0, min(head_age, reference) - 18)
        for _index in range(left):
            age = rng.randint(min(youngest, oldest), oldest)
            people.append(Person(Relationship.CHILD, rng.choice((Sex.MALE, Sex.FEMALE)), age, group))
        self.name_clans(people)
        return people

    def name_clans(self, people: list[Person]) -> None:
        rng = self.rng
        for person in people:
            if person.relationship in (
                Relationship.HEAD,
                Relationship.SPOUSE,
                Relationship.CHILD_IN_LAW,
                Relationship.PARENT,
                Relationship.SIBLING,
            ):
                person.clan = _clan(rng, person.group)
        head, spouse = people[0], next((p for p in people if p.relationship == Relationship.SPOUSE), None)
        mother = head if head.sex == Sex.FEMALE else spouse
        father = head if head.sex == Sex.MALE else spouse
        # Jrai and Ê-đê are matrilineal: children carry the mother's clan; Kinh children the father's surname.
        lineage = mother if mother is not None and mother.group in MATRILINEAL else father or mother or head
        for person in people:
            if person.relationship == Relationship.CHILD:
                person.clan, person.group = lineage.clan, lineage.group
            elif person.relationship == Relationship.SIBLING:
                person.clan = head.clan
            elif person.relationship == Relationship.PARENT:
                # The head got the clan from this parent: the mother (matrilineal) or the father (Kinh and others).
                from_mother = head.group in MATRILINEAL
                if (person.sex == Sex.FEMALE) == from_mother:
                    person.clan, person.group = head.clan, head.group
        adult_child = next((p for p in people if p.relationship == Relationship.CHILD and p.age >= 18), None)
        in_law = next((p for p in people if p.relationship == Relationship.CHILD_IN_LAW), None)
        for person in people:
            if person.relationship == Relationship.GRANDCHILD and adult_child and in_law:
                mother2 = adult_child if adult_child.sex == Sex.FEMALE else in_law
                father2 = in_law if mother2 is adult_child else adult_child
                source = mother2 if mother2.group in MATRILINEAL else father2
                person.clan, person.group = source.clan, source.group

    def birth_date(self, age: int) -> date:
        year = self.day.year - age - 1
        return date(year, 1, 1) + timedelta(days=self.rng.randint(0, 364))

    # members
    def member(self, person: Person, tier: str) -> Member:
        rng, age = self.rng, person.age
        member = MemberRecord(
            full_name=f"{person.clan} {_given(rng, person.group, person.sex)}",
            relationship=person.relationship,
            sex=person.sex,
            date_of_birth=self.birth_date(age),
            ethnic_group=self.groups[person.group],
        )
        poor = tier in ("poor", "near_poor")
        if 3 <= age < 16:
            member.in_school = rng.random() < (0.82 if tier == "poor" else 0.95)
        elif 16 <= age < 23:
            member.in_school = rng.random() < 0.45
        else:
            member.in_school = False
        member.education_level = self.education(age, member.in_school, tier)
        if 15 <= age < 60:
            member.able_to_work = rng.random() < 0.95
            member.employment = self.employment(member, tier)
        elif age >= 60:
            member.able_to_work = rng.random() < 0.3
            member.employment = Employment.SELF_EMPLOYED if member.able_to_work else Employment.NOT_WORKING
        member.disability = rng.random() < 0.03
        if member.disability and rng.random() < 0.6:
            member.social_allowance = int(ALLOWANCE * rng.choice((1.5, 2, 2.5)))
        elif age >= 80:
            member.social_allowance = ALLOWANCE
        if age < 16:
            member.stunted_or_underweight = rng.random() < (0.22 if tier == "poor" else 0.06)
        coverage = 0.93 if poor else (0.97 if age < 6 else 0.86)
        if rng.random() < coverage:
            self.give_card(member, tier, age)
        return member

    def give_card(self, member: Member, tier: str, age: int) -> None:
        # BHYT card: object code, benefit level, province, 10-digit social insurance number (QĐ 1351/QĐ-BHXH).
        if age < 6:
            prefix = "TE1"
        elif tier == "poor":
            prefix = "HN2"
        elif tier == "near_poor":
            prefix = "CN3"
        elif member.ethnic_group.is_minority:
            prefix = "DT2"
        else:
            prefix = "GD4"
        member.health_insurance_number = f"{prefix}64{self.rng.randint(0, 10**10 - 1):010d}"
        member.health_insurance_valid_from, member.health_insurance_valid_to = CARD_FROM, CARD_TO

    def education(self, age: int, in_school: bool | None, tier: str) -> str:
        rng = self.rng
        if age < 6:
            return ""
        if age < 11:
            return "none"
        if age < 15:
            return "primary"
        if age < 18:
            return "lower_secondary" if rng.random() < 0.8 else "primary"
        weights = {
            "young": (
                ("none", 3),
                ("primary", 15),
                ("lower_secondary", 30),
                ("upper_secondary", 35),
                ("vocational", 9),
                ("college_or_higher", 8),
            ),
            "adult": (
                ("none", 18),
                ("primary", 35),
                ("lower_secondary", 27),
                ("upper_secondary", 14),
                ("vocational", 3),
                ("college_or_higher", 3),
            ),
            "old": (("none", 50), ("primary", 35), ("lower_secondary", 10), ("upper_secondary", 5)),
        }["young" if age <= 30 else "adult" if age < 60 else "old"]
        return _weighted(rng, weights)

    def employment(self, member: Member, tier: str) -> str:
        if member.in_school:
            return Employment.STUDYING
        if not member.able_to_work:
            return Employment.NOT_WORKING
        return _weighted(
            self.rng,
            (
                (Employment.SELF_EMPLOYED, 70),
                (Employment.WAGE_WITHOUT_CONTRACT, 12 if tier == "poor" else 8),
                (Employment.WAGE_WITH_CONTRACT, 3 if tier == "poor" else 10),
                (Employment.UNEMPLOYED, 3),
                (Employment.NOT_WORKING, 6),
            ),
        )

    # household facts
    def household(self, code: str, village: AdministrativeUnit, profile: VillageProfile) -> tuple[Household, list]:
        rng = self.rng
        roll = rng.random()
        tier = (
            "poor"
            if roll < profile.poor
            else "near_poor"
            if roll < profile.poor + profile.near_poor
            else "average"
            if roll < profile.poor + profile.near_poor + profile.average
            else "non_poor"
        )
        size = int(_weighted(rng, SIZE_WEIGHTS))
        people = self.people(size, profile)
        members = [self.member(person, tier) for person in people]
        area = village.area_type or "rural"
        line = self.standard.poverty_line.for_area(area)
        upper = self.standard.average_upper.for_area(area) if self.standard.average_upper else line * 3 // 2
        household = HouseholdRecord(
            code=code,
            village=village,
            commune_id=village.parent_id,
            area_type=area,
            agricultural=tier == "average" or rng.random() < profile.agricultural,
            reference_date=self.day,
            phone=f"0{rng.choice('35789')}{rng.randint(0, 10**8 - 1):08d}" if rng.random() < 0.7 else "",
            meritorious=rng.random() < 0.02,
        )
        if tier in ("poor", "near_poor"):
            income = rng.uniform(0.45, 1.0) * line
        elif tier == "average":
            income = rng.uniform(line * 1.01, upper)
        else:
            income = upper * rng.uniform(1.03, 3.2)
        household.income_per_capita = int(round(income, -4))
        if tier == "poor":
            pool = [c for c in HOUSE_INDICATORS if size > 1 or c != "housing_area"]
            deprived = set(rng.sample(pool, k=min(len(pool), rng.choice((3, 3, 4, 4, 5, 6)))))
        elif tier == "near_poor":
            deprived = set(rng.sample(HOUSE_INDICATORS, k=rng.choice((0, 1, 1, 2, 2))))
        else:
            chances = {
                "housing_quality": 0.1,
                "housing_area": 0.08,
                "water_source": 0.12,
                "latrine": 0.18,
                "telecom": 0.03,
                "information_devices": 0.03,
            }
            deprived = {c for c, p in chances.items() if rng.random() < p}
        self.house_facts(household, size, deprived)
        household.social_protection = any(m.social_allowance for m in members)
        if tier in ("poor", "near_poor"):
            causes = {_weighted(rng, CAUSES) for _index in range(rng.randint(1, 3))}
            household.poverty_causes = sorted(causes)
        if tier == "near_poor":
            self.keep_below_threshold(household, members)
        facts = household_facts(household, members)
        household.facts = facts  # not a column: handed to the derivation in _save (IDs drawn later are no fact)
        household.no_labour_capacity = bool(criteria.no_labour_capacity(facts, self.standard, self.day))
        return household, members

    def house_facts(self, household: Household, size: int, deprived: set[str]) -> None:
        rng = self.rng
        parts = (2, 3) if "housing_quality" in deprived else (0, 0, 1)
        household.non_durable_main_parts = rng.choice(parts)
        if "housing_area" in deprived and size > 1:
            area = rng.uniform(3.5, 7.5) * size
        else:
            area = max(12.0, rng.uniform(9, 28) * size)
        household.floor_area_m2 = Decimal(str(round(area, 1)))
        household.water_source = _weighted(rng, DIRTY_WATER if "water_source" in deprived else CLEAN_WATER)
        household.latrine = _weighted(rng, BAD_LATRINE if "latrine" in deprived else GOOD_LATRINE)
        household.uses_telecom = "telecom" not in deprived
        if "information_devices" in deprived:
            household.has_information_device = household.has_loudspeaker_access = False
        else:
            household.has_information_device = rng.random() < 0.95
            household.has_loudspeaker_access = True if not household.has_information_device else rng.random() < 0.8
        household.uses_digital_services = rng.random() < 0.4 if household.uses_telecom else False
        household.handles_waste = rng.random() < 0.5
        household.untreated_illness = rng.random() < 0.03

    def keep_below_threshold(self, household: Household, members: list[Member]) -> None:
        """A near-poor household must stay under the deprivation threshold: repair what tips it over."""
        for _attempt in range(len(FIXES) + 1):
            results = criteria.derive_indicators(household_facts(household, members), self.standard, self.day)
            deprived = [code for code, result in results.items() if result.deprived]
            if len(deprived) < self.standard.deprivation_threshold:
                return
            fixable = [code for code in deprived if code in FIXES]
            if not fixable:
                return
            FIXES[fixable[0]](self, household, members)


def _fix_members(condition: Callable[[Member, int], bool], change: Callable[["HouseholdMaker", Member, int], None]):
    def fix(maker: HouseholdMaker, household: Household, members: list[Member]) -> None:
        for member in members:
            age = criteria.age_on(member.date_of_birth, maker.day)
            if condition(member, age):
                change(maker, member, age)

    return fix


def _set(**values):
    def fix(maker: HouseholdMaker, household: Household, members: list[Member]) -> None:
        for name, value in values.items():
            setattr(household, name, value)

    return fix


def _enlarge(maker: HouseholdMaker, household: Household, members: list[Member]) -> None:
    household.floor_area_m2 = Decimal(str(round(9.5 * len(members) + 5, 1)))


FIXES: dict[str, Callable] = {
    "health_insurance": _fix_members(
        lambda m, age: age >= 6 and not m.health_insurance_number,
        lambda maker, m, age: maker.give_card(m, "near_poor", age),
    ),
    "child_schooling": _fix_members(lambda m, age: 3 <= age < 16, lambda maker, m, age: setattr(m, "in_school", True)),
    "adult_education": _fix_members(
        lambda m, age: 16 <= age <= 30,
        lambda maker, m, age: setattr(m, "education_level", "lower_secondary" if age < 18 else "upper_secondary"),
    ),
    "employment": _fix_members(
        lambda m, age: m.employment in ("unemployed", "wage_without_contract"),
        lambda maker, m, age: setattr(m, "employment", Employment.SELF_EMPLOYED),
    ),
    "nutrition": _fix_members(
        lambda m, age: age < 16, lambda maker, m, age: setattr(m, "stunted_or_underweight", False)
    ),
    "housing_quality": _set(non_durable_main_parts=1),
    "housing_area": _enlarge,
    "water_source": _set(water_source=WaterSource.DRILLED_WELL),
    "latrine": _set(latrine=Latrine.SEMI_SEPTIC),
    "telecom": _set(uses_telecom=True),
    "information_devices": _set(has_information_device=True),
}


# --- personal identification numbers -------------------------------------------------------------------------------


def personal_id(rng: random.Random, sex: str, born: date) -> str:
    """064 (Gia Lai), the sex/century digit, the last two digits of the birth year, six random digits."""
    century = ((born.year // 100) - 19) % 5 * 2 + (1 if sex == Sex.FEMALE else 0)
    return f"{PROVINCE_ID_CODE}{century}{born.year % 100:02d}{rng.randint(0, 999_999):06d}"


def _draw_ids(rng: random.Random, members: list[Member], *, today: date) -> None:
    """About 90 % of members have a personal ID (the others: not yet issued, not declared); adults with one hold a
    card issued on a day between their 14th birthday and `today` (drawn after the IDs, so the IDs do not change)."""
    for member in members:
        if rng.random() < 0.9:
            member.personal_id = personal_id(rng, member.sex, member.date_of_birth)
    for member in members:
        if member.personal_id and criteria.age_on(member.date_of_birth, today) >= ADULT_AGE:
            member.personal_id_issued_on = id_issue_date(rng, member.date_of_birth, today)


def id_issue_date(rng: random.Random, born: date, today: date) -> date | None:
    """A plausible issue date of a 12-digit citizen identity card: after the 14th birthday (Luật Căn cước công dân
    2014, Điều 19: cấp cho công dân từ đủ 14 tuổi) and not before that law took effect on 01/01/2016, at the latest
    `today`; None when no such day exists."""
    try:
        fourteenth = born.replace(year=born.year + 14)
    except ValueError:  # born on 29/02
        fourteenth = date(born.year + 14, 3, 1)
    first = max(fourteenth + timedelta(days=1), CCCD_FROM)
    if first > today:
        return None
    return first + timedelta(days=rng.randint(0, (today - first).days))


def _dedupe_ids(batch: list["Planned"]) -> None:
    """Redraw IDs that repeat within the batch or already exist in the registry (one query per round)."""
    while True:
        seen, clashes = set(), []
        people = [(plan, m) for plan in batch for m in plan.members if m.personal_id]
        for plan, member in people:
            if member.personal_id in seen:
                clashes.append((plan, member))
            seen.add(member.personal_id)
        taken = set(Member.objects.filter(personal_id__in=seen).values_list("personal_id", flat=True))
        clashes += [(plan, m) for plan, m in people if m.personal_id in taken]
        if not clashes:
            return
        for plan, member in clashes:
            member.personal_id = personal_id(plan.rng, member.sex, member.date_of_birth)


# --- the generator ------------------------------------------------------------------------------------------------


def vn_number(value: int) -> str:
    return formatting.number(value)


def vn_decimal(value: float, places: int = 1) -> str:
    return formatting.number(value, places)


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if not unicodedata.combining(c))


def commune_prefix(commune: AdministrativeUnit) -> str:
    """A short code from the commune's name: "Xã Ia RSai" → IRS, "Thị trấn Phú Túc" → PT, "Xã Uar" → UAR."""
    name = _plain(re.sub(r"^(Xã|Thị trấn|Phường|Thị xã|Đặc khu)\s+", "", commune.name))
    letters = []
    for word in name.split():
        letters.append(word[0].upper())
        letters += [char for char in word[1:] if char.isupper()]
    prefix = "".join(c for c in letters if c.isalnum())
    return prefix if len(prefix) >= 2 else re.sub(r"[^A-Z]", "", name.upper())[:3]


@dataclass
class Planned:
    household: Household
    members: list[Member]
    rng: random.Random


@dataclass
class GenerationResult:
    created: int = 0
    skipped: int = 0
    communes: int = 0
    seconds: float = 0.0
    classes: Counter = field(default_factory=Counter)

    def share(self, household_class: str) -> float:
        return self.classes[household_class] / self.created if self.created else 0.0


def demo_communes(codes: list[str] | None = None):
    """The communes to fill: the given codes, or every commune of the demo districts that has villages."""
    communes = AdministrativeUnit.objects.valid_on().filter(level=UnitLevel.COMMUNE, children__isnull=False)
    if codes:
        communes = communes.filter(code__in=codes)
    else:
        communes = communes.filter(parent__code__in=DISTRICT_CODES, parent__parent__code=PROVINCE_CODE)
    return list(communes.distinct().order_by("code"))


def households_generate(
    *,
    communes,
    per_commune: int,
    seed: int,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
    workers: int = 1,
) -> GenerationResult:
    """Create ``per_commune`` demo households in each commune (skipping codes that exist); one transaction per batch.
    ID cards are dated on or before ``today`` (the generation day). ``workers`` > 1 fills communes in parallel
    processes (each commune draws from its own generator, so the households are the same)."""
    today = today or timezone.localdate()
    if workers > 1 and len(communes) > 1:
        return _generate_in_parallel(communes, per_commune, seed, batch_size, progress, today, workers)
    started = time.monotonic()
    result = GenerationResult()
    groups = {g.code: g for g in EthnicGroup.objects.all()}
    standard = standard_on(REFERENCE_DATE)
    say = progress or (lambda message: None)
    for commune in communes:
        villages = list(
            AdministrativeUnit.objects.valid_on()
            .filter(parent=commune, level=UnitLevel.VILLAGE)
            .select_related("parent")
            .order_by("code")
        )
        if not villages:
            say(_("%(commune)s: chưa có thôn, buôn nào, bỏ qua.") % {"commune": commune.name})
            continue
        commune_started, created_before, skipped_before = time.monotonic(), result.created, result.skipped
        result.communes += 1
        rng = random.Random(f"{seed}:{commune.code}")
        maker = HouseholdMaker(rng, standard, groups)
        # What assess() would read for each household: the same for the whole commune.
        context = {
            "standard": standard,
            "local_line": local_line_on(HouseholdRecord(village=villages[0]), REFERENCE_DATE),
        }
        prefix = commune_prefix(commune)
        existing = set(
            Household.objects.filter(commune=commune, code__startswith=f"{prefix}-").values_list("code", flat=True)
        )
        batch: list[Planned] = []
        for number in range(1, per_commune + 1):
            # Every household is drawn even when it exists, so the random sequence (hence the data) is the same.
            village = rng.choice(villages)
            code = f"{prefix}-{number:04d}"
            household, members = maker.household(code, village, PROFILES.get(village.kind, PROFILES["village"]))
            if code in existing:
                result.skipped += 1
                continue
            id_rng = random.Random(f"{seed}:{commune.code}:{number}")  # IDs do not shift the households' sequence
            _draw_ids(id_rng, members, today=today)
            batch.append(Planned(household, members, id_rng))
            if len(batch) >= batch_size:
                _save(batch, result, context)
                batch = []
                say(
                    _("  %(commune)s: %(done)s/%(total)s hộ")
                    % {"commune": commune.name, "done": vn_number(number), "total": vn_number(per_commune)}
                )
        if batch:
            _save(batch, result, context)
        say(
            _("%(commune)s (%(prefix)s): %(created)s hộ mới, %(skipped)s hộ đã có, %(seconds)s giây")
            % {
                "commune": commune.name,
                "prefix": prefix,
                "created": vn_number(result.created - created_before),
                "skipped": vn_number(result.skipped - skipped_before),
                "seconds": vn_decimal(time.monotonic() - commune_started),
            }
        )
    result.seconds = time.monotonic() - started
    return result


def _generate_one(arguments) -> tuple[GenerationResult, list[str]]:
    """One commune in a worker process, on the worker's own database connection."""
    commune_pk, per_commune, seed, batch_size, today = arguments
    lines: list[str] = []
    commune = AdministrativeUnit.objects.get(pk=commune_pk)
    result = households_generate(
        communes=[commune],
        per_commune=per_commune,
        seed=seed,
        batch_size=batch_size,
        progress=lines.append,
        today=today,
    )
    connections.close_all()
    return result, lines


def _generate_in_parallel(communes, per_commune, seed, batch_size, progress, today, workers) -> GenerationResult:
    """Fill the communes in ``workers`` processes, then redraw the personal IDs two workers drew at the same time."""
    started, total = time.monotonic(), GenerationResult()
    say = progress or (lambda message: None)
    connections.close_all()  # a forked worker must not share the parent's connection
    jobs = [(commune.pk, per_commune, seed, batch_size, today) for commune in communes]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for result, lines in pool.imap(_generate_one, jobs):
            for line in lines:
                say(line)
            total.created += result.created
            total.skipped += result.skipped
            total.communes += result.communes
            total.classes.update(result.classes)
    redrawn = _redraw_clashing_ids(seed, [commune.pk for commune in communes])
    if redrawn:
        say(_("Đã cấp lại %(count)s số định danh trùng giữa các xã.") % {"count": vn_number(redrawn)})
    total.seconds = time.monotonic() - started
    return total


def _redraw_clashing_ids(seed: int, commune_ids: list[int]) -> int:
    """Keep the first holder of each repeated personal ID and redraw the others in the generated communes (set-based,
    a few rounds at most); members elsewhere are never touched."""
    redrawn = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT m.id, m.sex, m.date_of_birth FROM households_member m
                JOIN households_household h ON h.id = m.household_id AND h.commune_id = ANY(%s)
                JOIN (SELECT personal_id, min(id) AS first FROM households_member WHERE personal_id <> ''
                      GROUP BY personal_id HAVING count(*) > 1) d ON d.personal_id = m.personal_id AND m.id <> d.first
                """,
                [commune_ids],
            )
            clashes = cursor.fetchall()
        if not clashes:
            return redrawn
        fresh = [
            (pk, personal_id(random.Random(f"{seed}:redraw:{pk}:{redrawn}"), sex, born)) for pk, sex, born in clashes
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE households_member m SET personal_id = v.pid FROM (VALUES "
                + ", ".join(["(%s, %s)"] * len(fresh))
                + ") AS v(id, pid) WHERE m.id = v.id",
                [value for row in fresh for value in row],
            )
        redrawn += len(fresh)


@transaction.atomic
def _save(batch: list["Planned"], result: GenerationResult, context: dict) -> None:
    """Write a batch: unique IDs, derived fields from the service's derivation, then one COPY per table."""
    _dedupe_ids(batch)
    for plan in batch:
        _refresh_derived(plan.household, plan.members, **context, facts=plan.household.facts)
        result.classes[plan.household.current_class] += 1
    subject, note = _("Hộ %(code)s"), _("Tạo từ dữ liệu mẫu")
    members, entries = [], []
    for plan, pk in zip(batch, reserve_ids(Household, len(batch)), strict=True):
        household = plan.household
        household.id = pk
        for member in plan.members:
            member.household_id = pk
            members.append(member)
        entries.append(
            ChangeEntryRecord(household_id=pk, subject=subject % {"code": household.code}, action="create", note=note)
        )
    copy_objects(Household, (plan.household for plan in batch), with_pk=True)
    copy_objects(Member, members)
    copy_objects(ChangeEntry, entries)
    result.created += len(batch)


ChangeEntryRecord = record_class(ChangeEntry)
