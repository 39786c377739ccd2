"""Read-side queries for the dashboards."""

from django.db.models import Count, Q

from accounts.choices import Role
from accounts.models import User
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from areas.selectors import unit_children_with_counts
from households.selectors import household_counts_under, household_totals_for

from .models import JobRun


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


def dashboard_for(user) -> dict:
    """Everything the landing page shows: the user's unit, the units below it with counts, recent jobs."""
    context = {
        "totals": {**unit_totals_for(user), **household_totals_for(user)},
        "recent_jobs": JobRun.objects.visible_to(user).select_related("requested_by")[:5],
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
        households = household_counts_under(user.unit, children)
        for child in children:
            child.counts.update(households[child.pk])
        context["children"] = children
    return context
