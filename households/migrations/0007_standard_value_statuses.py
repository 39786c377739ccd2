"""Each value of a stored poverty standard says how far it was checked against the legal text.

Adds to every row the verification tag and citation (or the text to check) of its indicators and of its lines,
rule, threshold, proxy scoring and working age, from ``criteria/data/standards.json``, and drops the blanket notes
those tags replace. Only what the row does not have yet is added: an administrator's corrections stay.
"""

import json

from django.db import migrations

from households.reference_data import STANDARDS

# The notes the shipped data used to carry instead of a status per value.
REPLACED_NOTE_STARTS = (
    "Điều kiện thiếu hụt của 10 chỉ số chưa tìm được văn bản gốc",
    "Ngưỡng trên của mức sống trung bình (1.500.000",
    "Quy tắc hộ cận nghèo khu vực thành thị mới xác minh một phần",
    "Ngưỡng điểm B1 khu vực thành thị",
    "Độ tuổi lao động tạm tính từ đủ 15 đến dưới 60 tuổi",
    "Điều kiện thiếu hụt của 12 chỉ số được dựng lại từ nguồn thứ cấp",
    "Định nghĩa người phụ thuộc (trẻ em dưới 16 tuổi",
    "Chỉ số “Phương tiện phục vụ tiếp cận thông tin” chưa xác minh",
    "Danh sách nguồn nước sạch và loại nhà tiêu hợp vệ sinh là danh sách tạm",
    "Khoảng mức sống trung bình tạm hiểu",
    "Chưa có toàn văn Nghị định 351/2025/NĐ-CP",
    "Bỏ chỉ số “Phương tiện phục vụ tiếp cận thông tin”; thêm chỉ số sử dụng dịch vụ số và xử lý rác thải (điều kiện",
)


def add_statuses(apps, schema_editor):
    PovertyStandard = apps.get_model("households", "PovertyStandard")
    shipped = {item["code"]: item for item in json.loads(STANDARDS.read_text(encoding="utf-8"))["standards"]}
    for row in PovertyStandard.objects.all():
        seed = shipped.get(row.code)
        if seed is None:
            continue
        definition = dict(row.definition)
        statuses = dict(definition.get("statuses") or {})
        for key, status in seed.get("statuses", {}).items():
            statuses.setdefault(key, status)
        definition["statuses"] = statuses
        seeded = {item["code"]: item for item in seed["indicators"]}
        indicators = []
        for item in definition.get("indicators", []):
            item = dict(item)
            source = seeded.get(item.get("code"))
            if source and not item.get("tag"):
                item["tag"], item["source"] = source["tag"], source["source"]
                item.pop("provisional", None)
            indicators.append(item)
        definition["indicators"] = indicators
        notes = [note for note in definition.get("notes", []) if not note.startswith(REPLACED_NOTE_STARTS)]
        for note in seed.get("notes", []):
            if note not in notes:
                notes.append(note)
        definition["notes"] = notes
        row.definition = definition
        row.save(update_fields=["definition"])


class Migration(migrations.Migration):
    dependencies = [("households", "0006_household_code_case_insensitive")]

    operations = [migrations.RunPython(add_statuses, migrations.RunPython.noop)]
