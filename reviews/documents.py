"""From review rows to the plain data the PDF renderers take (reports.documents.data); no layout here.

Documents are a render step (STYLE.md rule 8): the decision and the certificates are built from the frozen
submission snapshot and certificate snapshots, so a reprint is identical to the first print.
"""

import datetime
import re

from django.db.models import Count, Q
from django.utils import timezone

from areas.choices import UnitLevel
from households.choices import HouseholdClass
from households.models import PovertyStandard
from reports.documents.data import (
    HouseholdCertificate,
    HouseholdList,
    HouseholdRow,
    Letterhead,
    MeetingMinutes,
    MemberRow,
    PostingList,
    RecognitionDecision,
    Signer,
)
from reports.documents.formatting import in_sentence, long_date
from reports.documents.formatting import number as fmt_number
from reports.documents.signing import ACTING, CHAIRMAN, DEPUTY, signature_block

from .choices import LIST_TITLES, DocumentKind, IssuedBy, LegalTopic, RoundKind, SignerForm
from .models import Certificate, LegalDocument, ReviewRound, SignatureAuthority, VillageMeeting
from .models import RecognitionDecision as DecisionRow
from .models.rules import LEGAL_NUMBER
from .snapshot import build_snapshot, rows_of
from .survey import indicator_specs

CLASS_LABELS = dict(HouseholdClass.choices)
POSTED_LISTS = ("poor", "near_poor", "escaped_poor", "escaped_near_poor")  # QĐ 24/2021, Điều 4 bước 4
# What each kind of document's issuer is when the authority table has no row (the table is seeded with these).
DEFAULT_ISSUED_BY = {
    DocumentKind.DECISION: IssuedBy.HEAD,
    DocumentKind.CERTIFICATE: IssuedBy.HEAD,
    DocumentKind.POSTING: IssuedBy.COMMITTEE,
}
CAPACITIES = {SignerForm.CHAIRMAN: CHAIRMAN, SignerForm.DEPUTY: DEPUTY, SignerForm.ACTING: ACTING}


def place_name(unit) -> str:
    """ "Xã Ia RSai" → "Ia RSai" for "Ia RSai, ngày … tháng … năm …"."""
    return re.sub(r"^(Xã|Phường|Thị trấn|Đặc khu)\s+", "", unit.name)


def commune_issuer(commune) -> str:
    return f"Ủy ban nhân dân {in_sentence(commune.name)}"


def parent_issuer(commune) -> str:
    parent = commune.parent
    if parent and parent.level == UnitLevel.DISTRICT:
        return f"Ủy ban nhân dân {in_sentence(parent.name)}"
    return ""


def indicator_names(reference_date) -> dict[str, str]:
    return {spec.code: spec.name for spec in indicator_specs(reference_date)}


def _deprived_labels(codes, names: dict[str, str]) -> tuple[str, ...]:
    return tuple(names.get(code, code) for code in codes)


def household_row(number: int, row: dict, names: dict[str, str], note: str = "") -> HouseholdRow:
    return HouseholdRow(
        number=number,
        code=row["code"],
        head_name=row["head_name"],
        village=row["village"],
        members=row["members"],
        ethnic_minority=row["ethnic_minority"],
        class_label=str(CLASS_LABELS.get(row["proposed_class"], "")),
        deprived=_deprived_labels(row.get("deprived", []), names),
        note=note,
    )


def _lists(snapshot: dict, keys, reference_date, *, village: str = "", suffix: str = "") -> tuple[HouseholdList, ...]:
    lists, names = [], indicator_names(reference_date)
    for key in keys:
        rows = [r for r in rows_of(snapshot, key) if not village or r["village"] == village]
        if rows:
            lists.append(
                HouseholdList(
                    title=f"{LIST_TITLES[key]}{suffix}",
                    rows=tuple(household_row(i, r, names) for i, r in enumerate(rows, start=1)),
                )
            )
    return tuple(lists)


