"""Adds the list of poor communes to the BHYT programme's parameters where it is missing (NĐ 188/2025/NĐ-CP: members
of near-poor households in poor communes get 100 %). Empty until an administrator fills it in; other parameters and
an administrator's corrections are left as they are."""

from django.db import migrations

KEY = "poor_commune_codes"
ITEM = {
    "label": "Xã nghèo (mã xã theo danh mục hành chính) áp dụng mức hỗ trợ 100 % cho người thuộc hộ cận nghèo",
    "value": [],
    "unit": "mã xã",
    "tag": "U",
}


def add_key(apps, schema_editor):
    Programme = apps.get_model("programs", "Programme")
    for programme in Programme.objects.filter(code="BHYT"):
        parameters = dict(programme.parameters or {})
        if KEY not in parameters:
            parameters[KEY] = ITEM
            programme.parameters = parameters
            programme.save(update_fields=["parameters"])


def remove_key(apps, schema_editor):
    Programme = apps.get_model("programs", "Programme")
    for programme in Programme.objects.filter(code="BHYT"):
        parameters = dict(programme.parameters or {})
        if parameters.get(KEY, {}).get("value") == []:
            parameters.pop(KEY)
            programme.parameters = parameters
            programme.save(update_fields=["parameters"])


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_constraint_messages")]

    operations = [migrations.RunPython(add_key, remove_key)]
