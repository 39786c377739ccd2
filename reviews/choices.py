"""Choices for review rounds: stored values in English, labels in Vietnamese."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    # QĐ 24/2021/QĐ-TTg, Điều 3: định kỳ hằng năm / thường xuyên hằng tháng
    PERIODIC = "periodic", _("Rà soát định kỳ (hằng năm)")
    REGULAR = "regular", _("Rà soát thường xuyên (trong năm)")


class RoundState(models.TextChoices):
    OPEN = "open", _("Đang rà soát")
    POSTING = "posting", _("Đang niêm yết")
    SUBMITTED = "submitted", _("Đã trình, chờ duyệt")
    RETURNED = "returned", _("Bị trả lại để sửa")
    APPROVED = "approved", _("Đã được duyệt")
    RECOGNISED = "recognised", _("Đã công nhận (khoá)")


class RequestForm(models.TextChoices):
    # QĐ 24/2021/QĐ-TTg, Phụ lục: Mẫu số 01 (rà soát định kỳ), Mẫu số 04 (thường xuyên / công nhận thoát nghèo)
    FORM_01 = "form_01", _("Mẫu số 01 – Giấy đề nghị rà soát")
    FORM_04 = "form_04", _("Mẫu số 04 – Giấy đề nghị rà soát thường xuyên, công nhận thoát nghèo")


class RequestChannel(models.TextChoices):
    DIRECT = "direct", _("Nộp trực tiếp")
    POST = "post", _("Qua bưu điện")
    ONLINE = "online", _("Trực tuyến")


class CaseSource(models.TextChoices):
    CURRENT_LIST = "current", _("Đang trong danh sách hộ nghèo, cận nghèo")
    REQUEST = "request", _("Hộ có giấy đề nghị")
    ADDED = "added", _("Cán bộ bổ sung")


class CaseStatus(models.TextChoices):
    LISTED = "listed", _("Chưa khảo sát")
    DRAFT = "draft", _("Đang khảo sát (nháp)")
    SURVEYED = "surveyed", _("Đã khảo sát, phân loại")
    AGREED = "agreed", _("Họp dân thống nhất")
    RESURVEY = "resurvey", _("Phải rà soát lại (họp dân dưới 50 %)")


class SubmissionState(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    RETURNED = "returned", _("Bị trả lại")


class ApprovalLevel(models.TextChoices):
    DISTRICT = "district", _("Cấp huyện")
    PROVINCE = "province", _("Cấp tỉnh")


class Action(models.TextChoices):
    OPEN = "open", _("Mở đợt rà soát")
    CASE_ADD = "case_add", _("Bổ sung hộ vào danh sách rà soát")
    CASE_SAVE = "case_save", _("Lưu phiếu rà soát")
    MEETING = "meeting", _("Ghi kết quả họp dân")
    RESURVEY = "resurvey", _("Trả hộ về rà soát lại")
    POSTING_START = "posting_start", _("Bắt đầu niêm yết công khai")
    COMPLAINT = "complaint", _("Ghi nhận khiếu nại")
    RECHECK = "recheck", _("Ghi kết quả phúc tra")
    SUBMIT = "submit", _("Trình danh sách")
    APPROVE = "approve", _("Duyệt")
    RETURN = "return", _("Trả lại")
    RECOGNISE = "recognise", _("Ra quyết định công nhận")
    REOPEN = "reopen", _("Mở lại đợt rà soát")


class SignerForm(models.TextChoices):
    """Who signs a decision: the chairman, a deputy for him (KT.) or an acting chairman (Q.) (NĐ 30/2020/NĐ-CP,
    Điều 13). Whether "TM. ỦY BAN NHÂN DÂN" goes above is not the signer's choice but the document's: see
    SignatureAuthority. The stored values "TM."/"KT." predate that split and are kept so old rows stay valid."""

    CHAIRMAN = "TM.", _("Chủ tịch ký")
    DEPUTY = "KT.", _("Phó Chủ tịch ký thay Chủ tịch (KT. Chủ tịch)")
    ACTING = "Q.", _("Quyền Chủ tịch ký (Q. Chủ tịch)")


class DocumentKind(models.TextChoices):
    """The review documents the portal prints, each with its own issuing authority (SignatureAuthority)."""

    DECISION = "decision", _("Quyết định công nhận hộ nghèo, hộ cận nghèo")
    CERTIFICATE = "certificate", _("Giấy chứng nhận hộ nghèo, hộ cận nghèo")
    POSTING = "posting", _("Danh sách niêm yết công khai")


class IssuedBy(models.TextChoices):
    # NĐ 30/2020/NĐ-CP, Điều 13 khoản 1–2: the head signs what he issues in his own name; a collective body's
    # documents are signed "TM." (on behalf of) the collective.
    HEAD = "head", _("Chủ tịch Ủy ban nhân dân ban hành (ký: CHỦ TỊCH)")
    COMMITTEE = "committee", _("Ủy ban nhân dân ban hành (ký: TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH)")


class LegalTopic(models.TextChoices):
    """What a legal document is cited for in the "Căn cứ" lines of the review documents."""

    LOCAL_GOVERNMENT = "local_government", _("Tổ chức chính quyền địa phương")
    REVIEW_PROCEDURE = "review_procedure", _("Quy trình rà soát hộ nghèo, hộ cận nghèo")
    POVERTY_STANDARD = "poverty_standard", _("Chuẩn nghèo đa chiều")


class LegalStatus(models.TextChoices):
    # The tags of the legal reference (domain.md §0): checked against the text, partly, or not at all.
    VERIFIED = "V", _("[V] Đã đối chiếu văn bản")
    PARTIAL = "P", _("[P] Đối chiếu một phần, cần kiểm tra lại")
    UNVERIFIED = "U", _("[U] Chưa đối chiếu được văn bản")


# The lists a commune submits (QĐ 24/2021, Điều 4 bước 4–5), in the order they are printed.
LIST_KEYS = ("poor", "near_poor", "escaped_poor", "escaped_near_poor", "new_poor", "relapsed")
LIST_TITLES = {
    "poor": _("Danh sách hộ nghèo"),
    "near_poor": _("Danh sách hộ cận nghèo"),
    "escaped_poor": _("Danh sách hộ thoát nghèo"),
    "escaped_near_poor": _("Danh sách hộ thoát cận nghèo"),
    "new_poor": _("Danh sách hộ nghèo, cận nghèo phát sinh"),
    "relapsed": _("Danh sách hộ tái nghèo, tái cận nghèo"),
}
