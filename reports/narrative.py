"""The text of the 6-month and year-end reports: paragraphs pre-filled from the figures in the register of report
209/BC-UBND ("Qua 6 tháng triển khai, với 8 chương trình tín dụng đã cung cấp nguồn vốn vay … cho 1.779 hộ …"),
which staff edit before finalising (``PeriodicReport.narrative``: one text per section key, one paragraph per
line). A sentence whose figure is zero or missing is left out rather than written as "0 hộ". Assessment, tasks
and proposals start from the previous period's report when there is one.
"""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal

from areas.choices import UnitLevel

from .documents.data import Section
from .documents.formatting import number
from .models import ReportKind

# (key, heading) of every text staff edit, in the order of the report.
NARRATIVE_SECTIONS = [
    ("preamble", "Mở đầu"),
    ("direction", "1. Công tác chỉ đạo điều hành"),
    ("communication", "2. Công tác tuyên truyền"),
    ("credit", "3.1. Các chương trình tín dụng"),
    ("health", "3.2. Hỗ trợ về y tế, khám chữa bệnh"),
    ("education", "3.3. Hỗ trợ về giáo dục đào tạo"),
    ("housing", "3.4. Hỗ trợ nhà ở"),
    ("water_sanitation", "3.5. Hỗ trợ nước sinh hoạt, vệ sinh môi trường"),
    ("production", "3.6. Hỗ trợ phát triển sản xuất"),
    ("training", "3.7. Chính sách đào tạo nghề, giải quyết việc làm"),
    ("extension", "3.8. Chương trình khuyến nông, định canh định cư"),
    ("other", "3.9. Một số chính sách trợ giúp khác"),
    ("target_results", "4. Kết quả thực hiện chỉ tiêu giảm nghèo năm"),
    ("review", "5. Kết quả rà soát hộ nghèo, hộ cận nghèo định kỳ"),
    ("achievements", "II.1. Mặt đạt được"),
    ("difficulties", "II.2. Khó khăn, hạn chế và nguyên nhân"),
    ("tasks", "III. Nhiệm vụ và giải pháp"),
    ("proposals", "IV. Đề xuất, kiến nghị"),
]
YEAR_END_ONLY = ("target_results", "review")
CARRIED = ("achievements", "difficulties", "tasks", "proposals")  # start from the previous period's text
POLICY_KEYS = [key for key, heading in NARRATIVE_SECTIONS if heading.startswith("3.")]

CARD_GROUP_ORDER = ("ethnic_minority", "kinh_region_iii", "poor", "near_poor", "average_living", "other")
CARD_GROUP_LABELS = {
    "ethnic_minority": "Người DTTS",
    "kinh_region_iii": "Người kinh vùng III",
    "poor": "Người nghèo",
    "near_poor": "Người thuộc hộ cận nghèo",
    "average_living": "Người thuộc hộ có mức sống trung bình",
    "other": "Các đối tượng khác",
}


def sections_for(kind: str) -> list[tuple[str, str]]:
    """The editable sections of a report of ``kind`` (the year-end report adds target results and the review)."""
    return [(k, h) for k, h in NARRATIVE_SECTIONS if kind == ReportKind.YEAR_END or k not in YEAR_END_ONLY]


# --- formatting ----------------------------------------------------------------------------------------------


def n(value) -> str:
    return number(Decimal(str(value)))


def pct(value, decimals: int | None = None) -> str:
    """11.5 -> "11,5%"; "96.75" -> "96,75%" (as many decimals as the figure has, one to two)."""
    value = Decimal(str(value))
    if decimals is None:
        exponent = value.as_tuple().exponent
        decimals = min(max(-exponent if isinstance(exponent, int) else 1, 1), 2)
    return f"{number(value, decimals)}%"


def money(amount) -> str:
    """Sums as report 209/BC-UBND writes them: whole tenths of a billion or of a million in "tỷ đồng"/"triệu đồng"
    ("1,5 tỷ đồng", "350 triệu đồng"), ten billion and more rounded to a tenth ("113 tỷ đồng"), anything else to
    the đồng ("5.400.000 đồng", "1.898.378.000 đồng")."""
    amount = Decimal(str(amount or 0))
    for scale, word, smallest in ((Decimal(10) ** 9, "tỷ đồng", 1), (Decimal(10) ** 6, "triệu đồng", 10)):
        if (
            amount >= scale * 10
            and scale == Decimal(10) ** 9
            or (amount >= scale * smallest and amount % (scale / 10) == 0)
        ):
            value = (amount / scale).quantize(Decimal("0.1"))
            decimals = 0 if value == value.to_integral_value() else 1
            return f"{number(value, decimals)} {word}"
    return f"{number(amount)} đồng"


