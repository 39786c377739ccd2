"""The round page at a commune's scale: 50 cases a page with the filters kept in the pager, meetings and decisions
counted rather than listed, and a statement count that does not grow with the cases, votes or certificates."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews import selectors
from reviews.choices import CaseSource, CaseStatus
from reviews.models import Certificate, MeetingVote, ReviewCase, VillageMeeting

pytestmark = pytest.mark.django_db


def statements(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context), response.content.decode()


def add_cases(round, households, status=CaseStatus.LISTED) -> list[ReviewCase]:
    """Cases written straight to the table: the services' own tests walk them; here only their number matters."""
    return ReviewCase.objects.bulk_create(
        ReviewCase(
            round=round,
            household=household,
            source=CaseSource.CURRENT_LIST,
            previous_class="poor",
            status=status,
            proposed_class="poor",
        )
        for household in households
    )


def test_recognised_round_page_statements_do_not_grow_with_cases_votes_or_certificates(
    client_for, users, walk, make_household, monkeypatch
):
    walk.to_recognised()
    round = walk.fresh()
    client = client_for(users.commune_officer)
    url = reverse("reviews:detail", args=[round.pk])
    monkeypatch.setattr(selectors, "LISTED_UP_TO", 1000)  # every vote and certificate listed
    listed_two, page = statements(client, url)
    assert page.count('data-testid="certificate-pdf"') == 2
    monkeypatch.setattr(selectors, "LISTED_UP_TO", 0)  # only counted
    counted_two, page = statements(client, url)
    assert 'data-testid="certificate-pdf"' not in page

    meeting, decision = round.meetings.get(), round.decisions.get()
    cases = add_cases(round, [make_household(f"IRS-3{i:02d}") for i in range(58)], status=CaseStatus.AGREED)
    MeetingVote.objects.bulk_create(
        MeetingVote(meeting=meeting, case=case, proposed_class="poor", agreeing=10 if i < 3 else 30)
        for i, case in enumerate(cases)
    )
    Certificate.objects.bulk_create(
        Certificate(decision=decision, household=case.household, number=f"{i}/GCN", household_class="poor", snapshot={})
        for i, case in enumerate(cases, start=100)
    )
    assert round.cases.count() == 60 and meeting.votes.count() == 60 and decision.certificates.count() == 60

    counted_sixty, _ = statements(client, url)
    monkeypatch.setattr(selectors, "LISTED_UP_TO", 1000)
    listed_sixty, page = statements(client, url)
    assert page.count('data-testid="certificate-pdf"') == 60 and page.count('data-case="') == 50
    assert (listed_sixty, counted_sixty) == (listed_two, counted_two)

    monkeypatch.undo()  # a village's worth: counted, the votes in the minutes, the certificates in the print job
    _, page = statements(client, url)
    votes = page.split('data-testid="meeting-votes"')[1].split("</li>")[0]
    assert "Biểu quyết 60 hộ: 57 hộ đạt từ 50 % số người dự trở lên" in votes
    assert "3 hộ dưới 50 %, phải rà soát lại" in votes and "biên bản (PDF)" in votes
    assert "IRS-300:" not in page
    decision_box = page.split('data-testid="decision"')[1]
    assert "60 giấy chứng nhận" in decision_box and 'data-testid="certificates-pdf-job"' in decision_box
    assert 'data-testid="certificate-pdf"' not in page


def test_open_round_page_reads_the_class_now_for_the_page_only(client_for, users, walk, make_household):
    round = walk.open()
    client = client_for(users.commune_officer)
    url = reverse("reviews:detail", args=[round.pk])
    two, _ = statements(client, url)
    add_cases(round, [make_household(f"IRS-3{i:02d}") for i in range(58)])
    with CaptureQueriesContext(connection) as context:
        assert client.get(url + "?page=2").status_code == 200
    assert len(context) == two
    # the class in force is read for the page's rows in one statement, never as a subquery over the round
    reads = [q["sql"] for q in context.captured_queries if "households_statusrecord" in q["sql"]]
    assert len(reads) == 1 and "reviews_reviewcase" not in reads[0]


@pytest.fixture
def sixty(walk, make_household, households):
    """An open round of 60 cases in one village: IRS-001, IRS-002, IRS-300 … IRS-357 in the list's order."""
    for i in range(58):
        make_household(f"IRS-3{i:02d}")
    round = walk.open()
    assert round.cases.count() == 60
    return round, ["IRS-001", "IRS-002"] + [f"IRS-3{i:02d}" for i in range(58)]


