"""The survey of one case (TT 07/2021, Phụ lục III–IV): answers kept as a draft, classified by households' engine.

The answers never touch the registry until the round is recognised: they are applied to an in-memory copy of
the household that ``households.classification.assess`` reads like the real one.
"""

import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from households.choices import HouseholdClass
from households.classification import assess, standard_on
from households.models import Household

# The facts of the household the indicators and the income rule read (households.models.registry).
FACT_FIELDS = [
    "income_per_capita",
    "score_a",
    "floor_area_m2",
    "non_durable_main_parts",
    "water_source",
    "latrine",
    "uses_telecom",
    "has_information_device",
    "has_loudspeaker_access",
    "uses_digital_services",
    "handles_waste",
    "untreated_illness",
    "agricultural",
]

# The facts of each member the indicators read (health insurance, schooling, work, nutrition...).
MEMBER_FIELDS = [
    "education_level",
    "in_school",
    "health_insurance_valid_to",
    "able_to_work",
    "employment",
    "disability",
    "social_allowance",
    "stunted_or_underweight",
]

# TT 07/2021/TT-BLĐTBXH, Phụ lục IV: 10 điểm cho mỗi chỉ số thiếu hụt (điểm B)
POINTS_PER_DEPRIVATION = 10


@dataclass
class Answer:
    """An officer's answer on one indicator, read by assess() like an IndicatorOverride row."""

    code: str
    deprived: bool
    reason: str


@dataclass
class _Answers:
    rows: list

    def all(self) -> list:
        return self.rows


@dataclass
class DraftHousehold:
    """The household as the survey describes it (the attributes assess() reads)."""

    pk: int
    village: object
    area_type: str
    reference_date: object  # the round's: chooses the standard (the year the lists are for)
    survey_date: date | None = None  # the facts (ages, BHYT card) are judged on it, see survey_date_of()
    indicator_overrides: _Answers = field(default_factory=lambda: _Answers([]))
    income_per_capita: int | None = None
    score_a: int | None = None
    floor_area_m2: Decimal | None = None
    non_durable_main_parts: int | None = None
    water_source: str = ""
    latrine: str = ""
    uses_telecom: bool | None = None
    has_information_device: bool | None = None
    has_loudspeaker_access: bool | None = None
    uses_digital_services: bool | None = None
    handles_waste: bool | None = None
    untreated_illness: bool | None = None
    agricultural: bool = True


def facts_from_household(household: Household) -> dict:
    """The registry's current facts as JSON-able survey answers (the starting point of a new survey)."""
    facts = {}
    for name in FACT_FIELDS:
        value = getattr(household, name)
        facts[name] = str(value) if isinstance(value, Decimal) else value
    return facts


def member_answers_from(member) -> dict:
    """A registry member's facts as JSON-able survey answers."""
    answers = {name: getattr(member, name) for name in MEMBER_FIELDS}
    card = answers["health_insurance_valid_to"]
    answers["health_insurance_valid_to"] = card.isoformat() if card else None
    return answers


def surveyed_member(member, answers: dict | None):
    """A copy of the member with the surveyed answers applied; the registry row is not touched.

    The card counts from the surveyed end date: no end date means no card on the survey day.
    """
    if not answers:
        return member
    surveyed = copy.copy(member)
    for name in MEMBER_FIELDS:
        if name not in answers:
            continue
        value = answers[name]
        if name == "health_insurance_valid_to":
            value = date.fromisoformat(value) if value else None
            if value is None:
                surveyed.health_insurance_number, surveyed.health_insurance_valid_from = "", None
            elif not (member.health_insurance_valid_from and member.health_insurance_valid_from <= value):
                surveyed.health_insurance_valid_from = None
        setattr(surveyed, name, value if value is not None or name != "education_level" else "")
    if surveyed.employment is None:
        surveyed.employment = ""
    return surveyed


def indicator_specs(reference_date) -> list:
    try:
        return list(standard_on(reference_date).indicators)
    except ValueError:
        return []


def survey_date_of(case, facts: dict) -> date:
    """The day the household was surveyed: as typed on the sheet, else the day the sheet was last saved, else today.

    NĐ 07/2021, Phụ lục ("hiện không có bảo hiểm y tế", "hiện không đi học") and TT 07/2021, Phụ lục IV describe
    the household when surveyed, so a card valid to 31/12 covers a member surveyed in November for next year's
    lists; the round's reference date (1 January of that year) only chooses the standard.
    """
    value = facts.get("surveyed_on")
    if isinstance(value, date):
        return value
    if value:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            pass
    if case.surveyed_at:
        return timezone.localtime(case.surveyed_at).date()
    return timezone.localdate()


def case_assess(case, facts: dict, answers: dict, member_answers: dict | None = None) -> dict:
    """Classify the surveyed household; ``answers`` maps indicator code → {"deprived": bool, "reason": str},
    ``member_answers`` maps a member's id (as a string) to the surveyed facts of that member."""
    household = case.household
    values = {name: facts.get(name) for name in FACT_FIELDS}
    if values.get("floor_area_m2") not in (None, ""):
        values["floor_area_m2"] = Decimal(str(values["floor_area_m2"]))
    values["water_source"] = values.get("water_source") or ""
    values["latrine"] = values.get("latrine") or ""
    values["agricultural"] = bool(values.get("agricultural"))
    draft = DraftHousehold(
        pk=household.pk,
        village=household.village,
        area_type=household.area_type,
        reference_date=case.round.reference_date,
        survey_date=survey_date_of(case, facts),
        indicator_overrides=_Answers(
            [Answer(code, bool(a["deprived"]), a.get("reason", "")) for code, a in answers.items()]
        ),
        **values,
    )
    member_answers = member_answers or {}
    members = [
        surveyed_member(m, member_answers.get(str(m.pk)))
        for m in household.members.current().in_family_order().select_related("ethnic_group")
    ]
    snapshot = assess(draft, members)
    cls = snapshot.get("household_class")
    snapshot["class_label"] = str(HouseholdClass(cls).label) if cls else ""
    snapshot["score_b"] = POINTS_PER_DEPRIVATION * len(snapshot.get("deprived", []))
    snapshot["members"] = [
        {
            "name": m.full_name,
            "relationship": m.get_relationship_display(),
            "born": m.date_of_birth.isoformat(),
            "sex": m.sex,
            "ethnicity": m.ethnic_group.name,
        }
        for m in members
    ]
    return snapshot
