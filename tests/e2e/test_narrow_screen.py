"""On a 390 px phone no page of the portal scrolls sideways: wide tables scroll inside their card.

The household page's member table used to widen the whole document to ~800 px: the table itself scrolled in its
``.table-responsive`` box, but the absolutely positioned ``.visually-hidden`` header of the actions column took the
page as its containing block and escaped the box. The same happened on every table with such a header."""

import pytest
from django.conf import settings
from django.urls import reverse

from core.demo import demo_load
from households.demo import demo_communes, households_generate
from households.demo_targets import demo_targets_load
from households.models import Household
from programs.catalogue import catalogue_load
from programs.demo import support_generate
from programs.models import Programme
from reviews.demo import review_demo_load

from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(db):
    demo_load()
    catalogue_load()
    communes = demo_communes(["24079"])  # Xã Ia RSai
    households_generate(communes=communes, per_commune=25, seed=2021)
    demo_targets_load(seed=2021)
    support_generate(communes=communes, seed=2021)
    return review_demo_load()


def phone_page(browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_fits(page, live_server, path, screenshot=None, name=""):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, path
    width = page_width(page)
    if screenshot and name:
        screenshot(page, name)
    assert width <= PHONE["width"], f"{path} is {width} px wide at {PHONE['width']} px"


def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, demo, screenshot):
    review = demo
    household = Household.objects.filter(commune__code="24079", members__isnull=False).distinct().first()
    credit = Programme.objects.get(code="VBSP_POOR")

    page = phone_page(browser)
    sign_in(page, live_server, "xa.iarsai")
    assert_fits(page, live_server, reverse("households:detail", args=[household.pk]), screenshot, "phone-household")
    members = page.get_by_test_id("members")
    assert members.is_visible() and members.locator("tbody tr").count() >= 1
    # The table keeps its columns and scrolls inside the card instead.
    box = page.evaluate(
        "() => { const t = document.querySelector('[data-testid=members]');"
        " return [t.parentElement.clientWidth, t.parentElement.scrollWidth]; }"
    )
    assert box[0] <= PHONE["width"] < box[1]
    for path in (
        reverse("households:list"),
        reverse("households:targets"),
        reverse("households:transitions"),
        reverse("reviews:list"),
        reverse("reviews:detail", args=[review.pk]),
        reverse("reviews:log", args=[review.pk]),
        reverse("programs:index"),
        reverse("programs:programme", args=[credit.pk]),
        reverse("programs:household", args=[household.pk]),
        reverse("programs:bhyt_list"),
        reverse("programs:electricity"),
        reverse("programs:coverage_unsupported"),
        reverse("programs:coverage_uninsured"),
    ):
        assert_fits(page, live_server, path)
    page.context.close()

    district = phone_page(browser)
    sign_in(district, live_server, "huyen.krongpa")
    for path in (
        "/",
        reverse("households:targets"),
        reverse("reviews:submissions"),
        reverse("programs:figures"),
        reverse("households:detail", args=[household.pk]),
    ):
        assert_fits(district, live_server, path)
    # English labels are longer: the same pages in English
    district.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    for path in (reverse("programs:figures"), reverse("households:detail", args=[household.pk])):
        assert_fits(district, live_server, path)
    district.context.close()


@pytest.fixture
def accounts(db):
    demo_load()


def test_capital_i_is_not_lowercase_l_in_place_names(page, live_server, accounts, screenshot):
    """ "Ia RSai" must not read "la RSai": the portal's face draws capital I and lowercase l differently (ADR 0018)."""
    sign_in(page, live_server, "xa.iarsai")
    assert "Xã Ia RSai" in page.locator("header").inner_text()
    glyphs = page.evaluate(
        """async () => {
            const family = getComputedStyle(document.body).fontFamily;
            await document.fonts.load('40px "IBM Plex Sans"', 'Il');
            const canvas = document.createElement('canvas');
            canvas.width = canvas.height = 60;
            const pen = canvas.getContext('2d');
            const draw = (letter) => {
                pen.clearRect(0, 0, 60, 60);
                pen.font = '40px ' + family;
                pen.fillText(letter, 10, 45);
                return Array.from(pen.getImageData(0, 0, 60, 60).data).join();
            };
            return {family, loaded: document.fonts.check('40px "IBM Plex Sans"'), differ: draw('I') !== draw('l')};
        }"""
    )
    assert glyphs["family"].startswith('"IBM Plex Sans"') and glyphs["loaded"], glyphs
    assert glyphs["differ"], "capital I and lowercase l are drawn alike"
    screenshot(page, "ia-rsai-dashboard")
