"""Section I.3 of the 6-month and year-end reports, one builder per support policy in the order of report
209/BC-UBND (3.1 credit … 3.8 extension, then other support), each returning its paragraphs built from the
figures snapshot."""

from __future__ import annotations

from decimal import Decimal

from .wording import (
    CARD_GROUP_LABELS,
    CARD_GROUP_ORDER,
    Context,
    count_of,
    exact_money,
    join_and,
    money,
    n,
    pct,
    sentence,
    share,
)


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
            what = item["item_description"]
            parts.append(f"{n(Decimal(str(item['quantity'])).normalize())} {what[:1].lower()}{what[1:]}")
    return ", ".join(parts)


def production(c: Context) -> list[str]:
    paragraphs = []
    rows = [row for row in c.get("production", default=[]) if row.get("households")]
    for row in rows:
        text = (
            f"Thông qua chương trình {row['short_name']}, đã hỗ trợ sinh kế, phát triển sản xuất cho "
            f"{n(row['households'])} hộ"
        )
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
