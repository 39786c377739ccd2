"""The members' own name indexes and their word statistics are dropped: names are searched in the households'
search rows since migration 0017 (ADR 0046), which read the members' stored ``search_name`` but none of these.
They cost on every member written (the Excel import's COPY, the surveys) and ≈ 70 s of the million-household
generator's index rebuild. Dropping an index takes an instant; a revert builds them again (0013's cost)."""

from django.db import migrations

DROP_STATISTICS = "DROP STATISTICS IF EXISTS members_search_words_stats;"
CREATE_STATISTICS = (
    "CREATE STATISTICS IF NOT EXISTS members_search_words_stats ON (string_to_array(search_name, ' '))"
    " FROM households_member;"
)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0017_household_search"),
    ]

    operations = [
        migrations.RunSQL(DROP_STATISTICS, CREATE_STATISTICS),
        migrations.RemoveIndex(model_name="member", name="members_search_trgm_idx"),
        migrations.RemoveIndex(model_name="member", name="members_search_words_idx"),
    ]
