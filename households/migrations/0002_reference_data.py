"""Load the 54 ethnic groups and the poverty standards shipped with the code (both editable afterwards)."""

from django.db import migrations


def load(apps, schema_editor):
    from households.reference_data import reference_data_load

    reference_data_load(apps.get_model("households", "EthnicGroup"), apps.get_model("households", "PovertyStandard"))


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
