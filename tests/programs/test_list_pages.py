"""The coverage and bulk lists read village by village (programs.listing): the same rows in the same order as the
list's ORDER BY, page after page, on random data; the queries of a page do not grow with the rows; the electricity
list's totals come from one aggregate and equal the rows'."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import Household, Member
from programs import bulk, selectors, views_bulk
from programs.listing import SortedIdsPaginator, VillageOrderPaginator, narrowed_to, village_ranks
from programs.models import Benefit
from programs.status import group_q
from programs.views_bulk import day_for
from tests.factories import VillageFactory

from .conftest import pay, programme, set_status

pytestmark = pytest.mark.django_db

CLASSES = ("poor", "near_poor", "average_living", "not_poor")


@pytest.fixture
def province_data(tree, make_household):
    """Households spread over six villages of three communes (two villages of one commune share a name, one
    village's name sorts first), in random classes, some without a health-insurance card, some with a
    social-protection beneficiary, one household archived, and a village of another province."""
    rng = random.Random(2021)
    today = timezone.localdate()
    villages = [
        tree.village,
        VillageFactory(code="24079-02", name="Buôn Chư Tê", parent=tree.commune),  # same name, same commune
        VillageFactory(code="24079-03", name="Buôn A Ma", parent=tree.commune),
        VillageFactory(code="24082-01", name="Thôn 1", parent=tree.sibling_commune),
        VillageFactory(code="24121-01", name="Buôn Ia Mrơn", parent=tree.other_district_commune),
    ]
    elsewhere = VillageFactory(code="40001-01", name="Xóm Đông", parent=tree.other_province_commune)
    codes = rng.sample(range(100, 999), 40)
    households = []
    for index, code in enumerate(codes):
        village = elsewhere if index == 39 else rng.choice(villages)
        status = rng.choice(CLASSES)
        household = make_household(
            code=f"H-{code}",
            village=village,
            status=(status, today - timedelta(days=400), None),
            social_protection=rng.random() < 0.3,
        )
        if rng.random() < 0.2:  # poor until last year: recently escaped, now near-poor
            set_status(
                household,
                ("poor", today - timedelta(days=900), today - timedelta(days=401)),
                ("near_poor", today - timedelta(days=400), None),
            )
        if rng.random() < 0.6:
            Member.objects.filter(household=household).update(
                health_insurance_valid_from=None, health_insurance_valid_to=None
            )
        households.append(household)
    Household.objects.filter(pk=households[0].pk).update(state="archived")
    return households


def walked(records, user, village, within, per_page=3):
    """Every row of the list, page by page, as the village walk reads them."""
    paginator = VillageOrderPaginator(records, per_page, user=user, village=village, within=within)
    paginator.exact_up_to = paginator.deepest = 10_000
    return [row.pk for number in paginator.page_range for row in paginator.page(number).object_list]


def test_a_commune_s_villages_of_one_name_share_a_rank(tree, users, province_data):
    ranks, ids = village_ranks(users.province_staff)
    by_village = dict(zip(ids, ranks, strict=True))
    same_name = [v.pk for v in tree.commune.children.filter(name="Buôn Chư Tê")]
    assert len(same_name) == 2 and by_village[same_name[0]] == by_village[same_name[1]]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("role", ["province_staff", "district_staff", "commune_officer"])
def test_the_pages_hold_the_lists_rows_in_the_lists_order(users, province_data, role):
    user = getattr(users, role)
    year = timezone.localdate().year
    day = day_for(year)
    quarter = (timezone.localdate().month - 1) // 3 + 1
    lists = {
        "uninsured": (
            selectors.uninsured_members(user, day=day),
            "household__village",
            selectors.MEMBER_WITHIN_VILLAGE,
        ),
        "uninsured poor": (
            selectors.uninsured_members(user, day=day, status="poor"),
            "household__village",
            selectors.MEMBER_WITHIN_VILLAGE,
        ),
        "bhyt": (
            selectors.bhyt_candidates(user, year=year, day=day),
            "household__village",
            selectors.MEMBER_WITHIN_VILLAGE,
        ),
        "housing": (selectors.housing_gap(user, day=day), "village", selectors.HOUSEHOLD_WITHIN_VILLAGE),
        "electricity": (
            selectors.electricity_quarter(
                user,
                programme=programme("ELECTRICITY"),
                year=year,
                quarter=quarter,
                day=bulk.quarter_end(year, quarter),
            ),
            "village",
            selectors.HOUSEHOLD_WITHIN_VILLAGE,
        ),
    }
    for name, (records, village, within) in lists.items():
        expected = [row.pk for row in records]
        assert expected, name
        assert walked(records, user, village, within) == expected, name


def test_the_bhyt_list_holds_the_members_of_the_three_groups_as_before(users, province_data):
    """The groups are now read from the joined household row: the same members as the former subquery."""
    user = users.province_staff
    year = timezone.localdate().year
    day = day_for(year)
    end = timezone.datetime(year, 12, 31).date()
    bhyt = ("poor", "near_poor", "average_living")
    groups = group_q("poor", day, bhyt) | group_q("near_poor", day, bhyt) | group_q("average_living", day, bhyt)
    covered = Benefit.objects.active().filter(
        member=OuterRef("pk"), programme__kind="health_insurance", card_valid_to__gte=end
    )
    before = (
        Member.objects.current()
        .filter(household__in=Household.objects.visible_to(user).active().filter(groups).values("pk"))
        .exclude(health_insurance_valid_to__gte=end)
        .exclude(Exists(covered))
        .order_by(*selectors.MEMBER_ORDER)
    )
    assert list(selectors.bhyt_candidates(user, year=year, day=day)) == list(before)


@pytest.mark.parametrize(
    "url_name",
    [
        "programs:coverage_uninsured",
        "programs:bhyt_list",
        "programs:electricity",
        "programs:coverage_unsupported",
        "programs:coverage_housing",
    ],
)
def test_a_page_s_queries_do_not_grow_with_the_rows(client_for, users, make_household, tree, url_name, monkeypatch):
    monkeypatch.setattr(views_bulk, "PAGE_SIZE", 50)
    client = client_for(users.province_staff)
    today = timezone.localdate()

    def add(first, count):
        for index in range(first, first + count):
            household = make_household(code=f"Q-{index:03d}", status=("poor", today - timedelta(days=400), None))
            Member.objects.filter(household=household).update(
                health_insurance_valid_from=None, health_insurance_valid_to=None
            )

    def queries():
        client.get(reverse(url_name))  # sessions and caches warmed
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse(url_name))
        assert response.status_code == 200
        return len(context.captured_queries), len(response.context["rows"])

    add(1, 2)
    few, few_rows = queries()
    add(3, 8)
    many, many_rows = queries()
    assert many_rows > few_rows and many == few


def test_the_electricity_totals_equal_the_list(client_for, users, province_data):
    year = timezone.localdate().year
    quarter = (timezone.localdate().month - 1) // 3 + 1
    electricity = programme("ELECTRICITY")
    user = users.province_staff
    candidates = list(selectors.electricity_candidates(user, day=bulk.quarter_end(year, quarter)))
    paid = candidates[::3]
    for household in paid:
        pay(household, electricity, year, quarter, users.commune_officer)
    response = client_for(user).get(reverse("programs:electricity"), {"year": year, "quarter": quarter})
    assert response.status_code == 200
    context = response.context
    assert context["count"] == len(candidates) and context["unpaid"] == len(candidates) - len(paid)
    assert context["total"] == bulk.electricity_amount(electricity) * len(candidates)
    shown = [row["household"] for row in context["rows"]]
    assert shown == [h.code for h in candidates][: len(shown)]
    paid_codes = {h.code for h in paid}
    assert all((row["paid"] != "") == (row["household"] in paid_codes) for row in context["rows"])


def test_a_list_longer_than_the_screen_shows_its_first_rows_and_says_so(client_for, users, make_household, monkeypatch):
    for index in range(1, 4):
        household = make_household(code=f"IRS-{index:03d}")
        Member.objects.filter(household=household).update(
            health_insurance_valid_from=None, health_insurance_valid_to=None
        )
    monkeypatch.setattr(views_bulk, "PAGE_SIZE", 1)
    monkeypatch.setattr(VillageOrderPaginator, "exact_up_to", 3)
    monkeypatch.setattr(VillageOrderPaginator, "deepest", 2)
    response = client_for(users.province_staff).get(reverse("programs:coverage_uninsured"), {"page": 99})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.paginator.num_pages == 2 and page.number == 2
    assert "khoảng" in response.content.decode()
    assert 'data-testid="list-truncated"' in response.content.decode()


@pytest.mark.parametrize("cap", [10_000, 4])
def test_the_lists_with_few_rows_read_their_ids_once_in_the_lists_order(users, province_data, cap):
    """The poor without support and the housing gaps: the ids read once give the count and the pages (and past the
    cap, the pages are read one by one), the same rows in the same order as the plain query."""
    user = users.province_staff
    year = timezone.localdate().year
    day = day_for(year)
    for records in (selectors.unsupported_poor(user, year=year, day=day), selectors.housing_gap(user, day=day)):
        paginator = SortedIdsPaginator(records, 3)
        paginator.exact_up_to = cap
        shown = [row.pk for number in paginator.page_range for row in paginator.page(number).object_list]
        expected = [row.pk for row in records]
        assert expected and paginator.approximate == (len(expected) > cap)
        if paginator.approximate:  # as many pages as the planner estimates: the rows shown are the list's first
            assert len(shown) > cap and shown == expected[: len(shown)]
        else:
            assert shown == expected


@pytest.mark.parametrize("role", ["province_staff", "district_staff", "commune_officer"])
def test_the_electricity_totals_equal_the_rows_of_past_and_current_quarters(users, province_data, role):
    """The totals read the paid households as one set and the poor ones from the poor records' index: the same
    numbers as the rows of the list, for a past quarter and for this one, with a cancelled payment, a payment of
    another quarter, a class that begins after today and a stored class that differs from the status in force."""
    user = getattr(users, role)
    today = timezone.localdate()
    electricity = programme("ELECTRICITY")
    this_quarter = (today.year, (today.month - 1) // 3 + 1)
    last_quarter = (today.year, this_quarter[1] - 1) if this_quarter[1] > 1 else (today.year - 1, 4)
    rng = random.Random(7)
    households = province_data[1:39]  # active, in the province (the last one is of another province)
    # The status in force, not the household's stored current class (the assessment), decides the list.
    Household.objects.filter(pk__in=[h.pk for h in households[:6]]).update(current_class="poor")
    # A decision dated after today (services.status_record_add accepts any day after the open record's start).
    later = ("poor", today + timedelta(days=1), None)
    set_status(households[6], ("non_poor", today - timedelta(days=400), today), later)
    for year, quarter in (last_quarter, this_quarter):
        entitled = list(selectors.electricity_candidates(users.province_staff, day=bulk.quarter_end(year, quarter)))
        for household in rng.sample(entitled, len(entitled) // 2):
            benefit = Benefit.objects.create(
                programme=electricity,
                household=household,
                date=today,
                period_year=year,
                period_quarter=quarter,
                amount=bulk.electricity_amount(electricity),
                household_status="poor",
                created_by=users.commune_officer,
            )
            if rng.random() < 0.2:
                Benefit.objects.filter(pk=benefit.pk).update(cancelled_at=timezone.now())
    for year, quarter in (last_quarter, this_quarter):
        day = bulk.quarter_end(year, quarter)
        rows = list(selectors.electricity_quarter(user, programme=electricity, year=year, quarter=quarter, day=day))
        totals = selectors.electricity_totals(user, programme=electricity, year=year, quarter=quarter, day=day)
        assert rows and totals == {"households": len(rows), "unpaid": sum(1 for h in rows if not h.paid)}


@pytest.mark.parametrize("role", ["province_staff", "district_staff", "commune_officer"])
@pytest.mark.parametrize("up_to", [20_000, 3])
def test_the_poor_without_support_narrowed_to_their_candidates_are_the_list(users, province_data, role, up_to):
    """The page of the poor households without support reads the candidates' ids from the indexes first (of every
    unit, with a support of last year, a cancelled one and one of this year); narrowed to them, the list holds the
    same rows in the same order; past ``up_to`` candidates it is the plain list."""
    user = getattr(users, role)
    today = timezone.localdate()
    year = today.year
    day = day_for(year)
    poor = [h for h in province_data if h.status_records.filter(household_class="poor", valid_to=None).exists()]
    electricity = programme("ELECTRICITY")
    for index, household in enumerate(poor[:6]):
        dated = today if index % 3 else date(year - 1, 12, 31)  # last year's support does not count this year
        benefit = Benefit.objects.create(
            programme=electricity,
            household=household,
            date=dated,
            period_year=dated.year,
            period_quarter=(dated.month - 1) // 3 + 1,
            amount=bulk.electricity_amount(electricity),
            household_status="poor",
            created_by=users.commune_officer,
        )
        if index == 4:
            Benefit.objects.filter(pk=benefit.pk).update(cancelled_at=timezone.now())
    records = selectors.unsupported_poor(user, year=year, day=day)
    candidates = selectors.unsupported_poor_candidates(year=year, day=day)
    narrowed = narrowed_to(records, candidates, up_to=up_to)
    expected = list(records)
    assert expected and set(candidates) >= {h.pk for h in expected}
    assert list(narrowed) == expected
    assert ("IN (" in str(narrowed.query)) == (up_to >= len(set(candidates)))


def test_the_cells_formatted_in_python_render_as_the_former_template_did():
    """The coverage table's cells are formatted once in the view (``screen_cells``): the same HTML as the former
    per-cell template tags, for codes, names to escape, dates, amounts and missing values."""
    from django.template import Context, Template

    from programs.excel import Col

    columns = [
        Col("household", "Mã hộ", 12),
        Col("head", "Chủ hộ", 24),
        Col("born", "Ngày sinh", 12, "date"),
        Col("amount", "Số tiền", 14, "money"),
        Col("area", "Diện tích", 12),
        Col("count", "Số khoản", 10),
    ]
    rows = [
        {
            "pk": 7,
            "household": "H-<1>",
            "head": "Lê Thị A & B",
            "born": date(2001, 2, 3),
            "amount": 1234567,
            "area": 45.5,
            "count": 0,
        },
        {"pk": 8, "household": "H-2", "head": "", "born": None, "amount": None, "area": None, "count": 3},
    ]
    former = Template(
        "{% load l10n portal programs_tags %}{% localize off %}{% for row in rows %}<tr>{% for c in columns %}"
        '{% with v=row|get_item:c.key %}<td{% if c.kind == "money" %} class="num"{% endif %}>'
        '{% if c.key == "household" %}<a href="{% url \'programs:household\' row.pk %}">{{ v }}</a>'
        '{% elif c.kind == "date" %}{{ v|date:"d/m/Y"|default:"—" }}{% elif c.kind == "money" %}{{ v|vn_number }}'
        '{% else %}{{ v|default_if_none:"—" }}{% endif %}</td>{% endwith %}{% endfor %}</tr>{% endfor %}'
        "{% endlocalize %}"
    )
    now = Template(
        "{% load l10n %}{% localize off %}{% for row in cells %}<tr>{% for value, number, link in row %}"
        '<td{% if number %} class="num"{% endif %}>{% if link %}<a href="{{ link }}">{{ value }}</a>'
        "{% else %}{{ value }}{% endif %}</td>{% endfor %}</tr>{% endfor %}{% endlocalize %}"
    )
    expected = former.render(Context({"rows": rows, "columns": columns}))
    assert "1.234.567" in expected and "03/02/2001" in expected and "&lt;1&gt;" in expected
    assert now.render(Context({"cells": views_bulk.screen_cells(rows, columns)})) == expected
