"""The commune summary keeps a row per commune and period instead of per commune and year: the calendar years as
before (01/01–31/12) and the report calendar's periods, such as the 6-month report's 01/01–30/06, so a report of such
a period is a sum of rows (docs/adr/0041, amendment). Existing rows are the years' rows; the sweep adds the others."""

from django.db import migrations, models

FILL = (
    "UPDATE households_communesummary"
    " SET period_start = make_date(year, 1, 1), period_end = make_date(year, 12, 31)"
    " WHERE period_start IS NULL;"
)

DROP_PERIOD_ROWS = (
    "DELETE FROM households_communesummary"
    " WHERE period_start <> make_date(year, 1, 1) OR period_end <> make_date(year, 12, 31);"
)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0015_member_search_words_statistics"),
    ]

    operations = [
        migrations.AddField(
            model_name="communesummary",
            name="period_start",
            field=models.DateField(null=True, verbose_name="từ ngày"),
        ),
        migrations.AddField(
            model_name="communesummary",
            name="period_end",
            field=models.DateField(null=True, verbose_name="đến ngày"),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="communesummary",
            name="period_start",
            field=models.DateField(verbose_name="từ ngày"),
        ),
        migrations.AlterField(
            model_name="communesummary",
            name="period_end",
            field=models.DateField(verbose_name="đến ngày"),
        ),
        migrations.RemoveConstraint(
            model_name="communesummary",
            name="households_one_summary_per_commune_year",
        ),
        # Backwards: only the years' rows fit the old key (one per commune and year).
        migrations.RunSQL(migrations.RunSQL.noop, DROP_PERIOD_ROWS),
        migrations.AddConstraint(
            model_name="communesummary",
            constraint=models.UniqueConstraint(
                fields=("commune", "period_start", "period_end"), name="households_one_summary_per_commune_period"
            ),
        ),
        migrations.AlterModelOptions(
            name="communesummary",
            options={
                "ordering": ["commune", "-period_end", "period_start"],
                "verbose_name": "số liệu tổng hợp của xã",
                "verbose_name_plural": "số liệu tổng hợp của xã",
            },
        ),
    ]
