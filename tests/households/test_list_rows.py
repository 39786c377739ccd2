"""The household list's rows, written in Python (households/templatetags/household_list.py): the markup the list
template wrote, in the active language, and one query for the page's rows however many there are."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from households.choices import HouseholdClass, HouseholdState
from households.models import Household

pytestmark = pytest.mark.django_db


def row(household, head, badge, flags) -> str:
    return (
        f'<tr>\n        <td><a href="{reverse("households:detail", args=[household.pk])}">{household.code}</a></td>\n'
        f"        <td>{head}</td>\n        <td>{household.village.name}</td>\n"
        f'        <td class="num">4</td>\n        <td>{badge}</td>\n        <td class="small">{flags}</td>\n      </tr>'
    )


def test_each_row_shows_code_head_village_members_class_and_flags(client_for, users, make_household):
    poor = make_household(code="IRS-001")
    other = make_household(code="IRS-002", meritorious=True, social_protection=True, no_labour_capacity=True)
    Household.objects.filter(pk=other.pk).update(
        head_name="", current_class="", state=HouseholdState.ARCHIVED, ethnic_minority=False
    )
    page = client_for(users.province_staff).get(reverse("households:list"), {"archived": "on"}).content.decode()
    poor.refresh_from_db()
    assert row(
        poor, poor.head_name, '<span class="badge class-poor">Hộ nghèo</span>',
        '<span class="badge badge-level">DTTS</span>',
    ) in page  # fmt: skip
    assert (
        row(
            other,
            "—",
            '<span class="badge text-bg-light border">Chưa phân loại</span>'
            ' <span class="badge text-bg-secondary">Đã lưu trữ</span>',
            ' <span class="badge badge-level">Người có công</span> <span class="badge badge-level">BTXH</span>'
            ' <span class="badge badge-level">Không có khả năng lao động</span>',
        )
        in page
    )


def test_the_rows_follow_the_language_switch(client_for, users, make_household):
    household = make_household()
    Household.objects.filter(pk=household.pk).update(code="<IRS&1>")  # escaped like any text
    client = client_for(users.province_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("households:list")).content.decode()
    with translation.override("en"):
        label, minority = str(HouseholdClass.POOR.label), translation.gettext("DTTS")
    assert label != "Hộ nghèo"
    assert f'<span class="badge class-poor">{label}</span>' in page
    assert f'<span class="badge badge-level">{minority}</span>' in page
    assert '">&lt;IRS&amp;1&gt;</a></td>' in page and "<IRS&1>" not in page


def test_an_empty_list_says_so(client_for, users):
    page = client_for(users.province_staff).get(reverse("households:list"), {"q": "zzzz"}).content.decode()
    assert '<tr><td colspan="6" class="text-muted">Không có hộ nào khớp với điều kiện lọc.</td></tr>' in page
