"""The programme catalogue shipped with the code (data/catalogue.json), loaded by a data migration.

Only missing programmes are created, so an administrator's corrections of amounts, rates and dates survive
re-loading (``load_demo`` and the tests call this after a database was emptied).
"""

import json
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent / "data" / "catalogue.json"
FIELDS = (
    "name",
    "name_en",
    "short_name",
    "short_name_en",
    "kind",
    "legal_basis",
    "managing_agency",
    "beneficiary",
    "unit",
    "eligible_statuses",
    "recently_escaped_years",
    "also_eligible_flags",
    "once_per_beneficiary",
    "valid_from",
    "valid_to",
    "parameters",
    "source_tag",
    "note",
    "order",
)


def catalogue_entries() -> list[dict]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))["programmes"]


def catalogue_load(programme_model=None) -> int:
    """Create the programmes of the catalogue that are missing; returns how many were created."""
    if programme_model is None:
        from .models import Programme as programme_model
    existing = set(programme_model.objects.values_list("code", flat=True))
    # A data migration passes the model as it was then: only the fields it had (the English names came later).
    known = {field.name for field in programme_model._meta.get_fields()}
    created = 0
    for entry in catalogue_entries():
        if entry["code"] in existing:
            continue
        programme_model.objects.create(code=entry["code"], **{k: entry[k] for k in FIELDS if k in entry and k in known})
        created += 1
    return created
