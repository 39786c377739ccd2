"""The award decision (quyết định khen thưởng) as a document: plain data in, PDF bytes out, in the NĐ 30/2020 layout
of the recognition decision (reports/documents/render.decision_pdf), with the list of awardees as its appendix.

``award_decision_document`` builds the data from a stored decision and its register rows only; ``award_decision_pdf``
renders it with the renderer's own letterhead, legal-basis, article and "Nơi nhận" helpers.
"""

from __future__ import annotations

from dataclasses import dataclass

from weasyprint.text.fonts import FontConfiguration

from reports.content.document import split_name
from reports.documents import formatting as fmt
from reports.documents import render
from reports.documents.data import Letterhead, Signer

from .models import AwardForm, SubjectType

SYMBOL = "QĐ-UBND"
LAW_2022 = "Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022"
DECREE_98 = (
    "Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành một số điều "
    "của Luật Thi đua, khen thưởng"
)
# Luật Tổ chức chính quyền địa phương: the law cited first, as its own "Căn cứ" line (2015 text until the 2025 law).
LOCAL_GOVERNMENT_LAW = (
    (None, "2025-06-15", "Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015"),
    ("2025-06-16", None, "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"),
)


@dataclass(frozen=True)
class AwardeeRow:
    number: int
    name: str
    unit: str
    kind: str  # "Tập thể", "Cá nhân", "Hộ gia đình", …
    achievement: str = ""
    position: str = ""


@dataclass(frozen=True)
class AwardDecisionDocument:
    """Quyết định khen thưởng of a People's Committee chairman, with the list of awardees attached."""

    letterhead: Letterhead
    abstract: str  # "Về việc tặng Giấy khen cho các tập thể, cá nhân, hộ gia đình có thành tích …"
    authority_line: str  # "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN KRÔNG PA"
    legal_bases: tuple[str, ...]
    proposal: str
    articles: tuple[str, ...]
    recipients: tuple[str, ...]
    signer: Signer
    list_title: str
    rows: tuple[AwardeeRow, ...]
    issued_by: str  # "Chủ tịch Ủy ban nhân dân huyện Krông Pa"


def _unit_phrase(name: str) -> str:
    kind, proper = split_name(name)
    return f"{kind} {proper}".strip()


def _local_government_law(day) -> str:
    iso = day.isoformat()
    for start, end, text in LOCAL_GOVERNMENT_LAW:
        if (start is None or start <= iso) and (end is None or iso <= end):
            return text
    return LOCAL_GOVERNMENT_LAW[-1][2]


def unit_address(unit) -> str:
    """ "Buôn Chư Tê, xã Ia RSai" for a village (its commune named), the unit's name otherwise."""
    if unit.level == "village" and unit.parent_id:
        return f"{unit.name}, {_unit_phrase(unit.parent.name)}"
    return unit.name


def default_abstract(form: str, issuer_name: str, movement_name: str) -> str:
    return (
        f"Về việc tặng {_form_phrase(form, _unit_phrase(issuer_name))} cho các tập thể, cá nhân, hộ gia đình có "
        f"thành tích xuất sắc trong phong trào thi đua “{movement_name}”"
    )


def _form_word(form: str) -> str:
    return {AwardForm.PROVINCE_MERIT: "Bằng khen", AwardForm.HIGHER: "hình thức khen thưởng"}.get(form, "Giấy khen")


def _form_phrase(form: str, issuer_phrase: str) -> str:
    if form == AwardForm.PROVINCE_MERIT:
        return f"Bằng khen của Chủ tịch Ủy ban nhân dân {issuer_phrase}"
    if form == AwardForm.HIGHER:
        return "hình thức khen thưởng cấp trên"
    return f"Giấy khen của Chủ tịch Ủy ban nhân dân {issuer_phrase}"


