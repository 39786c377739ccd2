"""Sign-in backend: Django's model backend, reading the officer's unit and its parent with the account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models.query import get_related_populators


class UserBackend(ModelBackend):
    """The user of each request read with the unit and the unit's parent in the same query.

    Every page reads them: the header names the unit and its parent, and ``accounts.scoping`` filters by the unit's
    path. Django's backend read the account, then the unit, then the parent (three queries per request). The
    statement is compiled once per process and database (``_UserStatement``): building it through the ORM was a tenth
    of an ID-card search's Python (docs/adr/0047-sign-in-and-session-per-request.md).
    """

    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        db = router.db_for_read(model)
        statement = _STATEMENTS.get((db, model))
        if statement is None:
            statement = _STATEMENTS[(db, model)] = _UserStatement(model, db)
        user = statement.get(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


class _UserStatement:
    """``model.objects.select_related("unit__parent").filter(pk=…)`` compiled once; each call only runs it with
    another primary key and builds the instances as Django's ``ModelIterable`` does."""

    def __init__(self, model, db: str):
        self.db = db
        self.compiler = model._default_manager.select_related("unit__parent").filter(pk=0).query.get_compiler(db)
        self.sql, params = self.compiler.as_sql()
        if list(params) != [0]:  # the primary key must be the statement's only parameter
            raise ValueError(f"unexpected parameters {params!r} in the user's statement")
        klass_info, select = self.compiler.klass_info, self.compiler.select
        self.model = klass_info["model"]
        self.start, self.end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, db)

    def get(self, pk):
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, [pk])
            rows = cursor.fetchall()
        if len(rows) != 1:
            return None
        row = next(iter(self.compiler.results_iter(results=[rows])))  # the fields' converters
        user = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, user)
        return user


_STATEMENTS: dict[tuple, _UserStatement] = {}
