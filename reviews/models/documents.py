"""What recognition produces: the commune chairman's decision and one certificate per poor/near-poor household."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q
from households.choices import HouseholdClass
from reviews.choices import SignerForm


class RecognitionDecisionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RecognitionDecisionQuerySet":
        return self.filter(unit_scope_q(user, "round__commune"))


class RecognitionDecision(models.Model):
    """Quyết định công nhận (QĐ 24/2021, Điều 4 bước 5), frozen with the approved lists it attaches."""

    round = models.ForeignKey("reviews.ReviewRound", on_delete=models.PROTECT, related_name="decisions")
    submission = models.ForeignKey("reviews.Submission", on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveSmallIntegerField(default=1)
    number = models.CharField(_("số quyết định"), max_length=30, help_text=_("Ví dụ 125/QĐ-UBND."))
    signed_on = models.DateField(_("ngày ký"))
    signer_name = models.CharField(_("người ký"), max_length=150)
    signer_form = models.CharField(_("người ký với tư cách"), max_length=4, choices=SignerForm.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecognitionDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định công nhận")
        verbose_name_plural = _("quyết định công nhận")
        ordering = ["-signed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} ({self.signed_on:%d/%m/%Y})"


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CertificateQuerySet":
        return self.filter(unit_scope_q(user, "decision__round__commune"))


class Certificate(models.Model):
    """Giấy chứng nhận hộ nghèo, hộ cận nghèo ("Số: …/GCN-HN.HCN") with the members as they were."""

    decision = models.ForeignKey(RecognitionDecision, on_delete=models.PROTECT, related_name="certificates")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("số giấy chứng nhận"), max_length=30)
    household_class = models.CharField(_("loại hộ"), max_length=20, choices=HouseholdClass.choices)
    snapshot = models.JSONField(_("thông tin hộ và thành viên"))

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        ordering = ["decision", "pk"]
        constraints = [models.UniqueConstraint(fields=["decision", "household"], name="reviews_one_certificate")]

    def __str__(self) -> str:
        return self.number
