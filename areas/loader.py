"""Load a province's official list of units from a data file: idempotent and all-or-nothing.

The data files (``areas/data/``) come from the ``vietnam-provinces`` package; their README says how.
A unit is identified by (level, code, valid_from): loading the same file again changes nothing, and a
file with one bad row writes nothing at all.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .choices import KINDS_BY_LEVEL, UnitLevel
from .models import AdministrativeUnit

DATA_DIR = Path(__file__).resolve().parent / "data"
DATASETS = {
    "2021": DATA_DIR / "units-2021-three-tier.json",
    "2025": DATA_DIR / "units-2025-two-tier.json",
}


class UnitLoadError(Exception):
    """The file could not be loaded; ``errors`` lists every bad row. Nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Row:
    level: str
    code: str
    name: str
    kind: str
    parent: "Row | None"
    where: str


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    units: dict[tuple[str, str], AdministrativeUnit] = field(default_factory=dict)


def read_rows(data: dict, province_code: str, district_codes: list[str] | None = None) -> list[Row]:
    """Flatten one province of a data file into rows, parents before children."""
    province = next((p for p in data.get("provinces", []) if str(p.get("code")) == str(province_code)), None)
    if province is None:
        raise UnitLoadError([_("Không tìm thấy tỉnh có mã %(code)s trong tệp dữ liệu.") % {"code": province_code}])
    top = Row(
        UnitLevel.PROVINCE,
        str(province.get("code", "")),
        province.get("name", ""),
        province.get("kind", ""),
        None,
        "",
    )
    top.where = _("tỉnh %(code)s") % {"code": top.code}
    rows = [top]

    def add_communes(communes, parent: Row) -> None:
        for index, item in enumerate(communes, start=1):
            code, name, kind = (list(item) + ["", "", ""])[:3]
            where = _("xã thứ %(n)s của %(parent)s") % {"n": index, "parent": parent.name or parent.code}
            rows.append(Row(UnitLevel.COMMUNE, str(code), name, kind, parent, where))

    if "districts" in province:
        wanted = {str(code) for code in district_codes or []}
        found = set()
        for index, district in enumerate(province["districts"], start=1):
            code = str(district.get("code", ""))
            if wanted and code not in wanted:
                continue
            found.add(code)
            where = _("huyện thứ %(n)s") % {"n": index}
            row = Row(UnitLevel.DISTRICT, code, district.get("name", ""), district.get("kind", ""), top, where)
            rows.append(row)
            add_communes(district.get("communes", []), row)
        missing = wanted - found
        if missing:
            raise UnitLoadError(
                [_("Không tìm thấy huyện có mã %(codes)s trong tỉnh này.") % {"codes": ", ".join(sorted(missing))}]
            )
    else:
        if district_codes:
            raise UnitLoadError([_("Tệp dữ liệu hai cấp (không có cấp huyện): không thể chọn huyện.")])
        add_communes(province.get("communes", []), top)
    return rows


def validate_rows(rows: list[Row]) -> list[str]:
    errors, seen = [], set()
    for row in rows:
        if not row.code.strip():
            errors.append(_("%(where)s: thiếu mã đơn vị.") % {"where": row.where})
        if not str(row.name).strip():
            errors.append(_("%(where)s (mã %(code)s): thiếu tên đơn vị.") % {"where": row.where, "code": row.code})
        if row.kind not in KINDS_BY_LEVEL[row.level]:
            errors.append(
                _("%(where)s (mã %(code)s): loại đơn vị “%(kind)s” không hợp lệ.")
                % {"where": row.where, "code": row.code, "kind": row.kind}
            )
        if (row.level, row.code) in seen:
            errors.append(_("%(where)s: mã %(code)s bị trùng.") % {"where": row.where, "code": row.code})
        seen.add((row.level, row.code))
    return errors


@transaction.atomic
def units_load(
    *,
    data: dict,
    province_code: str,
    district_codes: list[str] | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> LoadResult:
    """Create or update the province's units from ``data``; raise UnitLoadError (writing nothing) on any bad row."""
    source = str(data.get("source", ""))[:120]
    if valid_from is None and data.get("valid_from"):
        valid_from = date.fromisoformat(data["valid_from"])
    rows = read_rows(data, province_code, district_codes)
    errors = validate_rows(rows)
    if errors:
        raise UnitLoadError(errors)

    result = LoadResult()
    for row in rows:
        parent = result.units[(row.parent.level, row.parent.code)] if row.parent else None
        unit = AdministrativeUnit.objects.filter(level=row.level, code=row.code, valid_from=valid_from).first()
        wanted = {
            "name": row.name,
            "kind": row.kind,
            "parent": parent,
            "valid_to": valid_to,
            "source": source,
        }
        if unit is None:
            unit = AdministrativeUnit(level=row.level, code=row.code, valid_from=valid_from, **wanted)
            outcome = "created"
        elif any(getattr(unit, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(unit, key, value)
            outcome = "updated"
        else:
            outcome = "unchanged"
        if outcome != "unchanged":
            try:
                unit.full_clean()
            except ValidationError as error:
                errors.extend(f"{row.where} (mã {row.code}): {message}" for message in error.messages)
                continue
            unit.save()
        setattr(result, outcome, getattr(result, outcome) + 1)
        result.units[(row.level, row.code)] = unit
    if errors:
        raise UnitLoadError(errors)  # the atomic block rolls back every row already saved
    return result


def load_file(path: Path | str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        raise UnitLoadError([_("Không đọc được tệp %(path)s: %(error)s") % {"path": path, "error": error}]) from error
