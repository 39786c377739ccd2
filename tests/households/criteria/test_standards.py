"""The shipped standards (data/standards.json), their (de)serialisation and which one is in force on a day."""

import copy
import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from households.criteria import (
    INDICATOR_CODES,
    STATUS_KEYS,
    TAGS,
    IncomeLines,
    check_timeline,
    load_default_standards,
    standard_for,
    standard_from_dict,
    standard_to_dict,
)

ND07_CODES = [
    "employment",
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "housing_area",
    "water_source",
    "latrine",
    "telecom",
    "information_devices",
]


def test_the_package_imports_nothing_from_django_or_the_project():
    # STYLE.md rule 6: households/criteria is pure Python.
    code = (
        "import sys, households.criteria as c; c.load_default_standards(); "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'config', 'accounts', 'areas', 'core', 'programs', 'emulation', 'reports'}]; "
        "print(','.join(bad))"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert result.stdout.strip() == ""


def test_default_standards_cover_2016_onwards_without_gaps(standards):
    assert [s.code for s in standards] == ["QD59_2015", "ND07_2021", "ND351_2025"]
    qd59, nd07, nd351 = standards
    # NĐ 07/2021, Điều 2: 2021 kept the 2016–2020 standard; NĐ 351/2025: ND 07 extended to 31/12/2026.
    assert (qd59.valid_from, qd59.valid_to) == (date(2016, 1, 1), date(2021, 12, 31))
    assert (nd07.valid_from, nd07.valid_to) == (date(2022, 1, 1), date(2026, 12, 31))
    assert (nd351.valid_from, nd351.valid_to) == (date(2027, 1, 1), None)
    check_timeline(standards)


@pytest.mark.parametrize(
    ("code", "attribute", "rural", "urban"),
    [
        ("QD59_2015", "poverty_line", 700_000, 900_000),  # QĐ 59/2015, Điều 1
        ("QD59_2015", "near_poverty_line", 1_000_000, 1_300_000),  # QĐ 59/2015, Điều 1
        ("QD59_2015", "average_upper", 1_500_000, 1_950_000),  # [U]
        ("ND07_2021", "poverty_line", 1_500_000, 2_000_000),  # NĐ 07/2021, Điều 3 khoản 1
        ("ND07_2021", "average_upper", 2_250_000, 3_000_000),  # NĐ 07/2021, Điều 3 khoản 2 điểm c
        ("ND07_2021", "low_income_worker_upper", 2_250_000, 3_000_000),  # NĐ 30/2025
        ("ND351_2025", "poverty_line", 2_200_000, 2_800_000),  # NĐ 351/2025 (2027–2030)
    ],
)
def test_income_lines(standards, code, attribute, rural, urban):
    standard = next(s for s in standards if s.code == code)
    lines = getattr(standard, attribute)
    assert (lines.for_area("rural"), lines.for_area("urban")) == (rural, urban)


def test_unknown_lines_are_none(qd59, nd07, nd351):
    assert nd07.near_poverty_line is None
    assert qd59.low_income_worker_upper is None
    assert nd351.average_upper is None and nd351.low_income_worker_upper is None and nd351.proxy is None


def test_indicator_sets(qd59, nd07, nd351):
    # QĐ 59/2015: 5 services, 10 indicators; NĐ 07/2021, Điều 3: 6 services, 12 indicators.
    assert set(qd59.indicator_codes) == {
        "health_access",
        "health_insurance",
        "adult_education",
        "child_schooling",
        "housing_quality",
        "housing_area",
        "water_source",
        "latrine",
        "telecom",
        "information_devices",
    }
    assert list(nd07.indicator_codes) == ND07_CODES
    # NĐ 351/2025: "means of information access" removed; digital services and waste added.
    assert set(nd351.indicator_codes) == (set(ND07_CODES) - {"information_devices"}) | {"digital_services", "waste"}
    assert set(INDICATOR_CODES) == set(qd59.indicator_codes) | set(nd07.indicator_codes) | set(nd351.indicator_codes)


def test_every_value_says_how_far_it_was_checked(standards, nd351):
    # domain.md §0: [V] verified (the citation is given), [P]/[U] provisional (the text to check is given).
    assert nd351.provisional
    for standard in standards:
        assert standard.working_age == (15, 60)
        assert all(spec.name and spec.condition and spec.dimension for spec in standard.indicators)
        for spec in standard.indicators:
            assert spec.tag in TAGS and spec.source.strip(), (standard.code, spec.code)
            assert spec.provisional == (spec.tag != "V")
        for key in STATUS_KEYS:
            if getattr(standard, key) is not None:
                assert key in standard.statuses, (standard.code, key)
        # Nothing about the standard is left as a blanket warning in the notes.
        assert not any("nguồn thứ cấp" in note or "cần đối chiếu" in note for note in standard.notes)


