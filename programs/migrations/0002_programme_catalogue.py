"""Load the programme catalogue (programs/data/catalogue.json); amounts stay editable in the admin."""

from django.db import migrations


def load(apps, schema_editor):
    from programs.catalogue import catalogue_load

    catalogue_load(apps.get_model("programs", "Programme"))


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_programmes_and_benefits")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
