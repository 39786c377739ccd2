"""A programme's records in the page's order, newest first and ties by id, read along one index: (programme, date)
left every record of one date to sort, and a province's 1,3 million BHYT cards share the first day of the year, so
the programme page of the province sorted them all on disk (1,3-1,5 s; docs/performance.md). The new index begins
like the old one, which it replaces for every look-up by programme or by programme and date. Built concurrently,
then the old one dropped concurrently, so that recording support goes on meanwhile."""

from django.db import migrations, models

from core.concurrent_index import create_index_concurrently

NEW = "programs_benefit_prog_date_id"
OLD = "programs_benefit_prog_date"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("programs", "0019_benefit_card_number_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="benefit", name=OLD),
                migrations.AddIndex(
                    model_name="benefit", index=models.Index(fields=["programme", "date", "id"], name=NEW)
                ),
            ],
            database_operations=[
                *create_index_concurrently(NEW, "ON programs_benefit (programme_id, date, id)"),
                migrations.RunSQL(
                    f"DROP INDEX CONCURRENTLY IF EXISTS {OLD}",
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {OLD} ON programs_benefit (programme_id, date)",
                ),
            ],
        ),
    ]
