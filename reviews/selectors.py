"""Read-side queries of the review screens: scoped lists, progress per village, summaries, diffs, deadlines."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Cast, Round
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core import formatting
from households.choices import HouseholdClass, HouseholdState
from households.models import Household, Member, PovertyStandard, StatusRecord

from .choices import LIST_KEYS, LIST_TITLES, CaseStatus, RoundKind, RoundState, SubmissionState
from .models import (
    Certificate,
    MeetingVote,
    RecognitionDecision,
    ReviewCase,
    ReviewRound,
    Submission,
    VillageMeeting,
)
from .snapshot import rows_of, snapshot_counts


def round_list_for(user) -> QuerySet:
    """The user's rounds, each with the name of its poverty standard (``standard_name``) for the reader."""
    standard = PovertyStandard.objects.filter(code=OuterRef("standard_code")).values("name")[:1]
    return (
        ReviewRound.objects.visible_to(user)
        .select_related("commune")
        .annotate(standard_name=Subquery(standard))
        .order_by("-year", "-month", "commune__name")
    )


def standard_name(round: ReviewRound) -> str:
    return PovertyStandard.objects.filter(code=round.standard_code).values_list("name", flat=True).first() or ""


def round_progress(round: ReviewRound) -> list[dict]:
    """For each village of the commune: households on the list, surveyed, agreed at the meeting, meetings held."""
    villages = AdministrativeUnit.objects.filter(parent=round.commune, level=UnitLevel.VILLAGE).order_by("name")
    counts = {
        row["household__village"]: row
        for row in round.cases.values("household__village").annotate(
            total=Count("pk"),
            surveyed=Count("pk", filter=Q(status__in=[CaseStatus.SURVEYED, CaseStatus.AGREED])),
            agreed=Count("pk", filter=Q(status=CaseStatus.AGREED)),
            resurvey=Count("pk", filter=Q(status=CaseStatus.RESURVEY)),
        )
    }
    meetings = dict(round.meetings.values("village").annotate(n=Count("pk")).values_list("village", "n"))
    progress = []
    for village in villages:
        row = counts.get(village.pk, {"total": 0, "surveyed": 0, "agreed": 0, "resurvey": 0})
        progress.append(
            {
                "village": village,
                "total": row["total"],
                "surveyed": row["surveyed"],
                "agreed": row["agreed"],
                "resurvey": row["resurvey"],
                "meetings": meetings.get(village.pk, 0),
                "percent": round_percent(row["agreed"], row["total"]),
            }
        )
    return progress


# A meeting or a decision of a village's worth of households is counted on the round page, not listed: its votes
# are in the minutes (PDF), its certificates in the print-all job. A few are listed for a quick look.
LISTED_UP_TO = 30


def round_cases(round: ReviewRound, *, village: str = "", status: str = "") -> QuerySet:
    """The round's cases in the list's order (village, household code), filtered by village and status."""
    cases = round.cases.select_related("household__village").order_by(
        "household__village__name", "household__code", "pk"
    )
    if village.isascii() and village.isdigit():
        cases = cases.filter(household__village_id=int(village))
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    return cases


def with_class_now(cases) -> list[ReviewCase]:
    """The cases, each with its household's official class in force now (``class_now``): an in-year decision may
    have changed it since the household was listed. One statement for the rows given, a page of them: as an
    annotation of the paged queryset PostgreSQL would also compute it for every row an OFFSET skips."""
    cases = list(cases)
    in_force = dict(
        StatusRecord.objects.filter(household__in=[case.household_id for case in cases], valid_to__isnull=True)
        .order_by("household", "-valid_from")
        .distinct("household")
        .values_list("household", "household_class")
    )
    for case in cases:
        case.class_now = in_force.get(case.household_id)
    return cases


