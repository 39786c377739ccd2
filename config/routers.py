"""Reads of the figure pages and dashboards from a PostgreSQL read replica, when one is configured (ADR 0027).

Off unless ``DATABASE_REPLICA_URL`` is set: then the settings add the ``replica`` connection, this router and
``ReplicaReadsMiddleware``. Nothing is sent to the replica by itself: reads go there only inside
``figures_from_replica()``, which the middleware opens around GET requests to the views named in
``REPLICA_READ_VIEWS`` (the dashboard, the support figures, the movement and target tables: aggregates over a
district or a province that tolerate a few seconds of replication lag). Everything else, and every write, stays on
the primary, so an officer who saves a survey reads it back on the next page (read-your-writes).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# Never from the replica, even inside the block: who is signed in, their session and lockouts, and the background
# jobs' progress must be the primary's latest.
PRIMARY_ONLY_APPS = frozenset({"accounts", "sessions", "auth", "axes", "core", "contenttypes"})
_reading_figures: ContextVar[bool] = ContextVar("reading_figures", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def figures_from_replica() -> Iterator[None]:
    """Inside this block the ORM's reads go to the replica (when one is configured and no transaction is open on
    the primary: a read inside an atomic block must see that block's own writes)."""
    token = _reading_figures.set(True)
    try:
        yield
    finally:
        _reading_figures.reset(token)


class FiguresReplicaRouter:
    """Sends reads to the replica only inside ``figures_from_replica()``; writes, migrations and every other read go
    to the primary. Rows read from either may be related to each other (same data, one behind the other)."""

    def db_for_read(self, model, **hints):
        if not _reading_figures.get() or not replica_configured():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is a streaming copy of the primary: its schema arrives by replication, never by migrate.
        return False if db == REPLICA else None


class ReplicaReadsMiddleware:
    """GET and HEAD requests to the views of ``REPLICA_READ_VIEWS`` read their figures from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = frozenset(getattr(settings, "REPLICA_READ_VIEWS", ()))

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD") or request.resolver_match is None:
            return None
        if request.resolver_match.view_name not in self.views:
            return None
        with figures_from_replica():
            response = view_func(request, *view_args, **view_kwargs)
            # A template response renders after the view returns: render it while the reads still go to the replica.
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        return response
