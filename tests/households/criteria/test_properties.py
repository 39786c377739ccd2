"""Properties that must hold under every standard: more income or a lower score never makes a household poorer,
one more deprivation never makes it less poor."""

from hypothesis import given
from hypothesis import strategies as st

from households.criteria import ClassificationInput, IncomeLines, classify, load_default_standards

STANDARDS = load_default_standards()
# poor < near-poor < (average living | non-poor): the last two are not ordered against each other here.
RANK = {"poor": 0, "near_poor": 1, "average_living": 2, "non_poor": 2}

local_lines = st.none() | st.builds(IncomeLines, rural=st.integers(0, 4_000_000), urban=st.integers(0, 5_000_000))


@st.composite
def situations(draw, with_proxy=False):
    pool = [s for s in STANDARDS if s.proxy is not None] if with_proxy else STANDARDS
    standard = draw(st.sampled_from(pool))
    deprived = draw(st.frozensets(st.sampled_from(standard.indicator_codes)))
    return standard, {
        "reference_date": standard.valid_from,
        "area_type": draw(st.sampled_from(["rural", "urban"])),
        "deprived": deprived,
        "agricultural": draw(st.booleans()),
        "local_poverty_line": draw(local_lines),
    }


def rank(standard, **data) -> int:
    return RANK[classify(ClassificationInput(**data), standard).household_class]


@given(situations(), st.integers(0, 5_000_000), st.integers(0, 2_000_000))
def test_more_income_never_makes_a_household_poorer(situation, income, more):
    standard, data = situation
    assert rank(standard, income_per_capita=income + more, **data) >= rank(standard, income_per_capita=income, **data)


@given(situations(with_proxy=True), st.integers(0, 300), st.integers(0, 100))
def test_a_higher_score_a_never_makes_a_household_poorer(situation, score, more):
    standard, data = situation
    assert rank(standard, score_a=score + more, **data) >= rank(standard, score_a=score, **data)


@given(situations(), st.integers(0, 5_000_000), st.data())
def test_one_more_deprivation_never_makes_a_household_less_poor(situation, income, extra):
    standard, data = situation
    missing = [code for code in standard.indicator_codes if code not in data["deprived"]]
    if not missing:
        return
    code = extra.draw(st.sampled_from(missing))
    worse = {**data, "deprived": data["deprived"] | {code}}
    assert rank(standard, income_per_capita=income, **worse) <= rank(standard, income_per_capita=income, **data)


@given(situations(with_proxy=True), st.integers(0, 300), st.data())
def test_one_more_deprivation_never_helps_with_the_proxy_either(situation, score, extra):
    standard, data = situation
    missing = [code for code in standard.indicator_codes if code not in data["deprived"]]
    if not missing:
        return
    worse = {**data, "deprived": data["deprived"] | {extra.draw(st.sampled_from(missing))}}
    assert rank(standard, score_a=score, **worse) <= rank(standard, score_a=score, **data)


@given(situations(), st.integers(0, 5_000_000))
def test_the_count_is_the_standards_own_deprivations(situation, income):
    standard, data = situation
    outcome = classify(ClassificationInput(income_per_capita=income, **data), standard)
    assert outcome.deprivation_count == len(data["deprived"])
    assert outcome.line >= standard.poverty_line.for_area(data["area_type"])  # the national line is a floor
    # Average living only for agri/forestry/fishery/salt households.
    assert outcome.household_class != "average_living" or data["agricultural"]
