"""The sentences of the report's sections other than the support policies (reports.narrative.policies): direction,
communication, the year's target results and review, assessment, tasks and proposals — built from the figures
snapshot in the register of report 209/BC-UBND, leaving out any whose figure is zero."""

from __future__ import annotations

import datetime
from decimal import Decimal

from areas.choices import UnitLevel

from ..models import ReportKind
from .policies import credit, education, extension, health, housing, other, production, training, water_sanitation
from .wording import (
    Context,
    count_of,
    join_and,
    money,
    n,
    pct,
    sentence,
    share,
)

# --- builders per section ------------------------------------------------------------------------------------


def preamble(c: Context) -> list[str]:
    from ..content import period_phrase

    basis = "Thực hiện chế độ báo cáo định kỳ"
    if c.start >= datetime.date(2022, 7, 15):  # TT 10/2022/TT-BLĐTBXH applies from 15/7/2022
        basis += (
            " theo Thông tư số 10/2022/TT-BLĐTBXH ngày 31/5/2022 của Bộ Lao động – Thương binh và Xã hội "
            "hướng dẫn giám sát, đánh giá Chương trình MTQG giảm nghèo bền vững"
        )
    phrase = period_phrase(c.kind, c.start, c.end)
    return [
        f"{basis}, {c.ubnd} báo cáo tình hình, kết quả thực hiện Chương trình MTQG giảm nghèo bền vững {phrase} "
        "với các nội dung chủ yếu sau:"
    ]


def direction(c: Context) -> list[str]:
    paragraphs = []
    target = c.get("target", default={})
    own = target.get("own")
    if own and own.get("households_to_escape"):
        revisions = own.get("revisions") or []
        text = (
            f"{c.ubnd} được giao chỉ tiêu giảm tỷ lệ hộ nghèo năm {c.year} với mức giảm "
            f"{pct(own['rate_reduction'], 2)}, tương ứng với giảm {n(own['households_to_escape'])} hộ nghèo"
        )
        text += f" ({own['legal_basis']})." if own.get("legal_basis") else "."
        if revisions:
            last = revisions[-1]
            text += (
                f" Chỉ tiêu đã được điều chỉnh {n(len(revisions))} lần; trước lần điều chỉnh gần nhất là giảm "
                f"{n(last['households_to_escape'])} hộ nghèo ({last.get('legal_basis', '')})."
            )
        paragraphs.append(text)
    units, with_target = target.get("units", 0), target.get("units_with_target", 0)
    if c.level != UnitLevel.COMMUNE and with_target and target.get("units_households_to_escape"):
        paragraphs.append(
            f"{c.ubnd} đã giao chỉ tiêu giảm nghèo năm {c.year} cho {n(with_target)}/{n(units)} {c.subunits()} "
            f"với tổng số {n(target['units_households_to_escape'])} hộ thoát nghèo, chỉ đạo các {c.subunits()} "
            "xây dựng kế hoạch giảm nghèo và hướng dẫn hộ nghèo đăng ký thoát nghèo."
        )
    if target.get("registered"):
        where = ""
        if c.level != UnitLevel.COMMUNE and units:
            where = f" tại {n(target.get('registered_units', 0))}/{n(units)} {c.subunits()}"
        paragraphs.append(
            f"Qua tổng hợp có {n(target['registered'])} hộ đăng ký thoát nghèo năm {c.year}{where}. Tất cả "
            f"{n(target['registered'])} hộ đăng ký thoát nghèo được phân công cán bộ, công chức, đảng viên phụ "
            "trách hướng dẫn, giúp đỡ."
        )
    agencies, families = c.ind("agencies_assigned"), c.ind("policy_families_helped")
    if agencies or families:
        text = sentence(
            f"{c.ubnd} đã phân công {agencies} cơ quan, ban ngành phụ trách các {c.subunits()} để hướng dẫn, hỗ "
            "trợ, kiểm tra công tác giảm nghèo"
            if agencies
            else "",
            f"hỗ trợ giúp cho {families} hộ gia đình chính sách thoát cận nghèo" if families else "",
            joiner=" và ",
        )
        paragraphs.append(text)
    if c.ind("budget_allocated"):
        paragraphs.append(
            f"Kinh phí thực hiện Chương trình được phân bổ trong kỳ là {c.ind_money('budget_allocated')}."
        )
    if c.kind != ReportKind.YEAR_END:
        paragraphs.append(movement_sentence(c))
    return [p for p in paragraphs if p]


