"""Write services for administrative units."""

from django.db import transaction

from core.integrity import integrity_as_validation

from .models import AdministrativeUnit


@integrity_as_validation
@transaction.atomic
def unit_save(*, unit: AdministrativeUnit) -> AdministrativeUnit:
    """Validate and save a unit (its level, kind and parent must agree; see AdministrativeUnit.clean)."""
    unit.full_clean()
    unit.save()
    return unit
