"""The 6-month and year-end report content (reports.content, reports.narrative): every figure equals an aggregate
computed here from the raw rows of a small hand-built district, the sentences read like report 209/BC-UBND with
numbers 1.234 and 11,5%, a zero figure leaves its sentence out, and the previous period's assessment, tasks and
proposals are carried."""

import datetime
import json
from decimal import Decimal

import pytest

from households import services as household_services
from households.models import EscapeRegistration, Household, PovertyTarget, StatusRecord, UnitPopulation
from programs.models import Benefit, Programme
from reports.content import build_document, compute_figures, default_narrative
from reports.documents.data import PeriodicReportDocument
from reports.models import IndicatorDefinition, IndicatorValue, PeriodicReport, ReportKind
from reports.narrative import generated_text, money, pct
from tests.factories import VillageFactory
from tests.households.conftest import POOR_FACTS, family, member

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2026, 1, 1), D(2026, 6, 30)  # the first half of a year that every test day has passed


def status(household, *periods):
    StatusRecord.objects.filter(household=household).delete()
    for household_class, valid_from, valid_to in periods:
        StatusRecord.objects.create(
            household=household, household_class=household_class, valid_from=valid_from, valid_to=valid_to
        )


def kinh_family():
    return [
        member("Nguyễn Văn Ba", "head", D(1980, 1, 1), ethnic="01"),
        member("Lê Thị Tư", "spouse", D(1982, 1, 1), sex="female", ethnic="01"),
    ]


