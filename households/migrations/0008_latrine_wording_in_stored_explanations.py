"""Stored explanations said "Hộ dùng không có nhà tiêu" (a household "uses no latrine") and "Hộ dùng nguồn khác";
the engine now writes "Hộ không có nhà tiêu." and "Hộ dùng nguồn nước khác" — the households' stored
classifications are corrected the same way, so the page does not wait for each household to be saved again."""

from django.db import migrations

REPLACEMENTS = [
    ("Hộ dùng không có nhà tiêu, không phải nhà tiêu hợp vệ sinh.", "Hộ không có nhà tiêu."),
    ("Hộ dùng không có nhà tiêu.", "Hộ không có nhà tiêu."),
    ("Hộ dùng nguồn khác", "Hộ dùng nguồn nước khác"),
]


def reword(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for old, new in REPLACEMENTS:
            cursor.execute(
                "UPDATE households_household SET classification = replace(classification::text, %s, %s)::jsonb "
                "WHERE strpos(classification::text, %s) > 0",
                [old, new, old],
            )


class Migration(migrations.Migration):
    dependencies = [("households", "0007_standard_value_statuses")]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
