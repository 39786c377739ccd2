# Benefit cancellation: a wrongly recorded benefit is voided with a reason (no hard delete).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0005_bhyt_poor_commune_codes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='benefit',
            name='programs_one_payment_per_quarter',
        ),
        migrations.RemoveConstraint(
            model_name='benefit',
            name='programs_card_once',
        ),
        migrations.AddField(
            model_name='benefit',
            name='cancel_reason',
            field=models.TextField(blank=True, editable=False, verbose_name='lý do huỷ'),
        ),
        migrations.AddField(
            model_name='benefit',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='huỷ lúc'),
        ),
        migrations.AddField(
            model_name='benefit',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người huỷ'),
        ),
        migrations.AlterField(
            model_name='benefitlog',
            name='action',
            field=models.CharField(choices=[('create', 'Ghi nhận'), ('update', 'Sửa'), ('override', 'Ghi nhận ngoài điều kiện (có lý do)'), ('photo', 'Thêm ảnh'), ('import', 'Nhập từ Excel'), ('cancel', 'Huỷ bản ghi')], max_length=20, verbose_name='thao tác'),
        ),
        migrations.AddConstraint(
            model_name='benefit',
            constraint=models.UniqueConstraint(condition=models.Q(('cancelled_at__isnull', True), ('period_quarter__isnull', False)), fields=('programme', 'household', 'period_year', 'period_quarter'), name='programs_one_payment_per_quarter', violation_error_message='Hộ đã được ghi nhận khoản chi trả của chính sách này trong quý đó.'),
        ),
        migrations.AddConstraint(
            model_name='benefit',
            constraint=models.UniqueConstraint(condition=models.Q(models.Q(('card_number', ''), _negated=True), ('cancelled_at__isnull', True)), fields=('programme', 'card_number', 'card_valid_from'), name='programs_card_once', violation_error_message='Thẻ BHYT số này, cùng ngày bắt đầu, đã được ghi nhận.'),
        ),
    ]
