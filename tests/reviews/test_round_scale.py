"""The review's steps at a commune's scale: what each step reads does not grow household by household.

A commune of a merged province holds tens of thousands of households; opening its annual round looked up the class
of each one separately (≈ 47 s and 56.000 statements for 43.479 households, docs/performance.md "Review rounds at a
commune of the million"). The class each household enters the round with is still the one ``_class_before`` gives
it alone (QĐ 24/2021, Điều 4 bước 1 điểm a: the poor and near-poor households the commune manages).
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from accounts.choices import Role
from households.choices import HouseholdClass, HouseholdState
from households.models import Household, StatusRecord
from reviews import calendar, services
from reviews.choices import CaseSource, RoundKind, RoundState
from reviews.models import Certificate, RecognitionDecision, ReviewCase, ReviewRound, Submission
from reviews.selectors import ListDiff, last_year_counts, last_year_snapshots, snapshot_counts, submission_summary
from reviews.services.approval import _new_standard_starts, _ranks_lower
from reviews.services.common import _class_before, _classes_before
from reviews.snapshot import certificate_members, certificate_snapshot
from reviews.views.submissions import _shown
from tests.factories import UserFactory, VillageFactory

from .conftest import YEAR, Walk

POOR, NEAR = HouseholdClass.POOR, HouseholdClass.NEAR_POOR


def _history(make_household, day):
    """Households whose class on ``day`` comes from each branch of the rule, with their expected class."""
    record = StatusRecord.objects.create
    expected = {}
    # no record yet: the registry's current class (poor from its facts, or not poor for a well-off household)
    expected[make_household("NR-POOR").pk] = POOR
    expected[make_household("NR-NONE", income_per_capita=9_000_000).pk] = HouseholdClass.NON_POOR
    # a record in force on the day, open or closed after it
    h = make_household("IN-OPEN")
    record(household=h, household_class=NEAR, valid_from=day - timedelta(days=400))
    expected[h.pk] = NEAR
    h = make_household("IN-CLOSED")
    record(household=h, household_class=POOR, valid_from=day - timedelta(days=30), valid_to=day)
    expected[h.pk] = POOR
    # the latest record begun by the day has ended: no class, even though an earlier one was poor
    h = make_household("ENDED")
    record(household=h, household_class=POOR, valid_from=day - timedelta(days=800), valid_to=day - timedelta(days=400))
    record(household=h, household_class=NEAR, valid_from=day - timedelta(days=399), valid_to=day - timedelta(days=1))
    expected[h.pk] = None
    # only a record that begins after the day: none begun by it, so the registry's current class
    h = make_household("LATER")
    record(household=h, household_class=NEAR, valid_from=day + timedelta(days=1))
    expected[h.pk] = POOR
    # a poor period then a near-poor one in force: the latest
    h = make_household("MOVED")
    record(household=h, household_class=POOR, valid_from=day - timedelta(days=700), valid_to=day - timedelta(days=200))
    record(household=h, household_class=NEAR, valid_from=day - timedelta(days=199))
    expected[h.pk] = NEAR
    return expected


def test_every_household_enters_the_round_with_the_class_it_has_alone(tree, users, make_household):
    starts_on = calendar.round_dates(tree.commune, RoundKind.PERIODIC, YEAR, None)[0]
    expected = _history(make_household, starts_on)
    archived = make_household("ARCHIVED")
    Household.objects.filter(pk=archived.pk).update(state=HouseholdState.ARCHIVED)

    households = Household.objects.filter(commune=tree.commune)
    alone = {h.pk: _class_before(h, starts_on) for h in households}
    assert _classes_before(households, starts_on) == alone
    assert {pk: alone[pk] or None for pk in expected} == expected

    round = services.review_round_open(
        commune=tree.commune, kind=RoundKind.PERIODIC, year=YEAR, user=users.commune_officer
    )
    cases = {c.household_id: (c.previous_class, c.source) for c in round.cases.all()}
    assert cases == {
        pk: (cls, CaseSource.CURRENT_LIST) for pk, cls in expected.items() if cls in (POOR, NEAR)
    }  # the archived household is not listed


def test_opening_reads_the_same_number_of_statements_whatever_the_households(tree, users, make_household):
    def statements_to_open(count: int) -> int:
        for index in range(count):
            make_household(f"S{count}-{index:03d}")
        with CaptureQueriesContext(connection) as context:
            round = services.review_round_open(
                commune=tree.commune, kind=RoundKind.PERIODIC, year=YEAR, user=users.commune_officer
            )
        assert round.cases.count() == Household.objects.filter(commune=tree.commune).count()
        round.delete()
        return len(context.captured_queries)

    assert statements_to_open(2) == statements_to_open(6)


def test_the_rule_for_one_household_reads_its_latest_record_first(make_household):
    """Two records begun the same day (a correction typed the same day): both rules take the one written last."""
    day = timezone.localdate()
    h = make_household("TWICE")
    StatusRecord.objects.create(household=h, household_class=POOR, valid_from=day, valid_to=day)
    StatusRecord.objects.create(household=h, household_class=NEAR, valid_from=day)
    assert _class_before(h, day) == NEAR
    assert _classes_before(Household.objects.filter(pk=h.pk), day) == {h.pk: NEAR}


def _walk_to_approved(walk, make_household, count):
    for index in range(count):
        make_household(f"R{count}-{index:03d}")
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    walk.submit()
    walk.approve()


def test_recognition_writes_each_households_status_and_certificate_as_one_at_a_time(walk, make_household, monkeypatch):
    """Every household of the lists: its open period closed the day before the decision, a record from the decision
    day with the decision, the round and its standard, and a certificate numbered in the lists' order printing what
    ``certificate_snapshot`` prints for that household alone; the dashboards' refresh queued after the commit."""
    queued = []
    monkeypatch.setattr("households.summary.summaries_refresh_on_commit", lambda: queued.append("summaries"))
    monkeypatch.setattr("programs.summary.support_refresh_on_commit", lambda: queued.append("support"))
    _walk_to_approved(walk, make_household, 3)
    round = walk.fresh()
    opened = {}
    for index, case in enumerate(round.cases.select_related("household")):
        if index % 2 == 0:  # half the households had a period open before the decision, half none
            opened[case.household_id] = StatusRecord.objects.create(
                household=case.household, household_class=NEAR, valid_from=timezone.localdate() - timedelta(days=90)
            ).pk
    listed_households = Household.objects.filter(review_cases__round=round)
    alone = {h.pk: certificate_snapshot(h) for h in listed_households}
    signed_on = timezone.localdate()
    # The day each record starts, by the rule applied household by household: the decision day, or the first day
    # of a new standard for a household the review puts lower (on the day the suite runs, either may apply).
    new_period = _new_standard_starts(round, signed_on)
    rows = round.submissions.get().snapshot["rows"]
    classes = {h.pk: _class_before(h, signed_on) for h in listed_households}
    starts = {
        row["household_id"]: new_period
        if new_period and _ranks_lower(row["proposed_class"], classes[row["household_id"]])
        else signed_on
        for row in rows
    }

    decision = walk.recognise(signed_on=signed_on)

    for row in rows:
        records = list(StatusRecord.objects.filter(household=row["household_id"]).order_by("valid_from"))
        new = records[-1]
        start = starts[row["household_id"]]
        assert (new.household_class, new.valid_from, new.valid_to) == (row["proposed_class"], start, None)
        assert new.decision == f"Quyết định số 125/QĐ-UBND ngày {signed_on:%d/%m/%Y}"
        assert (new.note, new.standard_code, new.created_by) == (str(round), round.standard_code, walk.officer)
        if row["household_id"] in opened:
            assert records[0].pk == opened[row["household_id"]]
            assert records[0].valid_to == start - timedelta(days=1)
        else:
            assert len(records) == 1
    listed = [row["household_id"] for row in rows if row["proposed_class"] in (POOR, NEAR)]
    certificates = list(decision.certificates.order_by("pk"))
    assert [c.household_id for c in certificates] == listed
    assert [c.number for c in certificates] == [f"{n}/GCN-HN.HCN" for n in range(1, len(listed) + 1)]
    assert all(c.snapshot == alone[c.household_id] for c in certificates)
    assert set(queued) == {"summaries", "support"}


