"""The search row of a household (``HouseholdSearch``, ADR 0046): its current members' normalised names in one text,
the distinct words, the head's name and the commune, kept by triggers and indexed with the commune (btree_gin).

Triggers rather than the services: the members are written by the services, by the Excel import's COPY, by the demo
generators' COPY and INSERT … SELECT, and by raw SQL; a trigger is the one place none of them can bypass. They are
statement-level with transition tables, so a COPY or an INSERT … SELECT of a million members refreshes its
households in one set-based statement, not one per row. The existing rows are written once here, before the indexes
are built (building a GIN index over a filled table is several times faster than filling an indexed one).
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations, models

# The words of the members' names joined by "|": each word once, and each pair of words of ONE member's name as
# "a+b" (a < b). A search for several whole words asks for their pairs too, so that the index's candidates are the
# households where one member holds them together, not every household where they are spread over its members
# ("nguyen thi hang" matched 5.885 households by words, 1.566 in one member's name, on a million households).
# The rows of the households whose ids are given, computed from their current members: written when they differ,
# deleted when the household has no current member left.
CREATE_REFRESH = r"""
CREATE OR REPLACE FUNCTION households_search_words(names text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT token ORDER BY token), '{}')
      FROM unnest(string_to_array(names, '|')) AS member(name),
           LATERAL (SELECT string_to_array(member.name, ' ') AS words) w,
           LATERAL (SELECT word AS token FROM unnest(w.words) word WHERE word <> ''
                    UNION ALL
                    SELECT a || '+' || b FROM unnest(w.words) a, unnest(w.words) b WHERE a < b AND a <> '') tokens
$$;

CREATE OR REPLACE FUNCTION households_search_refresh(ids bigint[]) RETURNS void
    LANGUAGE sql VOLATILE AS $$
    DELETE FROM households_householdsearch s
     WHERE s.household_id = ANY (ids)
       AND NOT EXISTS (SELECT 1 FROM households_member m WHERE m.household_id = s.household_id AND m.left_at IS NULL);
    INSERT INTO households_householdsearch AS s (household_id, commune_id, names, words, head_name)
    SELECT h.id, h.commune_id, m.names,
           households_search_words(m.names),
           m.head_name
      FROM (SELECT household_id,
                   string_agg(search_name, '|' ORDER BY id) AS names,
                   min(search_name) FILTER (WHERE relationship = 'head') AS head_name
              FROM households_member
             WHERE left_at IS NULL AND household_id = ANY (ids)
             GROUP BY household_id) m
      JOIN households_household h ON h.id = m.household_id
    ON CONFLICT (household_id) DO UPDATE
       SET commune_id = excluded.commune_id, names = excluded.names, words = excluded.words,
           head_name = excluded.head_name
     WHERE (s.commune_id, s.names, s.words, s.head_name)
           IS DISTINCT FROM (excluded.commune_id, excluded.names, excluded.words, excluded.head_name);
$$;

CREATE OR REPLACE FUNCTION households_member_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM households_search_refresh(ARRAY(SELECT DISTINCT household_id FROM new_members WHERE left_at IS NULL));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION households_member_search_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only the households of members whose name, presence, role or household changed (a survey saves every
    -- member of a household, usually without touching any of these).
    PERFORM households_search_refresh(ARRAY(
        SELECT DISTINCT unnest(ARRAY[o.household_id, n.household_id])
          FROM new_members n JOIN old_members o ON o.id = n.id
         WHERE (n.search_name, n.left_at IS NULL, n.relationship, n.household_id)
               IS DISTINCT FROM (o.search_name, o.left_at IS NULL, o.relationship, o.household_id)));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION households_member_search_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM households_search_refresh(ARRAY(SELECT DISTINCT household_id FROM old_members WHERE left_at IS NULL));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION households_household_search_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE households_householdsearch SET commune_id = NEW.commune_id WHERE household_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER households_member_search_inserted AFTER INSERT ON households_member
    REFERENCING NEW TABLE AS new_members FOR EACH STATEMENT EXECUTE FUNCTION households_member_search_inserted();
CREATE TRIGGER households_member_search_updated AFTER UPDATE ON households_member
    REFERENCING OLD TABLE AS old_members NEW TABLE AS new_members
    FOR EACH STATEMENT EXECUTE FUNCTION households_member_search_updated();
CREATE TRIGGER households_member_search_deleted AFTER DELETE ON households_member
    REFERENCING OLD TABLE AS old_members FOR EACH STATEMENT EXECUTE FUNCTION households_member_search_deleted();
CREATE TRIGGER households_household_search_moved AFTER UPDATE OF commune_id ON households_household
    FOR EACH ROW WHEN (OLD.commune_id IS DISTINCT FROM NEW.commune_id)
    EXECUTE FUNCTION households_household_search_moved();
"""

DROP_REFRESH = """
DROP TRIGGER IF EXISTS households_household_search_moved ON households_household;
DROP TRIGGER IF EXISTS households_member_search_deleted ON households_member;
DROP TRIGGER IF EXISTS households_member_search_updated ON households_member;
DROP TRIGGER IF EXISTS households_member_search_inserted ON households_member;
DROP FUNCTION IF EXISTS households_household_search_moved();
DROP FUNCTION IF EXISTS households_member_search_deleted();
DROP FUNCTION IF EXISTS households_member_search_updated();
DROP FUNCTION IF EXISTS households_member_search_inserted();
DROP FUNCTION IF EXISTS households_search_refresh(bigint[]);
DROP FUNCTION IF EXISTS households_search_words(text);
"""

# Every household with a current member, in one pass over the members (the refresh function's statement without
# the id filter: at a million households an array of every id would only slow it down).
FILL = r"""
INSERT INTO households_householdsearch (household_id, commune_id, names, words, head_name)
SELECT h.id, h.commune_id, m.names,
       households_search_words(m.names),
       m.head_name
  FROM (SELECT household_id,
               string_agg(search_name, '|' ORDER BY id) AS names,
               min(search_name) FILTER (WHERE relationship = 'head') AS head_name
          FROM households_member
         WHERE left_at IS NULL
         GROUP BY household_id) m
  JOIN households_household h ON h.id = m.household_id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("households", "0016_commune_summary_periods"),
    ]

    operations = [
        # btree_gin is a trusted extension (PostgreSQL ≥ 13): the database owner creates it, as pg_trgm in 0009.
        BtreeGinExtension(),
        migrations.CreateModel(
            name="HouseholdSearch",
            fields=[
                (
                    "household",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_row",
                        serialize=False,
                        to="households.household",
                    ),
                ),
                ("names", models.TextField()),
                ("words", django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), size=None)),
                ("head_name", models.TextField(null=True)),
                (
                    "commune",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="areas.administrativeunit",
                    ),
                ),
            ],
        ),
        migrations.RunSQL(CREATE_REFRESH, DROP_REFRESH),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="householdsearch",
            index=django.contrib.postgres.indexes.GinIndex(
                models.F("commune"),
                django.contrib.postgres.indexes.OpClass("names", name="gin_trgm_ops"),
                name="household_search_trgm_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="householdsearch",
            index=django.contrib.postgres.indexes.GinIndex(
                models.F("commune"), models.F("words"), name="household_search_words_idx"
            ),
        ),
        migrations.RunSQL("ANALYZE households_householdsearch;", migrations.RunSQL.noop),
    ]
