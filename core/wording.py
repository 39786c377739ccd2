"""The project's own wording for Django's stock validation messages, in both languages.

Django's Vietnamese catalogue has none for some messages ("Please submit at least 1 form.") and an awkward one for
others ("Đảm bảo giá trị này lớn hơn hoặc bằng với 0 ."); they are replaced here, once, by Vietnamese msgids that
the project's English catalogue translates. Only class-level defaults change: a validator or form given its own
message keeps it, and no migration changes (a validator's default message is not part of its deconstruction).
"""

from django.core import validators
from django.forms import formsets
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "min_value": _("Giá trị phải từ %(limit_value)s trở lên."),
    "max_value": _("Giá trị không được lớn hơn %(limit_value)s."),
    "too_few_forms": _("Hãy nhập ít nhất %(num)d dòng."),
    "too_many_forms": _("Chỉ được nhập nhiều nhất %(num)d dòng."),
}


def install() -> None:
    validators.MinValueValidator.message = MESSAGES["min_value"]
    validators.MaxValueValidator.message = MESSAGES["max_value"]
    formsets.BaseFormSet.default_error_messages = {
        **formsets.BaseFormSet.default_error_messages,
        "too_few_forms": MESSAGES["too_few_forms"],
        "too_many_forms": MESSAGES["too_many_forms"],
    }
