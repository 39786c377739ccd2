"""Migration operations that build an index without locking its table against writes, and that can be run again.

``CREATE INDEX CONCURRENTLY`` runs outside a transaction. When it is interrupted (a deployment stopped, a
cancelled statement, a unique index that met a duplicate), PostgreSQL keeps the half-built index, marked invalid:
never used by a query, still maintained by every write. ``IF NOT EXISTS`` would then skip it and the migration would
be recorded as applied with an index that never serves. The operations below drop such a leftover first (also
concurrently), so running the migration again after a failure builds a valid index.
"""

from django.db import migrations

INVALID_INDEX = """
SELECT 1
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relname = %s AND pg_catalog.pg_table_is_visible(c.oid) AND NOT i.indisvalid
"""


def drop_if_invalid(connection, name: str) -> bool:
    """Drop the index ``name`` if a failed concurrent build left it invalid; True when one was dropped."""
    with connection.cursor() as cursor:
        cursor.execute(INVALID_INDEX, [name])
        if cursor.fetchone() is None:
            return False
        cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
    return True


def _dropper(name: str):
    def forwards(apps, schema_editor) -> None:
        drop_if_invalid(schema_editor.connection, name)

    return forwards


def create_index_concurrently(name: str, definition: str) -> list:
    """The operations of a migration (``atomic = False``) that build ``CREATE INDEX CONCURRENTLY name definition``,
    a leftover invalid index of that name dropped first; reversed by dropping it concurrently."""
    return [
        migrations.RunPython(_dropper(name), migrations.RunPython.noop, elidable=False),
        migrations.RunSQL(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} {definition}",
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
        ),
    ]
