"""Long documents rendered in batches and joined (reports.documents.batches): the joined file has the pages, text and
page numbers of the document rendered in one go."""

import dataclasses
import subprocess

import pytest

from reports.documents import batches, render
from reports.documents.data import HouseholdList, HouseholdRow

from . import samples
from .test_documents import Pdf, pytestmark  # noqa: F401 - the same poppler requirement


def text_of(path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def pages_of(path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in out.split("\f")[:-1]]


def test_certificates_in_batches_are_the_pages_of_one_call(tmp_path):
    certificates = [samples.certificate(n, 3 + n % 5) for n in range(1, 8)]
    progress = []
    target = tmp_path / "giay-chung-nhan.pdf"
    pages = batches.write_certificates_pdf(
        iter(certificates), target, total=7, per_batch=3, progress=lambda done, total: progress.append((done, total))
    )
    assert pages == 7
    assert progress == [(3, 7), (6, 7), (7, 7)]
    whole = Pdf(render.certificates_pdf(certificates), "certificates_whole")
    assert text_of(target) == whole.text()
    assert [f"Số: {n:02d}/GCN-HN.HCN" in page for n, page in enumerate(pages_of(target), start=1)] == [True] * 7
    assert not list(tmp_path.glob("certificates-*")), "the batch files are removed"


def test_no_certificates_is_refused(tmp_path):
    with pytest.raises(ValueError):
        batches.write_certificates_pdf(iter(()), tmp_path / "x.pdf", total=0)


def long_posting(households: int):
    rows = tuple(
        HouseholdRow(i, f"24079-01-{i:04d}", f"Ksor Y Hộ {i}", "Buôn Chư Tê", 1 + i % 6, True, "Hộ nghèo", (), "")
        for i in range(1, households + 1)
    )
    near = tuple(dataclasses.replace(row, head_name=f"Rơ Mah H'Cận {row.number}") for row in rows[:45])
    return dataclasses.replace(
        samples.posting_list(),
        lists=(
            HouseholdList("Danh sách hộ nghèo", rows),
            HouseholdList("Danh sách hộ cận nghèo", near),
            HouseholdList("Danh sách hộ thoát nghèo", ()),
        ),
    )


def test_a_long_posting_list_in_batches_reads_as_one_document(tmp_path):
    posting = long_posting(130)
    target = tmp_path / "niem-yet.pdf"
    progress = []
    pages = batches.write_posting_list_pdf(
        posting, target, rows_per_batch=60, progress=lambda done, total: progress.append(done)
    )
    assert progress == [60, 120, 175]
    texts = pages_of(target)
    assert len(texts) == pages
    whole = text_of(target)
    # the header once, every household once and in order, each list's title and total once, the closing once
    assert whole.count("NIÊM YẾT CÔNG KHAI") == 1 and whole.count("Số: 45/TB-UBND") == 1
    for i in range(1, 131):
        assert whole.count(f"Ksor Y Hộ {i} ") == 1, i
    assert whole.index("Ksor Y Hộ 59 ") < whole.index("Ksor Y Hộ 61 ") < whole.index("Ksor Y Hộ 130 ")
    assert whole.count("I. Danh sách hộ nghèo") == 1 and whole.count("II. Danh sách hộ cận nghèo") == 1
    assert "III. Danh sách hộ thoát nghèo (Không có hộ nào)" in whole
    people = sum(1 + i % 6 for i in range(1, 131))
    layout = subprocess.run(["pdftotext", "-layout", target, "-"], capture_output=True, text=True).stdout
    totals = [line.split() for line in layout.splitlines() if "Tổng cộng: 130 hộ" in line]
    assert len(totals) == 1 and str(people) in totals[0]  # the total of the whole list, not of its last batch
    assert whole.count("Tổng cộng: 45 hộ") == 1
    assert whole.count("TM. ỦY BAN NHÂN DÂN") == 1 and whole.rstrip().endswith("Nguyễn Văn Hùng")
    # pages numbered on across the batches, none on the first (NĐ 30/2020, Phụ lục I)
    numbers = [page.split()[0] for page in texts[1:]]
    assert numbers == [str(n) for n in range(2, pages + 1)]
    # the same content as the list rendered in one call; each of the 2 batch ends may leave a page part-filled
    one_call = Pdf(render.posting_list_pdf(posting), "posting_list_long")
    assert len(one_call.page_sizes()) <= pages <= len(one_call.page_sizes()) + 2
    assert set(Pdf(target.read_bytes(), "posting_list_batched").page_sizes()) == set(one_call.page_sizes())


def test_a_short_posting_list_is_the_file_of_one_call(tmp_path):
    target = tmp_path / "niem-yet.pdf"
    batches.write_posting_list_pdf(samples.posting_list(), target)
    assert text_of(target) == Pdf(render.posting_list_pdf(samples.posting_list()), "posting_list_short").text()


def long_decision(households: int):
    # Each household's deprivations, as a real decision lists them: the appendix is wide, printed landscape.
    deprived = ("Việc làm", "Bảo hiểm y tế")
    rows = tuple(
        HouseholdRow(i, f"24079-01-{i:04d}", f"Ksor Y Hộ {i}", "Buôn Chư Tê", 1 + i % 6, True, "Hộ nghèo", deprived, "")
        for i in range(1, households + 1)
    )
    near = tuple(dataclasses.replace(row, head_name=f"Rơ Mah H'Cận {row.number}") for row in rows[:45])
    return samples.decision(
        lists=(
            HouseholdList("Danh sách hộ nghèo năm 2027", rows),
            HouseholdList("Danh sách hộ cận nghèo năm 2027", near),
        )
    )


def test_a_long_decision_in_batches_reads_as_the_decision_and_its_appendices(tmp_path):
    decision = long_decision(130)
    target = tmp_path / "quyet-dinh.pdf"
    progress = []
    pages = batches.write_decision_pdf(
        decision, target, rows_per_batch=60, progress=lambda done, total: progress.append((done, total))
    )
    assert progress == [(60, 175), (120, 175), (130, 175), (175, 175)]
    texts = pages_of(target)
    assert len(texts) == pages
    whole = text_of(target)
    # the decision once, each appendix's heading once, every household once and in order, each total once
    assert whole.count("Điều 1.") == 1 and whole.count("Phụ lục I ") == 1 and whole.count("Phụ lục II ") == 1
    assert whole.count("(Kèm theo Quyết định") == 2
    for i in range(1, 131):
        assert whole.count(f"Ksor Y Hộ {i} ") == 1, i
    assert whole.index("Ksor Y Hộ 59 ") < whole.index("Ksor Y Hộ 61 ") < whole.index("Ksor Y Hộ 130 ")
    assert whole.index("Ksor Y Hộ 130 ") < whole.index("Rơ Mah H'Cận 1 ")
    assert whole.count("Tổng cộng: 130 hộ") == 1 and whole.count("Tổng cộng: 45 hộ") == 1
    people = sum(1 + i % 6 for i in range(1, 131))
    layout = subprocess.run(["pdftotext", "-layout", target, "-"], capture_output=True, text=True).stdout
    totals = [line.split() for line in layout.splitlines() if "Tổng cộng: 130 hộ" in line]
    assert len(totals) == 1 and str(people) in totals[0]  # the whole list's total, not its last batch's
    # each appendix numbers its own pages, none on its first (NĐ 30/2020, Phụ lục I), on across its batches
    one_call = Pdf(render.decision_pdf(decision), "decision_long")
    assert render.decision_appendices(decision)[0]["table"]["wide"]  # landscape, as a real decision's lists
    starts = [n for n, text in enumerate(texts) if text.startswith(("Phụ lục I ", "Phụ lục II "))]
    assert len(starts) == 2
    first_appendix = texts[starts[0] + 1 : starts[1]]
    assert [text.split()[0] for text in first_appendix] == [str(n) for n in range(2, len(first_appendix) + 2)]
    # the same content as the decision rendered in one call; each of the 2 batch ends may leave a page part-filled
    assert len(one_call.page_sizes()) <= pages <= len(one_call.page_sizes()) + 2
    assert not list(tmp_path.glob("decision-*")), "the batch files are removed"


def test_a_short_decision_is_the_file_of_one_call(tmp_path):
    target = tmp_path / "quyet-dinh.pdf"
    batches.write_decision_pdf(samples.decision(), target)
    assert text_of(target) == Pdf(render.decision_pdf(samples.decision()), "decision_short").text()


def long_minutes(households: int):
    rows = tuple(
        HouseholdRow(i, f"24079-01-{i:04d}", f"Ksor Y Hộ {i}", "Buôn Chư Tê", 1 + i % 6, True, "Hộ nghèo", (), "80,0 %")
        for i in range(1, households + 1)
    )
    return dataclasses.replace(samples.minutes(), lists=(HouseholdList("Các hộ được bình xét", rows),))


def test_long_minutes_in_batches_read_as_one_document(tmp_path):
    minutes = long_minutes(130)
    target = tmp_path / "bien-ban.pdf"
    progress = []
    pages = batches.write_minutes_pdf(
        minutes, target, rows_per_batch=60, progress=lambda done, total: progress.append(done)
    )
    assert progress == [60, 120, 130]
    texts = pages_of(target)
    assert len(texts) == pages
    whole = text_of(target)
    # the header once, every household once and in order, the table's title and total once, the closing once
    assert whole.count("BIÊN BẢN HỌP DÂN") + whole.count("Biên bản họp dân") == 1
    assert whole.count("I. Thành phần tham dự") == 1 and whole.count("Các hộ được bình xét") == 1
    for i in range(1, 131):
        assert whole.count(f"Ksor Y Hộ {i} ") == 1, i
    assert whole.index("Ksor Y Hộ 59 ") < whole.index("Ksor Y Hộ 61 ") < whole.index("Ksor Y Hộ 130 ")
    assert whole.count("Tổng cộng: 130 hộ") == 1 and whole.count("III. Kết luận") == 1
    assert whole.index("Tổng cộng: 130 hộ") < whole.index("III. Kết luận") < whole.rindex("Ksor Y Blôk")
    assert [page.split()[0] for page in texts[1:]] == [str(n) for n in range(2, pages + 1)]
    one_call = Pdf(render.minutes_pdf(minutes), "minutes_long")
    assert len(one_call.page_sizes()) <= pages <= len(one_call.page_sizes()) + 2
    assert not list(tmp_path.glob("minutes-*")), "the batch files are removed"


def test_short_minutes_are_the_file_of_one_call(tmp_path):
    target = tmp_path / "bien-ban.pdf"
    batches.write_minutes_pdf(samples.minutes(), target)
    assert text_of(target) == Pdf(render.minutes_pdf(samples.minutes()), "minutes_short").text()


def test_the_number_column_widens_for_lists_of_thousands():
    def number_class(households: int) -> str:
        return render.minutes_tables(long_minutes(households))[0]["table"]["number_class"]

    assert (number_class(999), number_class(1000), number_class(10_000)) == ("", "numbers-4", "numbers-5")
