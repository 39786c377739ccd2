"""The main menu: every-day pages on the bar, occasional ones in drop-down groups, each only where it would open."""

import pytest
from django.urls import reverse

from accounts.choices import Role


def menu(client_for, user) -> list:
    return client_for(user).get(reverse("dashboards:index")).context["nav_items"]


def labels(items) -> list[str]:
    return [str(item["label"]) for item in items]


def test_commune_officer_has_work_on_the_bar_and_groups_for_the_rest(client_for, users):
    items = menu(client_for, users.commune_officer)
    assert labels(items) == [
        "Tổng quan",
        "Hộ gia đình",
        "Rà soát",
        "Hỗ trợ",
        "Giảm nghèo",
        "Báo cáo định kỳ",
        "Thi đua, khen thưởng",
        "Danh mục",
    ]
    groups = {str(i["label"]): labels(i["children"]) for i in items if "children" in i}
    assert groups == {
        "Giảm nghèo": ["Mục tiêu giảm nghèo", "Biến động hộ nghèo"],
        "Báo cáo định kỳ": ["Danh sách báo cáo", "Số liệu nhập tay", "Nhật ký tải báo cáo"],
        "Thi đua, khen thưởng": [
            "Phong trào thi đua",
            "Đề nghị khen thưởng",
            "Quyết định khen thưởng",
            "Sổ khen thưởng",
            "Điển hình tiên tiến",
        ],
        "Danh mục": ["Chuẩn nghèo", "Đơn vị hành chính", "Công việc nền"],
    }


def test_administrator_gets_the_admin_group_with_the_data_admin(client_for, users):
    items = menu(client_for, users.by_role(Role.SYSTEM_ADMIN))
    admin = next(i for i in items if str(i["label"]) == "Quản trị")
    assert labels(admin["children"]) == ["Người dùng", "Trạng thái hệ thống", "Trang quản trị dữ liệu"]
    assert admin["children"][-1]["url"] == reverse("admin:index")


@pytest.mark.parametrize("role", [Role.COMMUNE_OFFICER, Role.DISTRICT_STAFF, Role.PROVINCE_STAFF])
def test_officers_never_see_administration(client_for, users, role):
    html = client_for(users.by_role(role)).get(reverse("dashboards:index")).content.decode()
    assert "Quản trị" not in labels(menu(client_for, users.by_role(role)))
    assert reverse("admin:index") not in html and reverse("accounts:user_list") not in html


def test_the_group_of_the_current_page_is_lit(client_for, users):
    response = client_for(users.commune_officer).get(reverse("households:transitions"))
    group = next(i for i in response.context["nav_items"] if str(i["label"]) == "Giảm nghèo")
    assert group["active"] and [c["active"] for c in group["children"]] == [False, True]


def _emulation_entry(response, label):
    group = next(i for i in response.context["nav_items"] if str(i["label"]) == "Thi đua, khen thưởng")
    return group, next(c for c in group["children"] if str(c["label"]) == label)


def test_the_movement_pages_light_the_emulation_entry(client_for, users):
    response = client_for(users.district_staff).get(reverse("emulation:movement_create"))
    group, entry = _emulation_entry(response, "Phong trào thi đua")
    assert group["active"] and entry["active"] and entry["url"] == reverse("emulation:movement_list")


@pytest.mark.parametrize(
    ("page", "label"),
    [
        ("emulation:nomination_create", "Đề nghị khen thưởng"),
        ("emulation:decision_create", "Quyết định khen thưởng"),
        ("emulation:register", "Sổ khen thưởng"),
        ("emulation:example_create", "Điển hình tiên tiến"),
    ],
)
def test_the_award_pages_light_their_entry(client_for, users, page, label):
    response = client_for(users.commune_officer).get(reverse(page))
    group, entry = _emulation_entry(response, label)
    assert group["active"] and entry["active"]
    assert [str(c["label"]) for c in group["children"] if c["active"]] == [label]


def test_the_menu_follows_a_change_of_role_in_the_same_process(client_for, users):
    """The menu is worked out once per kind of user (core.context_processors): a user whose role changes gets the
    new role's menu on the next page, and another user of the first role still gets the first one."""
    officer = users.commune_officer
    client = client_for(officer)
    assert "Quản trị" not in labels(client.get(reverse("dashboards:index")).context["nav_items"])
    officer.role = Role.SYSTEM_ADMIN
    officer.save()
    assert "Quản trị" in labels(client.get(reverse("dashboards:index")).context["nav_items"])
    assert "Quản trị" not in labels(menu(client_for, users.district_staff))


def test_lighting_the_current_page_leaves_the_menu_of_other_pages_unlit(client_for, users):
    """Each request marks its own page on a copy: the shared menu never keeps a page lit for the next request."""
    client = client_for(users.commune_officer)
    client.get(reverse("households:transitions"))
    items = client.get(reverse("households:list")).context["nav_items"]
    group = next(i for i in items if str(i["label"]) == "Giảm nghèo")
    assert not group["active"] and not any(c["active"] for c in group["children"])
    assert [str(i["label"]) for i in items if i.get("active")] == ["Hộ gia đình"]
