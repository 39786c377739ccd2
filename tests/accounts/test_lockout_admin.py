"""django-axes' admin pages speak the portal's language: Vietnamese labels, English from the catalogue."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

ENGLISH_AXES = ("IP Address", "Attempt Time", "User Agent", "Locked Out", "access attempts", "Form Data")


@pytest.fixture
def attempt(db):
    return AccessAttempt.objects.create(
        username="xa.phucan",
        ip_address="10.0.0.7",
        user_agent="Firefox",
        http_accept="text/html",
        path_info="/dang-nhap/",
        get_data="",
        post_data="username=xa.phucan",
        failures_since_start=2,
    )


def test_axes_pages_in_vietnamese(client_for, users, attempt):
    client = client_for(users.admin)
    listing = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    change = client.get(reverse("admin:axes_accessattempt_change", args=[attempt.pk])).content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    for text in ("Địa chỉ IP", "Tên đăng nhập", "Số lần sai", "Thời điểm", "Còn 3 lần thử"):
        assert text in listing, text
    assert "Dữ liệu gửi lên (POST)" in change and "Thông tin kỹ thuật" in change
    assert "Đăng nhập sai và khoá tài khoản" in index and "Lần đăng nhập sai đang tính" in index
    for text in ENGLISH_AXES:
        assert text not in listing + change + index, text


def test_axes_pages_in_english(client_for, users, attempt):
    client = client_for(users.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listing = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "IP address" in listing and "Failures" in listing and "3 tries left" in listing
