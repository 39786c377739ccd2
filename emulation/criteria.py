"""Criteria of a movement: the example set of seed 002 shipped as data (emulation/data/criteria_seed_002.json) and
the services that copy it into a movement and save a criterion checked against the registry of measures.

Seed 002 is Tây Sơn's plan for 2021–2025 (Kế hoạch số 03/KH-UBND ngày 03/01/2023, mục 6): its qualitative criteria
per level and its quantitative thresholds. The award criteria of QĐ 1258/666 themselves were not retrieved
(domain.md §6.1), so each criterion carries its source and a [P]/[U] tag, and a movement corrects them as data.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.integrity import check_unique_rules, integrity_as_validation

from .measures import REGISTRY
from .models import Criterion, CriterionKind, Movement

DATA = Path(__file__).resolve().parent / "data"
TEMPLATES = {"seed_002": DATA / "criteria_seed_002.json"}


@cache
def criteria_template(name: str = "seed_002") -> dict:
    """The criteria set of a plan, as shipped: name, source and the criteria with level, kind, measure, tag."""
    return json.loads(TEMPLATES[name].read_text(encoding="utf-8"))


def criterion_check(criterion: Criterion) -> None:
    """A quantitative criterion names a measure of the registry that judges its level; parameters are an object."""
    errors = {}
    if criterion.kind == CriterionKind.QUANTITATIVE:
        found = REGISTRY.get(criterion.measure)
        if found is None:
            errors["measure"] = _("Hãy chọn cách tính của tiêu chí định lượng.")
        elif criterion.level not in found.levels:
            errors["measure"] = _("Cách tính này không áp dụng cho cấp đã chọn.")
    elif criterion.measure:
        errors["measure"] = _("Tiêu chí định tính do người đánh giá xác nhận, không có cách tính.")
    if not isinstance(criterion.parameters, dict):
        errors["parameters"] = _('Tham số phải là một đối tượng JSON, ví dụ {"points": "4", "years": 3}.')
    if criterion.movement_id and criterion.level not in criterion.movement.levels:
        errors["level"] = _("Phong trào không đánh giá cấp này; hãy thêm cấp vào phong trào trước.")
    if errors:
        raise ValidationError(errors)


@integrity_as_validation
@transaction.atomic
def criterion_save(*, criterion: Criterion) -> Criterion:
    """Save a criterion of a movement: its measure exists and judges its level, its code is unique in the level."""
    criterion_check(criterion)
    check_unique_rules(criterion)
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def criteria_copy_template(*, movement: Movement, template: str = "seed_002") -> int:
    """Copy a plan's criteria set into a movement, for the levels it judges; criteria whose code the movement already
    has at that level are kept as they are (copying twice adds nothing). Returns how many were added."""
    data = criteria_template(template)
    existing = set(Criterion.objects.filter(movement=movement).values_list("level", "code"))
    added = []
    for order, item in enumerate(data["criteria"], start=1):
        if item["level"] not in movement.levels or (item["level"], item["code"]) in existing:
            continue
        criterion = Criterion(
            movement=movement,
            level=item["level"],
            code=item["code"],
            name=item["name"],
            kind=item["kind"],
            measure=item.get("measure", ""),
            parameters=item.get("parameters", {}),
            order=order,
            source=_source(data, item),
            tag=item["tag"],
        )
        criterion_check(criterion)
        criterion.full_clean()
        added.append(criterion)
    Criterion.objects.bulk_create(added)
    return len(added)


def _source(data: dict, item: dict) -> str:
    section = item["section"]
    if section == "1":
        # stored as the plan's own words, whatever the language of the officer who copies it
        return f"{data['source'].removesuffix(', mục 6')}, mục 1 (mục đích)"
    return f"{data['source'].removesuffix(', mục 6')}, mục {section}"
