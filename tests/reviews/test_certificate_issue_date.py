"""The head's personal ID issue date is frozen on the household certificate and printed as "Ngày cấp"."""

from datetime import date

import pytest

from households.models import Member
from reviews.documents import certificate_data
from reviews.models import Certificate

pytestmark = pytest.mark.django_db


def test_the_heads_issue_date_is_frozen_on_the_certificate(walk, households):
    Member.objects.filter(household=households[0], relationship="head").update(
        personal_id="064080012345", personal_id_issued_on=date(2021, 4, 12)
    )
    walk.to_recognised()
    certificate = Certificate.objects.get(household=households[0])
    assert certificate.snapshot["head_personal_id_issued_on"] == "2021-04-12"
    data = certificate_data(certificate)
    assert data.head_personal_id == "064080012345" and data.head_id_issued_on == date(2021, 4, 12)

    # A later correction in the registry does not change a certificate already issued.
    Member.objects.filter(household=households[0], relationship="head").update(personal_id_issued_on=None)
    certificate.refresh_from_db()
    assert certificate_data(certificate).head_id_issued_on == date(2021, 4, 12)

    # No issue date known (or a certificate frozen before the field existed): the line stays empty.
    other = Certificate.objects.get(household=households[1])
    assert certificate_data(other).head_id_issued_on is None
    other.snapshot.pop("head_personal_id_issued_on")
    assert certificate_data(other).head_id_issued_on is None
