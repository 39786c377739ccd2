"""Django's stock validation messages are replaced by the project's wording, in Vietnamese and in English."""

from django import forms
from django.forms import formset_factory
from django.utils import translation


class Amount(forms.Form):
    amount = forms.IntegerField(min_value=0, max_value=100)


def errors(data, language):
    with translation.override(language):
        form = Amount(data)
        form.is_valid()
        return [str(e) for e in form.errors["amount"]]


def test_bounds_in_vietnamese_and_english():
    assert errors({"amount": "-5"}, "vi") == ["Giá trị phải từ 0 trở lên."]
    assert errors({"amount": "500"}, "vi") == ["Giá trị không được lớn hơn 100."]
    english = errors({"amount": "-5"}, "en")
    assert english == ["The value must be 0 or more."]


def test_a_formset_below_its_minimum():
    Rows = formset_factory(Amount, min_num=1, validate_min=True, extra=0)
    data = {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "1", "form-MAX_NUM_FORMS": "9"}
    for language, expected in (("vi", "Hãy nhập ít nhất 1 dòng."), ("en", "Enter at least 1 row.")):
        with translation.override(language):
            formset = Rows(data)
            assert not formset.is_valid() and [str(e) for e in formset.non_form_errors()] == [expected]


def test_a_household_without_members_says_so():
    from households.forms import MemberFormSet

    with translation.override("vi"):
        message = MemberFormSet.default_error_messages["too_few_forms"] % {"num": 1}
    assert message == "Hộ phải có ít nhất 1 thành viên: hãy nhập chủ hộ." and "Please submit" not in message
