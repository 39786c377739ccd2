"""Sign-in lockout: by account and address together, by address across accounts, unlocked from the admin."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.lockout import client_address
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

OFFICE, ATTACKER = "203.0.113.10", "198.51.100.66"


def login(client, username, password, address):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_failures_lock_the_account_only_at_the_address_they_came_from(client, users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "xa.iarsai", "sai-mat-khau", ATTACKER)
    refused = login(client, "xa.iarsai", PASSWORD, ATTACKER)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert f"sau {settings.AXES_FAILURE_LIMIT} lần nhập sai mật khẩu" in page  # the count axes locks at
    assert "quá" not in page
    assert login(client, "xa.iarsai", PASSWORD, OFFICE).status_code == 302  # the officer still signs in


def test_one_address_trying_many_accounts_is_stopped(client, users, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    names = [UserFactory(username=f"xa.thu{n}").username for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT)]
    for name in names[:-1]:  # one guess per account: no account reaches its own limit
        assert login(client, name, "Matkhau123", ATTACKER).status_code == 200
    assert login(client, names[-1], "Matkhau123", ATTACKER).status_code == 429  # the guess that reaches it
    refused = login(client, "xa.iarsai", PASSWORD, ATTACKER)  # even a right password, for another account
    assert refused.status_code == 429
    assert "sai mật khẩu 6 lần với nhiều tài khoản" in refused.content.decode()
    assert login(client, "xa.iarsai", PASSWORD, OFFICE).status_code == 302


def test_an_administrator_unlocks_from_the_django_admin(client, client_for, users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "xa.iarsai", "sai-mat-khau", OFFICE)
    assert login(client, "xa.iarsai", PASSWORD, OFFICE).status_code == 429
    admin = client_for(users.admin)
    assert admin.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200  # axes' own admin
    response = admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [users.commune_officer.pk]},
        follow=True,
    )
    assert "Đã mở khoá đăng nhập cho 1 tài khoản." in response.content.decode()
    assert not AccessAttempt.objects.filter(username="xa.iarsai").exists()
    admin.logout()
    assert login(client, "xa.iarsai", PASSWORD, OFFICE).status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(rf, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.10")
    assert client_address(request) == "203.0.113.10"  # the forged first entry is ignored
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_address(request) == "10.0.0.2"
