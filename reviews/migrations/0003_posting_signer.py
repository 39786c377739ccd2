"""Who signs the posted list (name and capacity, as on the decision); postings already started keep an empty
name, printed as a blank line to sign over."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_signature_authority_legal_documents"),
    ]

    operations = [
        migrations.AddField(
            model_name="posting",
            name="signer_name",
            field=models.CharField(default="", max_length=150, verbose_name="người ký"),
        ),
        migrations.AddField(
            model_name="posting",
            name="signer_form",
            field=models.CharField(
                choices=[
                    ("TM.", "Chủ tịch ký"),
                    ("KT.", "Phó Chủ tịch ký thay Chủ tịch (KT. Chủ tịch)"),
                    ("Q.", "Quyền Chủ tịch ký (Q. Chủ tịch)"),
                ],
                default="TM.",
                max_length=4,
                verbose_name="người ký với tư cách",
            ),
        ),
    ]
