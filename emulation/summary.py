"""The summary report of the movement (báo cáo sơ kết, tổng kết phong trào thi đua), a kind of periodic report
(reports.ReportKind.EMULATION_SUMMARY) generated, edited, issued and downloaded like the others.

Structure of seed 000 (Hà Quảng's "Tổng kết phong trào thi đua … chung tay vì người nghèo"): I. situation
(advantages, difficulties), II. how the movement was run (direction and launch, communication), III. results (the
movement's own results, each support policy, poverty reduction, typical examples, awards), IV. assessment
(achievements, limitations, lessons), V. proposals. A report of a year within the phase is a sơ kết; the report of
the phase's last year is its tổng kết and also gives the figures since the phase began.

The same two steps as reports/content (STYLE.md rule 8): ``compute_summary_figures`` reads the records once —
movements and rates (households.transitions, through reports.content.movement_figures), support (programs.figures,
through reports.content.support_figures), the movement's results, typical examples, nominations and awards
(emulation models) — and returns JSON; ``summary_document`` turns a report's stored figures, narrative and fields
into the plain document the three renderers take, reading no record.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from areas.models import AdministrativeUnit

from .models import Award, AwardForm, Movement, MovementResult, Nomination, TypicalExample

SCHEMA = 1

# (key, heading) of every text staff edit, in the order of the report (seed 000).
NARRATIVE_SECTIONS = [
    ("preamble", "Mở đầu"),
    ("advantages", "I.1. Thuận lợi"),
    ("difficulties", "I.2. Khó khăn"),
    ("direction", "II.1. Công tác lãnh đạo, chỉ đạo, phát động và triển khai phong trào"),
    ("communication", "II.2. Công tác tuyên truyền"),
    ("mobilisation", "III.1. Kết quả hưởng ứng, vận động nguồn lực"),
    ("policies", "III.2. Kết quả các chính sách hỗ trợ giảm nghèo"),
    ("poverty", "III.3. Kết quả giảm nghèo"),
    ("examples", "III.4. Điển hình tiên tiến"),
    ("awards", "III.5. Công tác sơ kết, tổng kết, khen thưởng"),
    ("achievements", "IV.1. Kết quả đạt được"),
    ("limitations", "IV.2. Tồn tại, hạn chế và nguyên nhân"),
    ("lessons", "IV.3. Bài học kinh nghiệm"),
    ("proposals", "V. Đề xuất, kiến nghị"),
]
CARRIED = ("advantages", "difficulties", "achievements", "limitations", "lessons", "proposals")
RESULT_KEYS = ("fund_raised", "houses_built", "houses_repaired", "volunteers", "working_days", "models_replicated")


# --- figures (the snapshot) ----------------------------------------------------------------------------------


def movement_for(unit: AdministrativeUnit, year: int) -> Movement | None:
    """The movement the unit runs or takes part in for ``year``: the one run by the closest unit at or above it."""
    above = [int(pk) for pk in unit.path.strip("/").split("/") if pk]
    candidates = Movement.objects.filter(unit__pk__in=above, phase_start__lte=year, phase_end__gte=year)
    return max(candidates.select_related("unit"), key=lambda m: (len(m.unit.path), m.pk), default=None)


def compute_summary_figures(*, unit: AdministrativeUnit, period_start: datetime.date, period_end: datetime.date):
    """Every figure of the summary report of ``unit`` for the period, as JSON-serialisable data."""
    from reports.content import movement_figures, plain, support_figures, unit_info

    year = period_end.year
    movement = movement_for(unit, year)
    figures = {
        "schema": SCHEMA,
        "kind": "emulation_summary",
        "unit": unit_info(unit),
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat(), "year": year},
        "movement": None,
        "movements": movement_figures(unit, period_start, period_end),
        "support": support_summary(support_figures(unit, period_start, period_end)),
    }
    if movement is None:
        return plain(figures)
    phase_start = datetime.date(movement.phase_start, 1, 1)
    # A final review (tổng kết) tells the whole phase: its results, examples, awards and nominations since the phase
    # began; a yearly review (sơ kết) tells its own year.
    years = (movement.phase_start, year) if year >= movement.phase_end else (period_start.year, period_end.year)
    figures["movement"] = {
        "id": movement.pk,
        "name": movement.name,
        "phase_start": movement.phase_start,
        "phase_end": movement.phase_end,
        "unit_name": movement.unit.name,
        "launch_number": movement.launch_number,
        "launch_date": movement.launch_date,
        "launch_signer": movement.launch_signer,
        "launch_title": movement.launch_title,
        "legal_basis": movement.legal_basis,
        "final": year >= movement.phase_end,
        "milestones": [
            {"kind": m.get_kind_display(), "due_on": m.due_on, "note": m.note}
            for m in movement.milestones.filter(due_on__lte=period_end).order_by("due_on")
        ],
    }
    figures["phase_movements"] = movement_figures(unit, phase_start, period_end) if period_start > phase_start else None
    figures["results"] = result_figures(movement, unit, *years)
    figures["phase_results"] = result_figures(movement, unit, movement.phase_start, year)
    figures["result_rows"] = result_rows(movement, unit, *years)
    figures["examples"] = [
        {"subject": e.subject_name, "unit": e.unit.name, "year": e.year, "story": e.story}
        for e in TypicalExample.objects.filter(
            movement=movement, unit__path__startswith=unit.path, year__gte=years[0], year__lte=years[1]
        )
        .select_related("unit")
        .order_by("year", "subject_name")
    ]
    figures["awards"] = award_figures(movement, unit, *years)
    figures["nominations"] = dict(
        Nomination.objects.filter(
            movement=movement, proposing_unit__path__startswith=unit.path, year__gte=years[0], year__lte=years[1]
        )
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return plain(figures)


def support_summary(support: dict) -> dict:
    """The support figures the summary cites (the meanings of the periodic reports, programs.figures)."""
    credit = support["credit"]
    return {
        "overall": support["overall"],
        "credit": {k: credit[k] for k in ("loans", "households", "amount", "outstanding", "overdue")},
        "health_insurance": {k: support["health_insurance"][k] for k in ("cards", "insured", "rate")},
        "education": {k: support["education"][k] for k in ("households", "members", "amount")},
        "housing": {k: support["housing"][k] for k in ("households", "new", "repair", "mobilised", "total")},
        "water_sanitation": {k: support["water_sanitation"][k] for k in ("households", "amount")},
        "livelihood": {k: support["livelihood"][k] for k in ("households", "amount")},
        "training": {k: support["training"][k] for k in ("trainees", "employed", "amount")},
        "electricity": {k: support["electricity"][k] for k in ("households", "amount")},
        "in_kind": {k: support["in_kind"][k] for k in ("households", "quantity")},
    }


def result_figures(movement: Movement, unit: AdministrativeUnit, first_year: int, last_year: int) -> dict:
    rows = MovementResult.objects.filter(
        movement=movement, unit__path__startswith=unit.path, year__gte=first_year, year__lte=last_year
    )
    sums = rows.aggregate(**{key: Sum(key) for key in RESULT_KEYS}, units=Count("unit", distinct=True))
    return {key: sums[key] or 0 for key in (*RESULT_KEYS, "units")}


def result_rows(movement: Movement, unit: AdministrativeUnit, first_year: int, last_year: int) -> list[dict]:
    """The appendix table: the results of each unit that typed some, summed over the period's years."""
    grouped = (
        MovementResult.objects.filter(
            movement=movement, unit__path__startswith=unit.path, year__gte=first_year, year__lte=last_year
        )
        .values("unit__name", "unit__path")
        .annotate(**{key: Sum(key) for key in RESULT_KEYS})
        .order_by("unit__path")
    )
    return [{"name": row["unit__name"], **{key: row[key] for key in RESULT_KEYS}} for row in grouped]


