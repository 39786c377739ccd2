"""The household form page's widgets are written in Python (core.widget_rendering.DirectRenderer): the page is byte for
byte what Django's widget templates give, and its statements do not grow with the members."""

import re
from datetime import date

import pytest
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.forms import HouseholdForm, MemberFormSet
from households.models import Household

from .conftest import member

TOKENS = re.compile(r'(name="(?:csrfmiddlewaretoken|submit_token)" value=")[^"]*"')


def page(client, url, data=None) -> str:
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200
    return TOKENS.sub(r'\1"', response.content.decode())


@pytest.fixture
def django_widget_templates(monkeypatch):
    """The same forms rendered by Django's own template renderer."""

    def use():
        renderer = DjangoTemplates()
        monkeypatch.setattr(HouseholdForm, "default_renderer", renderer)
        monkeypatch.setattr(MemberFormSet, "renderer", renderer)

    return use


INPUT = re.compile(r'<input type="(?:text|hidden|number)" name="([^"]+)"(?: value="([^"]*)")?')
SELECTED = re.compile(r'<select name="([^"]+)"[^>]*>(?:(?!</select>).)*?<option value="([^"]*)"[^>]* selected', re.S)
CHECKED = re.compile(r'<input type="checkbox" name="([^"]+)"[^>]* checked')


def edit_data(html: str) -> dict:
    """The form's fields as the page shows them (as a browser would send them unchanged)."""
    return {**dict(INPUT.findall(html)), **dict(SELECTED.findall(html)), **dict.fromkeys(CHECKED.findall(html), "on")}


def test_the_form_page_is_what_djangos_widget_templates_write(
    client_for, users, make_household, django_widget_templates
):
    household = make_household(
        address='Buôn "Chư Tê" & <suối>',
        phone="0905123456",
        agricultural=True,
        poverty_causes=["land", "illness"],
        members=[
            member("Ksor Y Bhin", "head", date(1980, 3, 1)),
            member("Rơ Mah H'Nga <b>", "spouse", date(1983, 5, 1), sex="female", disability=True, ethnic="01"),
            member("Ksor Y Thuận", "child", date(2015, 5, 1), in_school=True),
        ],
    )
    client = client_for(users.commune_officer)
    url = reverse("households:update", args=[household.pk])
    direct = page(client, url)
    assert 'value="Buôn &quot;Chư Tê&quot; &amp; &lt;suối&gt;"' in direct and "&lt;b&gt;" in direct
    data = edit_data(direct)
    data["members-1-full_name"] = ""
    direct_with_errors = page(client, url, data)
    assert "is-invalid" in direct_with_errors

    django_widget_templates()
    assert page(client, url) == direct
    assert page(client, url, data) == direct_with_errors


def test_the_new_household_page_is_what_djangos_widget_templates_write(client_for, users, django_widget_templates):
    client = client_for(users.commune_officer)
    direct = page(client, reverse("households:create"))
    django_widget_templates()
    assert page(client, reverse("households:create")) == direct


def test_the_member_selects_say_choose_not_djangos_dashes(client_for, users, make_household):
    # The ethnic groups' options are read once per page and shared by the member forms, so the page's "— Chọn —"
    # must already be in them: the filter that replaces Django's dashes runs after they are fixed.
    household = make_household(code="IRS-001")  # four members
    client = client_for(users.commune_officer)
    for url in (reverse("households:update", args=[household.pk]), reverse("households:create")):
        html = page(client, url)
        selects = re.findall(r'<select name="members-[^"]*ethnic_group"[^>]*>.*?</select>', html, re.S)
        assert selects and all(re.search(r'<option value=""( selected)?>— Chọn —</option>', one) for one in selects)
        assert "---------" not in html


