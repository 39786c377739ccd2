"""Bulk writes through PostgreSQL ``COPY … FROM STDIN``: rows built in memory, sent in one statement per table.

For loaders that write tens of thousands of rows at once (the demo generators), where ``bulk_create`` spends more
time building SQL than PostgreSQL spends storing the rows. Objects only need the model's attribute names
(``field.attname``), so a loader may pass plain records instead of model instances. Nothing here validates: the
caller writes rows its own rules have already checked.
"""

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from operator import attrgetter

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.utils import timezone

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


def copy_objects(
    model, objects: Iterable, *, with_pk: bool = False, fields: Sequence[models.Field] | None = None
) -> int:
    """Write ``objects`` (model instances or records with the same attribute names) into ``model``'s table.

    ``auto_now``/``auto_now_add`` columns get the current time, as ``save()`` would; returns the number of rows.
    The lines are built column by column (each column encoded by its field's type), then joined row by row.
    """
    fields = list(fields or insert_fields(model, with_pk=with_pk))
    objects = list(objects)
    count = len(objects)
    if not count:
        return 0
    now = timezone.now()
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
    buffer = io.StringIO("\n".join(lines))
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN", buffer)
    return count


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


def statistics_follow(model, added: int) -> None:
    """Analyse ``model``'s table inside the current transaction if the rows it has just written (``added``) outnumber
    the planner's estimate of the whole table, i.e. when the load at least doubles it (a registry's first import).

    The statements that run after a large load and before its commit — the statement triggers' joins with their
    transition tables, the deferred foreign-key checks at ``COMMIT`` — are planned from the table's statistics; an
    estimate taken while the table was (nearly) empty gives them plans for a few rows (a nested loop over every
    new household for each of them; a foreign-key check walking a whole index that merely contains the key), which
    for 20.000 households cost 60–70 s of the server's CPU instead of 3 (ADR 0026, amendment of 04/12/2026 night).
    A table already larger than the load keeps its statistics: nothing is run but one look at ``pg_class``. ANALYZE
    counts this transaction's own new rows; a user who does not own the table gets a warning and nothing else.
    One statement whatever the decision, so the number of queries does not depend on the table's past."""
    if added <= 0:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN IF (SELECT reltuples FROM pg_class WHERE oid = '{table}'::regclass) < {int(added)}"
            f" THEN ANALYZE {table}; END IF; END $$"
        )


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
