"""Eligibility of a household (or member) for a support programme on a date — pure Python, no Django.

Inputs are the household's official status history (households.StatusRecord periods), the programme's rule
(built from a ``programs.Programme`` row, so the conditions are data) and the date of the benefit. The answer
says whether the benefit may be recorded and cites the rule in Vietnamese. The Django shell passes its
``gettext`` and the labels of the statuses; by default the Vietnamese source text is returned as is.

"Recently escaped" (hộ mới thoát nghèo) is derived, never typed: a household that is on neither the poor nor
the near-poor list on the date, whose last period on one of them ended no more than N years before
(N = 3 for VBSP credit, QĐ 28/2015/QĐ-TTg as amended; domain.md §2.8 [V]).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

POOR, NEAR_POOR = "poor", "near_poor"
RECENTLY_ESCAPED, NON_POOR, UNKNOWN = "recently_escaped", "non_poor", "unknown"
ON_THE_LISTS = frozenset({POOR, NEAR_POOR})


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogue; the caller translates it (django's gettext)."""
    return message


@dataclass(frozen=True)
class Period:
    household_class: str
    valid_from: date
    valid_to: date | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    legal_basis: str
    valid_from: date
    valid_to: date | None = None
    eligible_statuses: frozenset[str] = frozenset()  # empty: no condition on the household's status
    recently_escaped_years: int = 3
    also_flags: frozenset[str] = frozenset()  # household facts that qualify whatever the status
    once_per_beneficiary: bool = False


