"""Evaluating a movement: verdicts and their figures stored as a dated snapshot, candidates meeting every criterion of
their level, qualitative assessments with evidence, query counts that do not grow with households, and every URL
of the movement and evaluation screens scoped (another unit's is a 404)."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from core.jobs import job_run_execute
from core.models import JobRun, JobStatus
from core.services import job_run_start
from emulation.criteria import criteria_copy_template
from emulation.evaluation import assessment_record, evaluate, evaluation_tables
from emulation.jobs import EVALUATE_JOB, evaluation_params
from emulation.models import Criterion, Evaluation, EvaluationResult, Level, Movement
from households.choices import HouseholdClass
from households.models import UnitPopulation
from tests.factories import VillageFactory

from .test_measures import household

pytestmark = pytest.mark.django_db

P, N, X = HouseholdClass.POOR, HouseholdClass.NEAR_POOR, HouseholdClass.NON_POOR
PDF = b"%PDF-1.4\n% minh chung\n"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(date(2026, 11, 26), tick=False):
        yield


@pytest.fixture
def movement(tree, users):
    made = Movement.objects.create(
        name="Vì người nghèo – Không để ai bị bỏ lại phía sau",
        phase_start=2021,
        phase_end=2025,
        unit=tree.district,
        launch_number="03/KH-UBND",
        launch_date=date(2023, 1, 3),
        levels=[Level.COMMUNE, Level.VILLAGE, Level.HOUSEHOLD],
        created_by=users.district_staff,
    )
    criteria_copy_template(movement=made)
    return made


def populate(tree, per_commune: int):
    """Ia RSai halves its poor households in 2024; Phú Túc keeps them. 100 resident households each."""
    for commune in (tree.commune, tree.sibling_commune):
        UnitPopulation.objects.get_or_create(unit=commune, year=2020, defaults={"households": 100, "source": "TK"})
    phutuc = VillageFactory(parent=tree.sibling_commune)
    for i in range(per_commune):
        steps = [(P, date(2020, 1, 1))] + ([(X, date(2024, 6, 1))] if i % 2 == 0 else [])
        household(tree.village, *steps)
        household(phutuc, (P, date(2020, 1, 1)))


def test_the_template_is_copied_for_the_levels_judged_once(movement):
    levels = set(Criterion.objects.filter(movement=movement).values_list("level", flat=True))
    assert levels == {Level.COMMUNE, Level.VILLAGE, Level.HOUSEHOLD}
    commune = Criterion.objects.get(movement=movement, level=Level.COMMUNE, code="giam-ngheo-3-nam-hoac-50")
    assert commune.tag == "U" and "seed 002" in commune.source and commune.parameters["own"]["21841"]
    assert criteria_copy_template(movement=movement) == 0


def test_evaluation_stores_verdicts_with_figures_and_keeps_older_snapshots(movement, tree, users):
    populate(tree, 8)
    first = evaluate(movement, tree.district, 2026, users.district_staff)
    results = {
        (r.criterion.code, r.unit_id): r for r in EvaluationResult.objects.filter(evaluation=first, unit__isnull=False)
    }
    rsai = results[("giam-ngheo-3-nam-hoac-50", tree.commune.pk)]
    # 2023–2025: 8 % → 4 % = 4 points (the 50 % rule: 8 → 4 is exactly half, not more)
    assert rsai.met is True
    assert [part["met"] for part in rsai.figures["parts"]] == [True, False]
    assert results[("giam-ngheo-3-nam-hoac-50", tree.sibling_commune.pk)].met is False
    household(tree.village, (P, date(2025, 1, 1)))
    second = evaluate(movement, tree.district, 2026, users.district_staff)
    assert Evaluation.objects.filter(movement=movement).count() == 2
    assert EvaluationResult.objects.get(pk=rsai.pk).figures == rsai.figures  # the first snapshot is unchanged
    assert second.results.count() == first.results.count()


def test_evaluation_queries_do_not_grow_with_households(movement, tree, users):
    populate(tree, 3)
    with CaptureQueriesContext(connection) as few:
        evaluate(movement, tree.district, 2026, users.district_staff)
    populate(tree, 40)
    with CaptureQueriesContext(connection) as many:
        evaluate(movement, tree.district, 2026, users.district_staff)
    assert len(many) == len(few)
    assert len(few) <= 20


def test_outside_scope_or_year_is_refused(movement, tree, users):
    with pytest.raises(ValidationError):
        evaluate(movement, tree.other_district, 2026, users.province_staff)
    with pytest.raises(ValidationError):
        evaluate(movement, tree.district, 2027, users.district_staff)
    with pytest.raises(ValidationError):
        evaluate(movement, tree.sibling_commune, 2026, users.commune_officer)


def test_a_candidate_meets_every_criterion_of_its_level(movement, tree, users):
    populate(tree, 8)
    evaluation = evaluate(movement, tree.district, 2026, users.district_staff)
    commune_table = next(t for t in evaluation_tables(evaluation) if t.level == Level.COMMUNE)
    rsai = next(row for row in commune_table.rows if row.unit == tree.commune)
    # the registrations rule has no registration: not decidable, so not yet a candidate
    Criterion.objects.filter(movement=movement, code="dang-ky-thoat-ngheo").update(is_active=False)
    evaluation = evaluate(movement, tree.district, 2026, users.district_staff)
    commune_table = next(t for t in evaluation_tables(evaluation) if t.level == Level.COMMUNE)
    rsai = next(row for row in commune_table.rows if row.unit == tree.commune)
    assert rsai.quantitative_met and not rsai.candidate
    for criterion in Criterion.objects.filter(movement=movement, level=Level.COMMUNE, kind="qualitative"):
        assessment_record(
            criterion=criterion,
            year=2026,
            user=users.district_staff,
            unit=tree.commune,
            met=True,
            evidence=SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf"),
        )
    commune_table = next(t for t in evaluation_tables(evaluation) if t.level == Level.COMMUNE)
    assert [row.unit for row in commune_table.candidates] == [tree.commune]


def test_ticking_a_criterion_needs_evidence_and_the_level_above(movement, tree, users):
    criterion = Criterion.objects.filter(movement=movement, level=Level.COMMUNE, kind="qualitative").first()
    with pytest.raises(ValidationError) as refused:
        assessment_record(criterion=criterion, year=2026, user=users.district_staff, unit=tree.commune, met=True)
    assert "minh chứng" in str(refused.value)
    with pytest.raises(ValidationError):  # a commune does not tick its own criteria
        assessment_record(
            criterion=criterion,
            year=2026,
            user=users.commune_officer,
            unit=tree.commune,
            met=True,
            evidence=SimpleUploadedFile("a.pdf", PDF),
        )


# --- screens ------------------------------------------------------------------------------------------------------


def urls(movement, evaluation):
    return [
        reverse("emulation:movement_detail", args=[movement.pk]),
        reverse("emulation:movement_update", args=[movement.pk]),
        reverse("emulation:movement_criterion", args=[movement.pk]),
        reverse("emulation:evaluation_list", args=[movement.pk]),
        reverse("emulation:evaluation_detail", args=[evaluation.pk]),
        f"{reverse('emulation:evaluation_assessment', args=[evaluation.pk])}?don_vi={evaluation.scope.pk}",
    ]


def test_another_units_movement_and_evaluation_are_404(movement, tree, users, client_for):
    other = Movement.objects.create(
        name="Phong trào huyện Ia Pa",
        phase_start=2021,
        phase_end=2025,
        unit=tree.other_district,
        launch_number="01/KH-UBND",
        launch_date=date(2022, 1, 1),
        levels=[Level.COMMUNE],
    )
    evaluation = evaluate(other, tree.other_district, 2026, users.province_staff)
    client = client_for(users.district_staff)
    for url in urls(other, evaluation):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("emulation:movement_criteria_template", args=[other.pk])).status_code == 404
    province = client_for(users.province_staff)
    assert province.get(reverse("emulation:evaluation_detail", args=[evaluation.pk])).status_code == 200


def test_the_screens_open_for_the_district_and_read_only_for_the_commune(movement, tree, users, client_for):
    populate(tree, 2)
    evaluation = evaluate(movement, tree.district, 2026, users.district_staff)
    district = client_for(users.district_staff)
    for url in urls(movement, evaluation):
        assert district.get(url).status_code == 200, url
    page = district.get(reverse("emulation:evaluation_detail", args=[evaluation.pk])).content.decode()
    assert "Xem hộ" in page and "Xã Ia RSai" in page
    commune = client_for(users.commune_officer)
    assert commune.get(reverse("emulation:movement_detail", args=[movement.pk])).status_code == 200
    assert commune.get(reverse("emulation:movement_update", args=[movement.pk])).status_code == 403
    # the district's evaluation covers other communes: the commune sees its own evaluations only
    assert commune.get(reverse("emulation:evaluation_detail", args=[evaluation.pk])).status_code == 404


def test_evaluating_and_assessing_through_the_screens(movement, tree, users, client_for):
    populate(tree, 2)
    client = client_for(users.district_staff)
    response = client.post(
        reverse("emulation:evaluation_list", args=[movement.pk]), {"scope": tree.district.pk, "year": 2026}
    )
    # The evaluation runs in the background: the officer lands on its progress page, which opens the evaluation
    # once the job is done.
    job = JobRun.objects.get(kind=EVALUATE_JOB)
    assert response.status_code == 302 and response["Location"] == reverse("emulation:evaluation_job", args=[job.pk])
    assert not Evaluation.objects.exists()
    page = client.get(response["Location"])
    assert page.status_code == 200 and "data-job-progress-url" in page.content.decode()
    listing = client.get(reverse("emulation:evaluation_list", args=[movement.pk])).content.decode()
    assert 'data-testid="evaluation-pending"' in listing and "Năm 2026" in listing
    assert job_run_execute(job_id=job.pk).status == JobStatus.SUCCEEDED
    evaluation = Evaluation.objects.get()
    assert evaluation.evaluated_by == users.district_staff and evaluation.scope == tree.district
    response = client.get(reverse("emulation:evaluation_job", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("emulation:evaluation_detail", args=[evaluation.pk])
    assert (
        'data-testid="evaluation-pending"'
        not in client.get(reverse("emulation:evaluation_list", args=[movement.pk])).content.decode()
    )
    response = client.post(
        reverse("emulation:evaluation_list", args=[movement.pk]), {"scope": tree.district.pk, "year": 2030}
    )
    assert response.status_code == 200 and Evaluation.objects.count() == 1
    assert JobRun.objects.filter(kind=EVALUATE_JOB).count() == 1  # a year outside the phase starts no job
    criterion = Criterion.objects.filter(movement=movement, level=Level.COMMUNE, kind="qualitative").first()
    url = f"{reverse('emulation:evaluation_assessment', args=[evaluation.pk])}?don_vi={tree.commune.pk}"
    response = client.post(url, {f"c{criterion.pk}-met": "1", f"c{criterion.pk}-note": "Đã kiểm tra"})
    assert response.status_code == 200 and "minh chứng" in response.content.decode()
    assert "Đã kiểm tra" in response.content.decode()  # what was typed is kept
    evidence = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {f"c{criterion.pk}-met": "1", f"c{criterion.pk}-evidence": evidence})
    assert response.status_code == 302
    assert criterion.assessments.get(unit=tree.commune).met is True


@pytest.mark.parametrize("role", list(Role))
def test_creating_a_movement(role, users, tree, client_for):
    client = client_for(users.by_role(role))
    data = {
        "name": "Phong trào 2026–2030",
        "unit": tree.province.pk,
        "phase_start": 2026,
        "phase_end": 2030,
        "launch_number": "12/KH-UBND",
        "launch_date": "15/01/2026",
        "levels": ["commune", "household"],
        "is_active": "on",
        "moc-TOTAL_FORMS": "2",
        "moc-INITIAL_FORMS": "0",
        "moc-MIN_NUM_FORMS": "0",
        "moc-MAX_NUM_FORMS": "20",
        "moc-0-kind": "launch",
        "moc-0-due_on": "15/01/2026",
        "moc-1-kind": "",
        "moc-1-due_on": "",
    }
    response = client.post(reverse("emulation:movement_create"), data)
    if role == Role.COMMUNE_OFFICER:
        assert response.status_code == 403
        return
    assert response.status_code == 302, response.content.decode()[:3000]
    movement = Movement.objects.get()
    assert movement.unit == (tree.province if role == Role.SYSTEM_ADMIN else users.by_role(role).unit)
    assert list(movement.milestones.values_list("kind", "due_on")) == [("launch", date(2026, 1, 15))]


def test_the_evaluation_page_takes_no_more_queries_with_more_households(movement, tree, users, client_for):
    client = client_for(users.district_staff)
    populate(tree, 2)
    small = evaluate(movement, tree.district, 2026, users.district_staff)
    url = reverse("emulation:evaluation_detail", args=[small.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    populate(tree, 30)
    large = evaluate(movement, tree.district, 2026, users.district_staff)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("emulation:evaluation_detail", args=[large.pk])).status_code == 200
    assert len(many) == len(few)


def test_assessing_a_household_or_unit_outside_the_evaluation_is_404(movement, tree, users, client_for):
    evaluation = evaluate(movement, tree.commune, 2026, users.commune_officer)
    outside = household(VillageFactory(parent=tree.sibling_commune), (P, date(2020, 1, 1)))
    client = client_for(users.district_staff)
    base = reverse("emulation:evaluation_assessment", args=[evaluation.pk])
    assert client.get(f"{base}?ho={outside.pk}").status_code == 404
    assert client.get(f"{base}?don_vi={tree.sibling_commune.pk}").status_code == 404
    assert client.get(f"{base}?don_vi=abc").status_code == 404
    assert client.get(f"{base}?don_vi={tree.village.pk}").status_code == 200


@pytest.mark.parametrize(
    "model",
    [
        "movement",
        "criterion",
        "assessment",
        "evaluation",
        "nomination",
        "awarddecision",
        "award",
        "typicalexample",
        "movementresult",
    ],
)
def test_the_admin_lists_every_emulation_model(movement, users, client_for, model):
    evaluate(movement, movement.unit, 2026, users.district_staff)
    response = client_for(users.admin).get(reverse(f"admin:emulation_{model}_changelist"))
    assert response.status_code == 200


def test_the_admin_shows_an_evaluation_with_its_results(movement, tree, users, client_for):
    populate(tree, 2)
    evaluation = evaluate(movement, tree.district, 2026, users.district_staff)
    response = client_for(users.admin).get(reverse("admin:emulation_evaluation_change", args=[evaluation.pk]))
    assert response.status_code == 200 and "Xã Ia RSai" in response.content.decode()


def test_an_evaluation_job_that_cannot_run_fails_with_a_reason_and_is_not_seen_elsewhere(
    movement, tree, users, client_for
):
    job = job_run_start(
        kind=EVALUATE_JOB,
        requested_by=users.district_staff,
        unit=tree.district,
        params=evaluation_params(movement, tree.district, 2026, ""),
    )
    # the officer's account lost the district before the worker ran: the scope check inside ``evaluate`` refuses
    users.district_staff.unit = tree.other_district
    users.district_staff.save()
    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.FAILED and "không thuộc phạm vi" in job.error
    assert not Evaluation.objects.exists()
    other = client_for(users.commune_officer)
    assert other.get(reverse("emulation:evaluation_job", args=[job.pk])).status_code == 404
    movement_gone = job_run_start(
        kind=EVALUATE_JOB,
        requested_by=users.province_staff,
        unit=tree.district,
        params={"movement_id": 0, "scope_id": tree.district.pk, "year": 2026, "note": ""},
    )
    assert "không còn trong hệ thống" in job_run_execute(job_id=movement_gone.pk).error