@pytest.fixture
def world(tree, users):
    """Two communes of the district, seven households whose histories give every movement, and support of every
    kind inside and outside the first half of 2026."""
    programmes = {p.code: p for p in Programme.objects.all()}
    sibling_village = VillageFactory(parent=tree.sibling_commune, code="24076-01", name="Tổ dân phố 1")
    made = {}

    def household(code, village, history, members=None):
        h = Household(code=code, village=village, **POOR_FACTS)
        h = household_services.household_save(
            household=h, members=members or family(), user=users.commune_officer, expected_version=None
        )
        status(h, *history)
        made[code] = h
        return h

    h1 = household("H1", tree.village, [("poor", D(2025, 1, 1), None)])
    h2 = household("H2", tree.village, [("near_poor", D(2025, 1, 1), None)], kinh_family())
    h3 = household("H3", tree.village, [("poor", D(2025, 1, 1), D(2026, 3, 31)), ("near_poor", D(2026, 4, 1), None)])
    h4 = household("H4", tree.village, [("non_poor", D(2025, 1, 1), D(2026, 4, 30)), ("poor", D(2026, 5, 1), None)])
    h5 = household("H5", tree.village, [("non_poor", D(2025, 1, 1), None)])
    h6 = household("H6", sibling_village, [("poor", D(2025, 1, 1), None)])
    h7 = household("H7", sibling_village, [("near_poor", D(2025, 1, 1), None)], kinh_family())

    def benefit(code, h, day, household_status, member_index=None, **fields):
        programme = programmes[code]
        if programme.is_member_level:
            fields["member"] = list(h.members.order_by("pk"))[member_index or 0]
        return Benefit.objects.create(
            programme=programme, household=h, date=day, household_status=household_status, **fields
        )

    loan = {"loan_term_months": 36, "interest_rate": Decimal("6.6")}
    benefit("VBSP_POOR", h1, D(2026, 2, 1), "poor", amount=50_000_000, **loan)
    benefit("VBSP_NEAR_POOR", h2, D(2026, 3, 1), "near_poor", amount=30_000_000, **loan)
    benefit("VBSP_WATER", h2, D(2026, 3, 5), "near_poor", amount=20_000_000, **loan)
    benefit("VBSP_POOR", h3, D(2026, 1, 15), "poor", amount=40_000_000, **loan)
    benefit("VBSP_POOR", h5, D(2025, 12, 31), "non_poor", amount=10_000_000, **loan)  # before the period
    card = {"card_valid_from": D(2026, 1, 1), "card_valid_to": D(2026, 12, 31), "funding_share": 100}
    benefit("BHYT", h1, D(2026, 1, 5), "poor", 0, card_number="GD4646420000001", **card)
    benefit("BHYT", h1, D(2026, 1, 5), "poor", 1, card_number="GD4646420000002", **card)
    benefit("BHYT", h2, D(2026, 1, 5), "near_poor", 0, card_number="GD4646420000003", **card)
    benefit("ELECTRICITY", h4, D(2026, 3, 1), "non_poor", amount=180_000, period_year=2026, period_quarter=1)
    benefit("ELECTRICITY", h6, D(2026, 7, 10), "poor", amount=180_000, period_year=2026, period_quarter=2)
    benefit("RICE_TET", h6, D(2026, 1, 20), "poor", quantity=Decimal(60), persons=4, item_description="Gạo")
    benefit("EDU_TUITION", h6, D(2026, 2, 10), "poor", 2, amount=1_200_000)
    benefit(
        "HOUSING_SUPPORT",
        h7,
        D(2026, 4, 2),
        "near_poor",
        housing_work="new",
        amount_central=40_000_000,
        amount_local=10_000_000,
        amount=50_000_000,
    )
    for commune, (households_2025, households_2026) in ((tree.commune, (100, 110)), (tree.sibling_commune, (60, 70))):
        UnitPopulation.objects.create(
            unit=commune, year=2025, households=households_2025, persons=households_2025 * 4, source="Thống kê"
        )
        UnitPopulation.objects.create(
            unit=commune, year=2026, households=households_2026, persons=households_2026 * 4, source="Thống kê"
        )
    PovertyTarget.objects.create(
        unit=tree.district,
        year=2026,
        households_to_escape=3,
        rate_reduction=Decimal("1.50"),
        legal_basis="QĐ 146/QĐ-UBND",
    )
    PovertyTarget.objects.create(
        unit=tree.commune,
        year=2026,
        households_to_escape=2,
        rate_reduction=Decimal("1.00"),
        legal_basis="QĐ 147/QĐ-UBND",
    )
    EscapeRegistration.objects.create(
        household=h1, year=2026, registered_on=D(2026, 1, 10), class_at_registration="poor", cadre_name="Ksor Y Tâm"
    )
    EscapeRegistration.objects.create(
        household=h3, year=2026, registered_on=D(2026, 1, 10), class_at_registration="poor", cadre_name="Ksor Y Tâm"
    )
    definitions = {d.code: d for d in IndicatorDefinition.objects.all()}
    for code, value in (("broadcasts", 6), ("news_items", 100), ("insured_visits", 21967)):
        IndicatorValue.objects.create(
            definition=definitions[code],
            unit=tree.district,
            period_start=START,
            period_end=END,
            value=Decimal(value),
            source="Trung tâm Văn hóa – Thông tin huyện",
            entered_by=users.district_staff,
        )
    return made