def movement_sentence(c: Context) -> str:
    movement = c.get("movements", default={})
    counts, rates = movement.get("counts", {}), movement.get("rates", {})
    if not counts.get("poor_start") and not counts.get("poor_end"):
        return ""
    start = ""
    if counts.get("poor_start"):
        start = f"Đầu kỳ, {c.whole} có {n(counts['poor_start'])} hộ nghèo"
        if rates.get("poor_start") is not None:
            start += f", chiếm {pct(rates['poor_start'], 2)} tổng số hộ dân cư"
        if counts.get("near_start"):
            start += f", và {n(counts['near_start'])} hộ cận nghèo"
    moves = join_and(
        [
            count_of(counts.get("escaped_poor"), "hộ thoát nghèo"),
            count_of(counts.get("relapsed_poor"), "hộ tái nghèo"),
            count_of(counts.get("new_poor"), "hộ nghèo phát sinh"),
        ]
    )
    during = f"{c.during.lower()} có {moves}" if moves else ""
    end = ""
    if counts.get("poor_end") is not None:
        end = f"đến ngày {c.end:%d/%m/%Y} còn {n(counts['poor_end'])} hộ nghèo"
        if rates.get("poor_end") is not None:
            end += f" ({pct(rates['poor_end'], 2)})"
        if counts.get("near_end"):
            end += f" và {n(counts['near_end'])} hộ cận nghèo"
    return sentence(start, during, end)


def communication(c: Context) -> list[str]:
    paragraphs = [
        f"Chỉ đạo các cơ quan, ban ngành và các {c.subunits()} quan tâm triển khai tốt công tác tuyên truyền, vận "
        "động thực hiện giảm nghèo gắn với việc triển khai các chương trình, chính sách hỗ trợ giảm nghèo, an sinh "
        "xã hội, các hoạt động hỗ trợ, giúp hộ nghèo, hộ cận nghèo."
    ]
    broadcasts, news, articles, leaflets = (c.ind(k) for k in ("broadcasts", "news_items", "articles", "leaflets"))
    items = join_and([f"{news} tin" if news else "", f"{articles} bài" if articles else ""])
    text = sentence(
        f"{c.during}, đã sản xuất {broadcasts} chương trình phát thanh, truyền hình về giảm nghèo"
        if broadcasts
        else "",
        f"sản xuất mới, biên tập, phát sóng, phát hành {items} về công tác giảm nghèo" if items else "",
        f"cấp phát {leaflets} tờ rơi tuyên truyền" if leaflets else "",
    )
    if text:
        paragraphs.append(text)
    return paragraphs


