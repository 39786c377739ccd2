"""No link leads a user to a refusal: for each role, follow every internal link reachable from the dashboard (to
depth 3) on demo-like data and GET it. A 403 means a page offers a link its target's ``allowed_roles`` refuse; a 404
a link outside the user's unit (scoping should have kept it off the page); a 405 a link to a form's POST endpoint;
a 500 a fault. Each is a failure."""

import re
from collections import deque
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.utils import timezone

from accounts.choices import Role
from core.models import JobRun
from households import services as household_services
from households.models import Household, PovertyTarget, StatusRecord
from programs import services as programme_services
from programs.catalogue import catalogue_load
from programs.models import Benefit, Programme
from tests.households.conftest import POOR_FACTS, family
from tests.reviews.conftest import Walk

pytestmark = pytest.mark.django_db

DEPTH = 4
LINK = re.compile(r'href="(/[^"]*)"')
# Not the officer's pages: the Django admin (its own permission system), static files, signing out.
SKIP = ("/admin/", "/static/", "/media/", "/dang-xuat", "/i18n/")


@pytest.fixture
def demo(tree, users):
    """One of each thing the pages link to: households with a status history and support, a recognised review round
    with its submission, decision and certificates, an open in-year round, targets, a registration, a job."""
    catalogue_load()
    today = timezone.localdate()
    made = []
    for code in ("IRS-001", "IRS-002"):
        household = Household(code=code, village=tree.village, **POOR_FACTS)
        made.append(
            household_services.household_save(
                household=household, members=family(), user=users.commune_officer, expected_version=None
            )
        )
    walk = Walk(tree, users)
    walk.to_recognised()
    StatusRecord.objects.filter(household__in=made, valid_to__isnull=True).update(
        valid_from=today - timedelta(days=400)
    )
    benefit = Benefit(
        programme=Programme.objects.get(code="VBSP_POOR"),
        household=made[0],
        date=today - timedelta(days=30),
        amount=50_000_000,
        loan_term_months=36,
        entrusting_organisation="women",
        savings_group="Tổ TK&VV buôn Chư Tê",
    )
    programme_services.benefit_record(benefit=benefit, user=users.commune_officer)
    for unit in (tree.commune, tree.sibling_commune):
        PovertyTarget.objects.create(
            unit=unit,
            year=today.year,
            households_to_escape=3,
            rate_reduction=1,
            legal_basis="Quyết định số 146/QĐ-UBND ngày 22/3/2021",
        )
    JobRun.objects.create(kind="system_check", requested_by=users.commune_officer, unit=tree.commune)
    JobRun.objects.create(kind="system_check", requested_by=users.admin)
    return made


def crawl(client) -> dict[str, tuple[int, str]]:
    """Every internal page reachable from the dashboard within ``DEPTH`` clicks: {url: (status, first referrer)}.

    A page is visited once per set of query parameters (``?page=2`` and ``?page=3`` are one kind of link), which
    keeps the walk to a few hundred requests."""
    seen: dict[str, tuple[int, str]] = {}
    kinds: set[tuple[str, frozenset[str]]] = set()
    queue = deque([("/", "", 0)])
    while queue:
        url, referrer, depth = queue.popleft()
        parts = urlsplit(url)
        kind = (parts.path, frozenset(name for name, _value in parse_qsl(parts.query, keep_blank_values=True)))
        if kind in kinds:
            continue
        kinds.add(kind)
        response = client.get(url)
        seen[url] = (response.status_code, referrer)
        if response.status_code != 200 or depth >= DEPTH:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for href in LINK.findall(response.content.decode()):
            target = urldefrag(unescape(href))[0]
            if target and not target.startswith(SKIP):
                queue.append((target, url, depth + 1))
    return seen


@pytest.mark.parametrize("role", [Role.COMMUNE_OFFICER, Role.DISTRICT_STAFF, Role.PROVINCE_STAFF, Role.SYSTEM_ADMIN])
def test_no_link_leads_to_a_refusal(client_for, users, demo, role):
    pages = crawl(client_for(users.by_role(role)))
    broken = {url: found for url, found in pages.items() if found[0] in (403, 404, 405) or found[0] >= 500}
    assert broken == {}
    paths = {urlsplit(url).path for url in pages}
    assert len(paths) > 15, sorted(paths)  # the crawl really walked the portal


def test_the_survey_page_offers_the_household_form_only_to_those_it_admits(client_for, users, demo):
    """The survey page's "Thêm, bớt thành viên trong sổ hộ" reads the household form's ``allowed_roles``."""
    case = demo[0].review_cases.first()
    for user, shown in ((users.commune_officer, True), (users.district_staff, False), (users.province_staff, False)):
        page = client_for(user).get(f"/ra-soat/ho/{case.pk}/").content.decode()
        assert ("Thêm, bớt thành viên trong sổ hộ" in page) is shown, user.role
