"""The read replica of the figure pages (config/routers.py, ADR 0027): off unless DATABASE_REPLICA_URL is set; when
set, only GET requests to the listed figure views read from it, never writes, sessions or reads inside a
transaction."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import ResolverMatch, reverse

from accounts.models import User
from config import routers
from config.routers import FiguresReplicaRouter, ReplicaReadsMiddleware, figures_from_replica
from households.models import Household
from programs.models import Benefit


@pytest.fixture
def replica(monkeypatch):
    """A replica as the router sees it: the alias is configured."""
    monkeypatch.setattr(routers, "replica_configured", lambda: True)


def _settings_with(env_extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", **env_extra)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'aliases': sorted(s.DATABASES), 'routers': s.DATABASE_ROUTERS, "
        "'middleware': 'config.routers.ReplicaReadsMiddleware' in s.MIDDLEWARE, "
        "'replica': s.DATABASES.get('replica', {}).get('HOST'), "
        "'options': s.DATABASES.get('replica', {}).get('OPTIONS')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR, check=True
    )
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_the_variable_nothing_changes():
    loaded = _settings_with({})
    assert loaded == {
        "aliases": ["default", "jobs"],
        "routers": [],
        "middleware": False,
        "replica": None,
        "options": None,
    }


def test_the_variable_adds_the_replica_router_and_middleware():
    loaded = _settings_with({"DATABASE_REPLICA_URL": "postgres://reader:secret@replica.internal:5432/giamngheo"})
    assert loaded["aliases"] == ["default", "jobs", "replica"]
    assert loaded["routers"] == ["config.routers.FiguresReplicaRouter"]
    assert loaded["middleware"] is True
    assert loaded["replica"] == "replica.internal"
    assert loaded["options"] == {"options": "-c jit=off"}


def test_reads_stay_on_the_primary_outside_the_block(replica):
    assert FiguresReplicaRouter().db_for_read(Household) is None


def test_figure_reads_go_to_the_replica_inside_the_block(replica):
    router = FiguresReplicaRouter()
    with figures_from_replica():
        assert router.db_for_read(Household) == "replica"
        assert router.db_for_read(Benefit) == "replica"
    assert router.db_for_read(Household) is None


def test_sign_in_and_sessions_never_read_from_the_replica(replica):
    from django.contrib.sessions.models import Session

    from core.models import JobRun

    router = FiguresReplicaRouter()
    with figures_from_replica():
        assert router.db_for_read(User) is None
        assert router.db_for_read(Session) is None
        assert router.db_for_read(JobRun) is None


def test_nothing_goes_to_the_replica_when_none_is_configured():
    assert "replica" not in settings.DATABASES
    with figures_from_replica():
        assert FiguresReplicaRouter().db_for_read(Household) is None


@pytest.mark.django_db
def test_a_read_inside_a_transaction_sees_its_own_writes(replica):
    router = FiguresReplicaRouter()
    with figures_from_replica(), transaction.atomic():
        assert router.db_for_read(Household) is None


def test_writes_and_migrations_never_go_to_the_replica(replica):
    router = FiguresReplicaRouter()
    with figures_from_replica():
        assert router.db_for_write(Household) == "default"
    assert router.allow_migrate("replica", "households") is False
    assert router.allow_migrate("default", "households") is None


def _request(method: str, view_name: str):
    request = getattr(RequestFactory(), method)("/")
    app, name = view_name.split(":")
    request.resolver_match = ResolverMatch(lambda r: None, (), {}, url_name=name, app_names=[app], namespaces=[app])
    return request


@pytest.mark.parametrize(
    ("method", "view_name", "expected"),
    [
        ("get", "dashboards:index", True),
        ("get", "programs:figures", True),
        ("get", "households:transitions", True),
        ("head", "programs:figures", True),
        ("post", "programs:figures", False),
        ("get", "households:list", False),
        ("get", "households:targets", False),
    ],
)
def test_middleware_reads_from_the_replica_only_for_listed_get_views(method, view_name, expected):
    seen = []

    def view(request):
        seen.append(routers._reading_figures.get())
        return HttpResponse("ok")

    middleware = ReplicaReadsMiddleware(lambda request: HttpResponse("fallback"))
    response = middleware.process_view(_request(method, view_name), view, (), {})
    if expected:
        assert response.content == b"ok"
        assert seen == [True]
    else:
        assert response is None
        assert seen == []
    assert routers._reading_figures.get() is False


@pytest.mark.django_db(transaction=True, databases=["default", "jobs"])
def test_the_dashboard_reads_through_the_replica_connection_and_the_list_does_not(
    users, client_for, monkeypatch, settings
):
    """End to end, with the jobs alias standing for the replica: the same database through a connection of its own,
    so the queries each connection ran show where the router sent them."""
    monkeypatch.setattr(routers, "REPLICA", "jobs")
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    settings.DATABASE_ROUTERS = ["config.routers.FiguresReplicaRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("csp.middleware.CSPMiddleware"), "config.routers.ReplicaReadsMiddleware")
    settings.MIDDLEWARE = middleware
    client = client_for(users.district_staff)

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["jobs"]) as replica,
    ):
        response = client.get(reverse("dashboards:index"))
    assert response.status_code == 200
    replica_sql = [q["sql"] for q in replica.captured_queries]
    assert any('"households_' in sql or '"areas_' in sql for sql in replica_sql)
    # who is signed in is read from the primary (a figure may still join the officers, e.g. to count them per unit)
    assert not any('FROM "django_session"' in sql or 'FROM "accounts_user"' in sql for sql in replica_sql)
    primary_sql = [q["sql"] for q in primary.captured_queries]
    assert any('FROM "django_session"' in sql for sql in primary_sql)
    assert any('FROM "accounts_user"' in sql for sql in primary_sql)

    with CaptureQueriesContext(connections["jobs"]) as replica:
        response = client.get(reverse("households:list"))
    assert response.status_code == 200
    assert replica.captured_queries == []
