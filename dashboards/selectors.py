"""Read-side queries for the dashboards: this layer combines the domain apps' selectors, none of them reads it."""

from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.choices import Role
from accounts.models import User
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from areas.selectors import unit_children_with_counts
from core.models import JobRun
from households.models import PovertyTarget
from households.selectors import household_counts_under, household_totals_for
from households.summary import DashboardFigures
from households.targets import Progress, ProgressRow, target_dashboard_for


def unit_totals_for(user) -> dict[str, int]:
    """How many units of each level, and how many active officers, lie in what the user may see."""
    totals = (
        AdministrativeUnit.objects.visible_to(user)
        .valid_on()
        .aggregate(
            provinces=Count("pk", filter=Q(level=UnitLevel.PROVINCE)),
            districts=Count("pk", filter=Q(level=UnitLevel.DISTRICT)),
            communes=Count("pk", filter=Q(level=UnitLevel.COMMUNE)),
            villages=Count("pk", filter=Q(level=UnitLevel.VILLAGE)),
        )
    )
    totals["officers"] = User.objects.visible_to(user).filter(is_active=True).exclude(role=Role.SYSTEM_ADMIN).count()
    return totals


def dashboard_for(user, figures: DashboardFigures | None = None) -> dict:
    """Everything the landing page shows: the user's unit, the units below it with counts, recent jobs. With
    ``figures`` (households.summary) the household counts come from the summary table, else live."""
    households = figures.totals() if figures is not None else household_totals_for(user)
    context = {
        "totals": {**unit_totals_for(user), **households},
        "recent_jobs": JobRun.objects.visible_to(user).select_related("requested_by")[:5],
        "figures": figures,
    }
    if user.is_system_admin:
        context["provinces"] = AdministrativeUnit.objects.valid_on().filter(level=UnitLevel.PROVINCE).order_by("name")
        context["users_by_role"] = [
            (Role(row["role"]).label, row["n"])
            for row in User.objects.filter(is_active=True).values("role").annotate(n=Count("pk")).order_by("role")
        ]
    elif user.unit_id:
        context["unit"] = user.unit
        children = unit_children_with_counts(user.unit)
        if figures is not None:
            households = figures.counts_under(children)
        else:
            households = household_counts_under(user.unit, children)
        for child in children:
            child.counts.update(households[child.pk])
        context["children"] = children
    return context


@dataclass(frozen=True)
class Goal:
    """How many households a unit is to bring out of poverty this year, and whether that is its own target or the
    sum of the targets of the units below it (a unit the level above gave no target of its own)."""

    households: int | None
    summed: bool = False

    def share(self, escaped: int) -> int | None:
        if not self.households:
            return None
        return round(escaped * 100 / self.households)


@dataclass(frozen=True)
class GoalRow:
    unit: AdministrativeUnit | None
    escaped: int
    goal: Goal
    row: ProgressRow

    @property
    def share(self) -> int | None:
        return self.goal.share(self.escaped)

    @property
    def bar(self) -> int:
        return min(self.share or 0, 100)


def target_widget_for(user, figures: DashboardFigures | None = None) -> dict | None:
    """The targets card: this year's progress of the user's unit (None without one). A unit without a target of its
    own (a district or a province whose targets were assigned to its communes) counts the sum of its units' targets,
    and the card says so, instead of "Chưa giao" beside households that are on target."""
    widget = target_dashboard_for(user, figures)
    if widget is None:
        return None
    progress: Progress = widget["progress"]
    goals = goals_under(user, progress)
    rows = [GoalRow(unit=r.unit, escaped=r.escaped, goal=goals[r.unit.pk], row=r) for r in progress.rows]
    scope = progress.scope
    if progress.total.target is not None:
        total_goal = Goal(progress.total.target.households_to_escape)
    else:
        set_below = [row.goal.households for row in rows if row.goal.households is not None]
        total_goal = Goal(sum(set_below) if set_below else None, summed=True)
    total = GoalRow(unit=scope, escaped=progress.total.escaped, goal=total_goal, row=progress.total)
    return {
        **widget,
        "rows": rows,
        "total": total,
        "goals_set": progress.targets_set,  # units with a target of their own
        "summed": any(r.goal.summed and r.goal.households is not None for r in [*rows, total]),
    }


def goals_under(user, progress: Progress) -> dict[int, Goal]:
    """Each listed unit's own target or, without one, the sum of the targets below it (one query)."""
    units = [row.unit for row in progress.rows]
    goals = {row.unit.pk: Goal(row.target.households_to_escape) for row in progress.rows if row.target is not None}
    missing = [unit for unit in units if unit.pk not in goals]
    if not missing:
        return goals
    path_match = Q()
    for unit in missing:
        path_match |= Q(unit__path__startswith=unit.path)
    below = list(
        PovertyTarget.objects.visible_to(user)
        .filter(path_match, year=progress.year)
        .exclude(unit__in=missing)
        .values_list("unit__path", "households_to_escape")
    )
    for unit in missing:
        goals[unit.pk] = _sum_of_nearest(unit.path, below)
    return goals


def _sum_of_nearest(path: str, targets: list[tuple[str, int]]) -> Goal:
    """The targets of the highest units below ``path`` that have one: a district's own target counts, not again its
    communes' beside it."""
    inside = [(p, n) for p, n in targets if p.startswith(path) and p != path]
    nearest = [(p, n) for p, n in inside if not any(p != q and p.startswith(q) for q, _n in inside)]
    if not nearest:
        return Goal(None, summed=True)
    return Goal(sum(n for _p, n in nearest), summed=True)
