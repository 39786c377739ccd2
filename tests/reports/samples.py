"""Realistic Vietnamese sample data for the document renderers (a commune in Krông Pa, Gia Lai)."""

import datetime

from reports.documents.data import (
    HouseholdCertificate,
    HouseholdList,
    HouseholdRow,
    Letterhead,
    MeetingMinutes,
    MemberRow,
    PostingList,
    RecognitionDecision,
    Signer,
)

COMMUNE_UBND = "Ủy ban nhân dân xã Ia RSai"
DECISION_DATE = datetime.date(2026, 12, 20)

POOR = (
    HouseholdRow(1, "24079-01-0007", "Ksor H'Blơi", "Buôn Chư Tê", 5, True, "Hộ nghèo", ("Việc làm", "Nhà ở"), ""),
    HouseholdRow(2, "24079-01-0012", "Rơ Chăm Y Đuen", "Buôn Chư Tê", 7, True, "Hộ nghèo", ("Nước sinh hoạt",), ""),
    HouseholdRow(3, "24079-02-0003", "Nguyễn Thị Hồng Nhung", "Thôn Quý Đức", 3, False, "Hộ nghèo", (), "Hộ mới"),
)
NEAR_POOR = (
    HouseholdRow(1, "24079-01-0021", "Siu Thị Hằng", "Buôn Chư Tê", 4, True, "Hộ cận nghèo", ("Bảo hiểm y tế",), ""),
    HouseholdRow(2, "24079-02-0018", "Trần Văn Đức", "Thôn Quý Đức", 2, False, "Hộ cận nghèo", (), "Tái cận nghèo"),
)
ESCAPED = (HouseholdRow(1, "24079-01-0002", "Kpă Thị Ưng", "Buôn Chư Tê", 6, True, "Thoát nghèo", (), "Thoát nghèo"),)


def letterhead(symbol: str, number: str = "", date: datetime.date | None = DECISION_DATE) -> Letterhead:
    return Letterhead(issuer=COMMUNE_UBND.upper(), place="Ia RSai", date=date, number=number, symbol=symbol)


def minutes() -> MeetingMinutes:
    discussed = tuple(
        HouseholdRow(i, r.code, r.head_name, r.village, r.members, r.ethnic_minority, r.class_label, (), note)
        for i, (r, note) in enumerate(
            zip(POOR + NEAR_POOR, ("92,3 %", "88,5 %", "76,9 %", "100,0 %", "61,5 %"), strict=True), start=1
        )
    )
    return MeetingMinutes(
        letterhead=Letterhead(
            issuer="Buôn Chư Tê",
            parent_issuer="Ủy ban nhân dân xã Ia RSai",
            place="Ia RSai",
            date=datetime.date(2026, 10, 5),
        ),
        village="Buôn Chư Tê",
        commune="Xã Ia RSai",
        held_at=datetime.datetime(2026, 10, 5, 8, 0),
        ended_at=datetime.datetime(2026, 10, 5, 10, 30),
        location="nhà văn hóa cộng đồng",
        chair="Ksor Y Blôk",
        chair_title="Trưởng buôn",
        secretary="Rơ Mah H'Nhi",
        supervisors=(
            "Bà Nay H'Mai - Chủ tịch Ủy ban Mặt trận Tổ quốc xã",
            "Ông Lê Văn Tâm - công chức Văn hóa - Xã hội",
        ),
        attendees=26,
        households_present=24,
        lists=(HouseholdList("Các hộ được bình xét", discussed),),
        conclusion=(
            "Cuộc họp thống nhất đề nghị công nhận 03 hộ nghèo và 02 hộ cận nghèo như danh sách trên.\n"
            "Hộ ông Trần Văn Đức có tỷ lệ đồng ý 61,5 %, đạt trên 50 % số người tham dự."
        ),
        signers=(Signer("Thư ký", "Rơ Mah H'Nhi"), Signer("Chủ trì", "Ksor Y Blôk")),
    )


def posting_list() -> PostingList:
    return PostingList(
        letterhead=letterhead("TB-UBND", "45/TB-UBND", datetime.date(2026, 10, 8)),
        title="Danh sách hộ nghèo, hộ cận nghèo niêm yết công khai",
        subtitle="Kết quả rà soát năm 2026, xã Ia RSai",
        starts_on=datetime.date(2026, 10, 8),
        ends_on=datetime.date(2026, 10, 12),
        location="Trụ sở Ủy ban nhân dân xã Ia RSai và nhà văn hóa Buôn Chư Tê",
        lists=(
            HouseholdList("Danh sách hộ nghèo", POOR),
            HouseholdList("Danh sách hộ cận nghèo", NEAR_POOR),
            HouseholdList("Danh sách hộ thoát nghèo", ESCAPED),
            HouseholdList("Danh sách hộ thoát cận nghèo", ()),
        ),
        notice=(
            "Trong thời gian niêm yết, mọi ý kiến phản ánh, khiếu nại về danh sách trên đề nghị gửi về Ủy ban nhân "
            "dân xã Ia RSai (qua công chức Văn hóa - Xã hội) để được phúc tra theo quy định."
        ),
        signer=Signer("Chủ tịch", "Nguyễn Văn Hùng", authority="TM. Ủy ban nhân dân"),
    )


