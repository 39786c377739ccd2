"""``{% kept %}`` (core.templatetags.portal): markup the same for every request of a language, written once per
process. It must accept only constants, follow the language, and leave the base page exactly as it was."""

import re

import pytest
from django.template import Context, RequestContext, Template, TemplateSyntaxError
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "inside",
    [
        "{{ user }}",
        "{% translate title %}",
        "{% translate 'Đăng xuất' as label %}",
        "{% url 'households:detail' household.pk %}",
        "{% static path %}",
        "{% if user %}x{% endif %}",
        "{% csrf_token %}",
        "{% now 'd/m/Y' %}",
        "{% include 'includes/messages.html' %}",
    ],
)
def test_only_constants_may_be_kept(inside):
    with pytest.raises(TemplateSyntaxError):
        Template("{% load i18n static portal %}{% kept %}<p>" + inside + "</p>{% endkept %}")


def test_kept_markup_follows_the_language():
    template = Template(
        "{% load i18n static portal %}{% kept %}<a href=\"{% url 'accounts:profile' %}\">{% translate 'Đăng xuất' %}"
        "</a><img src=\"{% static 'img/emblem.svg' %}\">{% endkept %}"
    )
    plain = Template(
        "{% load i18n static %}<a href=\"{% url 'accounts:profile' %}\">{% translate 'Đăng xuất' %}"
        "</a><img src=\"{% static 'img/emblem.svg' %}\">"
    )
    for language in ("vi", "en", "vi"):
        with translation.override(language):
            assert template.render(Context()) == plain.render(Context())
    with translation.override("en"):
        assert "Đăng xuất" not in template.render(Context())


TOKENS = re.compile(r'(name="(?:csrfmiddlewaretoken|submit_token)" value=")[^"]+"')


@pytest.mark.parametrize("role", ["commune_officer", "admin"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_base_page_is_written_as_without_kept_blocks(users, role, language):
    source = get_template("base.html").template.source
    assert "{% kept %}" in source
    unkept = Template(source.replace("{% kept %}", "").replace("{% endkept %}", ""))
    request = RequestFactory().get(reverse("households:list"))
    request.user = getattr(users, role)
    request.resolver_match = resolve(request.path)
    with translation.override(language):
        for _twice in range(2):  # written, then kept
            kept = get_template("base.html").template.render(RequestContext(request, {}))
            plain = unkept.render(RequestContext(request, {}))
            assert TOKENS.sub(r"\1…", kept) == TOKENS.sub(r"\1…", plain)