def award_decision_document(decision, awards) -> AwardDecisionDocument:
    """The document of a stored decision from its fields and its register rows (``awards``, in list order)."""
    issuer_phrase = _unit_phrase(decision.issuer.name)
    issuer = f"Ủy ban nhân dân {issuer_phrase}"
    parent = ""
    if decision.issuer.parent_id and decision.issuer.level == "commune" and decision.issuer.parent.level == "district":
        parent = f"Ủy ban nhân dân {_unit_phrase(decision.issuer.parent.name)}"
    movement = decision.movement
    launch = f"số {movement.launch_number} ngày {fmt.short_date(movement.launch_date)}"
    launcher = f"Ủy ban nhân dân {_unit_phrase(movement.unit.name)}"
    launch_text = f"{movement.launch_title} " if movement.launch_title else ""
    bases = [
        f"Căn cứ {_local_government_law(decision.signed_on)}",
        f"Căn cứ {LAW_2022}",
        f"Căn cứ {DECREE_98}",
    ]
    if movement.legal_basis:
        bases.append(f"Căn cứ {render._strip_end(movement.legal_basis)}")
    bases.append(
        f"Căn cứ Kế hoạch (văn bản) {launch} của {launcher} {launch_text}phát động phong trào thi đua "
        f"“{movement.name}” giai đoạn {movement.phase_start}–{movement.phase_end}".replace("  ", " ")
    )
    form_phrase = _form_phrase(decision.form, issuer_phrase)
    years = sorted({a.year for a in awards})
    year_text = ", ".join(str(y) for y in years)
    count = len(awards)
    list_title = f"Danh sách tập thể, cá nhân, hộ gia đình được tặng {form_phrase}"
    articles = (
        f"Điều 1. Tặng {form_phrase} cho {fmt.number(count)} tập thể, cá nhân, hộ gia đình (có danh sách kèm theo) "
        f"đã có thành tích xuất sắc trong phong trào thi đua “{movement.name}” năm {year_text}.",
        f"Điều 2. Kèm theo {_form_word(decision.form)} là tiền thưởng theo quy định tại Nghị định số 98/2023/NĐ-CP; "
        "kinh phí khen thưởng chi từ Quỹ thi đua, khen thưởng của địa phương.",
        f"Điều 3. Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân {issuer_phrase}, Thủ trưởng các cơ quan, đơn vị "
        "có liên quan và các tập thể, cá nhân, hộ gia đình có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
    )
    kinds = dict(SubjectType.choices)
    rows = tuple(
        AwardeeRow(
            number=i,
            name=a.subject_name,
            unit=unit_address(a.unit),
            kind=str(kinds.get(a.subject_type, "")),
            achievement=a.achievements,
            position=a.nomination.position if a.nomination_id else "",
        )
        for i, a in enumerate(awards, start=1)
    )
    council = f"Hội đồng Thi đua – Khen thưởng {issuer_phrase}"
    return AwardDecisionDocument(
        letterhead=Letterhead(
            issuer=issuer,
            place=split_name(decision.issuer.name)[1],
            date=decision.signed_on,
            number=decision.number,
            symbol=SYMBOL,
            parent_issuer=parent,
        ),
        abstract=decision.abstract,
        authority_line=f"CHỦ TỊCH ỦY BAN NHÂN DÂN {issuer_phrase.upper()}",
        legal_bases=tuple(bases),
        proposal=f"Theo đề nghị của {council}",
        articles=articles,
        recipients=("Như Điều 3", f"{council}", "Lưu: VT, TĐKT"),
        signer=Signer(
            title=decision.signer_title.upper(),
            name=decision.signer_name,
            authority=decision.signer_authority.upper(),
        ),
        list_title=list_title,
        rows=rows,
        issued_by=f"Chủ tịch Ủy ban nhân dân {issuer_phrase}",
    )


def award_decision_pdf(doc: AwardDecisionDocument) -> bytes:
    """The decision on portrait pages, then the list of awardees as its appendix with its own page numbers."""
    font_config = FontConfiguration()
    context = {
        "document_title": f"Quyết định {doc.letterhead.number}".strip(),
        "document_author": doc.letterhead.issuer,
        "head": render._letterhead(doc.letterhead),
        "decision": doc,
        "legal_bases": render._bases(doc.legal_bases, last_end=";"),
        "proposal": f"{render._strip_end(doc.proposal)}.",
        "articles": render._closed_articles([render._article(text) for text in doc.articles]),
        "recipients": render._recipients(doc.recipients),
    }
    documents = [render._document("award_decision.html", context, font_config)]
    reference = f"(Kèm theo Quyết định {fmt.document_reference(doc.letterhead)} của {doc.issued_by})"
    appendix_context = {
        "document_title": f"Danh sách - {doc.list_title}",
        "document_author": doc.letterhead.issuer,
        "appendix": {"label": "Danh sách", "title": doc.list_title, "reference": reference},
        "rows": doc.rows,
        "total": f"{fmt.number(len(doc.rows))} tập thể, cá nhân, hộ gia đình",
    }
    documents.append(render._document("award_decision_list.html", appendix_context, font_config))
    return render._pdf(documents)