def award_figures(movement: Movement, unit: AdministrativeUnit, first_year: int, last_year: int) -> dict:
    awards = (
        Award.objects.filter(movement_q(movement), unit__path__startswith=unit.path, year__gte=first_year)
        .filter(year__lte=last_year)
        .select_related("decision", "unit")
        .order_by("decision__signed_on", "subject_name")
    )
    labels = dict(AwardForm.choices)
    by_form = {}
    rows = []
    for award in awards:
        by_form[award.form] = by_form.get(award.form, 0) + 1
        rows.append(
            {
                "subject": award.subject_name,
                "subject_type": award.get_subject_type_display(),
                "unit": award.unit.name,
                "form": str(labels.get(award.form, award.form)),
                "decision": f"{award.decision.number} ngày {award.decision.signed_on:%d/%m/%Y}",
                "year": award.year,
            }
        )
    forms = [
        {"form": key, "label": str(labels[key]), "count": by_form[key]} for key in AwardForm.values if key in by_form
    ]
    return {"total": len(rows), "by_form": forms, "rows": rows}


def movement_q(movement: Movement) -> Q:
    return Q(decision__movement=movement)


# --- the text ------------------------------------------------------------------------------------------------


def _n(value) -> str:
    from reports.narrative.wording import n

    return n(value or 0)


