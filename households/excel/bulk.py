"""The import, validated in memory and in set-based SQL, written with ``COPY``: all or nothing, as fast as the rows.

The rules are the registry's own (STYLE.md rule 9): a household whose cells the forms would surely accept as they
are is checked in memory; any other household goes through ``HouseholdForm``/``MemberForm`` exactly as an edit on
the page would, so every message is the form's. The service's rules across members (``services._validate``) and
its derivation (``services._refresh_derived``) run for every household; the checks that need the database run once
for the whole file: the households already in the registry (locked on commit), the codes taken in the commune, the
personal IDs already held by a household of the province. Households checked earlier in the file count for the
later ones, as they would if each were saved in turn. The households, members and change entries go in with ``COPY``
and the updates through a temporary table filled by ``COPY`` (``core.pgcopy.update_statements``), in one
transaction that is kept only if every household is valid: a large file's new households are written in batches
while the next ones are checked (ADR 0055) and rolled back with everything else if a later household is refused.
The dry run writes nothing. docs/adr/0026 says why this replaced saving each household through ``household_save``.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.db.models.base import ModelState
from django.db.models.functions import Lower
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from areas.models import AdministrativeUnit
from core.gcpause import cyclic_gc_paused
from core.pgcopy import (
    CopyPipeline,
    copy_statement,
    record_class,
    reserve_ids,
    statistics_statement,
    update_statements,
)
from households import history, services
from households.choices import HouseholdState, Relationship
from households.classification import local_line_on, standard_on
from households.forms import HouseholdForm, MemberForm
from households.history import change_entries, changed_display, raw_values, snapshot_from
from households.models import ChangeEntry, EthnicGroup, Household, Member
from households.summary import summaries_refresh_on_commit
from households.validation import validate_phone

from .columns import BY_KEY, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, Column, format_vnd
from .importer import (
    HOUSEHOLD_FORM_FIELDS,
    MEMBER_FORM_FIELDS,
    BaseImporter,
    Group,
    ImportReport,
    ProgressFn,
    RowError,
    _model_values,
    _overlay,
    _same,
)
from .parsed import ParsedSheet
from .workbooks import Sheet

# What ``household_save`` writes for a household that exists: the form's fields, what it derives, the lock.
HOUSEHOLD_UPDATE_FIELDS = [
    *HOUSEHOLD_FORM_FIELDS,
    "commune",
    "head_name",
    "ethnic_minority",
    "classification",
    "current_class",
    "deprived_indicators",
    "version",
    "updated_at",
]
MEMBER_UPDATE_FIELDS = [*MEMBER_FORM_FIELDS, "updated_at"]
RELATIONSHIP_AT = history.MEMBER_FIELDS.index("relationship")
NAME_AT = history.MEMBER_FIELDS.index("full_name")  # a member's name among its history values
# Households per batch of COPY statements, written by a second thread while the next households are checked
# (core.pgcopy.CopyPipeline); a file of fewer than two batches is written after its checks, in one batch.
WRITE_BATCH = 1000
# The bounds the forms put on integer fields (Django's formfield for each field class on PostgreSQL).
INTEGER_BOUNDS = {models.PositiveSmallIntegerField: 32767, models.PositiveIntegerField: 2147483647}


def _new(model):
    """A new unsaved instance with the model's defaults, as ``Model()`` makes it, without ``Model.__init__``'s cost
    (a tenth of the time per member; a 20.000-household file has 86.000 of them)."""
    if model not in _DEFAULTS:
        constants, factories = {}, {}
        for f in model._meta.concrete_fields:
            if f.has_default() and callable(f.default):
                factories[f.attname] = f.default
            else:
                constants[f.attname] = f.get_default()
        _DEFAULTS[model] = constants, factories
    constants, factories = _DEFAULTS[model]
    instance = model.__new__(model)
    instance._state = ModelState()
    instance.__dict__.update(constants)
    for name, factory in factories.items():
        instance.__dict__[name] = factory()
    return instance


_DEFAULTS: dict = {}
# The change entries of a whole file go to COPY: plain records, not model instances (ADR 0026).
ChangeRecord = record_class(ChangeEntry)


def _form_value(model_field: models.Field, column: Column, value) -> tuple[bool, object]:
    """``(True, stored value)`` when the form would surely accept ``value`` for this column and store it so;
    ``(False, None)`` when in doubt, and the household then goes through the form itself."""
    return _checker(model_field, column)(value)


Check = Callable[[object], tuple[bool, object]]
_DOUBT = (False, None)


def _checker(model_field: models.Field, column: Column) -> Check:
    """``_form_value`` for one column, with what depends only on the field and the column worked out once (it runs
    for every cell of a file: 2 million for 20.000 households)."""
    key = (model_field, column.key)
    if key not in _CHECKERS:
        _CHECKERS[key] = _make_checker(model_field, column)
    return _CHECKERS[key]


def _make_checker(model_field: models.Field, column: Column) -> Check:
    kind = column.kind
    if kind in ("village", "ethnic"):  # objects from the lookups, which read the forms' own querysets
        return lambda value: (value is not None, value)
    if column.required or kind == "bool":
        empty = _DOUBT
    elif kind == "phone":
        empty = (True, validate_phone(""))
    else:
        empty = (True, "" if kind in ("text", "id", "choice") else None)
    if kind in ("text", "id"):
        max_length, upper, required = model_field.max_length, column.key == "code", column.required

        def check(value):
            if value is None:
                return empty
            if not isinstance(value, str) or "\x00" in value:
                return _DOUBT
            text = value.strip()
            if upper:
                text = text.upper()
            return bool(text or not required) and len(text) <= max_length, text

    elif kind == "phone":
        max_length = model_field.max_length

        def check(value):
            if value is None:
                return empty
            if not isinstance(value, str) or "\x00" in value:
                return _DOUBT
            text = value.strip()
            try:
                phone = validate_phone(text)
            except ValidationError:
                return _DOUBT
            return len(text) <= max_length and len(phone) <= max_length, phone

    elif kind == "choice":
        allowed = frozenset(choice for choice, _label in model_field.choices)

        def check(value):
            return empty if value is None else (value in allowed, value)

    elif kind in ("bool", "tristate"):

        def check(value):
            return empty if value is None else (isinstance(value, bool), value)

    elif kind in ("int", "money"):
        bound = INTEGER_BOUNDS.get(type(model_field), 0)

        def check(value):
            if value is None:
                return empty
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= bound:
                return _DOUBT
            try:
                model_field.run_validators(value)
            except ValidationError:
                return _DOUBT
            return True, value

    elif kind == "decimal":
        digits = DecimalValidator(model_field.max_digits, model_field.decimal_places)

        def check(value):
            if value is None:
                return empty
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                return _DOUBT
            try:
                digits(value)
            except ValidationError:
                return _DOUBT
            return True, value

    elif kind == "date":

        def check(value):
            return empty if value is None else (isinstance(value, date), value)

    else:

        def check(value):
            return empty if value is None else _DOUBT

    return check


def _assign(instance, model, columns: tuple[Column, ...], data: dict, objects: dict) -> bool:
    """Set the columns' values on ``instance`` as the form would, if it would surely accept all of them."""
    # By identity: hashing the columns would translate their headers. The entry keeps them alive, so their id is
    # never another tuple's.
    kept, checks = _ASSIGNED.get((model, id(columns)), (None, None))
    if kept is not columns:
        fields = model._meta._forward_fields_map
        # A plain field's attribute has no setter (``DeferredAttribute``): its value goes into the instance's dict
        # in one update; a relation goes through its descriptor, which also caches the object.
        checks = [
            (c.key, _checker(fields[c.key], c), type(getattr(model, c.key)) is DeferredAttribute) for c in columns
        ]
        _ASSIGNED[(model, id(columns))] = columns, checks
    plain, related = {}, []
    get = data.get
    for key, check, direct in checks:
        ok, stored = check(objects[key] if key in objects else get(key))
        if not ok:
            return False
        if direct:
            plain[key] = stored
        else:
            related.append((key, stored))
    instance.__dict__.update(plain)
    for name, value in related:
        setattr(instance, name, value)
    return True


