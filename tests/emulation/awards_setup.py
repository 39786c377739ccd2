"""Shared setup of the nomination and award tests: a district movement, users of sibling units, a household."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from emulation.models import AwardForm, Level, Movement, SubjectType
from households import services as household_services
from households.models import Household
from tests.factories import UserFactory
from tests.households.conftest import POOR_FACTS, family

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def evidence_pdf(name="bao-cao-thanh-tich.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(name="movement")
def movement_fixture(tree):
    return Movement.objects.create(
        name="Vì người nghèo – Không để ai bị bỏ lại phía sau",
        phase_start=2021,
        phase_end=2025,
        unit=tree.district,
        launch_number="45/KH-UBND",
        launch_date=datetime.date(2022, 7, 1),
        launch_signer="Nguyễn Văn Hùng",
        launch_title="Kế hoạch",
        legal_basis="Quyết định số 666/QĐ-TTg ngày 02/6/2022 của Thủ tướng Chính phủ",
        levels=[Level.COMMUNE, Level.HOUSEHOLD],
    )


@pytest.fixture(name="others")
def others_fixture(tree):
    """Staff of units next to the users': a sibling commune, another district, another province."""
    return {
        "sibling": UserFactory(username="xa.phutuc", role=Role.COMMUNE_OFFICER, unit=tree.sibling_commune),
        "other_district": UserFactory(username="huyen.iapa", role=Role.DISTRICT_STAFF, unit=tree.other_district),
        "other_province": UserFactory(username="tinh.kontum", role=Role.PROVINCE_STAFF, unit=tree.other_province),
    }


@pytest.fixture(name="household")
def household_fixture(tree, users):
    h = Household(code="IRS-101", village=tree.village, **POOR_FACTS)
    return household_services.household_save(
        household=h, members=family(), user=users.commune_officer, expected_version=None
    )


def nomination_data(movement, household, **overrides):
    data = {
        "movement": movement,
        "year": 2024,
        "subject_type": SubjectType.HOUSEHOLD,
        "household": household,
        "achievements": "Tự vươn lên thoát nghèo năm 2023, hiến 200 m² đất làm đường thôn.",
        "requested_form": AwardForm.DISTRICT_CERTIFICATE,
    }
    data.update(overrides)
    return data
