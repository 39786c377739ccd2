"""Table tests of the classification rules, each citing the article it checks (domain.md §1.2–1.6, §2.6)."""

from datetime import date

import pytest

from households.criteria import ClassificationInput, IncomeLines, classify, low_income_worker

from .helpers import by_code

QD59 = by_code("QD59_2015")
ND07 = by_code("ND07_2021")
ND351 = by_code("ND351_2025")


def deprived(standard, count):
    return frozenset(standard.indicator_codes[:count])


def run(standard, area, *, income=None, score=None, count=0, agricultural=False, local=None, **extra):
    day = standard.valid_from
    data = ClassificationInput(
        reference_date=day,
        area_type=area,
        income_per_capita=income,
        score_a=score,
        deprived=deprived(standard, count),
        agricultural=agricultural,
        local_poverty_line=local,
        **extra,
    )
    return classify(data, standard)


# --- QĐ 59/2015, Điều 2 (2016–2021): income-poor below the lower line, band decided by deprivations ------------------

QD59_TABLE = [
    # area, income, deprivations, agricultural, expected
    ("rural", 699_999, 0, False, "poor"),  # income-poor: deprivations do not matter
    ("rural", 700_000, 0, False, "poor"),  # "từ 700.000 đồng trở xuống"
    ("rural", 700_001, 2, False, "near_poor"),
    ("rural", 700_001, 3, False, "poor"),
    ("rural", 1_000_000, 2, False, "near_poor"),
    ("rural", 1_000_000, 3, False, "poor"),
    ("rural", 1_000_001, 5, False, "non_poor"),  # above the near-poverty line: never poor
    ("rural", 1_000_001, 5, True, "average_living"),  # [U] band 1.0–1.5 M
    ("rural", 1_500_000, 0, True, "average_living"),
    ("rural", 1_500_001, 0, True, "non_poor"),
    ("urban", 899_999, 0, False, "poor"),
    ("urban", 900_000, 0, False, "poor"),
    ("urban", 900_001, 2, False, "near_poor"),
    ("urban", 900_001, 3, False, "poor"),
    ("urban", 1_300_000, 2, False, "near_poor"),
    ("urban", 1_300_000, 3, False, "poor"),
    ("urban", 1_300_001, 3, False, "non_poor"),
    ("urban", 1_950_000, 0, True, "average_living"),
    ("urban", 1_950_001, 0, True, "non_poor"),
]


@pytest.mark.parametrize(("area", "income", "count", "agricultural", "expected"), QD59_TABLE)
def test_qd59_2015_dieu_2(area, income, count, agricultural, expected):
    outcome = run(QD59, area, income=income, count=count, agricultural=agricultural)
    assert outcome.household_class == expected
    assert (outcome.basis, outcome.standard_code, outcome.deprivation_count) == ("income", "QD59_2015", count)


def test_qd59_income_poor_summary():
    outcome = run(QD59, "rural", income=650_000, count=1)
    assert outcome.summary == (
        "Hộ nghèo theo Quyết định 59/2015/QĐ-TTg: thu nhập 650.000 ≤ 700.000 đồng, thuộc diện nghèo không phụ thuộc "
        "số chỉ số thiếu hụt."
    )
    assert outcome.line == 700_000


# --- NĐ 07/2021, Điều 3 khoản 2 (2022–2026): no income-only poor ---------------------------------------------------

ND07_TABLE = [
    ("rural", 1_499_999, 3, False, "poor"),
    ("rural", 1_500_000, 3, False, "poor"),  # "từ 1.500.000 đồng trở xuống"
    ("rural", 1_500_000, 2, False, "near_poor"),
    ("rural", 0, 0, False, "near_poor"),  # under the line with 0 deprivations is near-poor, not poor
    ("rural", 1_500_001, 3, False, "non_poor"),  # above the line never poor whatever the deprivations
    ("rural", 1_500_001, 12, True, "average_living"),  # Điều 3 khoản 2 điểm c: agri households only
    ("rural", 2_250_000, 0, True, "average_living"),
    ("rural", 2_250_000, 0, False, "non_poor"),
    ("rural", 2_250_001, 0, True, "non_poor"),
    ("urban", 1_999_999, 3, False, "poor"),
    ("urban", 2_000_000, 3, False, "poor"),
    ("urban", 2_000_000, 2, False, "near_poor"),
    ("urban", 2_000_001, 3, False, "non_poor"),
    ("urban", 2_000_001, 3, True, "average_living"),
    ("urban", 3_000_000, 0, True, "average_living"),
    ("urban", 3_000_001, 0, True, "non_poor"),
    ("urban", 1_600_000, 3, False, "poor"),  # the rural line does not apply in town
]


