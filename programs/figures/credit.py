"""Credit (seed 004 §3.1): loans, borrowers and money per group, per target group and per credit programme."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from ..choices import ProgrammeKind, TargetStatus
from ..models import Programme
from .grouping import Grouping, _by_group, _grouped, _share, of_kind
from .periods import Period

BORROWER_GROUPS = (TargetStatus.POOR, TargetStatus.NEAR_POOR, TargetStatus.RECENTLY_ESCAPED)


def target_group_of(programme: Programme) -> str | None:
    """The one target group a credit programme lends to (poor, near-poor, recently escaped), read from the
    catalogue's eligible statuses; None for programmes open to several groups or to anyone (water, jobs…)."""
    groups = [status for status in programme.eligible_statuses or [] if status in BORROWER_GROUPS]
    return groups[0] if len(groups) == 1 and len(programme.eligible_statuses) == 1 else None


SHARE_MEASURES = {
    "loans": Count("pk"),
    "households": Count("household", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
    "outstanding": Coalesce(Sum("outstanding"), 0),
    "overdue": Coalesce(Sum("overdue"), 0),
    **{f"of_{g}": Count("household", distinct=True, filter=Q(household_status=g)) for g in BORROWER_GROUPS},
}


def programme_shares(grouped: dict, programmes: dict, denominators: dict[str, int], period: Period | None) -> list:
    """Per credit programme, in catalogue order: loans, borrowers, money, and for the three target-group
    programmes how many borrowers were of that group and what share of all households of the group (seed 004 §3.1;
    package docstring), from one group's rows of SHARE_MEASURES by programme."""
    credit = sorted((p for p in programmes.values() if p.kind == ProgrammeKind.CREDIT), key=lambda p: (p.order, p.code))
    rows = []
    for programme in credit:
        in_force = period is not None and (
            programme.valid_from <= period.end and (programme.valid_to is None or programme.valid_to >= period.start)
        )
        if programme.pk not in grouped and not in_force:
            continue
        row = grouped.get(programme.pk) or dict.fromkeys(SHARE_MEASURES, 0)
        group = target_group_of(programme)
        whole = denominators.get(group, 0) if group else None
        part = row[f"of_{group}"] if group else None
        rows.append(
            {
                "code": programme.code,
                "name": programme.short_name,
                **{k: row[k] for k in ("loans", "households", "amount", "outstanding", "overdue")},
                "target_group": group,
                "group_households": part,
                "group_total": whole,
                "share": _share(part, whole) if group else None,
            }
        )
    return rows


CREDIT_MEASURES = {
    "loans": Count("pk"),
    "households": Count("household", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
    "outstanding": Coalesce(Sum("outstanding"), 0),
    "overdue": Coalesce(Sum("overdue"), 0),
    **{f"borrowers_{g}": Count("household", distinct=True, filter=Q(household_status=g)) for g in BORROWER_GROUPS},
}


def credit_parts(benefits, grouping: Grouping, programmes: dict) -> dict:
    """Per group: the additive parts of the credit figures — CREDIT_MEASURES in total and SHARE_MEASURES per
    programme (two grouped queries)."""
    loans = benefits.filter(of_kind(programmes, ProgrammeKind.CREDIT))
    totals = _by_group(_grouped(loans, grouping, **CREDIT_MEASURES), grouping, CREDIT_MEASURES)
    per_programme: dict = {key: {} for key in grouping.group_keys()}
    for row in _grouped(loans, grouping, "programme", **SHARE_MEASURES):
        per_programme.setdefault(row["unit_key"], {})[str(row["programme"])] = {k: row[k] for k in SHARE_MEASURES}
    return {key: {"total": totals[key], "programmes": per_programme[key]} for key in grouping.group_keys()}


def credit_finish(part: dict, programmes: dict, denominators: dict, period: Period | None) -> dict:
    """The credit figures of one unit: loans, borrowers, money, borrowers per target group with their shares of the
    households of that group, per programme."""
    total = part["total"]
    mine = {int(spk): row for spk, row in part["programmes"].items() if int(spk) in programmes}
    shares = {
        g: {
            "borrowers": total[f"borrowers_{g}"],
            "households": denominators.get(g, 0),
            "share": _share(total[f"borrowers_{g}"], denominators.get(g, 0)),
        }
        for g in BORROWER_GROUPS
    }
    by_programme = {
        programmes[pk].code: {
            "programme__code": programmes[pk].code,
            "households": row["households"],
            "amount": row["amount"],
            "loans": row["loans"],
        }
        for pk, row in mine.items()
    }
    return {
        **{k: v for k, v in total.items() if not k.startswith("borrowers_")},
        "groups": shares,
        "by_programme": by_programme,
        "programme_shares": programme_shares(mine, programmes, denominators, period),
    }
