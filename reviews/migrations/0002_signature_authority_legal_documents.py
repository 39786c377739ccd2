"""Signature authority per review document and the legal documents the "Căn cứ" lines cite, seeded as data an
administrator corrects in the admin; the Fatherland Front representative who signs the meeting minutes."""

import datetime

from django.db import migrations, models

D = datetime.date
QD24_SOURCE = "domain.md §2.1; https://lawnet.vn (annual review process of poor and near-poor households)"

# (topic, kind, number, signed_on, issuer, title, cited_from, cited_to, status, source)
LEGAL_DOCUMENTS = [
    (
        "local_government", "Luật", "77/2015/QH13", D(2015, 6, 19), "Quốc hội", "Tổ chức chính quyền địa phương",
        D(2016, 1, 1), D(2025, 2, 28), "U", "Chưa đối chiếu: kiến thức nền, không có trong tài liệu tham chiếu",
    ),
    (
        "local_government", "Luật", "65/2025/QH15", D(2025, 2, 19), "Quốc hội", "Tổ chức chính quyền địa phương",
        D(2025, 3, 1), D(2025, 6, 30), "P", "Ngày ban hành theo yêu cầu nghiệp vụ; chưa có trong domain.md",
    ),
    (
        "local_government", "Luật", "72/2025/QH15", D(2025, 6, 16), "Quốc hội", "Tổ chức chính quyền địa phương",
        D(2025, 7, 1), None, "V", "domain.md §4 (chính quyền địa phương hai cấp từ 01/07/2025); NQ 1673/NQ-UBTVQH15",
    ),
    (
        "review_procedure", "Quyết định", "24/2021/QĐ-TTg", D(2021, 7, 16), "Thủ tướng Chính phủ",
        "quy định quy trình rà soát hộ nghèo, hộ cận nghèo hằng năm và quy trình xác định hộ làm nông nghiệp, "
        "lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình giai đoạn 2022 - 2025",
        D(2021, 9, 1), None, "V", QD24_SOURCE,
    ),
    (
        "poverty_standard", "Quyết định", "59/2015/QĐ-TTg", D(2015, 11, 19), "Thủ tướng Chính phủ",
        "ban hành chuẩn nghèo tiếp cận đa chiều áp dụng cho giai đoạn 2016 - 2020",
        D(2015, 11, 19), None, "P", "domain.md §1.1 (ngày [V]; trích yếu chưa đối chiếu nguyên văn)",
    ),
    (
        "poverty_standard", "Nghị định", "07/2021/NĐ-CP", D(2021, 1, 27), "Chính phủ",
        "quy định chuẩn nghèo đa chiều giai đoạn 2021 - 2025",
        D(2021, 1, 27), None, "V", "domain.md §1.1; english.luatvietnam.vn",
    ),
    (
        "poverty_standard", "Nghị định", "30/2025/NĐ-CP", D(2025, 2, 24), "Chính phủ",
        "sửa đổi, bổ sung một số điều của Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ quy "
        "định chuẩn nghèo đa chiều giai đoạn 2021 - 2025",
        D(2025, 2, 24), None, "V", "domain.md §1.4; vanban123.vn",
    ),
    (
        "poverty_standard", "Nghị định", "351/2025/NĐ-CP", D(2025, 12, 30), "Chính phủ",
        "quy định chuẩn nghèo đa chiều quốc gia giai đoạn 2026 - 2030",
        D(2025, 12, 30), None, "P", "domain.md §1.5 (ngày [V]; trích yếu theo báo chí, chưa đối chiếu nguyên văn)",
    ),
]

# QĐ 24/2021/QĐ-TTg, Điều 4 khoản 4–5 and NĐ 30/2020/NĐ-CP, Điều 13.
AUTHORITIES = [
    ("decision", "head", "QĐ 24/2021/QĐ-TTg, Điều 4 khoản 5: Chủ tịch UBND cấp xã quyết định công nhận"),
    ("certificate", "head", "QĐ 24/2021/QĐ-TTg, Điều 4 khoản 5: Chủ tịch UBND cấp xã cấp giấy chứng nhận"),
    ("posting", "committee", "QĐ 24/2021/QĐ-TTg, Điều 4 khoản 4: UBND cấp xã niêm yết công khai"),
]


