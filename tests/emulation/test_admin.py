"""An evaluation in the Django admin: the first of its results (one per criterion and subject, per household for a
household criterion: up to a province's million), with their criterion, unit and household joined, and a link to
the portal's page of all of them."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emulation.admin import EvaluationResultInline
from emulation.criteria import criteria_copy_template
from emulation.models import Criterion, Evaluation, EvaluationResult, Level, Movement

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(tree, users):
    movement = Movement.objects.create(
        name="Vì người nghèo – Không để ai bị bỏ lại phía sau",
        phase_start=2021,
        phase_end=2025,
        unit=tree.district,
        launch_number="03/KH-UBND",
        launch_date=date(2023, 1, 3),
        levels=[Level.COMMUNE],
        created_by=users.district_staff,
    )
    criteria_copy_template(movement=movement)
    return Evaluation.objects.create(movement=movement, scope=tree.district, year=2025, evaluated_by=users.admin)


def add_results(evaluation, units) -> None:
    criterion = Criterion.objects.filter(movement=evaluation.movement).first()
    EvaluationResult.objects.bulk_create(
        EvaluationResult(evaluation=evaluation, criterion=criterion, unit=unit, met=True, figures={"n": 1})
        for unit in units
    )


def test_the_evaluation_page_shows_its_first_results_and_links_to_all_of_them(
    client_for, users, tree, evaluation, monkeypatch
):
    monkeypatch.setattr(EvaluationResultInline, "rows_shown", 2)
    add_results(evaluation, [tree.commune, tree.sibling_commune, tree.other_district_commune])
    page = client_for(users.admin).get(reverse("admin:emulation_evaluation_change", args=[evaluation.pk]))
    shown = [form.instance.pk for form in page.context["inline_admin_formsets"][0].formset.forms]
    assert shown == list(evaluation.results.order_by("pk").values_list("pk", flat=True)[:2])
    html = page.content.decode()
    link = reverse("emulation:evaluation_detail", args=[evaluation.pk])
    assert f'<a href="{link}">Xem toàn bộ kết quả đánh giá (3)</a>' in html
    assert "2 kết quả đầu tiên trong 3" in html


def test_the_evaluation_page_reads_the_same_statements_whatever_its_results(client_for, users, tree, evaluation):
    client = client_for(users.admin)
    url = reverse("admin:emulation_evaluation_change", args=[evaluation.pk])

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add_results(evaluation, [tree.commune, tree.sibling_commune])
    before = statements()
    add_results(evaluation, [tree.other_district_commune, tree.village, tree.district])
    assert statements() == before
