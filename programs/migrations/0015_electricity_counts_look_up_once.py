"""The electricity counts' triggers (programs.electricity, docs/adr/0053) look each pair's poor periods and payment up
once instead of up to four times.

In 0014's differences of the status records and payments, ``cur`` (the household's poor periods, or its payments, of
the quarter, counted now) is a lateral subquery that ``aft`` and ``bef`` read. PostgreSQL pulls such a subquery up and
copies its expression into each place it is used, so each (household, quarter) pair ran the same index look-up up to
four times. ``OFFSET 0`` keeps the subquery a subquery: evaluated once per pair, read by both. The same rows, the same
differences; the functions are otherwise 0014's.
"""

import importlib

from django.db import migrations

PLANNED_ONCE = importlib.import_module("programs.migrations.0014_electricity_counts_planned_once")


def _once(functions: str) -> str:
    changed = functions
    for look_up in (PLANNED_ONCE.POOR_NOW, PLANNED_ONCE.PAY_NOW):
        before = f"CROSS JOIN LATERAL (SELECT {look_up} AS n) cur"
        assert before in changed, "0014's lateral look-up not found"
        changed = changed.replace(before, f"CROSS JOIN LATERAL (SELECT {look_up} AS n OFFSET 0) cur")
    return changed


FUNCTIONS = _once(PLANNED_ONCE.FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [("programs", "0014_electricity_counts_planned_once")]

    operations = [migrations.RunSQL(FUNCTIONS, PLANNED_ONCE.FUNCTIONS)]
