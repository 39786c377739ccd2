"""Sign-in per request: the user read with their unit and its parent, the session row written only when needed.

The eight-hour age of a session counts from the last request (``SESSION_SAVE_EVERY_REQUEST``); the row's expiry is
written again only once it would move by more than a minute (accounts.sessions), so the idle timeout holds to within
a minute. The clock is frozen and moved by hand.
"""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.sessions import EXPIRY_SLACK

pytestmark = pytest.mark.django_db

AGE = timedelta(seconds=settings.SESSION_COOKIE_AGE)


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def session_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]]


@pytest.fixture
def clock():
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    with time_machine.travel(datetime.combine(start.date(), start.time(), tzinfo=start.tzinfo), tick=False) as t:
        yield t


def test_the_expiry_is_written_again_only_once_it_moved_by_a_minute(client_for, users, clock):
    client = client_for(users.district_staff)
    url = reverse("dashboards:index")
    assert client.get(url).status_code == 200
    first = session_row(client).expire_date
    assert first == timezone.now() + AGE

    clock.shift(EXPIRY_SLACK - timedelta(seconds=1))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert session_writes(queries) == []
    assert session_row(client).expire_date == first

    clock.shift(timedelta(seconds=2))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(session_writes(queries)) == 1
    assert session_row(client).expire_date == timezone.now() + AGE


def test_the_idle_timeout_counts_from_the_last_request_to_within_a_minute(client_for, users, clock):
    client = client_for(users.district_staff)
    url = reverse("households:list")
    assert client.get(url).status_code == 200
    for _hour in range(10):  # a working day of requests, each under a minute after the row was last written: kept
        clock.shift(timedelta(hours=1))
        assert client.get(url).status_code == 200
    clock.shift(AGE - EXPIRY_SLACK - timedelta(seconds=1))  # idle for not quite the age: still signed in
    assert client.get(url).status_code == 200
    clock.shift(AGE + timedelta(seconds=1))  # idle for longer than the age: signed out
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_change_to_the_session_is_written_at_once(client_for, users, clock):
    client = client_for(users.district_staff)
    url = reverse("dashboards:index")
    client.get(url)
    # Switching the language keeps the choice in the session's data (or cookie) and must not be lost.
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    session = client.session
    session["kept"] = [1]
    session.save()  # a changed value: written even within the minute
    assert client.session["kept"] == [1]
    store = client.session
    store.load()
    store["kept"].append(2)  # changed in place, without ``modified``: still written
    store.save()
    assert client.session["kept"] == [1, 2]


def test_signing_in_writes_a_new_session(client, users, clock):
    from tests.factories import PASSWORD

    response = client.post(reverse("accounts:login"), {"username": users.district_staff.username, "password": PASSWORD})
    assert response.status_code == 302
    assert session_row(client).get_decoded()["_auth_user_id"] == str(users.district_staff.pk)


def test_the_user_is_read_with_the_unit_and_its_parent_in_one_query(client_for, users):
    client = client_for(users.commune_officer)  # a commune: its parent is the district, both named in the header
    client.get(reverse("dashboards:index"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboards:index"))
    assert response.status_code == 200
    by_pk = [q["sql"] for q in queries if q["sql"].endswith("LIMIT 21") and "django_session" not in q["sql"]]
    assert len(by_pk) == 1, by_pk  # ``.get(pk=…)`` of the user only, not of the unit and then of its parent
    assert 'FROM "accounts_user"' in by_pk[0] and '"areas_administrativeunit"."path"' in by_pk[0]
    page = response.content.decode()
    assert f"{users.commune_officer.unit.name} · {users.commune_officer.unit.parent.name}" in page


def test_the_backend_reads_the_user_as_the_orm_would(users, django_assert_num_queries):
    from accounts.backends import UserBackend
    from accounts.models import User

    backend = UserBackend()
    for user in (users.commune_officer, users.district_staff, users.province_staff, users.admin):
        with django_assert_num_queries(1):
            read = backend.get_user(str(user.pk))  # the session keeps the id as text
            unit = read.unit
            parent = unit.parent if unit else None
            assert (unit, parent) == (user.unit, user.unit.parent if user.unit else None)
        expected = User.objects.select_related("unit__parent").get(pk=user.pk)
        assert {f.attname: getattr(read, f.attname) for f in User._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields
        }
        assert read._state.db == "default" and not read._state.adding
    assert backend.get_user("999999999") is None
    users.district_staff.is_active = False
    users.district_staff.save()
    assert backend.get_user(users.district_staff.pk) is None


def test_a_shorter_age_set_since_the_row_was_written_is_written_at_the_next_request(client_for, users, clock, settings):
    client = client_for(users.district_staff)
    url = reverse("dashboards:index")
    client.get(url)
    settings.SESSION_COOKIE_AGE = 60 * 60  # an administrator shortens the working day's session to an hour
    clock.shift(timedelta(seconds=5))
    client.get(url)
    assert session_row(client).expire_date == timezone.now() + timedelta(hours=1)
