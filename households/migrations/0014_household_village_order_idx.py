"""The coverage and bulk lists' order within a village, as an index (programs.listing).

Built without locking the table against writes (CREATE INDEX CONCURRENTLY): a province's registry holds about a
million households. On 138.000 households it took ≈ 0,3 s; see docs/performance.md for the measurements.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("households", "0013_member_search_name"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="household",
            index=models.Index(
                condition=models.Q(("state", "active")),
                fields=["village", "code", "id"],
                name="households_village_code_idx",
            ),
        ),
    ]
