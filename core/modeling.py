"""Small model helpers shared by the apps."""


class LoadedRelationsCleanMixin:
    """``clean_fields()`` does not re-query foreign keys whose related row is already loaded.

    Django's ``ForeignKey.validate`` runs one SELECT per foreign key to prove that the row exists. When the related
    object was itself read from the database (a form's ModelChoiceField, a ``select_related``, a lookup table), the
    query proves nothing new, and the database's foreign-key constraint still guards the write. On a 500-household
    Excel import this saved two queries per member (docs/performance.md). Unique checks and constraints are not
    affected: only per-field validation skips these fields.
    """

    def _loaded_relation_names(self) -> set[str]:
        names = set()
        for field in self._meta.concrete_fields:
            if not (field.many_to_one and field.is_cached(self)):
                continue
            related = field.get_cached_value(self)
            if related is not None and related.pk is not None and not related._state.adding:
                names.add(field.name)
        return names

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude=set(exclude or ()) | self._loaded_relation_names())
