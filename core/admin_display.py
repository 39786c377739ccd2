"""The Django admin's cells and read-only fields show a year as a year: "2026", not "2.026".

The portal writes numbers the Vietnamese way (``USE_THOUSAND_SEPARATOR``: 1.234.567), and the admin formats every
integer column with that separator, so the year of a target, a review round, a movement's result or a register
read "2.026". A year is a label, not a quantity. ``install()`` wraps the admin's one formatting function for
columns and read-only fields (``django.contrib.admin.utils.display_for_field``, imported by name into the list's
template tags and the change form's helpers) so that an integer field named ``year`` (or ending in ``_year``) is
shown as its digits; every other value is formatted as before.
"""

from django.contrib.admin import helpers, utils
from django.contrib.admin.templatetags import admin_list
from django.db import models

_original = utils.display_for_field


def is_year(field) -> bool:
    name = getattr(field, "name", "") or ""
    return isinstance(field, models.IntegerField) and (name == "year" or name.endswith("_year"))


def display_for_field(value, field, empty_value_display, avoid_link=False):
    if value is not None and is_year(field) and not field.flatchoices:
        return str(value)
    return _original(value, field, empty_value_display, avoid_link=avoid_link)


def install() -> None:
    for module in (utils, admin_list, helpers):
        module.display_for_field = display_for_field
