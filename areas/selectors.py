"""Read-side queries for administrative units: scoped lists and the counts shown on dashboards."""

from django.db.models import Count, Q, QuerySet

from .choices import UnitLevel
from .models import AdministrativeUnit


def unit_list_for(user, *, level: str = "", query: str = "", parent=None) -> QuerySet:
    """Units in force that the user may see, optionally filtered by level, name/code and parent."""
    qs = AdministrativeUnit.objects.visible_to(user).valid_on().select_related("parent")
    if level in UnitLevel.values:
        qs = qs.filter(level=level)
    if query:
        qs = qs.filter(Q(name__unaccent__icontains=query) | Q(code__istartswith=query))
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.order_by("path")


def unit_children_with_counts(unit: AdministrativeUnit) -> QuerySet:
    """The units directly below ``unit``, each with how many communes, villages and officers lie under it."""
    descendants = AdministrativeUnit.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk)
    children = list(unit.children.valid_on().order_by("code"))  # official code order, as reports list them
    counts: dict[int, dict[str, int]] = {child.pk: {"communes": 0, "villages": 0, "officers": 0} for child in children}
    by_path = {child.path: child.pk for child in children}
    rows = descendants.valid_on().values("path", "level").annotate(officers=Count("officers", distinct=True))
    for row in rows:
        child_path = "/".join(row["path"].split("/")[: unit.path.count("/") + 1]) + "/"
        key = by_path.get(child_path)
        if key is None:
            continue
        if row["path"] != child_path:
            if row["level"] == UnitLevel.COMMUNE:
                counts[key]["communes"] += 1
            elif row["level"] == UnitLevel.VILLAGE:
                counts[key]["villages"] += 1
        counts[key]["officers"] += row["officers"]
    for child in children:
        child.counts = counts[child.pk]
    return children
