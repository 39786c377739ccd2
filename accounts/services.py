"""Write services for accounts. Administrators manage accounts; every change is validated first."""

from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import User


@transaction.atomic
def user_create(*, data: dict, password: str) -> User:
    """Create an account; the officer must choose their own password at the first sign-in."""
    user = User(**data)
    user.set_password(password)
    user.must_change_password = True
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_update(*, user: User, data: dict) -> User:
    """Change an account's details, role or unit (the role must match the unit's level)."""
    for field, value in data.items():
        setattr(user, field, value)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str) -> User:
    """Reset a forgotten password: the new one is temporary and any lockout is lifted."""
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    axes_reset(username=user.username)
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool, acting_user: User) -> User:
    """Stop or restore an account; nobody can stop their own account (so an admin always remains)."""
    if user.pk == acting_user.pk and not active:
        raise ValidationError(_("Bạn không thể tự ngừng tài khoản của chính mình."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def user_unlock(*, user: User) -> None:
    """Lift the lockout that repeated failed sign-ins put on an account."""
    axes_reset(username=user.username)
