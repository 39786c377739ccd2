"""Deriving each deprivation indicator of a standard from household and member facts.

Every threshold comes from the indicator's ``params`` in the standard (data), never from this module.
Three-valued logic throughout: a household is deprived as soon as one member is known to trigger the
indicator; it is "unknown" (``None``) when no member triggers it but some fact needed to be sure is missing.
Member-level indicators follow NĐ 07/2021, Phụ lục (2022–2026) and QĐ 59/2015, Điều 1 (2016–2021); each
condition's verification tag and the text to check are data (``IndicatorSpec.tag`` / ``source``).

Which day the facts are judged on: the day of the survey, never the first day of the year the lists are for.
The conditions describe the household as it is when surveyed ("hiện không có bảo hiểm y tế", "hiện không đi
học": NĐ 07/2021, Phụ lục; QĐ 59/2015, Điều 1) and the survey sheet records that situation (TT 07/2021/
TT-BLĐTBXH, Phụ lục IV, phiếu B2; QĐ 24/2021/QĐ-TTg, Điều 4 bước 2: thu thập thông tin của hộ). So every dated
fact is read on ``facts_date``: the health-insurance card's validity, and each age threshold (working age,
children under 16, school age 3 to under 16, the adult-education bands, the 6-year floor of indicator 4). The
standard itself (lines, indicator set) is chosen separately, by the year the lists are for (reviews.calendar).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from .facts import (
    EDUCATION_LEVELS,
    EMPLOYMENT_STATUSES,
    LATRINE_TYPES,
    WATER_SOURCES,
    HouseholdFacts,
    IndicatorResult,
    age_on,
)
from .facts import MemberFacts as Member
from .formatting import format_date, format_number
from .standards import IndicatorSpec, Standard

# A member's verdict: (True, why) triggers the indicator, (False, None) does not, (None, what is missing) unknown.
Verdict = tuple[bool | None, str | None]


@dataclass(frozen=True)
class _Context:
    facts_date: date  # the survey day: ages and card validity are read on it (module docstring)
    working_age: tuple[int, int]  # [from, under): "trong độ tuổi lao động" [U] (15, 60) in the data

    def age(self, member: Member) -> int | None:
        return None if member.date_of_birth is None else age_on(member.date_of_birth, self.facts_date)

    def label(self, member: Member, extra: str = "") -> str:
        """Name and age as officers write it: Nguyễn Văn A (7 tuổi), or Nguyễn Văn A (7 tuổi, trẻ em)."""
        age = self.age(member)
        parts = ([] if age is None else [f"{'dưới 1' if age == 0 else age} tuổi"]) + ([extra] if extra else [])
        return f"{member.name} ({', '.join(parts)})" if parts else member.name

    def in_working_age(self, age: int) -> bool:
        low, high = self.working_age
        return low <= age < high


def derive_indicators(household: HouseholdFacts, standard: Standard, facts_date: date) -> dict[str, IndicatorResult]:
    """One result per indicator of ``standard``, in its order, with the facts judged on ``facts_date``: the survey
    day of a review, the household's own reference day in the registry (module docstring).

    Raises ValueError if a member was born after that day.
    """
    context = _Context(facts_date, standard.working_age)
    return {spec.code: _DERIVATIONS[spec.code](household, spec, context) for spec in standard.indicators}


def no_labour_capacity(household: HouseholdFacts, standard: Standard, facts_date: date) -> bool | None:
    """Every member is outside working age on ``facts_date`` or unable to work (domain.md §2.9, provisional [U])."""
    context = _Context(facts_date, standard.working_age)
    if not household.members:
        return None
    unknown = False
    for member in household.members:
        age = context.age(member)
        if member.able_to_work is False or (age is not None and not context.in_working_age(age)):
            continue
        if age is not None and member.able_to_work is True:
            return False
        unknown = True
    return None if unknown else True


# --- combining member verdicts --------------------------------------------------------------------------------


def _any_member(
    household: HouseholdFacts, spec: IndicatorSpec, judge: Callable[[Member], Verdict], all_clear: str
) -> IndicatorResult:
    if not household.members:
        return IndicatorResult(spec.code, spec.name, None, (), "Hộ chưa có thành viên nào.")
    triggered: list[str] = []
    reasons: list[str] = []
    missing: list[str] = []
    for member in household.members:
        verdict, text = judge(member)
        if verdict is True:
            triggered.append(member.name)
            reasons.append(text)
        elif verdict is None:
            missing.append(text)
    if triggered:
        return IndicatorResult(spec.code, spec.name, True, tuple(triggered), _sentence("; ".join(reasons)))
    if missing:
        return IndicatorResult(spec.code, spec.name, None, (), _sentence("Chưa đủ thông tin: " + "; ".join(missing)))
    return IndicatorResult(spec.code, spec.name, False, (), all_clear)


def _household(spec: IndicatorSpec, deprived: bool | None, reason: str) -> IndicatorResult:
    return IndicatorResult(spec.code, spec.name, deprived, (), reason)


def _sentence(text: str) -> str:
    text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _in_range(age: int, params: Mapping[str, Any]) -> bool:
    # "từ đủ N tuổi" = min_age; "dưới N tuổi" = under_age; "đến N tuổi" = max_age (full years, inclusive).
    if age < params["min_age"]:
        return False
    return age < params["under_age"] if "under_age" in params else age <= params["max_age"]


def _range_text(params: Mapping[str, Any]) -> str:
    end = f"dưới {params['under_age']}" if "under_age" in params else f"{params['max_age']}"
    return f"từ đủ {params['min_age']} đến {end} tuổi"


# --- member-level indicators ----------------------------------------------------------------------------------


def _health_insurance(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 4 (QĐ 59/2015 the same): a member aged 6+ who "hiện không có" a BHYT card, so
    # the card is judged valid or not on the survey day: a card valid to 31/12 covers a member surveyed in
    # November for next year's lists (TT 07/2021, Phụ lục IV records the situation when surveyed).
    min_age, day = spec.params["min_age"], ctx.facts_date

    def judge(member: Member) -> Verdict:
        if member.has_card_dates:
            start, end = member.health_insurance_valid_from, member.health_insurance_valid_to
            covered = (start is None or start <= day) and (end is None or day <= end)
        else:
            covered = member.has_health_insurance
        age = ctx.age(member)
        if covered is True or (age is not None and age < min_age):
            return False, None
        if age is None:
            return None, f"chưa rõ ngày sinh của {member.name}"
        if covered is None:
            return None, f"chưa rõ {ctx.label(member)} có thẻ BHYT hay không"
        why = f"{ctx.label(member)} không có thẻ BHYT còn hạn vào ngày {format_date(day)}"
        if member.health_insurance_valid_to is not None and member.health_insurance_valid_to < day:
            why += f" (thẻ hết hạn ngày {format_date(member.health_insurance_valid_to)})"
        elif member.health_insurance_valid_from is not None and day < member.health_insurance_valid_from:
            why += f" (thẻ có giá trị từ ngày {format_date(member.health_insurance_valid_from)})"
        return True, why

    return _any_member(household, spec, judge, f"Mọi thành viên từ đủ {min_age} tuổi đều có thẻ BHYT còn hạn.")


def _child_schooling(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 6: child 3 to under 16 "hiện không đi học"; QĐ 59/2015: 5 to under 15 [U].
    # Age and attendance both on the survey day: a child who turns 3 after the survey is not yet counted.
    params = spec.params

    def judge(member: Member) -> Verdict:
        age = ctx.age(member)
        if member.in_school is True or (age is not None and not _in_range(age, params)):
            return False, None
        if age is None:
            return None, f"chưa rõ ngày sinh của {member.name}"
        if member.in_school is None:
            return None, f"chưa rõ {ctx.label(member)} có đang đi học không"
        return True, f"{ctx.label(member)} không đi học"

    return _any_member(household, spec, judge, f"Không có trẻ em {_range_text(params)} nào không đi học.")


def _adult_education(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 5: 16–<18 need lower secondary, 18–30 upper secondary or vocational;
    # QĐ 59/2015: 15 to under 30 without lower secondary [U]. Members in school or training are never deprived.
    bands = spec.params["bands"]

    def judge(member: Member) -> Verdict:
        if member.in_school is True:
            return False, None
        age = ctx.age(member)
        if age is None:
            if all(member.education_level in band["accepted"] for band in bands):
                return False, None
            return None, f"chưa rõ ngày sinh của {member.name}"
        band = next((band for band in bands if _in_range(age, band)), None)
        if band is None or member.education_level in band["accepted"]:
            return False, None
        if member.education_level is None:
            return None, f"chưa rõ trình độ học vấn của {ctx.label(member)}"
        if member.in_school is None:
            return None, f"chưa rõ {ctx.label(member)} có đang đi học không"
        return True, f"{ctx.label(member)} không đi học, {EDUCATION_LEVELS[member.education_level]}"

    return _any_member(household, spec, judge, "Mọi thành viên trong độ tuổi xét đều đang đi học hoặc đủ bằng cấp.")


def _nutrition(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 3: a child under 16 (on the survey day) stunted or underweight.
    child_under = spec.params["child_under"]

    def judge(member: Member) -> Verdict:
        age = ctx.age(member)
        if member.stunted_or_underweight is False or (age is not None and age >= child_under):
            return False, None
        if age is None:
            return None, f"chưa rõ ngày sinh của {member.name}"
        if member.stunted_or_underweight is None:
            return None, f"chưa có thông tin dinh dưỡng của {ctx.label(member)}"
        return True, f"{ctx.label(member)} suy dinh dưỡng thấp còi hoặc nhẹ cân"

    return _any_member(household, spec, judge, f"Không có trẻ em dưới {child_under} tuổi bị suy dinh dưỡng.")


def _employment(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 1: a working-age member (age on the survey day) able to work who is unemployed
    # or has a wage job without a labour contract.
    deprived_statuses = spec.params["deprived_statuses"]

    def judge(member: Member) -> Verdict:
        age = ctx.age(member)
        if member.able_to_work is False or (age is not None and not ctx.in_working_age(age)):
            return False, None
        if member.employment is not None and member.employment not in deprived_statuses:
            return False, None
        if age is None:
            return None, f"chưa rõ ngày sinh của {member.name}"
        if member.employment is None:
            return None, f"chưa rõ việc làm của {ctx.label(member)}"
        if member.able_to_work is None:
            return None, f"chưa rõ {ctx.label(member)} có khả năng lao động không"
        return True, f"{ctx.label(member)} {EMPLOYMENT_STATUSES[member.employment]}"

    low, high = ctx.working_age
    all_clear = f"Không có người từ đủ {low} đến dưới {high} tuổi thất nghiệp hoặc làm việc không có hợp đồng."
    return _any_member(household, spec, judge, all_clear)


def _dependants(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 2 [P]; definition from the NĐ 351/2025 draft [U]: children under 16, and
    # elderly or disabled persons receiving a monthly social allowance, are dependants; deprived above 50 %.
    child_under, max_percent = spec.params["child_under"], spec.params["max_percent"]
    members = household.members
    if not members:
        return _household(spec, None, "Hộ chưa có thành viên nào.")
    dependants: list[tuple[Member, str]] = []
    unknown: list[Member] = []
    for member in members:
        age = ctx.age(member)
        if age is not None and age < child_under:
            dependants.append((member, "trẻ em"))
        elif member.social_allowance and member.disability:
            dependants.append((member, "người khuyết tật hưởng trợ cấp xã hội"))
        elif member.social_allowance and age is not None and age >= ctx.working_age[1]:
            dependants.append((member, "người cao tuổi hưởng trợ cấp xã hội"))
        elif age is None:
            unknown.append(member)
    total, count = len(members), len(dependants)
    share = f"{count}/{total} thành viên là người phụ thuộc ({format_number(Decimal(count * 100) / total)} %)"
    names = "; ".join(ctx.label(member, kind) for member, kind in dependants)
    if count * 100 > max_percent * total:
        return IndicatorResult(
            spec.code, spec.name, True, tuple(m.name for m, _ in dependants), f"{share}, trên {max_percent} %: {names}."
        )
    if (count + len(unknown)) * 100 > max_percent * total:
        missing = ", ".join(member.name for member in unknown)
        return _household(spec, None, f"{share}; chưa rõ ngày sinh của {missing}.")
    return _household(spec, False, f"{share}, không quá {max_percent} %.")


# --- household-level indicators -------------------------------------------------------------------------------


def _housing_quality(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 7: non-durable house, ≥ 2 of the 3 main structures non-durable.
    parts, needed = household.non_durable_main_parts, spec.params["min_non_durable_parts"]
    if parts is None:
        return _household(spec, None, "Chưa rõ số kết cấu chính (tường, cột, mái) làm bằng vật liệu không bền chắc.")
    text = f"Nhà có {parts}/3 kết cấu chính (tường, cột, mái) không bền chắc"
    if parts >= needed:
        return _household(spec, True, f"{text}: nhà thiếu kiên cố hoặc đơn sơ.")
    return _household(spec, False, f"{text}.")


def _housing_area(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 8: floor area per person below 8 m².
    area, minimum = household.floor_area_m2, Decimal(str(spec.params["min_m2_per_person"]))
    if area is None:
        return _household(spec, None, "Chưa rõ diện tích nhà ở.")
    if not household.members:
        return _household(spec, None, "Hộ chưa có thành viên nào.")
    people = len(household.members)
    per_person = area / people
    # Rounded down so that a household below the threshold never reads as "8 m²/người, dưới 8 m²".
    shown = format_number(per_person, places=2, rounding=ROUND_FLOOR)
    text = f"Diện tích bình quân {shown} m²/người ({format_number(area)} m² cho {people} người)"
    if per_person < minimum:
        return _household(spec, True, f"{text}, dưới {format_number(minimum)} m².")
    return _household(spec, False, f"{text}.")


def _water_source(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 9: no clean water source (the list of clean sources is data) [P].
    source = household.water_source
    if source is None:
        return _household(spec, None, "Chưa rõ nguồn nước sinh hoạt.")
    if source not in spec.params["clean_sources"]:
        return _household(spec, True, f"Hộ dùng {WATER_SOURCES[source]}, không phải nguồn nước sạch.")
    return _household(spec, False, f"Hộ dùng {WATER_SOURCES[source]}.")


def _latrine(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 10: no hygienic latrine (the list of hygienic types is data) [P].
    kind = household.latrine
    if kind is None:
        return _household(spec, None, "Chưa rõ loại nhà tiêu.")
    deprived = kind not in spec.params["hygienic"]
    if kind == "none":  # an absence is not something the household "uses" ("Hộ dùng không có nhà tiêu")
        return _household(spec, deprived, "Hộ không có nhà tiêu.")
    if deprived:
        return _household(spec, True, f"Hộ dùng {LATRINE_TYPES[kind]}, không phải nhà tiêu hợp vệ sinh.")
    return _household(spec, False, f"Hộ dùng {LATRINE_TYPES[kind]}.")


def _flag(fact: str, deprived_when: bool, deprived: str, fine: str, missing: str) -> Callable:
    """A household-level indicator read from one yes/no fact."""

    def derive(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
        value = getattr(household, fact)
        if value is None:
            return _household(spec, None, missing)
        return _household(spec, True, deprived) if value is deprived_when else _household(spec, False, fine)

    return derive


def _information_devices(household: HouseholdFacts, spec: IndicatorSpec, ctx: _Context) -> IndicatorResult:
    # NĐ 07/2021, Phụ lục, chỉ số 12 [U]; QĐ 59/2015 "tài sản phục vụ tiếp cận thông tin" [U]:
    # no information device and no access to the commune/village loudspeaker system.
    device, loudspeaker = household.has_information_device, household.has_loudspeaker_access
    if device is True or loudspeaker is True:
        return _household(spec, False, "Hộ có phương tiện tiếp cận thông tin hoặc nghe được loa truyền thanh.")
    if device is False and loudspeaker is False:
        return _household(
            spec, True, "Hộ không có ti vi, radio, máy tính, điện thoại… và không nghe được loa truyền thanh xã, thôn."
        )
    return _household(spec, None, "Chưa rõ hộ có phương tiện tiếp cận thông tin hoặc nghe được loa truyền thanh không.")


_DERIVATIONS: dict[str, Callable[[HouseholdFacts, IndicatorSpec, _Context], IndicatorResult]] = {
    "employment": _employment,
    "dependants": _dependants,
    "nutrition": _nutrition,
    "health_insurance": _health_insurance,
    "adult_education": _adult_education,
    "child_schooling": _child_schooling,
    "housing_quality": _housing_quality,
    "housing_area": _housing_area,
    "water_source": _water_source,
    "latrine": _latrine,
    # NĐ 07/2021, Phụ lục, chỉ số 11 [P]
    "telecom": _flag(
        "uses_telecom",
        False,
        "Không thành viên nào sử dụng thuê bao điện thoại hoặc internet.",
        "Có thành viên sử dụng thuê bao điện thoại hoặc internet.",
        "Chưa rõ hộ có sử dụng điện thoại hoặc internet không.",
    ),
    "information_devices": _information_devices,
    # QĐ 59/2015, Điều 1: a member seriously ill who was not examined or treated [U]
    "health_access": _flag(
        "untreated_illness",
        True,
        "Có thành viên bị ốm đau nhưng không đi khám chữa bệnh.",
        "Không có thành viên ốm đau mà không được khám chữa bệnh.",
        "Chưa rõ có thành viên ốm đau mà không được khám chữa bệnh không.",
    ),
    # NĐ 351/2025 (2027–2030), new indicators; conditions not published in the final text [P]
    "digital_services": _flag(
        "uses_digital_services",
        False,
        "Không thành viên nào sử dụng dịch vụ số.",
        "Có thành viên sử dụng dịch vụ số.",
        "Chưa rõ hộ có sử dụng dịch vụ số không.",
    ),
    "waste": _flag(
        "handles_waste",
        False,
        "Hộ không thu gom, xử lý rác thải sinh hoạt.",
        "Hộ có thu gom, xử lý rác thải sinh hoạt.",
        "Chưa rõ hộ có thu gom, xử lý rác thải sinh hoạt không.",
    ),
}
