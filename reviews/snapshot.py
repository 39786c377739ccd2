"""The frozen content of a submission: every reviewed household with its class before and after, sorted into the
six lists of QĐ 24/2021 (poor, near-poor, escaped poor, escaped near-poor, newly poor, relapsed)."""

from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language

from households.choices import HouseholdClass, HouseholdState, Relationship, Transition
from households.history import Period, class_on, transition
from households.models import Household, Member

from .choices import LIST_KEYS

# Which list each derived transition puts a household in (domain.md §2.8).
TRANSITION_LISTS = {
    Transition.ESCAPED_POOR: "escaped_poor",
    Transition.ESCAPED_NEAR_POOR: "escaped_near_poor",
    Transition.NEW_POOR: "new_poor",
    Transition.NEW_NEAR_POOR: "new_poor",
    Transition.NEAR_POOR_TO_POOR: "new_poor",
    Transition.RELAPSED_POOR: "relapsed",
    Transition.RELAPSED_NEAR_POOR: "relapsed",
}


def case_movement(household: Household, previous_class: str, new_class: str, effective: date) -> tuple[str, str]:
    """The class in force the day before ``effective`` and the transition the new class makes from it, both read
    from the status history like every other count (households.history.transition, domain.md §2.8).

    Both come from the same day: a household whose class changed by an in-year decision after the round opened
    (poor on 1/9, escaped in October, poor again in the annual review) is shown "before: non-poor" and counted
    relapsed, never "before: poor" next to "relapsed". ``previous_class`` (the class when the round opened) is
    used only for a household with no status history at all.
    """
    records = sorted(
        (r for r in household.status_records.all() if r.valid_from < effective), key=lambda r: r.valid_from
    )  # .all(): uses the prefetched rows
    day_before = effective - timedelta(days=1)
    periods = [
        Period(r.household_class, r.valid_from, r.valid_to if r.valid_to and r.valid_to < effective else day_before)
        for r in records
    ]
    if not periods and previous_class:
        periods = [Period(previous_class, date(1900, 1, 1), day_before)]
    before = class_on(periods, day_before) or ""
    move = transition([*periods, Period(new_class, effective, None)], day_before, effective)
    return before, move.value if move else ""


def case_transition(household: Household, previous_class: str, new_class: str, effective: date) -> str:
    """The transition the new class makes (see ``case_movement``)."""
    return case_movement(household, previous_class, new_class, effective)[1]


def build_snapshot(round, effective: date | None = None, *, village=None) -> dict:
    """Rows for every case plus the lists and the totals the district compares (counts, rates); with ``village``,
    the rows and lists of that village's cases only (a village's posted list), the commune's total kept.

    ``effective`` is the day the new classes are compared from (default: today, not before the round's start,
    not after the round's first decision);
    a document printed later for an earlier step passes that step's day, so a reprint after the decision still
    shows the lists as they were (the decision's own status rows would otherwise count as "before").
    """
    if effective is None:
        effective = max(round.starts_on, timezone.localdate())
        # A reopened round corrects its own decision: the classes that decision wrote are not "before" (the
        # corrected lists are compared with the lists before the round, like the first time).
        first_decision = round.decisions.order_by("signed_on").values_list("signed_on", flat=True).first()
        if first_decision is not None:
            effective = min(effective, first_decision)
    rows = []
    cases = (
        round.cases.select_related("household__village")
        .defer("survey", "household__classification")  # the answers and the registry's derivation: not copied
        .prefetch_related("household__status_records")
        .annotate(member_count=Count("household__members", filter=Q(household__members__left_at__isnull=True)))
    )
    if village is not None:
        cases = cases.filter(household__village=village)
    for case in cases.order_by("household__village__name", "household__code"):
        household = case.household
        before, move = case_movement(household, case.previous_class, case.proposed_class, effective)
        rows.append(
            {
                "household_id": household.pk,
                "code": household.code,
                "head_name": household.head_name,
                "village_id": household.village_id,
                "village": household.village.name,
                "members": case.member_count,
                "ethnic_minority": household.ethnic_minority,
                "previous_class": before,
                "proposed_class": case.proposed_class,
                "transition": move,
                "deprived": case.assessment.get("deprived", []),
                "score_a": case.score_a,
                "score_b": case.score_b,
            }
        )
    lists = {key: [] for key in LIST_KEYS}
    for row in rows:
        if row["proposed_class"] in (HouseholdClass.POOR, HouseholdClass.NEAR_POOR):
            lists[row["proposed_class"]].append(row["household_id"])
        if row["transition"] in TRANSITION_LISTS:
            lists[TRANSITION_LISTS[row["transition"]]].append(row["household_id"])
    total = Household.objects.filter(commune=round.commune, state=HouseholdState.ACTIVE).count()
    return {"rows": rows, "lists": lists, "total_households": total}


def snapshot_counts(snapshot: dict) -> dict:
    """A snapshot's numbers only: each list's count, the commune's households and where last year's lists come
    from (``selectors.last_year_counts`` gives the same shape without reading the rows; a submission keeps them
    in ``Submission.counts``)."""
    return {
        "lists": {key: len(snapshot["lists"].get(key, [])) for key in LIST_KEYS},
        "total_households": snapshot.get("total_households") or 0,
        "source": snapshot.get("source", ""),
    }


def rows_of(snapshot: dict, key: str) -> list[dict]:
    by_id = {row["household_id"]: row for row in snapshot["rows"]}
    return [by_id[pk] for pk in snapshot["lists"].get(key, [])]


_RELATIONSHIPS: dict[str, dict[str, str]] = {}


def _relationship_labels() -> dict[str, str]:
    """What ``get_relationship_display`` gives for each relationship, in the active language, worked out once: a
    commune's decision prints tens of thousands of members, and each display call translated every choice again
    (≈ 3 s of a recognition)."""
    language = get_language()
    if language not in _RELATIONSHIPS:
        _RELATIONSHIPS[language] = {value: str(label) for value, label in Relationship.choices}
    return _RELATIONSHIPS[language]


def certificate_members():
    """The members a certificate prints, in its order (a ``Prefetch`` queryset for many households at once)."""
    return Member.objects.current().in_family_order().select_related("ethnic_group")


def certificate_snapshot(household: Household, members: list[Member] | None = None) -> dict:
    """The household and its members as printed on the certificate, frozen at issue; ``members`` when already read
    (``certificate_members``)."""
    if members is None:
        members = certificate_members().filter(household=household)
    relationships = _relationship_labels()
    head = next((m for m in members if m.is_head), None)
    return {
        "head_name": household.head_name,
        "head_ethnicity": head.ethnic_group.name if head else "",
        "head_personal_id": head.personal_id if head else "",
        "head_personal_id_issued_on": head.personal_id_issued_on.isoformat()
        if head and head.personal_id_issued_on
        else "",
        "residence": ", ".join(filter(None, [household.address, household.village.name, household.commune.name])),
        "members": [
            {
                "full_name": m.full_name,
                "ethnicity": m.ethnic_group.name,
                "relationship": relationships.get(m.relationship, m.relationship),
                "birth_year": m.date_of_birth.year,
                "sex": m.sex,
            }
            for m in members
        ],
    }