def class_on(household, day):
    record = (
        StatusRecord.objects.filter(household=household, valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("-valid_from")
        .first()
    )
    return record.household_class if record else None


def in_period(benefit):
    if benefit.period_quarter:
        return START <= D(benefit.period_year, 3 * benefit.period_quarter - 2, 1) <= END
    return START <= benefit.date <= END


def test_six_month_figures_equal_raw_aggregates(world, tree):
    figures = compute_figures(unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=START, period_end=END)
    json.dumps(figures)  # the snapshot is plain JSON
    households = list(Household.objects.filter(village__path__startswith=tree.district.path))
    benefits = [b for b in Benefit.objects.filter(household__in=households).select_related("programme") if in_period(b)]

    loans = [b for b in benefits if b.programme.kind == "credit"]
    assert figures["credit"]["households"] == len({b.household_id for b in loans}) == 3
    assert figures["credit"]["amount"] == sum(b.amount for b in loans) == 140_000_000
    poor_at_end = {h.pk for h in households if class_on(h, END) == "poor"}
    shares = {row["code"]: row for row in figures["credit"].get("programme_shares", [])}
    if shares:  # per programme: poor borrowers of the poor-household programme, of all poor households at the end
        poor_borrowers = {
            b.household_id for b in loans if b.programme.code == "VBSP_POOR" and b.household_status == "poor"
        }
        assert shares["VBSP_POOR"]["group_households"] == len(poor_borrowers) == 2
        assert shares["VBSP_POOR"]["group_total"] == len(poor_at_end) == 3
        # the credit appendix reads the same per-programme meaning, commune by commune (seed 004 §3.1)
        from reports.content.appendices import programme_group

        rows = {child["id"]: programme_group(child["credit"], "poor") for child in figures["children"]}
        assert sum(row["borrowers"] for row in rows.values()) == len(poor_borrowers)
        assert sum(row["households"] for row in rows.values()) == len(poor_at_end)

    cards = [b for b in benefits if b.programme.kind == "health_insurance"]
    assert figures["health_insurance"]["cards"] == len(cards) == 3
    minority_cards = sum(1 for b in cards if b.member.ethnic_group.is_minority)
    assert figures["health_insurance"]["by_group"]["ethnic_minority"] == minority_cards == 2

    before = START - datetime.timedelta(days=1)
    counts = figures["movements"]["counts"]
    assert counts["poor_start"] == sum(class_on(h, before) == "poor" for h in households) == 3
    assert counts["poor_end"] == len(poor_at_end) == 3
    assert counts["escaped_poor"] == sum(
        class_on(h, before) == "poor" and class_on(h, END) != "poor" for h in households
    )
    assert (
        counts["new_poor"] == sum(class_on(h, before) != "poor" and class_on(h, END) == "poor" for h in households) == 1
    )
    assert counts["near_end"] == sum(class_on(h, END) == "near_poor" for h in households) == 3
    assert figures["movements"]["start_total"]["households"] == 160  # the communes' 2025 populations, added
    assert figures["movements"]["end_total"]["households"] == 180
    assert Decimal(figures["movements"]["rates"]["poor_end"]) == Decimal("1.67")

    power = [b for b in benefits if b.programme.kind == "electricity"]
    assert figures["electricity"]["households"] == len({b.household_id for b in power})
    rice = {row["code"]: row for row in figures["rice"]}
    assert rice["RICE_TET"]["households"] == 1 and rice["RICE_TET"]["persons"] == 4
    assert Decimal(rice["RICE_TET"]["quantity"]) == 60
    tuition = {row["code"]: row for row in figures["education_by_programme"]}["EDU_TUITION"]
    assert tuition["members"] == 1 and tuition["amount"] == 1_200_000
    assert figures["housing"]["households"] == 1 and figures["housing"]["new"] == 1

    assert figures["target"]["own"]["households_to_escape"] == 3
    assert figures["target"]["registered"] == EscapeRegistration.objects.count() == 2
    assert figures["target"]["units_with_target"] == 1

    rows = {row["code"]: row for row in figures["children"]}
    assert set(rows) == {tree.commune.code, tree.sibling_commune.code}
    assert rows[tree.commune.code]["credit"]["households"] == 3
    assert rows[tree.sibling_commune.code]["credit"]["households"] == 0
    assert sum(r["movements"]["counts"]["poor_end"] for r in rows.values()) == counts["poor_end"]
    assert sum(r["overall"]["households"] for r in rows.values()) == figures["overall"]["households"]

    typed = {row["code"]: row for row in figures["indicators"]}
    assert typed["broadcasts"]["value"] == "6" and typed["insured_visits"]["display"] == "21.967"
    assert typed["broadcasts"]["source"] == "Trung tâm Văn hóa – Thông tin huyện"
    assert typed["broadcasts"]["entered_by"]


def test_commune_report_rows_are_villages(world, tree):
    figures = compute_figures(unit=tree.commune, kind=ReportKind.SIX_MONTH, period_start=START, period_end=END)
    assert [row["code"] for row in figures["children"]] == [tree.village.code]
    assert figures["target"]["own"]["households_to_escape"] == 2
    assert figures["indicators"] == []  # typed for the district, not for the commune
    assert figures["unit"]["parent_name"] == tree.district.name


def report_for(unit, kind, figures, **fields):
    end = END if kind == ReportKind.SIX_MONTH else D(2026, 12, 31)
    return PeriodicReport(unit=unit, kind=kind, period_start=START, period_end=end, figures=figures, **fields)


def test_narrative_sentences_in_the_seeds_register(world, tree):
    figures = compute_figures(unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=START, period_end=END)
    report = report_for(tree.district, ReportKind.SIX_MONTH, figures)
    texts = default_narrative(report=report)
    credit = texts["credit"]
    assert "Qua 6 tháng triển khai" in credit and "cho 3 hộ" in credit and "140 triệu đồng" in credit
    if figures["credit"].get("programme_shares"):
        assert "có 2 hộ nghèo vay vốn, chiếm 66,7% tổng số hộ nghèo (3 hộ)" in credit
    assert "cho 1 hộ vay vốn làm công trình nước sinh hoạt, vệ sinh môi trường" in credit
    assert "0 hộ" not in "\n".join(texts.values())  # zero figures leave their sentence out
    assert "Trong 6 tháng, đã cấp thẻ BHYT cho 3 đối tượng" in texts["health"]
    assert "21.967 lượt người khám, chữa bệnh bằng thẻ BHYT" in texts["health"]
    assert "6 chương trình phát thanh, truyền hình" in texts["communication"] and "100 tin" in texts["communication"]
    assert "mức giảm 1,50%, tương ứng với giảm 3 hộ nghèo (QĐ 146/QĐ-UBND)" in texts["direction"]
    assert "Qua tổng hợp có 2 hộ đăng ký thoát nghèo năm 2026" in texts["direction"]
    assert "gạo cứu đói dịp Tết cho 1 hộ, 4 khẩu với 60 kg gạo" in texts["other"]
    assert "target_results" not in texts  # the year-end report's only
    # nothing was recorded for production in this district: no sentence rather than "0 hộ"
    assert (
        generated_text(report, "production")
        == "Trong 6 tháng, chưa ghi nhận kết quả hỗ trợ về nội dung này trên cổng thông tin."
    )


def test_year_end_adds_target_results_and_review(world, tree):
    year_end = D(2026, 12, 31)
    figures = compute_figures(unit=tree.district, kind=ReportKind.YEAR_END, period_start=START, period_end=year_end)
    assert figures["review"]["rounds"] == 0 and figures["review"]["communes"] == 2
    report = report_for(tree.district, ReportKind.YEAR_END, figures)
    texts = default_narrative(report=report)
    assert "Năm 2026, UBND huyện được giao chỉ tiêu giảm 3 hộ nghèo" in texts["target_results"]
    assert "Kết quả, có 1 hộ thoát nghèo, đạt 33,3% chỉ tiêu số hộ" in texts["target_results"]
    assert "Trong 2 hộ đăng ký thoát nghèo năm 2026, có 1 hộ đã thoát nghèo" in texts["target_results"]
    assert texts["review"] == ""  # no review round opened: no sentence
    document = build_document(report)
    headings = [s.heading for s in document.sections]
    assert headings[2] == "III. NHIỆM VỤ VÀ GIẢI PHÁP NĂM 2027"
    assert document.abstract == "Kết quả thực hiện Chương trình MTQG giảm nghèo bền vững năm 2026"


def test_previous_periods_assessment_tasks_and_proposals_are_carried(world, tree):
    figures = compute_figures(unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=START, period_end=END)
    previous = report_for(
        tree.district,
        ReportKind.YEAR_END,
        figures,
        narrative={"tasks": "1. Hoàn thành rà soát.", "proposals": "- Đề nghị cấp vốn.", "achievements": ""},
    )
    report = report_for(tree.district, ReportKind.SIX_MONTH, figures)
    texts = default_narrative(report=report, previous=previous)
    assert texts["tasks"] == "1. Hoàn thành rà soát." and texts["proposals"] == "- Đề nghị cấp vốn."
    # a section the previous report left empty starts from its text built from its figures
    assert texts["achievements"] == generated_text(previous, "achievements")
    assert texts["credit"] == generated_text(report, "credit")  # results are never carried


def test_document_reads_only_the_snapshot(world, tree, django_assert_num_queries):
    figures = compute_figures(unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=START, period_end=END)
    report = report_for(
        tree.district,
        ReportKind.SIX_MONTH,
        figures,
        narrative={"credit": "Đoạn thứ nhất.\nĐoạn thứ hai."},
        number="12/BC-UBND",
        issued_on=D(2026, 6, 15),
        status="finalised",
        signer_name="Nguyễn Tiến Đăng",
        signer_title="PHÓ CHỦ TỊCH",
        signer_authority="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH",
    )
    with django_assert_num_queries(0):
        document = build_document(report)
    assert isinstance(document, PeriodicReportDocument) and not document.draft
    assert document.letterhead.issuer == "Ủy ban nhân dân huyện Krông Pa" and document.letterhead.place == "Krông Pa"
    assert document.letterhead.number == "12/BC-UBND" and document.letterhead.parent_issuer == ""
    assert document.recipients == ("Sở Nông nghiệp và Môi trường tỉnh Gia Lai",)
    assert document.distribution[-1] == "Lưu: VT, VHXH"
    assert document.signer.name == "Nguyễn Tiến Đăng" and document.signer.authority_lines == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
    ]
    results = document.sections[0]
    policies = results.subsections[2].subsections
    assert policies[0].key == "credit" and policies[0].paragraphs == ("Đoạn thứ nhất.", "Đoạn thứ hai.")
    communication = results.subsections[1]
    assert {f.label for f in communication.entered} >= {"Tin về công tác giảm nghèo đã phát sóng, phát hành"}
    assert document.closing.endswith("báo cáo Sở Nông nghiệp và Môi trường tỉnh Gia Lai theo dõi và chỉ đạo./.")
    assert len(document.appendices) == 4
    movement = document.appendices[3]
    assert [row.values["name"] for row in movement.rows] == [tree.sibling_commune.name, tree.commune.name]  # code order
    assert any(column.ratio_of == ("poor_end", "total_end") for column in movement.columns)
    for row in movement.rows:  # the near-poor list balances with the columns shown
        v = row.values
        arrivals = v["near_start"] + v["new_near"] + v["relapsed_near"] + v["poor_to_near"]
        assert arrivals - v["escaped_near"] - v["near_to_poor"] == v["near_end"]


