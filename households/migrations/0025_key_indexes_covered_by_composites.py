"""The household's commune has no index of its own: ``households_list_idx`` (commune, state, class) and the code's
unique index (commune, lower(code)) begin with it and serve every look-up by the commune alone, so the third index
was only kept up on every write (and built again by every large load, docs/adr/0058).

Only the index is dropped: Django's own ``AlterField`` would also drop and validate again the foreign key, a scan of
every household under an exclusive lock, for nothing."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "households_household_commune_id_f12598c4"


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("households", "0024_member_search_name_by_trigger"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="household",
                    name="commune",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="areas.administrativeunit",
                        verbose_name="xã",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON households_household (commune_id)',
                ),
            ],
        ),
    ]