def _money(value) -> str:
    from reports.narrative.wording import money

    return money(Decimal(str(value or 0)))


def _pct(value) -> str:
    from reports.narrative.wording import pct

    return pct(value) if value is not None else ""


def _whole(figures: dict) -> str:
    from reports.content import unit_phrase

    return unit_phrase(figures["unit"])


def _period_words(figures: dict) -> str:
    movement = figures.get("movement")
    year = figures["period"]["year"]
    if movement and movement["final"]:
        return f"giai đoạn {movement['phase_start']}–{movement['phase_end']}"
    return f"năm {year}"


def _movement_name(figures: dict) -> str:
    movement = figures.get("movement")
    return f"“{movement['name']}”" if movement else "“Vì người nghèo – Không để ai bị bỏ lại phía sau”"


def _rate_sentence(row: dict, during: str) -> str:
    counts, rates = row["counts"], row["rates"]
    parts = [
        f"Đầu kỳ có {_n(counts['poor_start'])} hộ nghèo"
        + (f" (tỷ lệ {_pct(rates['poor_start'])})" if rates.get("poor_start") is not None else "")
        + f" và {_n(counts['near_start'])} hộ cận nghèo",
        f"cuối kỳ còn {_n(counts['poor_end'])} hộ nghèo"
        + (f" (tỷ lệ {_pct(rates['poor_end'])})" if rates.get("poor_end") is not None else "")
        + f" và {_n(counts['near_end'])} hộ cận nghèo",
    ]
    text = f"{during}: " + "; ".join(parts) + "."
    if counts.get("escaped_poor"):
        text += f" Có {_n(counts['escaped_poor'])} hộ thoát nghèo"
        if counts.get("relapsed_poor") or counts.get("new_poor"):
            relapsed, new = _n(counts.get("relapsed_poor", 0)), _n(counts.get("new_poor", 0))
            text += f", {relapsed} hộ tái nghèo, {new} hộ nghèo phát sinh"
        text += "."
    if rates.get("poor_reduction") is not None:
        text += f" Tỷ lệ hộ nghèo giảm {_pct(rates['poor_reduction'])}."
    return text


