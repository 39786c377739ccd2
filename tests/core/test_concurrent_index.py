"""A concurrent index build that failed leaves an invalid index; running the migration again must build it anew."""

import pytest
from django.db import DatabaseError, connection
from django.db.migrations.state import ProjectState

from core.concurrent_index import create_index_concurrently, drop_if_invalid


def index_state(name: str):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s", [name]
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def apply(operations) -> None:
    state = ProjectState()
    with connection.schema_editor(atomic=False) as editor:
        for operation in operations:
            operation.database_forwards("core", editor, state, state)


@pytest.fixture
def interrupted_build():
    """A table whose unique index, built concurrently, failed on a duplicate: the index is left invalid."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE scratch_concurrent (a integer)")
        cursor.execute("INSERT INTO scratch_concurrent VALUES (1), (1), (2)")
        with pytest.raises(DatabaseError):
            cursor.execute("CREATE UNIQUE INDEX CONCURRENTLY scratch_concurrent_a ON scratch_concurrent (a)")
    yield "scratch_concurrent_a"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS scratch_concurrent")


@pytest.mark.django_db(transaction=True)
def test_if_not_exists_alone_keeps_the_invalid_index(interrupted_build):
    assert index_state(interrupted_build) is False
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {interrupted_build} ON scratch_concurrent (a)")
    assert index_state(interrupted_build) is False


@pytest.mark.django_db(transaction=True)
def test_the_operations_drop_the_leftover_and_build_a_valid_index(interrupted_build):
    apply(create_index_concurrently(interrupted_build, "ON scratch_concurrent (a)"))
    assert index_state(interrupted_build) is True
    # Run again (a migration re-run after a later failure): the valid index is kept, not dropped and rebuilt.
    assert drop_if_invalid(connection, interrupted_build) is False
    apply(create_index_concurrently(interrupted_build, "ON scratch_concurrent (a)"))
    assert index_state(interrupted_build) is True


@pytest.mark.django_db(transaction=True)
def test_the_coverage_indexes_migrations_use_the_operations():
    from importlib import import_module

    for module in (
        "programs.migrations.0011_status_records_in_force_indexes",
        "programs.migrations.0012_coverage_list_indexes",
    ):
        migration = import_module(module).Migration
        names = [op.code.__qualname__ for op in migration.operations if hasattr(op, "code")]
        creates = [op.sql for op in migration.operations if getattr(op, "sql", "").startswith("CREATE INDEX")]
        assert creates and len(names) == len(creates)
