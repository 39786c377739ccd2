"""The menu's markup is written once per process for each kind of user, page and language (core.context_processors):
it must be what the template's loops wrote on every page, light the current page and follow the language."""

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def loop_markup(items) -> str:
    """The menu as base.html's loops wrote it before it was kept (the same include, rendered afresh)."""
    source = get_template("includes/navigation.html").template.source
    return Template(source).render(Context({"nav_items": items})).strip()


@pytest.mark.parametrize("role", ["commune_officer", "district_staff", "province_staff", "admin"])
@pytest.mark.parametrize("page", ["dashboards:index", "households:list", "reviews:list", "households:targets"])
def test_the_kept_menu_is_the_one_the_loops_write(client_for, users, role, page):
    client = client_for(getattr(users, role))
    for _twice in range(2):  # written, then kept
        response = client.get(reverse(page))
        if response.status_code != 200:
            pytest.skip(f"{page} does not open for {role}")
        html = response.content.decode()
        assert loop_markup(response.context["nav_items"]) in html
        assert '<ul class="navbar-nav me-auto">' in html


def test_the_kept_menu_lights_the_current_page_and_follows_the_language(client_for, users):
    client = client_for(users.province_staff)
    households = f'href="{reverse("households:list")}" aria-current="page"'
    assert households in client.get(reverse("households:list")).content.decode()
    assert households not in client.get(reverse("dashboards:index")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    with translation.override("en"):
        english = client.get(reverse("households:list")).content.decode()
    assert "Households" in english and ">Hộ gia đình</a>" not in english
