"""The dashboard's tables of the units below the user's (counts, targets) are written in Python
(dashboards/templatetags/dashboard_rows.py): the page is the one the former template loops
(templates/dashboards/includes/unit_rows.html, target_rows.html) write."""

import re

import pytest
import time_machine
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from dashboards.templatetags import dashboard_rows
from households import services

from ..factories import UserFactory, VillageFactory
from ..households.conftest import POOR_FACTS, family
from .test_targets_card import target

pytestmark = pytest.mark.django_db

TOKENS = re.compile(r'(name="(?:csrfmiddlewaretoken|submit_token)" value=")[^"]*"')


def page(client) -> str:
    response = client.get(reverse("dashboards:index"))
    assert response.status_code == 200
    return TOKENS.sub(r'\1"', response.content.decode())


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_dashboard_is_written_as_with_its_former_unit_loop(client_for, users, tree, monkeypatch, language):
    VillageFactory(parent=tree.commune, name='Buôn <Ma> "Rai" & Ơ')
    household = services.household_save(
        household=services.Household(code="IRS-001", village=tree.village, **POOR_FACTS),
        members=family(),
        user=users.commune_officer,
        expected_version=None,
    )
    assert household.pk
    nobody_below = UserFactory(username="xa.trong", role=Role.COMMUNE_OFFICER, unit=tree.sibling_commune)
    target(tree.commune, 10, users.district_staff)  # a goal of its own; its district's is the sum (Σ)
    target(tree.sibling_commune, 0, users.district_staff)  # a goal of none: no share, "not assigned"
    reference = get_template("dashboards/includes/unit_rows.html").template
    target_reference = get_template("dashboards/includes/target_rows.html").template
    written_pages = []
    # The clock stands still: the page shows the time it was drawn ("cập nhật lúc 00:01"), and the two drawings
    # compared must not fall on either side of a minute.
    with time_machine.travel(timezone.now(), tick=False):
        for user in (users.commune_officer, users.district_staff, users.province_staff, nobody_below):
            client = client_for(user)
            client.cookies["django_language"] = language
            written = page(client)
            written_pages.append(written)
            with monkeypatch.context() as patch:
                patch.setattr(dashboard_rows, "write_rows", lambda context, *args: reference.render(context))
                patch.setattr(dashboard_rows, "write_target_rows", lambda context, *a: target_reference.render(context))
                assert page(client) == written
    assert "Buôn &lt;Ma&gt; &quot;Rai&quot; &amp; Ơ" in written_pages[0]
    assert 'colspan="9"' in written_pages[3]
    assert 'data-testid="target-row"' in written_pages[1] and "Σ</sup>" in written_pages[2]
