"""The official-list loader: both shapes, idempotent, all-or-nothing, and the management command."""

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from areas.choices import AreaType, UnitKind, UnitLevel
from areas.loader import DATASETS, UnitLoadError, load_file, units_load
from areas.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

KRONG_PA_COMMUNES = {
    "24076": "Thị trấn Phú Túc",
    "24079": "Xã Ia RSai",
    "24082": "Xã Ia RSươm",
    "24085": "Xã Chư Gu",
    "24088": "Xã Đất Bằng",
    "24091": "Xã Ia Mláh",
    "24094": "Xã Chư Drăng",
    "24097": "Xã Phú Cần",
    "24100": "Xã Ia HDreh",
    "24103": "Xã Ia RMok",
    "24106": "Xã Chư Ngọc",
    "24109": "Xã Uar",
    "24112": "Xã Chư Rcăm",
    "24115": "Xã Krông Năng",
}


def test_three_tier_list_loads_krong_pa_with_its_14_communes():
    result = units_load(data=load_file(DATASETS["2021"]), province_code="64", district_codes=["637"])
    assert result.created == 1 + 1 + 14
    district = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="637")
    assert district.name == "Huyện Krông Pa" and district.parent.code == "64"
    communes = {u.code: u.name for u in district.children.all()}
    assert communes == KRONG_PA_COMMUNES
    phu_tuc = district.children.get(code="24076")
    assert phu_tuc.kind == UnitKind.TOWNSHIP and phu_tuc.area_type == AreaType.URBAN
    assert district.children.get(code="24079").area_type == AreaType.RURAL


def test_two_tier_list_puts_communes_directly_under_the_province():
    result = units_load(data=load_file(DATASETS["2025"]), province_code="52")
    province = AdministrativeUnit.objects.get(level=UnitLevel.PROVINCE, code="52")
    assert province.name == "Gia Lai" and province.valid_from == date(2025, 7, 1)
    assert result.created == 1 + 135
    assert not AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).exists()
    assert province.children.filter(level=UnitLevel.COMMUNE).count() == 135


def test_both_shapes_live_side_by_side():
    units_load(data=load_file(DATASETS["2021"]), province_code="52", district_codes=["540"])  # old Bình Định
    units_load(data=load_file(DATASETS["2025"]), province_code="52")  # new Gia Lai, from 01/07/2025
    assert AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, code="52").count() == 2
    assert AdministrativeUnit.objects.valid_on(date(2026, 1, 1)).filter(level="province", code="52").count() == 2
    assert AdministrativeUnit.objects.valid_on(date(2024, 1, 1)).filter(level="province", code="52").count() == 1


def test_loading_twice_changes_nothing():
    data = load_file(DATASETS["2021"])
    units_load(data=data, province_code="64", district_codes=["637"])
    before = list(AdministrativeUnit.objects.values_list("pk", "path", "name", "updated_at"))
    again = units_load(data=data, province_code="64", district_codes=["637"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 16)
    assert list(AdministrativeUnit.objects.values_list("pk", "path", "name", "updated_at")) == before


def test_a_renamed_unit_is_updated_in_place():
    data = load_file(DATASETS["2021"])
    units_load(data=data, province_code="64", district_codes=["637"])
    pk = AdministrativeUnit.objects.get(code="24109").pk
    province = next(p for p in data["provinces"] if p["code"] == "64")
    district = next(d for d in province["districts"] if d["code"] == "637")
    district["communes"][11][1] = "Xã Uar (mới)"
    result = units_load(data=data, province_code="64", district_codes=["637"])
    assert result.updated == 1
    assert AdministrativeUnit.objects.get(pk=pk).name == "Xã Uar (mới)"


def bad_file(tmp_path):
    data = {
        "source": "thử",
        "shape": "three-tier",
        "provinces": [
            {
                "code": "64",
                "name": "Tỉnh Gia Lai",
                "kind": "province",
                "districts": [
                    {
                        "code": "637",
                        "name": "Huyện Krông Pa",
                        "kind": "rural_district",
                        "communes": [
                            ["24076", "Thị trấn Phú Túc", "township"],
                            ["24079", "", "commune"],  # no name
                            ["24082", "Xã Ia RSươm", "castle"],  # unknown kind
                            ["24076", "Thị trấn Phú Túc", "township"],  # duplicate code
                        ],
                    },
                ],
            }
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_one_bad_row_writes_nothing_and_every_error_is_reported(tmp_path):
    with pytest.raises(UnitLoadError) as excinfo:
        units_load(data=load_file(bad_file(tmp_path)), province_code="64")
    assert len(excinfo.value.errors) == 3
    assert "thiếu tên" in excinfo.value.errors[0]
    assert AdministrativeUnit.objects.count() == 0


def test_command_reports_errors_in_vietnamese_and_writes_nothing(tmp_path):
    with pytest.raises(CommandError, match="chưa ghi gì"):
        call_command("load_units", "--file", str(bad_file(tmp_path)), "--province", "64")
    assert AdministrativeUnit.objects.count() == 0


def test_command_loads_and_reports_counts(capsys):
    call_command("load_units", "--dataset", "2021", "--province", "64", "--district", "637", "--valid-to", "30/06/2025")
    assert "16 đơn vị mới" in capsys.readouterr().out
    assert AdministrativeUnit.objects.get(code="637").valid_to == date(2025, 6, 30)


def test_unknown_province_or_district_is_a_clear_error():
    with pytest.raises(UnitLoadError, match="Không tìm thấy tỉnh"):
        units_load(data=load_file(DATASETS["2021"]), province_code="99")
    with pytest.raises(UnitLoadError, match="Không tìm thấy huyện"):
        units_load(data=load_file(DATASETS["2021"]), province_code="64", district_codes=["999"])
