"""Review-results tables (biểu tổng hợp kết quả rà soát, TT 17/2016 Mẫu số 3; domain.md §3.1): every cell equals an
aggregate the test computes itself from the raw status records, the rows balance, totals are sums and rates are
taken on the resident households of UnitPopulation."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from areas.choices import AreaType, UnitKind
from households.choices import HouseholdClass
from households.models import Household, StatusRecord, UnitPopulation
from reports.documents.data import PeriodicReportDocument
from reports.models import PeriodicReport, ReportKind, ReportStatus
from reports.review_tables import (
    COUNT_KEYS,
    RATE_BASIS,
    balance_errors,
    compute_review_figures,
    review_default_narrative,
    review_document,
)
from tests.factories import VillageFactory

P, N, X = HouseholdClass.POOR, HouseholdClass.NEAR_POOR, HouseholdClass.NON_POOR
# A past year on every day the suite runs (the shifted-clock runs start at 31/12/2026).
START, END = date(2025, 1, 1), date(2025, 12, 31)
BEFORE = START - timedelta(days=1)

_codes = iter(range(1, 1_000_000))


def household(village, *steps, minority=False, opening=False) -> Household:
    """A household with status records from (class, from) steps, each closed the day before the next starts; with
    ``opening`` the first record is the list the unit imported as its opening balance."""
    made = Household.objects.create(
        code=f"RT-{next(_codes):05d}",
        village=village,
        commune_id=village.parent_id,
        area_type=village.parent.area_type,
        ethnic_minority=minority,
    )
    for index, (household_class, valid_from) in enumerate(steps):
        valid_to = steps[index + 1][1] - timedelta(days=1) if index + 1 < len(steps) else None
        StatusRecord.objects.create(
            household=made,
            household_class=household_class,
            valid_from=valid_from,
            valid_to=valid_to,
            opening_balance=opening and index == 0,
        )
    return made


@pytest.fixture
def dataset(tree):
    return build_dataset(tree)


def build_dataset(tree):
    """Two communes of Krông Pa: Ia RSai (rural, two villages) and the township Phú Túc (urban, one village)."""
    rural, urban = tree.commune, tree.sibling_commune
    assert rural.area_type == AreaType.RURAL and urban.area_type == AreaType.URBAN
    village_a = tree.village
    village_b = VillageFactory(code="24079-02", name="Thôn Quý Đức", kind=UnitKind.VILLAGE, parent=rural)
    town = VillageFactory(code="24076-01", name="Tổ dân phố 1", kind=UnitKind.RESIDENTIAL_GROUP, parent=urban)
    d = date
    # Ia RSai
    household(village_a, (P, d(2023, 12, 1)), minority=True)  # remains poor
    household(village_a, (P, d(2023, 12, 1)), (X, d(2025, 12, 10)), minority=True)  # escaped
    household(village_a, (P, d(2022, 1, 1)), (X, d(2023, 12, 1)), (P, d(2025, 12, 10)))  # relapsed
    household(village_b, (P, d(2025, 12, 10)), minority=True)  # newly poor, never on a list
    household(village_b, (P, d(2024, 1, 1)), (N, d(2025, 12, 10)), minority=True)  # poor → near-poor
    household(village_b, (N, d(2024, 1, 1)), (P, d(2025, 6, 1)))  # near-poor → poor
    household(village_a, (N, d(2024, 1, 1)), minority=True)  # remains near-poor
    household(village_a, (N, d(2024, 1, 1)), (X, d(2025, 12, 10)))  # escaped near-poverty
    household(village_b, (X, d(2024, 1, 1)), (N, d(2025, 12, 10)), minority=True)  # newly near-poor
    household(village_b, (N, d(2022, 1, 1)), (X, d(2023, 12, 1)), (N, d(2025, 12, 10)))  # relapsed near-poor
    household(village_a, (X, d(2023, 1, 1)))  # never on a list
    household(village_a, (P, d(2024, 1, 1)), (N, d(2025, 3, 1)), (P, d(2025, 11, 1)), minority=True)  # poor again
    # Phú Túc
    household(town, (P, d(2023, 12, 1)))
    household(town, (P, d(2023, 12, 1)), (X, d(2025, 12, 10)), minority=True)
    household(town, (N, d(2023, 12, 1)), minority=True)
    household(town, (X, d(2023, 12, 1)), (P, d(2025, 12, 10)))
    # The township's lists imported in March as its opening balance: on the lists at the start, not newly arising.
    household(town, (P, d(2025, 3, 1)), opening=True)
    household(town, (N, d(2025, 3, 1)), (X, d(2025, 12, 10)), opening=True)
    populations = {(rural.pk, 2024): 500, (rural.pk, 2025): 520, (urban.pk, 2024): 800, (urban.pk, 2025): 812}
    for (unit_id, year), count in populations.items():
        UnitPopulation.objects.create(unit_id=unit_id, year=year, households=count, source="Thống kê dân số")
    return tree, populations


# --- the independent aggregate: the rules of domain.md §2.8 restated over the raw rows ---------------------------


def counted_from(record, records) -> date:
    """A household's first record imported as the unit's opening balance counts as begun before any period."""
    first = min(r.valid_from for r in records)
    return date.min if record.opening_balance and record.valid_from == first else record.valid_from


def class_on(records, day):
    current = [r for r in records if counted_from(r, records) <= day and (r.valid_to is None or r.valid_to >= day)]
    return max(current, key=lambda r: (counted_from(r, records), r.pk)).household_class if current else None


def expected_counts(households) -> dict[str, int]:
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for h in households:
        records = list(StatusRecord.objects.filter(household=h))
        start, end = class_on(records, BEFORE), class_on(records, END)
        was = {r.household_class for r in records if counted_from(r, records) < BEFORE}
        em = h.ethnic_minority
        joined = start not in (P, N)  # arrived on a list from outside both lists
        facts = {
            "households": True,
            "poor_start": start == P,
            "poor_start_em": start == P and em,
            "escaped_poor": start == P and end != P,
            "poor_to_near": start == P and end == N,
            "relapsed_poor": end == P and joined and P in was,
            "new_poor": end == P and start != P and not (joined and P in was),
            "near_to_poor": start == N and end == P,
            "poor_end": end == P,
            "poor_end_em": end == P and em,
            "near_start": start == N,
            "near_start_em": start == N and em,
            "escaped_near": start == N and end not in (P, N),
            "relapsed_near": end == N and joined and N in was,
            "new_near": end == N and joined and N not in was,
            "near_end": end == N,
            "near_end_em": end == N and em,
        }
        for key, fact in facts.items():
            counts[key] += bool(fact)
    return counts


def rate(part: int, whole: int) -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def rows_of(figures) -> list[dict]:
    return [row for group in figures["groups"] for row in group["rows"]]


# --- figures ---------------------------------------------------------------------------------------------------


def test_district_rows_equal_the_raw_aggregate_per_commune(dataset):
    tree, populations = dataset
    figures = compute_review_figures(unit=tree.district, period_start=START, period_end=END)
    assert figures["row_level"] == "commune"
    urban, rural = figures["groups"]
    assert urban["heading"] == "I. Khu vực thành thị" and rural["heading"] == "II. Khu vực nông thôn"
    assert [r["name"] for r in urban["rows"]] == ["Thị trấn Phú Túc"]
    assert [r["name"] for r in rural["rows"]] == ["Xã Ia RSai"]
    for row in rows_of(figures):
        expected = expected_counts(Household.objects.filter(commune_id=row["unit_id"]))
        assert {key: row[key] for key in COUNT_KEYS} == expected, row["name"]
        assert row["population_start"] == populations[(row["unit_id"], 2024)]
        assert row["population_end"] == populations[(row["unit_id"], 2025)]
        for key, basis in RATE_BASIS.items():
            assert row["rates"][key] == rate(row[key], row[basis]), key
        assert balance_errors(row) == []


def test_each_movement_is_counted_with_its_meaning(dataset):
    """The hand-built histories, one per meaning: escape, relapse, new, poor → near-poor, near-poor → poor."""
    tree, _populations = dataset
    figures = compute_review_figures(unit=tree.district, period_start=START, period_end=END)
    ia_rsai = figures["groups"][1]["rows"][0]
    assert ia_rsai["poor_start"] == 4  # remains, escaped, poor → near, poor again (not the relapsed one)
    assert ia_rsai["poor_start_em"] == 4
    assert ia_rsai["escaped_poor"] == 2 and ia_rsai["poor_to_near"] == 1
    assert ia_rsai["relapsed_poor"] == 1
    assert ia_rsai["new_poor"] == 2 and ia_rsai["near_to_poor"] == 1  # never on a list + from near-poor
    assert ia_rsai["poor_end"] == 5 and ia_rsai["poor_end_em"] == 3
    assert ia_rsai["near_start"] == 3 and ia_rsai["near_start_em"] == 1
    assert ia_rsai["escaped_near"] == 1 and ia_rsai["relapsed_near"] == 1 and ia_rsai["new_near"] == 1
    assert ia_rsai["near_end"] == 4 and ia_rsai["near_end_em"] == 3
    assert ia_rsai["rates"]["poor_start"] == "0.80"  # 4 of the 500 resident households, not of the 12 in the registry
    assert ia_rsai["rates"]["poor_end"] == rate(5, 520)


def test_subtotals_and_total_are_sums_and_rates_are_recomputed(dataset):
    tree, populations = dataset
    figures = compute_review_figures(unit=tree.district, period_start=START, period_end=END)
    rows = rows_of(figures)
    for group in figures["groups"]:
        for key in (*COUNT_KEYS, "population_start", "population_end"):
            assert group["subtotal"][key] == sum(row[key] for row in group["rows"])
    total = figures["total"]
    for key in (*COUNT_KEYS, "population_start", "population_end"):
        assert total[key] == sum(row[key] for row in rows)
    assert total["population_start"] == 1300
    phu_tuc = figures["groups"][0]["rows"][0]
    assert phu_tuc["poor_start"] == 3 and phu_tuc["new_poor"] == 1  # the opening balance is not newly poor
    assert phu_tuc["near_start"] == 2 and phu_tuc["escaped_near"] == 1 and phu_tuc["new_near"] == 0
    assert total["rates"]["poor_end"] == rate(total["poor_end"], 520 + 812)
    assert total == {**total, **expected_counts(Household.objects.all())}
    assert balance_errors(total) == []


def test_commune_report_has_one_row_per_village_and_no_rate_without_a_population_record(dataset):
    tree, _populations = dataset
    figures = compute_review_figures(unit=tree.commune, period_start=START, period_end=END)
    assert figures["row_level"] == "village"
    assert figures["groups"][0]["rows"] == []
    villages = figures["groups"][1]["rows"]
    assert [r["name"] for r in villages] == ["Buôn Chư Tê", "Thôn Quý Đức"]
    for row in villages:
        households = Household.objects.filter(village_id=row["unit_id"])
        assert {key: row[key] for key in COUNT_KEYS} == expected_counts(households)
        # No population record for a village: no total and no rate, never the households in the registry (a few
        # tracked households would make every rate tens of percent).
        assert row["population_start"] is None and row["population_end"] is None
        assert set(row["rates"].values()) == {None}
        assert balance_errors(row) == []
    assert figures["missing_population"] == ["Buôn Chư Tê", "Thôn Quý Đức"]
    assert figures["total"]["households"] == 12 and figures["total"]["population_start"] is None
    # Once the villages have their records, the rates follow.
    village_a, village_b = (row["unit_id"] for row in villages)
    for unit_id, count in ((village_a, 300), (village_b, 200)):
        for year in (2024, 2025):
            UnitPopulation.objects.create(unit_id=unit_id, year=year, households=count, source="Thống kê thôn")
    figures = compute_review_figures(unit=tree.commune, period_start=START, period_end=END)
    assert figures["missing_population"] == []
    assert figures["total"]["population_start"] == 500
    assert figures["total"]["rates"]["poor_start"] == rate(figures["total"]["poor_start"], 500)
    doc = review_document(report_for(tree.commune, figures))
    assert doc.letterhead.issuer == "Ủy ban nhân dân xã Ia RSai" and doc.letterhead.place == "Ia RSai"
    assert doc.appendices[0].columns[1].label == "Thôn, buôn, tổ dân phố"


def test_snapshot_is_plain_json(dataset):
    import json

    tree, _populations = dataset
    figures = compute_review_figures(unit=tree.district, period_start=START, period_end=END)
    assert json.loads(json.dumps(figures)) == figures
    assert figures["procedure"] and figures["procedure"][0].startswith("Quyết định số 24/2021/QĐ-TTg")


# --- the document --------------------------------------------------------------------------------------------------


def report_for(unit, figures, **fields) -> PeriodicReport:
    return PeriodicReport(
        unit=unit,
        kind=ReportKind.REVIEW_RESULTS,
        period_start=START,
        period_end=END,
        figures=figures,
        **fields,
    )


def test_document_tables_carry_every_cell_with_two_level_headers_and_ratio_columns(dataset):
    tree, _populations = dataset
    figures = compute_review_figures(unit=tree.district, period_start=START, period_end=END)
    report = report_for(
        tree.district,
        figures,
        status=ReportStatus.FINALISED,
        number="12/BC-UBND",
        issued_on=date(2026, 1, 5),
        signer_name="Nguyễn Tiến Đăng",
        signer_title="PHÓ CHỦ TỊCH",
        signer_authority="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH",
    )
    doc = review_document(report)
    assert isinstance(doc, PeriodicReportDocument) and not doc.draft
    assert doc.letterhead.issuer == "Ủy ban nhân dân huyện Krông Pa" and doc.letterhead.place == "Krông Pa"
    assert doc.letterhead.number == "12/BC-UBND"
    assert doc.abstract == "Kết quả rà soát hộ nghèo, hộ cận nghèo năm 2025"
    assert doc.signer.authority_lines == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]
    poor, near = doc.appendices
    assert poor.title == "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2025"
    assert near.title == "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ CẬN NGHÈO NĂM 2025"
    assert poor.subtitle == "(Kèm theo Báo cáo số 12/BC-UBND ngày 05/01/2026 của UBND huyện Krông Pa)"
    columns = {c.key: c for c in poor.columns}
    assert columns["poor_start"].group == "Hộ nghèo đầu năm"
    assert columns["poor_start_rate"].ratio_of == ("poor_start", "population_start")
    assert columns["poor_end_em_rate"].ratio_of == ("poor_end_em", "population_end")
    assert columns["population_start"].group == columns["population_end"].group == "Tổng số hộ dân cư"
    assert {c.key for c in near.columns} >= {"near_start_em", "near_to_poor", "poor_to_near", "near_end_em_rate"}

    headings = [r.heading for r in poor.rows if r.heading]
    assert headings == ["I. Khu vực thành thị", "II. Khu vực nông thôn"]
    data_rows = [r for r in poor.rows if not r.heading and not r.subtotal]
    subtotals = [r for r in poor.rows if r.subtotal]
    assert [r.values["name"] for r in data_rows] == ["Thị trấn Phú Túc", "Xã Ia RSai"]
    assert [r.values["name"] for r in subtotals] == ["Cộng khu vực thành thị", "Cộng khu vực nông thôn"]
    for table in (poor, near):
        for table_row, figure_row in zip(data_rows, rows_of(figures), strict=True):
            values = next(r for r in table.rows if r.values.get("name") == table_row.values["name"]).values
            expected = expected_counts(Household.objects.filter(commune_id=figure_row["unit_id"]))
            for column in table.columns:
                if column.kind == "count" and column.key in expected:
                    assert values[column.key] == expected[column.key], column.key
                elif column.kind == "percent":
                    numerator, denominator = column.ratio_of
                    assert values[column.key] == Decimal(rate(values[numerator], values[denominator]))
        # Totals the renderers make (sum of the data rows, rates from the sums) equal the figures' total.
        data = [r for r in table.rows if not r.heading and not r.subtotal]
        for column in table.columns:
            if column.kind == "count":
                assert sum(r.values[column.key] for r in data) == figures["total"][column.key]


def test_document_text_is_built_from_the_figures(dataset):
    tree, _populations = dataset
    figures = compute_review_figures(unit=tree.district, period_start=START, period_end=END)
    report = report_for(tree.district, figures, status=ReportStatus.DRAFT)
    doc = review_document(report)
    assert doc.draft and doc.letterhead.number == "" and doc.letterhead.date is None
    assert doc.appendices[0].subtitle.startswith("(Kèm theo Báo cáo số ")
    assert doc.recipients == ("Ủy ban nhân dân tỉnh Gia Lai",)
    assert doc.preamble[0].startswith("Thực hiện Quyết định số 24/2021/QĐ-TTg")
    text = "\n".join(p for s in doc.sections for sub in (s, *s.subsections) for p in sub.paragraphs)
    t = figures["total"]
    assert f"toàn huyện có {t['poor_start']} hộ nghèo, chiếm 0,54% tổng số hộ dân cư (1.300 hộ)" in text
    assert f"{t['escaped_poor']} hộ thoát nghèo (trong đó {t['poor_to_near']} hộ chuyển sang hộ cận nghèo)" in text
    assert f"{t['relapsed_poor']} hộ tái nghèo" in text
    assert "Đầu năm 2025, toàn huyện có 7 hộ nghèo" in text
    assert "Cuối năm 2025, toàn huyện có 8 hộ nghèo, chiếm 0,60% tổng số hộ dân cư (1.332 hộ)" in text
    assert "Số hộ nghèo cuối năm theo khu vực: khu vực thành thị 3 hộ (0,37%) và khu vực nông thôn 5 hộ (0,96%)" in text
    assert f"{t['near_end']} hộ cận nghèo" in text


def test_staff_text_replaces_the_prefilled_paragraph_and_proposals_follow_the_previous_report(dataset):
    tree, _populations = dataset
    figures = compute_review_figures(unit=tree.district, period_start=START, period_end=END)
    previous = report_for(tree.district, {}, narrative={"review_proposals": "Đề nghị tỉnh bố trí kinh phí rà soát."})
    report = report_for(tree.district, figures)
    narrative = review_default_narrative(report=report, previous=previous)
    assert narrative["review_proposals"] == "Đề nghị tỉnh bố trí kinh phí rà soát."
    assert "hộ nghèo" in narrative["review_poor"]
    report.narrative = {**narrative, "review_near_poor": "Đoạn do cán bộ viết."}
    doc = review_document(report)
    near = doc.sections[0].subsections[1]
    assert near.key == "review_near_poor" and near.paragraphs == ("Đoạn do cán bộ viết.",)
    assert doc.sections[1].paragraphs == ("Đề nghị tỉnh bố trí kinh phí rà soát.",)


def test_the_number_of_queries_does_not_grow_with_communes_and_households(dataset):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CommuneFactory

    tree, _populations = dataset

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            compute_review_figures(unit=tree.district, period_start=START, period_end=END)
        return len(captured)

    before = queries()
    for number in range(3):
        commune = CommuneFactory(code=f"2408{number}", name=f"Xã Thêm {number}", parent=tree.district)
        village = VillageFactory(code=f"2408{number}-01", parent=commune)
        household(village, (P, date(2024, 1, 1)), (X, date(2025, 12, 10)), minority=True)
        UnitPopulation.objects.create(unit=commune, year=2024, households=100, source="Thống kê dân số")
    assert queries() == before <= 4  # movements, row units, population records, the review procedure


def test_a_village_has_no_review_results_table_and_another_period_says_its_days(dataset):
    from django.core.exceptions import ValidationError

    tree, _populations = dataset
    with pytest.raises(ValidationError):
        compute_review_figures(unit=tree.village, period_start=START, period_end=END)
    figures = compute_review_figures(unit=tree.district, period_start=date(2025, 7, 1), period_end=END)
    text = review_default_narrative(report=report_for(tree.district, figures))["review_poor"]
    assert text.startswith("Đến ngày 30/06/2025, toàn huyện có ")
    assert "Trong kỳ, có " in text and "so với đầu kỳ" in text
    poor, _near = review_document(report_for(tree.district, figures, status=ReportStatus.DRAFT)).appendices
    assert {c.group for c in poor.columns} >= {"Hộ nghèo đầu kỳ", "Hộ nghèo cuối kỳ"}


def test_the_document_reads_only_the_snapshot(dataset, django_assert_num_queries):
    """A finalised report re-renders identically: the document reads the report's fields and its figures, not the
    records (here the commune is moved under another district and a household added after the snapshot)."""
    tree, _populations = dataset
    figures = compute_review_figures(unit=tree.commune, period_start=START, period_end=END)
    report = report_for(tree.commune, figures, status=ReportStatus.DRAFT)
    before = review_document(report)
    tree.commune.parent = tree.other_district
    tree.commune.save()
    household(tree.village, (P, date(2024, 1, 1)))
    with django_assert_num_queries(0):
        assert review_document(report) == before
    assert before.recipients == ("Ủy ban nhân dân huyện Krông Pa",)
