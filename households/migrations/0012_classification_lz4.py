"""Compress households' classification snapshots with lz4 instead of pglz.

Each household keeps a ≈ 3,7 KB JSON snapshot of its classification; compressing it with PostgreSQL's default
pglz dominated the server's time when the demo generator or an import writes households in bulk (10.005 rows:
11,2 s with pglz against 6,4 s with lz4, same load; docs/performance.md). lz4 is built into Debian's PostgreSQL
15 (``CREATE TABLE … COMPRESSION lz4`` works there). Existing values keep their compression until rewritten;
the setting only changes how new and updated values are stored, so the migration is instant and reversible.
"""

from django.db import migrations

TABLE_COLUMN = "households_household ALTER COLUMN classification"


class Migration(migrations.Migration):
    dependencies = [("households", "0011_commune_summary")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {TABLE_COLUMN} SET COMPRESSION lz4",
            reverse_sql=f"ALTER TABLE {TABLE_COLUMN} SET COMPRESSION default",
        )
    ]
