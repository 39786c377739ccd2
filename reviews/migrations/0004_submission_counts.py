"""Each submission keeps its lists' counts beside its snapshot, so that the list of submissions does not read the
snapshots (every reviewed household of the commune, megabytes for a large commune). Existing submissions get
theirs from their snapshot, counted in SQL."""

from django.db import migrations, models

LIST_KEYS = ("poor", "near_poor", "escaped_poor", "escaped_near_poor", "new_poor", "relapsed")

LISTS = ", ".join(f"'{key}', COALESCE(jsonb_array_length(snapshot -> 'lists' -> '{key}'), 0)" for key in LIST_KEYS)
FILL = f"""
UPDATE reviews_submission SET counts = jsonb_build_object(
    'lists', jsonb_build_object({LISTS}),
    'total_households', COALESCE(NULLIF(snapshot ->> 'total_households', '')::integer, 0)
)
"""


class Migration(migrations.Migration):
    dependencies = [("reviews", "0003_posting_signer")]

    operations = [
        migrations.AddField(
            model_name="submission", name="counts", field=models.JSONField(default=dict, editable=False)
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
