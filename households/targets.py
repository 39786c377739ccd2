"""Poverty-reduction targets and escape registrations: the services that write them and the progress read-outs.

The yearly cycle of report 209/BC-UBND (Krông Pa, 15/06/2021): the district assigns each commune its target by
decision (households to escape, poverty-rate reduction) and revises it when the province raises its own; the
commune registers the poor households that will try to escape poverty this year (đăng ký thoát nghèo) with a
cadre assigned to help each one; progress is read from the status history (households.transitions).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, CharField, DateField, F, Func, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.integrity import integrity_as_validation

from .choices import CLASS_RANK, HouseholdClass, HouseholdState
from .history import record_changes, snapshot_of
from .models import EscapeRegistration, EscapeRegistrationState, Household, PovertyTarget, StatusRecord
from .transitions import EARLIEST_YEAR, TransitionRow, period_for_year, transition_table

POOR, NEAR = HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value
TARGET_SETTERS = frozenset({Role.DISTRICT_STAFF, Role.PROVINCE_STAFF})
REGISTRARS = frozenset({Role.COMMUNE_OFFICER})


class Outcome:
    """What became of a registration, read from the status history (never typed)."""

    ESCAPED_POOR = "escaped_poor"
    ESCAPED_NEAR = "escaped_near"
    IN_PROGRESS = "in_progress"
    NOT_ACHIEVED = "not_achieved"
    WITHDRAWN = "withdrawn"

    LABELS = {
        ESCAPED_POOR: gettext_lazy("Đã thoát nghèo"),
        ESCAPED_NEAR: gettext_lazy("Đã thoát cận nghèo"),
        IN_PROGRESS: gettext_lazy("Đang thực hiện"),
        NOT_ACHIEVED: gettext_lazy("Chưa thoát"),
        WITHDRAWN: gettext_lazy("Đã rút đăng ký"),
    }
    ACHIEVED = (ESCAPED_POOR, ESCAPED_NEAR)


# --- who may set a target -------------------------------------------------------------------------------------


def target_may_set(user, unit: AdministrativeUnit) -> bool:
    """District staff assign their communes' targets; province staff those of the units directly below them
    (districts, or communes of a two-tier province after 01/07/2025, domain.md §4)."""
    if not (user.is_authenticated and user.is_active and user.role in TARGET_SETTERS and user.unit_id):
        return False
    if unit.parent_id != user.unit_id:
        return False
    if user.role == Role.DISTRICT_STAFF:
        return unit.level == UnitLevel.COMMUNE
    return unit.level in (UnitLevel.DISTRICT, UnitLevel.COMMUNE)


@integrity_as_validation
@transaction.atomic
def poverty_target_set(
    *,
    unit: AdministrativeUnit,
    year: int,
    households_to_escape: int,
    rate_reduction: Decimal,
    legal_basis: str,
    user,
    note: str = "",
    expected_updated_at: str = "",
) -> PovertyTarget:
    """Assign or revise a unit's yearly target; only the level directly above may, and a revision keeps the old
    figures with their legal basis. Unchanged figures are left alone (with their own legal basis). Refused if
    someone else changed the target after the form was opened."""
    if not target_may_set(user, unit):
        raise PermissionDenied(_("Bạn không được giao chỉ tiêu cho %(unit)s.") % {"unit": unit.name})
    if not (legal_basis or "").strip():
        raise ValidationError(_("Hãy ghi căn cứ giao chỉ tiêu (số, ngày quyết định hoặc kế hoạch)."))
    target = PovertyTarget.objects.select_for_update().filter(unit=unit, year=year).first()
    if target is not None:
        if expected_updated_at != target.updated_at.isoformat():
            raise ValidationError(
                _(
                    "Chỉ tiêu của %(unit)s vừa được %(user)s cập nhật lúc %(when)s, sau khi bạn mở trang. "
                    "Hãy tải lại trang để xem số mới rồi nhập lại."
                )
                % {
                    "unit": unit.name,
                    "user": target.set_by or _("người khác"),
                    "when": timezone.localtime(target.updated_at).strftime("%H:%M %d/%m/%Y"),
                }
            )
        if target.households_to_escape == households_to_escape and target.rate_reduction == rate_reduction:
            return target  # same figures: a decision covering other units does not revise this one
        target.revisions = [
            *target.revisions,
            {
                "households_to_escape": target.households_to_escape,
                "rate_reduction": str(target.rate_reduction),
                "legal_basis": target.legal_basis,
                "set_by": str(target.set_by or ""),
                "until": timezone.localtime().strftime("%H:%M %d/%m/%Y"),
            },
        ]
    else:
        target = PovertyTarget(unit=unit, year=year)
    target.households_to_escape, target.rate_reduction = households_to_escape, rate_reduction
    target.legal_basis, target.note, target.set_by = legal_basis.strip(), note.strip(), user
    target.full_clean()
    target.save()
    return target


# --- escape registrations ------------------------------------------------------------------------------------


def official_class_on(household: Household, day: date) -> str | None:
    """The class of the list in force on ``day`` (status history), or None when the household is on no list."""
    record = (
        household.status_records.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    return record.household_class if record else None


@integrity_as_validation
@transaction.atomic
def escape_registration_add(
    *,
    household: Household,
    year: int,
    registered_on: date,
    user,
    cadre_user=None,
    cadre_name: str = "",
    cadre_position: str = "",
    cadre_phone: str = "",
    commitment: str = "",
) -> EscapeRegistration:
    """Register a poor or near-poor household (per the approved list on the day) to escape poverty in ``year``,
    with the cadre who helps it; one registration per household and year."""
    today = timezone.localdate()
    errors = []
    if user.role not in REGISTRARS or household.commune_id != user.unit_id:
        raise PermissionDenied(_("Chỉ cán bộ xã của hộ mới đăng ký thoát nghèo cho hộ."))
    if household.state != HouseholdState.ACTIVE:
        errors.append(_("Hộ đã lưu trữ, không đăng ký được."))
    if registered_on > today:
        errors.append(_("Ngày đăng ký không được sau hôm nay."))
    if registered_on.year not in (year - 1, year):
        errors.append(_("Ngày đăng ký phải trong năm %(year)s hoặc cuối năm trước đó.") % {"year": year})
    if year < today.year:
        errors.append(_("Không đăng ký thoát nghèo cho năm đã qua (%(year)s).") % {"year": year})
    household_class = official_class_on(household, registered_on)
    if household_class not in (POOR, NEAR):
        errors.append(
            _(
                "Hộ %(code)s không có trong danh sách hộ nghèo, hộ cận nghèo đã được công nhận vào ngày %(date)s, "
                "nên không đăng ký thoát nghèo được."
            )
            % {"code": household.code, "date": registered_on.strftime("%d/%m/%Y")}
        )
    if EscapeRegistration.objects.active().filter(household=household, year=year).exists():
        errors.append(_("Hộ %(code)s đã đăng ký thoát nghèo năm %(year)s.") % {"code": household.code, "year": year})
    if cadre_user is not None:
        cadre_name = cadre_name.strip() or cadre_user.get_full_name()
        cadre_position = cadre_position.strip() or cadre_user.position
        cadre_phone = cadre_phone.strip() or cadre_user.phone
    if not cadre_name.strip():
        errors.append(_("Hãy chọn hoặc ghi tên cán bộ phụ trách giúp đỡ hộ."))
    if errors:
        raise ValidationError(errors)
    before = snapshot_of(household.pk)
    registration = EscapeRegistration(
        household=household,
        year=year,
        registered_on=registered_on,
        class_at_registration=household_class,
        cadre_user=cadre_user,
        cadre_name=cadre_name.strip(),
        cadre_position=cadre_position.strip(),
        cadre_phone=cadre_phone.strip(),
        commitment=commitment.strip(),
        created_by=user,
    )
    registration.full_clean()
    registration.save()
    record_changes(
        household=household,
        before=before,
        user=user,
        action="escape_register",
        note=_("Đăng ký thoát nghèo năm %(year)s; cán bộ phụ trách: %(cadre)s")
        % {"year": year, "cadre": ", ".join(p for p in (registration.cadre_name, registration.cadre_position) if p)},
    )
    return registration


@integrity_as_validation
@transaction.atomic
def escape_registration_withdraw(*, registration: EscapeRegistration, reason: str, user) -> EscapeRegistration:
    """Withdraw a registration (the household gives up, moves away…) with a reason; it stays on record."""
    registration = EscapeRegistration.objects.select_for_update().select_related("household").get(pk=registration.pk)
    if user.role not in REGISTRARS or registration.household.commune_id != user.unit_id:
        raise PermissionDenied(_("Chỉ cán bộ xã của hộ mới rút đăng ký thoát nghèo."))
    if registration.state != EscapeRegistrationState.REGISTERED:
        raise ValidationError(_("Đăng ký này đã được rút trước đó."))
    if registration.year < timezone.localdate().year:
        raise ValidationError(
            _("Không rút được đăng ký của năm đã qua (%(year)s): kết quả năm đó đã được tổng hợp.")
            % {"year": registration.year}
        )
    if not reason.strip():
        raise ValidationError(_("Hãy ghi lý do rút đăng ký."))
    before = snapshot_of(registration.household_id)
    registration.state = EscapeRegistrationState.WITHDRAWN
    registration.withdrawn_on, registration.withdraw_reason = timezone.localdate(), reason.strip()
    registration.save(update_fields=["state", "withdrawn_on", "withdraw_reason"])
    record_changes(
        household=registration.household,
        before=before,
        user=user,
        action="escape_withdraw",
        note=_("Rút đăng ký thoát nghèo năm %(year)s: %(reason)s") % {"year": registration.year, "reason": reason},
    )
    return registration


# --- read side ----------------------------------------------------------------------------------------------


def registrations_with_outcome(registrations: QuerySet, today: date | None = None) -> QuerySet:
    """Annotate ``class_end`` (the official class on 31/12 of the year, or today while the year runs) and
    ``outcome`` (see ``Outcome``): poor → near-poor or better is an escape from poverty (domain.md §2.8)."""
    today = today or timezone.localdate()
    year_end = Func(F("year"), Value(12), Value(31), function="make_date", output_field=DateField())
    class_end = Subquery(
        StatusRecord.objects.filter(household=OuterRef("household_id"), valid_from__lte=OuterRef("outcome_day"))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("outcome_day")))
        .order_by("-valid_from")
        .values("household_class")[:1],
        output_field=CharField(),
    )
    above_poor = [str(c) for c, rank in CLASS_RANK.items() if rank > CLASS_RANK[HouseholdClass.POOR]]
    above_near = [str(c) for c, rank in CLASS_RANK.items() if rank > CLASS_RANK[HouseholdClass.NEAR_POOR]]
    return (
        registrations.annotate(outcome_day=Least(year_end, Value(today, output_field=DateField())))
        .annotate(class_end=class_end)
        .annotate(
            outcome=Case(
                When(state=EscapeRegistrationState.WITHDRAWN, then=Value(Outcome.WITHDRAWN)),
                When(class_at_registration=POOR, class_end__in=above_poor, then=Value(Outcome.ESCAPED_POOR)),
                When(class_at_registration=NEAR, class_end__in=above_near, then=Value(Outcome.ESCAPED_NEAR)),
                When(year__lt=today.year, then=Value(Outcome.NOT_ACHIEVED)),
                default=Value(Outcome.IN_PROGRESS),
                output_field=CharField(),
            )
        )
    )


# The outcome of registrations_with_outcome for every registration of one year, counted per unit: each registered
# household's class on the outcome day from one grouped pass over its status records (the record in force with the
# latest start), instead of a correlated lookup per registration.
REGISTRATION_COUNTS_SQL = """
    WITH registrations AS MATERIALIZED ({registrations}),
    ends AS (
        SELECT sr.household_id,
               (array_agg(sr.household_class ORDER BY sr.valid_from DESC, sr.id DESC)
                    FILTER (WHERE sr.valid_to IS NULL OR sr.valid_to >= %s))[1] AS class_end
          FROM {table} sr
         WHERE sr.valid_from <= %s AND sr.household_id IN (SELECT household_id FROM registrations)
         GROUP BY sr.household_id
    )
    SELECT unit_key, COUNT(*) AS registered,
           COUNT(*) FILTER (WHERE state <> %s AND ((class_at_registration = %s AND class_end = ANY(%s))
                                                   OR (class_at_registration = %s AND class_end = ANY(%s)))) AS achieved
      FROM registrations LEFT JOIN ends USING (household_id)
     GROUP BY unit_key