def round_meetings(round: ReviewRound) -> list[VillageMeeting]:
    """The round's meetings, each with the households voted on (``voted``) and those that reached 50 %
    (``reached``, the others ``below``) counted in SQL; the votes themselves (``listed_votes``) only for a meeting of
    a few households, else None."""
    # QĐ 24/2021, Điều 4 bước 3: ≥ 50 % of attendees must agree. The share is rounded to 0,1 % as
    # MeetingVote.share rounds it before ReviewCase.apply_vote compares it, so the count says what the vote decided.
    share = Round(
        Cast(F("votes__agreeing"), DecimalField(max_digits=12, decimal_places=1)) * Decimal(100) / F("attendees"), 1
    )
    meetings = list(
        round.meetings.select_related("village").annotate(
            voted=Count("votes"), reached=Count("votes", filter=GreaterThanOrEqual(share, Decimal(50)))
        )
    )
    few = [meeting for meeting in meetings if meeting.voted <= LISTED_UP_TO]
    for meeting in meetings:
        meeting.below = meeting.voted - meeting.reached
        if meeting.voted > LISTED_UP_TO:
            meeting.listed_votes = None
    votes = MeetingVote.objects.select_related("case__household").order_by("case__household__code")
    prefetch_related_objects(few, Prefetch("votes", queryset=votes, to_attr="listed_votes"))
    return meetings


def round_decisions(round: ReviewRound) -> list[RecognitionDecision]:
    """The round's decisions, each with its number of certificates (``certificate_count``); the certificates
    themselves (``listed_certificates``) only for a decision of a few households, else None."""
    decisions = list(round.decisions.annotate(certificate_count=Count("certificates")))
    few = [decision for decision in decisions if decision.certificate_count <= LISTED_UP_TO]
    for decision in decisions:
        if decision.certificate_count > LISTED_UP_TO:
            decision.listed_certificates = None
    certificates = Certificate.objects.select_related("household").order_by("pk")
    prefetch_related_objects(few, Prefetch("certificates", queryset=certificates, to_attr="listed_certificates"))
    return decisions


def round_percent(part: int, whole: int) -> int:
    return int(part * 100 / whole) if whole else 0


def round_steps(round: ReviewRound, progress: list[dict]) -> list[dict]:
    """The five steps of QĐ 24/2021, Điều 4 with how far the round has got (done / current / waiting)."""
    total = sum(p["total"] for p in progress)
    surveyed = sum(p["surveyed"] for p in progress)
    agreed = sum(p["agreed"] for p in progress)
    after_posting = round.state in (RoundState.SUBMITTED, RoundState.APPROVED, RoundState.RECOGNISED)
    return [
        {"n": 1, "done": total > 0, "count": total},
        {"n": 2, "done": total > 0 and surveyed == total, "count": surveyed},
        {"n": 3, "done": total > 0 and agreed == total, "count": agreed},
        {"n": 4, "done": after_posting or (round.state == RoundState.RETURNED and round.postings.exists())},
        {"n": 5, "done": round.state in (RoundState.APPROVED, RoundState.RECOGNISED)},
    ]


def unposted_codes(round: ReviewRound, cases=None) -> list[str]:
    """Households of a returned or reopened round whose result was never posted: added after the posting, or with
    a class other than the one in the latest submission (which holds what was posted, with the re-check results).
    They must be posted again before the lists are submitted (QĐ 24/2021, Điều 4 bước 4)."""
    if round.state != RoundState.RETURNED:
        return []
    last = round.submissions.first()
    if last is None:
        return []
    posted = {r["household_id"]: r["proposed_class"] for r in last.snapshot["rows"]}
    cases = cases if cases is not None else round.cases.select_related("household").order_by("household__code")
    return [c.household.code for c in cases if posted.get(c.household_id) != c.proposed_class]


def unposted_message(codes: list[str]) -> str:
    return gettext(
        "%(n)s hộ có kết quả chưa được niêm yết (%(codes)s): hãy niêm yết lại, hết thời gian niêm yết thì trình."
    ) % {"n": len(codes), "codes": ", ".join(codes[:10])}


