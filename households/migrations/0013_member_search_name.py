"""The member's normalised name stored (a generated column), with a trigram index and a whole-word index over it.

The search rechecked ``households_search_norm(full_name)`` on every candidate row the trigram index returned
(≈ 35 µs a call): the stored column makes the recheck and the ranking read a value (ADR 0037). The expression
index is dropped first so that the table rewrite that adds the column does not rebuild it.
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

import households.expressions


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0012_classification_lz4"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="member",
            name="members_name_trgm_idx",
        ),
        migrations.AddField(
            model_name="member",
            name="search_name",
            field=models.GeneratedField(
                db_persist=True,
                expression=households.expressions.SearchNorm("full_name"),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass("search_name", name="gin_trgm_ops"),
                condition=models.Q(("left_at__isnull", True)),
                name="members_search_trgm_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=django.contrib.postgres.indexes.GinIndex(
                households.expressions.SearchWords("search_name"),
                condition=models.Q(("left_at__isnull", True)),
                name="members_search_words_idx",
            ),
        ),
    ]
