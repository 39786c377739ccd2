"""Report figures on support delivered, for any unit and period — one module the reports call.

Every number is aggregated in PostgreSQL from ``Benefit`` rows of the unit's households (the unit and below,
through the materialised path), belonging to the period, optionally narrowed to what a user may see. The layout
follows sections 3.1–3.8 of report 209/BC-UBND of Krông Pa (seed 004): credit, health insurance, education, housing,
water and sanitation, production, vocational training, extension/resettlement, rice relief, electricity and other aid.

A record belongs to the period by its date (disbursement, card, payment), except a record paid for a quarter
(electricity, the only kind that carries ``period_year``/``period_quarter``): it belongs to the period in which the
quarter begins, whatever day it was paid ("chi trả tiền điện hỗ trợ quý I, quý II năm 2021 cho 1.997 hộ": the
six-month report counts the quarters of the half-year, a second-quarter payment made in July included).

``grouped_figures`` gives the same figures for each of a list of child units (a district's communes, a commune's
villages, a province's districts) from one grouped pass per figure family, the child being a grouping key;
``unit_figures`` is that form with the unit as its only group, so each figure has one implementation.

Target groups are the household's official status on the benefit's date (``Benefit.household_status``);
denominators ("share of poor households borrowing") are the households with that status at the period's end.

Keys of ``unit_figures`` the periodic reports read (besides the per-programme table ``programmes``):

- ``credit["programme_shares"]``: one row per credit programme of the catalogue, in its order (``Programme.order``),
  that has loans in the period or is in force during it — seed 004 §3.1: "269 hộ nghèo vay vốn, chiếm 11,5% tổng
  số hộ nghèo (2.342 hộ); 366 hộ cận nghèo vay vốn, chiếm 12,9% …; 429 hộ mới thoát nghèo vay vốn, chiếm 22,9% …;
  258 hộ vay vốn làm công trình vệ sinh, nước sinh hoạt; 329 hộ … sản xuất kinh doanh; … việc làm cho 117 hộ".
  Each row: ``code``, ``name`` (short name), ``loans``, ``households`` (distinct borrowers), ``amount``,
  ``outstanding``, ``overdue``; and for a programme whose catalogue entry names exactly one of the three target
  groups (VBSP_POOR → poor, VBSP_NEAR_POOR → near_poor, VBSP_ESCAPED → recently_escaped): ``target_group``,
  ``group_households`` (its borrowers whose status on the loan date was that group), ``group_total`` (households of
  that status at the period's end) and ``share`` (% with one decimal, None without a denominator). Other
  programmes have ``target_group`` None and those three None. The older ``credit["groups"]`` counts borrowers of
  any credit programme by status, which is not the seed's meaning; it stays for the support-figures page.
- ``health_insurance``: cards issued in the period in the groups and order of seed 004 §3.2 ("Người DTTS …;
  Người kinh vùng III …; Người nghèo …; Người thuộc hộ cận nghèo …; các đối tượng khác …"), each card in exactly
  one group, the first that applies: ``ethnic_minority`` (the member belongs to an ethnic minority),
  ``kinh_region_iii`` (not a minority, and the household's commune is on the card's programme's list of region III
  communes, parameter ``region_iii_commune_codes``), ``poor``, ``near_poor`` (status on the card's date), ``other``.
  ``by_group`` maps those keys to counts, ``groups`` lists ``{"key", "label", "cards"}`` in that order,
  ``cards`` = their sum. ``population`` is the official number of persons (``UnitPopulation.persons`` of the unit in
  force at the period's end, or its communes' added up when every commune has it), None when missing, with
  ``population_note`` ("Chưa có số dân" then); ``insured`` the people of the registry with a card valid on the
  period's last day; ``rate`` = insured / population (None without a population). ``registry_members`` is the
  number of people in the registry, never a denominator.
- ``electricity``: the totals of ``kind_totals`` by the quarter paid for, and ``quarters``: one row per
  (``year``, ``quarter``) with ``households`` and ``amount``.

The package, by topic: ``periods`` (Period, quarters, which records and households belong to a period),
``grouping`` (Grouping and the grouped-query helpers), one module per figure family (``programmes``, ``credit``,
``health``, ``housing``, ``training``, ``kinds``: the other kinds, electricity by quarter, items and funders),
``denominators`` (households by status, official population) and ``grouped`` (the grouped pass, the additive parts,
``figures_finish`` and the entry points). The summary rows' reading and refresh are programs.summary. Every name
other modules import is re-exported here, so ``from programs.figures import …`` keeps working.
"""

