"""Indexes for the coverage and bulk lists (programs.status, programs.selectors; docs/adr/0043, amendment of
04/12/2026): two on the households' status records, one on the benefits.

- ``programs_status_household_class_idx`` (household, class) with the period's days: the check "class X on day D"
  of one household (the lists walked village by village, programs.listing) is then read from the index alone,
  without visiting the table's rows.
- ``programs_status_poor_idx``, the poor periods only (about one record in five): the set of households poor on a
  day (the electricity totals, the poor households without support, the housing gaps) is read from this small
  index instead of every status record of the province.
- ``programs_benefit_active_household_date_idx``, the benefits that count (not cancelled) by household and date:
  "no support dated in the year" of a household is then one look-up in the index alone.

They belong to the lists' queries, not to the models' own Meta (households.StatusRecord is another app's model), so
they are created here by SQL, each built without locking its table against writes (CONCURRENTLY). On the
million-household copy (1.360.703 status records, 2.326.615 benefits) the three took ≈ 12 s under load 5; see
docs/performance.md.
"""

from django.db import migrations

from core.concurrent_index import create_index_concurrently

INDEXES = {
    "programs_status_household_class_idx": (
        "ON households_statusrecord (household_id, household_class) INCLUDE (valid_from, valid_to)"
    ),
    "programs_status_poor_idx": (
        "ON households_statusrecord (household_id) INCLUDE (valid_from, valid_to) WHERE household_class = 'poor'"
    ),
    "programs_benefit_active_household_date_idx": (
        "ON programs_benefit (household_id, date) WHERE cancelled_at IS NULL"
    ),
}


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("households", "0016_commune_summary_periods"),
        ("programs", "0010_support_summary"),
    ]

    operations = [
        operation for name, definition in INDEXES.items() for operation in create_index_concurrently(name, definition)
    ]