@pytest.mark.parametrize(("area", "income", "count", "agricultural", "expected"), ND07_TABLE)
def test_nd07_2021_dieu_3_khoan_2(area, income, count, agricultural, expected):
    outcome = run(ND07, area, income=income, count=count, agricultural=agricultural)
    assert outcome.household_class == expected
    assert outcome.line == ND07.poverty_line.for_area(area)


# --- NĐ 351/2025 (2027–2030): 2.2 M / 2.8 M, ≥ 3 deprivations; no average-living bound yet -------------------------

ND351_TABLE = [
    ("rural", 2_199_999, 3, "poor"),
    ("rural", 2_200_000, 3, "poor"),
    ("rural", 2_200_000, 2, "near_poor"),
    ("rural", 2_200_001, 3, "non_poor"),
    ("urban", 2_800_000, 3, "poor"),
    ("urban", 2_800_000, 2, "near_poor"),
    ("urban", 2_800_001, 3, "non_poor"),
]


@pytest.mark.parametrize(("area", "income", "count", "expected"), ND351_TABLE)
def test_nd351_2025(area, income, count, expected):
    assert run(ND351, area, income=income, count=count).household_class == expected


def test_nd351_has_no_average_living_class_yet():
    outcome = run(ND351, "rural", income=2_300_000, agricultural=True)
    assert outcome.household_class == "non_poor"
    assert "chưa có mức sống trung bình" in outcome.summary


# --- proxy scores: TT 07/2021 (A, B) and TT 17/2016 as amended by TT 14/2018 (B1, B2) -------------------------------

TT07_TABLE = [
    ("rural", 140, 3, "poor"),  # A ≤ 140 and B ≥ 30
    ("rural", 140, 2, "near_poor"),  # B = 20 < 30
    ("rural", 141, 3, "non_poor"),
    ("rural", 0, 0, "near_poor"),
    ("urban", 175, 3, "poor"),
    ("urban", 175, 2, "near_poor"),
    ("urban", 176, 3, "non_poor"),
    ("urban", 141, 3, "poor"),  # the rural threshold does not apply in town
]


@pytest.mark.parametrize(("area", "score", "count", "expected"), TT07_TABLE)
def test_tt07_2021_proxy_scores(area, score, count, expected):
    outcome = run(ND07, area, score=score, count=count)
    assert outcome.household_class == expected
    assert outcome.basis == "proxy"
    assert outcome.line == ND07.proxy.a_line.for_area(area)
    assert outcome.rows[1].value == f"{count * 10} điểm ({count} chỉ số × 10)"


def test_tt07_proxy_cannot_decide_average_living():
    outcome = run(ND07, "rural", score=141, count=0, agricultural=True)
    assert outcome.household_class == "non_poor"
    assert "không đủ để xác định hộ có mức sống trung bình" in outcome.summary


TT17_TABLE = [
    ("rural", 120, 0, "poor"),  # B1 ≤ 120: poor whatever B2
    ("rural", 121, 3, "poor"),  # 120 < B1 ≤ 150 and B2 ≥ 30
    ("rural", 121, 2, "near_poor"),
    ("rural", 150, 2, "near_poor"),
    ("rural", 151, 5, "non_poor"),
    ("urban", 140, 0, "poor"),
    ("urban", 141, 3, "poor"),
    ("urban", 175, 2, "near_poor"),
    ("urban", 176, 5, "non_poor"),
]


