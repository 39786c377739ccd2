"""A new household's form data copied from kept values gives what reading a new instance gave."""

import pytest

from households import excel
from households.excel.bulk import BulkImporter, _new
from households.excel.importer import HOUSEHOLD_FORM_FIELDS, MEMBER_FORM_FIELDS, _model_values
from households.models import Household, Member

from .test_excel import xlsx
from .test_excel_bulk import households


@pytest.mark.django_db
def test_a_new_households_form_data_is_the_new_instances_own_values_each_time(users):
    """``new_values`` copies its kept values (and the lists in them) instead of reading a new instance again."""
    importer = BulkImporter(
        sheet=excel.read_sheet(xlsx(households(1, 1))),
        user=users.commune_officer,
        commit=False,
        expected_versions=None,
        progress=None,
    )
    importer.new_data = {}
    for model, fields in ((Household, HOUSEHOLD_FORM_FIELDS), (Member, MEMBER_FORM_FIELDS)):
        first, second = importer.new_values(model, fields), importer.new_values(model, fields)
        assert first == second == _model_values(_new(model), fields)
        for name, value in first.items():
            if isinstance(value, list):
                assert value is not second[name]  # each household may change its own lists
                value.append("x")
        assert importer.new_values(model, fields) == _model_values(_new(model), fields)
