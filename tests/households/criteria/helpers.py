"""Small builders for facts used across the criteria tests."""

from datetime import date, timedelta

from households.criteria import HouseholdFacts, MemberFacts, load_default_standards

REF = date(2024, 7, 1)  # a reference date inside the NĐ 07/2021 period


def by_code(code: str):
    return next(s for s in load_default_standards() if s.code == code)


def born(years: int, on: date = REF, days: int = 0) -> date:
    """Date of birth making a person exactly ``years`` old on ``on``; ``days=1`` makes it the day before."""
    return on.replace(year=on.year - years) + timedelta(days=days)


def member(name: str = "Nguyễn Văn A", dob: date | None = None, **facts) -> MemberFacts:
    return MemberFacts(name=name, date_of_birth=dob, **facts)


def household(*members: MemberFacts, **facts) -> HouseholdFacts:
    return HouseholdFacts(members=tuple(members), **facts)
