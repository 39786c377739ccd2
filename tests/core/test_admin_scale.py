"""No form of the Django admin lists a province-sized table in a <select>: a household, member, benefit or review
case is chosen by its id (raw_id_fields) or found by typing (autocomplete_fields), or not chosen in the admin at
all. One <select> of a million households would be a page of ≈ 100 MB built from a million rows."""

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin, ForeignKeyRawIdWidget

from households.models import Household, Member
from programs.models import Benefit
from reviews.models import ReviewCase

pytestmark = pytest.mark.django_db

LARGE = {Household, Member, Benefit, ReviewCase}


def editable_forms(model_admin, request):
    """The forms the admin renders with widgets: the add and change forms and their inlines', where allowed."""
    for change in (False, True):
        allowed = model_admin.has_change_permission(request) if change else model_admin.has_add_permission(request)
        if not allowed:
            continue
        yield model_admin, model_admin.get_form(request, None, change=change)
        for inline in model_admin.get_inline_instances(request):
            if inline.has_add_permission(request, None) or inline.has_change_permission(request, None):
                yield inline, inline.get_formset(request, None).form


def large_selects(model_admin, request) -> list[str]:
    """The fields of the admin's forms that would render a large table as a <select>."""
    selects = []
    for owner, form in editable_forms(model_admin, request):
        for name, field in form.base_fields.items():
            if not isinstance(field, forms.ModelChoiceField) or field.queryset.model not in LARGE:
                continue
            widget = getattr(field.widget, "widget", field.widget)  # inside RelatedFieldWidgetWrapper
            if not isinstance(widget, ForeignKeyRawIdWidget | AutocompleteMixin):
                selects.append(f"{type(owner).__name__}.{name}")
    return selects


@pytest.fixture
def request_of_admin(rf, users):
    request = rf.get("/admin/")
    request.user = users.admin
    return request


def test_no_admin_form_lists_a_large_table_in_a_select(request_of_admin):
    assert [
        name for model_admin in admin.site._registry.values() for name in large_selects(model_admin, request_of_admin)
    ] == []


def test_the_guard_sees_a_select_of_households(request_of_admin):
    """The check above finds the defect it is for: an admin with a plain ForeignKey to a household."""
    from emulation.admin import AssessmentAdmin
    from emulation.models import Assessment

    plain = type("PlainAssessmentAdmin", (AssessmentAdmin,), {"raw_id_fields": ()})(Assessment, admin.site)
    assert set(large_selects(plain, request_of_admin)) == {"PlainAssessmentAdmin.household"}  # add and change forms
    assert large_selects(admin.site._registry[Assessment], request_of_admin) == []