def submit_waits_for(round: ReviewRound, posting) -> list[str]:
    """What the submission still waits for while the lists are posted (the same rules as review_round_submit),
    so the page says it before the officer clicks (QĐ 24/2021, Điều 4 bước 4)."""
    unposted = unposted_codes(round)
    if unposted:
        return [unposted_message(unposted)]
    if round.state != RoundState.POSTING or posting is None:
        return []
    waits = []
    if posting.ends_on >= timezone.localdate():
        waits.append(
            gettext("Đang trong thời gian niêm yết, trình được từ sau ngày %(end)s.")
            % {"end": posting.ends_on.strftime("%d/%m/%Y")}
        )
    open_complaints = posting.complaints.filter(rechecked_on__isnull=True).count()
    if open_complaints:
        waits.append(gettext("Còn %(n)s khiếu nại chưa có kết quả phúc tra.") % {"n": open_complaints})
    return waits


def submission_list_for(user) -> QuerySet:
    return (
        Submission.objects.visible_to(user)
        .select_related("round__commune", "submitted_by")
        .order_by("state", "-submitted_at")
    )


def commune_rounds_for(user, year: int) -> list[dict]:
    """Every commune the user may see with its periodic round of the year (or none yet), for the district's
    overview: who has not started, who is working, who waits for approval, who is done."""
    communes = (
        AdministrativeUnit.objects.visible_to(user)
        .valid_on()
        .filter(level=UnitLevel.COMMUNE)
        .select_related("parent")
        .order_by("path")
    )
    rounds = {r.commune_id: r for r in ReviewRound.objects.visible_to(user).filter(kind=RoundKind.PERIODIC, year=year)}
    return [{"commune": commune, "round": rounds.get(commune.pk)} for commune in communes]


def last_year_snapshot(round: ReviewRound, *, members: bool = True) -> dict | None:
    """The commune's lists before this round (see ``last_year_snapshots``)."""
    return last_year_snapshots([round], members=members)[round.pk]


def _last_years(rounds, read, value) -> tuple[dict[int, dict | None], list[ReviewRound], dict[int, int]]:
    """What the two readings of last year share: each round's last year from the commune's approved periodic
    submission of the year before (``value`` of it, the latest one; the submissions ``read`` as the caller needs),
    the rounds without one, and the active households of those rounds' communes."""
    rounds = list(rounds)
    result: dict[int, dict | None] = {r.pk: None for r in rounds}
    if not rounds:
        return result, [], {}
    approved = {}
    submissions = Submission.objects.filter(
        round__commune__in={r.commune_id for r in rounds},
        round__kind=RoundKind.PERIODIC,
        round__year__in={r.year - 1 for r in rounds},
        state=SubmissionState.APPROVED,
    )
    for submission in read(submissions.select_related("round").order_by("submitted_at")):
        approved[(submission.round.commune_id, submission.round.year)] = submission  # the latest wins
    missing = []
    for r in rounds:
        submission = approved.get((r.commune_id, r.year - 1))
        if submission is not None:
            result[r.pk] = value(submission)
        else:
            missing.append(r)
    totals = (
        dict(
            Household.objects.filter(commune__in={r.commune_id for r in missing}, state=HouseholdState.ACTIVE)
            .values("commune")
            .annotate(n=Count("pk"))
            .values_list("commune", "n")
        )
        if missing
        else {}
    )
    return result, missing, totals


