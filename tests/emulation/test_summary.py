"""The summary report of the movement (sơ kết, tổng kết phong trào): its figures equal independent aggregates of the
records, it is prepared and rendered through the periodic-report jobs, and its PDF reads like seed 000."""

import shutil
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from core.jobs import job_run_execute
from core.models import JobStatus
from emulation.models import (
    Award,
    AwardDecision,
    AwardForm,
    Level,
    Milestone,
    MilestoneKind,
    Movement,
    MovementResult,
    SubjectType,
    TypicalExample,
)
from emulation.summary import NARRATIVE_SECTIONS, compute_summary_figures
from households.models import StatusRecord
from reports.models import PeriodicReport, ReportKind, ReportStatus
from reports.services import narrative_sections, periods_for, report_draft_prepare, report_finalise
from tests.programs.conftest import make_household  # noqa: F401 - fixture
from tests.reports.test_documents import Pdf

YEAR = 2024
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)


@pytest.fixture
def movement(tree, users, make_household):  # noqa: F811
    movement = Movement.objects.create(
        name="Krông Pa chung tay vì người nghèo – Không để ai bị bỏ lại phía sau",
        phase_start=2021,
        phase_end=2025,
        unit=tree.district,
        launch_number="45/KH-UBND",
        launch_date=date(2022, 7, 1),
        legal_basis="Quyết định số 666/QĐ-TTg ngày 02/6/2022",
        levels=[Level.COMMUNE, Level.HOUSEHOLD],
    )
    Milestone.objects.create(movement=movement, kind=MilestoneKind.LAUNCH, due_on=date(2022, 7, 1))
    # Three poor households at the start of 2024; one escapes in June, one is newly poor in the sibling commune.
    make_household(code="IRS-001", status=("poor", date(2022, 1, 1), None))
    escaped = make_household(code="IRS-002")
    StatusRecord.objects.filter(household=escaped).delete()
    StatusRecord.objects.create(
        household=escaped, household_class="poor", valid_from=date(2022, 1, 1), valid_to=date(2024, 6, 14), decision="1"
    )
    StatusRecord.objects.create(
        household=escaped, household_class="near_poor", valid_from=date(2024, 6, 15), decision="2"
    )
    make_household(code="IRS-003", status=("near_poor", date(2022, 1, 1), None))
    for unit, fund, built in ((tree.commune, "150000000", 2), (tree.sibling_commune, "35000000", 1)):
        MovementResult.objects.create(
            movement=movement,
            unit=unit,
            year=YEAR,
            fund_raised=Decimal(fund),
            houses_built=built,
            houses_repaired=1,
            volunteers=20,
            working_days=60,
            models_replicated=1,
            source="Ủy ban MTTQ xã",
        )
    MovementResult.objects.create(  # another year: in the phase's figures, not the year's
        movement=movement, unit=tree.commune, year=2023, fund_raised=Decimal("10000000"), source="MTTQ"
    )
    decision = AwardDecision.objects.create(
        movement=movement,
        issuer=tree.district,
        form=AwardForm.DISTRICT_CERTIFICATE,
        number="215/QĐ-UBND",
        signed_on=date(YEAR, 12, 20),
        abstract="Về việc tặng Giấy khen",
        signer_name="Nguyễn Tiến Đăng",
        signer_title="CHỦ TỊCH",
    )
    for name, unit, kind in (
        ("Hộ ông Ksor Y Thuân", tree.commune, SubjectType.HOUSEHOLD),
        ("Ủy ban nhân dân xã Ia RSai", tree.commune, SubjectType.COLLECTIVE),
    ):
        Award.objects.create(
            decision=decision, subject_type=kind, subject_name=name, unit=unit, form=decision.form, year=YEAR
        )
    Award.objects.create(  # outside the district: not counted
        decision=decision,
        subject_type=SubjectType.INDIVIDUAL,
        subject_name="Bà Rơ Mah H'Lan",
        unit=tree.other_district_commune,
        form=decision.form,
        year=YEAR,
    )
    TypicalExample.objects.create(
        movement=movement,
        unit=tree.commune,
        year=YEAR,
        subject_name="Hộ ông Ksor Y Thuân",
        story="Vay vốn nuôi bò sinh sản, thoát nghèo năm 2024.",
    )
    return movement


def poor_on(unit, day, household_class="poor") -> int:
    """Independent count: households of the unit whose official status on ``day`` is ``household_class``."""
    return (
        StatusRecord.objects.filter(household__village__path__startswith=unit.path, household_class=household_class)
        .filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .values("household")
        .distinct()
        .count()
    )


