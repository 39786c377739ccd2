"""The admin of the periodic reports: every model listed for the administrator, reports and logs read-only, the
reporting calendar editable with its dates checked."""

import pytest
from django.urls import reverse

from reports.models import ReportDeadline, ReportKind

pytestmark = pytest.mark.django_db

MODELS = [
    "periodicreport",
    "reportdownload",
    "documentregister",
    "indicatordefinition",
    "indicatorvalue",
    "reportdeadline",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_report_model_is_listed(client_for, users, model):
    response = client_for(users.admin).get(reverse(f"admin:reports_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["periodicreport", "reportdownload", "documentregister", "indicatorvalue"])
def test_reports_and_logs_cannot_be_added_in_the_admin(client_for, users, model):
    assert client_for(users.admin).get(reverse(f"admin:reports_{model}_add")).status_code == 403


def test_an_administrator_moves_a_deadline_and_a_wrong_one_is_refused(client_for, users):
    deadline = ReportDeadline.objects.get(kind=ReportKind.SIX_MONTH)
    url = reverse("admin:reports_reportdeadline_change", args=[deadline.pk])
    data = {
        "kind": "six_month",
        "name": deadline.name,
        "legal_basis": deadline.legal_basis,
        "is_active": "on",
        "period_start_month": 1,
        "period_end_month": 6,
        "prepare_day": 10,
        "prepare_month": 5,
        "due_day": 1,
        "due_month": 6,
    }
    client = client_for(users.admin)
    assert client.post(url, data).status_code == 302
    deadline.refresh_from_db()
    assert (deadline.prepare_day, deadline.prepare_month) == (10, 5)

    response = client.post(url, {**data, "period_start_month": 7})  # the period ends before it starts
    assert response.status_code == 200 and "Tháng cuối kỳ phải sau" in response.content.decode()
    response = client.post(url, {**data, "prepare_month": 6, "prepare_day": 2})  # prepared after it is due
    assert response.status_code == 200 and "Ngày tạo dự thảo phải trước hạn nộp" in response.content.decode()
    deadline.refresh_from_db()
    assert (deadline.prepare_day, deadline.prepare_month, deadline.period_start_month) == (10, 5, 1)