def last_year_snapshots(rounds, *, members: bool = True) -> dict[int, dict | None]:
    """For each round, the commune's lists before it, in a fixed number of queries whatever the number of rounds:
    last year's approved periodic submission if the portal has it, otherwise the poor and near-poor households
    of the status history on the round's start date. With ``members=False`` the rows read from the history have
    ``members`` None (``fill_members`` counts them for the rows shown): counting the current members of a
    commune's 12.000 poor households read every member of the province (≈ 1 s, a sequential scan)."""
    result, missing, totals = _last_years(
        rounds, lambda submissions: submissions, lambda submission: {**submission.snapshot, "source": "submission"}
    )
    for day in {r.starts_on for r in missing}:  # the rounds of one year start on a few days
        starting = [r for r in missing if r.starts_on == day]
        # The records in force on the day only, and the members counted apart: reading every poor record of the
        # communes' history with a count joined to each took seconds for a commune of tens of thousands.
        records = list(
            StatusRecord.objects.filter(
                household__commune__in={r.commune_id for r in starting},
                household_class__in=[HouseholdClass.POOR, HouseholdClass.NEAR_POOR],
                valid_from__lte=day,
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .values_list(
                "household_class",
                "household_id",
                "household__commune_id",
                "household__code",
                "household__head_name",
                "household__village_id",
                "household__village__name",
                "household__ethnic_minority",
            )
        )
        counted = _member_counts([record[1] for record in records]) if members else {}
        for r in starting:
            rows, lists = [], {key: [] for key in LIST_KEYS}
            for household_class, pk, commune, code, head_name, village_id, village, minority in records:
                if commune != r.commune_id:
                    continue
                rows.append(
                    {
                        "household_id": pk,
                        "code": code,
                        "head_name": head_name,
                        "village_id": village_id,
                        "village": village,
                        "members": counted.get(pk, 0) if members else None,
                        "ethnic_minority": minority,
                        "previous_class": "",
                        "proposed_class": household_class,
                        "transition": "",
                        "deprived": [],
                    }
                )
                lists[household_class].append(pk)
            if rows:
                result[r.pk] = {
                    "rows": rows,
                    "lists": lists,
                    "total_households": totals.get(r.commune_id, 0),
                    "source": "status",
                }
    return result


def _member_counts(households: list[int]) -> dict[int, int]:
    return dict(
        Member.objects.filter(household__in=households, left_at__isnull=True)
        .values("household")
        .annotate(n=Count("pk"))
        .values_list("household", "n")
    )


def fill_members(rows: list[dict]) -> None:
    """Count the current members of the rows whose ``members`` is None (``last_year_snapshots(members=False)``),
    in one statement for the rows given."""
    missing = [row for row in rows if row.get("members") is None]
    if missing:
        counted = _member_counts([row["household_id"] for row in missing])
        for row in missing:
            row["members"] = counted.get(row["household_id"], 0)


def previous_submission(submission: Submission) -> Submission | None:
    return submission.round.submissions.filter(number__lt=submission.number).order_by("-number").first()


def _rate(count: int, total: int) -> str:
    return formatting.number(count * 100 / total, 2) if total else "—"


_UNSET = object()


def submission_summary(submission: Submission, last=_UNSET) -> dict:
    """Counts and rates of each list, against last year, by village and by ethnic-minority status."""
    snapshot = submission.snapshot
    total = snapshot.get("total_households") or 0
    if last is _UNSET:
        last = last_year_snapshot(submission.round)
    lists = list_items(snapshot_counts(snapshot), snapshot_counts(last) if last is not None else None)
    villages: dict[str, dict] = {}
    ethnic = {"minority": {"poor": 0, "near_poor": 0}, "majority": {"poor": 0, "near_poor": 0}}
    for row in snapshot["rows"]:
        cls = row["proposed_class"]
        village = villages.setdefault(
            row["village"], {"village": row["village"], "poor": 0, "near_poor": 0, "cases": 0}
        )
        village["cases"] += 1
        if cls in ("poor", "near_poor"):
            village[cls] += 1
            ethnic["minority" if row["ethnic_minority"] else "majority"][cls] += 1
    return {
        "total": total,
        "lists": lists,
        "by_village": sorted(villages.values(), key=lambda v: v["village"]),
        "ethnic": ethnic,
        "has_last_year": last is not None,
        "last_source": last.get("source") if last else "",
    }


def list_items(counts: dict, last: dict | None) -> list[dict]:
    """Each list's count and rate beside last year's (``snapshot_counts`` shapes), as the summaries show them."""
    total, last_total = counts["total_households"], last["total_households"] if last else 0
    items = []
    for key in LIST_KEYS:
        count = counts["lists"][key]
        # Without last year's submission only the poor and near-poor lists are known (from the status history):
        # the movement lists of last year are then "—", not 0.
        comparable = last is not None and (last["source"] != "status" or key in ("poor", "near_poor"))
        last_count = last["lists"][key] if comparable else None
        items.append(
            {
                "key": key,
                "title": LIST_TITLES[key],
                "count": count,
                "rate": _rate(count, total) if key in ("poor", "near_poor") else "",
                "last": last_count,
                "last_rate": _rate(last_count, last_total) if last and key in ("poor", "near_poor") else "",
                "delta": None if last_count is None else count - last_count,
            }
        )
    return items


def with_list_counts(submissions: QuerySet) -> QuerySet:
    """The submissions without their snapshot, which holds every reviewed household (megabytes for a commune of
    the merged provinces, whose loading took the list of submissions seconds per row): ``counts_of`` reads the
    numbers kept beside it."""
    return submissions.defer("snapshot")


def counts_of(submission: Submission, source: str = "") -> dict:
    """A submission's ``snapshot_counts``, from the numbers kept when it was submitted."""
    return {**submission.counts, "source": source}


def last_year_counts(rounds) -> dict[int, dict | None]:
    """``last_year_snapshots`` as numbers only (``snapshot_counts``), in a few statements whatever the rounds and
    their households: counted in SQL, no household's row read."""
    result, missing, totals = _last_years(
        rounds, with_list_counts, lambda submission: counts_of(submission, "submission")
    )
    for day in {r.starts_on for r in missing}:  # the rounds of one year start on a few days
        starting = [r for r in missing if r.starts_on == day]
        in_force = (
            StatusRecord.objects.filter(
                household__commune__in={r.commune_id for r in starting},
                household_class__in=[HouseholdClass.POOR, HouseholdClass.NEAR_POOR],
                valid_from__lte=day,
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .values_list("household__commune", "household_class")
            .annotate(n=Count("pk"))
            .order_by()
        )
        listed: dict[int, dict[str, int]] = {}
        for commune, household_class, n in in_force:
            listed.setdefault(commune, {})[household_class] = n
        for r in starting:
            if r.commune_id in listed:  # as last_year_snapshots: none when the history lists nobody on that day
                lists = {key: listed[r.commune_id].get(key, 0) for key in LIST_KEYS}
                result[r.pk] = {"lists": lists, "total_households": totals.get(r.commune_id, 0), "source": "status"}
    return result


@dataclass
class ListDiff:
    title: str
    added: list[dict]
    removed: list[dict]


def snapshot_diff(current: dict, previous: dict | None) -> list[ListDiff]:
    """Households that entered or left each list between two snapshots (by household). Against last year's
    lists read from the status history only the poor and near-poor lists are known, so only they are compared."""
    if not previous:
        return []
    diffs = []
    keys = ("poor", "near_poor") if previous.get("source") == "status" else LIST_KEYS
    for key in keys:
        now = {r["household_id"]: r for r in rows_of(current, key)}
        before = {r["household_id"]: r for r in rows_of(previous, key)}
        added = [now[pk] for pk in now if pk not in before]
        removed = [before[pk] for pk in before if pk not in now]
        if added or removed:
            diffs.append(ListDiff(str(LIST_TITLES[key]), added, removed))
    return diffs


@dataclass
class Overdue:
    kind: str  # "window" | "regular_decision" | "approval"
    round: ReviewRound
    due_on: date | None
    days: int


def overdue_for(user, today: date | None = None) -> list[Overdue]:
    """What is late: rounds past their window, regular-review decisions past their
    15 days (QĐ 24/2021, Điều 5), and submissions waiting for approval."""
    today = today or timezone.localdate()
    rounds = ReviewRound.objects.visible_to(user).select_related("commune")
    items = []
    late = rounds.filter(due_on__lt=today).exclude(state__in=[RoundState.RECOGNISED, RoundState.SUBMITTED])
    for round in late.order_by("due_on"):
        kind = "window" if round.kind == RoundKind.PERIODIC else "regular_decision"
        items.append(Overdue(kind, round, round.due_on, (today - round.due_on).days))
    waiting = (
        Submission.objects.visible_to(user)
        .filter(state=SubmissionState.PENDING, round__state=RoundState.SUBMITTED)
        .select_related("round__commune")
        .order_by("submitted_at")
    )
    for submission in waiting:
        days = (today - timezone.localtime(submission.submitted_at).date()).days
        items.append(Overdue("approval", submission.round, submission.round.due_on, days))
    return items
