"""Models of the households app: the registry, the poverty standards it is judged by, targets and registrations."""

from .registry import ChangeEntry, EthnicGroup, Household, IndicatorOverride, Member, StatusRecord
from .search import HouseholdSearch, HouseholdSearchWord
from .standards import PovertyStandard, ProvinceIncomeLine
from .summary import CommuneSummary, SummaryStale
from .targets import EscapeRegistration, EscapeRegistrationState, PovertyTarget, UnitPopulation

__all__ = [
    "ChangeEntry",
    "CommuneSummary",
    "EscapeRegistration",
    "EscapeRegistrationState",
    "EthnicGroup",
    "Household",
    "HouseholdSearch",
    "HouseholdSearchWord",
    "IndicatorOverride",
    "Member",
    "PovertyStandard",
    "PovertyTarget",
    "ProvinceIncomeLine",
    "StatusRecord",
    "SummaryStale",
    "UnitPopulation",
]
