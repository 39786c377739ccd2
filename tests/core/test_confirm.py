"""The pages that confirm a change with a reason and a version share one pattern (core.confirm): a stale or
tampered hidden version is a Vietnamese "reload" message, never a server error, and the reason stays as typed."""

import pytest
from django.urls import reverse

from core.confirm import ReasonConfirmMixin
from households.views import HouseholdArchiveView
from households.views_targets import EscapeRegistrationWithdrawView
from programs.views import BenefitCancelView
from reviews.views import RoundReopenView, SubmissionApproveView, SubmissionReturnView
from tests.households.conftest import family
from tests.households.conftest import make_household as make_household  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "view",
    [
        HouseholdArchiveView,
        BenefitCancelView,
        EscapeRegistrationWithdrawView,
        SubmissionApproveView,
        SubmissionReturnView,
        RoundReopenView,
    ],
)
def test_every_confirm_with_a_reason_page_uses_the_one_pattern(view):
    assert issubclass(view, ReasonConfirmMixin)


@pytest.mark.parametrize("version", ["", "abc"])
def test_a_tampered_version_asks_to_reload_and_keeps_the_reason(client_for, users, make_household, version):  # noqa: F811
    household = make_household(members=family())
    client = client_for(users.commune_officer)
    response = client.post(
        reverse("households:archive", args=[household.pk]), {"reason": "Chuyển đi nơi khác", "version": version}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Trang đã cũ, hãy tải lại." in page and "Chuyển đi nơi khác" in page
    household.refresh_from_db()
    assert not household.is_archived


def test_a_stale_version_is_refused_with_the_reason_kept(client_for, users, make_household):  # noqa: F811
    household = make_household(members=family())
    client = client_for(users.commune_officer)
    response = client.post(
        reverse("households:archive", args=[household.pk]),
        {"reason": "Chuyển đi nơi khác", "version": household.version - 1},
    )
    assert response.status_code == 200 and "Chuyển đi nơi khác" in response.content.decode()
    household.refresh_from_db()
    assert not household.is_archived
