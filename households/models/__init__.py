"""Models of the households app: the registry and the poverty standards it is judged by."""

from .registry import ChangeEntry, EthnicGroup, Household, IndicatorOverride, Member, StatusRecord
from .standards import PovertyStandard, ProvinceIncomeLine

__all__ = [
    "ChangeEntry",
    "EthnicGroup",
    "Household",
    "IndicatorOverride",
    "Member",
    "PovertyStandard",
    "ProvinceIncomeLine",
    "StatusRecord",
]