"""


def registration_counts(registrations: QuerySet, level: str, year: int, today: date | None = None) -> dict:
    """Registrations of ``year`` and how many achieved their escape (``Outcome.ACHIEVED``, same rule as
    ``registrations_with_outcome``) per unit of ``level``, in one statement: {unit id: {registered, achieved}}."""
    today = today or timezone.localdate()
    outcome_day = min(date(year, 12, 31), today)
    base_sql, base_params = (
        registrations.filter(year=year)
        .annotate(unit_key=_registration_key(level))
        .values("household_id", "unit_key", "class_at_registration", "state")
        .order_by()
        .query.sql_with_params()
    )
    above_poor = [str(c) for c, rank in CLASS_RANK.items() if rank > CLASS_RANK[HouseholdClass.POOR]]
    above_near = [str(c) for c, rank in CLASS_RANK.items() if rank > CLASS_RANK[HouseholdClass.NEAR_POOR]]
    sql = REGISTRATION_COUNTS_SQL.format(registrations=base_sql, table=StatusRecord._meta.db_table)
    params = [
        *base_params,
        outcome_day,
        outcome_day,
        str(EscapeRegistrationState.WITHDRAWN),
        POOR,
        above_poor,
        NEAR,
        above_near,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: {"registered": registered, "achieved": achieved} for key, registered, achieved in cursor}


def _registration_key(level: str):
    if level == UnitLevel.VILLAGE:
        return F("household__village_id")
    if level == UnitLevel.COMMUNE:
        return F("household__commune_id")
    parent = F("household__commune__parent_id")
    if level == UnitLevel.DISTRICT:
        return Case(When(household__commune__parent__level=UnitLevel.DISTRICT, then=parent), default=None)
    return Case(
        When(household__commune__parent__level=UnitLevel.PROVINCE, then=parent),
        default=F("household__commune__parent__parent_id"),
    )


def target_level(scope: AdministrativeUnit | None) -> str:
    """The units whose targets a page lists: the commune itself, a district's communes, a province's districts
    (or its communes when it has no districts any more)."""
    if scope is None:
        return UnitLevel.PROVINCE
    if scope.level in (UnitLevel.COMMUNE, UnitLevel.VILLAGE):
        return UnitLevel.COMMUNE
    if scope.level == UnitLevel.DISTRICT:
        return UnitLevel.COMMUNE
    has_districts = scope.children.valid_on().filter(level=UnitLevel.DISTRICT).exists()
    return UnitLevel.DISTRICT if has_districts else UnitLevel.COMMUNE


@dataclass
class ProgressRow:
    """A unit's target beside what happened: households escaped, rate reduction, registrations and their outcome."""

    unit: AdministrativeUnit | None
    target: PovertyTarget | None
    movement: TransitionRow
    registered: int = 0
    achieved: int = 0
    last_movement: TransitionRow | None = None
    last_target: PovertyTarget | None = None

    @property
    def escaped(self) -> int:
        return self.movement.counts["escaped_poor"]

    @property
    def share(self) -> int | None:
        """Households escaped as a percentage of the target (may pass 100)."""
        if self.target is None or not self.target.households_to_escape:
            return None
        return round(self.escaped * 100 / self.target.households_to_escape)

    @property
    def bar(self) -> int:
        return min(self.share or 0, 100)

    @property
    def rate_reduction(self) -> Decimal | None:
        return self.movement.rates["poor_reduction"]

    @property
    def rate_met(self) -> bool | None:
        if self.target is None or self.rate_reduction is None:
            return None
        return self.rate_reduction >= self.target.rate_reduction