def round_label(round: ReviewRound) -> str:
    """ "rà soát định kỳ năm 2026" / "rà soát thường xuyên tháng 11/2026" (without the commune)."""
    if round.kind == RoundKind.REGULAR:
        return f"rà soát thường xuyên tháng {round.month:02d}/{round.year}"
    return f"rà soát định kỳ năm {round.year}"


def applies_year(round: ReviewRound) -> int:
    """The year the recognised lists apply to: the next year for the annual review."""
    return round.year + 1 if round.kind == RoundKind.PERIODIC else round.year


def minutes_data(meeting: VillageMeeting) -> MeetingMinutes:
    round = meeting.round
    votes = (
        meeting.votes.select_related("case__household__village")
        .annotate(member_count=Count("case__household__members", filter=Q(case__household__members__left_at=None)))
        .order_by("case__household__code")
    )  # one query whatever the number of households
    rows, names = [], indicator_names(round.reference_date)
    for i, vote in enumerate(votes, start=1):
        case = vote.case
        household = case.household
        rows.append(
            HouseholdRow(
                number=i,
                code=household.code,
                head_name=household.head_name,
                village=household.village.name,
                members=vote.member_count,
                ethnic_minority=household.ethnic_minority,
                class_label=str(CLASS_LABELS.get(vote.proposed_class, "")),
                deprived=_deprived_labels(case.assessment.get("deprived", []), names),
                note=f"{vote.share:.1f}".replace(".", ",") + " %",
            )
        )
    supervisors = meeting.supervisor_list
    if meeting.front_representative:
        front = f"đại diện Ủy ban Mặt trận Tổ quốc Việt Nam {in_sentence(round.commune.name)}"
        supervisors = [f"{meeting.front_representative} - {front}", *supervisors]
    return MeetingMinutes(
        letterhead=Letterhead(
            issuer=meeting.village.name,
            parent_issuer=commune_issuer(round.commune),
            place=place_name(round.commune),
            date=timezone.localtime(meeting.held_at).date(),
        ),
        village=meeting.village.name,
        commune=round.commune.name,
        held_at=timezone.localtime(meeting.held_at),
        location=meeting.location,
        chair=meeting.chair,
        secretary=meeting.secretary,
        supervisors=tuple(supervisors),
        attendees=meeting.attendees,
        lists=(HouseholdList(title="Kết quả bình xét từng hộ", rows=tuple(rows), note_label="Tỷ lệ đồng ý"),),
        conclusion=meeting.conclusion,
        # QĐ 24/2021, Điều 4 khoản 3: the Fatherland Front supervises the meeting, so its representative signs too.
        signers=(
            Signer(title="THƯ KÝ", name=meeting.secretary),
            Signer(title="ĐẠI DIỆN MTTQ XÃ", name=meeting.front_representative),
            Signer(title="CHỦ TRÌ", name=meeting.chair),
        ),
    )


def posting_data(round: ReviewRound, village=None) -> PostingList:
    posting = round.postings.first()
    # The lists as posted, whenever reprinted; a village's list reads that village's cases only.
    snapshot = build_snapshot(round, effective=posting.starts_on, village=village)
    where = f"{village.name}, {round.commune.name}" if village else round.commune.name
    return PostingList(
        letterhead=Letterhead(
            issuer=commune_issuer(round.commune),
            parent_issuer=parent_issuer(round.commune),
            place=place_name(round.commune),
            date=posting.starts_on,
        ),
        title="Danh sách hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo\nniêm yết công khai",
        subtitle=f"{where} – {round_label(round)}",
        starts_on=posting.starts_on,
        ends_on=posting.ends_on,
        lists=_lists(snapshot, POSTED_LISTS, round.reference_date, village=village.name if village else ""),
        signer=signer_for(
            DocumentKind.POSTING, posting.starts_on, signer_form=posting.signer_form, name=posting.signer_name
        ),
        location=posting.places,
        notice=(
            "Trong thời gian niêm yết, người dân có ý kiến, khiếu nại về kết quả rà soát xin gửi về Ủy ban nhân dân "
            f"{in_sentence(round.commune.name)} hoặc trưởng thôn để được phúc tra, giải quyết."
        ),
    )