@dataclass(frozen=True)
class Standing:
    """The household's status on a day, when it left the lists (if it did) and, for a recently escaped household,
    the class of the decision in force (average living, non-poor…)."""

    status: str
    left_lists_on: date | None = None
    current_class: str | None = None

    def group_for(self, eligible_statuses) -> str:
        """The group a programme sees: a recently escaped household is also, say, an average-living household, and
        a programme for average-living households but not for recently escaped ones (BHYT 30 %, student loans)
        takes it as such (NĐ 146/2018/NĐ-CP, Điều 3 khoản 9; QĐ 157/2007/QĐ-TTg)."""
        if (
            self.status == RECENTLY_ESCAPED
            and RECENTLY_ESCAPED not in eligible_statuses
            and self.current_class in eligible_statuses
        ):
            return self.current_class
        return self.status


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    status: str
    message: str
    left_lists_on: date | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29/02 becomes 28/02 in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def fmt(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def standing_on(periods: Iterable[Period], day: date, escaped_years: int = 3) -> Standing:
    """The official status on ``day``: poor or near-poor if on a list, recently escaped within the years,
    otherwise the class in force (a household whose list period ended with no new decision is off the lists)."""
    periods = sorted(periods, key=lambda p: p.valid_from)
    current = next((p for p in periods if p.covers(day)), None)
    if current is not None and current.household_class in ON_THE_LISTS:
        return Standing(current.household_class)
    ended = [p for p in periods if p.household_class in ON_THE_LISTS and p.valid_to is not None and p.valid_to < day]
    left_on = max(p.valid_to for p in ended) + timedelta(days=1) if ended else None
    if left_on is not None and day <= add_years(left_on, escaped_years):
        return Standing(RECENTLY_ESCAPED, left_on, current.household_class if current is not None else None)
    if current is not None:
        return Standing(current.household_class, left_on)
    return Standing(NON_POOR if left_on else UNKNOWN, left_on)


def check(
    rule: Rule,
    periods: Iterable[Period],
    day: date,
    *,
    flags: Iterable[str] = (),
    prior_count: int = 0,
    labels: Mapping[str, str] | None = None,
    translate: Callable[[str], str] = gettext_noop,
) -> Verdict:
    """Whether a benefit of ``rule`` may be recorded on ``day`` for a household with this history and flags."""
    labels = labels or {}

    def label(code: str) -> str:
        """Labels are capitalised for lists; inside a sentence they start in lower case ("hộ là hộ nghèo")."""
        text = str(labels.get(code, code))
        return text[:1].lower() + text[1:]

    standing = standing_on(periods, day, rule.recently_escaped_years)
    group = standing.group_for(rule.eligible_statuses)
    if group != standing.status:  # judged (and counted) in the group of its class in force
        standing = Standing(group, standing.left_lists_on)
    base = {
        "programme": rule.name,
        "basis": rule.legal_basis,
        "day": fmt(day),
        "status": label(standing.status),
        "left": fmt(standing.left_lists_on),
        "years": rule.recently_escaped_years,
    }

    def verdict(eligible: bool, message: str, **extra) -> Verdict:
        return Verdict(eligible, standing.status, translate(message) % {**base, **extra}, standing.left_lists_on)

    if day < rule.valid_from or (rule.valid_to is not None and day > rule.valid_to):
        period = fmt(rule.valid_from) + (f" – {fmt(rule.valid_to)}" if rule.valid_to else "")
        return verdict(
            False,
            gettext_noop(
                "%(programme)s chỉ áp dụng trong thời gian %(period)s (%(basis)s); "
                "ngày %(day)s nằm ngoài thời gian này."
            ),
            period=period,
        )
    if rule.once_per_beneficiary and prior_count > 0:
        return verdict(
            False,
            gettext_noop(
                "Mỗi người chỉ được hỗ trợ một lần theo %(programme)s (%(basis)s); người này đã được ghi nhận "
                "hỗ trợ trước đó."
            ),
        )
    if not rule.eligible_statuses:
        return verdict(True, gettext_noop("%(programme)s không giới hạn đối tượng theo phân loại hộ (%(basis)s)."))
    if standing.status in rule.eligible_statuses:
        if standing.status == RECENTLY_ESCAPED:
            return verdict(
                True,
                gettext_noop(
                    "Hộ ra khỏi danh sách hộ nghèo, cận nghèo từ ngày %(left)s, chưa quá %(years)s năm tính đến ngày "
                    "%(day)s: thuộc đối tượng của %(programme)s (%(basis)s)."
                ),
            )
        return verdict(
            True, gettext_noop("Ngày %(day)s hộ là %(status)s: thuộc đối tượng của %(programme)s (%(basis)s).")
        )
    matching = [f for f in sorted(rule.also_flags) if f in set(flags)]
    if matching:
        return verdict(
            True,
            gettext_noop("%(flag)s: thuộc đối tượng của %(programme)s (%(basis)s)."),
            flag=str(labels.get(matching[0], matching[0])),
        )
    allowed = ", ".join(label(code) for code in sorted(rule.eligible_statuses, key=_order))
    if rule.also_flags:
        allowed += ", " + ", ".join(label(code) for code in sorted(rule.also_flags))
    if standing.status == UNKNOWN:
        message = gettext_noop(
            "Hộ chưa có quyết định công nhận hộ nghèo, cận nghèo nào có hiệu lực ngày %(day)s; %(programme)s chỉ "
            "dành cho: %(allowed)s (%(basis)s)."
        )
    elif standing.left_lists_on is not None and RECENTLY_ESCAPED in rule.eligible_statuses:
        message = gettext_noop(
            "Ngày %(day)s hộ là %(status)s; hộ ra khỏi danh sách hộ nghèo, cận nghèo từ ngày %(left)s, đã quá "
            "%(years)s năm. %(programme)s chỉ dành cho: %(allowed)s (%(basis)s)."
        )
    else:
        message = gettext_noop("Ngày %(day)s hộ là %(status)s; %(programme)s chỉ dành cho: %(allowed)s (%(basis)s).")
    return verdict(False, message, allowed=allowed)


ORDER = [POOR, NEAR_POOR, RECENTLY_ESCAPED, "average_living", NON_POOR, UNKNOWN]


def _order(code: str) -> int:
    return ORDER.index(code) if code in ORDER else len(ORDER)
