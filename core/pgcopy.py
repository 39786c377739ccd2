"""Bulk writes through PostgreSQL ``COPY … FROM STDIN``: rows built in memory, sent in one statement per table.

For loaders that write tens of thousands of rows at once (the Excel import, the demo generators), where
``bulk_create`` spends more time building SQL than PostgreSQL spends storing the rows. Objects only need the model's
attribute names (``field.attname``), so a loader may pass plain records instead of model instances. Nothing here
validates: the caller writes rows its own rules have already checked. :class:`CopyPipeline` sends the statements from
a second thread on the same transaction, so that the server stores one batch while the loader builds the next
(docs/adr/0055).
"""

import io
import queue
import threading
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from operator import attrgetter

from django.contrib.postgres.fields import ArrayField
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone

# The driver reads COPY's input in pieces of this many characters. Large pieces let another thread send a statement
# while this one runs Python: the sending thread needs the interpreter's lock only to take each piece (with the
# driver's 8 KiB a 20 MB statement took ≈ 2.500 turns of the lock and hardly overlapped anything).
COPY_PIECE = 1 << 21

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def _escaped(text: str) -> str:
    # Most values hold none of the four characters: four C scans cost less than translating every character
    # (a household's classification snapshot is ≈ 3,7 KB of JSON).
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _scalar(value) -> str:
    """One value in COPY's text format (the caller escapes the finished line's strings)."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escaped(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _text(value) -> str:
    return _escaped(value) if type(value) is str else _scalar(value)


def _integer(value) -> str:
    return str(value) if type(value) is int else _scalar(value)


def _boolean(value) -> str:
    return "t" if value is True else "f" if value is False else _scalar(value)


def _day(value) -> str:
    return value.isoformat() if type(value) is date else _scalar(value)


# Encoders by field class for the common column types: the same text as ``_scalar`` for the expected Python type,
# without its chain of type tests (a million households with their members are ≈ 80 million values).
_TYPED = (
    (models.BooleanField, _boolean),
    (models.DateTimeField, _scalar),  # a subclass of DateField: datetimes keep the generic path
    (models.DateField, _day),
    (models.CharField, _text),
    (models.TextField, _text),
    (models.IntegerField, _integer),  # Big/Small/Positive… and AutoField subclass it
    (models.ForeignKey, _integer),
)


def _encoder(field: models.Field):
    for kind, encode in _TYPED:
        if isinstance(field, kind):
            if kind is models.ForeignKey and not isinstance(field.target_field, models.IntegerField):
                return _scalar
            return encode
    return _scalar


def _array(value) -> str:
    if value is None:
        return NULL
    items = ('"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"' for item in value)
    return _escaped("{" + ",".join(items) + "}")


_JSON_ENCODER = None


def _json(value) -> str:
    global _JSON_ENCODER
    if _JSON_ENCODER is None:  # one encoder for every value (``json.dumps(cls=…)`` makes one per call)
        from django.core.serializers.json import DjangoJSONEncoder

        _JSON_ENCODER = DjangoJSONEncoder(ensure_ascii=False)
    return NULL if value is None else _escaped(_JSON_ENCODER.encode(value))


_SPECIAL = ("\\", "\t", "\n", "\r")
_BOOLEANS = {True: "t", False: "f", None: NULL}


def _column(values: list, encode) -> list[str]:
    """One column's values in COPY's text format, as ``encode`` writes each of them: a column of one plain type is
    encoded in one pass (a 20.000-household import writes ≈ 130 columns of 20.000 to 90.000 values each)."""
    types = set(map(type, values))
    types.discard(type(None))
    if encode is _text and types <= {str}:
        joined = "".join(value for value in values if value is not None)
        if any(special in joined for special in _SPECIAL):
            return [NULL if value is None else _escaped(value) for value in values]
        return [NULL if value is None else value for value in values]
    if encode is _integer and types <= {int}:
        return [NULL if value is None else str(value) for value in values]
    if encode is _boolean and types <= {bool}:
        return [_BOOLEANS[value] for value in values]
    if encode is _day and types <= {date}:
        return [NULL if value is None else value.isoformat() for value in values]
    return list(map(encode, values))


def insert_fields(model, *, with_pk: bool) -> list[models.Field]:
    """The columns an INSERT writes: every concrete column but generated ones (and the key unless given)."""
    return [
        f for f in model._meta.concrete_fields if not getattr(f, "generated", False) and (with_pk or not f.primary_key)
    ]


def copy_statement(
    model,
    objects: Iterable,
    *,
    with_pk: bool = False,
    fields: Sequence[models.Field] | None = None,
    now: datetime | None = None,
    table: str | None = None,
) -> tuple[str, str] | None:
    """The ``COPY`` statement and its input that write ``objects`` into ``model``'s table (or ``table``, with the
    same columns); None when there are none.

    ``auto_now``/``auto_now_add`` columns get ``now`` (the current time by default), as ``save()`` would.
    The lines are built column by column (each column encoded by its field's type), then joined row by row.
    """
    fields = list(fields or insert_fields(model, with_pk=with_pk))
    objects = list(objects)
    count = len(objects)
    if not count:
        return None
    now = now or timezone.now()
    columns = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            columns.append([_scalar(now)] * count)
            continue
        if isinstance(field, ArrayField):
            encode = _array
        elif isinstance(field, models.JSONField):
            encode = _json
        else:
            encode = _encoder(field)
        columns.append(_column(list(map(attrgetter(field.attname), objects)), encode))
    lines = list(map("\t".join, zip(*columns, strict=True)))
    lines.append("")
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(table or model._meta.db_table)} ({names}) FROM STDIN"
    return sql, "\n".join(lines)


def update_statements(
    model, objects: Iterable, fields: Sequence[str], *, now: datetime | None = None
) -> list[tuple[str, str | None]]:
    """The statements that set ``fields`` of ``objects`` (rows of ``model``'s table, found by primary key) to the
    objects' values, as :func:`run_statements` takes them: the values copied into a temporary table of those columns,
    analysed, then one ``UPDATE … FROM`` it, and the table dropped; no statement when there are no objects.

    Django's ``bulk_update`` builds a ``CASE WHEN pk = … THEN …`` expression per field and object: for 20.000
    households and their 86.000 members, ≈ 220 s of Python spent building and compiling those expressions, against a
    few seconds for the same rows through ``COPY``. ``auto_now`` columns get ``now``, as in :func:`copy_statement`.

    A unique index is checked row by row as the ``UPDATE`` goes, in an order the planner chooses (the temporary
    table's when it looks each row up by key): rows that give up a unique value another row takes must be updated by
    statements of their own first."""
    objects = list(objects)
    if not objects:
        return []
    quote, meta = connection.ops.quote_name, model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    stage = f"{meta.db_table}_import_update"
    names = ", ".join(quote(f.column) for f in columns)
    pk = quote(meta.pk.column)
    assignments = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in columns[1:])
    return [
        # A temporary table of the same column types; dropped at the end (a rollback drops it too).
        (f"CREATE TEMPORARY TABLE {quote(stage)} AS SELECT {names} FROM {quote(meta.db_table)} WITH NO DATA", None),
        copy_statement(model, objects, fields=columns, now=now, table=stage),
        # Its statistics let the planner join it row by row through the key, not by reading the whole table.
        (f"ANALYZE {quote(stage)}", None),
        (f"UPDATE {quote(meta.db_table)} AS t SET {assignments} FROM {quote(stage)} AS s WHERE t.{pk} = s.{pk}", None),
        (f"DROP TABLE {quote(stage)}", None),
    ]


def run_statements(database, cursor, statements: list[tuple[str, str | None]]) -> None:
    """Run ``(sql, copy input)`` pairs on ``cursor`` (a plain statement has None as its input), the driver's errors
    raised as Django's (an ``IntegrityError`` a caller can catch): Django's cursor translates those of ``execute()``
    but not those of ``copy_expert()``. ``database`` is the connection's Django wrapper."""
    with database.wrap_database_errors, cursor:
        for sql, text in statements:
            if text is None:
                cursor.execute(sql)
            else:
                cursor.copy_expert(sql, io.StringIO(text), COPY_PIECE)


def copy_objects(
    model, objects: Iterable, *, with_pk: bool = False, fields: Sequence[models.Field] | None = None
) -> int:
    """Write ``objects`` (model instances or records with the same attribute names) into ``model``'s table;
    returns the number of rows (:func:`copy_statement` says how)."""
    objects = list(objects)
    statement = copy_statement(model, objects, with_pk=with_pk, fields=fields)
    if statement is not None:
        run_statements(connections[DEFAULT_DB_ALIAS], connection.cursor(), [statement])
    return len(objects)


def reserve_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys from the table's sequence, so related rows can be written in the same COPY pass."""
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    # The sequence's name looked up once, in a subquery the planner keeps apart (OFFSET 0), not once per key:
    # 86.291 keys took 0,32 s of the server's CPU with the look-up in the select list, 0,06 s so.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(q.sequence) FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS sequence OFFSET 0) q,"
            " generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def statistics_statement(model, added: int) -> tuple[str, None] | None:
    """The statement that analyses ``model``'s table inside the current transaction if the rows it has just written
    (``added``) outnumber the planner's estimate of the whole table, i.e. when the load at least doubles it (a
    registry's first import); as :func:`run_statements` takes it, None when ``added`` is 0.

    The statements that run after a large load and before its commit — the statement triggers' joins with their
    transition tables, the foreign-key checks — are planned from the table's statistics; an estimate taken while the
    table was (nearly) empty gives them plans for a few rows (a nested loop over every new household for each of
    them; a foreign-key check walking a whole index that merely contains the key), which for 20.000 households cost
    60–70 s of the server's CPU instead of 3 (ADR 0026, amendment of 04/12/2026 night). A table already larger than
    the load keeps its statistics: nothing is run but one look at ``pg_class``. ANALYZE counts this transaction's own
    new rows; a user who does not own the table gets a warning and nothing else. One statement whatever the
    decision, so the number of queries does not depend on the table's past."""
    if added <= 0:
        return None
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        f"DO $$ BEGIN IF (SELECT reltuples FROM pg_class WHERE oid = '{table}'::regclass) < {int(added)}"
        f" THEN ANALYZE {table}; END IF; END $$"
    )
    return sql, None


def record_class(model, *, namespace: dict | None = None) -> type:
    """A plain class with ``model``'s attribute names and defaults, cheap to create by the hundred thousand (a model
    instance costs tens of microseconds in ``Model.__init__``) and writable by :func:`copy_objects`.

    A foreign key may be given as an object (``village=unit``): its ``_id`` attribute follows. ``namespace`` adds
    methods or properties the callers read (e.g. the model's own ``is_head`` property).
    """
    constants, factories, relations = {}, {}, {}
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            factories[field.attname] = field.default
        else:
            constants[field.attname] = field.get_default()
        if field.is_relation:
            relations[field.name] = field.attname

    def __init__(self, **values):
        attributes = self.__dict__
        attributes.update(constants)
        for name, factory in factories.items():
            attributes[name] = factory()
        for name, value in values.items():
            if name in relations:
                attributes[relations[name]] = None if value is None else value.pk
            attributes[name] = value

    body = {"__init__": __init__, "pk": property(lambda self: self.id), "__module__": __name__, **(namespace or {})}
    return type(f"{model.__name__}Record", (), body)


class CopyPipeline:
    """Statements of the current transaction run by a second thread while this one builds the next ones.

    A loader that builds its rows in Python and writes them with ``COPY`` spends its own CPU, then waits while the
    server parses, indexes and checks the rows, one after the other. With ``threaded``, the statements given to
    :meth:`send` run in order in a second thread, **on the transaction's own connection** (one transaction: all or
    nothing as before), while this thread goes on; the driver releases the interpreter's lock while it waits for
    the server. Without ``threaded`` :meth:`send` runs them at once (a small load gains nothing from a thread).

    While the pipeline is open, this thread's own queries wait for the statement in flight (an execute wrapper
    takes the same lock) and, once a statement has failed, raise its error instead of running in a transaction the
    server has aborted. :meth:`drain` waits for everything sent and raises the first error. Leaving the block waits
    for the thread and raises a pending error unless an exception is already leaving the block or the transaction
    is marked for rollback (the error then changes nothing): a failed statement can never be committed silently.
    """

    def __init__(self, *, threaded: bool, depth: int = 2):
        self.threaded = threaded
        self._depth = depth
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._wrapper = None
        self._immediate = False
        self._stopping = False
        self._done = threading.Event()  # set by the thread as it ends

    def __enter__(self) -> "CopyPipeline":
        if self.threaded:
            connection.ensure_connection()
            # This thread's wrapper itself (``connection`` is a per-thread proxy): its error translation, its driver.
            self._database = connections[DEFAULT_DB_ALIAS]
            self._raw = self._database.connection
            self._queue = queue.Queue(maxsize=self._depth)  # bounded: the rows built ahead stay a few batches
            self._thread = threading.Thread(target=self._work, name="copy-pipeline", daemon=True)
            self._thread.start()
            self._wrapper = connection.execute_wrapper(self._guard)
            self._wrapper.__enter__()
        return self

    def __exit__(self, kind, value, traceback) -> None:
        doomed = connection.in_atomic_block and connection.get_rollback()
        if self._thread is not None:
            # Leaving on an exception or a rollback: the statements still queued are skipped.
            self._stopping = self._stopping or kind is not None or doomed
            interrupted, sentinel = None, True
            # The connection is this thread's again only once the other has ended. Waited for on an event: a join()
            # interrupted by a signal can mark a running thread as ended (CPython issue 90882).
            while not self._done.is_set():
                try:
                    if sentinel:
                        self._queue.put(None)
                        sentinel = False
                    self._done.wait()
                except BaseException as error:  # e.g. Celery's soft time limit, raised by a signal handler
                    interrupted = interrupted or error
                    self._stopping = True
            self._thread = None
            self._wrapper.__exit__(None, None, None)
            if interrupted is not None:
                raise interrupted
        if kind is None and self._error is not None and not doomed:
            raise self._error

    def send(self, statements: list[tuple[str, str | None]]) -> None:
        """Run ``(sql, copy input)`` pairs in order (a plain statement has None as its input)."""
        statements = [statement for statement in statements if statement is not None]
        if not statements:
            return
        if not self.threaded:
            run_statements(connections[DEFAULT_DB_ALIAS], connection.cursor(), statements)
        elif self._error is None:  # after a failure nothing more is sent: the transaction is lost anyway
            if not self._immediate:
                # The foreign keys checked at the end of each statement, in the thread, instead of all at COMMIT
                # in this one (≈ 640.000 checks, ≈ 2–3 s for a 20.000-household file); each statement's rows refer
                # to rows of earlier statements only. ``drain`` defers them again, as Django declares them.
                statements.insert(0, ("SET CONSTRAINTS ALL IMMEDIATE", None))
                self._immediate = True
            self._queue.put(statements)

    def drain(self) -> None:
        """Wait until every statement sent has run (the constraints deferred again); raise the first failure."""
        if self._queue is not None:
            if self._immediate and self._error is None:
                self._queue.put([("SET CONSTRAINTS ALL DEFERRED", None)])
                self._immediate = False
            self._queue.join()
        if self._error is not None:
            raise self._error

    @property
    def failed(self) -> bool:
        return self._error is not None

    def _work(self) -> None:
        try:
            while True:
                statements = self._queue.get()
                try:
                    if statements is None:
                        return
                    if self._error is None and not self._stopping:
                        with self._lock:
                            try:
                                run_statements(self._database, self._raw.cursor(), statements)
                            except BaseException as error:  # noqa: BLE001 - handed to the other thread, raised there
                                self._error = error
                finally:
                    self._queue.task_done()
        finally:
            self._done.set()

    def _guard(self, execute, sql, params, many, context):
        with self._lock:
            if self._error is not None:
                raise self._error
            return execute(sql, params, many, context)
