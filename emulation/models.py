"""The emulation movement "Vì người nghèo – Không để ai bị bỏ lại phía sau" (domain.md §6): movements as data, the
criteria each level is judged on, dated evaluations, nominations with their workflow, award decisions and the
award register, typical examples and the movement's results per unit and period.

Phases: 2016–2020 under QĐ 1258/QĐ-TTg (21/08/2017), 2021–2025 under QĐ 666/QĐ-TTg (02/06/2022); later phases are
rows an administrator creates. Award forms follow the Law on Emulation and Commendation 2022 (Luật số
06/2022/QH15, Điều 9); criteria of the movement's plans are data with their source and [V]/[P]/[U] tag, never
constants (domain.md §6.1: the award criteria of QĐ 1258/666 were not retrieved).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q


class Level(models.TextChoices):
    """What the movement judges (seed 002, §6: criteria per level)."""

    DISTRICT = "district", _("Huyện")
    COMMUNE = "commune", _("Xã, phường, thị trấn")
    VILLAGE = "village", _("Thôn, buôn, tổ dân phố")
    HOUSEHOLD = "household", _("Hộ gia đình")
    CADRE = "cadre", _("Cán bộ, công chức, viên chức")
    ENTERPRISE = "enterprise", _("Doanh nghiệp, tổ chức")
    INDIVIDUAL = "individual", _("Cá nhân")


class SourceTag(models.TextChoices):
    VERIFIED = "V", _("[V] đã kiểm chứng")
    PARTIAL = "P", _("[P] kiểm chứng một phần")
    UNVERIFIED = "U", _("[U] chưa kiểm chứng")


class MovementQuerySet(models.QuerySet):
    def visible_to(self, user) -> MovementQuerySet:
        """Movements run by the user's unit or a unit below it (it oversees them), or by a unit above it (it
        takes part in them): a commune sees its district's and province's movements."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_system_admin:
            return self.all()
        if user.unit_id is None:
            return self.none()
        above = [int(pk) for pk in user.unit.path.strip("/").split("/") if pk]
        return self.filter(Q(unit__path__startswith=user.unit.path) | Q(unit__pk__in=above))


