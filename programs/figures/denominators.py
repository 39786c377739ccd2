"""The denominators of the shares and rates: households by official status on a day, and the official population."""

from datetime import date, timedelta

from django.db import connection
from django.db.models import Q

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from households.models import StatusRecord
from households.transitions import Populations

from ..choices import TargetStatus
from ..status import LISTS, escaped_since
from .grouping import Grouping
from .periods import households_of

# Official status on ``day`` (programs.status.status_q, row for row) from each household's status records in one
# grouped pass: which classes are in force on the day, and whether a list period ended recently. A household is
# "recently escaped" when such a period ended and it is on no list that day; its class in force is then not
# counted, like status_q does for every status but the two lists.
STATUS_FLAGS_SQL = """
    SELECT hh.unit_key,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_poor,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_near_poor,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_average_living,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_non_poor,
           bool_or(sr.household_class IN (%s, %s) AND sr.valid_to >= %s AND sr.valid_to < %s) AS ended
      FROM {table} sr
      JOIN ({households}) hh ON hh.pk = sr.household_id
     WHERE sr.valid_from <= %s
     GROUP BY sr.household_id, hh.unit_key
"""
STATUS_COUNTS_SQL = """
    SELECT unit_key,
           COUNT(*) FILTER (WHERE on_poor) AS poor,
           COUNT(*) FILTER (WHERE on_near_poor) AS near_poor,
           COUNT(*) FILTER (WHERE ended AND NOT (on_poor OR on_near_poor)) AS recently_escaped,
           COUNT(*) FILTER (WHERE on_average_living AND NOT (ended AND NOT (on_poor OR on_near_poor)))
               AS average_living,
           COUNT(*) FILTER (WHERE on_non_poor AND NOT (ended AND NOT (on_poor OR on_near_poor))) AS non_poor
      FROM ({flags}) flags
     GROUP BY unit_key
"""
STATUS_KEYS = ("poor", "near_poor", "recently_escaped", "average_living", "non_poor")


def grouped_status_counts(grouping: Grouping, day: date, user=None, years: int = 3) -> dict:
    """Households of each group by official status on ``day`` (the denominators of the shares), in one statement:
    the status records of the scope's households grouped once, whatever the number of households and groups."""
    households = households_of(grouping, user).annotate(unit_key=grouping.expression(""))
    households_sql, households_params = households.values("pk", "unit_key").order_by().query.sql_with_params()
    threshold = escaped_since(day, years) - timedelta(days=1)  # valid_to = the day before leaving the list
    flags = STATUS_FLAGS_SQL.format(table=StatusRecord._meta.db_table, households=households_sql)
    params = []
    for household_class in (TargetStatus.POOR, TargetStatus.NEAR_POOR, TargetStatus.AVERAGE_LIVING):
        params += [str(household_class), day]
    params += [str(TargetStatus.NON_POOR), day, *LISTS, threshold, day, *households_params, day]
    with connection.cursor() as cursor:
        cursor.execute(STATUS_COUNTS_SQL.format(flags=flags), params)
        found = {row[0]: dict(zip(STATUS_KEYS, row[1:], strict=True)) for row in cursor.fetchall()}
    return {key: found.get(key) or dict.fromkeys(STATUS_KEYS, 0) for key in grouping.group_keys()}


def status_counts(unit, day: date, user=None, years: int = 3) -> dict[str, int]:
    """Households of the unit by official status on ``day`` (grouped_status_counts with one group)."""
    return grouped_status_counts(Grouping(unit), day, user, years)[unit.pk]


def grouped_population(grouping: Grouping, year: int) -> dict:
    """The official number of persons of each group's unit in force in ``year`` (households.transitions'
    unit_population, row for row): the population records and the communes of the scope read once."""
    unit = grouping.unit
    communes = []
    if any(child.level in (UnitLevel.DISTRICT, UnitLevel.PROVINCE) for child in grouping.children):
        communes = list(
            AdministrativeUnit.objects.filter(path__startswith=unit.path, level=UnitLevel.COMMUNE)
            .valid_on(date(year, 12, 31))
            .values_list("pk", "path")
        )
    populations = Populations(Q(unit__path__startswith=unit.path), {year}, "persons")
    return {grouping.key(child): populations.for_unit(child, year, None, communes) for child in grouping.children}
