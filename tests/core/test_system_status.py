"""The administrators' system-status page and the health endpoint."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core.tasks import HEARTBEAT_KEY

pytestmark = pytest.mark.django_db


def test_status_page_shows_database_redis_workers_and_heartbeat(client_for, users):
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat())
    page = client_for(users.admin).get(reverse("core:system_status")).content.decode()
    for name in ("Cơ sở dữ liệu PostgreSQL", "Redis", "Celery worker", "Nhịp hoạt động"):
        assert name in page
    assert "Phiên bản" in page


def test_stale_heartbeat_is_reported(users, client_for):
    cache.set(HEARTBEAT_KEY, (timezone.now() - timezone.timedelta(minutes=10)).isoformat())
    from core.health import check_heartbeat

    assert check_heartbeat().ok is False
    cache.delete(HEARTBEAT_KEY)
    assert "Chưa nhận được" in check_heartbeat().detail


def test_running_the_full_check_creates_a_job(client_for, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(users.admin).post(reverse("core:system_check"))
    assert response.status_code == 302 and "/cong-viec/" in response["Location"]
    assert len(callbacks) == 1  # the task is sent only after the row is committed
