"""English names of the support programmes (ADR 0019), filled from the catalogue for the programmes it lists;
an administrator's own Vietnamese names are kept, and English names already typed are not overwritten."""

import json
from pathlib import Path

from django.db import migrations, models

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "catalogue.json"


def fill_english_names(apps, schema_editor):
    Programme = apps.get_model("programs", "Programme")
    entries = {e["code"]: e for e in json.loads(CATALOGUE.read_text(encoding="utf-8"))["programmes"]}
    for programme in Programme.objects.filter(code__in=entries):
        entry = entries[programme.code]
        programme.name_en = programme.name_en or entry.get("name_en", "")
        programme.short_name_en = programme.short_name_en or entry.get("short_name_en", "")
        programme.save(update_fields=["name_en", "short_name_en"])


class Migration(migrations.Migration):
    dependencies = [("programs", "0006_benefit_cancellation")]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="tên tiếng Anh"),
        ),
        migrations.AddField(
            model_name="programme",
            name="short_name_en",
            field=models.CharField(blank=True, max_length=80, verbose_name="tên ngắn tiếng Anh"),
        ),
        migrations.RunPython(fill_english_names, migrations.RunPython.noop),
    ]
