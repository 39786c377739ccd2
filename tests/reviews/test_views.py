"""Review screens through HTTP: roles and scoping on every URL, the survey draft and live classification,
meeting, posting, submit, approve/return, recognition, and the PDFs checked by their extracted text."""

import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from reviews.choices import Action, CaseStatus, RoundState
from reviews.models import Certificate, ReviewCase, ReviewRound, Submission, VillageMeeting

from .conftest import YEAR

pytestmark = pytest.mark.django_db

OFFICER_ONLY = {Role.COMMUNE_OFFICER}
APPROVERS = {Role.DISTRICT_STAFF, Role.PROVINCE_STAFF}
ALL = set(Role)


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pdf_text(content: bytes, look: str = "") -> str:
    """The text of a PDF; with ``look``, its first page is also rendered to test-artifacts for a human look."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "doc.pdf")
        path.write_bytes(content)
        if look:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page = [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(path),
                str(ARTIFACTS / look),
            ]
            subprocess.run(page, check=True)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
        return text.stdout


@pytest.fixture
def recognised(walk):
    decision = walk.to_recognised()
    return walk.fresh(), decision


def signed_in(user) -> Client:
    """A client of its own (client_for re-signs the shared one), for journeys with two people."""
    client = Client()
    client.force_login(user)
    return client


def urls_for(round, decision):
    case = round.cases.first()
    meeting = VillageMeeting.objects.filter(round=round).first()
    submission = round.submissions.first()
    certificate = Certificate.objects.filter(decision=decision).first()
    return [
        # (url, roles answered 200 to GET, or None for POST-only views)
        (reverse("reviews:list"), ALL),
        (reverse("reviews:create"), OFFICER_ONLY),
        (reverse("reviews:submissions"), ALL),
        (reverse("reviews:requests"), ALL),
        (reverse("reviews:request_create"), OFFICER_ONLY),
        (reverse("reviews:detail", args=[round.pk]), ALL),
        (reverse("reviews:log", args=[round.pk]), ALL),
        (reverse("reviews:case_add", args=[round.pk]), OFFICER_ONLY),
        (reverse("reviews:meeting", args=[round.pk]), OFFICER_ONLY),
        (reverse("reviews:posting", args=[round.pk]), OFFICER_ONLY),
        (reverse("reviews:recognise", args=[round.pk]), OFFICER_ONLY),
        (reverse("reviews:case", args=[case.pk]), ALL),
        (reverse("reviews:submission", args=[submission.pk]), ALL),
        (reverse("reviews:submission_xlsx", args=[submission.pk]), ALL),
        (reverse("reviews:posting_pdf", args=[round.pk]), ALL),
        (reverse("reviews:minutes_pdf", args=[meeting.pk]), ALL),
        (reverse("reviews:decision_pdf", args=[decision.pk]), ALL),
        (reverse("reviews:certificates_pdf", args=[decision.pk]), ALL),
        (reverse("reviews:certificate_pdf", args=[certificate.pk]), ALL),
    ]


POST_ONLY = [
    ("reviews:complaint", OFFICER_ONLY),
    ("reviews:submit", OFFICER_ONLY),
    ("reviews:reopen", APPROVERS),
    ("reviews:case_preview", OFFICER_ONLY),
    ("reviews:recheck", OFFICER_ONLY),
    ("reviews:approve", APPROVERS),
    ("reviews:return", APPROVERS),
]


@pytest.mark.parametrize("role", list(Role))
def test_every_review_page_answers_each_role(client_for, users, recognised, role):
    round, decision = recognised
    client = client_for(users.by_role(role))
    for url, allowed in urls_for(round, decision):
        response = client.get(url)
        # the system administrator is a superuser: every role rule admits it (accounts.permissions)
        expected = 200 if role in allowed or role == Role.SYSTEM_ADMIN else 403
        assert response.status_code == expected, (url, response.status_code)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name,allowed", POST_ONLY)
def test_post_only_views_refuse_other_roles(client_for, users, recognised, role, name, allowed):
    round, _ = recognised
    client = client_for(users.by_role(role))
    response = client.post(reverse(name, args=[round.pk]), {})
    if role in allowed or role == Role.SYSTEM_ADMIN:
        assert response.status_code in (200, 302, 404), name  # 404: no such complaint/submission pk in scope
    else:
        assert response.status_code == 403, name


def test_review_pages_outside_scope_are_404(client_for, recognised, sibling_officer, other_district_staff):
    round, decision = recognised
    for user in (sibling_officer, other_district_staff):
        client = client_for(user)
        for url, _allowed in urls_for(round, decision):
            if any(part in url for part in ("/mo-dot/", "/duyet/", "/de-nghi/")) or url.rstrip("/").endswith("ra-soat"):
                continue  # list pages: the round is simply not listed
            response = client.get(url)
            assert response.status_code in (404, 403), (url, user.username, response.status_code)
        assert str(round) not in client.get(reverse("reviews:list")).content.decode()


def test_list_queries_do_not_grow_with_rounds(client_for, users, recognised, django_assert_max_num_queries):
    client = client_for(users.district_staff)
    with django_assert_max_num_queries(25):
        client.get(reverse("reviews:submissions"))


def test_officer_opens_a_round_through_the_form(client_for, users, households):
    client = client_for(users.commune_officer)
    response = client.post(reverse("reviews:create"), {"kind": "periodic", "year": YEAR, "month": ""})
    round = ReviewRound.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reviews:detail", args=[round.pk])
    assert round.cases.count() == 2
    again = client.post(reverse("reviews:create"), {"kind": "periodic", "year": YEAR, "month": ""})
    assert "đã có đợt rà soát" in again.content.decode()


def test_survey_draft_live_preview_and_result(client_for, users, walk):
    round = walk.open()
    case = round.cases.first()
    client = client_for(users.commune_officer)
    url = reverse("reviews:case", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'data-preview-url="' + reverse("reviews:case_preview", args=[case.pk]) in page
    data = {
        "version": case.version,
        "income_per_capita": "5000000",
        "floor_area_m2": "40",
        "non_durable_main_parts": "0",
        "water_source": "piped",
        "latrine": "septic",
        "uses_telecom": "true",
        "has_information_device": "true",
        "has_loudspeaker_access": "unknown",
        "uses_digital_services": "unknown",
        "handles_waste": "unknown",
        "untreated_illness": "unknown",
        "agricultural": "on",
    }
    preview = client.post(reverse("reviews:case_preview", args=[case.pk]), data).content.decode()
    assert "Hộ không nghèo" in preview or "Hộ có mức sống trung bình" in preview
    case.refresh_from_db()
    assert case.status == CaseStatus.LISTED  # the preview saves nothing
    client.post(url, {**data, "draft": "1"})
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.survey["facts"]["income_per_capita"] == 5_000_000
    # resumable: the page shows the draft answers
    assert 'value="5000000"' in client.get(url).content.decode()
    # an answer contradicting the data needs a reason: refused, and what was typed stays on the page
    refused = client.post(url, {**data, "version": case.version, "ind-health_insurance": "true", "finish": "1"})
    assert "Hãy ghi lý do" in refused.content.decode() and 'value="5000000"' in refused.content.decode()
    client.post(url, {**data, "version": case.version, "finish": "1"})
    case.refresh_from_db()
    assert case.status == CaseStatus.SURVEYED and case.proposed_class in ("non_poor", "average_living")


def test_stale_survey_form_keeps_input_and_explains(client_for, users, walk):
    round = walk.open()
    case = round.cases.first()
    client = client_for(users.commune_officer)
    url = reverse("reviews:case", args=[case.pk])
    client.post(url, {"version": case.version, "income_per_capita": "100", "draft": "1"})
    response = client.post(url, {"version": case.version, "income_per_capita": "999", "draft": "1"})
    text = response.content.decode()
    assert "vừa được người khác lưu" in text and 'value="999"' in text


def test_http_walk_return_resubmit_approve_recognise(client_for, users, walk):
    walk.open()
    walk.survey_all()
    officer = signed_in(users.commune_officer)
    round = walk.fresh()
    village = walk.tree.village
    meeting_url = reverse("reviews:meeting", args=[round.pk])
    votes = {f"agree-{c.pk}": "30" for c in round.cases.all()}
    votes.update({f"ver-{c.pk}": str(c.version) for c in round.cases.all()})  # the result each vote is about
    meeting = {
        "version": round.version,
        "village": village.pk,
        "held_at": (timezone.localtime() - timezone.timedelta(days=14)).strftime("%d/%m/%Y %H:%M"),
        "location": "Nhà văn hoá buôn",
        "chair": "Ksor Y Phen",
        "secretary": "Rơ Mah H'Bia",
        "attendees": "40",
        "front_representative": "Nay H'Luân",
        "supervisors": "Ủy ban MTTQ xã",
        "conclusion": "Thống nhất",
    }
    assert officer.post(meeting_url, {**meeting, **votes}).status_code == 302
    round = walk.fresh()
    start = (timezone.localdate() - timezone.timedelta(days=10)).strftime("%d/%m/%Y")
    officer.post(
        reverse("reviews:posting", args=[round.pk]),
        {
            "version": round.version,
            "starts_on": start,
            "places": "UBND xã",
            "signer_name": "Nguyễn Văn Hùng",
            "signer_form": "TM.",
        },
    )
    round = walk.fresh()
    assert round.state == RoundState.POSTING
    officer.post(reverse("reviews:submit", args=[round.pk]), {"version": round.version})
    submission = Submission.objects.get()
    district = signed_in(users.district_staff)
    page = district.get(reverse("reviews:submission", args=[submission.pk])).content.decode()
    assert 'data-testid="approve"' in page and "Danh sách hộ nghèo" in page
    # return without a comment is refused, with a comment it goes back
    round = walk.fresh()
    district.post(reverse("reviews:return", args=[submission.pk]), {"version": round.version, "comment": ""})
    assert walk.fresh().state == RoundState.SUBMITTED
    district.post(
        reverse("reviews:return", args=[submission.pk]), {"version": round.version, "comment": "Sửa hộ IRS-002"}
    )
    round = walk.fresh()
    assert round.state == RoundState.RETURNED
    assert "Sửa hộ IRS-002" in officer.get(reverse("reviews:detail", args=[round.pk])).content.decode()
    # the commune officer cannot approve
    assert officer.post(reverse("reviews:approve", args=[submission.pk]), {"version": round.version}).status_code == 403
    officer.post(reverse("reviews:submit", args=[round.pk]), {"version": round.version})
    second = Submission.objects.order_by("-number").first()
    assert second.number == 2
    page = district.get(reverse("reviews:submission", args=[second.pk])).content.decode()
    assert "Thay đổi so với lần trình 1" in page
    district.post(reverse("reviews:approve", args=[second.pk]), {"version": walk.fresh().version, "comment": ""})
    round = walk.fresh()
    assert round.state == RoundState.APPROVED
    response = officer.post(
        reverse("reviews:recognise", args=[round.pk]),
        {
            "version": round.version,
            "number": "125/QĐ-UBND",
            "signed_on": timezone.localdate().strftime("%d/%m/%Y"),
            "signer_name": "Nguyễn Văn Hùng",
            "signer_form": "KT.",
        },
    )
    assert response.status_code == 302
    round = walk.fresh()
    assert round.state == RoundState.RECOGNISED
    assert list(round.actions.filter(action=Action.RETURN).values_list("comment", flat=True)) == ["Sửa hộ IRS-002"]


def test_pdfs_carry_header_number_and_names(client_for, users, recognised):
    round, decision = recognised
    client = client_for(users.commune_officer)
    text = pdf_text(client.get(reverse("reviews:decision_pdf", args=[decision.pk])).content, "review-pdf-decision")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "125/QĐ-UBND" in text
    assert "Ksor Y Bhin" in text and "Danh sách hộ nghèo" in text or "DANH SÁCH HỘ NGHÈO" in text.upper()
    certificate = decision.certificates.first()
    text = pdf_text(
        client.get(reverse("reviews:certificate_pdf", args=[certificate.pk])).content, "review-pdf-certificate"
    )
    assert certificate.number in text and "Ksor Y Bhin" in text and "Rơ Mah H'Nga" in text
    meeting = VillageMeeting.objects.filter(round=round).first()
    text = pdf_text(client.get(reverse("reviews:minutes_pdf", args=[meeting.pk])).content, "review-pdf-minutes")
    assert "Ksor Y Phen" in text and "75,0 %" in text
    text = pdf_text(client.get(reverse("reviews:posting_pdf", args=[round.pk])).content, "review-pdf-posting")
    assert "IRS-001" in text and "NIÊM YẾT" in text.upper()


def test_dashboard_shows_waiting_submissions(client_for, users, walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    district = client_for(users.district_staff)
    assert 'data-testid="deadline-approval"' not in district.get(reverse("dashboards:index")).content.decode()
    walk.submit()
    page = district.get(reverse("dashboards:index")).content.decode()
    assert 'data-testid="deadline-approval"' in page


def test_overdue_rounds(walk, users):
    from datetime import date

    from reviews.selectors import overdue_for

    walk.open()
    items = overdue_for(users.commune_officer, today=date(YEAR, 12, 20))
    assert [i.kind for i in items] == ["window"] and items[0].days == 6
    from reviews import services

    # Opened in November, whatever today is: a round for a month still to come is refused.
    regular = services.review_round_open(
        commune=walk.tree.commune, kind="regular", year=YEAR, month=11, user=walk.officer, today=date(YEAR, 11, 20)
    )
    items = overdue_for(users.district_staff, today=date(YEAR, 12, 5))
    assert [(i.kind, i.round.pk) for i in items] == [("regular_decision", regular.pk)]


def test_case_of_other_commune_is_404_for_the_preview(client_for, walk, sibling_officer):
    round = walk.open()
    case = ReviewCase.objects.filter(round=round).first()
    response = client_for(sibling_officer).post(reverse("reviews:case_preview", args=[case.pk]), {})
    assert response.status_code == 404


def test_last_year_from_status_history_when_no_earlier_round(walk, households, users):
    from datetime import date

    from households.services import status_record_add
    from reviews.selectors import last_year_snapshot, submission_summary

    status_record_add(
        household=households[0],
        household_class="poor",
        valid_from=date(YEAR, 1, 1),
        decision="QĐ 1",
        user=users.commune_officer,
    )
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    submission = walk.submit()
    last = last_year_snapshot(walk.round)
    assert last["source"] == "status" and last["lists"]["poor"] == [households[0].pk]
    poor = next(item for item in submission_summary(submission)["lists"] if item["key"] == "poor")
    assert (poor["count"], poor["last"], poor["delta"]) == (2, 1, 1)
    # last year's movements are unknown without last year's submission: "—", not 0
    escaped = next(item for item in submission_summary(submission)["lists"] if item["key"] == "escaped_poor")
    assert (escaped["last"], escaped["delta"]) == (None, None)


def test_diff_against_status_history_compares_only_poor_and_near_poor():
    from reviews.selectors import snapshot_diff

    row = {"household_id": 1, "code": "IRS-001", "head_name": "A"}
    now = {"rows": [row], "lists": {"poor": [1], "new_poor": [1]}}
    status = {"rows": [], "lists": {"poor": [], "new_poor": []}, "source": "status"}
    assert [d.title for d in snapshot_diff(now, status)] == ["Danh sách hộ nghèo"]
    submitted = {**status, "source": "submission"}
    assert [d.title for d in snapshot_diff(now, submitted)] == [
        "Danh sách hộ nghèo",
        "Danh sách hộ nghèo, cận nghèo phát sinh",
    ]


def test_submission_list_query_count_does_not_grow(walk, users):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    submission = walk.submit()
    client = signed_in(users.district_staff)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reviews:submissions"))
    Submission.objects.filter(pk=submission.pk).update(state="returned")
    for number in (2, 3):
        Submission.objects.create(round=submission.round, number=number, snapshot=submission.snapshot)
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("reviews:submissions"))
    assert len(three) == len(one)


def test_complaint_recheck_and_reopen_through_the_pages(walk, users):
    walk.open()
    walk.survey_all()
    walk.meet()
    posting = walk.post()
    round = walk.fresh()
    officer = signed_in(users.commune_officer)
    case = round.cases.first()
    officer.post(
        reverse("reviews:complaint", args=[round.pk]),
        {
            "case": case.pk,
            "received_on": posting.starts_on.strftime("%d/%m/%Y"),
            "complainant": "Ksor Y Lin",
            "content": "Hộ mới mua xe máy",
        },
    )
    complaint = case.complaints.get()
    page = officer.get(reverse("reviews:detail", args=[round.pk])).content.decode()
    assert "Hộ mới mua xe máy" in page and "Chưa phúc tra" in page
    officer.post(
        reverse("reviews:recheck", args=[complaint.pk]),
        {
            "rechecked_on": posting.ends_on.strftime("%d/%m/%Y"),
            "recheck_result": "Xe máy cũ, giữ nguyên",
            "result_class": "",
        },
    )
    complaint.refresh_from_db()
    assert complaint.is_resolved
    walk.submit()
    walk.approve()
    walk.recognise()
    round = walk.fresh()
    district = signed_in(users.district_staff)
    assert "Mở lại đợt rà soát" in district.get(reverse("reviews:detail", args=[round.pk])).content.decode()
    district.post(reverse("reviews:reopen", args=[round.pk]), {"version": round.version, "reason": ""})
    assert walk.fresh().state == RoundState.RECOGNISED
    district.post(reverse("reviews:reopen", args=[round.pk]), {"version": round.version, "reason": "Sai tên chủ hộ"})
    round = walk.fresh()
    assert round.state == RoundState.RETURNED and round.revision == 2


def test_request_registered_through_the_page_joins_the_open_round(walk, users, make_household):
    round = walk.open()
    other = make_household("IRS-020", income_per_capita=5_000_000)
    officer = signed_in(users.commune_officer)
    response = officer.post(
        reverse("reviews:request_create"),
        {
            "household": other.code,
            "form": "form_01",
            # a request joins a round still due (after its due date, 14/12, it waits for the next round)
            "received_on": min(timezone.localdate(), round.due_on).strftime("%d/%m/%Y"),
            "channel": "direct",
            "content": "",
        },
    )
    assert response.status_code == 302
    assert round.cases.filter(household=other, source="request").exists()
    assert "IRS-020" in officer.get(reverse("reviews:requests")).content.decode()


def test_member_answers_in_the_survey_change_the_indicators(client_for, users, walk):
    """A card renewed at the interview counts in the draft, without touching the registry."""
    round = walk.open()
    case = round.cases.first()
    client = client_for(users.commune_officer)
    url = reverse("reviews:case", args=[case.pk])
    page = client.get(url).content.decode()
    members = list(case.household.members.current())
    assert all(f'name="m{m.pk}-health_insurance_valid_to"' in page for m in members)
    base = {"version": case.version, "income_per_capita": "1200000", "agricultural": "on"}
    before = client.post(reverse("reviews:case_preview", args=[case.pk]), base).content.decode()
    assert "Bảo hiểm y tế" in before  # the cards of the fixture ended on 31/12/2026
    renewed = {f"m{m.pk}-health_insurance_valid_to": f"31/12/{YEAR + 1}" for m in members}
    after = client.post(reverse("reviews:case_preview", args=[case.pk]), {**base, **renewed}).content.decode()
    assert "Bảo hiểm y tế —" not in after
    client.post(url, {**base, **renewed, "draft": "1"})
    case.refresh_from_db()
    assert case.survey["members"][str(members[0].pk)]["health_insurance_valid_to"] == f"{YEAR + 1}-12-31"
    assert "health_insurance" not in case.assessment["deprived"]
    members[0].refresh_from_db()
    assert members[0].health_insurance_valid_to.year == 2026  # the registry keeps the fixture's card
    # a bad date is explained and what was typed stays
    bad = client.post(
        url,
        {
            **base,
            "version": case.version,
            f"m{members[0].pk}-health_insurance_valid_to": f"31/13/{YEAR + 1}",
            "draft": "1",
        },
    )
    assert f"31/13/{YEAR + 1}" in bad.content.decode() and "Chưa lưu được" in bad.content.decode()


def test_district_sees_every_commune_with_its_round(walk, users, tree):
    walk.open()
    page = signed_in(users.district_staff).get(reverse("reviews:submissions")).content.decode()
    overview = page[page.index('data-testid="commune-overview"') :]
    assert tree.commune.name in overview and tree.sibling_commune.name in overview
    assert "Chưa mở đợt" in overview and "Đang rà soát" in overview
    assert tree.other_district_commune.name not in overview
    assert (
        'data-testid="commune-overview"'
        not in signed_in(users.commune_officer).get(reverse("reviews:submissions")).content.decode()
    )


def test_case_list_filters_by_status(client_for, users, walk):
    round = walk.open()
    first = round.cases.order_by("household__code").first()
    from reviews import services

    services.review_case_save(
        case=first,
        facts={},
        answers={},
        final=False,
        user=users.commune_officer,
        expected_version=first.version,
    )
    client = client_for(users.commune_officer)
    url = reverse("reviews:detail", args=[round.pk])
    drafts = client.get(url, {"tinh_trang": "draft"}).content.decode()
    assert f'data-case="{first.household.code}"' in drafts and drafts.count("data-case=") == 1
    assert client.get(url, {"tinh_trang": "listed"}).content.decode().count("data-case=") == 1
    assert client.get(url, {"thon": "999999"}).content.decode().count("data-case=") == 0
