"""Multidimensional poverty standards as effective-dated data (STYLE.md rule 5; domain.md §1).

A ``Standard`` holds everything that changes from one decree to the next: income lines, the indicator set
with its thresholds, the classification rule and the proxy-means scoring rule. The values live in
``data/standards.json`` (or in database rows of the same shape); nothing here hard-codes a number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from . import schema
from .formatting import check_area_type, format_date

# QĐ 59/2015, Điều 2: income at or below the lower line is poor whatever the deprivations ("income_or_band");
# NĐ 07/2021, Điều 3 khoản 2 and NĐ 351/2025: poor/near-poor only at or below the line ("line_and_deprivation").
RULES = ("income_or_band", "line_and_deprivation")

# How far a value has been checked against the legal text (the tags of domain.md §0): "V" verified (``source`` is
# the citation), "P" partly verified and "U" unverified (``source`` says which text to check). Only "V" is final;
# an administrator corrects the others in the standard's definition.
TAGS = ("V", "P", "U")
# The values of a standard, besides its indicators, that carry their own tag.
STATUS_KEYS = (
    "poverty_line",
    "near_poverty_line",
    "average_upper",
    "low_income_worker_upper",
    "rule",
    "deprivation_threshold",
    "proxy",
    "working_age",
)


@dataclass(frozen=True)
class ValueStatus:
    """The legal status of one value: its verification tag and the citation (V) or the text to check (P, U)."""

    tag: str
    source: str

    def __post_init__(self) -> None:
        if self.tag not in TAGS:
            raise ValueError(f"Mức kiểm chứng “{self.tag}” không hợp lệ (chỉ nhận {', '.join(TAGS)}).")
        if not isinstance(self.source, str) or not self.source.strip():
            raise ValueError("Cần ghi căn cứ (đã đối chiếu) hoặc văn bản cần đối chiếu cho mức kiểm chứng.")

    @property
    def provisional(self) -> bool:
        return self.tag != "V"


@dataclass(frozen=True)
class IncomeLines:
    """An income threshold in VND per person per month, one value per area type."""

    rural: int
    urban: int

    def __post_init__(self) -> None:
        for area, value in (("nông thôn", self.rural), ("thành thị", self.urban)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Mức thu nhập khu vực {area} phải là số nguyên không âm (đồng), nhận được {value!r}.")

    def for_area(self, area_type: str) -> int:
        check_area_type(area_type)
        return self.rural if area_type == "rural" else self.urban


@dataclass(frozen=True)
class IndicatorSpec:
    """One deprivation indicator of a standard; ``params`` holds the thresholds its derivation reads."""

    code: str
    dimension: str
    name: str
    condition: str
    provisional: bool
    # Excluded from hashing (a mapping is not hashable); frozen read-only by __post_init__.
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    # Verification tag of the condition (TAGS) and its citation or the text to check; without a tag, the older
    # ``provisional`` flag gives "P" or "V". ``provisional`` always follows the tag.
    tag: str = ""
    source: str = ""
    name_en: str = ""  # shown when the interface is in English (docs/adr/0020); the Vietnamese name otherwise

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _freeze(dict(self.params)))
        if not self.tag:
            object.__setattr__(self, "tag", "P" if self.provisional else "V")
        if self.tag not in TAGS:
            raise ValueError(f"Chỉ số “{self.code}”: mức kiểm chứng “{self.tag}” không hợp lệ (chỉ nhận V, P, U).")
        object.__setattr__(self, "provisional", self.tag != "V")
        schema.check_indicator(self.code, self.params, f"Chỉ số “{self.code}”")
        for label, text in (("lĩnh vực", self.dimension), ("tên", self.name), ("điều kiện thiếu hụt", self.condition)):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"Chỉ số “{self.code}”: thiếu {label}.")


@dataclass(frozen=True)
class ProxyRule:
    """Proxy-means scoring: score A estimates income, B = points × deprived indicators (TT 07/2021; TT 17/2016)."""

    a_line: IncomeLines
    a_upper: IncomeLines | None
    b_threshold: int
    points_per_indicator: int
    legal_basis: str

    def __post_init__(self) -> None:
        if self.a_upper is not None:
            for area in ("rural", "urban"):
                if self.a_upper.for_area(area) < self.a_line.for_area(area):
                    raise ValueError("Cách tính điểm: ngưỡng điểm trên (B1) không được thấp hơn ngưỡng điểm nghèo.")
        if self.points_per_indicator < 1 or self.b_threshold < 0:
            raise ValueError("Cách tính điểm: số điểm mỗi chỉ số phải ≥ 1 và ngưỡng điểm B phải ≥ 0.")


@dataclass(frozen=True)
class Standard:
    """The poverty standard of one period; a review round uses exactly one (domain.md §1.1)."""

    code: str
    name: str
    legal_basis: str
    valid_from: date
    valid_to: date | None
    rule: str
    poverty_line: IncomeLines
    near_poverty_line: IncomeLines | None
    average_upper: IncomeLines | None
    low_income_worker_upper: IncomeLines | None
    deprivation_threshold: int
    indicators: tuple[IndicatorSpec, ...]
    proxy: ProxyRule | None
    provisional: bool
    notes: tuple[str, ...]
    working_age: tuple[int, int]
    # Short citation used in sentences ("Hộ nghèo theo Nghị định 07/2021/NĐ-CP: …"); falls back to ``name``.
    instrument: str = ""
    # The legal status of each value of STATUS_KEYS (a value without an entry is shown as not yet tagged).
    statuses: Mapping[str, ValueStatus] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "statuses", MappingProxyType(dict(self.statuses)))
        unknown = sorted(set(self.statuses) - set(STATUS_KEYS))
        if unknown:
            raise ValueError(f"Chuẩn “{self.code}”: “statuses” có mục không hợp lệ: {', '.join(unknown)}.")
        object.__setattr__(self, "indicators", tuple(self.indicators))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "working_age", tuple(self.working_age))
        where = f"Chuẩn “{self.code}”"
        if not self.code or not self.name or not self.legal_basis:
            raise ValueError(f"{where}: thiếu mã, tên hoặc căn cứ pháp lý.")
        if self.rule not in RULES:
            raise ValueError(f"{where}: cách phân loại “{self.rule}” không hợp lệ (chỉ nhận {', '.join(RULES)}).")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"{where}: ngày kết thúc {format_date(self.valid_to)} trước ngày bắt đầu.")
        if self.rule == "income_or_band" and self.near_poverty_line is None:
            raise ValueError(f"{where}: cách phân loại theo hai chuẩn (QĐ 59/2015) cần chuẩn cận nghèo.")
        band_top = self.near_poverty_line if self.rule == "income_or_band" else self.poverty_line
        for area in ("rural", "urban"):
            if band_top.for_area(area) < self.poverty_line.for_area(area):
                raise ValueError(f"{where}: chuẩn cận nghèo không được thấp hơn chuẩn nghèo.")
            if self.average_upper is not None and self.average_upper.for_area(area) < band_top.for_area(area):
                raise ValueError(f"{where}: mức sống trung bình không được thấp hơn chuẩn nghèo, cận nghèo.")
        if self.deprivation_threshold < 1:
            raise ValueError(f"{where}: ngưỡng số chỉ số thiếu hụt phải ≥ 1.")
        codes = [spec.code for spec in self.indicators]
        if not codes:
            raise ValueError(f"{where}: chưa có chỉ số thiếu hụt nào.")
        if len(set(codes)) != len(codes):
            raise ValueError(f"{where}: có chỉ số bị lặp.")
        low, high = self.working_age
        if not 0 <= low < high:
            raise ValueError(f"{where}: độ tuổi lao động ({low}, {high}) không hợp lệ.")

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(spec.code for spec in self.indicators)

    @property
    def citation(self) -> str:
        return self.instrument or self.name

    def indicator(self, code: str) -> IndicatorSpec:
        for spec in self.indicators:
            if spec.code == code:
                return spec
        raise ValueError(f"Chuẩn “{self.code}” không có chỉ số “{code}”.")

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


# --- (de)serialisation ----------------------------------------------------------------------------------------


def standard_from_dict(data: dict) -> Standard:
    """Build a Standard from JSON-shaped data; ValueError with a Vietnamese message on bad data."""
    if not isinstance(data, Mapping):
        raise ValueError("Nội dung chuẩn nghèo phải là một đối tượng JSON.")
    code = schema.text(data, "code", "Chuẩn nghèo")
    where = f"Chuẩn “{code}”"
    indicators = schema.get(data, "indicators", where, list)
    proxy = schema.get(data, "proxy", where, dict, optional=True)
    working_age = schema.get(data, "working_age", where, list)
    if len(working_age) != 2 or not all(schema.is_int(value) for value in working_age):
        raise ValueError(f"{where}: “working_age” phải là hai số nguyên [từ tuổi, đến dưới tuổi].")
    notes = schema.get(data, "notes", where, list, optional=True) or []
    if not all(isinstance(note, str) for note in notes):
        raise ValueError(f"{where}: “notes” phải là danh sách các câu ghi chú.")
    return Standard(
        code=code,
        name=schema.text(data, "name", where),
        legal_basis=schema.text(data, "legal_basis", where),
        valid_from=schema.day(data, "valid_from", where),
        valid_to=schema.day(data, "valid_to", where, optional=True),
        rule=schema.text(data, "rule", where),
        poverty_line=_lines(data, "poverty_line", where),
        near_poverty_line=_lines(data, "near_poverty_line", where, optional=True),
        average_upper=_lines(data, "average_upper", where, optional=True),
        low_income_worker_upper=_lines(data, "low_income_worker_upper", where, optional=True),
        deprivation_threshold=schema.integer(data, "deprivation_threshold", where),
        indicators=tuple(_indicator(item, f"{where}, chỉ số thứ {n}") for n, item in enumerate(indicators, 1)),
        proxy=_proxy(proxy, f"{where}, cách tính điểm") if proxy is not None else None,
        provisional=schema.get(data, "provisional", where, bool),
        notes=tuple(notes),
        working_age=(working_age[0], working_age[1]),
        instrument=schema.get(data, "instrument", where, str, optional=True) or "",
        statuses=_statuses(schema.get(data, "statuses", where, dict, optional=True) or {}, where),
    )


def standard_to_dict(standard: Standard) -> dict:
    """The JSON-ready form read by ``standard_from_dict`` (dates as ISO strings)."""
    proxy = standard.proxy
    return {
        "code": standard.code,
        "name": standard.name,
        "instrument": standard.instrument,
        "legal_basis": standard.legal_basis,
        "valid_from": standard.valid_from.isoformat(),
        "valid_to": standard.valid_to.isoformat() if standard.valid_to else None,
        "rule": standard.rule,
        "poverty_line": _lines_dict(standard.poverty_line),
        "near_poverty_line": _lines_dict(standard.near_poverty_line),
        "average_upper": _lines_dict(standard.average_upper),
        "low_income_worker_upper": _lines_dict(standard.low_income_worker_upper),
        "deprivation_threshold": standard.deprivation_threshold,
        "working_age": list(standard.working_age),
        "provisional": standard.provisional,
        "notes": list(standard.notes),
        "statuses": {
            key: {"tag": status.tag, "source": status.source}
            for key in STATUS_KEYS
            if (status := standard.statuses.get(key)) is not None
        },
        "proxy": None
        if proxy is None
        else {
            "a_line": _lines_dict(proxy.a_line),
            "a_upper": _lines_dict(proxy.a_upper),
            "b_threshold": proxy.b_threshold,
            "points_per_indicator": proxy.points_per_indicator,
            "legal_basis": proxy.legal_basis,
        },
        "indicators": [
            {
                "code": spec.code,
                "dimension": spec.dimension,
                "name": spec.name,
                "condition": spec.condition,
                "tag": spec.tag,
                "source": spec.source,
                "params": _thaw(spec.params),
                **({"name_en": spec.name_en} if spec.name_en else {}),
            }
            for spec in standard.indicators
        ],
    }


@lru_cache(maxsize=1)
def load_default_standards() -> tuple[Standard, ...]:
    """The standards shipped in ``data/standards.json``, oldest first, checked for overlapping periods."""
    text = resources.files(__package__).joinpath("data", "standards.json").read_text(encoding="utf-8")
    items = json.loads(text)["standards"]
    standards = tuple(sorted((standard_from_dict(item) for item in items), key=lambda s: s.valid_from))
    check_timeline(standards)
    return standards


def check_timeline(standards: Iterable[Standard]) -> None:
    """ValueError if two standards share a code or their periods overlap (gaps are allowed)."""
    ordered = sorted(standards, key=lambda s: s.valid_from)
    codes = [s.code for s in ordered]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"Mã chuẩn nghèo bị trùng: {', '.join(duplicates)}.")
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
            raise ValueError(
                f"Thời gian áp dụng của chuẩn {earlier.code} và {later.code} chồng lên nhau "
                f"(từ ngày {format_date(later.valid_from)})."
            )


def standard_for(day: date, standards: Iterable[Standard]) -> Standard:
    """The one standard in force on ``day``; ValueError if none is, or if several are."""
    matching = [standard for standard in standards if standard.in_force(day)]
    if not matching:
        raise ValueError(f"Không có chuẩn nghèo nào áp dụng cho ngày {format_date(day)}.")
    if len(matching) > 1:
        codes = ", ".join(standard.code for standard in matching)
        raise ValueError(f"Có nhiều chuẩn nghèo cùng áp dụng cho ngày {format_date(day)}: {codes}.")
    return matching[0]


# --- helpers --------------------------------------------------------------------------------------------------


def _lines(data: Mapping, key: str, where: str, *, optional: bool = False) -> IncomeLines | None:
    value = schema.get(data, key, where, dict, optional=optional)
    if value is None:
        return None
    inner = f"{where}, “{key}”"
    return IncomeLines(rural=schema.integer(value, "rural", inner), urban=schema.integer(value, "urban", inner))


def _lines_dict(lines: IncomeLines | None) -> dict | None:
    return None if lines is None else {"rural": lines.rural, "urban": lines.urban}


def _indicator(data: Any, where: str) -> IndicatorSpec:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: phải là một đối tượng JSON.")
    code = schema.text(data, "code", where)
    where = f"{where} (“{code}”)"
    tag = schema.get(data, "tag", where, str, optional=True) or ""
    return IndicatorSpec(
        code=code,
        dimension=schema.text(data, "dimension", where),
        name=schema.text(data, "name", where),
        condition=schema.text(data, "condition", where),
        # Older definitions only say whether the condition is provisional; a tag says how far it was checked.
        provisional=tag != "V" if tag else schema.get(data, "provisional", where, bool),
        params=schema.get(data, "params", where, dict, optional=True) or {},
        tag=tag,
        source=schema.get(data, "source", where, str, optional=True) or "",
        name_en=schema.get(data, "name_en", where, str, optional=True) or "",
    )


def _statuses(data: Mapping, where: str) -> dict[str, ValueStatus]:
    statuses = {}
    for key, item in data.items():
        inner = f"{where}, mức kiểm chứng của “{key}”"
        if not isinstance(item, Mapping):
            raise ValueError(f"{inner}: phải là một đối tượng JSON có “tag” và “source”.")
        tag, source = schema.text(item, "tag", inner), schema.text(item, "source", inner)
        if tag not in TAGS:
            raise ValueError(f"{inner}: “tag” chỉ nhận {', '.join(TAGS)}, nhận được {tag!r}.")
        statuses[key] = ValueStatus(tag=tag, source=source)
    return statuses


def _proxy(data: Mapping, where: str) -> ProxyRule:
    return ProxyRule(
        a_line=_lines(data, "a_line", where),
        a_upper=_lines(data, "a_upper", where, optional=True),
        b_threshold=schema.integer(data, "b_threshold", where),
        points_per_indicator=schema.integer(data, "points_per_indicator", where),
        legal_basis=schema.text(data, "legal_basis", where),
    )


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_thaw(item) for item in value]
    return value
