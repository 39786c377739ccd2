"""Official status on a date as SQL filters, matching ``programs.eligibility.standing_on`` row for row.

Used by the coverage views, the bulk lists and the report denominators, which count thousands of households:
the status is read in PostgreSQL from households.StatusRecord rather than household by household in Python.
"""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q

from households.models import StatusRecord

from .eligibility import add_years

LISTS = ("poor", "near_poor")


def escaped_since(day: date, years: int) -> date:
    """The earliest date of leaving the lists that still counts as "recently escaped" on ``day``."""
    candidate = add_years(day, -years)
    while add_years(candidate, years) < day:  # 29/02 of a leap year: the threshold moves to 01/03
        candidate += timedelta(days=1)
    while add_years(candidate - timedelta(days=1), years) >= day:
        candidate -= timedelta(days=1)
    return candidate


def records_in_force(day: date, classes):
    """The status records of ``classes`` in force on ``day`` (one per household at most: the periods of a household
    do not overlap), unordered. The poor ones are read from their own index (programs migration 0011)."""
    return (
        StatusRecord.objects.filter(household_class__in=list(classes), valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by()
    )


def household_records(household_ref, *, per_row: bool = False):
    """The status records of the household reached by ``household_ref`` from the outer row: a lookup's name, or an
    ``OuterRef`` itself (``programs.selectors.joined_household_pk``). ``per_row``: a redundant ``>=`` beside the
    correlation, so that PostgreSQL looks the records up for each row of a walked page instead of hashing those of
    every household (it hashes equalities only; ``programs.selectors.electricity_candidates``)."""
    ref = household_ref if isinstance(household_ref, OuterRef) else OuterRef(household_ref)
    records = StatusRecord.objects.filter(household=ref)
    return records.filter(household_id__gte=ref) if per_row else records


def class_on_q(day: date, classes, household_ref="pk", *, per_row: bool = False) -> Q:
    """Households (reached by ``household_ref`` from the outer row) whose record in force on ``day`` is one of
    ``classes``."""
    records = (
        household_records(household_ref, per_row=per_row)
        .filter(household_class__in=list(classes), valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )
    return Q(Exists(records))


def recently_escaped_q(day: date, years: int = 3, household_ref="pk", *, per_row: bool = False) -> Q:
    """Not on a list on ``day`` and a list period ended no more than ``years`` before (domain.md §2.8)."""
    threshold = escaped_since(day, years) - timedelta(days=1)  # valid_to = the day before leaving the list
    ended = household_records(household_ref, per_row=per_row).filter(
        household_class__in=LISTS, valid_to__gte=threshold, valid_to__lt=day
    )
    return Q(Exists(ended)) & ~class_on_q(day, LISTS, household_ref, per_row=per_row)


def status_q(status: str, day: date, years: int = 3, household_ref="pk", *, per_row: bool = False) -> Q:
    """Households whose official status on ``day`` is ``status`` (poor, near_poor, recently_escaped…)."""
    if status == "recently_escaped":
        return recently_escaped_q(day, years, household_ref, per_row=per_row)
    if status in LISTS:
        return class_on_q(day, [status], household_ref, per_row=per_row)
    return class_on_q(day, [status], household_ref, per_row=per_row) & ~recently_escaped_q(
        day, years, household_ref, per_row=per_row
    )


def group_q(status: str, day: date, eligible_statuses, years: int = 3, household_ref: str = "pk") -> Q:
    """Households a programme with ``eligible_statuses`` sees in group ``status`` on ``day``: as ``status_q``, except
    that a recently escaped household counts in the group of its class in force when the programme has no
    recently-escaped group (``eligibility.Standing.group_for``)."""
    if status not in LISTS and status != "recently_escaped" and "recently_escaped" not in eligible_statuses:
        return class_on_q(day, [status], household_ref)
    return status_q(status, day, years, household_ref)