_CHECKERS: dict[tuple, Check] = {}
_ASSIGNED: dict[tuple, tuple] = {}


@dataclass
class Holder:
    """A current member holding a personal ID in an active household of the province (services rule)."""

    household_key: object  # the household's pk, or ("new", code) for one created by this file
    order: tuple  # Member's default order: the household's (commune, code), then date of birth, then pk
    code: str
    village: str
    path: str
    visible: bool


@dataclass
class Plan:
    """One household to write: its members after the import and what the change history compares against."""

    household: Household
    members: list
    expected: int | None
    # The history's values before the import (history.raw_values), kept on commit for what the file changes: the
    # household's if its cells changed, each changed member's by key.
    before_household: tuple | None = None
    before_members: dict = field(default_factory=dict)

    @property
    def new(self) -> bool:
        return self.expected is None


class BulkImporter(BaseImporter):
    def run(self) -> ImportReport:
        groups = self.parse()
        total = len(groups)
        self.report.households = total
        self.report.members = sum(1 for g in groups for r in g.rows if r.has_member())
        self.today = timezone.localdate()
        with transaction.atomic():
            self.preload(groups)
            self.batches = 0
            if self.commit:
                # The keys of the new households and their members, drawn before the checks: a batch then needs no
                # query of this thread while the other one writes (a valid file uses them all; core.pgcopy).
                fresh = [g for g in groups if self.registered(g) is None]
                self.keys = {
                    Household: iter(reserve_ids(Household, len(fresh))),
                    Member: iter(reserve_ids(Member, sum(1 for g in fresh for r in g.rows if r.has_member()))),
                }
            self.written = {Household: 0, Member: 0}
            self.now = None  # when the first rows are written: their created_at and updated_at
            try:
                if not self.check_and_write(groups):
                    return self.report
            except IntegrityError:
                # Someone saved a household with the same code or person between the checks and the write.
                message = _(
                    "Không ghi được tệp do trùng dữ liệu với một hộ vừa được lưu; hãy kiểm tra lại rồi nhập lại."
                )
                self.report.errors.append(RowError(None, "", "", message))
                transaction.set_rollback(True)
                return self.report
            summaries_refresh_on_commit()  # COPY sends no signal: queue the dashboards' refresh ourselves
            self.report.committed = True
        return self.report

    def check_and_write(self, groups: list[Group]) -> bool:
        """Check every household and, on commit, write them all; False (the transaction marked for rollback) when
        a household is refused or on a dry run. While the server writes a batch of new households, this thread
        checks the next ones (ADR 0055), and so for the households already in the registry, batch by batch.
        A batch the database refuses raises its ``IntegrityError`` here."""
        total = len(groups)
        with CopyPipeline(threaded=self.commit and total >= 2 * WRITE_BATCH) as pipeline:
            created, updated, step = [], [], max(total // 20, 25)  # about twenty progress writes, whatever the size
            for done, group in enumerate(groups):
                if pipeline.failed:
                    break  # a batch was refused: the file cannot be written; the error is raised below
                if done % step == 0:
                    self.progress(done * 90 // max(total, 1), self.progress_message(done, total))
                self.check_group(group)
                plan = self.import_group(group)
                self.report.errors.extend(group.errors)
                if plan is None:
                    continue
                (created if plan.new else updated).append(plan)
                if pipeline.threaded and not self.report.errors:  # rolled back with the rest if a later one is refused
                    if len(created) >= WRITE_BATCH:
                        self.send(pipeline, created)
                        created = []
                    if len(updated) >= WRITE_BATCH:
                        self.write_updated(pipeline, updated, drain=False)
                        updated = []
            if pipeline.failed:
                pipeline.drain()  # raises the refusal: the households not checked yet are not reported on
            if self.report.errors or not self.commit:
                transaction.set_rollback(True)  # before leaving the pipeline: what it wrote is discarded
                return False
            written = len(self.report.created) + len(self.report.updated)
            self.progress(90, _("Đang ghi %(total)s hộ") % {"total": format_vnd(written)})
            self.send(pipeline, created, last=True)
            pipeline.drain()
            self.write_updated(pipeline, updated)
        return True

    # --- the database, read once for the whole file ------------------------------------------------------------
    def preload(self, groups: list[Group]) -> None:
        codes = [g.code for g in groups]
        # The villages, communes and ethnic groups are the lookups' own objects, not one copy per row of a join: a
        # file of 20.000 households in the registry read 146.000 such copies of a few hundred rows.
        members = Member.objects.current()
        households = (
            Household.objects.visible_to(self.user)
            .filter(code__in=codes)
            # The stored classification (≈ 4 KB of JSON a household) is derived again on commit and read by nothing
            # here: 20.000 of them took ≈ 1 s to send and decode.
            .defer("classification")
            .prefetch_related(
                Prefetch("members", queryset=members, to_attr="current_members"),
                # A list, not a related manager's queryset per household (Django builds one for each: 0,4 s at 20.000)
                Prefetch("indicator_overrides", to_attr="import_overrides"),
            )
        )
        if self.commit:  # nobody may save them between these checks and the write
            households = households.select_for_update(of=("self",))
        households = list(households)
        self.attach_lookups(households)
        self.existing = {(h.commune_id, h.code): h for h in households}
        # The code identifies a household in its commune whatever its case (households_code_unique_in_commune_ci).
        communes = {v.parent_id for v in self.lookups.villages_by_code.values()}
        self.taken = {
            (commune, code): pk
            for commune, code, pk in Household.objects.annotate(lower_code=Lower("code"))
            .filter(commune_id__in=communes, lower_code__in=[c.lower() for c in codes])
            .values_list("commune_id", "lower_code", "pk")
        }
        # One person in one active household of the province (services.duplicate_person_errors).
        pids = {r.values.get("personal_id") for g in groups for r in g.rows} | {
            m.personal_id for h in self.existing.values() for m in h.current_members
        }
        pids.discard(None)
        pids.discard("")
        rows = list(
            Member.objects.current()
            .filter(personal_id__in=pids, household__state=HouseholdState.ACTIVE)
            .values_list(
                "pk",
                "personal_id",
                "date_of_birth",
                "household_id",
                "household__commune_id",
                "household__code",
                "household__village__name",
                "household__village__path",
            )
        )
        visible = (
            set(
                Household.objects.visible_to(self.user)
                .filter(pk__in={row[3] for row in rows})
                .values_list("pk", flat=True)
            )
            if rows
            else set()
        )
        self.holders: dict[str, list[Holder]] = {}
        self.held: dict[object, set[str]] = {}  # household key -> the personal IDs it holds
        for pk, pid, born, household, commune, code, village, path in rows:
            holder = Holder(household, (commune, code, born, pk), code, village, path, household in visible)
            self.holders.setdefault(pid, []).append(holder)
            self.held.setdefault(household, set()).add(pid)
        self.derivation: dict[tuple, dict] = {}
        self.new_data: dict = {}
        self.new_members = 0

    def attach_lookups(self, households: list[Household]) -> None:
        """Give each household its village (with the village's commune) and each member its ethnic group from the
        lookups; a village the officer can no longer choose (not valid today) is read once with its commune."""
        villages = {v.pk: v for v in self.lookups.villages_by_code.values()}
        missing = {h.village_id for h in households} - villages.keys()
        if missing:
            read = AdministrativeUnit.objects.filter(pk__in=missing).select_related("parent")
            villages.update((v.pk, v) for v in read)
        groups = {g.pk: g for g in self.lookups.ethnic_groups.values()}
        missing = {m.ethnic_group_id for h in households for m in h.current_members} - groups.keys() - {None}
        if missing:  # the lookups hold every ethnic group; kept for a group added since they were read
            groups.update((g.pk, g) for g in EthnicGroup.objects.filter(pk__in=missing))
        village_field, commune_field = Household.village.field, Household.commune.field
        ethnic_field = Member.ethnic_group.field
        for household in households:
            village = villages[household.village_id]
            village_field.set_cached_value(household, village)
            if village.parent_id == household.commune_id:
                commune_field.set_cached_value(household, village.parent)
            for member in household.current_members:
                if member.ethnic_group_id is not None:
                    ethnic_field.set_cached_value(member, groups[member.ethnic_group_id])

    def derivation_context(self, household: Household) -> dict:
        """The standard and the province's income line ``assess`` needs, read once per province and day."""
        day = household.reference_date or self.today
        key = (household.village.path.strip("/").split("/")[0], day)
        if key not in self.derivation:
            try:
                self.derivation[key] = {
                    "standard": standard_on(day),
                    "local_line": local_line_on(household, day),
                    "today": self.today,
                }
            except ValueError:  # no standard for that day: assess explains it in the household's classification
                self.derivation[key] = {"today": self.today}
        return self.derivation[key]

    # --- one household ----------------------------------------------------------------------------------------
    def import_group(self, group: Group) -> Plan | None:
        first = group.first
        village = first.values.get("village")
        household = self.registered(group)
        expected = None
        if household is not None:
            key = f"{household.commune_id}:{household.code}"
            self.report.versions[key] = household.version
            # On commit, the version read by the dry run: if someone saved in between, the household is refused.
            expected = household.version if self.expected_versions is None else self.expected_versions.get(key, -1)
        else:
            household = _new(Household)
        plan = Plan(household, [], expected)

        before = _model_values(household, HOUSEHOLD_FORM_FIELDS) if household.pk else None
        if before is None:
            data = _overlay(self.new_values(Household, HOUSEHOLD_FORM_FIELDS), first.values, HOUSEHOLD_COLUMNS)
        else:
            data = _overlay(dict(before), first.values, HOUSEHOLD_COLUMNS)
        if village is not None and not data.get("area_type"):
            data["area_type"] = village.area_type or "rural"  # "Để trống để lấy theo thôn, buôn"
        if before is None or not _same(data, before):
            if household.pk and self.commit:  # for the history, which only the commit writes
                plan.before_household = raw_values(household, history.HOUSEHOLD_FIELDS)
            if (
                group.errors
                or not self.code_is_free(household, data, village)
                or not _assign(household, Household, HOUSEHOLD_COLUMNS, data, {"village": village})
            ):
                form = HouseholdForm(data={**data, "version": expected}, instance=household, user=self.user)
                if not form.is_valid():
                    self.form_errors(group, first, form, HOUSEHOLD_COLUMNS)

        current = list(household.current_members) if household.pk else []
        by_pid = {m.personal_id: m for m in current if m.personal_id}
        by_name = {(m.full_name.casefold(), m.date_of_birth): m for m in current}
        used: dict[int, int] = {}  # pk of a registry member -> the Excel row that matched it
        staying: list[tuple[Member, int]] = []
        members_changed = False
        for row in group.rows:
            if not row.has_member():
                continue
            values = row.values
            match = by_pid.get(values.get("personal_id") or "") or by_name.get(
                ((values.get("full_name") or "").casefold(), values.get("date_of_birth"))
            )
            if match is not None and match.pk in used:
                message = _("trùng với thành viên ở dòng %(row)s") % {"row": used[match.pk]}
                group.error(row, BY_KEY["full_name"], message)
                continue
            member = match or _new(Member)
            if match is not None:
                used[match.pk] = row.number
            member_before = _model_values(member, MEMBER_FORM_FIELDS) if member.pk else None
            member_data = _overlay(
                dict(member_before) if member_before else self.new_values(Member, MEMBER_FORM_FIELDS),
                values,
                MEMBER_COLUMNS,
            )
            if member_before is not None and _same(member_data, member_before):
                staying.append((member, row.number))
                continue
            if member.pk and self.commit:
                plan.before_members[member.pk] = raw_values(member, history.MEMBER_FIELDS)
            ethnic = values["ethnic_group"] if "ethnic_group" in values else getattr(member, "ethnic_group", None)
            if group.errors or not _assign(member, Member, MEMBER_COLUMNS, member_data, {"ethnic_group": ethnic}):
                member_form = MemberForm(data=member_data, instance=member)
                if not member_form.is_valid():
                    self.form_errors(group, row, member_form, MEMBER_COLUMNS)
                    continue
            staying.append((member, row.number))
            members_changed = (
                members_changed or member_before is None or member_before != _model_values(member, MEMBER_FORM_FIELDS)
            )
        if group.errors:
            return None
        if before is not None and not members_changed and before == _model_values(household, HOUSEHOLD_FORM_FIELDS):
            self.report.unchanged.append(group.code)
            return None
        if household.state == HouseholdState.ARCHIVED:  # an export "gồm cả hộ đã lưu trữ" re-imports unchanged
            group.error(
                first,
                BY_KEY["code"],
                _("hộ %(code)s đã lưu trữ nên không cập nhật được từ Excel") % {"code": group.code},
            )
            return None
        # Members in the registry but not in the file stay in the household: an import never removes anyone.
        plan.members = [m for m, _row in staying] + [m for m in current if m.pk not in used]
        try:
            self.check_service_rules(plan)
        except ValidationError as error:
            self.service_errors(group, staying, error)
            return None
        (self.report.updated if plan.expected is not None else self.report.created).append(group.code)
        return plan

    def registered(self, group: Group) -> Household | None:
        """The registry's household this group updates (read by ``preload``), None for a new one."""
        village = group.first.values.get("village")
        return self.existing.get((village.parent_id, group.code)) if village else None

    def new_values(self, model, fields: list[str]) -> dict:
        """A new instance's values in form-data shape (``_model_values`` of ``model()``), computed once."""
        if model not in self.new_data:
            values = _model_values(_new(model), fields)
            self.new_data[model] = values, [name for name, value in values.items() if isinstance(value, list)]
        values, lists = self.new_data[model]
        data = dict(values)
        for name in lists:  # the caller may change a list in place: each household gets its own
            data[name] = list(data[name])
        return data

    def code_is_free(self, household: Household, data: dict, village) -> bool:
        """The form's rule that a code is new in the commune whatever its case, against the codes read at the start."""
        code = (data.get("code") or "").strip().lower()
        taken = self.taken.get((village.parent_id, code)) if village else None
        return taken is None or taken == household.pk

    def check_service_rules(self, plan: Plan) -> None:
        """What ``household_save`` checks and derives before it writes, with the file's households counted."""
        household = plan.household
        if plan.expected is not None and household.version != plan.expected:
            services._claim_version(household, plan.expected)  # refuses, naming who saved it and when
        household.commune = household.village.parent
        if not household.area_type:
            household.area_type = household.village.area_type or "rural"
        key = household.pk or ("new", household.code)
        services._validate(
            household,
            plan.members,
            self.user,
            duplicates=lambda members: self.duplicate_errors(key, household, members),
            today=self.today,
        )
        if plan.new:
            household.created_by = self.user
        self.hold(key, household, plan.members)
        if not self.commit:
            return  # the derivation refuses nothing and the dry run writes nothing: the classification can wait
        overrides = household.import_overrides if household.pk else ()
        services._refresh_derived(household, plan.members, overrides=overrides, **self.derivation_context(household))
        # What the database keeps of the area (numeric(7, 1)), as the history reads it back after a save.
        if household.floor_area_m2 is not None:
            household.floor_area_m2 = household.floor_area_m2.quantize(Decimal("0.1"))

    def duplicate_errors(self, key, household: Household, members: list[Member]) -> list[str]:
        """``services.duplicate_person_errors`` against the IDs read at the start and the file's earlier households."""
        ids = {m.personal_id: m for m in members if m.personal_id}
        if not ids:
            return []
        province_path = "/" + household.village.path.strip("/").split("/")[0] + "/"
        clashes = sorted(
            (
                (holder, pid)
                for pid in ids
                for holder in self.holders.get(pid, ())
                if holder.household_key != key and holder.path.startswith(province_path)
            ),
            key=lambda item: item[0].order,
        )
        errors = []
        for holder, pid in clashes:
            if holder.visible:
                where = _("hộ %(code)s (%(village)s)") % {"code": holder.code, "village": holder.village}
            else:
                where = _("một hộ thuộc đơn vị khác trong tỉnh")
            errors.append(
                _("Số định danh %(pid)s của %(name)s đã có trong %(where)s.")
                % {"pid": pid, "name": ids[pid].full_name, "where": where}
            )
        seen, repeated = set(), set()
        for member in members:
            if member.personal_id in seen:
                repeated.add(member.personal_id)
            seen.add(member.personal_id)
        errors += [_("Số định danh %(pid)s bị nhập hai lần trong hộ.") % {"pid": pid} for pid in repeated if pid]
        return errors

    def hold(self, key, household: Household, members: list[Member]) -> None:
        """Count a household checked as valid, for the personal IDs of the households after it in the file."""
        for pid in self.held.pop(key, ()):
            self.holders[pid] = [h for h in self.holders[pid] if h.household_key != key]
        for member in members:
            if not member.personal_id:
                continue
            if member.pk is None:
                self.new_members += 1
            order = (household.commune_id, household.code, member.date_of_birth, member.pk or 10**15 + self.new_members)
            holder = Holder(key, order, household.code, household.village.name, household.village.path, True)
            self.holders.setdefault(member.personal_id, []).append(holder)
            self.held.setdefault(key, set()).add(member.personal_id)

    # --- writing ----------------------------------------------------------------------------------------------
    def send(self, pipeline: CopyPipeline, plans: list[Plan], *, last: bool = False) -> None:
        """Give ``pipeline`` the ``COPY`` statements of these new households: households, members, change entries."""
        self.now = self.now or timezone.now()
        self.batches += 1
        for plan, pk in zip(plans, self.take_keys(Household, len(plans)), strict=True):
            plan.household.id = pk
        for plan in plans:
            for member in plan.members:
                member.household_id = plan.household.id  # the key is all COPY writes
        members = [m for p in plans for m in p.members]
        for member, pk in zip(members, self.take_keys(Member, len(members)), strict=True):
            member.id = pk
        self.written[Household] += len(plans)
        self.written[Member] += len(members)
        # A table this import at least doubles is analysed before the statements planned on it: the members'
        # statement triggers join the households, the foreign-key checks read both (core.pgcopy.statistics_statement).
        # After the batches 1, 2, 4, 8… and the last one: a few analyses for a first import into an empty registry.
        analyse = last or self.batches & (self.batches - 1) == 0
        pipeline.send(
            [
                copy_statement(Household, [p.household for p in plans], with_pk=True, now=self.now),
                statistics_statement(Household, self.written[Household]) if analyse else None,
                copy_statement(Member, members, with_pk=True, now=self.now),
                statistics_statement(Member, self.written[Member]) if analyse else None,
                copy_statement(ChangeEntry, self.entries(plans), now=self.now),
            ]
        )

    def take_keys(self, model, count: int) -> list[int]:
        """``count`` keys drawn at the start; more from the sequence should a household have more rows than counted."""
        keys = list(itertools.islice(self.keys[model], count))
        return keys + reserve_ids(model, count - len(keys))

    def write_updated(self, pipeline: CopyPipeline, plans: list[Plan], *, drain: bool = True) -> None:
        """Give ``pipeline`` the statements of these households already in the registry: each updated, its new
        members copied, its members updated, the change entries; wait for them unless ``drain`` is False."""
        if not plans:
            return
        self.now = self.now or timezone.now()
        new_members = [m for p in plans for m in p.members if m.pk is None]
        for member, pk in zip(new_members, reserve_ids(Member, len(new_members)), strict=True):
            member.id = pk
        updated_members = []
        for plan in plans:
            for member in plan.members:
                member.household_id = plan.household.id
                if member._state.adding is False:
                    member.updated_at = self.now
                    updated_members.append(member)
            plan.household.version = plan.expected + 1
            plan.household.updated_at = self.now
        # Each table's statements built while the server runs the previous ones (on a threaded pipeline).
        pipeline.send(update_statements(Household, [p.household for p in plans], HOUSEHOLD_UPDATE_FIELDS, now=self.now))
        # One head per household is a unique index checked row by row (households_one_head_per_household): the heads
        # the file demotes are updated first, then everyone, and the new members (a new head among them) copied after.
        demoted = [
            member
            for plan in plans
            for member in plan.members
            if (was := plan.before_members.get(member.pk)) is not None
            and was[RELATIONSHIP_AT] == Relationship.HEAD
            and member.relationship != Relationship.HEAD
        ]
        if demoted:
            pipeline.send(update_statements(Member, demoted, ["relationship", "updated_at"], now=self.now))
        pipeline.send(update_statements(Member, updated_members, MEMBER_UPDATE_FIELDS, now=self.now))
        pipeline.send(
            [
                copy_statement(Member, new_members, with_pk=True, now=self.now),
                statistics_statement(Member, len(new_members)),
            ]
        )
        pipeline.send([copy_statement(ChangeEntry, self.entries(plans), now=self.now)])
        if drain:
            pipeline.drain()

    def entries(self, plans: list[Plan]) -> list:
        """The change entries of these households, as ``household_save`` would record them."""
        entries, language = [], get_language()
        for plan in plans:
            # A member added is recorded by name only (history.change_entries): its other values are not displayed.
            after = {"household": {}, "members": {m.pk: {"name": m.full_name} for m in plan.members}}
            before = {"household": {}, "members": {}}
            if plan.new:
                after["household"] = snapshot_from(plan.household, [])["household"]
            else:
                # Only the values that changed are displayed, on both sides: the entries are those of two whole
                # snapshots (history.changed_display), for a fraction of the work.
                if plan.before_household is not None:
                    now = raw_values(plan.household, history.HOUSEHOLD_FIELDS)
                    before["household"], after["household"] = changed_display(
                        Household, history.HOUSEHOLD_FIELDS, plan.before_household, now, language
                    )
                for member in plan.members:
                    if member._state.adding:
                        continue
                    was = plan.before_members.get(member.pk)
                    before["members"][member.pk] = {"name": member.full_name}
                    if was is not None:
                        now = raw_values(member, history.MEMBER_FIELDS)
                        old, new = changed_display(Member, history.MEMBER_FIELDS, was, now, language)
                        before["members"][member.pk] = {"name": was[NAME_AT], **old}
                        after["members"][member.pk].update(new)
            action = "create" if plan.new else "update"
            entries += change_entries(
                household=plan.household, before=before, after=after, user=self.user, action=action, entry=ChangeRecord
            )
        return entries


def household_import(
    *,
    sheet: Sheet | ParsedSheet,
    user,
    commit: bool,
    expected_versions: dict | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Validate every household of the sheet with the registry's rules; write them all only if all are valid.

    ``commit=False`` is the dry run: nothing is written. ``expected_versions`` (from the dry run) makes the commit
    refuse a household that someone saved between the preview and the confirmation, instead of overwriting it.
    ``sheet`` may be the cells a dry run parsed (``parse_sheet``): every check after parsing runs again.
    """
    with cyclic_gc_paused():
        return BulkImporter(
            sheet=sheet, user=user, commit=commit, expected_versions=expected_versions, progress=progress
        ).run()
