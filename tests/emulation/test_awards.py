"""Award decisions: they close reviewed nominations of one form, write the register and store their PDF (text read
back with pdftotext); the register searched by year, unit, form, subject type and name, scoped."""

import datetime
import subprocess

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from emulation import awards
from emulation import nominations as svc
from emulation.models import Award, AwardForm, NominationStatus, SubjectType

from .awards_setup import household_fixture, movement_fixture, nomination_data, others_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
WHEN = datetime.datetime(2025, 3, 10, 9, 0)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def reviewed(users, tree, movement, household):
    """Two commune nominations for the district's Giấy khen reviewed by its council, and a collective one."""
    with time_machine.travel(WHEN, tick=False):
        made = [svc.nomination_create(user=users.commune_officer, **nomination_data(movement, household))]
        made.append(
            svc.nomination_create(
                user=users.commune_officer,
                movement=movement,
                year=2024,
                subject_type=SubjectType.INDIVIDUAL,
                subject_name="Rơ Châm H'Bới",
                position="Chi hội trưởng Chi hội Phụ nữ buôn Chư Tê",
                achievements="Vận động 12 hộ vay vốn đúng mục đích.",
                requested_form=AwardForm.DISTRICT_CERTIFICATE,
            )
        )
        for n in made:
            svc.nomination_submit(user=users.commune_officer, nomination=n)
            svc.nomination_review(user=users.district_staff, nomination=n, comment="Hội đồng nhất trí")
    return made


def _decide(users, nominations, number="125/QĐ-UBND"):
    with time_machine.travel(WHEN, tick=False):
        return awards.award_decision_create(
            user=users.district_staff,
            nominations=nominations,
            number=number,
            signed_on=datetime.date(2025, 3, 12),
            signer_name="Nguyễn Văn Hùng",
            signer_title="Chủ tịch",
            signer_authority="",
        )


def test_decision_closes_the_nominations_and_writes_the_register(users, reviewed, media):
    decision = _decide(users, reviewed)
    for n in reviewed:
        n.refresh_from_db()
        assert n.status == NominationStatus.DECIDED
        last = n.log.order_by("pk").last()
        assert (last.action, last.from_status, last.to_status) == ("decide", "reviewed", "decided")
        assert "125/QĐ-UBND" in last.comment
    rows = list(Award.objects.filter(decision=decision).order_by("subject_name"))
    assert [(r.subject_name, r.form, r.year) for r in rows] == [
        ("Hộ ông/bà Ksor Y Bhin", AwardForm.DISTRICT_CERTIFICATE, 2024),
        ("Rơ Châm H'Bới", AwardForm.DISTRICT_CERTIFICATE, 2024),
    ]
    assert decision.pdf_file.name.endswith(".pdf")


