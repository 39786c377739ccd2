"""The dashboard's periodic-reports card: the deadline of the officer's reporting unit coming up (TT 10/2022/TT-BLĐTBXH,
Điều 5: the 6-month report before 1 June) with where its report stands, and the drafts prepared lately."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from reports.models import PeriodicReport, ReportKind
from reports.services import periods_for

pytestmark = pytest.mark.django_db

YEAR = 2026


def on(month: int, day: int):
    return time_machine.travel(datetime(YEAR, month, day, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)


def card(client) -> str:
    html = client.get(reverse("dashboards:index")).content.decode()
    start = html.find('data-testid="dashboard-reports"')
    return "" if start < 0 else html[start : html.find("</ul>", start)]


def test_district_staff_see_the_coming_deadline_then_their_draft(client_for, users, tree):
    client = client_for(users.district_staff)
    with on(5, 10):
        shown = card(client)
        assert "hạn 01/06/2026" in shown and "còn 22 ngày" in shown
        assert reverse("reports:create") in shown
        start, end = periods_for(ReportKind.SIX_MONTH, YEAR)
        client.post(reverse("reports:create"), {"kind": ReportKind.SIX_MONTH, "year": YEAR})
        draft = PeriodicReport.objects.get(unit=tree.district, period_start=start, period_end=end)
        shown = card(client)
        assert shown.count(reverse("reports:detail", args=[draft.pk])) == 2  # the deadline's draft and a new draft
        assert "mở dự thảo" in shown and "Dự thảo mới" in shown


def test_province_staff_see_their_roll_up_deadline_and_the_districts_new_drafts(client_for, users, tree):
    with on(5, 10):
        client_for(users.district_staff).post(reverse("reports:create"), {"kind": ReportKind.SIX_MONTH, "year": YEAR})
        shown = card(client_for(users.province_staff))
    assert "Tỉnh Gia Lai" in shown and "hạn 01/06/2026" in shown
    assert "Huyện Krông Pa" in shown and "Dự thảo mới" in shown


def test_no_card_without_a_deadline_or_draft(client_for, users):
    with on(2, 10):
        assert card(client_for(users.district_staff)) == ""
    with on(5, 10):  # a commune of a reporting district has no report of its own to deliver
        assert card(client_for(users.commune_officer)) == ""
