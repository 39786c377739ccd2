"""The opening balances recorded in the units an officer sees."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count

from accounts.scoping import unit_scope_q

from ..choices import HouseholdClass
from ..models import PovertyStandard, StatusRecord

# --- what was recorded ----------------------------------------------------------------------------------------


@dataclass
class OpeningBalance:
    """One approved list recorded as a commune's opening balance: the decision, its date, the standard, counts."""

    commune: str
    decision: str
    valid_from: date
    standard_code: str
    standard: str  # the instrument, e.g. "Quyết định 59/2015/QĐ-TTg, Điều 1 và Điều 2"
    poor: int = 0
    near_poor: int = 0

    @property
    def total(self) -> int:
        return self.poor + self.near_poor


def opening_balances_for(user) -> list[OpeningBalance]:
    """The opening balances recorded in the units the user sees, one row per commune and decision (one query)."""
    rows = (
        StatusRecord.objects.filter(opening_balance=True)
        .filter(unit_scope_q(user, "household__village"))
        .values(
            "household__commune__name",
            "household__commune__code",
            "decision",
            "valid_from",
            "standard_code",
            "household_class",
        )
        .annotate(households=Count("pk"))
        .order_by("household__commune__code", "valid_from", "decision")
    )
    standards = {
        code: basis.split(";")[0] for code, basis in PovertyStandard.objects.values_list("code", "legal_basis")
    }
    grouped: dict[tuple, OpeningBalance] = {}
    for row in rows:
        key = (row["household__commune__code"], row["decision"], row["valid_from"], row["standard_code"])
        balance = grouped.setdefault(
            key,
            OpeningBalance(
                row["household__commune__name"],
                row["decision"],
                row["valid_from"],
                row["standard_code"],
                standards.get(row["standard_code"], row["standard_code"]),
            ),
        )
        if row["household_class"] == HouseholdClass.POOR:
            balance.poor += row["households"]
        elif row["household_class"] == HouseholdClass.NEAR_POOR:
            balance.near_poor += row["households"]
    return list(grouped.values())