def test_recipient_before_the_departments_changed(tree):
    from reports.content import default_recipients

    figures = {
        "unit": {
            "level": "district",
            "parent_level": "province",
            "province_name": "Tỉnh Gia Lai",
            "name": "Huyện Krông Pa",
        }
    }
    assert default_recipients(figures, D(2021, 6, 15)) == ("Sở Lao động – Thương binh và Xã hội tỉnh Gia Lai",)
    commune = {
        "unit": {
            "level": "commune",
            "parent_level": "district",
            "parent_name": "Huyện Krông Pa",
            "name": "Xã Ia RSai",
            "province_name": "Tỉnh Gia Lai",
        }
    }
    assert default_recipients(commune, D(2025, 6, 1)) == ("Ủy ban nhân dân huyện Krông Pa",)
    two_tier = {"unit": {**commune["unit"], "parent_level": "province", "parent_name": "Tỉnh Gia Lai"}}
    assert default_recipients(two_tier, D(2025, 12, 31)) == ("Sở Nông nghiệp và Môi trường tỉnh Gia Lai",)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (113_000_000_000, "113 tỷ đồng"),
        (1_500_000_000, "1,5 tỷ đồng"),
        (350_000_000, "350 triệu đồng"),
        (5_400_000, "5.400.000 đồng"),
        (113_400_000_000, "113,4 tỷ đồng"),
        (113_412_345_678, "113,4 tỷ đồng"),
        (1_898_378_000, "1.898.378.000 đồng"),
        (94_000_000, "94 triệu đồng"),
    ],
)
def test_money_as_the_seed_writes_it(amount, text):
    assert money(amount) == text