class Movement(models.Model):
    """One phase of the movement as run by one unit (a district's plan 2021–2025, a province's …)."""

    name = models.CharField(_("tên phong trào"), max_length=255)
    phase_start = models.PositiveSmallIntegerField(_("từ năm"))
    phase_end = models.PositiveSmallIntegerField(_("đến năm"))
    unit = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("đơn vị phát động"), on_delete=models.PROTECT, related_name="+"
    )
    launch_number = models.CharField(_("số văn bản phát động"), max_length=60)
    launch_date = models.DateField(_("ngày văn bản phát động"))
    launch_signer = models.CharField(_("người ký văn bản phát động"), max_length=120, blank=True)
    launch_title = models.CharField(_("trích yếu văn bản phát động"), max_length=300, blank=True)
    legal_basis = models.CharField(
        _("căn cứ"), max_length=255, blank=True, help_text=_("Ví dụ: Quyết định số 666/QĐ-TTg ngày 02/6/2022.")
    )
    levels = ArrayField(
        models.CharField(max_length=20, choices=Level.choices), verbose_name=_("các cấp được đánh giá"), default=list
    )
    is_active = models.BooleanField(_("đang triển khai"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("phong trào thi đua")
        verbose_name_plural = _("phong trào thi đua")
        ordering = ["-phase_start", "unit__path"]
        constraints = [
            models.CheckConstraint(condition=Q(phase_end__gte=models.F("phase_start")), name="emulation_phase_range")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.phase_start}–{self.phase_end})"


class MilestoneKind(models.TextChoices):
    LAUNCH = "launch", _("Phát động")
    YEARLY_REVIEW = "yearly_review", _("Sơ kết hằng năm")
    MID_TERM = "mid_term", _("Sơ kết giữa kỳ")
    FINAL = "final", _("Tổng kết")


class Milestone(models.Model):
    movement = models.ForeignKey(
        Movement, verbose_name=_("phong trào"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("mốc"), max_length=20, choices=MilestoneKind.choices)
    due_on = models.DateField(_("thời hạn"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("mốc thời gian")
        verbose_name_plural = _("mốc thời gian")
        ordering = ["movement", "due_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on:%d/%m/%Y}"


class CriterionKind(models.TextChoices):
    QUALITATIVE = "qualitative", _("Định tính (người đánh giá xác nhận, kèm minh chứng)")
    QUANTITATIVE = "quantitative", _("Định lượng (tính từ dữ liệu của cổng)")


class Criterion(models.Model):
    """A criterion of one level. A quantitative one names its measure (emulation.measures registry) and the
    measure's parameters as data (thresholds, years), so a plan's numbers are corrected without a release."""

    movement = models.ForeignKey(
        Movement, verbose_name=_("phong trào"), on_delete=models.CASCADE, related_name="criteria"
    )
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices)
    code = models.SlugField(_("mã tiêu chí"), max_length=60)
    name = models.CharField(_("tiêu chí"), max_length=500)
    kind = models.CharField(_("loại"), max_length=20, choices=CriterionKind.choices)
    measure = models.CharField(_("cách tính"), max_length=60, blank=True)
    parameters = models.JSONField(_("tham số"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    tag = models.CharField(_("mức kiểm chứng"), max_length=1, choices=SourceTag.choices, default=SourceTag.UNVERIFIED)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("tiêu chí thi đua")
        verbose_name_plural = _("tiêu chí thi đua")
        ordering = ["movement", "level", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "level", "code"], name="emulation_one_criterion_code"),
            models.CheckConstraint(
                condition=Q(kind="qualitative") | ~Q(measure=""), name="emulation_quantitative_has_measure"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """An assessor's verdict on a qualitative criterion for one subject and year, with evidence."""

    criterion = models.ForeignKey(
        Criterion, verbose_name=_("tiêu chí"), on_delete=models.CASCADE, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    unit = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, null=True, blank=True
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("hộ gia đình"), on_delete=models.PROTECT, null=True, blank=True
    )
    subject_name = models.CharField(_("đối tượng"), max_length=255, blank=True)
    met = models.BooleanField(_("đạt"))
    evidence = models.FileField(_("minh chứng"), upload_to="emulation/evidence/%Y/", blank=True, max_length=255)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đánh giá"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("thời điểm đánh giá"), auto_now=True)

    class Meta:
        verbose_name = _("đánh giá tiêu chí định tính")
        verbose_name_plural = _("đánh giá tiêu chí định tính")

    def __str__(self) -> str:
        return f"{self.criterion} {self.year}: {self.met}"


class EvaluationQuerySet(models.QuerySet):
    def visible_to(self, user) -> EvaluationQuerySet:
        return self.filter(unit_scope_q(user, "scope"))


class Evaluation(models.Model):
    """A dated snapshot: every quantitative criterion of a movement evaluated for every subject in a scope and a
    year, with the figures behind each verdict (``EvaluationResult``)."""

    movement = models.ForeignKey(
        Movement, verbose_name=_("phong trào"), on_delete=models.CASCADE, related_name="evaluations"
    )
    scope = models.ForeignKey("areas.AdministrativeUnit", verbose_name=_("phạm vi"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    evaluated_at = models.DateTimeField(_("thời điểm đánh giá"), auto_now_add=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đánh giá"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt đánh giá")
        verbose_name_plural = _("đợt đánh giá")
        ordering = ["-evaluated_at"]

    def __str__(self) -> str:
        return f"{self.movement} – {self.scope} {self.year} ({self.evaluated_at:%d/%m/%Y})"


class EvaluationResult(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    criterion = models.ForeignKey(Criterion, verbose_name=_("tiêu chí"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, null=True, blank=True
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("hộ gia đình"), on_delete=models.PROTECT, null=True, blank=True
    )
    met = models.BooleanField(_("đạt"), null=True)  # None: the figures needed are missing (said in ``figures``)
    figures = models.JSONField(_("số liệu"), default=dict)

    class Meta:
        verbose_name = _("kết quả đánh giá")
        verbose_name_plural = _("kết quả đánh giá")
        indexes = [models.Index(fields=["evaluation", "criterion"], name="emulation_result_idx")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.met}"


class SubjectType(models.TextChoices):
    COLLECTIVE = "collective", _("Tập thể")
    INDIVIDUAL = "individual", _("Cá nhân")
    HOUSEHOLD = "household", _("Hộ gia đình")
    ENTERPRISE = "enterprise", _("Doanh nghiệp, tổ chức")


class AwardForm(models.TextChoices):
    """Luật Thi đua, khen thưởng 2022, Điều 9; who grants each (Điều 74–76 [P])."""

    COMMUNE_CERTIFICATE = "commune_certificate", _("Giấy khen của Chủ tịch UBND xã")
    DISTRICT_CERTIFICATE = "district_certificate", _("Giấy khen của Chủ tịch UBND huyện")
    PROVINCE_MERIT = "province_merit", _("Bằng khen của Chủ tịch UBND tỉnh")
    HIGHER = "higher", _("Hình thức cao hơn (trình cấp trên)")


class NominationStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Đã trình")
    REVIEWED = "reviewed", _("Hội đồng đã xét")
    DECIDED = "decided", _("Đã quyết định khen thưởng")
    REJECTED = "rejected", _("Không khen thưởng")


class NominationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NominationQuerySet:
        """Nominations a unit proposed are seen by that unit and the units above it (which review them)."""
        return self.filter(unit_scope_q(user, "proposing_unit"))


class Nomination(models.Model):
    """Đề nghị khen thưởng: a collective, individual, household or enterprise proposed for an award."""

    movement = models.ForeignKey(
        Movement, verbose_name=_("phong trào"), on_delete=models.PROTECT, related_name="nominations"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    proposing_unit = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("đơn vị đề nghị"), on_delete=models.PROTECT, related_name="+"
    )
    subject_type = models.CharField(_("đối tượng"), max_length=20, choices=SubjectType.choices)
    subject_name = models.CharField(_("tên tập thể, cá nhân, hộ"), max_length=255)
    subject_unit = models.ForeignKey(
        "areas.AdministrativeUnit",
        verbose_name=_("đơn vị được đề nghị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("hộ gia đình"), on_delete=models.PROTECT, null=True, blank=True
    )
    position = models.CharField(_("chức vụ, nơi công tác"), max_length=255, blank=True)
    achievements = models.TextField(_("thành tích"))
    requested_form = models.CharField(_("hình thức đề nghị"), max_length=30, choices=AwardForm.choices)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=NominationStatus.choices, default=NominationStatus.DRAFT
    )
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("đợt đánh giá"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("đề nghị khen thưởng")
        verbose_name_plural = _("đề nghị khen thưởng")
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        return f"{self.subject_name} – {self.get_requested_form_display()} ({self.year})"


class NominationEvidence(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tệp minh chứng"), upload_to="emulation/nominations/%Y/", max_length=255)
    description = models.CharField(_("mô tả"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return self.description


class NominationLog(models.Model):
    """Each step of a nomination: who, when, from which status to which, and the comment given."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(_("thao tác"), max_length=30)
    from_status = models.CharField(_("từ trạng thái"), max_length=20, choices=NominationStatus.choices, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=20, choices=NominationStatus.choices)
    comment = models.TextField(_("ý kiến"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhật ký đề nghị")
        verbose_name_plural = _("nhật ký đề nghị")
        ordering = ["nomination", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%d/%m/%Y %H:%M}"


class AwardDecisionQuerySet(models.QuerySet):
    def visible_to(self, user) -> AwardDecisionQuerySet:
        return self.filter(unit_scope_q(user, "issuer"))


class AwardDecision(models.Model):
    """Quyết định khen thưởng: number, date, signer and the list of awardees (``Award`` rows)."""

    movement = models.ForeignKey(
        Movement, verbose_name=_("phong trào"), on_delete=models.PROTECT, related_name="decisions"
    )
    issuer = models.ForeignKey("areas.AdministrativeUnit", verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT)
    form = models.CharField(_("hình thức khen thưởng"), max_length=30, choices=AwardForm.choices)
    number = models.CharField(_("số quyết định"), max_length=40)
    signed_on = models.DateField(_("ngày ký"))
    abstract = models.CharField(_("trích yếu"), max_length=300)
    signer_name = models.CharField(_("người ký"), max_length=120)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120)
    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=120, blank=True)
    pdf_file = models.FileField(_("tệp PDF"), upload_to="emulation/decisions/%Y/", blank=True, max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AwardDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định khen thưởng")
        verbose_name_plural = _("quyết định khen thưởng")
        ordering = ["-signed_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number", "signed_on"], name="emulation_one_decision_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.signed_on:%d/%m/%Y})"


class AwardQuerySet(models.QuerySet):
    def visible_to(self, user) -> AwardQuerySet:
        return self.filter(unit_scope_q(user, "unit"))


class Award(models.Model):
    """One line of the award register (sổ khen thưởng): who received which form by which decision."""

    decision = models.ForeignKey(
        AwardDecision, verbose_name=_("quyết định"), on_delete=models.CASCADE, related_name="awards"
    )
    nomination = models.OneToOneField(
        Nomination, verbose_name=_("đề nghị"), on_delete=models.PROTECT, null=True, blank=True, related_name="award"
    )
    subject_type = models.CharField(_("đối tượng"), max_length=20, choices=SubjectType.choices)
    subject_name = models.CharField(_("tên tập thể, cá nhân, hộ"), max_length=255)
    unit = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "households.Household", verbose_name=_("hộ gia đình"), on_delete=models.PROTECT, null=True, blank=True
    )
    form = models.CharField(_("hình thức"), max_length=30, choices=AwardForm.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    achievements = models.TextField(_("thành tích"), blank=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("sổ khen thưởng")
        ordering = ["-year", "subject_name"]
        indexes = [models.Index(fields=["year", "form"], name="emulation_award_year_form")]

    def __str__(self) -> str:
        return f"{self.subject_name} – {self.get_form_display()} ({self.year})"


class TypicalExampleQuerySet(models.QuerySet):
    def visible_to(self, user) -> TypicalExampleQuerySet:
        return self.filter(unit_scope_q(user, "unit"))


class TypicalExample(models.Model):
    """Điển hình tiên tiến: a household, person or collective whose story the summary report tells."""

    movement = models.ForeignKey(
        Movement, verbose_name=_("phong trào"), on_delete=models.PROTECT, related_name="examples"
    )
    unit = models.ForeignKey("areas.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("năm"))
    subject_name = models.CharField(_("tên điển hình"), max_length=255)
    household = models.ForeignKey(
        "households.Household", verbose_name=_("hộ gia đình"), on_delete=models.SET_NULL, null=True, blank=True
    )
    story = models.TextField(_("câu chuyện"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TypicalExampleQuerySet.as_manager()

    class Meta:
        verbose_name = _("điển hình tiên tiến")
        verbose_name_plural = _("điển hình tiên tiến")
        ordering = ["-year", "subject_name"]

    def __str__(self) -> str:
        return self.subject_name


class MovementResultQuerySet(models.QuerySet):
    def visible_to(self, user) -> MovementResultQuerySet:
        return self.filter(unit_scope_q(user, "unit"))


class MovementResult(models.Model):
    """What a unit mobilised in the movement in a year: the "Vì người nghèo" fund, houses, volunteers, models."""

    movement = models.ForeignKey(
        Movement, verbose_name=_("phong trào"), on_delete=models.PROTECT, related_name="results"
    )
    unit = models.ForeignKey("areas.AdministrativeUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("năm"))
    fund_raised = models.DecimalField(
        _("quỹ Vì người nghèo vận động được (đồng)"), max_digits=16, decimal_places=0, default=0
    )
    houses_built = models.PositiveIntegerField(_("nhà xây mới từ nguồn vận động"), default=0)
    houses_repaired = models.PositiveIntegerField(_("nhà sửa chữa từ nguồn vận động"), default=0)
    volunteers = models.PositiveIntegerField(_("lượt tình nguyện viên"), default=0)
    working_days = models.PositiveIntegerField(_("ngày công"), default=0)
    models_replicated = models.PositiveIntegerField(_("mô hình được nhân rộng"), default=0)
    source = models.CharField(_("nguồn số liệu"), max_length=255)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhập"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    objects = MovementResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả phong trào")
        verbose_name_plural = _("kết quả phong trào")
        constraints = [models.UniqueConstraint(fields=["movement", "unit", "year"], name="emulation_one_result_a_year")]

    def __str__(self) -> str:
        return f"{self.movement} – {self.unit} {self.year}"