def test_a_refused_household_is_named_and_nothing_is_written(walk, make_household):
    _walk_to_approved(walk, make_household, 3)
    case = walk.fresh().cases.select_related("household").order_by("household__code").last()
    # a period recorded from the decision day itself (typed by hand meanwhile): the decision cannot start after it
    StatusRecord.objects.create(household=case.household, household_class=POOR, valid_from=timezone.localdate())
    records = StatusRecord.objects.count()

    with pytest.raises(ValidationError) as refused:
        walk.recognise()

    assert refused.value.messages == [
        f"{case.household.code}: Ngày {timezone.localdate():%d/%m/%Y} phải sau ngày bắt đầu của trạng thái hiện tại "
        f"({timezone.localdate():%d/%m/%Y})."
    ]
    assert StatusRecord.objects.count() == records and not Certificate.objects.exists()
    assert walk.fresh().state == RoundState.APPROVED and not RecognitionDecision.objects.exists()


def test_recognition_reads_the_same_number_of_statements_whatever_the_households(tree, users, make_household):
    def statements_to_recognise(count: int, commune) -> int:
        village = VillageFactory(code=f"{commune.code}-09", parent=commune)
        walk = Walk(tree, users)
        walk.officer = UserFactory(username=f"xa.{commune.code}", role=Role.COMMUNE_OFFICER, unit=commune)
        walk.tree = SimpleNamespace(commune=commune, village=village)
        _walk_to_approved(walk, lambda code: make_household(code, village=village), count)
        with CaptureQueriesContext(connection) as context:
            decision = walk.recognise()
        assert decision.certificates.count() == count
        return len(context.captured_queries)

    assert statements_to_recognise(2, tree.commune) == statements_to_recognise(5, tree.sibling_commune)


