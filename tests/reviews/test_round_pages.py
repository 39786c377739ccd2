"""Round pages as the commune and the district use them: a compact log with its own full page, what the
district reads after a reopening, and query counts that do not grow with the rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.choices import Action
from reviews.models import ApprovalAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def recognised(walk):
    walk.to_recognised()
    return walk.fresh()


def test_round_page_shows_the_latest_log_entries_and_links_the_whole_log(client_for, users, recognised):
    for n in range(3):  # more entries than the round page shows
        recognised.log(action=Action.CASE_SAVE, user=users.commune_officer, comment=f"Ghi chú {n}")
    total = ApprovalAction.objects.filter(round=recognised).count()
    assert total > 8
    page = client_for(users.commune_officer).get(reverse("reviews:detail", args=[recognised.pk])).content.decode()
    log = page.split('data-testid="round-log"')[1]
    assert log.count('class="list-group-item small"') == 8
    assert f"Xem toàn bộ nhật ký ({total})" in log
    full = client_for(users.commune_officer).get(reverse("reviews:log", args=[recognised.pk])).content.decode()
    assert full.count('class="list-group-item small"') == total
    verdicts = client_for(users.commune_officer).get(reverse("reviews:log", args=[recognised.pk]) + "?loai=duyet")
    text = verdicts.content.decode()
    assert text.count('class="list-group-item small"') == 3  # submit, approve, recognise
    assert "Lưu phiếu rà soát" not in text.split('data-testid="round-log-page"')[1]


def test_reopen_reason_is_shown_to_the_commune(client_for, users, recognised):
    services.review_round_reopen(
        round=recognised, user=users.district_staff, reason="Sai điểm hộ IRS-001", expected_version=recognised.version
    )
    page = client_for(users.commune_officer).get(reverse("reviews:detail", args=[recognised.pk])).content.decode()
    alert = page.split('data-testid="returned-comment"')[1].split("</div>")[0]
    assert "Đợt rà soát được mở lại" in alert and "Sai điểm hộ IRS-001" in alert
    log = client_for(users.commune_officer).get(reverse("reviews:log", args=[recognised.pk]) + "?loai=duyet")
    assert "Sai điểm hộ IRS-001" in log.content.decode()
    assert ApprovalAction.objects.filter(round=recognised, action=Action.REOPEN).count() == 1


# Measured with 2 and with 6 households in the round: the same numbers (no query per household or per entry).
PAGE_QUERIES = [
    ("reviews:detail", "round", 29),
    ("reviews:log", "round", 10),
    ("reviews:list", None, 11),
    ("reviews:submissions", None, 12),
    ("reviews:submission", "submission", 13),
    ("reviews:requests", None, 8),
]


@pytest.mark.parametrize("name,arg,limit", PAGE_QUERIES)
def test_review_pages_query_counts_do_not_grow_with_households(
    client_for, users, walk, make_household, name, arg, limit, django_assert_max_num_queries
):
    for i in range(4):
        make_household(f"IRS-2{i:02d}")
    walk.to_recognised()
    round = walk.fresh()
    assert round.cases.count() == 6
    args = {"round": [round.pk], "submission": [round.submissions.first().pk], None: []}[arg]
    client = client_for(users.commune_officer)
    with django_assert_max_num_queries(limit):
        assert client.get(reverse(name, args=args)).status_code == 200


def test_submission_lists_download_as_a_workbook(client_for, users, recognised):
    import io

    from openpyxl import load_workbook

    submission = recognised.submissions.first()
    response = client_for(users.district_staff).get(reverse("reviews:submission_xlsx", args=[submission.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('-lan-1.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tổng hợp", "Hộ nghèo", "Tất cả hộ rà soát"]
    poor = list(book["Hộ nghèo"].iter_rows(min_row=5, values_only=True))
    assert sorted(r[1] for r in poor) == ["IRS-001", "IRS-002"]
    assert poor[0][6:9] == ("Hộ nghèo", "Hộ nghèo", "Không thay đổi")
    summary = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(min_row=5, values_only=True)}
    assert summary["Danh sách hộ nghèo"] == 2
    page = client_for(users.commune_officer).get(reverse("reviews:submission", args=[submission.pk]))
    assert 'data-testid="submission-xlsx"' in page.content.decode()


@pytest.fixture
def posting(walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    return walk.post()


def test_refused_complaint_keeps_what_was_typed(client_for, users, walk, posting):
    client = client_for(users.commune_officer)
    case = walk.round.cases.first()
    late = (posting.starts_on - timedelta(days=1)).strftime("%d/%m/%Y")  # before the posting began
    response = client.post(
        reverse("reviews:complaint", args=[walk.round.pk]),
        {"case": case.pk, "received_on": late, "complainant": "Ksor Y Lin", "content": "Hộ mới mua xe máy"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "trong thời gian niêm yết" in page
    assert "Hộ mới mua xe máy" in page and 'value="Ksor Y Lin"' in page and "<details open>" in page
    # the page is shown at the complaint's URL: its filter still goes to the round page
    assert f'method="get" action="{reverse("reviews:detail", args=[walk.round.pk])}"' in page


def test_refused_recheck_keeps_what_was_typed(client_for, users, walk, posting):
    complaint = services.complaint_record(
        round=walk.fresh(),
        case=walk.round.cases.first(),
        received_on=posting.starts_on,
        complainant="Ksor Y Lin",
        content="Hộ có xe máy mới",
        user=walk.officer,
    )
    before = (complaint.received_on - timedelta(days=1)).strftime("%d/%m/%Y")
    response = client_for(users.commune_officer).post(
        reverse("reviews:recheck", args=[complaint.pk]),
        {"rechecked_on": before, "recheck_result": "Đúng, hộ có xe máy", "result_class": "near_poor"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "không được trước ngày nhận khiếu nại" in page
    assert 'value="Đúng, hộ có xe máy"' in page and '<option value="near_poor" selected>' in page


def test_refused_reopening_keeps_the_reason(client_for, users, walk):
    walk.to_recognised()
    round = walk.fresh()
    response = client_for(users.district_staff).post(
        reverse("reviews:reopen", args=[round.pk]), {"version": round.version - 1, "reason": "Sai điểm hộ IRS-001"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "vừa được người khác cập nhật" in page
    assert "Sai điểm hộ IRS-001" in page and walk.fresh().state == "recognised"


def test_refused_return_keeps_the_comment_and_the_page_shows_the_current_version(client_for, users, walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    submission = walk.submit()
    round = walk.fresh()
    client = client_for(users.district_staff)
    response = client.post(
        reverse("reviews:return", args=[submission.pk]), {"version": round.version - 1, "comment": "Sửa hộ IRS-002"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "vừa được người khác cập nhật" in page and "Sửa hộ IRS-002" in page
    assert f'name="version" value="{round.version}"' in page
    assert walk.fresh().state == "submitted"


def test_submit_button_says_what_it_waits_for_during_the_posting(client_for, users, walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    posting = walk.post(starts_on=timezone.localdate())
    services.complaint_record(
        round=walk.fresh(),
        case=walk.round.cases.first(),
        received_on=posting.starts_on,
        complainant="Ksor Y Lin",
        content="Hộ có xe máy mới",
        user=walk.officer,
    )
    page = client_for(users.commune_officer).get(reverse("reviews:detail", args=[walk.round.pk])).content.decode()
    waits = page.split('data-testid="submit-waits"')[1].split("</ul>")[0]
    assert posting.ends_on.strftime("%d/%m/%Y") in waits and "1 khiếu nại chưa có kết quả phúc tra" in waits
    assert 'data-testid="submit-round" disabled' in page


def test_minutes_data_query_count_does_not_grow_with_households(walk, make_household, django_assert_max_num_queries):
    from reviews.documents import minutes_data

    for i in range(4):
        make_household(f"IRS-2{i:02d}")
    walk.open()
    walk.survey_all()
    meeting = walk.meet()
    with django_assert_max_num_queries(6):
        data = minutes_data(meeting)
    assert [row.members for row in data.lists[0].rows] == [4] * 6  # family(): four current members


def test_recognition_page_says_what_saving_will_do(client_for, users, walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    walk.submit()
    walk.approve()
    page = client_for(users.commune_officer).get(reverse("reviews:recognise", args=[walk.round.pk])).content.decode()
    effect = page.split('data-testid="recognition-effect"')[1]
    assert (
        "Ghi trạng thái chính thức cho 2 hộ" in effect
        and "Cấp 2 giấy chứng nhận (2 hộ nghèo, 0 hộ cận nghèo)" in effect
    )
