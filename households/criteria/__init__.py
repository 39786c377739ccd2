"""Poverty criteria as pure Python: standards (data), indicator derivation and household classification.

Imports nothing from Django or the rest of the project (STYLE.md rule 6): dataclasses in, dataclasses out.
The Django side builds ``HouseholdFacts`` / ``ClassificationInput`` from its models and stores the results.
"""

from .classify import (
    HOUSEHOLD_CLASSES,
    Classification,
    ClassificationInput,
    ExplanationRow,
    classify,
    low_income_worker,
)
from .facts import (
    EDUCATION_LEVELS,
    EMPLOYMENT_STATUSES,
    LATRINE_TYPES,
    WATER_SOURCES,
    HouseholdFacts,
    IndicatorResult,
    MemberFacts,
    age_on,
)
from .formatting import AREA_LABELS, AREA_TYPES, format_date, format_vnd
from .indicators import derive_indicators, no_labour_capacity
from .schema import INDICATOR_CODES
from .standards import (
    RULES,
    STATUS_KEYS,
    TAGS,
    IncomeLines,
    IndicatorSpec,
    ProxyRule,
    Standard,
    ValueStatus,
    check_timeline,
    load_default_standards,
    standard_for,
    standard_from_dict,
    standard_to_dict,
)

__all__ = [
    "AREA_LABELS",
    "AREA_TYPES",
    "EDUCATION_LEVELS",
    "EMPLOYMENT_STATUSES",
    "HOUSEHOLD_CLASSES",
    "INDICATOR_CODES",
    "LATRINE_TYPES",
    "RULES",
    "STATUS_KEYS",
    "TAGS",
    "WATER_SOURCES",
    "Classification",
    "ClassificationInput",
    "ExplanationRow",
    "HouseholdFacts",
    "IncomeLines",
    "IndicatorResult",
    "IndicatorSpec",
    "MemberFacts",
    "ProxyRule",
    "Standard",
    "ValueStatus",
    "age_on",
    "check_timeline",
    "classify",
    "derive_indicators",
    "format_date",
    "format_vnd",
    "load_default_standards",
    "low_income_worker",
    "no_labour_capacity",
    "standard_for",
    "standard_from_dict",
    "standard_to_dict",
]