def _rows_of_list_page(client, user):
    client.force_login(user)
    response = client.get(reverse("reviews:submissions"))
    assert response.status_code == 200
    return {s.pk: summary["lists"] for s, summary in response.context["rows"]}


@pytest.mark.parametrize("last_year", ["none", "status", "submission"])
def test_the_list_of_submissions_counts_as_each_submissions_own_summary(client, walk, users, make_household, last_year):
    """The list of submissions reads each list's count from the stored snapshot in SQL and last year's from counts;
    every number equals the submission's own summary (the page that reads the whole snapshot)."""
    if last_year == "status":  # last year's poor list from the status history on the round's first day
        StatusRecord.objects.create(
            household=make_household("LY-001"),
            household_class=POOR,
            valid_from=date(YEAR - 3, 1, 1),
        )
    if last_year == "submission":  # last year's approved round of the commune
        walk.round = services.review_round_open(
            commune=walk.tree.commune, kind=RoundKind.PERIODIC, year=YEAR - 1, user=walk.officer
        )
        walk.survey_all()
        walk.meet()
        walk.post()
        walk.submit()
        walk.approve()
    _walk_to_approved(walk, make_household, 3)
    rounds = ReviewRound.objects.all()
    counts = last_year_counts(rounds)
    for round, snapshot in last_year_snapshots(rounds).items():
        assert counts[round] == (snapshot_counts(snapshot) if snapshot else None)
    assert (counts[walk.round.pk] or {}).get("source") == {"none": None, "status": "status"}.get(
        last_year, "submission"
    )

    shown = _rows_of_list_page(client, users.district_staff)
    for submission in Submission.objects.all():
        assert shown[submission.pk] == submission_summary(submission)["lists"]


def test_the_list_of_submissions_reads_the_same_statements_whatever_the_households(client, tree, users, make_household):
    walk = Walk(tree, users)
    _walk_to_approved(walk, make_household, 2)
    client.force_login(users.district_staff)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reviews:submissions"))
    for index in range(5):
        make_household(f"MORE-{index}")
    walk.fresh()
    services.review_round_reopen(
        round=walk.round, user=users.district_staff, reason="Bổ sung", expected_version=walk.round.version
    )
    walk.fresh()
    walk.survey_all()
    walk.meet()
    walk.post()
    walk.submit()
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("reviews:submissions"))
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_migration_counts_existing_submissions_as_their_snapshot(walk, make_household):
    from importlib import import_module

    _walk_to_approved(walk, make_household, 3)
    submission = Submission.objects.get()
    Submission.objects.update(counts={})  # as before the migration
    with connection.cursor() as cursor:
        cursor.execute(import_module("reviews.migrations.0004_submission_counts").FILL)
    submission.refresh_from_db()
    expected = snapshot_counts(submission.snapshot)
    del expected["source"]
    assert (
        submission.counts == expected
        and expected["lists"]["poor"] + expected["lists"]["near_poor"] == walk.round.cases.count()
    )


