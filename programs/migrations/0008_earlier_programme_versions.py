"""The programme versions in force before the current ones (NĐ 86/2015/NĐ-CP tuition and learning-cost support
until 14/11/2021, NĐ 136/2013/NĐ-CP relief rice until 30/06/2021), so that support of the years before a unit
started using the portal can be recorded; only programmes missing from the database are created."""

from django.db import migrations


def load(apps, schema_editor):
    from programs.catalogue import catalogue_load

    catalogue_load(apps.get_model("programs", "Programme"))


class Migration(migrations.Migration):
    dependencies = [("programs", "0007_programme_english_names")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
