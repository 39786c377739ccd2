"""Change history (who, when, old → new) and the transitions derived from a household's status records."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.contrib.postgres.fields import ArrayField
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .choices import CLASS_RANK, HouseholdClass, Transition
from .models import ChangeEntry, Household, Member

HOUSEHOLD_FIELDS = [f.name for f in Household._meta.concrete_fields if f.editable and f.name not in {"id"}] + [
    "state",
    "archived_reason",
    "current_class",
]
MEMBER_FIELDS = [f.name for f in Member._meta.concrete_fields if f.editable and f.name not in {"id", "household"}]


@lru_cache(maxsize=512)
def _labels(field, language: str | None) -> dict:
    """A field's choice labels in ``language`` as plain strings (a bulk import displays 200.000 values)."""
    if field is None:
        return {True: _("Có"), False: _("Không")}
    return {value: str(label) for value, label in field.flatchoices}


@lru_cache(maxsize=256)
def _field_kind(model, name: str):
    """How ``_display`` shows a field, worked out once per field (a bulk import displays 200.000 values)."""
    field = model._meta.get_field(name)
    if field.choices:
        return field, "choices"
    if isinstance(field, ArrayField):
        base = field.base_field
        return field, dict(base.flatchoices) if base.choices else {}
    if field.is_relation:
        return field, "relation"
    return field, "plain"


def _display(instance: Model, name: str, language: str | None = None) -> str:
    return _display_value(type(instance), name, getattr(instance, name), language)


def _display_value(model, name: str, value, language: str | None = None) -> str:
    """How the history shows ``value`` of ``model``'s field ``name`` (a related object for a foreign key)."""
    field, kind = _field_kind(model, name)
    if value is None or value == "" or value == []:
        return ""
    if kind == "choices":
        return str(_labels(field, language or get_language()).get(value, value))
    if value is True or value is False:
        return _labels(None, language or get_language())[value]
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list):
        labels = kind if isinstance(kind, dict) else {}
        return ", ".join(str(labels.get(v, v)) for v in value)
    return str(value)  # a related object shows as its own str()


def snapshot_of(household_pk: int | None) -> dict:
    """The displayed values of a household and its current members, for diffing after a change."""
    if household_pk is None:
        return {"household": {}, "members": {}}
    household = Household.objects.select_related("village").get(pk=household_pk)
    return snapshot_from(household, household.members.current().select_related("ethnic_group"))


def snapshot_from(household: Household, members) -> dict:
    """``snapshot_of`` from objects already in memory (a bulk import diffs thousands of households at once)."""
    language = get_language()
    return {
        "household": {name: _display(household, name, language) for name in HOUSEHOLD_FIELDS},
        "members": {
            m.pk: {"name": m.full_name, **{n: _display(m, n, language) for n in MEMBER_FIELDS}} for m in members
        },
    }


def raw_values(instance: Model, names: list[str]) -> tuple:
    """The values ``snapshot_from`` would display, not yet displayed (lists copied, as an edit may change them in
    place): a bulk import keeps them before a change and displays only the values that changed (``changed_display``)."""
    values = tuple(getattr(instance, name) for name in names)
    if any(type(value) is list for value in values):
        values = tuple(list(value) if type(value) is list else value for value in values)
    return values


def changed_display(model, names: list[str], before: tuple, after: tuple, language: str | None) -> tuple[dict, dict]:
    """The displayed values, before and after, of the fields among ``names`` whose values (``raw_values``) differ:
    the parts of two snapshots that ``change_entries`` can tell apart, as equal values display alike. Decimals are
    always displayed (31.5 and 31.50 are equal but show differently)."""
    old, new = {}, {}
    for name, was, now in zip(names, before, after, strict=True):
        if was != now or isinstance(was, Decimal):
            old[name] = _display_value(model, name, was, language)
            new[name] = _display_value(model, name, now, language)
    return old, new


@lru_cache(maxsize=512)
def _cached_label(model, name: str, language: str | None) -> str:
    """A field's verbose name as the history shows it, in ``language`` (worked out once per language)."""
    # capfirst, not str.capitalize: "số thẻ BHYT" must not become "Số thẻ bhyt".
    return capfirst(str(model._meta.get_field(name).verbose_name))


