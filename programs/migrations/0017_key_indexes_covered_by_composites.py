"""A benefit's programme and household have no index of their own: ``programs_benefit_prog_date`` (programme, date)
and ``programs_benefit_hh_date`` (household, date) begin with them and serve every look-up by the key alone, so the
single-column indexes were only kept up on every write (two of the table's twelve indexes, built again by every
large load, docs/adr/0058).

Only the indexes are dropped: Django's own ``AlterField`` would also drop and validate again both foreign keys, a
scan of every benefit under an exclusive lock, for nothing."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "programs_benefit_household_id_001ed58d": "household_id",
    "programs_benefit_programme_id_0004338e": "programme_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0025_key_indexes_covered_by_composites"),
        ("programs", "0016_support_year"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="benefit",
                    name="household",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="benefits",
                        to="households.household",
                        verbose_name="hộ",
                    ),
                ),
                migrations.AlterField(
                    model_name="benefit",
                    name="programme",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="programs.programme",
                        verbose_name="chương trình",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON programs_benefit ({column})',
                )
                for name, column in INDEXES.items()
            ],
        ),
    ]
