"""The dashboard's targets card: a unit the level above gave no target of its own counts the sum of the targets of
its units, and says so, instead of "40 / 0 · Chưa giao" beside communes that have targets."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.selectors import target_widget_for
from households.models import PovertyTarget

pytestmark = pytest.mark.django_db
DECISION = "Quyết định số 146/QĐ-UBND ngày 22/3/2021"
SUMMED = "Tổng chỉ tiêu các đơn vị trực thuộc"


def target(unit, households, user=None):
    """A target as the level above assigns it (the service checks who may; here any unit, for the sums)."""
    PovertyTarget.objects.create(
        unit=unit,
        year=timezone.localdate().year,
        households_to_escape=households,
        rate_reduction=Decimal("1.5"),
        legal_basis=DECISION,
        set_by=user,
    )


@pytest.fixture
def commune_targets(tree, users):
    target(tree.commune, 10, users.district_staff)
    target(tree.sibling_commune, 5, users.district_staff)
    target(tree.other_district_commune, 7, users.province_staff)


def goals(widget) -> dict[str, tuple[int | None, bool]]:
    return {row.unit.name: (row.goal.households, row.goal.summed) for row in widget["rows"]}


def cell_text(html: str, testid: str) -> list[str]:
    rows = re.findall(rf'<tr[^>]*data-testid="{testid}"[^>]*>(.*?)</tr>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_province_without_targets_of_its_own_sums_its_communes(client_for, users, commune_targets):
    widget = target_widget_for(users.province_staff)
    assert goals(widget) == {"Huyện Ia Pa": (7, True), "Huyện Krông Pa": (15, True)}
    assert (widget["total"].goal.households, widget["total"].goal.summed) == (22, True)
    page = client_for(users.province_staff).get(reverse("dashboards:index")).content.decode()
    assert cell_text(page, "target-total") == ["Tổng cộng 0 / 22 Σ 0/2 đơn vị đã giao"]
    assert "Chưa giao" not in page
    assert SUMMED in page and 'data-testid="target-summed"' in page


def test_a_district_target_of_its_own_counts_instead_of_its_communes(users, tree, commune_targets):
    target(tree.district, 12, users.province_staff)
    widget = target_widget_for(users.province_staff)
    assert goals(widget) == {"Huyện Ia Pa": (7, True), "Huyện Krông Pa": (12, False)}
    assert widget["total"].goal.households == 19


def test_district_without_a_target_of_its_own_sums_its_communes(client_for, users, commune_targets):
    widget = target_widget_for(users.district_staff)
    assert goals(widget) == {"Thị trấn Phú Túc": (5, False), "Xã Ia RSai": (10, False)}
    assert (widget["total"].goal.households, widget["total"].goal.summed) == (15, True)
    page = client_for(users.district_staff).get(reverse("dashboards:index")).content.decode()
    assert cell_text(page, "target-total") == ["Tổng cộng 0 / 15 Σ 2/2 đơn vị đã giao"]
    assert SUMMED in page


def test_district_with_its_own_target_shows_it(client_for, users, tree, commune_targets):
    target(tree.district, 12, users.province_staff)
    widget = target_widget_for(users.district_staff)
    assert (widget["total"].goal.households, widget["total"].goal.summed) == (12, False)
    page = client_for(users.district_staff).get(reverse("dashboards:index")).content.decode()
    assert cell_text(page, "target-total") == ["Tổng cộng 0 / 12 2/2 đơn vị đã giao"]
    assert 'data-testid="target-summed"' not in page


def test_no_target_anywhere_says_not_assigned(client_for, users, tree):
    widget = target_widget_for(users.province_staff)
    assert goals(widget) == {"Huyện Ia Pa": (None, True), "Huyện Krông Pa": (None, True)}
    page = client_for(users.province_staff).get(reverse("dashboards:index")).content.decode()
    assert "Chưa giao" in page and 'data-testid="target-summed"' not in page
    assert cell_text(page, "target-total") == ["Tổng cộng 0 / — 0/2 đơn vị đã giao"]


def test_targets_outside_the_unit_do_not_count(users, tree, commune_targets):
    target(tree.other_province_commune, 50, users.admin)
    widget = target_widget_for(users.province_staff)
    assert widget["total"].goal.households == 22
