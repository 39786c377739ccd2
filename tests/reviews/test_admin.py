"""The rules an administrator edits (review calendar, approval chain) and the read-only round page in the admin, which
shows the latest entries of the round's log (one per case saved: thousands) and links to the portal's whole log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.admin import ApprovalActionInline
from reviews.choices import Action
from reviews.models import ApprovalAction, ApprovalChainRule, ReviewWindow

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_admin_edits_the_calendar_and_the_chain(client_for, users, tree):
    client = client_for(users.admin)
    for name in ("reviews_reviewwindow", "reviews_approvalchainrule", "reviews_reviewround"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    response = client.post(
        reverse("admin:reviews_reviewwindow_add"),
        {
            "province": tree.province.pk,
            "year": YEAR,
            "periodic_start": f"15/09/{YEAR}",
            "periodic_end": f"30/11/{YEAR}",
            "regular_start_day": 15,
            "regular_decision_days": 15,
            "posting_working_days": 5,
            "recheck_working_days": 5,
            "legal_basis": "Kế hoạch 135/KH-UBND",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ReviewWindow.objects.get().posting_working_days == 5
    response = client.post(
        reverse("admin:reviews_approvalchainrule_add"),
        {"province": tree.province.pk, "valid_from": "01/07/2025", "province_step": "on", "legal_basis": "QĐ tỉnh"},
    )
    assert response.status_code == 302
    assert ApprovalChainRule.objects.get().province_step


def test_round_is_read_only_in_the_admin(client_for, users, walk):
    round = walk.open()
    client = client_for(users.admin)
    page = client.get(reverse("admin:reviews_reviewround_change", args=[round.pk]))
    assert page.status_code == 200 and "Mở đợt rà soát" in page.content.decode()
    assert client.get(reverse("admin:reviews_reviewround_add")).status_code == 403


def test_window_set_by_the_province_is_used(walk, tree):
    from datetime import date

    ReviewWindow.objects.create(
        province=tree.province, year=YEAR, periodic_start=date(YEAR, 9, 15), periodic_end=date(YEAR, 11, 30)
    )
    round = walk.open()
    assert (round.starts_on, round.due_on) == (date(YEAR, 9, 15), date(YEAR, 11, 30))


def add_log_entries(round, count: int, user) -> None:
    """Entries as saving each case writes them (one per case saved: thousands in a commune's annual round)."""
    ApprovalAction.objects.bulk_create(
        ApprovalAction(round=round, action=Action.CASE_SAVE, user=user, comment=f"Lưu phiếu {index}")
        for index in range(count)
    )


def test_the_round_page_shows_the_latest_log_entries_and_links_to_the_whole_log(client_for, users, walk, monkeypatch):
    monkeypatch.setattr(ApprovalActionInline, "rows_shown", 3)
    round = walk.open()
    add_log_entries(round, 5, users.commune_officer)
    log = ApprovalAction.objects.filter(round=round)
    total = log.count()
    page = client_for(users.admin).get(reverse("admin:reviews_reviewround_change", args=[round.pk]))
    shown = [form.instance for form in page.context["inline_admin_formsets"][0].formset.forms]
    assert [entry.pk for entry in shown] == list(log.order_by("-at", "-pk").values_list("pk", flat=True)[:3])
    html = page.content.decode()
    assert f'<a href="{reverse("reviews:log", args=[round.pk])}">Xem toàn bộ nhật ký ({total})</a>' in html
    assert f"3 mục mới nhất trong {total}" in html


def test_the_round_page_reads_the_same_statements_whatever_the_length_of_its_log(client_for, users, walk):
    round = walk.open()
    client = client_for(users.admin)
    url = reverse("admin:reviews_reviewround_change", args=[round.pk])

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add_log_entries(round, ApprovalActionInline.rows_shown + 5, users.commune_officer)
    before = statements()
    add_log_entries(round, ApprovalActionInline.rows_shown + 5, users.district_staff)
    assert statements() == before


def test_the_round_page_shows_years_as_years_and_labels_in_vietnamese(client_for, users, walk):
    """A year is a label ("2026"), not a quantity ("2.026"); the admin's other integers keep the separator."""
    from django.utils import timezone

    from core.admin_display import display_for_field, is_year
    from households.models import UnitPopulation

    round = walk.open()
    page = client_for(users.admin).get(reverse("admin:reviews_reviewround_change", args=[round.pk])).content.decode()
    assert f"<p>{YEAR}</p>" in page.replace('<div class="readonly">', "<p>").replace("</div>", "</p>")
    assert f"{YEAR // 1000}.{YEAR % 1000:03d}" not in page
    assert "Người mở đợt" in page and "Opened by" not in page
    assert "Người thực hiện" in page and ">User<" not in page
    entry = ApprovalAction.objects.filter(round=round).first()
    assert str(entry).endswith(f"{timezone.localtime(entry.at):%d/%m/%Y %H:%M}")  # the log's time where it was done
    year, households = UnitPopulation._meta.get_field("year"), UnitPopulation._meta.get_field("households")
    assert is_year(year) and not is_year(households)
    assert (display_for_field(2026, year, "-"), display_for_field(12345, households, "-")) == ("2026", "12.345")
