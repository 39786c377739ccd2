"""Reference data every installation needs: the 54 ethnic groups and the poverty standards.

Used by the data migration (with historical models) and by ``load_demo`` and the tests, which may run
after a database was emptied. Only missing rows are created: an administrator's corrections stay.
"""

import json
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
ETHNIC_GROUPS = APP_DIR / "data" / "ethnic_groups.json"
STANDARDS = APP_DIR / "criteria" / "data" / "standards.json"


def reference_data_load(ethnic_group_model=None, standard_model=None) -> None:
    if ethnic_group_model is None or standard_model is None:
        from .models import EthnicGroup, PovertyStandard

        ethnic_group_model, standard_model = EthnicGroup, PovertyStandard
    if ethnic_group_model.objects.count() < 54:
        for group in json.loads(ETHNIC_GROUPS.read_text(encoding="utf-8"))["groups"]:
            ethnic_group_model.objects.get_or_create(
                code=group["code"], defaults={"name": group["name"], "is_minority": group["minority"]}
            )
    existing = set(standard_model.objects.values_list("code", flat=True))
    for item in json.loads(STANDARDS.read_text(encoding="utf-8"))["standards"]:
        if item["code"] in existing:
            continue
        standard_model.objects.create(
            code=item["code"],
            name=item["name"],
            legal_basis=item["legal_basis"],
            valid_from=item["valid_from"],
            valid_to=item.get("valid_to"),
            provisional=item.get("provisional", False),
            definition=item,
        )
