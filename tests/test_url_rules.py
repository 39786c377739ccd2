"""Every URL has a rule: anonymous visitors go to the login page, each portal view declares its roles,
and each role gets exactly the pages it may use (manage.get.gov style: a gap fails the build)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.choices import Role
from accounts.permissions import RoleRequiredMixin

# Views that are deliberately open or have their own rule.
PUBLIC = {"accounts:login", "set_language", "healthz"}
OWN_RULE = {"accounts:logout"}  # any signed-in user may sign out


def walk(patterns=None, namespace="", prefix=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, prefix + str(entry.pattern), entry


def portal_patterns():
    return [(name, route, entry) for name, route, entry in walk() if name and not name.startswith("admin:")]


def sample_path(route: str) -> str:
    # Every integer of the route (pk, and a second one such as a unit and a year) becomes 1.
    return "/" + re.sub(r"<int:\w+>", "1", route).replace("<path:object_id>", "1").lstrip("^").rstrip("$")


GUARDED = [(n, r) for n, r, _ in walk() if ("<" not in r or "<int:pk>" in r) and n not in PUBLIC]


@pytest.mark.django_db
@pytest.mark.parametrize("name,route", GUARDED)
def test_anonymous_visitor_is_sent_to_login(client, name, route):
    response = client.get(sample_path(route))
    assert response.status_code == 302, f"{name} answered {response.status_code}"
    assert response["Location"].startswith((reverse("accounts:login"), "/admin/login/"))


def test_every_portal_view_declares_allowed_roles():
    missing = []
    for name, _route, entry in portal_patterns():
        if name in PUBLIC | OWN_RULE:
            continue
        view_class = getattr(entry.callback, "view_class", None)
        if not (view_class and issubclass(view_class, RoleRequiredMixin) and view_class.allowed_roles):
            missing.append(name)
    assert not missing, f"views without a role rule: {missing}"


def test_login_and_health_are_public(client, db):
    assert client.get(reverse("accounts:login")).status_code == 200
    assert client.get(reverse("healthz")).content == b"ok"


ALL = set(Role)
ADMIN = {Role.SYSTEM_ADMIN}

# (URL name, needs the commune's pk, roles answered 200) — every other role gets 403.
MATRIX = [
    ("dashboards:index", False, ALL),
    ("core:job_list", False, ALL),
    ("core:system_status", False, ADMIN),
    ("areas:list", False, ALL),
    ("areas:export", False, ALL),
    ("areas:detail", True, ALL),
    ("areas:create", False, ADMIN),
    ("areas:update", True, ADMIN),
    ("accounts:profile", False, ALL),
    ("accounts:password_change", False, ALL),
    ("accounts:user_list", False, ADMIN),
    ("accounts:user_create", False, ADMIN),
    ("households:transitions", False, ALL),
    ("households:transitions_export", False, ALL),
    ("households:targets", False, ALL),
    ("households:escape_register", False, {Role.COMMUNE_OFFICER}),
    ("households:opening", False, ALL),
    ("households:opening_template", False, ALL),
    ("reviews:list", False, ALL),
    ("reviews:create", False, {Role.COMMUNE_OFFICER, Role.SYSTEM_ADMIN}),  # the administrator is a superuser
    ("reviews:submissions", False, ALL),
    ("reviews:requests", False, ALL),
    ("reviews:request_create", False, {Role.COMMUNE_OFFICER, Role.SYSTEM_ADMIN}),
    ("reports:list", False, ALL),
    ("reports:create", False, ALL),  # officers; the administrator is a superuser (and is told he has no unit)
    ("reports:centre", False, {Role.DISTRICT_STAFF, Role.PROVINCE_STAFF, Role.SYSTEM_ADMIN}),
    ("reports:downloads", False, ALL),
    ("emulation:nominations", False, ALL),
    ("emulation:nomination_create", False, ALL),  # officers; the administrator is told he has no unit
    ("emulation:decisions", False, ALL),
    ("emulation:decision_create", False, ALL),
    ("emulation:register", False, ALL),
    ("emulation:register_export", False, ALL),
    ("emulation:examples", False, ALL),
    ("emulation:example_create", False, ALL),
    ("emulation:movement_list", False, ALL),
    ("emulation:movement_create", False, {Role.DISTRICT_STAFF, Role.PROVINCE_STAFF, Role.SYSTEM_ADMIN}),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("url_name,with_unit,allowed", MATRIX)
def test_role_matrix(client_for, users, tree, role, url_name, with_unit, allowed):
    client = client_for(users.by_role(role))
    url = reverse(url_name, args=[tree.commune.pk] if with_unit else [])
    response = client.get(url)
    if response.status_code == 302 and role in allowed:  # an export larger than a commune goes to its job's page
        assert resolve(response["Location"]).view_name == "core:job_detail", url
        return
    assert response.status_code == (200 if role in allowed else 403), url


@pytest.mark.parametrize("url_name", ["accounts:user_update", "accounts:user_set_password", "accounts:user_set_active"])
@pytest.mark.parametrize("role", list(Role))
def test_role_matrix_for_account_pages(client_for, users, role, url_name):
    target = users.commune_officer
    response = client_for(users.by_role(role)).get(reverse(url_name, args=[target.pk]))
    assert response.status_code == (200 if role == Role.SYSTEM_ADMIN else 403)


@pytest.mark.parametrize(
    "role,unit_attr,expected",
    [
        (Role.COMMUNE_OFFICER, "commune", 200),
        (Role.COMMUNE_OFFICER, "village", 200),
        (Role.COMMUNE_OFFICER, "sibling_commune", 404),
        (Role.COMMUNE_OFFICER, "district", 404),
        (Role.DISTRICT_STAFF, "sibling_commune", 200),
        (Role.DISTRICT_STAFF, "other_district_commune", 404),
        (Role.DISTRICT_STAFF, "province", 404),
        (Role.PROVINCE_STAFF, "other_district_commune", 200),
        (Role.PROVINCE_STAFF, "other_province_commune", 404),
        (Role.SYSTEM_ADMIN, "other_province_commune", 200),
    ],
)
def test_unit_outside_scope_is_404(client_for, users, tree, role, unit_attr, expected):
    unit = getattr(tree, unit_attr)
    response = client_for(users.by_role(role)).get(reverse("areas:detail", args=[unit.pk]))
    assert response.status_code == expected