@pytest.mark.parametrize(
    ("code", "key", "tag", "cites"),
    [
        ("ND07_2021", "poverty_line", "V", "Nghị định 07/2021/NĐ-CP, Điều 3"),  # domain.md §1.3 [V]
        ("ND07_2021", "rule", "V", "Điều 3 khoản 2"),
        ("ND07_2021", "proxy", "V", "Thông tư 07/2021/TT-BLĐTBXH"),  # domain.md §2.6 [V]
        ("ND07_2021", "average_upper", "P", "Điều 3 khoản 2"),  # bounds [P]
        ("QD59_2015", "average_upper", "U", "Quyết định 59/2015/QĐ-TTg"),  # domain.md §1.2 [U]
        ("ND351_2025", "poverty_line", "V", "Nghị định 351/2025/NĐ-CP"),  # domain.md §1.5 [V]
        ("ND351_2025", "working_age", "U", "Thông tư 07/2021/TT-BLĐTBXH"),
    ],
)
def test_value_statuses(standards, code, key, tag, cites):
    status = next(s for s in standards if s.code == code).statuses[key]
    assert status.tag == tag and cites in status.source


def test_indicator_statuses(nd07, nd351):
    # domain.md §1.3: conditions [P], indicator 12 [U]; §1.5: the new indicators' conditions are not published.
    assert nd07.indicator("health_insurance").tag == "P"
    assert "Phụ lục, chỉ số 4" in nd07.indicator("health_insurance").source
    assert nd07.indicator("information_devices").tag == "U"
    assert nd351.indicator("waste").tag == "U" and nd351.indicator("digital_services").tag == "U"


def test_an_older_definition_without_tags_still_reads(nd07):
    data = standard_to_dict(nd07)
    data.pop("statuses")
    for item in data["indicators"]:
        item.pop("tag"), item.pop("source")
        item["provisional"] = item["code"] != "housing_area"
    standard = standard_from_dict(data)
    assert standard.indicator("housing_area").tag == "V" and not standard.indicator("housing_area").provisional
    assert standard.indicator("latrine").tag == "P" and standard.indicator("latrine").provisional
    assert standard.statuses == {}


def test_proxy_rules(qd59, nd07):
    # TT 07/2021: A 140 / 175, B ≥ 30, 10 points per indicator.
    assert (nd07.proxy.a_line, nd07.proxy.a_upper) == (IncomeLines(140, 175), None)
    assert (nd07.proxy.b_threshold, nd07.proxy.points_per_indicator) == (30, 10)
    # TT 17/2016 as amended by TT 14/2018: B1 120/140, upper 150/175.
    assert (qd59.proxy.a_line, qd59.proxy.a_upper) == (IncomeLines(120, 140), IncomeLines(150, 175))


def test_thresholds_live_in_params(nd07, qd59):
    assert nd07.indicator("health_insurance").params["min_age"] == 6
    assert nd07.indicator("housing_area").params["min_m2_per_person"] == 8
    assert dict(nd07.indicator("child_schooling").params) == {"min_age": 3, "under_age": 16}
    assert dict(qd59.indicator("child_schooling").params) == {"min_age": 5, "under_age": 15}
    assert "piped" in nd07.indicator("water_source").params["clean_sources"]


def test_params_are_read_only(nd07):
    with pytest.raises(TypeError):
        nd07.indicator("health_insurance").params["min_age"] = 1


def test_standards_are_hashable(standards):
    assert len(set(standards)) == 3


@pytest.mark.parametrize("index", [0, 1, 2])
def test_round_trip_through_json(standards, index):
    standard = standards[index]
    data = json.loads(json.dumps(standard_to_dict(standard), ensure_ascii=False))
    assert standard_from_dict(data) == standard
    assert standard_to_dict(standard_from_dict(data)) == data


def test_shipped_file_equals_its_round_trip(standards):
    path = Path(__file__).resolve().parents[3] / "households" / "criteria" / "data" / "standards.json"
    shipped = json.loads(path.read_text(encoding="utf-8"))["standards"]
    assert [standard_to_dict(s) for s in standards] == shipped


def test_unknown_area_type(nd07):
    with pytest.raises(ValueError, match="Khu vực không hợp lệ"):
        nd07.poverty_line.for_area("mountain")


def _broken(nd07, change):
    data = copy.deepcopy(standard_to_dict(nd07))
    change(data)
    return data


