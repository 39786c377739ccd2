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
from reports.documents.formatting import in_sentence

from .choices import LIST_TITLES, RoundKind, SignerForm
from .models import Certificate, ReviewRound, VillageMeeting
from .models import RecognitionDecision as DecisionRow
from .snapshot import build_snapshot, rows_of
from .survey import indicator_specs

CLASS_LABELS = dict(HouseholdClass.choices)
POSTED_LISTS = ("poor", "near_poor", "escaped_poor", "escaped_near_poor")  # QĐ 24/2021, Điều 4 bước 4
# QĐ 24/2021/QĐ-TTg: the procedure every decision and certificate cites.
QD_24 = (
    "Căn cứ Quyết định số 24/2021/QĐ-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ quy định quy trình rà soát "
    "hộ nghèo, hộ cận nghèo hằng năm và quy trình xác định hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm "
    "nghiệp có mức sống trung bình giai đoạn 2022 – 2025"
)


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
        supervisors=tuple(meeting.supervisor_list),
        attendees=meeting.attendees,
        lists=(HouseholdList(title="Kết quả bình xét từng hộ", rows=tuple(rows), note_label="Tỷ lệ đồng ý"),),
        conclusion=meeting.conclusion,
        signers=(Signer(title="THƯ KÝ", name=meeting.secretary), Signer(title="CHỦ TRÌ", name=meeting.chair)),
    )


def posting_data(round: ReviewRound, village=None) -> PostingList:
    posting = round.postings.first()
    snapshot = build_snapshot(round, effective=posting.starts_on)  # the lists as posted, whenever reprinted
    where = f"{village.name}, {round.commune.name}" if village else round.commune.name
    return PostingList(
        letterhead=Letterhead(
            issuer=commune_issuer(round.commune),
            parent_issuer=parent_issuer(round.commune),
            place=place_name(round.commune),
            date=posting.starts_on,
        ),
        title="Danh sách hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo niêm yết công khai",
        subtitle=f"{where} – {round_label(round)}",
        starts_on=posting.starts_on,
        ends_on=posting.ends_on,
        lists=_lists(snapshot, POSTED_LISTS, round.reference_date, village=village.name if village else ""),
        signer=Signer(title="CHỦ TỊCH", name="", authority="TM. ỦY BAN NHÂN DÂN"),
        location=posting.places,
        notice=(
            "Trong thời gian niêm yết, người dân có ý kiến, khiếu nại về kết quả rà soát xin gửi về Ủy ban nhân dân "
            f"{in_sentence(round.commune.name)} hoặc trưởng thôn để được phúc tra, giải quyết."
        ),
    )


def _iso_date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _signer(decision: DecisionRow) -> Signer:
    # NĐ 30/2020/NĐ-CP, Điều 13: TM. for the chairman signing for the committee, KT. for a deputy signing for him
    if decision.signer_form == SignerForm.KT:
        return Signer(title="PHÓ CHỦ TỊCH", name=decision.signer_name, authority="KT. CHỦ TỊCH")
    return Signer(title="CHỦ TỊCH", name=decision.signer_name, authority="TM. ỦY BAN NHÂN DÂN")


def _standard_basis(round: ReviewRound) -> str:
    standard = PovertyStandard.objects.filter(code=round.standard_code).first()
    return f"Căn cứ {standard.legal_basis}" if standard else ""


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
    return RecognitionDecision(
        letterhead=letterhead,
        abstract=f"Về việc công nhận hộ nghèo, hộ cận nghèo, hộ thoát nghèo, hộ thoát cận nghèo năm {year} "
        f"trên địa bàn {in_sentence(commune.name)}",
        authority_line=f"CHỦ TỊCH {commune_issuer(commune).upper()}",
        legal_bases=tuple(
            line
            for line in (
                "Căn cứ Luật Tổ chức chính quyền địa phương",
                _standard_basis(round),
                QD_24,
            )
            if line
        ),
        proposal="Theo đề nghị của Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo xã",
        articles=(
            f"Điều 1. Công nhận {counts['poor']} hộ nghèo, {counts['near_poor']} hộ cận nghèo, "
            f"{counts['escaped_poor']} hộ thoát nghèo và {counts['escaped_near_poor']} hộ thoát cận nghèo năm {year} "
            f"trên địa bàn xã (có danh sách kèm theo).",
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
            "Điều 3. Văn phòng Ủy ban nhân dân xã, công chức phụ trách công tác giảm nghèo, trưởng các thôn, buôn "
            "và các hộ gia đình có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
        ),
        recipients=tuple(recipients),
        signer=_signer(decision),
        lists=_lists(snapshot, POSTED_LISTS, round.reference_date),
        issued_by=f"Chủ tịch {commune_issuer(commune)}",
    )


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
        legal_bases=(QD_24,),
        head_name=snap["head_name"],
        head_ethnicity=snap["head_ethnicity"],
        head_personal_id=snap["head_personal_id"],
        # Certificates issued before the registry kept the issue date have none in their snapshot.
        head_id_issued_on=_iso_date(snap.get("head_personal_id_issued_on")),
        residence=", ".join(in_sentence(part) for part in snap["residence"].split(", ")),
        decision_ref=f"Quyết định số {decision.number} ngày {decision.signed_on:%d/%m/%Y} của Chủ tịch "
        f"{commune_issuer(commune)}",
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
        signer=_signer(decision),
    )
