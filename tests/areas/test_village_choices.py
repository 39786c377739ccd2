"""The villages a list filter offers are kept per process (areas.selectors.village_choices_for): each user gets those
of their own scope, and a unit saved or deleted shows at once, without a query per page otherwise."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from areas.models import AdministrativeUnit
from areas.selectors import village_choices_for

from ..factories import VillageFactory

pytestmark = pytest.mark.django_db


def test_each_user_gets_the_villages_of_their_own_scope(users, tree):
    neighbour = VillageFactory(code="24121-01", name="Buôn Ia Mrơn", parent=tree.other_district_commune)
    far = VillageFactory(code="23284-01", name="Thôn Kon Tum", parent=tree.other_province_commune)
    mine = (tree.village.pk, "Buôn Chư Tê – Xã Ia RSai")
    assert village_choices_for(users.commune_officer) == [mine]
    assert village_choices_for(users.district_staff) == [mine]
    province = village_choices_for(users.province_staff)
    assert mine in province and (neighbour.pk, "Buôn Ia Mrơn – Xã Ia Mrơn") in province
    assert far.pk not in dict(province)
    assert {neighbour.pk, far.pk, tree.village.pk} <= set(dict(village_choices_for(users.admin)))
    assert village_choices_for(users.commune_officer) == [mine]  # kept: the province's list did not replace it


def test_the_list_is_kept_until_a_unit_changes(users, tree):
    village_choices_for(users.province_staff)
    with CaptureQueriesContext(connection) as queries:
        village_choices_for(users.province_staff)
    assert len(queries) == 0
    tree.village.name = "Buôn Chư Tê Mới"
    tree.village.save()
    assert (tree.village.pk, "Buôn Chư Tê Mới – Xã Ia RSai") in village_choices_for(users.province_staff)
    tree.commune.name = "Xã Ia RSai Mới"
    tree.commune.save()  # the commune's name is part of each of its villages' labels
    assert (tree.village.pk, "Buôn Chư Tê Mới – Xã Ia RSai Mới") in village_choices_for(users.province_staff)
    added = VillageFactory(code="24079-02", name="Buôn Mới", parent=tree.commune)
    assert (added.pk, "Buôn Mới – Xã Ia RSai Mới") in village_choices_for(users.commune_officer)
    AdministrativeUnit.objects.get(pk=added.pk).delete()
    assert added.pk not in dict(village_choices_for(users.commune_officer))


def test_a_village_out_of_force_is_not_offered(users, tree):
    from datetime import timedelta

    from django.utils import timezone

    village_choices_for(users.commune_officer)
    tree.village.valid_to = timezone.localdate() - timedelta(days=1)
    tree.village.save()
    assert village_choices_for(users.commune_officer) == []


def test_the_filter_form_offers_the_kept_villages_and_checks_the_choice_against_the_scope(users, tree):
    from households.forms import HouseholdFilterForm

    far = VillageFactory(code="23284-01", name="Thôn Kon Tum", parent=tree.other_province_commune)
    form = HouseholdFilterForm({"village": str(tree.village.pk)}, user=users.commune_officer)
    assert form.is_valid() and form.cleaned_data["village"] == tree.village
    assert f'<option value="{tree.village.pk}" selected>Buôn Chư Tê – Xã Ia RSai</option>' in str(form["village"])
    refused = HouseholdFilterForm({"village": str(far.pk)}, user=users.commune_officer)
    assert not refused.is_valid() and "village" in refused.errors


def test_a_change_is_seen_again_once_its_transaction_commits(users, tree, django_capture_on_commit_callbacks):
    """A process that read the villages between a unit's save and its commit saw the old rows: the version moves again
    at the commit, so what it kept is not used."""
    from django.core.cache import cache

    from areas.selectors import UNITS_VERSION_KEY

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tree.village.name = "Buôn Chư Tê Mới"
        tree.village.save()
    saved = cache.get(UNITS_VERSION_KEY)
    for callback in callbacks:
        callback()
    assert callbacks and cache.get(UNITS_VERSION_KEY) != saved