def target_results(c: Context) -> list[str]:
    paragraphs = []
    target = c.get("target", default={})
    own = target.get("own")
    counts = c.get("movements", "counts", default={})
    rates = c.get("movements", "rates", default={})
    escaped = counts.get("escaped_poor", 0)
    if own and own.get("households_to_escape"):
        text = (
            f"Năm {c.year}, {c.ubnd} được giao chỉ tiêu giảm {n(own['households_to_escape'])} hộ nghèo, mức giảm tỷ lệ "
            f"hộ nghèo {pct(own['rate_reduction'], 2)}."
        )
        if escaped:
            text += (
                f" Kết quả, có {n(escaped)} hộ thoát nghèo, đạt {share(escaped, own['households_to_escape'])} "
                "chỉ tiêu số hộ"
            )
            reduction = rates.get("poor_reduction")
            if reduction is not None:
                met = Decimal(str(reduction)) >= Decimal(str(own["rate_reduction"]))
                text += f"; tỷ lệ hộ nghèo giảm {pct(reduction, 2)}, " + (
                    "đạt chỉ tiêu giao" if met else "chưa đạt chỉ tiêu giao"
                )
            text += "."
        paragraphs.append(text)
    elif target.get("units_households_to_escape"):
        assigned = target["units_households_to_escape"]
        text = f"Năm {c.year}, các {c.subunits()} được giao chỉ tiêu giảm tổng số {n(assigned)} hộ nghèo."
        if escaped:
            text += f" Kết quả, {c.whole} có {n(escaped)} hộ thoát nghèo, đạt {share(escaped, assigned)} chỉ tiêu."
        paragraphs.append(text)
    elif escaped:
        paragraphs.append(f"Năm {c.year}, {c.whole} có {n(escaped)} hộ thoát nghèo.")
    if counts.get("poor_start") and rates.get("poor_start") is not None and rates.get("poor_end") is not None:
        paragraphs.append(
            f"Tỷ lệ hộ nghèo từ {pct(rates['poor_start'], 2)} đầu năm ({n(counts['poor_start'])} hộ) còn "
            f"{pct(rates['poor_end'], 2)} cuối năm ({n(counts.get('poor_end', 0))} hộ)."
        )
    if target.get("registered"):
        text = f"Trong {n(target['registered'])} hộ đăng ký thoát nghèo năm {c.year}"
        if target.get("achieved"):
            text += (
                f", có {n(target['achieved'])} hộ đã thoát nghèo, thoát cận nghèo "
                f"({share(target['achieved'], target['registered'])})."
            )
        else:
            text += ", chưa có hộ được công nhận thoát nghèo."
        paragraphs.append(text)
    return paragraphs


def review(c: Context) -> list[str]:
    data = c.get("review", default={})
    if not data.get("rounds"):
        return []
    paragraphs = []
    if c.level == UnitLevel.COMMUNE:
        text = f"{c.ubnd} đã triển khai rà soát hộ nghèo, hộ cận nghèo định kỳ năm {c.year}"
        if data.get("decided"):
            text += "; kết quả rà soát đã được phê duyệt"
    else:
        text = (
            f"Thực hiện rà soát hộ nghèo, hộ cận nghèo định kỳ năm {c.year}, có {n(data['rounds'])}/"
            f"{n(data.get('communes', 0))} xã, phường, thị trấn đã triển khai"
        )
        if data.get("decided"):
            text += f", {n(data['decided'])} xã đã được phê duyệt kết quả"
    paragraphs.append(text + ".")
    results = join_and(
        [
            count_of(data.get("proposed_poor"), "hộ nghèo"),
            count_of(data.get("proposed_near_poor"), "hộ cận nghèo"),
        ]
    )
    moves = join_and(
        [
            count_of(data.get("escaped_poor"), "hộ thoát nghèo"),
            count_of(data.get("escaped_near_poor"), "hộ thoát cận nghèo"),
            count_of(data.get("new_poor"), "hộ nghèo phát sinh"),
            count_of(data.get("new_near_poor"), "hộ cận nghèo phát sinh"),
        ]
    )
    if data.get("surveyed"):
        paragraphs.append(
            sentence(
                f"qua rà soát {n(data['surveyed'])} hộ",
                f"đề xuất công nhận {results}" if results else "",
                f"trong đó {moves}" if moves else "",
                joiner=", ",
            )
        )
    return paragraphs


def achievements(c: Context) -> list[str]:
    lines = [
        f"- {c.over}, {c.ubnd} đã chủ động xây dựng, ban hành kế hoạch và chỉ đạo thực hiện Chương trình giảm nghèo, "
        f"kịp thời giao chỉ tiêu giảm nghèo cho các {c.subunits()}; công tác hướng dẫn hộ đăng ký thoát nghèo được "
        "quan tâm, mỗi hộ đăng ký đều có cán bộ phụ trách giúp đỡ."
    ]
    overall = c.get("overall", default={})
    if overall.get("households"):
        text = (
            f"- Các chương trình, chính sách hỗ trợ giảm nghèo được triển khai kịp thời, đúng đối tượng: "
            f"{n(overall['households'])} hộ được hỗ trợ"
        )
        if overall.get("amount"):
            text += f" với tổng kinh phí {money(overall['amount'])}"
        lines.append(text + ".")
    escaped = c.get("movements", "counts", "escaped_poor", default=0)
    if escaped:
        lines.append(f"- {c.during}, có {n(escaped)} hộ thoát nghèo.")
    return lines