@dataclass
class Progress:
    year: int
    level: str
    scope: AdministrativeUnit | None
    period_label: str
    rows: list[ProgressRow]
    total: ProgressRow
    figures: object | None = None  # the summary rows read (households.summary.DashboardFigures), None when live

    @property
    def targets_set(self) -> int:
        return sum(1 for row in self.rows if row.target is not None)

    @property
    def children_target_households(self) -> int:
        return sum(row.target.households_to_escape for row in self.rows if row.target is not None)


def target_progress(
    user,
    *,
    scope: AdministrativeUnit | None,
    year: int,
    with_last_year: bool = False,
    figures=None,
    exact: bool = False,
) -> Progress:
    """Targets and progress of the units of ``target_level(scope)`` the user may see, with a total row.

    A fixed number of queries (the transition table's, targets, registrations; twice with last year). The movements
    and registrations come from the communes' summary rows when the table holds the period (this year so far, all of
    last year; ``exact`` as for ``transition_table``), else they are counted live; ``figures``
    (``households.summary.DashboardFigures`` already read, the dashboard's) supplies them instead of reading them
    again."""
    # A target for next year is assigned in December: until then its movement columns show this year so far.
    period = period_for_year(min(year, timezone.localdate().year))
    level = target_level(scope)
    if figures is None:
        from .summary import summary_figures_for_period  # the summary module reads this one

        figures = summary_figures_for_period(user, scope, period, exact=exact)
    grouped = figures.grouped(level) if figures is not None else None
    table = transition_table(user, period=period, level=level, scope=scope, grouped=grouped, exact=exact)
    table.figures = figures
    units = [row.unit for row in table.rows]
    wanted = [u.pk for u in units] + ([scope.pk] if scope is not None else [])
    targets = {
        t.unit_id: t
        for t in PovertyTarget.objects.visible_to(user).filter(year=year, unit_id__in=wanted).select_related("set_by")
    }
    if figures is not None and figures.year == year:
        by_unit = figures.registrations(level)
    else:
        registrations = EscapeRegistration.objects.visible_to(user).active().filter(year=year)
        if scope is not None:
            registrations = registrations.filter(household__village__path__startswith=scope.path)
        by_unit = registration_counts(registrations, level, year)
    rows = [
        ProgressRow(
            unit=row.unit,
            target=targets.get(row.unit.pk),
            movement=row,
            registered=by_unit.get(row.unit.pk, {}).get("registered", 0),
            achieved=by_unit.get(row.unit.pk, {}).get("achieved", 0),
        )
        for row in table.rows
    ]
    own_target = targets.get(scope.pk) if scope is not None and scope.level != UnitLevel.COMMUNE else None
    total = ProgressRow(
        unit=scope,
        target=own_target,
        movement=table.total,
        registered=sum(r.registered for r in rows),
        achieved=sum(r.achieved for r in rows),
    )
    if with_last_year and year - 1 >= EARLIEST_YEAR:
        last = transition_table(user, period=period_for_year(year - 1), level=level, scope=scope, exact=exact)
        last_movements = {row.unit.pk: row for row in last.rows}
        last_targets = {
            t.unit_id: t for t in PovertyTarget.objects.visible_to(user).filter(year=year - 1, unit_id__in=wanted)
        }
        for row in rows:
            row.last_movement, row.last_target = last_movements.get(row.unit.pk), last_targets.get(row.unit.pk)
        total.last_movement = last.total
    return Progress(
        year=year, level=level, scope=scope, period_label=period.label, rows=rows, total=total, figures=figures
    )