def test_percent_as_the_seed_writes_it():
    assert pct("11.5") == "11,5%" and pct(Decimal("96.75")) == "96,75%" and pct(3.3, 2) == "3,30%"


def test_document_renders_in_the_three_files(world, tree, tmp_path):
    """The built document goes through the renderers: the PDF's text and the Word file hold the header, the
    sentences built from the figures and the typed figures with their source; the workbook holds the appendices."""
    import io
    import subprocess

    import docx
    import openpyxl

    from reports.documents.docx import periodic_report_docx
    from reports.documents.render import periodic_report_pdf
    from reports.documents.xlsx import periodic_report_xlsx

    figures = compute_figures(unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=START, period_end=END)
    report = report_for(tree.district, ReportKind.SIX_MONTH, figures)
    report.narrative = default_narrative(report=report)
    document = build_document(report)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(periodic_report_pdf(document))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "ỦY BAN NHÂN DÂN" in text and "HUYỆN KRÔNG PA" in text and "/BC-UBND" in text
    assert "Kính gửi: Sở Nông nghiệp và Môi trường tỉnh Gia Lai" in text
    assert "6 tháng đầu năm 2026" in text and "cho 3 hộ, kinh phí cho vay đạt 140 triệu đồng" in text
    assert "21.967" in text and "Trung tâm Văn hóa – Thông tin huyện" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "Lưu: VT, VHXH" in text
    word = docx.Document(io.BytesIO(periodic_report_docx(document)))
    paragraphs = " ".join(p.text for p in word.paragraphs)
    assert "cho 3 hộ, kinh phí cho vay đạt 140 triệu đồng" in paragraphs
    workbook = openpyxl.load_workbook(io.BytesIO(periodic_report_xlsx(document)))
    assert len(workbook.sheetnames) == 4


