"""The vocabulary of the members' names (``HouseholdSearchWord``, ADR 0052): every word of a current member's
normalised name, kept by triggers on the search rows, with a trigram index, so that a typed part of a name is
expanded into the words that contain it and looked up as whole words with their pairs.

The triggers are on ``households_householdsearch``, the one table every writer of names reaches (its own triggers on
the members, migration 0017): statement-level with a transition table, so that a COPY or an INSERT … SELECT of a
million rows adds its new words in one statement. Words are only added: a word no name holds any more finds
nothing, and removing it would cost every update a look-up of each word it dropped.
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

CREATE_TRIGGERS = r"""
CREATE OR REPLACE FUNCTION households_search_words_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- ``words`` holds the words and the pairs of words of one member's name ("a+b"); the normalised names hold only
    -- a-z, 0-9 and spaces, so a "+" marks a pair.
    INSERT INTO households_householdsearchword (word)
    SELECT DISTINCT w FROM new_rows, unnest(new_rows.words) AS w WHERE strpos(w, '+') = 0
    ON CONFLICT (word) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER households_search_words_inserted AFTER INSERT ON households_householdsearch
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION households_search_words_added();
CREATE TRIGGER households_search_words_updated AFTER UPDATE ON households_householdsearch
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION households_search_words_added();
"""

DROP_TRIGGERS = r"""
DROP TRIGGER IF EXISTS households_search_words_updated ON households_householdsearch;
DROP TRIGGER IF EXISTS households_search_words_inserted ON households_householdsearch;
DROP FUNCTION IF EXISTS households_search_words_added();
"""

# The words of the search rows there are (the same set as the current members' names' words, from the rows the
# search reads), before the index is built.
FILL = r"""
INSERT INTO households_householdsearchword (word)
SELECT DISTINCT w FROM households_householdsearch, unnest(words) AS w WHERE strpos(w, '+') = 0;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0018_drop_member_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="HouseholdSearchWord",
            fields=[("word", models.TextField(primary_key=True, serialize=False))],
        ),
        migrations.RunSQL(CREATE_TRIGGERS, DROP_TRIGGERS),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="householdsearchword",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass("word", name="gin_trgm_ops"),
                name="household_search_word_trgm_idx",
            ),
        ),
        migrations.RunSQL("ANALYZE households_householdsearchword;", migrations.RunSQL.noop),
    ]
