"""Transitions derived from the status history (domain.md §2.8), never typed."""

from datetime import date

import pytest

from households.choices import Transition
from households.history import Period, transition


def periods(*spans):
    return [Period(cls, date(y0, 1, 1), date(y1, 12, 31) if y1 else None) for cls, y0, y1 in spans]


@pytest.mark.parametrize(
    "spans,start,end,expected",
    [
        ((("poor", 2022, None),), 2023, 2024, Transition.REMAINS),
        ((("poor", 2022, 2022), ("near_poor", 2023, None)), 2022, 2023, Transition.ESCAPED_POOR),
        ((("poor", 2022, 2022), ("non_poor", 2023, None)), 2022, 2023, Transition.ESCAPED_POOR),
        ((("near_poor", 2022, 2022), ("non_poor", 2023, None)), 2022, 2023, Transition.ESCAPED_NEAR_POOR),
        ((("near_poor", 2022, 2022), ("poor", 2023, None)), 2022, 2023, Transition.NEAR_POOR_TO_POOR),
        ((("non_poor", 2022, 2022), ("poor", 2023, None)), 2022, 2023, Transition.NEW_POOR),
        ((("poor", 2022, 2022), ("non_poor", 2023, 2023), ("poor", 2024, None)), 2023, 2024, Transition.RELAPSED_POOR),
        (
            (("near_poor", 2021, 2021), ("non_poor", 2022, 2023), ("near_poor", 2024, None)),
            2023,
            2024,
            Transition.RELAPSED_NEAR_POOR,
        ),
        ((("non_poor", 2022, None),), 2022, 2023, None),
    ],
)
def test_transition(spans, start, end, expected):
    assert transition(periods(*spans), date(start, 6, 30), date(end, 6, 30)) == expected


def test_poor_then_escaped_then_poor_two_years_later_is_relapsed():
    # The relapse rule (domain.md §2.8): poor last year, escaped this year, poor again two years later.
    history = periods(("poor", 2023, 2023), ("non_poor", 2024, 2025), ("poor", 2026, None))
    assert transition(history, date(2025, 6, 30), date(2026, 6, 30)) == Transition.RELAPSED_POOR