@pytest.mark.parametrize(("area", "score", "count", "expected"), TT17_TABLE)
def test_tt17_2016_tt14_2018_proxy_scores(area, score, count, expected):
    outcome = run(QD59, area, score=score, count=count)
    assert outcome.household_class == expected
    assert outcome.rows[0].rule == "Điểm B1 (ước tính thu nhập)"


def test_nd351_has_no_scoring_table():
    with pytest.raises(ValueError, match="chưa có bảng chấm điểm A"):
        run(ND351, "rural", score=100)


def test_income_or_score_is_required():
    with pytest.raises(ValueError, match="Chưa có thu nhập bình quân hoặc điểm A"):
        run(ND07, "rural")


def test_income_wins_over_the_score():
    outcome = run(ND07, "rural", income=1_600_000, score=100, count=3)
    assert (outcome.basis, outcome.household_class) == ("income", "non_poor")


@pytest.mark.parametrize(("kwargs", "message"), [({"income": -1}, "không được âm"), ({"score": -1}, "không được âm")])
def test_negative_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run(ND07, "rural", **kwargs)


@pytest.mark.parametrize(("standard", "day"), [(ND07, date(2027, 1, 1)), (ND351, date(2026, 12, 31))])
def test_the_standard_must_be_in_force_on_the_reference_date(standard, day):
    # domain.md §1.1: reviews in 2026 use NĐ 07/2021 although NĐ 351/2025 is already in force.
    data = ClassificationInput(reference_date=day, area_type="rural", income_per_capita=1_000_000)
    with pytest.raises(ValueError, match="không áp dụng cho ngày"):
        classify(data, standard)


def test_unknown_area():
    with pytest.raises(ValueError, match="Khu vực không hợp lệ"):
        run(ND07, "mountain", income=1)


# --- a province's local line (NĐ 351/2025 [P]): higher replaces the national line, lower is ignored ------------------


def test_higher_local_line_replaces_the_national_line():
    local = IncomeLines(rural=1_800_000, urban=2_400_000)
    outcome = run(ND07, "rural", income=1_800_000, count=3, local=local)
    assert (outcome.household_class, outcome.line) == ("poor", 1_800_000)
    assert outcome.rows[0].threshold == "≤ 1.800.000 (chuẩn nghèo của tỉnh, nông thôn)"
    assert "chuẩn nghèo của tỉnh" in outcome.summary
    assert run(ND07, "rural", income=1_800_001, count=3, local=local).household_class == "non_poor"
    # The average-living band starts above the local line.
    assert run(ND07, "rural", income=1_800_001, agricultural=True, local=local).household_class == "average_living"


def test_lower_local_line_is_ignored():
    local = IncomeLines(rural=1_200_000, urban=1_500_000)
    outcome = run(ND07, "rural", income=1_400_000, count=3, local=local)
    assert (outcome.household_class, outcome.line) == ("poor", 1_500_000)
    assert "không cao hơn chuẩn quốc gia" in outcome.rows[0].detail


def test_local_line_in_qd59_keeps_the_near_poverty_band():
    local = IncomeLines(rural=800_000, urban=900_000)
    assert run(QD59, "rural", income=800_000, local=local).household_class == "poor"
    assert run(QD59, "rural", income=800_001, count=2, local=local).household_class == "near_poor"


def test_local_line_does_not_apply_to_scores():
    local = IncomeLines(rural=1_800_000, urban=2_400_000)
    outcome = run(ND07, "rural", score=150, count=3, local=local)
    assert outcome.household_class == "non_poor"
    assert outcome.rows[-1].rule == "Chuẩn nghèo của tỉnh" and not outcome.rows[-1].met


# --- explanations ----------------------------------------------------------------------------------------------------


