"""factory_boy factories for the portal's models."""

import factory

from accounts.choices import Role
from accounts.models import User
from areas.choices import UnitKind, UnitLevel
from areas.models import AdministrativeUnit

PASSWORD = "Mat-khau-thu-2026"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"{90000 + n}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    level = UnitLevel.PROVINCE
    kind = UnitKind.PROVINCE
    parent = None


class ProvinceFactory(UnitFactory):
    name = factory.Sequence(lambda n: f"Tỉnh Thử {n}")


class DistrictFactory(UnitFactory):
    level = UnitLevel.DISTRICT
    kind = UnitKind.RURAL_DISTRICT
    name = factory.Sequence(lambda n: f"Huyện Thử {n}")
    parent = factory.SubFactory(ProvinceFactory)


class CommuneFactory(UnitFactory):
    level = UnitLevel.COMMUNE
    kind = UnitKind.COMMUNE
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    parent = factory.SubFactory(DistrictFactory)


class VillageFactory(UnitFactory):
    level = UnitLevel.VILLAGE
    kind = UnitKind.BUON
    name = factory.Sequence(lambda n: f"Buôn Thử {n}")
    parent = factory.SubFactory(CommuneFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    role = Role.COMMUNE_OFFICER
    unit = factory.SubFactory(CommuneFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()