def generated_text(figures: dict, key: str) -> str:
    """The text built from the figures for one section (one paragraph per line)."""
    whole = _whole(figures)
    name = _movement_name(figures)
    period = _period_words(figures)
    movement = figures.get("movement")
    results, support = figures.get("results") or {}, figures["support"]
    if key == "preamble":
        basis = ""
        if movement:
            basis = f"Thực hiện Kế hoạch số {movement['launch_number']} ngày {_dmy(movement['launch_date'])} của "
            basis += f"{_ubnd(movement['unit_name'])} về phát động phong trào thi đua {name}; "
        word = "tổng kết" if movement and movement["final"] else "sơ kết"
        return f"{basis}Ủy ban nhân dân {whole} báo cáo {word} phong trào thi đua {name} {period} như sau:"
    if key == "advantages":
        return (
            f"Được sự quan tâm chỉ đạo của cấp trên, sự vào cuộc của cả hệ thống chính trị và sự hưởng ứng của "
            f"nhân dân, phong trào thi đua {name} trên địa bàn {whole} được triển khai đồng bộ; các chính sách "
            "hỗ trợ giảm nghèo được thực hiện đầy đủ, kịp thời."
        )
    if key == "difficulties":
        counts = figures["movements"]["counts"]
        return (
            f"Đến cuối kỳ, toàn {whole} còn {_n(counts['poor_end'])} hộ nghèo và {_n(counts['near_end'])} hộ cận "
            "nghèo; xuất phát điểm thấp, đời sống một bộ phận đồng bào dân tộc thiểu số còn nhiều khó khăn, nguồn "
            "lực huy động từ cộng đồng còn hạn chế."
        )
    if key == "direction":
        if not movement:
            return "Chưa ghi nhận văn bản phát động phong trào trên cổng thông tin."
        lines = [
            f"{_ubnd(movement['unit_name'])} ban hành Kế hoạch số {movement['launch_number']} ngày "
            f"{_dmy(movement['launch_date'])} phát động phong trào thi đua {name} giai đoạn "
            f"{movement['phase_start']}–{movement['phase_end']}"
            + (f" (căn cứ {movement['legal_basis'].rstrip('.')})" if movement["legal_basis"] else "")
            + "."
        ]
        for milestone in movement["milestones"]:
            lines.append(
                f"- {milestone['kind']}: {_dmy(milestone['due_on'])}"
                + (f" – {milestone['note']}" if milestone["note"] else "")
                + "."
            )
        return "\n".join(lines)
    if key == "communication":
        examples = figures.get("examples") or []
        text = (
            "Các cấp, các ngành phối hợp với Ủy ban MTTQ và các đoàn thể tuyên truyền chủ trương, chính sách giảm "
            "nghèo và phong trào thi đua qua hội nghị, họp thôn, buôn và hệ thống truyền thanh cơ sở."
        )
        if examples:
            names = ", ".join(f"{e['subject']} ({e['unit']})" for e in examples[:5])
            text += f"\n- Các điển hình tiên tiến được nêu gương: {names}."
        return text
    if key == "mobilisation":
        if not results or not any(results.get(k) for k in RESULT_KEYS):
            return f"{period.capitalize()}, chưa ghi nhận kết quả vận động của phong trào trên cổng thông tin."
        lines = [
            f"{period.capitalize()}, {_n(results['units'])} đơn vị đã báo cáo kết quả vận động:",
            f"- Quỹ “Vì người nghèo” vận động được {_money(results['fund_raised'])};",
            f"- Xây mới {_n(results['houses_built'])} nhà, sửa chữa {_n(results['houses_repaired'])} nhà cho hộ "
            "nghèo từ nguồn vận động;",
            f"- {_n(results['volunteers'])} lượt tình nguyện viên với {_n(results['working_days'])} ngày công;",
            f"- {_n(results['models_replicated'])} mô hình giảm nghèo được nhân rộng.",
        ]
        phase = figures.get("phase_results") or {}
        if movement and movement["final"] and phase and phase != results:
            lines.append(
                f"Cả giai đoạn {movement['phase_start']}–{movement['phase_end']}: quỹ vận động được "
                f"{_money(phase['fund_raised'])}, xây mới {_n(phase['houses_built'])} nhà, sửa chữa "
                f"{_n(phase['houses_repaired'])} nhà."
            )
        return "\n".join(lines)
    if key == "policies":
        credit, health, housing = support["credit"], support["health_insurance"], support["housing"]
        training, livelihood, electricity = support["training"], support["livelihood"], support["electricity"]
        lines = []
        if credit["households"]:
            lines.append(
                f"- Vay vốn tín dụng ưu đãi: {_n(credit['households'])} hộ vay {_money(credit['amount'])}; dư nợ "
                f"{_money(credit['outstanding'])}."
            )
        if health["cards"]:
            lines.append(f"- Y tế: cấp {_n(health['cards'])} thẻ bảo hiểm y tế.")
        if support["education"]["members"]:
            lines.append(
                f"- Giáo dục: {_n(support['education']['members'])} học sinh, sinh viên được hỗ trợ "
                f"{_money(support['education']['amount'])}."
            )
        if housing["households"]:
            lines.append(
                f"- Nhà ở: {_n(housing['households'])} hộ được hỗ trợ (xây mới {_n(housing['new'])}, sửa chữa "
                f"{_n(housing['repair'])}), tổng kinh phí {_money(housing['total'])}, trong đó vốn huy động "
                f"{_money(housing['mobilised'])}."
            )
        if livelihood["households"]:
            lines.append(
                f"- Hỗ trợ phát triển sản xuất, đa dạng hóa sinh kế: {_n(livelihood['households'])} hộ, "
                f"{_money(livelihood['amount'])}."
            )
        if training["trainees"]:
            lines.append(
                f"- Đào tạo nghề: {_n(training['trainees'])} lao động, {_n(training['employed'])} người có việc làm "
                "sau đào tạo."
            )
        if electricity["households"]:
            lines.append(f"- Hỗ trợ tiền điện: {_n(electricity['households'])} hộ, {_money(electricity['amount'])}.")
        if not lines:
            # the support figures are the report's own period (its year), whatever the review tells
            during = f"Năm {figures['period']['year']}" if movement and movement["final"] else period.capitalize()
            return f"{during}, chưa ghi nhận kết quả hỗ trợ trên cổng thông tin."
        return "\n".join(lines)
    if key == "poverty":
        text = _rate_sentence(
            figures["movements"],
            period.capitalize() if not (movement and movement["final"]) else f"Năm {figures['period']['year']}",
        )
        phase = figures.get("phase_movements")
        # No list on record at the phase's start (the unit's history begins later): no comparison with the start.
        if phase and (phase["counts"].get("poor_start") or phase["counts"].get("near_start")):
            text += "\n" + _rate_sentence(
                figures["phase_movements"], f"Từ đầu giai đoạn đến cuối năm {figures['period']['year']}"
            )
        return text
    if key == "examples":
        examples = figures.get("examples") or []
        if not examples:
            return f"{period.capitalize()}, chưa ghi nhận điển hình tiên tiến trên cổng thông tin."
        return "\n".join(f"- {e['subject']} ({e['unit']}, năm {e['year']}): {e['story'].strip()}" for e in examples)
    if key == "awards":
        awards = figures.get("awards") or {"total": 0, "by_form": []}
        if not awards["total"]:
            return f"{period.capitalize()}, chưa có quyết định khen thưởng nào trong phong trào được ghi nhận."
        parts = ", ".join(f"{_n(row['count'])} {row['label']}" for row in awards["by_form"])
        return (
            f"{period.capitalize()}, đã khen thưởng {_n(awards['total'])} tập thể, cá nhân, hộ gia đình có thành tích "
            f"trong phong trào: {parts} (danh sách tại phụ lục kèm theo)."
        )
    if key == "achievements":
        return (
            f"Phong trào thi đua {name} tạo chuyển biến về nhận thức của cấp ủy, chính quyền và nhân dân; huy động "
            "sức mạnh tổng hợp của cả hệ thống chính trị, khơi dậy ý chí tự vươn lên thoát nghèo của người dân."
        )
    if key == "limitations":
        return (
            "Số hộ thoát nghèo bền vững chưa cao, một bộ phận hộ thoát nghèo chuyển sang hộ cận nghèo; việc huy "
            "động nguồn lực từ cộng đồng, doanh nghiệp còn hạn chế."
        )
    if key == "lessons":
        return (
            "Một là: tăng cường sự lãnh đạo của cấp ủy, sự điều hành của chính quyền và sự vào cuộc của cả hệ thống "
            "chính trị.\nHai là: đẩy mạnh tuyên truyền, nhân rộng điển hình tiên tiến.\nBa là: kiểm tra, giám sát, "
            "sơ kết, tổng kết kịp thời, khen thưởng đúng người, đúng thành tích."
        )
    if key == "proposals":
        return (
            "Đề nghị cấp trên tiếp tục quan tâm bố trí nguồn lực thực hiện các chính sách giảm nghèo bền vững và "
            "khen thưởng kịp thời các tập thể, cá nhân tiêu biểu trong phong trào."
        )
    raise KeyError(key)


