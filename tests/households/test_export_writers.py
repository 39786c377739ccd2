"""The household export read as tuples (households/excel/export.py) gives the same cells as the model-instance
writer (workbooks.export_workbook) with either streaming writer, formula-like text kept as text."""

import io
import random
from datetime import date

import pytest
from openpyxl import load_workbook

from households import services
from households.excel import export, workbooks
from households.models import Household
from households.selectors import household_list_for

from .conftest import family, member

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'


def cells(content: bytes) -> list[tuple]:
    """Every cell's value, and the number format of those that hold one (dates dd/mm/yyyy, IDs as text)."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [tuple((c.value, c.number_format if c.value is not None else "") for c in row) for row in sheet.iter_rows()]


@pytest.fixture
def registry(tree, users):
    rng = random.Random(11)
    for n in range(12):
        people = family()
        if n == 0:
            people[0].full_name = EVIL
        if n % 4 == 1:  # members in an order that the export sorts (head first, then by date of birth)
            people.append(member(f"Ksor H'Em {n}", "child", date(2010 + rng.randint(0, 9), 3, 4), sex="female"))
            people.reverse()
        household = Household(
            code=f"IRS-{n:03d}",
            village=tree.village,
            income_per_capita=rng.choice([None, 900_000, 1_250_000]),
            address=rng.choice(["", "-12 Buôn Chư Tê", "Buôn Chư Tê"]),
            phone=rng.choice(["", "0912345678"]),
        )
        services.household_save(household=household, members=people, user=users.commune_officer, expected_version=None)


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_the_tuple_writers_give_the_cells_of_the_instance_writer(
    users, registry, writer, django_assert_max_num_queries
):  # noqa: E501
    households = household_list_for(users.commune_officer, filters={})
    before = cells(workbooks.export_workbook(workbooks.export_queryset(households)))
    buffer = io.BytesIO()
    with django_assert_max_num_queries(4):  # one query for the households, one for their members, per 2.000
        export.write_households(households, target=buffer, writer=writer, total=12)
    after = cells(buffer.getvalue())
    assert len(after) == len(before) > 12 and after == before
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    evil = [cell for row in sheet.iter_rows() for cell in row if cell.value == EVIL]
    assert evil and all(cell.data_type == "s" and cell.quotePrefix for cell in evil)  # text, not a live formula
    assert sheet.freeze_panes == "A2" and sheet.title == "Hộ gia đình"
    formats = {fmt for row in after for _value, fmt in row}
    assert {"DD/MM/YYYY", "@"} <= formats
