"""The review documents a legal officer signs, read back from the PDF with pdftotext: the signature block per
issuing authority and signer (NĐ 30/2020/NĐ-CP, Điều 13), complete legal bases, Article 1 without empty
categories, the certificate's fields, the Fatherland Front's line in the minutes, and the download names."""

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse

from core.downloads import download_name
from households.models import Member
from reports.documents import render
from reports.documents.data import HouseholdList, HouseholdRow, Letterhead, PostingList
from reports.documents.signing import ACTING, CHAIRMAN, DEPUTY, signature_block
from reviews import documents
from reviews.choices import DocumentKind, IssuedBy
from reviews.models import Certificate, LegalDocument, SignatureAuthority

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by scripts/bootstrap.sh"),
]


def text_of(pdf: bytes, tmp_path, name="doc") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


# NĐ 30/2020/NĐ-CP, Điều 13: own name / on behalf of the committee, by the chairman, a deputy or an acting chairman.
@pytest.mark.parametrize(
    ("collective", "capacity", "authority", "title"),
    [
        (False, CHAIRMAN, [], "CHỦ TỊCH"),
        (False, DEPUTY, ["KT. CHỦ TỊCH"], "PHÓ CHỦ TỊCH"),
        (False, ACTING, [], "Q. CHỦ TỊCH"),
        (True, CHAIRMAN, ["TM. ỦY BAN NHÂN DÂN"], "CHỦ TỊCH"),
        (True, DEPUTY, ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"], "PHÓ CHỦ TỊCH"),
        (True, ACTING, ["TM. ỦY BAN NHÂN DÂN"], "Q. CHỦ TỊCH"),
    ],
)
def test_signature_block_table(collective, capacity, authority, title):
    signer = signature_block(collective=collective, capacity=capacity, name="Nguyễn Văn Hùng")
    assert signer.authority_lines == authority and signer.title == title


@pytest.mark.parametrize(
    ("signer_form", "block"),
    [
        ("TM.", "Nơi nhận: - Như Điều 3; - Lưu: VT. CHỦ TỊCH Nguyễn Văn Hùng"),
        ("KT.", "Nơi nhận: - Như Điều 3; - Lưu: VT. KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn Hùng"),
        ("Q.", "Nơi nhận: - Như Điều 3; - Lưu: VT. Q. CHỦ TỊCH Nguyễn Văn Hùng"),
    ],
)
def test_decision_is_signed_by_the_chairman_in_his_own_name(walk, tmp_path, signer_form, block):
    # QĐ 24/2021/QĐ-TTg, Điều 4 khoản 5: "Chủ tịch Ủy ban nhân dân cấp xã" recognises the lists.
    decision = walk.to_recognised()
    decision.signer_form = signer_form
    decision.save()
    text = text_of(render.decision_pdf(documents.decision_data(decision)), tmp_path)
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ IA RSAI" in text
    assert block in text.replace("- UBND huyện Krông Pa (b/c); ", "")
    assert "TM. ỦY BAN NHÂN DÂN" not in text


def test_the_committee_form_comes_from_the_authority_table(walk, tmp_path):
    decision = walk.to_recognised()
    SignatureAuthority.objects.filter(document_kind=DocumentKind.DECISION).update(issued_by=IssuedBy.COMMITTEE)
    text = text_of(render.decision_pdf(documents.decision_data(decision)), tmp_path)
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Nguyễn Văn Hùng" in text
    posting = text_of(render.posting_list_pdf(documents.posting_data(decision.round)), tmp_path, "posting")
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in posting


def test_legal_bases_give_type_number_date_issuer_and_title(walk, tmp_path):
    decision = walk.to_recognised()
    text = text_of(render.decision_pdf(documents.decision_data(decision)), tmp_path)
    # The law in force when the decision is signed (two-tier local government from 01/07/2025).
    assert "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;" in text
    assert (
        "Căn cứ Quyết định số 24/2021/QĐ-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ quy định quy trình rà "
        "soát hộ nghèo, hộ cận nghèo hằng năm" in text
    )
    standard = decision.round.standard_code
    for line in documents.legal_bases(decision.round, decision.signed_on):
        assert line.startswith("Căn cứ ") and " ngày " in line, line
    numbers = documents._standard_numbers(decision.round)
    assert numbers, standard
    for number in numbers:
        doc = LegalDocument.objects.get(number=number)  # every decree a standard names is in the table
        assert f"Căn cứ {doc.kind} số {number} ngày" in text and f"của {doc.issuer}" in text


def test_legal_bases_are_data(walk, tmp_path):
    decision = walk.to_recognised()
    LegalDocument.objects.filter(number="24/2021/QĐ-TTg").update(title="quy định quy trình đã sửa")
    text = text_of(render.decision_pdf(documents.decision_data(decision)), tmp_path)
    assert "của Thủ tướng Chính phủ quy định quy trình đã sửa;" in text


def test_a_decision_signed_before_the_2025_reform_cites_the_law_then_in_force(walk):
    decision = walk.to_recognised()
    lines = documents.legal_bases(decision.round, date(2025, 4, 10))
    assert lines[0] == "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025"


def test_article_1_leaves_out_empty_categories(walk, tmp_path):
    decision = walk.to_recognised()
    counts = {k: len(v) for k, v in decision.submission.snapshot["lists"].items()}
    text = text_of(render.decision_pdf(documents.decision_data(decision)), tmp_path)
    article = text.split("Điều 1.", 1)[1].split("Điều 2.", 1)[0]
    assert " 0 hộ" not in article
    for key, words in (("poor", "hộ nghèo"), ("near_poor", "hộ cận nghèo")):
        if counts.get(key):
            assert f"{counts[key]} {words}" in article


def test_every_appendix_has_the_village_column(walk, tmp_path):
    decision = walk.to_recognised()
    data = documents.decision_data(decision)
    text = text_of(render.decision_pdf(data), tmp_path)
    appendices = text.split("Phụ lục")[1:]
    assert len(appendices) == len(data.lists)
    for appendix in appendices:
        assert "Thôn, tổ dân phố" in appendix


def test_certificate_gives_the_issue_date_and_cites_the_decision_in_full(walk, households, tmp_path):
    Member.objects.filter(household=households[0], relationship="head").update(
        personal_id="064080012345", personal_id_issued_on=date(2021, 4, 12)
    )
    decision = walk.to_recognised()
    certificate = Certificate.objects.get(household=households[0])
    text = text_of(render.certificates_pdf([documents.certificate_data(certificate)]), tmp_path)
    assert "Ngày cấp: 12/04/2021" in text
    assert (
        f"Căn cứ Quyết định số 125/QĐ-UBND {render.fmt.long_date(decision.signed_on)} của Chủ tịch Ủy ban nhân dân "
        "xã Ia RSai, Chủ tịch Ủy ban nhân dân xã Ia RSai chứng nhận:" in text
    )
    assert "CHỦ TỊCH Nguyễn Văn Hùng" in text and "TM. ỦY BAN" not in text


def test_minutes_have_a_line_for_the_fatherland_front(walk, tmp_path):
    walk.open()
    walk.survey_all()
    walk.meet()
    meeting = walk.fresh().meetings.get()
    meeting.front_representative = "Nay H'Luân"
    meeting.save()
    text = text_of(render.minutes_pdf(documents.minutes_data(meeting)), tmp_path)
    assert "Giám sát: Nay H'Luân - đại diện Ủy ban Mặt trận Tổ quốc Việt Nam xã Ia RSai" in text
    assert "ĐẠI DIỆN MTTQ XÃ" in text and text.count("(Ký, ghi rõ họ tên)") == 3


def test_posting_list_header_is_two_lines(walk, tmp_path):
    decision = walk.to_recognised()
    data = documents.posting_data(decision.round)
    pdf = render.posting_list_pdf(data)
    path = tmp_path / "posting.pdf"
    path.write_bytes(pdf)
    layout = subprocess.run(
        ["pdftotext", "-layout", "-l", "1", path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "ỦY BAN NHÂN DÂN HUYỆN KRÔNG PA" in layout and "ỦY BAN NHÂN DÂN XÃ IA RSAI" in layout
    assert "NIÊM YẾT CÔNG KHAI" in layout  # held together on the title's second line


@pytest.mark.parametrize(
    ("parts", "name"),
    [
        (("quyet-dinh", "125/QĐ-UBND"), "quyet-dinh-125-qd-ubnd.pdf"),
        (("giay-chung-nhan", "15/GCN-HN.HCN"), "giay-chung-nhan-15-gcn-hnhcn.pdf"),
        (("niem-yet", "Buôn Đăk Đoa"), "niem-yet-buon-dak-doa.pdf"),
        (("", None), "tai-lieu.pdf"),
    ],
)
def test_download_names_keep_d(parts, name):
    assert download_name(*parts, ext="pdf") == name


def test_decision_download_name(walk, client, users):
    decision = walk.to_recognised()
    client.force_login(users.commune_officer)
    response = client.get(reverse("reviews:decision_pdf", args=[decision.pk]))
    assert response.status_code == 200
    assert 'filename="quyet-dinh-125-qd-ubnd.pdf"' in response["Content-Disposition"]


def test_posting_list_is_signed_by_the_signer_recorded_with_the_posting(walk, tmp_path):
    # NĐ 30/2020/NĐ-CP, Điều 13: the committee's posted list, signed here by a deputy for the chairman.
    walk.to_recognised()
    posting = walk.fresh().postings.get()
    posting.signer_name, posting.signer_form = "Lê Thị Hoa", "KT."
    posting.save()
    text = text_of(render.posting_list_pdf(documents.posting_data(walk.round)), tmp_path)
    assert "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH Lê Thị Hoa" in text


def test_posting_form_asks_for_the_signer_and_keeps_what_was_typed(walk, client, users):
    walk.open()
    walk.survey_all()
    walk.meet()
    round = walk.fresh()
    client.force_login(users.commune_officer)
    url = reverse("reviews:posting", args=[round.pk])
    start = (round.meetings.get().held_at.date() + timedelta(days=1)).strftime("%d/%m/%Y")
    data = {"version": round.version, "starts_on": start, "places": "Trụ sở UBND xã", "signer_form": "KT."}
    page = client.post(url, data)
    assert page.status_code == 200 and "Trụ sở UBND xã" in page.content.decode()
    assert page.context["form"].errors["signer_name"]
    assert client.post(url, {**data, "signer_name": "Lê Thị Hoa"}).status_code == 302
    posting = walk.fresh().postings.get()
    assert (posting.signer_name, posting.signer_form) == ("Lê Thị Hoa", "KT.")


def _posting_with_rows(count: int) -> PostingList:
    rows = tuple(
        HouseholdRow(
            number=i,
            code=f"IRS-{i:03d}",
            head_name=f"Ksor Y Hộ {i}",
            village=("Buôn Chư Tê", "Buôn Ơi")[i % 2],
            members=4,
            ethnic_minority=True,
            class_label="Hộ nghèo",
            deprived=("Việc làm", "BHYT"),
        )
        for i in range(1, count + 1)
    )
    return PostingList(
        letterhead=Letterhead(issuer="Ủy ban nhân dân xã Ia RSai", place="Ia RSai", date=date(2026, 11, 20)),
        title="Danh sách hộ nghèo\nniêm yết công khai",
        subtitle="Xã Ia RSai",
        starts_on=date(2026, 11, 20),
        ends_on=date(2026, 11, 26),
        lists=(HouseholdList(title="Danh sách hộ nghèo", rows=rows),),
        signer=signature_block(collective=True, capacity=DEPUTY, name="Lê Thị Hoa"),
        location="Trụ sở UBND xã",
        notice="Trong thời gian niêm yết, người dân có ý kiến xin gửi về Ủy ban nhân dân xã.",
    )


# Every position of the last row on the second page: the signature block never starts a page on its own.
@pytest.mark.parametrize("count", range(12, 25))
def test_posting_signature_block_stays_with_the_last_rows(tmp_path, count):
    path = tmp_path / "posting.pdf"
    path.write_bytes(render.posting_list_pdf(_posting_with_rows(count)))
    pages = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True)
    pages = pages.stdout.split("\f")
    signed = [i for i, page in enumerate(pages) if "Lê Thị Hoa" in page]
    assert len(signed) == 1 and signed[0] > 0, count  # more than one page of rows
    last = pages[signed[0]]
    assert f"Ksor Y Hộ {count}" in last and f"Ksor Y Hộ {count - 1}" in last and "Tổng cộng" in last
    assert "STT" in last  # the rows moved with the block keep the table's header


def test_certificate_prints_a_dotted_issue_date_when_none_is_recorded(walk, households, tmp_path):
    Member.objects.filter(household=households[0], relationship="head").update(personal_id_issued_on=None)
    walk.to_recognised()
    certificate = Certificate.objects.get(household=households[0])
    text = text_of(render.certificates_pdf([documents.certificate_data(certificate)]), tmp_path)
    assert "Ngày cấp: …/…/……" in text