def decision(lists=None) -> RecognitionDecision:
    return RecognitionDecision(
        letterhead=letterhead("QĐ-UBND", "212/QĐ-UBND"),
        abstract="Về việc công nhận hộ nghèo, hộ cận nghèo năm 2026 trên địa bàn xã Ia RSai",
        authority_line="Chủ tịch Ủy ban nhân dân xã Ia RSai",
        legal_bases=(
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
            "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ quy định chuẩn nghèo đa "
            "chiều giai đoạn 2021 - 2025",
            "Căn cứ Quyết định số 24/2021/QĐ-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ quy định quy trình "
            "rà soát hộ nghèo, hộ cận nghèo hằng năm và quy trình xác định hộ làm nông nghiệp, lâm nghiệp, ngư "
            "nghiệp và diêm nghiệp có mức sống trung bình giai đoạn 2022 - 2025",
        ),
        proposal="Theo đề nghị của công chức Văn hóa - Xã hội xã",
        articles=(
            "Điều 1. Công nhận 03 hộ nghèo, 02 hộ cận nghèo và 01 hộ thoát nghèo năm 2026 trên địa bàn xã Ia RSai "
            "(có danh sách kèm theo).",
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
            "Điều 3. Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã, công chức Văn hóa - Xã hội, Trưởng các "
            "thôn, buôn và các hộ gia đình có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
        ),
        recipients=("Như Điều 3", "Sở Nông nghiệp và Môi trường tỉnh Gia Lai", "Lưu: VT, VHXH"),
        signer=Signer("Chủ tịch", "Nguyễn Văn Hùng"),
        issued_by="Chủ tịch Ủy ban nhân dân xã Ia RSai",
        lists=lists
        if lists is not None
        else (
            HouseholdList("Danh sách hộ nghèo năm 2026", POOR),
            HouseholdList("Danh sách hộ cận nghèo năm 2026", NEAR_POOR),
            HouseholdList("Danh sách hộ thoát nghèo năm 2026", ESCAPED),
        ),
    )


def certificate(number: int = 15, members: int = 5) -> HouseholdCertificate:
    people = [
        MemberRow("Ksor H'Blơi", "Gia Rai", "Chủ hộ", 1982, "female"),
        MemberRow("Rơ Chăm Y Đuen", "Gia Rai", "Chồng", 1979, "male"),
        MemberRow("Ksor H'Yên", "Gia Rai", "Con", 2005, "female"),
        MemberRow("Ksor Y Thắng", "Gia Rai", "Con", 2009, "male"),
        MemberRow("Nguyễn Thị Hồng Nhung", "Kinh", "Con dâu", 2004, "female", "Nhập hộ 03/2026"),
    ]
    while len(people) < members:
        people.append(MemberRow(f"Ksor Y Ơn {len(people)}", "Gia Rai", "Cháu", 2018 + len(people) % 5, "male"))
    return HouseholdCertificate(
        letterhead=letterhead("GCN-HN.HCN", f"{number:02d}/GCN-HN.HCN", datetime.date(2026, 12, 22)),
        kind_label="Hộ nghèo",
        year=2026,
        legal_bases=(
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
            "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ quy định chuẩn nghèo đa "
            "chiều giai đoạn 2021 - 2025",
        ),
        head_name="Ksor H'Blơi",
        head_ethnicity="Gia Rai",
        head_personal_id="064182001234",
        head_id_issued_on=datetime.date(2021, 5, 3),
        residence="Buôn Chư Tê, xã Ia RSai, tỉnh Gia Lai",
        decision_ref="Quyết định số 212/QĐ-UBND ngày 20 tháng 12 năm 2026 của Chủ tịch Ủy ban nhân dân xã Ia RSai "
        "về việc công nhận hộ nghèo, hộ cận nghèo năm 2026",
        members=tuple(people[:members]),
        signer=Signer("Chủ tịch", "Nguyễn Văn Hùng"),
        valid_until=datetime.date(2026, 12, 31),
        certifier="Chủ tịch Ủy ban nhân dân xã Ia RSai",
    )
