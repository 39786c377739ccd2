"""Shape checks for standards read from JSON or database rows, with Vietnamese error messages.

A bad definition must fail when an administrator saves it, not later in the middle of a review, so every
indicator's ``params`` is checked against what its derivation in ``indicators.py`` reads.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from .facts import EDUCATION_LEVELS, EMPLOYMENT_STATUSES, LATRINE_TYPES, WATER_SOURCES

INDICATOR_CODES = (
    "employment",
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "housing_area",
    "water_source",
    "latrine",
    "telecom",
    "information_devices",
    "health_access",
    "digital_services",
    "waste",
)

_TYPE_NAMES = {dict: "một đối tượng JSON", list: "một danh sách", str: "một chuỗi chữ", bool: "true hoặc false"}


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def get(data: Mapping, key: str, where: str, kind: type, *, optional: bool = False) -> Any:
    """``data[key]`` checked to be of ``kind``; None allowed only when ``optional``."""
    value = data.get(key)
    if value is None:
        if optional:
            return None
        raise ValueError(f"{where}: thiếu trường “{key}”.")
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ValueError(f"{where}: trường “{key}” phải là {_TYPE_NAMES.get(kind, kind.__name__)}.")
    return value


def text(data: Mapping, key: str, where: str) -> str:
    value = get(data, key, where, str)
    if not value.strip():
        raise ValueError(f"{where}: trường “{key}” không được để trống.")
    return value


def integer(data: Mapping, key: str, where: str) -> int:
    value = data.get(key)
    if not is_int(value) or value < 0:
        raise ValueError(f"{where}: trường “{key}” phải là số nguyên không âm, nhận được {value!r}.")
    return value


def day(data: Mapping, key: str, where: str, *, optional: bool = False) -> date | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: trường “{key}” phải là ngày dạng YYYY-MM-DD, nhận được {value!r}.") from None


def check_indicator(code: str, params: Mapping[str, Any], where: str) -> None:
    """ValueError unless ``code`` is known and ``params`` holds what its derivation needs."""
    if code not in INDICATOR_CODES:
        raise ValueError(f"{where}: mã chỉ số không hợp lệ (chỉ nhận {', '.join(INDICATOR_CODES)}).")
    check = _PARAM_CHECKS.get(code)
    if check:
        check(params, f"{where}, tham số")


def _age(params: Mapping, key: str, where: str) -> int:
    value = params.get(key)
    if not is_int(value) or not 0 <= value <= 150:
        raise ValueError(f"{where}: “{key}” phải là số tuổi (số nguyên 0–150), nhận được {value!r}.")
    return value


def _codes(params: Mapping, key: str, where: str, allowed: Mapping[str, str]) -> None:
    value = params.get(key)
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        raise ValueError(f"{where}: “{key}” phải là danh sách mã không rỗng.")
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise ValueError(f"{where}: “{key}” có mã không hợp lệ: {', '.join(map(str, unknown))}.")


def _age_range(params: Mapping, where: str) -> None:
    # "dưới N tuổi" is under_age (exclusive), "đến N tuổi" is max_age (inclusive, full years).
    low = _age(params, "min_age", where)
    if ("under_age" in params) == ("max_age" in params):
        raise ValueError(f"{where}: cần đúng một trong hai trường “under_age” (dưới N tuổi), “max_age” (đến N tuổi).")
    high = _age(params, "under_age", where) if "under_age" in params else _age(params, "max_age", where) + 1
    if high <= low:
        raise ValueError(f"{where}: khoảng tuổi rỗng.")


def _check_employment(params: Mapping, where: str) -> None:
    _codes(params, "deprived_statuses", where, EMPLOYMENT_STATUSES)


def _check_dependants(params: Mapping, where: str) -> None:
    _age(params, "child_under", where)
    percent = params.get("max_percent")
    if not is_int(percent) or not 0 <= percent <= 100:
        raise ValueError(f"{where}: “max_percent” phải là số nguyên 0–100.")


def _check_nutrition(params: Mapping, where: str) -> None:
    _age(params, "child_under", where)


def _check_health_insurance(params: Mapping, where: str) -> None:
    _age(params, "min_age", where)


def _check_adult_education(params: Mapping, where: str) -> None:
    bands = params.get("bands")
    if not isinstance(bands, Sequence) or isinstance(bands, str) or not bands:
        raise ValueError(f"{where}: “bands” phải là danh sách các nhóm tuổi không rỗng.")
    for number, band in enumerate(bands, 1):
        inner = f"{where}, nhóm tuổi thứ {number}"
        if not isinstance(band, Mapping):
            raise ValueError(f"{inner}: phải là một đối tượng JSON.")
        _age_range(band, inner)
        _codes(band, "accepted", inner, EDUCATION_LEVELS)


def _check_child_schooling(params: Mapping, where: str) -> None:
    _age_range(params, where)


def _check_housing_quality(params: Mapping, where: str) -> None:
    value = params.get("min_non_durable_parts")
    if not is_int(value) or not 1 <= value <= 3:
        raise ValueError(f"{where}: “min_non_durable_parts” phải là số nguyên 1–3.")


def _check_housing_area(params: Mapping, where: str) -> None:
    value = params.get("min_m2_per_person")
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{where}: “min_m2_per_person” phải là số dương (m²).")


def _check_water_source(params: Mapping, where: str) -> None:
    _codes(params, "clean_sources", where, WATER_SOURCES)


def _check_latrine(params: Mapping, where: str) -> None:
    _codes(params, "hygienic", where, LATRINE_TYPES)


_PARAM_CHECKS = {
    "employment": _check_employment,
    "dependants": _check_dependants,
    "nutrition": _check_nutrition,
    "health_insurance": _check_health_insurance,
    "adult_education": _check_adult_education,
    "child_schooling": _check_child_schooling,
    "housing_quality": _check_housing_quality,
    "housing_area": _check_housing_area,
    "water_source": _check_water_source,
    "latrine": _check_latrine,
}
