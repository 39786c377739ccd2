"""The household code is unique in its commune whatever the case ("irs-001" is "IRS-001").

Before the constraint is replaced, the existing codes are checked: if two households of a commune differ only in
case, the migration stops and names them, so that an administrator renames one (nothing is renamed silently).
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models.functions import Lower


def refuse_case_duplicates(apps, schema_editor):
    Household = apps.get_model("households", "Household")
    clashes = (
        Household.objects.annotate(code_ci=Lower("code"))
        .values("commune_id", "code_ci")
        .annotate(n=models.Count("pk"))
        .filter(n__gt=1)
        .order_by("commune_id", "code_ci")
    )
    if clashes:
        lines = []
        for clash in clashes:
            codes = Household.objects.filter(commune_id=clash["commune_id"], code__iexact=clash["code_ci"])
            lines.append(f"  commune {clash['commune_id']}: " + ", ".join(f"{h.code} (id {h.pk})" for h in codes))
        raise RuntimeError(
            "Household codes that differ only in case in the same commune; rename one of each pair, then migrate "
            "again:\n" + "\n".join(lines)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0005_member_personal_id_issued_on"),
    ]

    operations = [
        migrations.RunPython(refuse_case_duplicates, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="household", name="households_code_unique_in_commune"),
        migrations.AddConstraint(
            model_name="household",
            constraint=models.UniqueConstraint(
                models.F("commune"),
                django.db.models.functions.text.Lower("code"),
                name="households_code_unique_in_commune_ci",
            ),
        ),
    ]
