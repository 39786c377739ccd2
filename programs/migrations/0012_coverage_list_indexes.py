"""Indexes for the housing gaps' walk and the electricity list's totals (programs.selectors; docs/adr/0043, second
amendment of 04/12/2026), created by SQL on the households' and the benefits' tables, as 0011's, each without locking
its table against writes (CONCURRENTLY):

- ``programs_household_housing_gap_idx``: the active households deprived on a housing indicator (NĐ 07/2021/NĐ-CP,
  Phụ lục: chất lượng nhà ở, diện tích nhà ở bình quân đầu người) in the lists' order within a village (village,
  code, id). The housing gaps' page walks the villages in order along it (programs.listing) and checks the status in
  force and the housing support of those households only, from indexes. Its condition is the list's own filter
  (``HOUSING_INDICATORS``, programs.figures.housing) as Django writes it, so that the planner can prove the query
  implies it; a test checks that the walk's plan uses it.
- ``programs_benefit_active_household_programme_idx`` replaces 0011's benefits index (household, date; not
  cancelled) with the same keys and the programme as an included column: "no housing support" of a household is
  then read from the index alone, as "support dated in the year" already was.
- ``programs_household_protected_idx`` (village, id) of the active households with a social-protection beneficiary,
  and ``programs_household_active_idx`` (id, with the village and that flag) of the active households: the
  electricity totals count their two parts from these and the poor periods' index, without the households' table.
- ``programs_benefit_quarter_payments_idx``: a quarter's payments of a programme as one index range (the payments'
  unique constraint leads with the household after the programme, so a quarter's payments were every payment of
  the programme).
"""

from django.db import migrations

from core.concurrent_index import create_index_concurrently

INDEXES = {
    "programs_household_housing_gap_idx": (
        "ON households_household (village_id, code, id) "
        "WHERE state = 'active' AND deprived_indicators && ARRAY['housing_quality', 'housing_area']::varchar(30)[]"
    ),
    "programs_benefit_active_household_programme_idx": (
        "ON programs_benefit (household_id, date) INCLUDE (programme_id) WHERE cancelled_at IS NULL"
    ),
    "programs_household_protected_idx": (
        "ON households_household (village_id, id) WHERE state = 'active' AND social_protection"
    ),
    "programs_household_active_idx": (
        "ON households_household (id) INCLUDE (village_id, social_protection) WHERE state = 'active'"
    ),
    "programs_benefit_quarter_payments_idx": (
        "ON programs_benefit (programme_id, period_year, period_quarter, household_id) "
        "WHERE period_quarter IS NOT NULL AND cancelled_at IS NULL"
    ),
}
# 0011's benefits index, which the one above with the programme included replaces.
REPLACED = (
    "programs_benefit_active_household_date_idx",
    "ON programs_benefit (household_id, date) WHERE cancelled_at IS NULL",
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("programs", "0011_status_records_in_force_indexes"),
    ]

    operations = [
        *(op for name, definition in INDEXES.items() for op in create_index_concurrently(name, definition)),
        migrations.RunSQL(
            f"DROP INDEX CONCURRENTLY IF EXISTS {REPLACED[0]}",
            reverse_sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {REPLACED[0]} {REPLACED[1]}",
        ),
    ]
