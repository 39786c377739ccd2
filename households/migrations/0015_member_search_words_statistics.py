"""Statistics on the words of members' stored names, so that PostgreSQL estimates how many names hold a word.

The planner ignores the statistics of a partial index's expression (members_search_words_idx is over current
members only) and guessed ≈ 100 names for any word: for "ro lan y juk" typed by a commune officer it read the
252.590 names holding "y" and "ro" instead of the 8.932 holding "juk" and "lan" (9,4 s against 0,6 s on a million
households, docs/performance.md). Extended statistics on the same expression give it the common words and their
shares. Creating them is instant; they are filled by the next ANALYZE (autovacuum's, or one run after migrating).
"""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS members_search_words_stats ON (string_to_array(search_name, ' '))"
    " FROM households_member;"
)
DROP = "DROP STATISTICS IF EXISTS members_search_words_stats;"


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0014_household_village_order_idx"),
    ]

    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunSQL("ANALYZE households_member;", migrations.RunSQL.noop),
    ]