def test_the_form_page_reads_the_ethnic_groups_once_whatever_the_members(client_for, users, make_household):
    small = make_household(code="IRS-001", members=[member("Ksor Y Bhin", "head", date(1980, 3, 1))])
    large = make_household(code="IRS-002")  # four members
    client = client_for(users.commune_officer)
    client.get(reverse("households:update", args=[small.pk]))  # the session and the process's kept parts
    counts = []
    for household in (small, large):
        with CaptureQueriesContext(connection) as context:
            client.get(reverse("households:update", args=[household.pk]))
        counts.append(len(context.captured_queries))
        assert sum('FROM "households_ethnicgroup"' in q["sql"] for q in context.captured_queries) == 1
    assert counts[0] == counts[1]
    assert Household.objects.count() == 2


MEMBER_BY_ID = re.compile(r'FROM "households_member" WHERE "households_member"."id" = ')
ETHNIC_GROUP_READ = 'FROM "households_ethnicgroup"'


def test_a_save_reads_the_members_and_the_ethnic_groups_once_whatever_the_members(client_for, users, make_household):
    """Django's member forms checked each member's hidden id and ethnic group with a statement each; the formset looks
    them up in what it has read (the household's members, the groups once)."""
    small = make_household(code="IRS-001", members=[member("Ksor Y Bhin", "head", date(1980, 3, 1))])
    large = make_household(code="IRS-002")  # four members
    client = client_for(users.commune_officer)
    reads = []
    for household in (small, large):
        url = reverse("households:update", args=[household.pk])
        data = edit_data(page(client, url))
        with CaptureQueriesContext(connection) as context:
            response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        statements = [q["sql"] for q in context.captured_queries]
        assert not any(MEMBER_BY_ID.search(sql) for sql in statements)
        assert sum(ETHNIC_GROUP_READ in sql for sql in statements) == 1
        writes = sum(sql.startswith(("UPDATE", "INSERT")) for sql in statements)
        reads.append(len(statements) - writes)
    assert reads[0] == reads[1]


def test_a_submitted_ethnic_group_or_member_id_that_was_not_read_is_checked_as_django_checks_it(
    client_for, users, make_household
):
    from django import forms

    from households.models import EthnicGroup, Member

    household = make_household(code="IRS-001")
    other = make_household(code="IRS-002")
    client = client_for(users.commune_officer)
    url = reverse("households:update", args=[household.pk])
    data = edit_data(page(client, url))
    refused = forms.ModelChoiceField(EthnicGroup.objects.all()).error_messages["invalid_choice"]
    for value in ("999999", "abc", " 1x"):
        html = client.post(url, {**data, "members-0-ethnic_group": value}).content.decode()
        assert str(refused) in html
    # a hidden id that is no member of this household is read as Django's field reads it: from every member
    stranger = Member.objects.filter(household=other).first()
    field = MemberFormSet(data, instance=household, prefix="members").forms[0].fields["id"]
    assert field.known is not None  # the formset's look-up, not Django's field
    assert field.clean(str(stranger.pk)) == stranger
    with pytest.raises(forms.ValidationError):
        field.clean("999999")
    assert Household.objects.get(pk=household.pk).version == household.version  # nothing was saved


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_household_page_is_written_as_without_its_kept_blocks(
    client_for, users, make_household, monkeypatch, language
):
    """The household page keeps its tables' headers and the adjustment form's fixed part per process
    ({% kept %}); the page is the one its template writes without them, in either language."""
    from core.templatetags.portal import KeptNode

    household = make_household()
    client = client_for(users.commune_officer)
    client.cookies["django_language"] = language
    url = reverse("households:detail", args=[household.pk])
    kept = page(client, url)
    assert kept.count('name="reason"') >= 5  # one adjustment form per indicator
    monkeypatch.setattr(KeptNode, "render", lambda self, context: self.nodelist.render(context))
    assert page(client, url) == kept


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("editor", [True, False])
def test_the_household_page_is_written_as_with_its_former_indicator_loop(
    client_for, users, make_household, monkeypatch, language, editor
):
    """The indicator rows are written in Python (households/templatetags/indicator_rows.py): the page is the one the
    former template loop (templates/households/includes/indicator_rows.html) writes, for an editor (with the
    adjustment forms) and a reader, with an adjustment that contradicts the data, one that agrees, and text to
    escape; and for a household not classified yet."""
    from django.template.loader import get_template

    from households import services
    from households.templatetags import indicator_rows

    household = make_household(code="IRS-001")
    codes = [ind["code"] for ind in household.classification["indicators"]]
    officer = users.commune_officer
    services.indicator_override_set(
        household=household, code=codes[0], deprived=True, reason='Nhà dột <b>"nát"</b> & hỏng', user=officer
    )
    household.refresh_from_db()
    services.indicator_override_set(
        household=household, code=codes[1], deprived=False, reason="Đã kiểm tra", user=users.commune_officer
    )
    unclassified = make_household(code="IRS-002")
    Household.objects.filter(pk=unclassified.pk).update(classification={})
    client = client_for(users.commune_officer if editor else users.district_staff)
    client.cookies["django_language"] = language
    reference = get_template("households/includes/indicator_rows.html").template
    for pk in (household.pk, unclassified.pk):
        url = reverse("households:detail", args=[pk])
        written = page(client, url)
        assert ('name="code"' in written) == (editor and pk == household.pk)
        with monkeypatch.context() as patch:
            patch.setattr(indicator_rows, "write_rows", lambda context, *args: reference.render(context))
            assert page(client, url) == written
    escaped = "&lt;b&gt;&quot;nát&quot;&lt;/b&gt; &amp; hỏng"
    assert escaped in page(client, reverse("households:detail", args=[household.pk]))


