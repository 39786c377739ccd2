"""Read-side queries for administrative units: scoped lists and the counts shown on dashboards."""

import logging
import time
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .choices import UnitLevel
from .models import AdministrativeUnit

logger = logging.getLogger(__name__)


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


# --- The villages a list filter offers, kept per process ---------------------------------------------------------
# A province officer's household list offered every village of the province on every page: a query, and the labels
# built again, each time. The list changes only when a unit is saved or deleted, so each web process keeps it per
# scope and day, under a version that every save or delete of a unit moves in the shared cache (Redis), which every
# process reads once per request. A change that bypasses the model (raw SQL, a data migration) shows within
# VILLAGE_CHOICES_MAX_AGE seconds.
UNITS_VERSION_KEY = "areas:units-version"
VILLAGE_CHOICES_MAX_AGE = 600
_VILLAGE_CHOICES: dict[tuple, tuple[float, list[tuple[int, str]]]] = {}


def village_choices_for(user) -> list[tuple[int, str]]:
    """(id, "Village – Commune") of the villages in force today that ``user`` may see, by commune code, then code."""
    scope = _scope_key(user)
    version = _units_version()
    if scope is None or version is None:  # no stable scope, or the shared cache is unreachable: read them now
        return _village_choices(user)
    key = (scope, timezone.localdate(), version)
    kept = _VILLAGE_CHOICES.get(key)
    if kept is None or time.monotonic() - kept[0] > VILLAGE_CHOICES_MAX_AGE:
        if len(_VILLAGE_CHOICES) > 256:
            _VILLAGE_CHOICES.clear()
        kept = _VILLAGE_CHOICES[key] = (time.monotonic(), _village_choices(user))
    return kept[1]


def _village_choices(user) -> list[tuple[int, str]]:
    rows = (
        AdministrativeUnit.objects.visible_to(user)
        .valid_on()
        .filter(level=UnitLevel.VILLAGE)
        .order_by("parent__code", "code")
        .values_list("pk", "name", "parent__name")
    )
    return [(pk, village_label(name, commune)) for pk, name, commune in rows]


def village_label(name: str, commune: str | None) -> str:
    """How a village is named in a choice list: "Buôn Ia Rsai – Xã Ia RSai", the commune telling apart villages of
    the same name."""
    return name if commune is None else f"{name} – {commune}"


def _scope_key(user) -> str | None:
    """What decides the villages a user sees (accounts.scoping): everything, or the path of their unit."""
    if not (user.is_authenticated and user.is_active):
        return None
    if user.is_system_admin:
        return "*"
    return user.unit.path if user.unit_id else None


def _units_version() -> str | None:
    try:
        version = cache.get(UNITS_VERSION_KEY)
        if version is None:
            cache.add(UNITS_VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(UNITS_VERSION_KEY)
        return version
    except Exception:  # noqa: BLE001 - Redis down: the list is read from the database, as before
        logger.warning("Shared cache unreachable: the village list is read without it", exc_info=True)
        return None


def units_changed(**kwargs) -> None:
    """A unit was saved or deleted: every process reads the village lists again (connected in apps.py).

    The version moves at once, for this process and its own transaction, and again once the transaction commits: a
    process that read the lists in between still saw the rows before the change and must not keep them.
    """
    _new_units_version()
    transaction.on_commit(_new_units_version)


def _new_units_version() -> None:
    try:
        cache.set(UNITS_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001 - the lists then show the change within VILLAGE_CHOICES_MAX_AGE
        logger.warning("Shared cache unreachable: village lists may lag a unit's change", exc_info=True)
