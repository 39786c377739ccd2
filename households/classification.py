"""Glue between the registry and the pure criteria: facts from rows in, class and explanation out."""

from dataclasses import fields
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from . import criteria
from .models import Household, Member, PovertyStandard, ProvinceIncomeLine


def standard_on(day: date) -> criteria.Standard:
    """The standard in force on ``day``, from the rows administrators maintain."""
    rows = PovertyStandard.objects.values_list("pk", "updated_at", "definition")
    return criteria.standard_for(day, [_parsed(pk, updated_at, definition) for pk, updated_at, definition in rows])


_PARSED: dict[tuple, criteria.Standard] = {}


def _parsed(pk: int, updated_at, definition: dict) -> criteria.Standard:
    """Parse a standard's definition once per saved version (an import classifies hundreds of households)."""
    key = (pk, updated_at)
    if key not in _PARSED:
        if len(_PARSED) > 64:
            _PARSED.clear()
        _PARSED[key] = criteria.standard_from_dict(definition)
    return _PARSED[key]


def local_line_on(household: Household, day: date) -> criteria.IncomeLines | None:
    province_ids = [int(part) for part in household.village.path.strip("/").split("/")][:1]
    row = (
        ProvinceIncomeLine.objects.filter(province_id__in=province_ids, valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("-valid_from")
        .first()
    )
    return criteria.IncomeLines(rural=row.rural, urban=row.urban) if row else None


def member_facts(member: Member) -> criteria.MemberFacts:
    return criteria.MemberFacts(
        name=member.full_name,
        date_of_birth=member.date_of_birth,
        is_head=member.is_head,
        health_insurance_valid_from=member.health_insurance_valid_from,
        health_insurance_valid_to=member.health_insurance_valid_to,
        # The register records the cards people hold: no number and no dates means no card.
        has_health_insurance=bool(
            member.health_insurance_number or member.health_insurance_valid_from or member.health_insurance_valid_to
        ),
        in_school=member.in_school,
        education_level=member.education_level or None,
        able_to_work=member.able_to_work,
        employment=member.employment or None,
        disability=member.disability,
        social_allowance=bool(member.social_allowance),
        stunted_or_underweight=member.stunted_or_underweight,
    )


def household_facts(household: Household, members: list[Member]) -> criteria.HouseholdFacts:
    return criteria.HouseholdFacts(
        members=tuple(member_facts(m) for m in members),
        floor_area_m2=household.floor_area_m2,
        non_durable_main_parts=household.non_durable_main_parts,
        water_source=household.water_source or None,
        latrine=household.latrine or None,
        uses_telecom=household.uses_telecom,
        has_information_device=household.has_information_device,
        has_loudspeaker_access=household.has_loudspeaker_access,
        uses_digital_services=household.uses_digital_services,
        handles_waste=household.handles_waste,
        untreated_illness=household.untreated_illness,
    )


_ROW_FIELDS = tuple(f.name for f in fields(criteria.ExplanationRow))


def _row_dict(row: criteria.ExplanationRow) -> dict:
    """``dataclasses.asdict(row)`` for a row of plain values, without its recursive deep copy (a bulk loader
    classifies a million households)."""
    return {name: getattr(row, name) for name in _ROW_FIELDS}


def assess(
    household: Household,
    members: list[Member],
    *,
    standard: criteria.Standard | None = None,
    local_line=...,
    facts: criteria.HouseholdFacts | None = None,
    today: date | None = None,
    overrides: list | None = None,
) -> dict:
    """Derive the indicators, apply the officers' overrides and classify; return a JSON-able snapshot.

    ``facts``: ``household_facts(household, members)`` when a bulk loader has just built it from the same rows.
    ``today``: the day a bulk loader read once for the whole file (the clock costs a thread-local lookup per call).
    ``overrides``: the household's ``IndicatorOverride`` rows when a bulk loader has read them (by default they are
    read through ``household.indicator_overrides``).

    The snapshot keeps each indicator's derived value next to the override, so the page can show both
    and flag contradictions (an override that says the opposite of what the facts say).
    """
    day = household.reference_date or today or timezone.localdate()
    # The standard is the one of ``day`` (for a review: the first day of the year its lists are for); the facts
    # are judged on the survey day when there is one (criteria.indicators: NĐ 07/2021, Phụ lục, "hiện không có
    # bảo hiểm y tế"; TT 07/2021, Phụ lục IV). In the registry both are the household's own reference day.
    facts_day = getattr(household, "survey_date", None) or day
    try:
        standard = standard or standard_on(day)
        derived = criteria.derive_indicators(facts or household_facts(household, members), standard, facts_day)
    except ValueError as error:  # no standard for that date, or facts the engine cannot read
        return {
            "reference_date": day.isoformat(),
            "survey_date": facts_day.isoformat(),
            "household_class": "",
            "summary": str(error),
            "rows": [],
            "indicators": [],
            "deprived": [],
            "unknown": [],
            "low_income_workers": False,
        }
    if overrides is None:
        overrides = household.indicator_overrides.all() if household.pk else ()
    overrides = {o.code: o for o in overrides}
    indicators, deprived, triggered = [], set(), {}
    for code, result in derived.items():
        override = overrides.get(code)
        final = override.deprived if override else result.deprived
        if final:
            deprived.add(code)
            triggered[code] = result.triggered_by
        indicators.append(
            {
                "code": code,
                "name": result.name,
                "derived": result.deprived,
                "reason": result.reason,
                "override": None if override is None else {"deprived": override.deprived, "reason": override.reason},
                "final": final,
                "contradiction": override is not None
                and result.deprived is not None
                and override.deprived != result.deprived,
            }
        )
    snapshot = {
        "reference_date": day.isoformat(),
        "survey_date": facts_day.isoformat(),
        "standard": standard.code,
        "standard_name": standard.name,
        "indicators": indicators,
        "deprived": sorted(deprived),
    }
    try:
        result = criteria.classify(
            criteria.ClassificationInput(
                reference_date=day,
                area_type=household.area_type,
                income_per_capita=household.income_per_capita,
                score_a=household.score_a,
                deprived=frozenset(deprived),
                triggered_by=triggered,
                agricultural=household.agricultural,
                local_poverty_line=local_line_on(household, day) if local_line is ... else local_line,
            ),
            standard,
        )
    except ValueError as error:
        snapshot.update(household_class="", summary=str(error), rows=[])
    else:
        snapshot.update(
            household_class=result.household_class,
            summary=result.summary,
            basis=result.basis,
            rows=[_row_dict(row) for row in result.rows],
        )
    snapshot["low_income_workers"] = (
        criteria.low_income_worker(
            household.income_per_capita, household.area_type, snapshot["household_class"], standard
        )
        if household.income_per_capita is not None and snapshot["household_class"] and standard.low_income_worker_upper
        else False
    )
    snapshot["unknown"] = [i["name"] for i in indicators if i["final"] is None]
    snapshot["note"] = _("Phân loại tính theo dữ liệu đã nhập; trạng thái chính thức theo quyết định của UBND xã.")
    return snapshot