def _dmy(value) -> str:
    if not value:
        return ""
    day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%d/%m/%Y}"


def _ubnd(unit_name: str) -> str:
    from reports.content import unit_phrase

    return f"Ủy ban nhân dân {unit_phrase({'name': unit_name})}"


def section_text(report, key: str) -> str:
    saved = (report.narrative or {}).get(key, "")
    return saved if saved.strip() else generated_text(report.figures or {}, key)


def default_narrative(*, report, previous=None) -> dict[str, str]:
    """The starting text of every section, built from the figures; the assessment, lessons and proposals start
    from the previous summary report of the unit when there is one."""
    texts = {}
    for key, _heading in NARRATIVE_SECTIONS:
        text = generated_text(report.figures or {}, key)
        if key in CARRIED and previous is not None and previous.kind == report.kind:
            text = section_text(previous, key) or text
        texts[key] = text
    return texts


# --- the document --------------------------------------------------------------------------------------------


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def appendix_tables(figures: dict, subtitle: str):
    from reports.documents.data import Column, Table, TableRow

    tables = []
    rows = figures.get("result_rows") or []
    if rows:
        columns = (
            Column("stt", "TT", kind="text", total=False),
            Column("name", "Đơn vị", kind="text", total=False),
            Column("fund_raised", "Quỹ Vì người nghèo (đồng)", kind="money"),
            Column("houses_built", "Nhà xây mới", group="Nhà từ nguồn vận động"),
            Column("houses_repaired", "Nhà sửa chữa", group="Nhà từ nguồn vận động"),
            Column("volunteers", "Lượt tình nguyện viên"),
            Column("working_days", "Ngày công"),
            Column("models_replicated", "Mô hình nhân rộng"),
        )
        tables.append(
            Table(
                title=f"KẾT QUẢ VẬN ĐỘNG CỦA PHONG TRÀO {_period_words(figures).upper()}",
                subtitle=subtitle,
                columns=columns,
                rows=tuple(TableRow(values={"stt": str(i), **row}) for i, row in enumerate(rows, 1)),
                note="Số liệu do các đơn vị nhập trên cổng, kèm nguồn số liệu.",
                sheet_name="Ket qua van dong",
            )
        )
    awards = (figures.get("awards") or {}).get("rows") or []
    if awards:
        columns = (
            Column("stt", "TT", kind="text", total=False),
            Column("subject", "Tập thể, cá nhân, hộ gia đình", kind="text", total=False),
            Column("unit", "Đơn vị", kind="text", total=False),
            Column("form", "Hình thức khen thưởng", kind="text", total=False),
            Column("decision", "Quyết định", kind="text", total=False),
        )
        tables.append(
            Table(
                title="DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC KHEN THƯỞNG",
                subtitle=subtitle,
                columns=columns,
                rows=tuple(TableRow(values={"stt": str(i), **row}) for i, row in enumerate(awards, 1)),
                total_label="",
                sheet_name="Khen thuong",
            )
        )
    return tuple(tables)


