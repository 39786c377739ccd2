"""Write services for administrative units."""

from django.db import transaction

from .models import AdministrativeUnit


@transaction.atomic
def unit_save(*, unit: AdministrativeUnit) -> AdministrativeUnit:
    """Validate and save a unit (its level, kind and parent must agree; see AdministrativeUnit.clean)."""
    unit.full_clean()
    unit.save()
    return unit