def _set_params(code, params):
    def change(data):
        next(item for item in data["indicators"] if item["code"] == code)["params"] = params

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("code"), "thiếu trường “code”"),
        (lambda d: d.pop("poverty_line"), "thiếu trường “poverty_line”"),
        (lambda d: d["poverty_line"].update(rural=-1), "số nguyên không âm"),
        (lambda d: d["poverty_line"].update(rural=True), "số nguyên không âm"),
        (lambda d: d["poverty_line"].update(urban="2000000"), "số nguyên không âm"),
        (lambda d: d.update(valid_from="31/12/2026"), "YYYY-MM-DD"),
        (lambda d: d.update(valid_to="2021-12-31"), "trước ngày bắt đầu"),
        (lambda d: d.update(rule="2016_2020"), "cách phân loại"),
        (lambda d: d.update(rule="income_or_band"), "chuẩn cận nghèo"),
        (lambda d: d.update(average_upper={"rural": 1_000_000, "urban": 3_000_000}), "mức sống trung bình"),
        (lambda d: d.update(provisional="no"), "true hoặc false"),
        (lambda d: d.update(working_age=[60, 15]), "độ tuổi lao động"),
        (lambda d: d["indicators"][0].update(tag="X"), "mức kiểm chứng"),
        (lambda d: d["statuses"].update(poverty_line={"tag": "V"}), "thiếu trường “source”"),
        (lambda d: d["statuses"].update(poverty_line={"tag": "Y", "source": "x"}), "chỉ nhận V, P, U"),
        (lambda d: d["statuses"].update(income={"tag": "V", "source": "x"}), "không hợp lệ: income"),
        (lambda d: d.update(indicators=[]), "chưa có chỉ số"),
        (lambda d: d["indicators"].append(copy.deepcopy(d["indicators"][0])), "bị lặp"),
        (lambda d: d["indicators"][0].update(code="poverty"), "mã chỉ số không hợp lệ"),
        (lambda d: d["indicators"][0].update(name=""), "không được để trống"),
        (lambda d: d["proxy"].update(points_per_indicator=0), "số điểm mỗi chỉ số"),
        (lambda d: d["proxy"].pop("a_line"), "thiếu trường “a_line”"),
        (_set_params("housing_area", {}), "min_m2_per_person"),
        (_set_params("health_insurance", {"min_age": "6"}), "min_age"),
        (_set_params("water_source", {"clean_sources": ["piped", "river"]}), "river"),
        (_set_params("latrine", {"hygienic": []}), "hygienic"),
        (_set_params("dependants", {"child_under": 16, "max_percent": 150}), "max_percent"),
        (_set_params("child_schooling", {"min_age": 16, "under_age": 3}), "khoảng tuổi rỗng"),
        (_set_params("adult_education", {"bands": []}), "bands"),
        (
            _set_params(
                "adult_education", {"bands": [{"min_age": 16, "under_age": 18, "max_age": 30, "accepted": []}]}
            ),
            "đúng một trong hai",
        ),
        (_set_params("employment", {"deprived_statuses": ["jobless"]}), "jobless"),
        (_set_params("housing_quality", {"min_non_durable_parts": 4}), "1–3"),
    ],
)
def test_bad_definitions_raise_a_vietnamese_value_error(nd07, change, message):
    with pytest.raises(ValueError, match=message):
        standard_from_dict(_broken(nd07, change))


def test_a_definition_must_be_a_mapping():
    with pytest.raises(ValueError, match="đối tượng JSON"):
        standard_from_dict(["ND07_2021"])


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2016, 1, 1), "QD59_2015"),
        (date(2021, 12, 31), "QD59_2015"),  # NĐ 07/2021, Điều 2: 2021 keeps QĐ 59/2015
        (date(2022, 1, 1), "ND07_2021"),
        (date(2026, 12, 31), "ND07_2021"),  # NĐ 351/2025: 2026 keeps NĐ 07/2021, Điều 3
        (date(2027, 1, 1), "ND351_2025"),  # NĐ 351/2025: new standard from 2027
        (date(2030, 12, 31), "ND351_2025"),
    ],
)
def test_standard_for(standards, day, code):
    assert standard_for(day, standards).code == code


def test_standard_for_before_the_first_standard(standards):
    with pytest.raises(ValueError, match="Không có chuẩn nghèo nào áp dụng cho ngày 31/12/2015"):
        standard_for(date(2015, 12, 31), standards)


def test_standard_for_in_a_gap(qd59, nd351):
    with pytest.raises(ValueError, match="Không có chuẩn nghèo nào áp dụng cho ngày 01/07/2024"):
        standard_for(date(2024, 7, 1), [qd59, nd351])


def test_standard_for_with_overlapping_periods(nd07, nd351):
    early = replace(nd351, valid_from=date(2026, 6, 1))
    with pytest.raises(
        ValueError, match="Có nhiều chuẩn nghèo cùng áp dụng cho ngày 01/07/2026: ND07_2021, ND351_2025"
    ):
        standard_for(date(2026, 7, 1), [nd07, early])
    # Outside the overlap the answer is still unambiguous.
    assert standard_for(date(2026, 5, 31), [nd07, early]).code == "ND07_2021"
    with pytest.raises(ValueError, match="chồng lên nhau"):
        check_timeline([nd07, early])


def test_check_timeline_rejects_duplicate_codes_and_allows_gaps(qd59, nd351):
    with pytest.raises(ValueError, match="bị trùng"):
        check_timeline([qd59, replace(qd59, valid_from=date(2030, 1, 1), valid_to=None)])
    check_timeline([qd59, nd351])


def test_load_default_standards_is_cached():
    assert load_default_standards() is load_default_standards()
