"""Every field the Django admin shows has a Vietnamese label: a field without ``verbose_name`` is labelled with its
English name ("Opened by", "Override at") in the middle of a Vietnamese page."""

from django.contrib import admin

PORTAL_APPS = {"accounts", "areas", "core", "households", "programs", "emulation", "reports", "reviews"}


def _shown_fields(model, model_admin, parent=None) -> set[str]:
    """The model's fields an admin page can show: the list's columns, the read-only fields and the form's (those
    named in ``fields``, else every editable one; an inline leaves out its key to the page's object)."""
    listed = (*getattr(model_admin, "list_display", ()), *(model_admin.readonly_fields or ()))
    if model_admin.fields:
        listed += tuple(model_admin.fields)
    else:
        listed += tuple(field.name for field in model._meta.fields if field.editable and not field.auto_created)
    known = {field.name for field in model._meta.get_fields()}
    to_parent = {field.name for field in model._meta.fields if parent and field.related_model is parent}
    return {name for name in listed if isinstance(name, str) and name in known and name not in to_parent}


def test_every_field_an_admin_page_shows_has_a_vietnamese_label():
    unlabelled = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PORTAL_APPS:
            continue
        pages = [(model, model_admin, None)] + [(inline.model, inline, model) for inline in model_admin.inlines]
        for shown_model, shown_admin, parent in pages:
            for name in _shown_fields(shown_model, shown_admin, parent):
                field = shown_model._meta.get_field(name)
                if str(getattr(field, "verbose_name", name)) == name.replace("_", " "):
                    unlabelled.append(f"{shown_model._meta.label}.{name}")
    assert not unlabelled, sorted(unlabelled)