def test_decision_pdf_text(users, reviewed, media, tmp_path):
    decision = _decide(users, reviewed)
    text = subprocess.run(
        ["pdftotext", "-layout", decision.pdf_file.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "HUYỆN KRÔNG PA",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 125/QĐ-UBND",
        "Krông Pa, ngày 12 tháng 3 năm 2025",
        "QUYẾT ĐỊNH",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN KRÔNG PA",
        "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
        "Căn cứ Quyết định số 666/QĐ-TTg",
        "45/KH-UBND ngày 01/07/2022",
        "Điều 1. Tặng Giấy khen của Chủ tịch Ủy ban nhân dân huyện Krông Pa cho 2 tập thể",
        "Điều 2.",
        "Điều 3.",
        "Nơi nhận:",
        "Nguyễn Văn Hùng",
        "(Kèm theo Quyết định số 125/QĐ-UBND ngày 12 tháng 3 năm 2025",
        "Hộ ông/bà Ksor Y Bhin",
        "Rơ Châm H'Bới",
        "Chi hội trưởng",
        "Tổng cộng: 2 tập thể, cá nhân, hộ gia đình",
    ):
        assert expected in flat, expected


def test_only_reviewed_nominations_of_the_deciding_unit(users, reviewed, tree, movement, household, media):
    with time_machine.travel(WHEN, tick=False):
        draft = svc.nomination_create(user=users.commune_officer, **nomination_data(movement, household))
    with pytest.raises(ValidationError) as refused:
        _decide(users, [draft])
    assert "chưa được Hội đồng xét" in str(refused.value)
    with time_machine.travel(WHEN, tick=False), pytest.raises(PermissionDenied):
        awards.award_decision_create(
            user=users.province_staff,
            nominations=reviewed,
            number="1/QĐ-UBND",
            signed_on=datetime.date(2025, 3, 12),
            signer_name="A",
            signer_title="Chủ tịch",
        )
    assert not Award.objects.exists()


def test_one_form_per_decision(users, reviewed, tree, movement, media):
    with time_machine.travel(WHEN, tick=False):
        merit = svc.nomination_create(
            user=users.district_staff,
            movement=movement,
            year=2024,
            subject_type=SubjectType.COLLECTIVE,
            subject_unit=tree.commune,
            achievements="x",
            requested_form=AwardForm.PROVINCE_MERIT,
        )
    with pytest.raises(ValidationError):
        _decide(users, [*reviewed, merit])


def test_a_decided_nomination_is_not_decided_twice(users, reviewed, media):
    _decide(users, reviewed)
    with pytest.raises(ValidationError):
        _decide(users, reviewed, number="126/QĐ-UBND")
    assert Award.objects.count() == 2


def test_register_search_and_scope(users, others, reviewed, tree, media):
    _decide(users, reviewed)
    everything = awards.RegisterFilters()
    assert awards.register_for(users.commune_officer, everything).count() == 2
    assert awards.register_for(users.province_staff, everything).count() == 2
    assert awards.register_for(others["sibling"], everything).count() == 0
    assert awards.register_for(others["other_district"], everything).count() == 0
    assert awards.register_for(others["other_province"], everything).count() == 0
    staff = users.district_staff
    assert awards.register_for(staff, awards.RegisterFilters(year=2024)).count() == 2
    assert awards.register_for(staff, awards.RegisterFilters(year=2023)).count() == 0
    assert awards.register_for(staff, awards.RegisterFilters(unit=tree.commune)).count() == 2
    assert awards.register_for(staff, awards.RegisterFilters(unit=tree.sibling_commune)).count() == 0
    assert awards.register_for(staff, awards.RegisterFilters(form=AwardForm.PROVINCE_MERIT)).count() == 0
    found = awards.register_for(staff, awards.RegisterFilters(subject_type=SubjectType.INDIVIDUAL))
    assert [a.subject_name for a in found] == ["Rơ Châm H'Bới"]
    assert [a.subject_name for a in awards.register_for(staff, awards.RegisterFilters(name="ksor"))] == [
        "Hộ ông/bà Ksor Y Bhin"
    ]


def test_register_pages_without_counting(users, reviewed, media, django_assert_num_queries):
    _decide(users, reviewed)
    qs = awards.register_for(users.district_staff, awards.RegisterFilters())
    with django_assert_num_queries(1):
        page = awards.register_page(qs, 1, per_page=1)
    assert (len(page.rows), page.has_next, page.has_previous) == (1, True, False)
    page = awards.register_page(qs, 2, per_page=1)
    assert (len(page.rows), page.has_next, page.has_previous) == (1, False, True)


def test_register_xlsx(users, reviewed, media):
    import io

    from openpyxl import load_workbook

    _decide(users, reviewed)
    content = awards.register_xlsx(awards.register_for(users.district_staff, awards.RegisterFilters()))
    ws = load_workbook(io.BytesIO(content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("STT", "Năm", "Tên tập thể, cá nhân, hộ")
    assert {r[2] for r in rows[1:]} == {"Hộ ông/bà Ksor Y Bhin", "Rơ Châm H'Bới"}
    assert {r[6] for r in rows[1:]} == {"125/QĐ-UBND"}
    assert {r[7] for r in rows[1:]} == {"12/03/2025"}


def test_typical_example(users, others, movement, household):
    example = awards.typical_example_create(
        user=users.commune_officer,
        movement=movement,
        year=2024,
        subject_name="",
        story="Nuôi bò sinh sản.",
        household=household,
    )
    assert example.subject_name == "Hộ ông/bà Ksor Y Bhin"
    assert list(awards.typical_example_list_for(users.district_staff)) == [example]
    assert list(awards.typical_example_list_for(others["sibling"])) == []
    with pytest.raises(ValidationError):
        awards.typical_example_create(
            user=others["sibling"], movement=movement, year=2024, subject_name="", story="x", household=household
        )
    with pytest.raises(ValidationError):
        awards.typical_example_create(
            user=users.commune_officer, movement=movement, year=2024, subject_name="A", story=" "
        )


def test_a_higher_form_is_forwarded_not_decided(users, tree, movement, media):
    with time_machine.travel(WHEN, tick=False):
        n = svc.nomination_create(
            user=users.district_staff,
            movement=movement,
            year=2024,
            subject_type=SubjectType.COLLECTIVE,
            subject_unit=tree.commune,
            achievements="Giảm 4,2 điểm tỷ lệ hộ nghèo trong 3 năm.",
            requested_form=AwardForm.HIGHER,
        )
        svc.nomination_submit(user=users.district_staff, nomination=n)
        n = svc.nomination_review(user=users.province_staff, nomination=n, comment="Trình Thủ tướng Chính phủ")
        assert svc.nomination_actions_for(users.province_staff, n) == ["reject"]
        assert svc.nominations_to_decide_for(users.province_staff) == []
        with pytest.raises(ValidationError) as refused:
            awards.award_decision_create(
                user=users.province_staff,
                nominations=[n],
                number="1/QĐ-UBND",
                signed_on=datetime.date(2025, 3, 12),
                signer_name="A",
                signer_title="Chủ tịch",
            )
    assert "cấp trên quyết định" in str(refused.value)