def seed(apps, schema_editor):
    LegalDocument = apps.get_model("reviews", "LegalDocument")
    SignatureAuthority = apps.get_model("reviews", "SignatureAuthority")
    for topic, kind, number, signed_on, issuer, title, cited_from, cited_to, status, source in LEGAL_DOCUMENTS:
        LegalDocument.objects.update_or_create(
            number=number,
            defaults=dict(
                topic=topic, kind=kind, signed_on=signed_on, issuer=issuer, title=title, cited_from=cited_from,
                cited_to=cited_to, status=status, source=source,
            ),
        )
    for kind, issued_by, basis in AUTHORITIES:
        SignatureAuthority.objects.update_or_create(
            document_kind=kind, valid_from=D(2021, 9, 1), defaults={"issued_by": issued_by, "legal_basis": basis}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0001_review_rounds'),
    ]

    operations = [
        migrations.CreateModel(
            name='LegalDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('topic', models.CharField(choices=[('local_government', 'Tổ chức chính quyền địa phương'), ('review_procedure', 'Quy trình rà soát hộ nghèo, hộ cận nghèo'), ('poverty_standard', 'Chuẩn nghèo đa chiều')], max_length=30, verbose_name='nội dung căn cứ')),
                ('kind', models.CharField(help_text='Luật, Nghị định, Quyết định, Thông tư…', max_length=30, verbose_name='loại văn bản')),
                ('number', models.CharField(help_text='Ví dụ 351/2025/NĐ-CP.', max_length=40, unique=True, verbose_name='số, ký hiệu')),
                ('signed_on', models.DateField(verbose_name='ngày ban hành')),
                ('issuer', models.CharField(help_text='Ví dụ Chính phủ.', max_length=100, verbose_name='cơ quan ban hành')),
                ('title', models.CharField(help_text='Với luật: tên luật (Tổ chức chính quyền địa phương); với văn bản khác: trích yếu (quy định …).', max_length=500, verbose_name='trích yếu')),
                ('cited_from', models.DateField(help_text='Văn bản ký từ ngày này trở đi trích dẫn văn bản này.', verbose_name='trích dẫn từ ngày')),
                ('cited_to', models.DateField(blank=True, null=True, verbose_name='trích dẫn đến ngày')),
                ('status', models.CharField(choices=[('V', '[V] Đã đối chiếu văn bản'), ('P', '[P] Đối chiếu một phần, cần kiểm tra lại'), ('U', '[U] Chưa đối chiếu được văn bản')], default='U', max_length=1, verbose_name='tình trạng đối chiếu')),
                ('source', models.CharField(blank=True, max_length=300, verbose_name='nguồn đối chiếu')),
            ],
            options={
                'verbose_name': 'văn bản làm căn cứ',
                'verbose_name_plural': 'văn bản làm căn cứ',
                'ordering': ['topic', 'signed_on'],
            },
        ),
        migrations.AddField(
            model_name='villagemeeting',
            name='front_representative',
            field=models.CharField(blank=True, help_text='Họ và tên người ký biên bản thay mặt Ủy ban Mặt trận Tổ quốc Việt Nam xã.', max_length=150, verbose_name='đại diện Ủy ban MTTQ Việt Nam xã giám sát'),
        ),
        migrations.AlterField(
            model_name='recognitiondecision',
            name='signer_form',
            field=models.CharField(choices=[('TM.', 'Chủ tịch ký'), ('KT.', 'Phó Chủ tịch ký thay Chủ tịch (KT. Chủ tịch)'), ('Q.', 'Quyền Chủ tịch ký (Q. Chủ tịch)')], max_length=4, verbose_name='người ký với tư cách'),
        ),
        migrations.CreateModel(
            name='SignatureAuthority',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('document_kind', models.CharField(choices=[('decision', 'Quyết định công nhận hộ nghèo, hộ cận nghèo'), ('certificate', 'Giấy chứng nhận hộ nghèo, hộ cận nghèo'), ('posting', 'Danh sách niêm yết công khai')], max_length=20, verbose_name='loại văn bản')),
                ('issued_by', models.CharField(choices=[('head', 'Chủ tịch Ủy ban nhân dân ban hành (ký: CHỦ TỊCH)'), ('committee', 'Ủy ban nhân dân ban hành (ký: TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH)')], max_length=20, verbose_name='thẩm quyền ban hành')),
                ('valid_from', models.DateField(verbose_name='áp dụng từ ngày')),
                ('valid_to', models.DateField(blank=True, null=True, verbose_name='áp dụng đến ngày')),
                ('legal_basis', models.CharField(max_length=255, verbose_name='căn cứ')),
            ],
            options={
                'verbose_name': 'thẩm quyền ký văn bản',
                'verbose_name_plural': 'thẩm quyền ký văn bản',
                'ordering': ['document_kind', '-valid_from'],
                'constraints': [models.UniqueConstraint(fields=('document_kind', 'valid_from'), name='reviews_one_authority_per_date')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
