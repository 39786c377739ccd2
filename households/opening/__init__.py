"""Opening balances and history of a unit that starts using the portal mid-period (số liệu đầu kỳ).

A unit that joins in the middle of a period brings what was decided before it: the poor and near-poor lists in
force (with the decision that approved them and the standard they were judged by), the targets assigned to its
units and the households registered to escape poverty in the years before. Without them the first periods would
count every listed household as newly poor and report no target.

* The lists become ``StatusRecord`` rows marked ``opening_balance`` from the decision date, written through
  ``status_record_add`` (which closes the household's earlier open record and keeps one open record per
  household). They are refused for a unit that already has status history on or after the decision date: the
  opening balance is the start of a unit's history, never a correction of it.
* Targets go through ``poverty_target_set`` (only the level directly above may assign them); a target already in
  the portal with other figures is left alone and reported.
* Registrations of past years follow the rules of ``escape_registration_add`` (poor or near-poor on the day,
  dated in the year or at the end of the year before, one per household and year), except that the year is past;
  when the portal holds no status history on the registration day, the class is taken from the file. Those of the
  current year go through ``escape_registration_add`` itself.

Everything runs in one transaction: the dry run always rolls back, the commit rolls back on the first error, so a
file is written entirely or not at all (STYLE.md rule 9).
"""

from .balances import OpeningBalance, opening_balances_for
from .history import escape_registration_record_past
from .importer import opening_import
from .jobs import OPENING_IMPORTERS, OPENING_JOB, opening_import_job
from .report import OpeningError, OpeningReport
from .standards import standard_fits, standard_from_text

__all__ = [
    "OPENING_IMPORTERS",
    "OPENING_JOB",
    "OpeningBalance",
    "OpeningError",
    "OpeningReport",
    "escape_registration_record_past",
    "opening_balances_for",
    "opening_import",
    "opening_import_job",
    "standard_fits",
    "standard_from_text",
]