from .credit import (
    BORROWER_GROUPS,
    CREDIT_MEASURES,
    SHARE_MEASURES,
    credit_finish,
    credit_parts,
    programme_shares,
    target_group_of,
)
from .denominators import (
    STATUS_COUNTS_SQL,
    STATUS_FLAGS_SQL,
    STATUS_KEYS,
    grouped_population,
    grouped_status_counts,
    status_counts,
)
from .grouped import (
    OVERALL_MEASURES,
    add_parts,
    catalogue,
    child_rollup,
    empty_parts,
    figures_finish,
    grouped_figures,
    grouped_parts,
    live_parts,
    unit_figures,
)
from .grouping import Grouping, of_kind
from .health import (
    CARD_GROUP_LABELS,
    CARD_GROUPS,
    REGION_III_KEY,
    card_group,
    health_insurance_finish,
    health_insurance_parts,
    region_iii_q,
)
from .housing import (
    HOUSING_INDICATORS,
    housing_by_group,
    housing_figures,
    housing_finish,
    housing_measures,
    housing_parts,
)
from .kinds import (
    FUNDER_FIELDS,
    ITEM_FIELDS,
    KIND_MEASURES,
    TOTALLED_KINDS,
    collation_ranks,
    electricity_finish,
    electricity_parts,
    funder_parts,
    item_parts,
    kind_totals,
)
from .periods import Period, benefits_in, benefits_of, households_in, households_of, in_period_q, quarters_in
from .programmes import MEASURES, people_reached, programme_finish, programme_parts
from .training import TRAINING_MEASURES, training_finish, training_parts

__all__ = [
    "BORROWER_GROUPS",
    "CARD_GROUPS",
    "CARD_GROUP_LABELS",
    "CREDIT_MEASURES",
    "FUNDER_FIELDS",
    "Grouping",
    "HOUSING_INDICATORS",
    "ITEM_FIELDS",
    "KIND_MEASURES",
    "MEASURES",
    "OVERALL_MEASURES",
    "Period",
    "REGION_III_KEY",
    "SHARE_MEASURES",
    "STATUS_COUNTS_SQL",
    "STATUS_FLAGS_SQL",
    "STATUS_KEYS",
    "TOTALLED_KINDS",
    "TRAINING_MEASURES",
    "add_parts",
    "benefits_in",
    "benefits_of",
    "card_group",
    "catalogue",
    "child_rollup",
    "collation_ranks",
    "credit_finish",
    "credit_parts",
    "electricity_finish",
    "electricity_parts",
    "empty_parts",
    "figures_finish",
    "funder_parts",
    "grouped_figures",
    "grouped_parts",
    "grouped_population",
    "grouped_status_counts",
    "health_insurance_finish",
    "health_insurance_parts",
    "households_in",
    "households_of",
    "housing_by_group",
    "housing_figures",
    "housing_finish",
    "housing_measures",
    "housing_parts",
    "in_period_q",
    "item_parts",
    "kind_totals",
    "live_parts",
    "of_kind",
    "people_reached",
    "programme_finish",
    "programme_parts",
    "programme_shares",
    "quarters_in",
    "region_iii_q",
    "status_counts",
    "target_group_of",
    "training_finish",
    "training_parts",
    "unit_figures",
]