def shown_codes(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('data-case="')[1:]]


def test_page_two_shows_the_fifty_first_case_onward(client_for, users, sixty):
    round, codes = sixty
    client = client_for(users.commune_officer)
    url = reverse("reviews:detail", args=[round.pk])
    first = client.get(url).content.decode()
    assert shown_codes(first) == codes[:50]
    count = first.split('data-testid="case-count"')[1].split("</div>")[0]
    assert "60 hộ" in count and "đang xem hộ thứ 1–50" in count
    assert f'href="{url}?page=2#danh-sach-ho"' in first and "Trang 1/2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert shown_codes(second) == codes[50:]
    assert "đang xem hộ thứ 51–60" in second and f'href="{url}?page=1#danh-sach-ho"' in second


def test_the_pager_keeps_the_village_and_status_filters(client_for, users, tree, sixty):
    round, codes = sixty
    surveyed = codes[:5]
    round.cases.filter(household__code__in=surveyed).update(status=CaseStatus.SURVEYED)
    client = client_for(users.commune_officer)
    url = reverse("reviews:detail", args=[round.pk])
    filters = {"thon": tree.village.pk, "tinh_trang": CaseStatus.LISTED}
    first = client.get(url, filters).content.decode()
    assert "55 hộ" in first.split('data-testid="case-count"')[1].split("</div>")[0]
    link = f'href="{url}?thon={tree.village.pk}&amp;tinh_trang=listed&amp;page=2#danh-sach-ho"'
    assert link in first
    second = client.get(url, {**filters, "page": 2}).content.decode()
    assert shown_codes(second) == [code for code in codes if code not in surveyed][50:]
    assert f'href="{url}?thon={tree.village.pk}&amp;tinh_trang=listed&amp;page=1#danh-sach-ho"' in second


@pytest.mark.parametrize("number,shown", [("99", 2), ("0", 2), ("abc", 1), ("", 1)])
def test_a_page_number_out_of_range_shows_the_last_or_first_page(client_for, users, sixty, number, shown):
    round, _ = sixty
    response = client_for(users.commune_officer).get(reverse("reviews:detail", args=[round.pk]), {"page": number})
    assert response.status_code == 200 and response.context["page_obj"].number == shown


def test_a_small_round_has_no_pager(client_for, users, walk):
    round = walk.open()
    page = client_for(users.commune_officer).get(reverse("reviews:detail", args=[round.pk])).content.decode()
    assert shown_codes(page) == ["IRS-001", "IRS-002"] and 'data-testid="case-pager"' not in page
    assert "2 hộ" in page.split('data-testid="case-count"')[1].split("</div>")[0]


@pytest.mark.parametrize(
    "attendees,agreeing,reached",
    [(40, 20, 1), (40, 19, 0), (7, 4, 1), (7, 3, 0), (2000, 999, 1), (2000, 998, 0), (1001, 500, 1)],
)
def test_the_meeting_count_of_households_reaching_half_is_what_the_vote_decided(walk, attendees, agreeing, reached):
    """QĐ 24/2021, Điều 4 bước 3: ≥ 50 % of attendees must agree; the page's count is ReviewCase.apply_vote's verdict,
    with the share rounded to 0,1 % as the vote records it (999 of 2.000 is 49,95 % shown and counted as 50,0 %)."""
    round = walk.open()
    meeting = VillageMeeting.objects.create(
        round=round,
        village=walk.tree.village,
        held_at=timezone.now(),
        location="Nhà văn hoá buôn",
        chair="Ksor Y Phen",
        secretary="Rơ Mah H'Bia",
        attendees=attendees,
        supervisors="Ủy ban MTTQ xã",
    )
    case = round.cases.first()
    vote = MeetingVote.objects.create(meeting=meeting, case=case, proposed_class="poor", agreeing=agreeing)
    (counted,) = selectors.round_meetings(round)
    assert (counted.voted, counted.reached, counted.below) == (1, reached, 1 - reached)
    assert case.apply_vote(vote.share) is bool(reached)
    assert counted.listed_votes == [vote]


def test_round_page_does_not_read_the_submissions_snapshots(client_for, users, walk):
    """A snapshot holds every household of the submitted lists; the page shows each submission's number and state."""
    walk.to_recognised()
    client = client_for(users.commune_officer)
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("reviews:detail", args=[walk.round.pk])).status_code == 200
    assert any("reviews_submission" in q["sql"] for q in context.captured_queries)
    assert not any('"reviews_submission"."snapshot"' in q["sql"] for q in context.captured_queries)