def record_changes(*, household: Household, before: dict, user, action: str, note: str = "") -> None:
    """Write one ChangeEntry for the household and one for each member whose values changed."""
    entries = change_entries(
        household=household, before=before, after=snapshot_of(household.pk), user=user, action=action, note=note
    )
    ChangeEntry.objects.bulk_create(entries)  # one INSERT for the household and all its members


def change_entries(
    *, household: Household, before: dict, after: dict, user, action: str, note: str = "", entry=ChangeEntry
) -> list:
    """The entries ``record_changes`` writes, from two snapshots (unsaved, so a bulk import can COPY them; it passes
    a plain record class as ``entry``, cheaper to build than a model instance)."""
    language = get_language()
    diff = {
        _cached_label(Household, name, language): [before["household"].get(name, ""), value]
        for name, value in after["household"].items()
        if before["household"].get(name, "") != value
    }
    entries = []
    if diff or note or action != "update":
        entries.append(
            entry(
                household=household,
                subject=_("Hộ %(code)s") % {"code": household.code},
                action=action,
                changes=diff,
                note=note,
                user=user,
            )
        )
    for pk in sorted(set(before["members"]) | set(after["members"])):
        old, new = before["members"].get(pk), after["members"].get(pk)
        if old == new:
            continue
        if old is None:
            member_action, changes = "member_add", {}
        elif new is None:
            member_action, changes = "member_leave", {}
        else:
            member_action = "member_update"
            changes = {
                _cached_label(Member, name, language): [old.get(name, ""), new.get(name, "")]
                for name in MEMBER_FIELDS
                if old.get(name, "") != new.get(name, "")
            }
        entries.append(
            entry(
                household=household,
                member_id=pk,
                subject=(new or old)["name"],
                action=member_action,
                changes=changes,
                user=user,
            )
        )
    return entries


ACTION_LABELS = {
    "create": _("Tạo hộ"),
    "update": _("Sửa thông tin hộ"),
    "archive": _("Lưu trữ hộ"),
    "move_member": _("Chuyển thành viên"),
    "override": _("Điều chỉnh chỉ số"),
    "member_add": _("Thêm thành viên"),
    "member_leave": _("Thành viên ra khỏi hộ"),
    "member_update": _("Sửa thông tin thành viên"),
    "escape_register": _("Đăng ký thoát nghèo"),
    "escape_withdraw": _("Rút đăng ký thoát nghèo"),
}


# --- status transitions (domain.md §2.8) -----------------------------------------------------------
@dataclass(frozen=True)
class Period:
    household_class: str
    valid_from: date
    valid_to: date | None


def class_on(periods: list[Period], day: date) -> str | None:
    for period in periods:
        if period.valid_from <= day and (period.valid_to is None or day <= period.valid_to):
            return period.household_class
    return None


def transition(periods: list[Period], start: date, end: date) -> Transition | None:
    """How the household moved between the list in force at ``start`` and the one at ``end``.

    Relapse needs the earlier history: a household poor at ``end`` that had escaped poverty at any time
    before ``start`` is "tái nghèo", not "phát sinh" (domain.md §2.8 [P]).
    """
    before, after = class_on(periods, start), class_on(periods, end)
    poor, near = HouseholdClass.POOR, HouseholdClass.NEAR_POOR
    if before == after and before in (poor, near):
        return Transition.REMAINS
    earlier = [p for p in periods if p.valid_from < start]
    was_poor = any(p.household_class == poor for p in earlier)
    was_near = any(p.household_class == near for p in earlier)
    if after == poor:
        if before == near:
            return Transition.NEAR_POOR_TO_POOR
        return Transition.RELAPSED_POOR if was_poor else Transition.NEW_POOR
    if after == near:
        if before == poor:
            return Transition.ESCAPED_POOR
        return Transition.RELAPSED_NEAR_POOR if was_near else Transition.NEW_NEAR_POOR
    if before == poor:
        return Transition.ESCAPED_POOR
    if before == near:
        return Transition.ESCAPED_NEAR_POOR
    return None


def rank(household_class: str) -> int:
    return CLASS_RANK.get(household_class, 99)
