"""The unit tree: materialised paths, level/kind/parent rules, area-type defaults, validity dates."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from areas.choices import AreaType, UnitKind, UnitLevel
from areas.models import AdministrativeUnit

from ..factories import CommuneFactory, DistrictFactory, ProvinceFactory, VillageFactory

pytestmark = pytest.mark.django_db


def test_path_is_built_from_ancestors():
    village = VillageFactory()
    commune = village.parent
    assert village.path == f"{commune.path}{village.pk}/"
    assert [u.pk for u in village.ancestors()] == commune.ancestor_ids + [commune.pk]


def test_moving_a_district_re_roots_everything_below_it():
    village = VillageFactory()
    district = village.parent.parent
    new_province = ProvinceFactory()
    district.parent = new_province
    district.save()
    village.refresh_from_db()
    assert village.path.startswith(new_province.path)
    assert AdministrativeUnit.objects.descendants_of(new_province).count() == 3


def test_commune_may_sit_under_a_district_or_directly_under_a_province():
    # Three-tier before 01/07/2025; two-tier after (Luật Tổ chức chính quyền địa phương 16/06/2025).
    CommuneFactory.build(parent=DistrictFactory()).full_clean()
    CommuneFactory.build(parent=ProvinceFactory(), code="26734").full_clean()


@pytest.mark.parametrize(
    "level,kind,parent_level,error_field",
    [
        (UnitLevel.COMMUNE, UnitKind.RURAL_DISTRICT, UnitLevel.DISTRICT, "kind"),
        (UnitLevel.VILLAGE, UnitKind.BUON, UnitLevel.DISTRICT, "parent"),
        (UnitLevel.DISTRICT, UnitKind.RURAL_DISTRICT, None, "parent"),
    ],
)
def test_inconsistent_units_are_refused_in_vietnamese(level, kind, parent_level, error_field):
    parents = {UnitLevel.DISTRICT: DistrictFactory, UnitLevel.PROVINCE: ProvinceFactory}
    parent = parents[parent_level]() if parent_level else None
    unit = AdministrativeUnit(code="1", name="Thử", level=level, kind=kind, parent=parent)
    with pytest.raises(ValidationError) as excinfo:
        unit.full_clean()
    assert error_field in excinfo.value.message_dict
    assert any(ch in " ".join(excinfo.value.message_dict[error_field]) for ch in "ơưđạ")


@pytest.mark.parametrize(
    "kind,expected",
    [
        (UnitKind.WARD, AreaType.URBAN),  # QĐ 24/2021: thành thị = phường, thị trấn [P]
        (UnitKind.TOWNSHIP, AreaType.URBAN),
        (UnitKind.COMMUNE, AreaType.RURAL),  # nông thôn = xã [P]
        (UnitKind.SPECIAL_ZONE, AreaType.RURAL),  # open question (domain.md §9.3): editable
    ],
)
def test_area_type_defaults_by_kind_and_stays_editable(kind, expected):
    commune = CommuneFactory(kind=kind)
    assert commune.area_type == expected
    village = VillageFactory(parent=commune)
    assert village.area_type == expected  # villages follow their commune
    commune.area_type = AreaType.URBAN if expected == AreaType.RURAL else AreaType.RURAL
    commune.save()
    commune.refresh_from_db()
    assert commune.area_type != expected


def test_valid_on_filters_by_dates():
    old = ProvinceFactory(code="52", valid_to=date(2025, 6, 30))
    new = ProvinceFactory(code="52", valid_from=date(2025, 7, 1))
    assert list(AdministrativeUnit.objects.valid_on(date(2021, 6, 15)).filter(code="52")) == [old]
    assert list(AdministrativeUnit.objects.valid_on(date(2026, 1, 1)).filter(code="52")) == [new]


def test_same_code_and_version_is_refused():
    ProvinceFactory(code="64")
    with pytest.raises(ValidationError):
        ProvinceFactory.build(code="64").validate_constraints()