def _iso_date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def issued_by(kind: str, day: datetime.date) -> str:
    """Who issues this kind of document on `day`: the chairman in his own name or the committee (data)."""
    row = SignatureAuthority.objects.for_document(kind, day)
    return row.issued_by if row else DEFAULT_ISSUED_BY[kind]


def signer_for(kind: str, day: datetime.date, *, signer_form: str = SignerForm.CHAIRMAN, name: str = "") -> Signer:
    """The signature block of a document of `kind` signed on `day` (NĐ 30/2020/NĐ-CP, Điều 13)."""
    return signature_block(
        collective=issued_by(kind, day) == IssuedBy.COMMITTEE,
        capacity=CAPACITIES.get(signer_form, CHAIRMAN),
        name=name,
    )


def _standard_numbers(round: ReviewRound) -> list[str]:
    """The numbers of the documents the round's poverty standard rests on, as its legal basis names them."""
    standard = PovertyStandard.objects.filter(code=round.standard_code).first()
    if standard is None:
        return []
    seen: list[str] = []
    for number in LEGAL_NUMBER.findall(standard.legal_basis):
        if number not in seen:
            seen.append(number)
    return seen


def legal_bases(round: ReviewRound, day: datetime.date) -> tuple[str, ...]:
    """ "Căn cứ …" lines with type, number, date, issuer and title of each document (NĐ 30/2020, Phụ lục I):
    the law on local government in force on `day`, the decrees of the round's poverty standard, the review
    procedure. A standard's document missing from the table is cited as the standard names it."""
    lines = [f"Căn cứ {doc.citation()}" for doc in LegalDocument.objects.cited_on(LegalTopic.LOCAL_GOVERNMENT, day)]
    numbers = _standard_numbers(round)
    known = {doc.number: doc for doc in LegalDocument.objects.filter(number__in=numbers)}
    for number in numbers:
        lines.append(f"Căn cứ {known[number].citation()}" if number in known else f"Căn cứ {number}")
    return (*lines, *procedure_bases(day))


def procedure_bases(day: datetime.date) -> tuple[str, ...]:
    """ "Căn cứ Quyết định số 24/2021/QĐ-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ quy định …"."""
    return tuple(f"Căn cứ {doc.citation()}" for doc in LegalDocument.objects.cited_on(LegalTopic.REVIEW_PROCEDURE, day))


def _counted(counts: dict[str, int]) -> tuple[str, str]:
    """ "2 hộ nghèo, 1 hộ cận nghèo và 3 hộ thoát nghèo" and the matching abstract, leaving out empty lists."""
    names = {
        "poor": "hộ nghèo",
        "near_poor": "hộ cận nghèo",
        "escaped_poor": "hộ thoát nghèo",
        "escaped_near_poor": "hộ thoát cận nghèo",
    }
    present = [key for key in POSTED_LISTS if counts.get(key)]
    parts = [f"{fmt_number(counts[key])} {names[key]}" for key in present]
    kinds = [names[key] for key in present] or ["hộ nghèo", "hộ cận nghèo"]
    counted = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} và {parts[-1]}" if parts else ""
    return counted, ", ".join(kinds)