def test_a_submissions_page_shows_the_first_rows_of_each_list_with_how_many(
    client, walk, users, make_household, monkeypatch
):
    """A commune's lists hold thousands of households: the page shows the first rows of each list and change, says
    how many there are, and points to the Excel file that holds them all."""
    monkeypatch.setattr("reviews.views.submissions.SHOWN_ROWS", 2)
    _walk_to_approved(walk, make_household, 3)
    submission = Submission.objects.get()
    poor = len(submission.snapshot["lists"]["poor"])
    assert poor > 2
    client.force_login(users.district_staff)
    response = client.get(reverse("reviews:submission", args=[submission.pk]))
    page = response.content.decode()
    title, rows, count = response.context["lists"][0]
    assert (len(rows), count) == (2, poor)
    assert f"Danh sách hộ nghèo ({poor})" in page
    assert f"Trang này hiện 2 hộ đầu trong số {poor} hộ của danh sách." in page
    assert reverse("reviews:submission_xlsx", args=[submission.pk]) in page
    # a change between two versions: the first households of each side and how many more
    added = [{"code": f"A{n}", "head_name": ""} for n in range(5)]
    removed = [{"code": f"R{n}", "head_name": ""} for n in range(3)]
    shown = _shown([ListDiff("Danh sách hộ nghèo", added, removed)])
    assert shown == [("Danh sách hộ nghèo", added[:2], 3, removed[:2], 1)]
    more = render_to_string("reviews/includes/more_households.html", {"more": 3})
    assert "… và 3 hộ khác (xem đủ trong tệp Excel)" in more
    assert render_to_string("reviews/includes/more_households.html", {"more": 0}).strip() == ""


def test_a_households_certificate_is_opened_from_its_review_form(client, walk, users):
    """The round's page lists certificates only when few; each household's form links its own."""
    decision = walk.to_recognised()
    certificate = decision.certificates.first()
    case = walk.fresh().cases.get(household=certificate.household)
    client.force_login(users.district_staff)
    page = client.get(reverse("reviews:case", args=[case.pk])).content.decode()
    assert f"Giấy chứng nhận số {certificate.number}" in page
    assert reverse("reviews:certificate_pdf", args=[certificate.pk]) in page


def test_a_village_filter_that_is_not_a_number_shows_every_village(client, walk, users):
    walk.open()
    client.force_login(users.commune_officer)
    for village in ("²", "abc", "-1"):
        assert client.get(reverse("reviews:detail", args=[walk.round.pk]), {"thon": village}).status_code == 200


def test_a_certificate_prints_each_members_relationship_as_its_display(make_household):
    household = make_household("REL-001")
    for language in ("vi", "en", "vi"):
        with override(language):
            printed = [member["relationship"] for member in certificate_snapshot(household)["members"]]
            members = certificate_members().filter(household=household)
            assert printed == [str(member.get_relationship_display()) for member in members]


def test_households_that_left_last_years_lists_show_their_members_counted_for_the_rows_shown(
    client, walk, users, make_household
):
    """Last year's lists read from the status history leave the members uncounted (every member of the commune's
    poor households read only to be shown for the first rows of a change); the page counts them for its rows."""
    left = make_household("LY-OUT")  # poor last year, found not poor in this round
    StatusRecord.objects.create(household=left, household_class=POOR, valid_from=date(YEAR - 3, 1, 1))
    make_household("STAYS")
    walk.open()
    walk.survey_all()
    ReviewCase.objects.filter(household=left).update(proposed_class=HouseholdClass.NON_POOR)
    walk.meet()
    walk.post()
    walk.submit()
    uncounted = last_year_snapshots([walk.round], members=False)[walk.round.pk]
    counted = last_year_snapshots([walk.round])[walk.round.pk]
    assert uncounted["source"] == "status" and {row["members"] for row in uncounted["rows"]} == {None}
    assert [{**row, "members": None} for row in counted["rows"]] == uncounted["rows"]

    client.force_login(users.district_staff)
    response = client.get(reverse("reviews:submission", args=[Submission.objects.get().pk]))
    removed = [row for change in response.context["diff_last_year"] for row in change[3]]
    assert [row["code"] for row in removed] == ["LY-OUT"]
    assert removed[0]["members"] == left.members.filter(left_at__isnull=True).count() > 0
    assert "<td>LY-OUT</td>" in response.content.decode().replace("\n", "")