def test_the_movements_page_is_what_djangos_templates_write(client_for, users, make_household, monkeypatch):
    """The movements page keeps its table's header per process and writes its filter's widgets in Python: the page is
    the one Django's templates write without either."""
    from core.templatetags.portal import KeptNode
    from households.forms_targets import TransitionFilterForm

    make_household()
    client = client_for(users.district_staff)
    url = reverse("households:transitions") + f"?nam={timezone.localdate().year}&cap=commune"
    kept = page(client, url)
    assert 'data-testid="transition-table"' in kept and "<thead" in kept
    monkeypatch.setattr(KeptNode, "render", lambda self, context: self.nodelist.render(context))
    monkeypatch.setattr(TransitionFilterForm, "default_renderer", DjangoTemplates())
    assert page(client, url) == kept


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_movements_rows_are_written_as_with_their_former_include(
    client_for, users, make_household, monkeypatch, language
):
    """The movements table's rows are written in Python (households/templatetags/transition_rows.py): the page is the
    one the former include (templates/households/includes/transition_row.html) writes, for each role's default level
    (villages, communes, districts; the province's total of the whole system for the administrator)."""
    from django.template.loader import get_template

    from households.choices import HouseholdClass
    from households.templatetags import transition_rows

    from .test_transitions import bare_household, history

    year = timezone.localdate().year
    make_household(code="IRS-001")
    poor, near = HouseholdClass.POOR, HouseholdClass.NEAR_POOR
    for start, end in ((poor, near), (near, poor)):
        household = bare_household(users.commune_officer.unit.children.first())
        history(household, (start, date(year - 1, 1, 1)), (end, date(year, 1, 1)))  # moved on 1 January
    reference = get_template("households/includes/transition_row.html").template

    def include(context, row, total, drill_query):
        with context.push(row=row, total=total):
            return reference.render(context)

    for user in (users.commune_officer, users.district_staff, users.province_staff, users.admin):
        client = client_for(user)
        client.cookies["django_language"] = language
        # a period the summary rows do not hold (counted live), ending on the day of the moves
        url = reverse("households:transitions") + f"?tu_ngay=01/06/{year - 1}&den_ngay=01/01/{year}&x=<1>"
        written = page(client, url)
        assert 'data-testid="transition-table"' in written and 'data-unit="' in written
        assert '<span class="text-muted">(1)</span>' in written  # a movement between poor and near-poor
        with monkeypatch.context() as patch:
            patch.setattr(transition_rows, "write_row", include)
            assert page(client, url) == written
