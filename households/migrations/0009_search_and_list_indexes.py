"""Search and the household list at province scale: pg_trgm and unaccent, the name normaliser, three indexes.

pg_trgm and unaccent are "trusted" extensions since PostgreSQL 13, so the database owner creates them without
being a superuser (scripts/services.sh gives the role CREATEDB only, and owns the database it creates).
"""

import django.contrib.postgres.indexes
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

import households.expressions

# IMMUTABLE so that it can carry an index: the unaccent dictionary is named explicitly (public.unaccent), and the
# SQL-standard body is bound when the function is created, so no search_path changes what it means.
# Apostrophes (' ’ ʼ ` ´) are dropped, "H'Linh" -> "hlinh"; every other run of non-letters becomes one space.
CREATE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION households_search_norm(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN btrim(regexp_replace(
        regexp_replace(
            lower(public.unaccent('public.unaccent'::regdictionary, normalize(value, NFC))), '[''’ʼ`´]', '', 'g'
        ),
        '[^a-z0-9]+', ' ', 'g'));
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS households_search_norm(text);"


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("households", "0008_latrine_wording_in_stored_explanations"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(CREATE_FUNCTION, DROP_FUNCTION),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                django.db.models.functions.comparison.Collate("head_name", "vi-x-icu"),
                models.F("code"),
                models.F("id"),
                name="households_name_order_idx",
                include=["state", "village"],
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("code"), name="text_pattern_ops"
                ),
                name="households_code_prefix_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    households.expressions.SearchNorm("full_name"), name="gin_trgm_ops"
                ),
                condition=models.Q(("left_at__isnull", True)),
                name="members_name_trgm_idx",
            ),
        ),
    ]