def test_refreshed_figures_rewrite_only_untouched_sections(world, tree):
    from reports.narrative import refresh_narrative

    old = compute_figures(unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=START, period_end=END)
    report = report_for(tree.district, ReportKind.SIX_MONTH, old)
    report.narrative = {**default_narrative(report=report), "health": "Đoạn cán bộ đã sửa."}
    IndicatorValue.objects.filter(definition__code="broadcasts").update(value=Decimal(9))
    report.figures = compute_figures(unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=START, period_end=END)
    texts = refresh_narrative(report=report, old_figures=old)
    assert "9 chương trình phát thanh" in texts["communication"]  # untouched: rewritten from the new figures
    assert texts["health"] == "Đoạn cán bộ đã sửa."  # edited by staff: kept


def test_year_end_without_the_units_own_target_reads_its_communes_targets(world, tree):
    PovertyTarget.objects.filter(unit=tree.district).delete()
    year_end = D(2026, 12, 31)
    figures = compute_figures(unit=tree.district, kind=ReportKind.YEAR_END, period_start=START, period_end=year_end)
    texts = default_narrative(report=report_for(tree.district, ReportKind.YEAR_END, figures))
    assert "Năm 2026, các xã, thị trấn được giao chỉ tiêu giảm tổng số 2 hộ nghèo." in texts["target_results"]
    assert "toàn huyện có 1 hộ thoát nghèo, đạt 50,0% chỉ tiêu" in texts["target_results"]
    assert "- Số hộ thoát nghèo (1 hộ) mới đạt 50,0% chỉ tiêu giao năm 2026 (2 hộ)." in texts["difficulties"]


def test_queries_do_not_grow_with_households(world, tree, users, django_assert_max_num_queries):
    """The figures are grouped queries per unit of the appendix, whatever the number of households and records."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        compute_figures(unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=START, period_end=END)
    programme = Programme.objects.get(code="VBSP_POOR")
    for number in range(8):
        h = Household(code=f"X{number}", village=tree.village, **POOR_FACTS)
        h = household_services.household_save(
            household=h, members=family(), user=users.commune_officer, expected_version=None
        )
        status(h, ("poor", D(2025, 1, 1), None))
        Benefit.objects.create(
            programme=programme,
            household=h,
            date=D(2026, 2, 2),
            household_status="poor",
            amount=10_000_000,
            loan_term_months=36,
            interest_rate=Decimal("6.6"),
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        compute_figures(unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=START, period_end=END)
