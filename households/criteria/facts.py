"""Facts about a household and its members, from which the deprivation indicators are derived.

Member-level facts are kept (not household ticks) because most indicators are triggered by any one member
within an age band (domain.md §1.3, engineering notes). ``None`` always means "not known yet".
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Stored values are English; the Vietnamese labels are what explanations show.
EDUCATION_LEVELS = {
    "none": "chưa học hết tiểu học",
    "primary": "tốt nghiệp tiểu học",
    "lower_secondary": "tốt nghiệp trung học cơ sở",
    "upper_secondary": "tốt nghiệp trung học phổ thông",
    "vocational": "có chứng chỉ sơ cấp, trung cấp nghề",
    "college_or_higher": "cao đẳng, đại học trở lên",
}

EMPLOYMENT_STATUSES = {
    "wage_with_contract": "làm công ăn lương có hợp đồng lao động",
    "wage_without_contract": "làm công ăn lương không có hợp đồng lao động",
    "self_employed": "tự làm",
    "unemployed": "thất nghiệp",
    "not_working": "không làm việc",
    "studying": "đang đi học",
}

WATER_SOURCES = {
    "piped": "nước máy",
    "drilled_well": "giếng khoan",
    "protected_dug_well": "giếng đào được bảo vệ",
    "protected_spring": "nước khe, mó được bảo vệ",
    "rainwater": "nước mưa",
    "bottled": "nước mua (bình, téc)",
    "unprotected_well": "giếng đào không được bảo vệ",
    "surface_water": "nước sông, suối, ao, hồ",
    "other": "nguồn nước khác",
}

LATRINE_TYPES = {
    "septic": "nhà tiêu tự hoại",
    "semi_septic": "nhà tiêu bán tự hoại",
    "pour_flush": "nhà tiêu thấm dội nước",
    "ventilated_pit": "nhà tiêu chìm có ống thông hơi",
    "double_vault": "nhà tiêu hai ngăn",
    "simple_pit": "hố xí đơn giản",
    "none": "không có nhà tiêu",
    "other": "loại nhà tiêu khác",
}


def _check_code(value: str | None, allowed: dict[str, str], what: str) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"{what} không hợp lệ: {value!r} (chỉ nhận {', '.join(allowed)}).")


@dataclass(frozen=True)
class MemberFacts:
    """What the review needs to know about one member on the reference date."""

    name: str
    date_of_birth: date | None
    is_head: bool = False
    health_insurance_valid_from: date | None = None
    health_insurance_valid_to: date | None = None
    has_health_insurance: bool | None = None
    in_school: bool | None = None
    education_level: str | None = None
    able_to_work: bool | None = None
    employment: str | None = None
    disability: bool = False
    social_allowance: bool = False
    stunted_or_underweight: bool | None = None

    def __post_init__(self) -> None:
        _check_code(self.education_level, EDUCATION_LEVELS, f"Trình độ học vấn của {self.name}")
        _check_code(self.employment, EMPLOYMENT_STATUSES, f"Việc làm của {self.name}")
        start, end = self.health_insurance_valid_from, self.health_insurance_valid_to
        if start and end and end < start:
            raise ValueError(f"Thẻ BHYT của {self.name}: ngày hết hạn trước ngày bắt đầu có giá trị.")

    @property
    def has_card_dates(self) -> bool:
        return self.health_insurance_valid_from is not None or self.health_insurance_valid_to is not None


@dataclass(frozen=True)
class HouseholdFacts:
    """Household-level facts plus its current members."""

    members: tuple[MemberFacts, ...]
    floor_area_m2: Decimal | None = None
    non_durable_main_parts: int | None = None
    water_source: str | None = None
    latrine: str | None = None
    uses_telecom: bool | None = None
    has_information_device: bool | None = None
    has_loudspeaker_access: bool | None = None
    uses_digital_services: bool | None = None
    handles_waste: bool | None = None
    untreated_illness: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(self.members))
        if self.floor_area_m2 is not None:
            try:
                area = Decimal(str(self.floor_area_m2))
            except InvalidOperation:
                raise ValueError(f"Diện tích nhà ở không hợp lệ: {self.floor_area_m2!r}.") from None
            if not area.is_finite() or area < 0:
                raise ValueError(f"Diện tích nhà ở phải là số không âm, nhận được {self.floor_area_m2!r}.")
            object.__setattr__(self, "floor_area_m2", area)
        parts = self.non_durable_main_parts
        if parts is not None and (not isinstance(parts, int) or not 0 <= parts <= 3):
            raise ValueError(f"Số kết cấu chính không bền chắc phải từ 0 đến 3 (tường, cột, mái), nhận được {parts!r}.")
        _check_code(self.water_source, WATER_SOURCES, "Nguồn nước sinh hoạt")
        _check_code(self.latrine, LATRINE_TYPES, "Loại nhà tiêu")


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator judged from the facts; ``deprived`` is None when the facts do not tell."""

    code: str
    name: str
    deprived: bool | None
    triggered_by: tuple[str, ...]
    reason: str


@lru_cache(maxsize=1 << 16)  # a pure function of two dates, called for every member by each indicator
def age_on(date_of_birth: date, day: date) -> int:
    """Age in full years on ``day`` ("đủ N tuổi"): N from the N-th birthday itself.

    Someone born on 29 February turns N on 28 February in a non-leap year, as the Civil Code ends a period
    that has no matching day on the last day of the month (BLDS 2015, Điều 148 khoản 1, by analogy).
    """
    if day < date_of_birth:
        raise ValueError(f"Ngày {day:%d/%m/%Y} trước ngày sinh {date_of_birth:%d/%m/%Y}: chưa tính được tuổi.")
    years = day.year - date_of_birth.year
    if day < _birthday_in(date_of_birth, day.year):
        years -= 1
    return years


def _birthday_in(date_of_birth: date, year: int) -> date:
    try:
        return date_of_birth.replace(year=year)
    except ValueError:  # 29 February in a non-leap year
        return date(year, 2, 28)