def exact_money(amount) -> str:
    return f"{number(Decimal(str(amount or 0)))} đồng"


def share(part, whole) -> str:
    return pct((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))) if whole else ""


def sentence(*clauses: str, joiner: str = "; ") -> str:
    """Clauses joined, empty ones left out, with a full stop; "" when nothing is left."""
    kept = [c for c in clauses if c]
    if not kept:
        return ""
    text = joiner.join(kept)
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def join_and(items: list[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


class Context:
    """What every sentence needs: the figures, the period wording and the unit's kind ("huyện", "xã")."""

    def __init__(self, report):
        self.report = report
        self.figures = report.figures or {}
        self.kind = report.kind
        self.start, self.end = report.period_start, report.period_end
        unit = self.figures.get("unit", {})
        self.level = unit.get("level", UnitLevel.DISTRICT)
        from .content import split_name

        self.word, self.proper = split_name(unit.get("name", ""))
        self.word = self.word or "đơn vị"
        self.ubnd = f"UBND {self.word}"
        self.whole = f"toàn {self.word}"
        self.year = self.end.year
        self.indicators = {row["code"]: row for row in self.figures.get("indicators", [])}
        if self.kind == ReportKind.YEAR_END:
            self.during, self.over = f"Trong năm {self.year}", f"Qua một năm triển khai (năm {self.year})"
        else:
            self.during, self.over = "Trong 6 tháng", "Qua 6 tháng triển khai"

    def get(self, *path, default=None):
        value = self.figures
        for key in path:
            if not isinstance(value, dict) or key not in value or value[key] is None:
                return default
            value = value[key]
        return value

    def ind(self, code: str) -> str:
        """A typed indicator, formatted ("1.085"), or "" when not entered or zero."""
        row = self.indicators.get(code)
        if row is None or Decimal(row["value"]) == 0:
            return ""
        return row["display"]

    def ind_money(self, code: str) -> str:
        row = self.indicators.get(code)
        return money(row["value"]) if row and Decimal(row["value"]) else ""

    def subunits(self) -> str:
        return {UnitLevel.DISTRICT: "xã, thị trấn", UnitLevel.PROVINCE: "huyện, thị xã, thành phố"}.get(
            self.level, "thôn, buôn, tổ dân phố"
        )


def count_of(value, noun: str) -> str:
    """ "269 hộ" or "" when zero or missing."""
    return f"{n(value)} {noun}" if value else ""


# --- builders per section ------------------------------------------------------------------------------------


def preamble(c: Context) -> list[str]:
    from .content import period_phrase

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


def credit(c: Context) -> list[str]:
    paragraphs = [
        "Đã tập trung chỉ đạo Ngân hàng Chính sách xã hội tăng cường triển khai các chương trình tín dụng ưu đãi "
        "đến các nhóm đối tượng để cung cấp nguồn vốn phục vụ phát triển sản xuất, giảm nghèo và tăng tỷ lệ tiếp "
        "cận với các dịch vụ xã hội về nước sạch, vệ sinh môi trường, giải quyết việc làm."
    ]
    loans = c.get("credit", default={})
    if loans.get("households"):
        shares = loans.get("programme_shares")
        rows = shares if shares is not None else (loans.get("by_programme") or {}).values()
        programmes = [row for row in rows if row.get("loans")]
        lead = f"{c.over}, "
        if programmes:
            lead += f"với {n(len(programmes))} chương trình tín dụng "
        lead += f"đã cung cấp nguồn vốn vay cho {n(loans['households'])} hộ"
        if loans.get("amount"):
            lead += f", kinh phí cho vay đạt {money(loans['amount'])}"
        clauses = credit_clauses(loans, c.get("credit_purposes", default={}))
        text = lead + "."
        if clauses:
            text += " Trong đó, " + "; ".join(clauses) + "."
        paragraphs.append(text)
    entrusted = c.ind_money("local_budget_entrusted")
    if entrusted:
        paragraphs.append(
            f"Bên cạnh nguồn vốn vay của Ngân hàng Chính sách xã hội, {c.ubnd} đã bố trí {entrusted} từ ngân sách "
            "địa phương ủy thác thông qua Ngân hàng Chính sách xã hội để cho vay."
        )
    return paragraphs


GROUP_WORDS = {
    "poor": ("hộ nghèo", "tổng số hộ nghèo"),
    "near_poor": ("hộ cận nghèo", "tổng số hộ cận nghèo"),
    "recently_escaped": ("hộ mới thoát nghèo", "tổng số hộ mới thoát nghèo, thoát cận nghèo"),
}
PURPOSES = {
    "VBSP_WATER": "làm công trình nước sinh hoạt, vệ sinh môi trường",
    "VBSP_PRODUCTION": "phát triển sản xuất kinh doanh",
    "VBSP_JOBS": "giải quyết việc làm",
    "VBSP_STUDENTS": "cho học sinh, sinh viên đi học",
}


def credit_clauses(loans: dict, purposes: dict) -> list[str]:
    """Seed 004 §3.1: per programme of a target group, how many households of that group borrowed and their share
    of all households of the group ("269 hộ nghèo vay vốn, chiếm 11,5% tổng số hộ nghèo (2.342 hộ)"); then the
    loans of the other programmes by purpose ("cho 258 hộ vay vốn làm công trình vệ sinh, nước sinh hoạt")."""
    clauses = []
    shares = loans.get("programme_shares")
    if shares is None:  # figures computed before the per-programme shares: borrowers by status across all loans
        shares = [
            {"target_group": key, "group_households": g.get("borrowers"), "group_total": g.get("households")}
            for key, g in (loans.get("groups") or {}).items()
        ] + [{"code": code, "households": row.get("households")} for code, row in purposes.items()]
    for row in shares:
        group = row.get("target_group")
        if group in GROUP_WORDS:
            if not row.get("group_households"):
                continue
            borrower, whole_label = GROUP_WORDS[group]
            clause = f"có {n(row['group_households'])} {borrower} vay vốn"
            if row.get("group_total"):
                if row.get("share") is not None:
                    ratio = pct(row["share"])
                else:
                    ratio = share(row["group_households"], row["group_total"])
                clause += f", chiếm {ratio} {whole_label}"
                if group == "poor":
                    clause += f" ({n(row['group_total'])} hộ)"
            clauses.append(clause)
        elif row.get("households") and row.get("code") in PURPOSES:
            clauses.append(f"cho {n(row['households'])} hộ vay vốn {PURPOSES[row['code']]}")
        elif row.get("households") and row.get("name"):
            clauses.append(f"cho {n(row['households'])} hộ vay vốn theo chương trình {row['name']}")
    return clauses


def card_groups(insurance: dict) -> list[tuple[str, str]]:
    """The card groups in the reported order (ethnic minority, Kinh in region III, poor, near-poor, other)."""
    if insurance.get("groups"):
        return [(g["key"], g.get("label") or CARD_GROUP_LABELS.get(g["key"], g["key"])) for g in insurance["groups"]]
    keys = list(insurance.get("by_group", {}))
    ordered = [k for k in CARD_GROUP_ORDER if k in keys] + [k for k in keys if k not in CARD_GROUP_ORDER]
    return [(k, CARD_GROUP_LABELS.get(k, k)) for k in ordered]


def health(c: Context) -> list[str]:
    paragraphs = [
        "Quá trình triển khai đã thực hiện đầy đủ, đúng quy định chính sách hỗ trợ mua thẻ BHYT cho người nghèo, "
        "người cận nghèo, đồng bào DTTS và các nhóm đối tượng khác."
    ]
    insurance = c.get("health_insurance", default={})
    if insurance.get("cards"):
        by_group = insurance.get("by_group", {})
        parts = [f"{label}: {n(by_group[key])} thẻ" for key, label in card_groups(insurance) if by_group.get(key)]
        text = f"{c.during}, đã cấp thẻ BHYT cho {n(insurance['cards'])} đối tượng"
        if parts:
            text += ", trong đó: " + "; ".join(parts)
        paragraphs.append(text + ".")
    if insurance.get("rate") is not None and insurance.get("population"):
        paragraphs.append(
            f"Tỷ lệ người dân tham gia BHYT {c.whole} đạt {pct(insurance['rate'])} so với dân số "
            f"({n(insurance.get('insured', 0))} người/{n(insurance['population'])} người)."
        )
    visits, cost = c.ind("insured_visits"), c.ind("insured_visits_cost")
    if visits:
        text = f"{c.during}, có {visits} lượt người khám, chữa bệnh bằng thẻ BHYT"
        if cost:
            text += f", kinh phí thanh toán là {exact_money(c.indicators['insured_visits_cost']['value'])}"
        paragraphs.append(text + ".")
    return paragraphs


EDUCATION_PHRASES = {
    "EDU_TUITION": "hỗ trợ miễn, giảm học phí cho {members} học sinh",
    "EDU_LEARNING_COST": "hỗ trợ chi phí học tập cho {members} học sinh",
    "EDU_BOARDING": "thực hiện chế độ hỗ trợ cho {members} học sinh bán trú, nội trú",
    "EDU_LUNCH": "chế độ hỗ trợ ăn trưa cho {members} trẻ em",
}


def education(c: Context) -> list[str]:
    clauses = []
    for row in c.get("education_by_programme", default=[]):
        reached = row.get("members") or row.get("households")
        if not reached:
            continue
        template = EDUCATION_PHRASES.get(row["code"], f"{row['short_name'].lower()} cho {{members}} người")
        clause = template.format(members=n(reached))
        if row.get("amount"):
            clause += f" với kinh phí thực hiện {exact_money(row['amount'])}"
        poor = (row.get("by_status") or {}).get("poor") or {}
        poor_reached = poor.get("members") or 0
        if poor_reached and poor_reached != reached:
            inner = f"trong đó có {n(poor_reached)} học sinh thuộc hộ nghèo"
            if poor.get("amount"):
                inner += f", kinh phí thực hiện là {exact_money(poor['amount'])}"
            clause += f" ({inner})"
        clauses.append(clause)
    if not clauses:
        return []
    return [
        "Quan tâm thực hiện các chính sách hỗ trợ trong giáo dục cho học sinh các bậc học, cụ thể: "
        + "; ".join(clauses)
        + "."
    ]


def funder_clauses(c: Context, kind: str) -> list[str]:
    return [
        f"{row['funder']} hỗ trợ {n(row['households'])} hộ với số tiền {money(row['amount'])}"
        for row in c.get("funders", default=[])
        if row.get("programme__kind") == kind and row.get("households") and row.get("amount")
    ]


def housing(c: Context) -> list[str]:
    paragraphs = []
    works = c.get("housing", default={})
    if works.get("deprived_poor"):
        paragraphs.append(
            f"Theo dữ liệu hộ nghèo đang quản lý, {c.whole} có {n(works['deprived_poor'])} hộ nghèo thiếu hụt về nhà ở "
            "(chất lượng hoặc diện tích nhà ở)."
        )
    if works.get("households"):
        text = f"{c.during}, đã hỗ trợ xây dựng mới và sửa chữa nhà ở cho {n(works['households'])} hộ"
        detail = join_and([count_of(works.get("new"), "nhà xây mới"), count_of(works.get("repair"), "nhà sửa chữa")])
        if detail:
            text += f", trong đó {detail}"
        if works.get("total"):
            sources = join_and(
                [
                    f"ngân sách trung ương {money(works['central'])}" if works.get("central") else "",
                    f"ngân sách địa phương {money(works['local'])}" if works.get("local") else "",
                    f"huy động, xã hội hóa {money(works['mobilised'])}" if works.get("mobilised") else "",
                    f"hộ đối ứng {money(works['household'])}" if works.get("household") else "",
                ]
            )
            text += f"; tổng kinh phí {money(works['total'])}" + (f" ({sources})" if sources else "")
        if works.get("finished"):
            text += f"; đến nay đã hoàn thành {n(works['finished'])} nhà"
        paragraphs.append(text + ".")
    funders = funder_clauses(c, "housing")
    if funders:
        paragraphs.append(sentence(*funders))
    return paragraphs


def water_sanitation(c: Context) -> list[str]:
    paragraphs = []
    water = c.get("water_sanitation", default={})
    if water.get("households"):
        text = f"Đã hỗ trợ làm công trình nước sinh hoạt, nhà tiêu hợp vệ sinh cho {n(water['households'])} hộ"
        inner = join_and(
            [
                count_of(water.get("poor_households"), "hộ nghèo"),
                count_of(water.get("near_poor_households"), "hộ cận nghèo"),
            ]
        )
        if inner:
            text += f" ({inner})"
        if water.get("amount"):
            text += f" với số tiền {money(water['amount'])}"
        paragraphs.append(text + ".")
    funders = funder_clauses(c, "water_sanitation")
    if funders:
        paragraphs.append(sentence(*funders))
    if c.ind("latrines_mobilised"):
        paragraphs.append(
            f"Các hội, đoàn thể đã vận động {c.ind('latrines_mobilised')} hộ tự xây dựng nhà tiêu hợp vệ sinh."
        )
    return paragraphs


def items_phrase(c: Context, codes: set[str]) -> str:
    parts = []
    for item in c.get("items", default=[]):
        if item.get("programme__code") in codes and item.get("quantity"):
            parts.append(f"{n(Decimal(str(item['quantity'])).normalize())} {item['item_description']}")
    return ", ".join(parts)


def production(c: Context) -> list[str]:
    paragraphs = []
    rows = [row for row in c.get("production", default=[]) if row.get("households")]
    for row in rows:
        text = f"Chính sách {row['short_name']}: đã hỗ trợ sinh kế, phát triển sản xuất cho {n(row['households'])} hộ"
        if row.get("amount"):
            text += f" với số tiền {money(row['amount'])}"
        paragraphs.append(text + ".")
    items = items_phrase(c, {row["code"] for row in rows})
    if items:
        paragraphs.append(f"Hiện vật đã hỗ trợ: {items}.")
    funders = funder_clauses(c, "livelihood")
    if funders:
        paragraphs.append(sentence(*funders))
    if c.ind("workdays_supported"):
        paragraphs.append(
            f"Các hội, đoàn thể đã hỗ trợ {c.ind('workdays_supported')} ngày công lao động giúp hộ nghèo, cận nghèo "
            "phát triển sản xuất."
        )
    return paragraphs


def training(c: Context) -> list[str]:
    paragraphs = []
    quota, budget = c.ind("training_quota"), c.ind_money("training_budget")
    if quota or budget:
        text = f"{c.ubnd} đã phân bổ nguồn kinh phí thực hiện chương trình đào tạo nghề"
        if quota:
            text += f" với chỉ tiêu đào tạo nghề cho {quota} lao động"
        if budget:
            text += f", kinh phí thực hiện là {budget}"
        paragraphs.append(text + ".")
    opened, classes, registered = (
        c.ind("training_classes_opened"),
        c.ind("training_classes_registered"),
        c.ind("training_registered"),
    )
    if opened:
        paragraphs.append(f"{c.during}, đã mở {opened} lớp dạy nghề cho lao động.")
    if classes or registered:
        text = "Qua rà soát, thống kê nhu cầu học nghề"
        if classes:
            text += f", các {c.subunits()} đăng ký mở {classes} lớp dạy nghề"
        if registered:
            text += f" với số lao động đăng ký tham gia học nghề là {registered} lao động"
        paragraphs.append(text + ".")
    trainees = c.get("training", default={})
    if trainees.get("trainees"):
        text = f"Theo hồ sơ học viên, {c.during.lower()} đã đào tạo nghề cho {n(trainees['trainees'])} lao động"
        inner = join_and(
            [
                count_of(trainees.get("poor"), "lao động thuộc hộ nghèo"),
                count_of(trainees.get("near_poor"), "lao động thuộc hộ cận nghèo"),
            ]
        )
        if inner:
            text += f" ({inner})"
        if trainees.get("courses"):
            text += f" tại {n(trainees['courses'])} lớp"
        if trainees.get("amount"):
            text += f", kinh phí {money(trainees['amount'])}"
        after = join_and(
            [
                count_of(trainees.get("certified"), "người được cấp chứng chỉ"),
                count_of(trainees.get("employed"), "người có việc làm sau học nghề"),
            ]
        )
        paragraphs.append(text + (f"; {after}." if after else "."))
    vacancies = c.ind("job_vacancies_informed")
    if vacancies:
        paragraphs.append(
            f"Đã cung cấp thông tin về {vacancies} vị trí việc làm trong và ngoài nước đến người lao động."
        )
    jobs = c.ind("jobs_created")
    jobs_loans = ((c.get("credit_purposes", default={}) or {}).get("VBSP_JOBS") or {}).get("households")
    parts = [
        f"đi làm việc ở nước ngoài theo hợp đồng {c.ind('jobs_abroad')} lao động" if c.ind("jobs_abroad") else "",
        f"làm việc tại các khu công nghiệp {c.ind('jobs_industrial_zones')} lao động"
        if c.ind("jobs_industrial_zones")
        else "",
        f"tại địa phương {c.ind('jobs_local')} lao động" if c.ind("jobs_local") else "",
        f"thông qua chương trình tín dụng vay vốn giải quyết việc làm {n(jobs_loans)} hộ" if jobs_loans else "",
    ]
    if jobs:
        text = f"{c.during}, giải quyết việc làm cho {jobs} lao động"
        if any(parts):
            text += ", trong đó: " + "; ".join(p for p in parts if p)
        paragraphs.append(text + ".")
    return paragraphs


def extension(c: Context) -> list[str]:
    paragraphs = []
    for row in c.get("extension", default=[]):
        if not row.get("households"):
            continue
        projects = (
            f"{n(row['decisions'])} dự án, mô hình khuyến nông, định canh định cư"
            if row.get("decisions")
            else ("các dự án, mô hình khuyến nông, định canh định cư")
        )
        text = f"Đã triển khai {projects} hỗ trợ cho {n(row['households'])} hộ dân"
        by_status = row.get("by_status") or {}
        inner = join_and(
            [
                count_of((by_status.get("poor") or {}).get("households"), "hộ nghèo"),
                count_of((by_status.get("near_poor") or {}).get("households"), "hộ cận nghèo"),
            ]
        )
        if inner:
            text += f", trong đó có {inner}"
        if row.get("amount"):
            text += f"; kinh phí thực hiện là {money(row['amount'])}"
        paragraphs.append(text + ".")
    models_count, budget = c.ind("extension_models"), c.ind_money("extension_budget")
    if models_count or budget:
        text = sentence(
            f"đã triển khai {models_count} mô hình khuyến nông" if models_count else "",
            f"tổng kinh phí dự án định canh định cư, mô hình khuyến nông là {budget}" if budget else "",
            joiner=", ",
        )
        paragraphs.append(text)
    return paragraphs


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def quarters_phrase(quarters: list[dict]) -> str:
    """ "quý I, quý II năm 2026" (seed 004: "tiền điện hỗ trợ quý I, quý II năm 2021")."""
    years: dict[int, list[str]] = {}
    for row in quarters:
        if row.get("households"):
            years.setdefault(row["year"], []).append(f"quý {ROMAN.get(row['quarter'], row['quarter'])}")
    return "; ".join(f"{', '.join(names)} năm {year}" for year, names in years.items())


RICE_PHRASES = {"RICE_TET": "gạo cứu đói dịp Tết", "RICE_LEAN": "gạo cứu đói giáp hạt"}


def other(c: Context) -> list[str]:
    paragraphs = []
    for row in c.get("rice", default=[]):
        if not row.get("households"):
            continue
        text = f"- Cấp {RICE_PHRASES.get(row['code'], row['short_name'])} cho {n(row['households'])} hộ"
        if row.get("persons"):
            text += f", {n(row['persons'])} khẩu"
        if row.get("quantity"):
            text += f" với {n(Decimal(str(row['quantity'])).normalize())} kg gạo"
        paragraphs.append(text + ".")
    emergency = c.get("other", default={})
    if emergency.get("households"):
        text = f"- Trợ giúp đột xuất cho {n(emergency['households'])} hộ"
        if emergency.get("amount"):
            text += f" với số tiền {exact_money(emergency['amount'])}"
        paragraphs.append(text + ".")
    electricity = c.get("electricity", default={})
    if electricity.get("households"):
        quarters = electricity.get("quarters") or []
        when = ""
        if quarters:
            when = " " + quarters_phrase(quarters)
        text = f"- Chi trả tiền điện hỗ trợ{when} cho {n(electricity['households'])} hộ"
        if electricity.get("amount"):
            text += f" với số tiền {exact_money(electricity['amount'])}"
        paragraphs.append(text + ".")
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
    if own and own.get("households_to_escape") and escaped < own["households_to_escape"]:
        lines.append(
            f"- Số hộ thoát nghèo ({n(escaped)} hộ) mới đạt {share(escaped, own['households_to_escape'])} chỉ tiêu "
            f"giao năm {c.year} ({n(own['households_to_escape'])} hộ)."
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


def generated_text(report, key: str) -> str:
    """The text built from the report's figures for one section (one paragraph per line). A support policy with
    nothing recorded says so in one sentence instead of listing zeros."""
    context = Context(report)
    text = "\n".join(p for p in BUILDERS[key](context) if p)
    if not text and key in POLICY_KEYS:
        text = f"{context.during}, chưa ghi nhận kết quả hỗ trợ về nội dung này trên cổng thông tin."
    return text


def section_text(report, key: str) -> str:
    """What the report says in a section: the text staff saved, else the one built from the figures."""
    saved = (report.narrative or {}).get(key, "")
    return saved if saved.strip() else generated_text(report, key)


def default_narrative(*, report, previous=None) -> dict[str, str]:
    """The starting text of every section: built from the figures; assessment, tasks and proposals from the
    previous period's report of the unit when there is one. The review-results tables have their own module."""
    if report.kind == ReportKind.REVIEW_RESULTS:
        from .content import review_results_module

        module = review_results_module()
        return module.review_default_narrative(report=report, previous=previous)
    texts = {}
    for key, _heading in sections_for(report.kind):
        text = generated_text(report, key)
        if key in CARRIED and previous is not None and previous.kind != ReportKind.REVIEW_RESULTS:
            carried = section_text(previous, key)
            text = carried or text
        texts[key] = text
    return texts


def refresh_narrative(*, report, old_figures: dict, previous=None) -> dict[str, str]:
    """The texts after the figures were computed again: a section still holding the text built from the old figures
    (staff did not touch it) or left empty takes the text of the new figures; a section staff edited is kept."""
    old = copy.copy(report)
    old.figures = old_figures
    before = default_narrative(report=old, previous=previous)
    texts = dict(report.narrative or {})
    for key, text in default_narrative(report=report, previous=previous).items():
        current = texts.get(key, "").strip()
        if not current or current == before.get(key, "").strip():
            texts[key] = text
    return texts


# --- the document's sections ---------------------------------------------------------------------------------


def paragraphs_of(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def preamble_and_closing(report, recipients: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    from .content import period_phrase

    c = Context(report)
    phrase = period_phrase(report.kind, report.period_start, report.period_end)
    to = join_and(list(recipients)) if recipients else "cấp trên"
    closing = (
        f"Trên đây là kết quả thực hiện Chương trình MTQG giảm nghèo bền vững {phrase}, {c.ubnd} "
        f"{c.proper} báo cáo {to} theo dõi và chỉ đạo./."
    )
    return paragraphs_of(section_text(report, "preamble")), closing


def document_sections(report) -> tuple[Section, ...]:
    """I. results (1, 2, 3.1–3.9 and, for the year-end report, 4 and 5), II. assessment, III. tasks, IV. proposals;
    each part with the typed figures of its section marked as entered."""
    from .content import entered_figures

    figures = report.figures or {}
    headings = dict(NARRATIVE_SECTIONS)

    def part(key: str, heading: str | None = None) -> Section:
        return Section(
            heading=heading or headings[key],
            paragraphs=paragraphs_of(section_text(report, key)),
            entered=entered_figures(figures, key),
            key=key,
        )

    policies = tuple(part(key) for key in POLICY_KEYS)
    results = [
        part("direction"),
        part("communication"),
        Section(heading="3. Kết quả thực hiện một số chính sách hỗ trợ giảm nghèo", subsections=policies),
    ]
    if report.kind == ReportKind.YEAR_END:
        results.append(part("target_results", f"4. Kết quả thực hiện chỉ tiêu giảm nghèo năm {report.period_end.year}"))
        results.append(part("review", f"5. Kết quả rà soát hộ nghèo, hộ cận nghèo năm {report.period_end.year}"))
    if report.kind == ReportKind.YEAR_END or report.period_start.month >= 7:
        tasks_heading = f"III. NHIỆM VỤ VÀ GIẢI PHÁP NĂM {report.period_end.year + 1}"
    else:
        tasks_heading = f"III. NHIỆM VỤ VÀ GIẢI PHÁP 6 THÁNG CUỐI NĂM {report.period_end.year}"
    return (
        Section(heading="I. KẾT QUẢ THỰC HIỆN", subsections=tuple(results)),
        Section(
            heading="II. ĐÁNH GIÁ",
            subsections=(
                part("achievements", "1. Mặt đạt được"),
                part("difficulties", "2. Khó khăn, hạn chế và nguyên nhân"),
            ),
        ),
        part("tasks", tasks_heading),
        part("proposals", "IV. ĐỀ XUẤT, KIẾN NGHỊ"),
    )
