"""Review rounds and what happens in them: requests, cases, village meetings, posting, complaints, submissions.

State changes are explicit transition methods (django-oscar style): each checks the source state, sets the
new one and writes an ``ApprovalAction`` row. The services in ``reviews.services`` wrap them in a transaction
with the optimistic lock; nothing here does I/O besides the row writes.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q
from households.choices import HouseholdClass
from reviews.choices import (
    Action,
    ApprovalLevel,
    CaseSource,
    CaseStatus,
    RequestChannel,
    RequestForm,
    RoundKind,
    RoundState,
    SignerForm,
    SubmissionState,
)
from reviews.snapshot import snapshot_counts


class TransitionRefused(ValidationError):
    """An action that the round's current state does not allow (explained in Vietnamese)."""


# Which states each action may start from: the whole state machine in one table.
ALLOWED_FROM = {
    Action.CASE_ADD: (RoundState.OPEN, RoundState.RETURNED),
    Action.CASE_SAVE: (RoundState.OPEN, RoundState.RETURNED),
    Action.MEETING: (RoundState.OPEN, RoundState.RETURNED),
    # from RETURNED too: a household added, or a result changed, after the posting is posted again before it is
    # submitted (QĐ 24/2021, Điều 4 bước 4: the results are posted publicly; see review_round_submit)
    Action.POSTING_START: (RoundState.OPEN, RoundState.RETURNED),
    Action.COMPLAINT: (RoundState.POSTING,),
    Action.RECHECK: (RoundState.POSTING,),
    Action.SUBMIT: (RoundState.POSTING, RoundState.RETURNED),
    Action.APPROVE: (RoundState.SUBMITTED,),
    Action.RETURN: (RoundState.SUBMITTED,),
    Action.RECOGNISE: (RoundState.APPROVED,),
    Action.REOPEN: (RoundState.APPROVED, RoundState.RECOGNISED),
}


class ReviewRoundQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReviewRoundQuerySet":
        """Rounds of the communes the user may see (accounts.scoping)."""
        return self.filter(unit_scope_q(user, "commune"))


