"""English mode shows the English of data labels: indicator names (standards' JSON) and programme names (columns),
while the interface's Vietnamese stays the default (ADR 0019)."""

from datetime import date

from django.conf import settings
from django.urls import reverse

from core.data_labels import localized
from households.labels import indicator_name
from programs import services as programme_services
from programs.models import Programme
from tests.programs.conftest import set_status
from tests.programs.test_services import loan


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_household_page_and_its_classification_in_english(client_for, users, make_household):
    household = make_household()
    client = client_for(users.commune_officer)
    vietnamese = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "Bảo hiểm y tế" in vietnamese and "Health insurance" not in vietnamese

    english = in_english(client).get(reverse("households:detail", args=[household.pk])).content.decode()
    for name in ("Health insurance", "Housing quality", "Domestic water source", "Hygienic latrine"):
        assert name in english, name
    assert "Nhà tiêu hợp vệ sinh</td>" not in english


def test_household_support_in_english_names_the_programmes_in_english(client_for, users, make_household):
    household = set_status(make_household(), ("poor", date(2025, 1, 1), None))
    programme_services.benefit_record(benefit=loan(household), user=users.commune_officer)
    client = in_english(client_for(users.commune_officer))
    html = client.get(reverse("programs:household", args=[household.pk])).content.decode()
    assert "Loans to poor households" in html and "Health insurance card" in html
    credit = Programme.objects.get(code="VBSP_POOR")
    page = client.get(reverse("programs:programme", args=[credit.pk])).content.decode()
    assert "Loans to poor households (VBSP)" in page


def test_english_falls_back_to_vietnamese_when_not_filled():
    from django.utils import translation

    with translation.override("en"):
        assert localized({"name": "Cho vay", "name_en": ""}) == "Cho vay"
        assert localized({"name": "Cho vay", "name_en": "Loans"}) == "Loans"
        assert indicator_name("ND07_2021", "no_such_code", "Chỉ số mới") == "Chỉ số mới"
    with translation.override("vi"):
        assert localized({"name": "Cho vay", "name_en": "Loans"}) == "Cho vay"
        assert indicator_name("ND07_2021", "latrine", "Nhà tiêu hợp vệ sinh") == "Nhà tiêu hợp vệ sinh"