def test_figures_equal_independent_aggregates(movement, tree):
    figures = compute_summary_figures(unit=tree.district, period_start=START, period_end=END)
    counts = figures["movements"]["counts"]
    assert counts["poor_start"] == poor_on(tree.district, date(YEAR - 1, 12, 31)) == 2
    assert counts["poor_end"] == poor_on(tree.district, END) == 1
    assert counts["near_end"] == poor_on(tree.district, END, "near_poor") == 2
    assert counts["escaped_poor"] == 1
    results = figures["results"]
    assert Decimal(results["fund_raised"]) == Decimal("185000000")
    assert results["houses_built"] == 3 and results["volunteers"] == 40 and results["units"] == 2
    assert Decimal(figures["phase_results"]["fund_raised"]) == Decimal("195000000")
    assert figures["awards"]["total"] == Award.objects.filter(unit__path__startswith=tree.district.path).count() == 2
    assert figures["awards"]["by_form"] == [
        {"form": "district_certificate", "label": "Giấy khen của Chủ tịch UBND huyện", "count": 2}
    ]
    assert [e["subject"] for e in figures["examples"]] == ["Hộ ông Ksor Y Thuân"]
    assert figures["movement"]["final"] is False and figures["movement"]["launch_number"] == "45/KH-UBND"
    commune = compute_summary_figures(unit=tree.commune, period_start=START, period_end=END)
    assert Decimal(commune["results"]["fund_raised"]) == Decimal("150000000")
    assert commune["movement"]["id"] == movement.pk  # a commune takes part in its district's movement


def test_the_phase_last_year_is_its_final_review(movement, tree):
    figures = compute_summary_figures(unit=tree.district, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31))
    assert figures["movement"]["final"] is True
    assert figures["phase_movements"]["counts"]["poor_start"] == poor_on(tree.district, date(2020, 12, 31))
    # the final review tells the whole phase: every year's results, awards and typical examples
    assert (
        Decimal(figures["results"]["fund_raised"])
        == Decimal("195000000")
        == Decimal(figures["phase_results"]["fund_raised"])
    )
    assert figures["awards"]["total"] == 2 and [e["subject"] for e in figures["examples"]] == ["Hộ ông Ksor Y Thuân"]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by scripts/bootstrap.sh")
def test_prepared_issued_and_rendered_through_the_report_jobs(movement, tree, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    start, end = periods_for(ReportKind.EMULATION_SUMMARY, YEAR)
    assert (start, end) == (START, END)
    report = report_draft_prepare(
        unit=tree.district,
        kind=ReportKind.EMULATION_SUMMARY,
        period_start=start,
        period_end=end,
        user=users.district_staff,
    )
    assert job_run_execute(job_id=report.job.pk).status == JobStatus.SUCCEEDED, report.job.error
    report.refresh_from_db()
    assert report.figures == compute_summary_figures(unit=tree.district, period_start=START, period_end=END)
    assert [key for key, _heading in narrative_sections(report)] == [key for key, _heading in NARRATIVE_SECTIONS]
    assert "150 triệu đồng" not in report.narrative["mobilisation"]  # the sum, not one commune
    assert "185 triệu đồng" in report.narrative["mobilisation"]
    PeriodicReport.objects.filter(pk=report.pk).update(
        signer_name="Nguyễn Tiến Đăng", narrative={**report.narrative, "lessons": "Một là: bám sát cơ sở."}
    )
    job = report_finalise(report=report, issued_on=timezone.localdate(), user=users.district_staff)
    assert job_run_execute(job_id=job.pk).status == JobStatus.SUCCEEDED, job.error
    report.refresh_from_db()
    assert report.status == ReportStatus.FINALISED and report.xlsx_file and report.docx_file
    with report.pdf_file.open("rb") as handle:
        text = Pdf(handle.read(), "emulation_summary").text()
    for needle in (
        "HUYỆN KRÔNG PA",
        f"Số: {report.number}",
        "Sơ kết phong trào thi đua “Krông Pa chung tay vì người nghèo – Không để ai bị bỏ lại phía sau” năm 2024",
        "I. ĐẶC ĐIỂM TÌNH HÌNH",
        "II. CÔNG TÁC TRIỂN KHAI THỰC HIỆN PHONG TRÀO THI ĐUA",
        "Kế hoạch số 45/KH-UBND ngày 01/07/2022",
        "III. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA",
        "Quỹ “Vì người nghèo” vận động được 185 triệu đồng",
        "Hộ ông Ksor Y Thuân (Xã Ia RSai, năm 2024): Vay vốn nuôi bò sinh sản",
        "2 Giấy khen của Chủ tịch UBND huyện",
        "IV. ĐÁNH GIÁ CHUNG",
        "Một là: bám sát cơ sở.",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
        "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC KHEN THƯỞNG",
        "215/QĐ-UBND ngày 20/12/2024",
        "Nguyễn Tiến Đăng",
    ):
        assert needle in text, needle
    assert "Rơ Mah H'Lan" not in text