def escape_registrations_for(user, *, commune: AdministrativeUnit, year: int) -> QuerySet:
    """A commune's registrations of the year (withdrawn ones last), each with its outcome and helper."""
    # The commune's villages are found from the registration's own copy of its household's village (kept by
    # triggers, households migration 0021) and its index: through the household's village, a district officer's
    # page of a commune read every household of the province (0,3–0,4 s at a million households, docs/performance.md).
    registrations = EscapeRegistration.objects.visible_to(user).filter(
        year=year, household_village__path__startswith=commune.path
    )
    return (
        registrations_with_outcome(registrations)
        .select_related("household__village", "cadre_user")
        .order_by("state", "household_village__code", "household_code", "pk")
    )


def escape_candidates_for(user, *, commune: AdministrativeUnit, year: int, day: date | None = None) -> QuerySet:
    """Active households of the commune on the poor or near-poor list on ``day`` not yet registered this year."""
    day = day or timezone.localdate()
    listed = StatusRecord.objects.filter(household_class__in=[POOR, NEAR], valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    taken = EscapeRegistration.objects.active().filter(year=year).values("household_id")
    return (
        Household.objects.visible_to(user)
        .active()
        .filter(commune=commune, pk__in=listed.values("household_id"))
        .exclude(pk__in=taken)
        .select_related("village")
        .order_by("village__code", "code")
    )


@integrity_as_validation
@transaction.atomic
def poverty_targets_set(*, entries: list[dict], year: int, legal_basis: str, note: str = "", user) -> int:
    """Assign the targets of several units from one decision, all or nothing; returns how many changed.

    ``entries``: dicts with unit, households_to_escape, rate_reduction, expected_updated_at."""
    changed, errors = 0, []
    for entry in entries:
        before = PovertyTarget.objects.filter(unit=entry["unit"], year=year).values_list("updated_at", flat=True)
        before = before.first()
        try:
            target = poverty_target_set(
                unit=entry["unit"],
                year=year,
                households_to_escape=entry["households_to_escape"],
                rate_reduction=entry["rate_reduction"],
                legal_basis=legal_basis,
                note=note,
                user=user,
                expected_updated_at=entry.get("expected_updated_at", ""),
            )
        except ValidationError as error:
            errors += error.messages
            continue
        changed += target.updated_at != before
    if errors:
        raise ValidationError(errors)
    return changed


def target_dashboard_for(user, figures=None) -> dict | None:
    """The dashboard widget: this year's target and progress of the user's unit (None without a unit); ``figures``
    as for ``target_progress``."""
    if not user.is_authenticated or not user.unit_id or user.role not in Role.values or user.is_system_admin:
        return None
    year = timezone.localdate().year
    if figures is not None and figures.year != year:
        figures = None
    progress = target_progress(user, scope=user.unit, year=year, figures=figures)
    return {"progress": progress, "year": year}
