"""The BHYT cards' numbers indexed whether the record is cancelled or not: the programme page's search finds a card
by its whole number, cancelled records included when the officer asks for them (the one-card rule's unique index
holds the records in force only). Built concurrently, so that recording support goes on meanwhile."""

from django.db import migrations

from core.concurrent_index import create_index_concurrently

INDEX = (
    "programs_benefit_card_number_idx",
    "ON programs_benefit (programme_id, card_number) WHERE card_number <> ''",
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("programs", "0018_field_labels")]

    operations = [*create_index_concurrently(*INDEX)]
