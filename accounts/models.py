"""Portal users: officers of a commune, district or province, and system administrators."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ROLE_UNIT_LEVEL, Role
from .scoping import unit_scope_q


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UserQuerySet":
        """Accounts of the units the user may see; administrators see every account."""
        if user.is_authenticated and user.is_system_admin:
            return self.all()
        return self.filter(unit_scope_q(user, "unit"))


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.SYSTEM_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """An officer of one administrative unit, with the role that decides what they may do there."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        "areas.AdministrativeUnit",
        verbose_name=_("đơn vị công tác"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )
    position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("phải đổi mật khẩu"),
        default=False,
        help_text=_("Người dùng phải đặt mật khẩu mới ở lần đăng nhập tiếp theo."),
    )

    objects = PortalUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_system_admin(self) -> bool:
        return self.is_superuser or self.role == Role.SYSTEM_ADMIN

    def clean(self) -> None:
        super().clean()
        expected = ROLE_UNIT_LEVEL.get(self.role)
        if expected and self.unit_id is None:
            raise ValidationError({"unit": _("Vai trò này phải gắn với một đơn vị công tác.")})
        if expected and self.unit_id and self.unit.level != expected:
            message = _("%(role)s phải thuộc một đơn vị %(level)s.") % {
                "role": self.get_role_display(),
                "level": expected.label.lower(),
            }
            raise ValidationError({"unit": message})

    def save(self, *args, **kwargs) -> None:
        # Only administrators reach the Django admin; everyone else works in the portal screens.
        self.is_staff = self.is_system_admin
        super().save(*args, **kwargs)
