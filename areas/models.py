"""Administrative units: one tree province > (district) > commune > village, versioned by validity dates."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q

from .choices import DEFAULT_AREA_TYPE, KINDS_BY_LEVEL, PARENT_LEVELS, AreaType, UnitKind, UnitLevel


class AdministrativeUnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AdministrativeUnitQuerySet":
        """Units the user may see: their own unit and everything below it (see accounts.scoping)."""
        return self.filter(unit_scope_q(user))

    def valid_on(self, day: date | None = None) -> "AdministrativeUnitQuerySet":
        """Units in force on ``day`` (today by default)."""
        day = day or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def descendants_of(self, unit: "AdministrativeUnit") -> "AdministrativeUnitQuerySet":
        return self.filter(path__startswith=unit.path).exclude(pk=unit.pk)


class AdministrativeUnit(models.Model):
    """A province, district, commune or village, with its official code and the dates it is in force.

    ``path`` is a materialised path of primary keys ("/12/40/311/") so that "this unit and everything
    below it" is one indexed prefix filter; it is maintained by ``save``.
    """

    code = models.CharField(_("mã đơn vị"), max_length=20)
    name = models.CharField(_("tên đơn vị"), max_length=200)
    level = models.CharField(_("cấp"), max_length=20, choices=UnitLevel.choices)
    kind = models.CharField(_("loại đơn vị"), max_length=30, choices=UnitKind.choices)
    area_type = models.CharField(
        _("khu vực"),
        max_length=10,
        choices=AreaType.choices,
        blank=True,
        help_text=_("Thành thị hoặc nông thôn, dùng khi áp chuẩn nghèo. Có thể sửa theo quyết định của tỉnh."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("đường dẫn trong cây đơn vị"), max_length=255, editable=False)
    valid_from = models.DateField(_("hiệu lực từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)
    source = models.CharField(_("nguồn dữ liệu"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ngày cập nhật"), auto_now=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"],
                nulls_distinct=False,
                name="areas_unit_unique_code_per_level_and_version",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="areas_unit_valid_range",
            ),
        ]
        indexes = [
            models.Index(fields=["level", "code"], name="areas_unit_level_code"),
            # pattern_ops so that "path LIKE '/1/5/%'" (every scoped query) uses the index.
            models.Index(fields=["path"], name="areas_unit_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.area_type:
            self.area_type = self.default_area_type()
        old_path, is_new = self.path, self.pk is None
        if is_new:
            super().save(*args, **kwargs)  # the path is made of primary keys: get ours first
        self.path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if is_new:
            super().save(update_fields=["path"])
        else:
            super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moved under another parent: re-root every descendant in one statement.
            AdministrativeUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(self.path), Substr("path", len(old_path) + 1))
            )

    # --- validation ------------------------------------------------------------------------------
    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.level and self.kind and self.kind not in KINDS_BY_LEVEL[self.level]:
            errors["kind"] = _("Loại đơn vị “%(kind)s” không thuộc %(level)s.") % {
                "kind": self.get_kind_display(),
                "level": self.get_level_display().lower(),
            }
        allowed_parents = PARENT_LEVELS.get(self.level, set())
        if self.parent_id is None and allowed_parents:
            errors["parent"] = _("Đơn vị %(level)s phải có đơn vị cấp trên.") % {
                "level": self.get_level_display().lower()
            }
        elif self.parent_id is not None and self.parent.level not in allowed_parents:
            errors["parent"] = _("Đơn vị %(level)s không thể trực thuộc %(parent)s.") % {
                "level": self.get_level_display().lower(),
                "parent": self.parent.get_level_display().lower(),
            }
        if self.pk and self.parent_id and self.parent.path.startswith(self.path or "\0"):
            errors["parent"] = _("Không thể chọn chính đơn vị này hoặc đơn vị cấp dưới làm đơn vị cấp trên.")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
        if errors:
            raise ValidationError(errors)

    def default_area_type(self) -> str:
        if self.kind in DEFAULT_AREA_TYPE:
            return DEFAULT_AREA_TYPE[self.kind]
        if self.level == UnitLevel.VILLAGE and self.parent_id:
            return self.parent.area_type
        return ""

    # --- navigation ------------------------------------------------------------------------------
    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def ancestors(self) -> "AdministrativeUnitQuerySet":
        return AdministrativeUnit.objects.filter(pk__in=self.ancestor_ids).order_by("path")

    def is_valid_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)

    @property
    def child_level_label(self) -> str:
        """What the children of this unit are called, for headings ("Xã, phường, thị trấn")."""
        return {
            UnitLevel.PROVINCE: _("Đơn vị trực thuộc"),
            UnitLevel.DISTRICT: _("Xã, phường, thị trấn"),
            UnitLevel.COMMUNE: _("Thôn, buôn, tổ dân phố"),
        }.get(self.level, "")
