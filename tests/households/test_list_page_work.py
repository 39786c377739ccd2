"""The household list page's own work per request: which statements it runs (none that grows with the rows), and
the indicator choices kept per standard version (docs/adr/0047-sign-in-and-session-per-request.md)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households import views
from households.models import PovertyStandard

pytestmark = pytest.mark.django_db


def tables(queries) -> list[str]:
    """The first table each statement reads or writes, in order (SAVEPOINTs of the test's transaction left out)."""
    found = []
    for query in queries:
        sql = query["sql"]
        match = re.search(r'(?:FROM|UPDATE|INTO) "(\w+)"', sql)
        if match and not sql.startswith(("SAVEPOINT", "RELEASE")):
            found.append(sql.split()[0] + " " + match.group(1))
    return found


@pytest.mark.parametrize("params", [{}, {"q": "IRS-0"}, {"q": "001234567890"}])
def test_a_list_or_search_page_runs_these_statements_whatever_the_rows(client_for, users, make_household, params):
    client = client_for(users.district_staff)  # a district: the unit and its parent (the province) are in the header
    url = reverse("households:list")
    client.get(url, params)  # the process's first page reads the filter's villages and indicator choices

    def statements():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        return tables(queries)

    before = statements()
    # The session, the user with their unit and its parent (one statement), the standards' versions; no session
    # write within the minute; no definition of a standard; no village list.
    assert before[:3] == ["SELECT django_session", "SELECT accounts_user", "SELECT households_povertystandard"]
    assert not any(t.startswith(("UPDATE", "INSERT")) or t.endswith("administrativeunit") for t in before)
    for index in range(1, 60):  # more than a page
        make_household(code=f"IRS-{index:03d}")
    assert statements() == before


def test_the_indicator_choices_are_read_again_once_a_standard_is_saved(client_for, users):
    client = client_for(users.province_staff)
    url = reverse("households:list")
    first = views.indicator_choices()
    assert first and views.indicator_choices() is first  # kept
    standard = PovertyStandard.objects.in_force().get()
    definition = standard.definition
    code, _name = first[0]
    for indicator in definition["indicators"]:
        if indicator["code"] == code:
            indicator["name"] = "Chỉ số đã đổi tên"
    standard.definition = definition
    standard.save()
    assert views.indicator_choices()[0] == (code, "Chỉ số đã đổi tên")
    assert "Chỉ số đã đổi tên" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "data",
    [None, {}, {"q": 'Ksor "H\'Linh" <b>&', "archived": "on"}, {"q": "", "archived": ""}, {"q": "001234567890"}],
)
def test_the_filter_inputs_have_the_markup_django_gives_them(users, data):
    """The search box and the archived checkbox are written in Python (households.forms.DirectInputMixin): the same
    markup as Django's form templates, whatever was typed."""
    from django import forms

    from households.forms import HouseholdFilterForm

    form = HouseholdFilterForm(data, user=users.province_staff)
    form.is_valid()
    for name in ("q", "archived"):
        field = form[name]
        for attrs in ({"class": "form-control", "id": field.auto_id}, {"aria-invalid": "true", "disabled": True}):
            direct = field.field.widget.render(field.html_name, field.value(), attrs=attrs)
            django = forms.Widget.render(field.field.widget, field.html_name, field.value(), attrs=attrs)
            assert direct == django, name


def test_every_select_of_the_filter_offers_all_first(client_for, users):
    page = client_for(users.province_staff).get(reverse("households:list")).content.decode()
    for name in ("village", "household_class", "flag", "indicator"):
        select = page[page.index(f'name="{name}"') :]
        first = select[select.index("<option") : select.index("</option>")]
        assert first.endswith(">Tất cả"), (name, first)