def test_explanation_names_indicators_and_members():
    data = ClassificationInput(
        reference_date=date(2024, 7, 1),
        area_type="rural",
        income_per_capita=1_450_000,
        deprived=frozenset({"health_insurance", "housing_quality", "water_source"}),
        triggered_by={"health_insurance": ("Nguyễn Văn A", "Trần Thị B")},
    )
    outcome = classify(data, ND07)
    assert outcome.summary == (
        "Hộ nghèo theo Nghị định 07/2021/NĐ-CP: thu nhập 1.450.000 ≤ 1.500.000 đồng và thiếu hụt 3 chỉ số "
        "(Bảo hiểm y tế, Chất lượng nhà ở, Nguồn nước sinh hoạt)."
    )
    income_row, deprivation_row = outcome.rows
    assert (income_row.value, income_row.threshold, income_row.met) == (
        "1.450.000 đồng/người/tháng",
        "≤ 1.500.000 (nông thôn)",
        True,
    )
    assert deprivation_row.detail == (
        "Bảo hiểm y tế (Nguyễn Văn A, Trần Thị B); Chất lượng nhà ở; Nguồn nước sinh hoạt."
    )


def test_near_poor_summary_says_why():
    outcome = run(ND07, "urban", income=2_000_000, count=2)
    assert outcome.summary.startswith("Hộ cận nghèo theo Nghị định 07/2021/NĐ-CP: thu nhập 2.000.000 ≤ 2.000.000 đồng")
    assert "dưới ngưỡng 3 chỉ số" in outcome.summary


def test_not_agricultural_household_is_told_why_not_average():
    outcome = run(ND07, "rural", income=2_000_000)
    assert outcome.household_class == "non_poor"
    assert "không làm nông, lâm, ngư, diêm nghiệp" in outcome.summary


def test_only_the_standards_own_indicators_count():
    # health_access (QĐ 59) and waste (NĐ 351) are not indicators of NĐ 07/2021.
    data = ClassificationInput(
        reference_date=date(2024, 7, 1),
        area_type="rural",
        income_per_capita=1_000_000,
        deprived=frozenset({"health_access", "waste", "telecom", "latrine"}),
    )
    outcome = classify(data, ND07)
    assert (outcome.household_class, outcome.deprivation_count) == ("near_poor", 2)


# --- low-income worker, NĐ 30/2025 (amending NĐ 07/2021) ----------------------------------------------------------

LOW_INCOME_TABLE = [
    (2_250_000, "rural", "non_poor", True),
    (2_250_001, "rural", "non_poor", False),
    (2_250_000, "rural", "average_living", True),
    (3_000_000, "urban", "non_poor", True),
    (3_000_001, "urban", "non_poor", False),
    (1_000_000, "rural", "poor", False),  # poor and near-poor households are excluded
    (1_000_000, "rural", "near_poor", False),
]


@pytest.mark.parametrize(("income", "area", "household_class", "expected"), LOW_INCOME_TABLE)
def test_low_income_worker_nd30_2025(income, area, household_class, expected):
    assert low_income_worker(income, area, household_class, ND07) is expected


def test_low_income_worker_only_where_the_standard_defines_it():
    assert low_income_worker(1_000_000, "rural", "non_poor", QD59) is False
    assert low_income_worker(1_000_000, "rural", "non_poor", ND351) is False


def test_low_income_worker_rejects_bad_input():
    with pytest.raises(ValueError, match="Phân loại hộ không hợp lệ"):
        low_income_worker(1, "rural", "rich", ND07)
    with pytest.raises(ValueError, match="Khu vực không hợp lệ"):
        low_income_worker(1, "town", "non_poor", ND07)


def test_snapshot_rows_equal_dataclass_conversion_for_random_inputs():
    """The registry's snapshot turns each explanation row into a dict without ``asdict``'s deep copy: the same dict,
    key order included, for classifications of random households under every standard."""
    import random
    from dataclasses import asdict

    from households.classification import _row_dict

    rng, checked = random.Random(7), 0
    for _index in range(600):
        standard = rng.choice((QD59, ND07, ND351))
        try:
            result = run(
                standard,
                rng.choice(("rural", "urban")),
                income=rng.randint(0, 6_000_000),
                count=rng.randint(0, len(standard.indicator_codes)),
                agricultural=rng.random() < 0.5,
            )
        except ValueError:  # inputs the standard cannot classify have no rows
            continue
        checked += 1
        for row in result.rows:
            assert list(_row_dict(row).items()) == list(asdict(row).items())
    assert checked > 500
