"""A round is not opened ahead of its time (QĐ 24/2021/QĐ-TTg, Điều 3–5); before the province's window it only warns."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import services
from reviews.choices import RoundKind
from reviews.models import ReviewRound, ReviewWindow

from .conftest import YEAR, today

pytestmark = pytest.mark.django_db


def open_round(tree, users, kind, year, month=None, on=None):
    return services.review_round_open(
        commune=tree.commune, kind=kind, year=year, month=month, user=users.commune_officer, today=on
    )


def test_a_periodic_round_for_a_later_year_is_refused(tree, users, households):
    with pytest.raises(ValidationError) as refused:
        open_round(tree, users, RoundKind.PERIODIC, YEAR + 1)
    message = refused.value.message_dict["year"][0]
    assert f"Chưa mở được đợt rà soát định kỳ năm {YEAR + 1}" in message
    assert "Quyết định 24/2021/QĐ-TTg, Điều 3" in message and f"Năm nay là năm {YEAR}" in message
    assert not ReviewRound.objects.exists()


def test_a_regular_round_for_a_later_month_is_refused(tree, users, households):
    on = date(YEAR, 3, 10)
    with pytest.raises(ValidationError) as refused:
        open_round(tree, users, RoundKind.REGULAR, YEAR, month=4, on=on)
    message = refused.value.message_dict["month"][0]
    assert f"Chưa mở được đợt rà soát thường xuyên tháng 04/{YEAR}" in message
    assert "Điều 5" in message and f"Tháng này là tháng 03/{YEAR}" in message
    with pytest.raises(ValidationError):
        open_round(tree, users, RoundKind.REGULAR, YEAR + 1, month=1, on=on)
    assert not ReviewRound.objects.exists()

    # This month and earlier months (also of an earlier year) are fine.
    assert open_round(tree, users, RoundKind.REGULAR, YEAR, month=3, on=on).month == 3
    assert open_round(tree, users, RoundKind.REGULAR, YEAR, month=1, on=on).month == 1
    assert open_round(tree, users, RoundKind.REGULAR, YEAR - 1, month=12, on=on).year == YEAR - 1


def test_a_periodic_round_before_the_provinces_window_is_still_opened(tree, users, households):
    round = open_round(tree, users, RoundKind.PERIODIC, YEAR, on=date(YEAR, 2, 1))
    assert round.starts_on == date(YEAR, 9, 1) and round.cases.count() == 2


def future_window(tree):
    start = today() + timedelta(days=3)
    return ReviewWindow.objects.create(
        province=tree.province, year=YEAR, periodic_start=start, periodic_end=start + timedelta(days=60)
    )


def test_the_form_warns_before_the_window_and_still_opens(client_for, users, tree, households):
    window = future_window(tree)
    notice = f"Đợt rà soát định kỳ năm {YEAR} theo kế hoạch của tỉnh bắt đầu từ {window.periodic_start:%d/%m/%Y}."
    client = client_for(users.commune_officer)
    page = client.get(reverse("reviews:create")).content.decode()
    assert 'data-testid="window-notice"' in page and notice in page

    response = client.post(reverse("reviews:create"), {"kind": "periodic", "year": YEAR, "month": ""}, follow=True)
    round = ReviewRound.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reviews:detail", args=[round.pk])
    assert notice in response.content.decode() and round.starts_on == window.periodic_start


def test_no_warning_once_the_window_has_begun(client_for, users, tree):
    start = today() - timedelta(days=1)
    ReviewWindow.objects.create(
        province=tree.province, year=YEAR, periodic_start=start, periodic_end=start + timedelta(days=60)
    )
    page = client_for(users.commune_officer).get(reverse("reviews:create")).content.decode()
    assert 'data-testid="window-notice"' not in page


def test_the_form_shows_the_refusal_and_keeps_the_input(client_for, users, tree, households):
    future_window(tree)
    client = client_for(users.commune_officer)
    response = client.post(reverse("reviews:create"), {"kind": "periodic", "year": YEAR + 1, "month": ""})
    page = response.content.decode()
    assert response.status_code == 200 and not ReviewRound.objects.exists()
    assert f"Chưa mở được đợt rà soát định kỳ năm {YEAR + 1}" in page and f'value="{YEAR + 1}"' in page
    assert 'data-testid="window-notice"' not in page  # the refusal says it all; no window of a later year

    response = client.post(reverse("reviews:create"), {"kind": "regular", "year": YEAR + 1, "month": "1"})
    page = response.content.decode()
    assert f"Chưa mở được đợt rà soát thường xuyên tháng 01/{YEAR + 1}" in page
    assert 'data-testid="window-notice"' not in page and not ReviewRound.objects.exists()