def difficulties(c: Context) -> list[str]:
    lines = []
    counts = c.get("movements", "counts", default={})
    rates = c.get("movements", "rates", default={})
    if counts.get("poor_end"):
        text = f"- Số hộ nghèo còn lớn ({n(counts['poor_end'])} hộ"
        if rates.get("poor_end") is not None:
            text += f", chiếm {pct(rates['poor_end'], 2)} tổng số hộ dân cư"
        lines.append(text + "), trong khi nguồn lực hỗ trợ còn hạn chế.")
    relapsed = (counts.get("relapsed_poor") or 0) + (counts.get("new_poor") or 0)
    if relapsed:
        lines.append(f"- {c.during} còn {n(relapsed)} hộ tái nghèo, nghèo phát sinh; kết quả giảm nghèo chưa bền vững.")
    target = c.get("target", default={})
    own = target.get("own")
    escaped = counts.get("escaped_poor", 0)
    goal = (own or {}).get("households_to_escape") or target.get("units_households_to_escape") or 0
    if goal and escaped < goal:
        lines.append(
            f"- Số hộ thoát nghèo ({n(escaped)} hộ) mới đạt {share(escaped, goal)} chỉ tiêu "
            f"giao năm {c.year} ({n(goal)} hộ)."
        )
    return lines


def tasks(c: Context) -> list[str]:
    next_year = c.year + 1 if c.kind == ReportKind.YEAR_END else c.year
    return [
        f"1. Chỉ đạo các ngành, các {c.subunits()} bám sát kế hoạch thực hiện Chương trình giảm nghèo để triển khai "
        f"đạt kết quả các mục tiêu, nhiệm vụ, giải pháp đã đề ra; tiếp nhận, kịp thời phân bổ nguồn kinh phí "
        f"thực hiện các dự án, hoạt động của Chương trình, góp phần hoàn thành chỉ tiêu giảm nghèo năm {next_year}.",
        "2. Nâng cao hiệu quả công tác tuyên truyền, vận động thực hiện giảm nghèo tại cơ sở; huy động nguồn lực từ "
        "các cấp, các ngành, tổ chức, cá nhân và cộng đồng để hỗ trợ, giúp hộ nghèo vươn lên thoát nghèo.",
        "3. Làm tốt công tác kiểm tra, đôn đốc việc triển khai các chính sách, dự án hỗ trợ giảm nghèo; nâng cao sự "
        "tiếp cận của hộ nghèo với các dịch vụ xã hội cơ bản.",
        "4. Chỉ đạo thực hiện rà soát hộ nghèo, hộ cận nghèo định kỳ đúng quy trình, công khai, chính xác.",
        f"5. Thực hiện tốt chế độ báo cáo kết quả thực hiện Chương trình giảm nghèo năm {next_year}.",
    ]


def proposals(c: Context) -> list[str]:
    above = "UBND tỉnh" if c.level != UnitLevel.COMMUNE else "cấp trên"
    return [
        f"- Kính đề nghị {above} sớm phân bổ nguồn kinh phí thực hiện các dự án, tiểu dự án, chính sách hỗ trợ giảm "
        "nghèo và có văn bản chỉ đạo, hướng dẫn thực hiện trong thời gian sớm nhất.",
        "- Kính đề nghị các sở, ngành phụ trách địa bàn quan tâm huy động thêm các nguồn lực để giúp hộ nghèo, hộ "
        "cận nghèo vươn lên thoát nghèo bền vững.",
    ]


BUILDERS = {
    "preamble": preamble,
    "direction": direction,
    "communication": communication,
    "credit": credit,
    "health": health,
    "education": education,
    "housing": housing,
    "water_sanitation": water_sanitation,
    "production": production,
    "training": training,
    "extension": extension,
    "other": other,
    "target_results": target_results,
    "review": review,
    "achievements": achievements,
    "difficulties": difficulties,
    "tasks": tasks,
    "proposals": proposals,
}