class ReviewRound(models.Model):
    """One review of one commune: the annual (periodic) review or one month's regular review.

    ``version`` is the optimistic lock (two officers cannot overwrite each other); ``revision`` counts the
    reopenings: a reopened round keeps its earlier submissions and decision and gets new ones.
    """

    commune = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("xã"), on_delete=models.PROTECT, related_name="review_rounds"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("loại rà soát"), max_length=10, choices=RoundKind.choices)
    month = models.PositiveSmallIntegerField(_("tháng (rà soát thường xuyên)"), null=True, blank=True)
    starts_on = models.DateField(_("ngày bắt đầu"))
    due_on = models.DateField(_("hạn hoàn thành"))
    reference_date = models.DateField(
        _("ngày tham chiếu"), help_text=_("Ngày dùng để tính tuổi và chọn chuẩn nghèo áp dụng.")
    )
    standard_code = models.CharField(_("chuẩn nghèo áp dụng"), max_length=20)
    state = models.CharField(_("trạng thái"), max_length=12, choices=RoundState.choices, default=RoundState.OPEN)
    revision = models.PositiveSmallIntegerField(_("lần"), default=1)
    version = models.PositiveIntegerField(default=1, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("người mở đợt")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt rà soát")
        verbose_name_plural = _("đợt rà soát")
        ordering = ["-year", "-month", "commune"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "year"],
                condition=Q(kind="periodic"),
                name="reviews_one_periodic_round_per_year",
            ),
            models.UniqueConstraint(
                fields=["commune", "year", "month"],
                condition=Q(kind="regular"),
                name="reviews_one_regular_round_per_month",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == RoundKind.REGULAR:
            return gettext("Rà soát thường xuyên tháng %(month)s/%(year)s – %(commune)s") % {
                "month": f"{self.month:02d}",
                "year": self.year,
                "commune": self.commune,
            }
        return gettext("Rà soát định kỳ năm %(year)s – %(commune)s") % {"year": self.year, "commune": self.commune}

    @property
    def is_locked(self) -> bool:
        return self.state == RoundState.RECOGNISED

    def can(self, action: str) -> bool:
        return self.state in ALLOWED_FROM[action]

    def require(self, action: str) -> None:
        """Refuse, in Vietnamese, an action the current state does not allow."""
        if self.is_locked and action != Action.REOPEN:
            raise TransitionRefused(
                gettext(
                    "Đợt rà soát đã có quyết định công nhận và đã khoá: không ai sửa được. "
                    "Nếu cần sửa, cấp duyệt phải mở lại đợt (ghi rõ lý do)."
                )
            )
        if not self.can(action):
            raise TransitionRefused(
                gettext("Không thể “%(action)s” khi đợt rà soát đang ở trạng thái “%(state)s”.")
                % {"action": Action(action).label, "state": self.get_state_display()}
            )

    def log(self, *, action: str, user, comment: str = "", case=None, submission=None) -> "ApprovalAction":
        return ApprovalAction.objects.create(
            round=self,
            action=action,
            user=user,
            comment=comment,
            case=case,
            submission=submission,
            revision=self.revision,
        )

    def transition(self, *, action: str, to: str, user, comment: str = "", submission=None) -> "ApprovalAction":
        """Check the source state, move to ``to`` and write the log row."""
        self.require(action)
        self.state = to
        self.save(update_fields=["state", "updated_at"])
        return self.log(action=action, user=user, comment=comment, submission=submission)

    # --- the transitions --------------------------------------------------------------------------
    def start_posting(self, *, user, comment: str = "") -> "ApprovalAction":
        return self.transition(action=Action.POSTING_START, to=RoundState.POSTING, user=user, comment=comment)

    def submit(self, *, user, submission) -> "ApprovalAction":
        return self.transition(action=Action.SUBMIT, to=RoundState.SUBMITTED, user=user, submission=submission)

    def mark_approved(self, *, user, comment: str, submission, final: bool) -> "ApprovalAction":
        if final:
            return self.transition(
                action=Action.APPROVE, to=RoundState.APPROVED, user=user, comment=comment, submission=submission
            )
        self.require(Action.APPROVE)  # an intermediate level: the round waits for the next one
        return self.log(action=Action.APPROVE, user=user, comment=comment, submission=submission)

    def send_back(self, *, user, comment: str, submission) -> "ApprovalAction":
        return self.transition(
            action=Action.RETURN, to=RoundState.RETURNED, user=user, comment=comment, submission=submission
        )

    def recognise(self, *, user, comment: str = "") -> "ApprovalAction":
        return self.transition(action=Action.RECOGNISE, to=RoundState.RECOGNISED, user=user, comment=comment)

    def reopen(self, *, user, reason: str) -> "ApprovalAction":
        self.require(Action.REOPEN)
        self.state, self.revision = RoundState.RETURNED, self.revision + 1
        self.save(update_fields=["state", "revision", "updated_at"])
        return self.log(action=Action.REOPEN, user=user, comment=reason)


class HouseholdRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "HouseholdRequestQuerySet":
        return self.filter(unit_scope_q(user, "household__village"))


class HouseholdRequest(models.Model):
    """A household's written request (Mẫu số 01 or 04), attached to the next open round of its commune."""

    household = models.ForeignKey(
        "households.Household", verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="review_requests"
    )
    form = models.CharField(_("mẫu đơn"), max_length=10, choices=RequestForm.choices)
    received_on = models.DateField(_("ngày nhận"))
    channel = models.CharField(_("hình thức nộp"), max_length=10, choices=RequestChannel.choices)
    content = models.TextField(_("nội dung đề nghị"), blank=True)
    round = models.ForeignKey(
        ReviewRound,
        verbose_name=_("đợt rà soát"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HouseholdRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy đề nghị rà soát")
        verbose_name_plural = _("giấy đề nghị rà soát")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.household.code} – {self.get_form_display()}"

    @property
    def round_kind(self) -> str:
        # QĐ 24/2021, Điều 4 (Mẫu số 01 → định kỳ) và Điều 5 (Mẫu số 04 → thường xuyên)
        return RoundKind.PERIODIC if self.form == RequestForm.FORM_01 else RoundKind.REGULAR


class ReviewCaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReviewCaseQuerySet":
        return self.filter(unit_scope_q(user, "round__commune"))


class ReviewCase(models.Model):
    """One household reviewed in a round: why it is on the list, the survey draft, and the proposed class.

    ``survey`` keeps the answers as typed (facts, indicator answers, score A or income) so that a draft can
    be resumed; ``assessment`` is the classification snapshot made from them by households.classification.
    """

    round = models.ForeignKey(
        ReviewRound, verbose_name=_("đợt rà soát"), on_delete=models.CASCADE, related_name="cases"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="review_cases"
    )
    source = models.CharField(_("lý do đưa vào danh sách"), max_length=10, choices=CaseSource.choices)
    reason = models.TextField(_("lý do bổ sung"), blank=True)
    request = models.ForeignKey(HouseholdRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    previous_class = models.CharField(
        _("phân loại trước rà soát"), max_length=20, choices=HouseholdClass.choices, blank=True
    )
    status = models.CharField(_("tình trạng"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.LISTED)
    survey = models.JSONField(_("phiếu rà soát"), default=dict, blank=True)
    assessment = models.JSONField(_("kết quả tính"), default=dict, blank=True)
    proposed_class = models.CharField(_("phân loại đề xuất"), max_length=20, choices=HouseholdClass.choices, blank=True)
    score_a = models.PositiveSmallIntegerField(_("điểm A"), null=True, blank=True)
    score_b = models.PositiveSmallIntegerField(_("điểm B"), null=True, blank=True)
    surveyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    surveyed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ReviewCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ được rà soát")
        verbose_name_plural = _("hộ được rà soát")
        ordering = ["household__village__name", "household__code"]
        constraints = [models.UniqueConstraint(fields=["round", "household"], name="reviews_household_once_per_round")]

    def __str__(self) -> str:
        return f"{self.household} ({self.round})"

    @property
    def needs_survey(self) -> bool:
        return self.status in (CaseStatus.LISTED, CaseStatus.DRAFT, CaseStatus.RESURVEY)

    def mark_surveyed(self, *, final: bool) -> None:
        if self.status == CaseStatus.AGREED and final:
            return
        self.status = CaseStatus.SURVEYED if final else CaseStatus.DRAFT

    def apply_vote(self, share: Decimal) -> bool:
        """QĐ 24/2021, Điều 4 bước 3: ≥ 50 % of attendees must agree, otherwise the household is re-surveyed."""
        agreed = share >= Decimal("50")
        self.status = CaseStatus.AGREED if agreed else CaseStatus.RESURVEY
        return agreed


class RoundChildQuerySet(models.QuerySet):
    """For the rows that belong to a round: visible with the round's commune (accounts.scoping)."""

    round_lookup = "round__commune"

    def visible_to(self, user) -> "RoundChildQuerySet":
        return self.filter(unit_scope_q(user, self.round_lookup))


class ComplaintQuerySet(RoundChildQuerySet):
    round_lookup = "posting__round__commune"


class VillageMeeting(models.Model):
    """Họp dân (QĐ 24/2021, Điều 4 bước 3): one village meeting of a round, chaired by the village head."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="meetings")
    village = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("thôn, buôn"), on_delete=models.PROTECT, related_name="+"
    )
    held_at = models.DateTimeField(_("thời gian họp"))
    location = models.CharField(_("địa điểm"), max_length=200)
    chair = models.CharField(_("chủ trì (trưởng thôn)"), max_length=150)
    secretary = models.CharField(_("thư ký"), max_length=150)
    attendees = models.PositiveIntegerField(_("số người dự họp"), validators=[MinValueValidator(1)])
    supervisors = models.TextField(_("đại diện giám sát"), help_text=_("Mỗi dòng một người, ví dụ Ủy ban MTTQ xã."))
    # QĐ 24/2021/QĐ-TTg, Điều 4 khoản 3: the Fatherland Front supervises the meeting; its representative signs
    # the minutes. Blank only on meetings recorded before the field existed.
    front_representative = models.CharField(
        _("đại diện Ủy ban MTTQ Việt Nam xã giám sát"),
        max_length=150,
        blank=True,
        help_text=_("Họ và tên người ký biên bản thay mặt Ủy ban Mặt trận Tổ quốc Việt Nam xã."),
    )
    conclusion = models.TextField(_("kết luận cuộc họp"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("cuộc họp dân")
        verbose_name_plural = _("cuộc họp dân")
        ordering = ["held_at"]

    def __str__(self) -> str:
        return f"{self.village} – {timezone.localtime(self.held_at):%d/%m/%Y}"

    @property
    def supervisor_list(self) -> list[str]:
        return [line.strip() for line in self.supervisors.splitlines() if line.strip()]


class MeetingVote(models.Model):
    """How many attendees agreed with one household's result at a meeting."""

    meeting = models.ForeignKey(VillageMeeting, on_delete=models.CASCADE, related_name="votes")
    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="votes")
    proposed_class = models.CharField(max_length=20, choices=HouseholdClass.choices)
    agreeing = models.PositiveIntegerField(_("số người đồng ý"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="reviews_one_vote_per_case")]

    def __str__(self) -> str:
        return f"{self.case.household.code}: {self.agreeing}/{self.meeting.attendees}"

    @property
    def share(self) -> Decimal:
        return (Decimal(self.agreeing) * 100 / Decimal(self.meeting.attendees)).quantize(Decimal("0.1"))


class Posting(models.Model):
    """Niêm yết công khai (QĐ 24/2021, Điều 4 bước 4) at the commune office and in the villages."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="postings")
    revision = models.PositiveSmallIntegerField(default=1)
    starts_on = models.DateField(_("ngày bắt đầu niêm yết"))
    ends_on = models.DateField(_("ngày kết thúc niêm yết"))
    places = models.TextField(_("nơi niêm yết"))
    # The posted list is signed like the decision (NĐ 30/2020/NĐ-CP, Điều 13); postings started before the signer
    # was asked for keep an empty name, which the print leaves as a blank line to sign over.
    signer_name = models.CharField(_("người ký"), max_length=150, default="")
    signer_form = models.CharField(
        _("người ký với tư cách"), max_length=4, choices=SignerForm.choices, default=SignerForm.CHAIRMAN
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("niêm yết công khai")
        verbose_name_plural = _("niêm yết công khai")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.starts_on:%d/%m/%Y} – {self.ends_on:%d/%m/%Y}"


class Complaint(models.Model):
    """A complaint made during posting and its re-check (phúc tra)."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="complaints")
    case = models.ForeignKey(
        ReviewCase, verbose_name=_("hộ bị khiếu nại"), on_delete=models.CASCADE, related_name="complaints"
    )
    received_on = models.DateField(_("ngày nhận"))
    complainant = models.CharField(_("người khiếu nại"), max_length=150)
    content = models.TextField(_("nội dung"))
    recheck_due = models.DateField(_("hạn phúc tra"))
    rechecked_on = models.DateField(_("ngày phúc tra"), null=True, blank=True)
    recheck_result = models.TextField(_("kết quả phúc tra"), blank=True)
    result_class = models.CharField(
        _("phân loại sau phúc tra"), max_length=20, choices=HouseholdClass.choices, blank=True
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("khiếu nại")
        verbose_name_plural = _("khiếu nại")
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.complainant}: {self.case.household.code}"

    @property
    def is_resolved(self) -> bool:
        return self.rechecked_on is not None


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SubmissionQuerySet":
        return self.filter(unit_scope_q(user, "round__commune"))


class Submission(models.Model):
    """One version of the commune's lists sent for approval, frozen as a snapshot when submitted."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField(_("lần trình"))
    revision = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=SubmissionState.choices, default=SubmissionState.PENDING
    )
    snapshot = models.JSONField(_("danh sách đã trình"))
    # The snapshot's numbers (reviews.snapshot.snapshot_counts), kept so that lists of submissions need not read
    # the snapshot, which holds every reviewed household.
    counts = models.JSONField(default=dict, editable=False)
    required_levels = models.JSONField(default=list)
    approved_levels = models.JSONField(default=list)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("danh sách trình duyệt")
        verbose_name_plural = _("danh sách trình duyệt")
        ordering = ["-submitted_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="reviews_submission_number")]

    def __str__(self) -> str:
        return gettext("%(round)s – lần trình %(n)s") % {"round": self.round, "n": self.number}

    def save(self, *args, **kwargs):
        if not self.counts and self.snapshot:
            self.counts = {k: v for k, v in snapshot_counts(self.snapshot).items() if k != "source"}
        super().save(*args, **kwargs)

    @property
    def next_level(self) -> str | None:
        pending = [level for level in self.required_levels if level not in self.approved_levels]
        return pending[0] if pending else None

    @property
    def next_level_label(self) -> str:
        return ApprovalLevel(self.next_level).label if self.next_level else ""


class ApprovalActionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ApprovalActionQuerySet":
        return self.filter(unit_scope_q(user, "round__commune"))


class ApprovalAction(models.Model):
    """The log of a round: every transition and every approve, return and reopen, with who, when and why."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="actions")
    revision = models.PositiveSmallIntegerField(_("lần"), default=1)
    action = models.CharField(_("thao tác"), max_length=15, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    comment = models.TextField(_("ý kiến"), blank=True)
    case = models.ForeignKey(ReviewCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")

    objects = ApprovalActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký rà soát")
        verbose_name_plural = _("nhật ký rà soát")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {timezone.localtime(self.at):%d/%m/%Y %H:%M}"
