"""Adds the list of region III communes to the BHYT programme's parameters where it is missing, so that the
periodic reports count the cards of Kinh people living there as their own group (report 209/BC-UBND, 3.2: "Người
kinh vùng III"). Region III communes of the ethnic-minority and mountainous areas: QĐ 582/QĐ-TTg ngày 28/4/2017
(2016–2020), QĐ 861/QĐ-TTg ngày 04/6/2021 (2021–2025). Empty until an administrator fills it in; other parameters
and an administrator's corrections are left as they are."""

from django.db import migrations

KEY = "region_iii_commune_codes"
ITEM = {
    "label": (
        "Xã khu vực III vùng đồng bào DTTS và miền núi (mã xã theo danh mục hành chính; QĐ 861/QĐ-TTg ngày "
        "04/6/2021, giai đoạn 2016–2020: QĐ 582/QĐ-TTg ngày 28/4/2017): thẻ của người Kinh ở các xã này được báo "
        "cáo thành nhóm “Người Kinh vùng III”"
    ),
    "value": [],
    "unit": "mã xã",
    "tag": "U",
}


def add_key(apps, schema_editor):
    Programme = apps.get_model("programs", "Programme")
    for programme in Programme.objects.filter(kind="health_insurance"):
        parameters = dict(programme.parameters or {})
        if KEY not in parameters:
            parameters[KEY] = ITEM
            programme.parameters = parameters
            programme.save(update_fields=["parameters"])


def remove_key(apps, schema_editor):
    Programme = apps.get_model("programs", "Programme")
    for programme in Programme.objects.filter(kind="health_insurance"):
        parameters = dict(programme.parameters or {})
        if parameters.get(KEY, {}).get("value") == []:
            parameters.pop(KEY)
            programme.parameters = parameters
            programme.save(update_fields=["parameters"])


class Migration(migrations.Migration):
    dependencies = [("programs", "0008_earlier_programme_versions")]

    operations = [migrations.RunPython(add_key, remove_key)]
