"""Evaluating a movement: every active quantitative criterion for every unit of each judged level in a scope (and the
households, for the household level) in a year, kept as a dated snapshot with the figures behind each verdict; the
qualitative assessments with their evidence; the candidates for an award ("đề xuất khen thưởng") — subjects that
meet every criterion of their level (seed 002, §6; domain.md §6.1).

Every measure reads the records the evaluating officer may see (``visible_to``) inside the scope, in one grouped pass
per level and period (emulation.measures), so an evaluation costs the same number of queries for a commune of 100
households as for a district of 100.000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from households.models import Household
from households.transitions import EARLIEST_YEAR

from .measures import HOUSEHOLD, UNIT_LEVELS, EvaluationContext, compute
from .models import Assessment, Criterion, CriterionKind, Evaluation, EvaluationResult, Level, Movement

EVALUATED_LEVELS = (Level.DISTRICT, Level.COMMUNE, Level.VILLAGE, Level.HOUSEHOLD)
SCOPE_LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)


def evaluation_years(movement: Movement, today: date | None = None) -> list[int]:
    """The years a movement can be evaluated for: its phase and the year after it (the final review and the
    proposals of the last year are made then), up to this year."""
    today = today or timezone.localdate()
    first = max(movement.phase_start, EARLIEST_YEAR)
    return list(range(first, min(movement.phase_end + 1, today.year) + 1))


def evaluation_scopes(user, movement: Movement):
    """The units a user may evaluate the movement for: the movement's unit and the units below it that the user
    may see, from the province down to a commune."""
    return (
        AdministrativeUnit.objects.visible_to(user)
        .valid_on()
        .filter(path__startswith=movement.unit.path, level__in=SCOPE_LEVELS)
        .order_by("path")
    )


@transaction.atomic
def evaluate(
    movement: Movement, scope: AdministrativeUnit, year: int, user, *, note: str = "", progress=None
) -> Evaluation:
    """Evaluate every active quantitative criterion of the movement for every subject of its judged levels inside
    ``scope`` in ``year`` and store the verdicts with their figures; an earlier evaluation stays as it was.
    ``progress(percent, message)``, when given, is told after each criterion (the background job's bar)."""
    today = timezone.localdate()
    if not evaluation_scopes(user, movement).filter(pk=scope.pk).exists():
        raise ValidationError({"scope": _("Đơn vị này không thuộc phạm vi của phong trào hoặc của tài khoản.")})
    if year not in evaluation_years(movement, today):
        raise ValidationError(
            {
                "year": _("Chỉ đánh giá được các năm %(first)s–%(last)s của phong trào (không quá năm nay).")
                % {"first": max(movement.phase_start, EARLIEST_YEAR), "last": min(movement.phase_end + 1, today.year)}
            }
        )
    evaluation = Evaluation(movement=movement, scope=scope, year=year, evaluated_by=user, note=note.strip())
    evaluation.full_clean()
    evaluation.save()
    ctx = EvaluationContext(movement=movement, scope=scope, year=year, user=user, today=today)
    criteria = Criterion.objects.filter(
        movement=movement,
        is_active=True,
        kind=CriterionKind.QUANTITATIVE,
        level__in=[level for level in movement.levels if level in EVALUATED_LEVELS],
    )
    rows = []
    criteria = list(criteria)
    for done, criterion in enumerate(criteria):
        if progress is not None:
            name = Truncator(criterion.name).chars(120)
            progress(5 + 85 * done // len(criteria), _("Đang tính tiêu chí “%(name)s”") % {"name": name})
        for key, verdict in compute(ctx, criterion.level, criterion.measure, criterion.parameters).items():
            subject = {"household_id": key} if criterion.level == HOUSEHOLD else {"unit_id": key}
            rows.append(
                EvaluationResult(
                    evaluation=evaluation, criterion=criterion, met=verdict.met, figures=verdict.figures, **subject
                )
            )
    EvaluationResult.objects.bulk_create(rows, batch_size=2000)
    return evaluation


# --- reading an evaluation ----------------------------------------------------------------------------------------


@dataclass
class SubjectRow:
    """One subject of an evaluation: its verdict on each quantitative criterion, its qualitative assessments of the
    year and whether it meets every criterion of its level."""

    level: str
    unit: AdministrativeUnit | None = None
    household: Household | None = None
    results: list[tuple[Criterion, EvaluationResult | None]] = field(default_factory=list)
    assessments: list[tuple[Criterion, Assessment | None]] = field(default_factory=list)

    @property
    def name(self) -> str:
        if self.household is not None:
            return str(self.household)
        return self.unit.name if self.unit else ""

    @property
    def quantitative_met(self) -> bool:
        return all(result is not None and result.met is True for _c, result in self.results)

    @property
    def qualitative_met(self) -> bool:
        return all(assessment is not None and assessment.met for _c, assessment in self.assessments)

    @property
    def candidate(self) -> bool:
        """Đề xuất khen thưởng: every criterion of the level met, quantitative from the records and qualitative by
        an assessor's tick."""
        return self.quantitative_met and self.qualitative_met


@dataclass
class LevelTable:
    level: str
    label: str
    quantitative: list[Criterion]
    qualitative: list[Criterion]
    rows: list[SubjectRow]

    @property
    def candidates(self) -> list[SubjectRow]:
        return [row for row in self.rows if row.candidate]


def evaluation_tables(evaluation: Evaluation) -> list[LevelTable]:
    """The evaluation per level, one row per subject; four queries whatever the number of subjects."""
    criteria = list(Criterion.objects.filter(movement_id=evaluation.movement_id).order_by("level", "order", "code"))
    results = list(
        EvaluationResult.objects.filter(evaluation=evaluation)
        .select_related("unit", "household")
        .order_by("unit__path", "household__code", "pk")
    )
    evaluated = {result.criterion_id for result in results}
    quantitative = [c for c in criteria if c.kind == CriterionKind.QUANTITATIVE and (c.is_active or c.pk in evaluated)]
    qualitative = [c for c in criteria if c.kind == CriterionKind.QUALITATIVE and c.is_active]
    subjects: dict[tuple, SubjectRow] = {}
    found: dict[tuple, dict[int, EvaluationResult]] = {}
    levels = {c.pk: c.level for c in criteria}
    for result in results:
        level = levels[result.criterion_id]
        key = (level, result.household_id) if result.household_id else (level, result.unit_id)
        if key not in subjects:
            subjects[key] = SubjectRow(level=level, unit=result.unit, household=result.household)
        found.setdefault(key, {})[result.criterion_id] = result
    assessments = _assessments(evaluation, qualitative, subjects)
    tables = []
    labels = dict(Level.choices)
    for level in EVALUATED_LEVELS:
        if level not in evaluation.movement.levels:
            continue
        level_quantitative = [c for c in quantitative if c.level == level and c.pk in evaluated]
        level_qualitative = [c for c in qualitative if c.level == level]
        rows = [row for key, row in subjects.items() if key[0] == level]
        for row in rows:
            key = (level, row.household.pk if row.household else row.unit.pk)
            row.results = [(c, found[key].get(c.pk)) for c in level_quantitative]
            row.assessments = [(c, assessments.get((c.pk, *key[1:]))) for c in level_qualitative]
        tables.append(LevelTable(level, labels[level], level_quantitative, level_qualitative, rows))
    return tables


def _assessments(evaluation, qualitative, subjects) -> dict[tuple, Assessment]:
    """The latest assessment of the year of each qualitative criterion for each subject of the evaluation."""
    if not qualitative or not subjects:
        return {}
    units = [key[1] for key in subjects if key[0] != HOUSEHOLD]
    households = [key[1] for key in subjects if key[0] == HOUSEHOLD]
    found = {}
    rows = Assessment.objects.filter(criterion__in=qualitative, year=evaluation.year).filter(
        Q(unit_id__in=units) | Q(household_id__in=households)
    )
    for assessment in rows.order_by("assessed_at", "pk"):
        found[(assessment.criterion_id, assessment.household_id or assessment.unit_id)] = assessment
    return found


# --- qualitative assessments -------------------------------------------------------------------------------------


def may_assess(user, *, unit: AdministrativeUnit | None = None, household: Household | None = None) -> bool:
    """An assessor judges subjects below his own unit: a district the communes and villages, a commune its villages
    and households (nobody ticks his own unit's criteria); the administrator every subject."""
    if user.is_superuser:
        return True
    if user.unit_id is None:
        return False
    if household is not None:
        return Household.objects.visible_to(user).filter(pk=household.pk).exists()
    return unit is not None and unit.pk != user.unit_id and unit.path.startswith(user.unit.path)


@transaction.atomic
def assessment_record(
    *,
    criterion: Criterion,
    year: int,
    user,
    met: bool,
    unit: AdministrativeUnit | None = None,
    household: Household | None = None,
    evidence=None,
    note: str = "",
) -> Assessment:
    """Record an assessor's verdict on a qualitative criterion for a subject and year: ticking it needs evidence
    (a file attached now or earlier); a later verdict replaces the earlier one of the same year."""
    from .nominations import check_evidence_file

    if criterion.kind != CriterionKind.QUALITATIVE:
        raise ValidationError(_("Tiêu chí định lượng được tính từ dữ liệu, không đánh giá bằng tay."))
    expected_household = criterion.level == HOUSEHOLD
    if (household is not None) != expected_household or (unit is not None) == expected_household:
        raise ValidationError(_("Đối tượng không thuộc cấp của tiêu chí."))
    if unit is not None and unit.level != UNIT_LEVELS.get(criterion.level):
        raise ValidationError(_("Đối tượng không thuộc cấp của tiêu chí."))
    if not may_assess(user, unit=unit, household=household):
        raise ValidationError(_("Bạn không đánh giá được đối tượng này: chỉ cấp trên đánh giá đơn vị cấp dưới."))
    assessment = (
        Assessment.objects.select_for_update()
        .filter(criterion=criterion, year=year, unit=unit, household=household)
        .order_by("-assessed_at")
        .first()
    ) or Assessment(criterion=criterion, year=year, unit=unit, household=household)
    if evidence:
        try:
            check_evidence_file(evidence)
        except ValidationError as error:
            raise ValidationError({"evidence": error.message_dict.get("file", error.messages)}) from None
        assessment.evidence = evidence
    if met and not assessment.evidence:
        raise ValidationError({"evidence": _("Hãy đính kèm minh chứng khi xác nhận tiêu chí đạt.")})
    assessment.met, assessment.note, assessment.assessed_by = met, note.strip(), user
    assessment.subject_name = str(household) if household is not None else unit.name
    assessment.full_clean()
    assessment.save()
    return assessment
