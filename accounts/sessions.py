"""The session engine: Django's database sessions, whose row is written only when there is something to write.

``SESSION_SAVE_EVERY_REQUEST`` makes the eight-hour age count from the last request (an idle timeout), which
Django does by an ``UPDATE`` of the session row on every request. This store skips that write when the session's
data is what was read and its expiry would move by less than ``EXPIRY_SLACK``: the age then counts from the last
request to within a minute, and a page costs one query less (docs/adr/0047-sign-in-and-session-per-request.md).
The row is read by a statement written once per process and database, as the ORM's ``get`` would read it, rather
than built through the ORM on every request.
"""

import copy
from datetime import timedelta

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

# How far the stored expiry may lag the last request before the row is written again.
EXPIRY_SLACK = timedelta(minutes=1)


class SessionStore(db.SessionStore):
    _read = None  # (session key, expiry stored, a copy of the data read) once the row has been read

    def _get_session_from_db(self):
        """The session's row if it has not expired, else None (and the key forgotten), as Django's store does."""
        alias = router.db_for_read(self.model)
        sql = _SELECTS.get((alias, self.model))
        if sql is None:
            sql = _SELECTS[(alias, self.model)] = _select(self.model, alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model.from_db(alias, ["session_key", "session_data", "expire_date"], (self.session_key, *row))

    def load(self):
        row = self._get_session_from_db()
        data = self.decode(row.session_data) if row else {}
        self._read = (row.session_key, row.expire_date, copy.deepcopy(data)) if row else None
        return data

    def save(self, must_create=False):
        if not must_create and self._unchanged():
            return
        super().save(must_create=must_create)
        self._read = None

    def _unchanged(self) -> bool:
        """The row holds this session's data and an expiry within EXPIRY_SLACK of the one a write would set."""
        if self._read is None or self.modified:
            return False
        key, expiry, data = self._read
        return (
            key == self.session_key
            and self._session == data  # also catches a value changed in place without ``modified``
            # Either way: a shorter age set since the row was written is written at the next request.
            and abs(self.get_expiry_date() - expiry) < EXPIRY_SLACK
        )


# (database alias, session model) -> the statement reading a session's row that has not expired
_SELECTS: dict[tuple, str] = {}


def _select(model, alias: str) -> str:
    name = connections[alias].ops.quote_name
    column = {
        field: name(model._meta.get_field(field).column) for field in ("session_key", "session_data", "expire_date")
    }
    return (
        f"SELECT {column['session_data']}, {column['expire_date']} FROM {name(model._meta.db_table)} "
        f"WHERE {column['session_key']} = %s AND {column['expire_date']} > %s"
    )
