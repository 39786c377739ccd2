"""Accounts: role/unit rules, scoping of accounts, sign-in lockout, forced password change, admin pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_set_active

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role,unit_attr,ok",
    [
        (Role.COMMUNE_OFFICER, "commune", True),
        (Role.COMMUNE_OFFICER, "district", False),
        (Role.DISTRICT_STAFF, "district", True),
        (Role.DISTRICT_STAFF, "commune", False),
        (Role.PROVINCE_STAFF, "province", True),
        (Role.PROVINCE_STAFF, None, False),
        (Role.SYSTEM_ADMIN, None, True),
    ],
)
def test_role_must_match_the_level_of_the_unit(tree, role, unit_attr, ok):
    user = User(username="x", full_name="Thử", role=role, unit=getattr(tree, unit_attr) if unit_attr else None)
    user.set_password(PASSWORD)
    if ok:
        user.full_clean()
    else:
        with pytest.raises(ValidationError) as excinfo:
            user.full_clean()
        assert "unit" in excinfo.value.message_dict


def test_accounts_are_scoped_like_units(users, tree):
    other = UserFactory(unit=tree.other_province_commune)
    assert set(User.objects.visible_to(users.district_staff)) == {users.district_staff, users.commune_officer}
    assert other not in User.objects.visible_to(users.province_staff)
    assert other in User.objects.visible_to(users.admin)
    assert list(User.objects.visible_to(UserFactory(unit=None, role=Role.SYSTEM_ADMIN, is_superuser=False))) != []


def test_only_administrators_reach_django_admin(users):
    assert users.admin.is_staff
    assert not users.province_staff.is_staff


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_sign_in_and_out(client, users):
    response = login(client, "xa.iarsai", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:index")
    assert client.get(reverse("dashboards:index")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("dashboards:index")).status_code == 302


def test_wrong_password_is_explained_in_vietnamese(client, users):
    response = login(client, "xa.iarsai", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert 'value="xa.iarsai"' in response.content.decode()  # what was typed is kept


def test_repeated_failures_lock_the_account_until_an_admin_unlocks_it(client, users, settings, client_for):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "xa.iarsai", "sai-mat-khau")
    response = login(client, "xa.iarsai", PASSWORD)  # even the right password is refused now
    assert response.status_code == 429
    assert "tạm khoá" in response.content.decode()
    admin_client = client_for(users.admin)
    listing = admin_client.get(reverse("accounts:user_list")).content.decode()
    assert "Tạm khoá" in listing
    admin_client.post(reverse("accounts:user_unlock", args=[users.commune_officer.pk]))
    admin_client.logout()
    assert login(client, "xa.iarsai", PASSWORD).status_code == 302


def test_admin_creates_an_account_who_must_change_the_password(client_for, users, tree, client):
    admin = client_for(users.admin)
    data = {
        "username": "xa.phutuc",
        "full_name": "Nguyễn Thị Thu Hà",
        "email": "",
        "phone": "",
        "position": "",
        "role": Role.COMMUNE_OFFICER,
        "unit": tree.sibling_commune.pk,
        "password1": "Tam-thoi-2026!",
        "password2": "Tam-thoi-2026!",
    }
    response = admin.post(reverse("accounts:user_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="xa.phutuc")
    assert created.must_change_password and created.unit == tree.sibling_commune
    admin.logout()

    login(client, "xa.phutuc", "Tam-thoi-2026!")
    response = client.get(reverse("areas:list"))
    assert response["Location"] == reverse("accounts:password_change")
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Tam-thoi-2026!",
            "new_password1": "Buon-Chu-Te-2026",
            "new_password2": "Buon-Chu-Te-2026",
        },
    )
    assert client.get(reverse("areas:list")).status_code == 200


def test_bad_account_form_keeps_what_was_typed(client_for, users, tree):
    data = {
        "username": "xa.moi",
        "full_name": "Trần Văn Bình",
        "role": Role.DISTRICT_STAFF,
        "unit": tree.commune.pk,
        "password1": "123",
        "password2": "456",
    }
    response = client_for(users.admin).post(reverse("accounts:user_create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Trần Văn Bình" in body and "Hai mật khẩu không khớp nhau" in body
    assert "Cán bộ huyện phải thuộc một đơn vị cấp huyện" in body
    assert not User.objects.filter(username="xa.moi").exists()


def test_admin_resets_a_password(client_for, users):
    target = users.commune_officer
    client_for(users.admin).post(
        reverse("accounts:user_set_password", args=[target.pk]),
        {"new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"},
    )
    target.refresh_from_db()
    assert target.check_password("Mat-khau-moi-2026") and target.must_change_password


def test_stopping_an_account_asks_first_and_is_refused_for_oneself(client_for, users):
    admin = client_for(users.admin)
    url = reverse("accounts:user_set_active", args=[users.commune_officer.pk])
    assert "Ngừng sử dụng tài khoản?" in admin.get(url).content.decode()
    users.commune_officer.refresh_from_db()
    assert users.commune_officer.is_active  # GET changed nothing
    admin.post(url)
    users.commune_officer.refresh_from_db()
    assert not users.commune_officer.is_active
    with pytest.raises(ValidationError):
        user_set_active(user=users.admin, active=False, acting_user=users.admin)


def test_user_list_query_count_does_not_grow_with_users(client_for, users, tree, django_assert_max_num_queries):
    for _ in range(20):
        UserFactory(unit=tree.commune)
    admin = client_for(users.admin)
    admin.get(reverse("accounts:user_list"))
    with django_assert_max_num_queries(8):
        response = admin.get(reverse("accounts:user_list"))
    assert response.status_code == 200