def decision_data(decision: DecisionRow) -> RecognitionDecision:
    round, snapshot = decision.round, decision.submission.snapshot
    commune = round.commune
    year = applies_year(round)
    counts = {key: len(snapshot["lists"].get(key, [])) for key in POSTED_LISTS}
    letterhead = Letterhead(
        issuer=commune_issuer(commune),
        parent_issuer="",
        place=place_name(commune),
        date=decision.signed_on,
        number=decision.number,
        symbol="QĐ-UBND",
    )
    recipients = ["Như Điều 3"]
    if parent_issuer(commune):
        recipients.append(parent_issuer(commune).replace("Ủy ban nhân dân", "UBND") + " (b/c)")
    recipients.append("Lưu: VT")
    by_head = issued_by(DocumentKind.DECISION, decision.signed_on) == IssuedBy.HEAD
    counted, kinds = _counted(counts)
    where = in_sentence(commune.name)
    if counted:
        article_1 = f"Điều 1. Công nhận {counted} năm {year} trên địa bàn xã (có danh sách kèm theo)."
    else:
        article_1 = f"Điều 1. Năm {year}, trên địa bàn xã không có hộ nghèo, hộ cận nghèo được công nhận."
    return RecognitionDecision(
        letterhead=letterhead,
        abstract=f"Về việc công nhận {kinds} năm {year} trên địa bàn {where}",
        # QĐ 24/2021, Điều 4 khoản 5: the chairman decides in his own name; a committee decision names the body.
        authority_line=(f"CHỦ TỊCH {commune_issuer(commune)}" if by_head else commune_issuer(commune)).upper(),
        legal_bases=legal_bases(round, decision.signed_on),
        proposal="Theo đề nghị của Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo xã",
        articles=(
            article_1,
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
            "Điều 3. Văn phòng Ủy ban nhân dân xã, công chức phụ trách công tác giảm nghèo, trưởng các thôn, buôn "
            "và các hộ gia đình có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
        ),
        recipients=tuple(recipients),
        signer=signer_for(
            DocumentKind.DECISION, decision.signed_on, signer_form=decision.signer_form, name=decision.signer_name
        ),
        lists=_lists(snapshot, POSTED_LISTS, round.reference_date),
        issued_by=f"Chủ tịch {commune_issuer(commune)}" if by_head else commune_issuer(commune),
    )


def decision_rows(decision: DecisionRow) -> int:
    """How many households the decision's lists name, from the numbers its submission kept (``Submission.counts``):
    the snapshot itself, thousands of rows, is not read."""
    counts = decision.submission.counts.get("lists") or {}
    return sum(counts.get(key, 0) for key in POSTED_LISTS)


def decision_citation(decision: DecisionRow) -> str:
    """ "Quyết định số 125/QĐ-UBND ngày 03 tháng 12 năm 2026 của Chủ tịch Ủy ban nhân dân xã Ia RSai"."""
    commune = decision.round.commune
    by_head = issued_by(DocumentKind.DECISION, decision.signed_on) == IssuedBy.HEAD
    issuer = f"Chủ tịch {commune_issuer(commune)}" if by_head else commune_issuer(commune)
    return f"Quyết định số {decision.number} {long_date(decision.signed_on)} của {issuer}"


def certificate_data(certificate: Certificate) -> HouseholdCertificate:
    decision = certificate.decision
    round, snap = decision.round, certificate.snapshot
    commune = round.commune
    return HouseholdCertificate(
        letterhead=Letterhead(
            issuer=commune_issuer(commune),
            place=place_name(commune),
            date=decision.signed_on,
            number=certificate.number,
            symbol="GCN-HN.HCN",
        ),
        kind_label="HỘ NGHÈO" if certificate.household_class == HouseholdClass.POOR else "HỘ CẬN NGHÈO",
        year=applies_year(round),
        legal_bases=procedure_bases(decision.signed_on),
        head_name=snap["head_name"],
        head_ethnicity=snap["head_ethnicity"],
        head_personal_id=snap["head_personal_id"],
        # Certificates issued before the registry kept the issue date have none in their snapshot.
        head_id_issued_on=_iso_date(snap.get("head_personal_id_issued_on")),
        residence=", ".join(in_sentence(part) for part in snap["residence"].split(", ")),
        decision_ref=decision_citation(decision),
        members=tuple(
            MemberRow(
                full_name=m["full_name"],
                ethnicity=m["ethnicity"],
                relationship=m["relationship"],
                birth_year=m["birth_year"],
                sex=m["sex"],
            )
            for m in snap["members"]
        ),
        signer=signer_for(
            DocumentKind.CERTIFICATE, decision.signed_on, signer_form=decision.signer_form, name=decision.signer_name
        ),
    )