def summary_abstract(figures: dict) -> str:
    movement = figures.get("movement")
    word = "Tổng kết" if movement and movement["final"] else "Sơ kết"
    return f"{word} phong trào thi đua {_movement_name(figures)} {_period_words(figures)}"


def summary_document(report):
    """The document of a summary report from its stored figures, narrative and fields only (never the records)."""
    from reports.content.document import (
        SYMBOL,
        default_distribution,
        default_recipients,
        issuer_for,
        lines_of,
        signer_for_report,
    )
    from reports.documents.data import Letterhead, PeriodicReportDocument, Section
    from reports.documents.formatting import BLANK_NUMBER, short_date

    figures = report.figures
    issuer, parent, place = issuer_for(figures["unit"])
    day = report.issued_on or report.period_end
    headings = dict(NARRATIVE_SECTIONS)

    def part(key: str, heading: str) -> Section:
        return Section(heading=heading, paragraphs=_paragraphs(section_text(report, key)), key=key)

    sections = (
        Section(
            heading="I. ĐẶC ĐIỂM TÌNH HÌNH",
            subsections=(part("advantages", "1. Thuận lợi"), part("difficulties", "2. Khó khăn")),
        ),
        Section(
            heading="II. CÔNG TÁC TRIỂN KHAI THỰC HIỆN PHONG TRÀO THI ĐUA",
            subsections=(
                part("direction", "1. " + headings["direction"].split(". ", 1)[1]),
                part("communication", "2. Công tác tuyên truyền"),
            ),
        ),
        Section(
            heading="III. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA",
            subsections=tuple(
                part(key, f"{i}. " + headings[key].split(". ", 1)[1])
                for i, key in enumerate(("mobilisation", "policies", "poverty", "examples", "awards"), 1)
            ),
        ),
        Section(
            heading="IV. ĐÁNH GIÁ CHUNG",
            subsections=(
                part("achievements", "1. Kết quả đạt được"),
                part("limitations", "2. Tồn tại, hạn chế và nguyên nhân"),
                part("lessons", "3. Bài học kinh nghiệm"),
            ),
        ),
        part("proposals", "V. ĐỀ XUẤT, KIẾN NGHỊ"),
    )
    number = report.number if report.status != "draft" else ""
    issued_on = report.issued_on if report.status != "draft" else None
    reference = f"số {number or BLANK_NUMBER + '/' + SYMBOL} ngày {short_date(issued_on) or BLANK_NUMBER}"
    subtitle = f"(Kèm theo Báo cáo {reference} của {issuer})"
    abstract = report.abstract or summary_abstract(figures)
    return PeriodicReportDocument(
        letterhead=Letterhead(
            issuer=issuer, place=place, date=report.issued_on, number=report.number, symbol=SYMBOL, parent_issuer=parent
        ),
        abstract=abstract,
        recipients=lines_of(report.recipients) or default_recipients(figures, day),
        preamble=_paragraphs(section_text(report, "preamble")),
        sections=sections,
        closing=f"Trên đây là báo cáo {abstract[0].lower() + abstract[1:]} trên địa bàn {_whole(figures)}./.",
        distribution=lines_of(report.distribution) or default_distribution(figures),
        signer=signer_for_report(report),
        appendices=appendix_tables(figures, subtitle),
        draft=report.status == "draft",
    )
