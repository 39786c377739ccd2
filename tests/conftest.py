"""Shared fixtures: a small administrative tree in two provinces and one user per role."""

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

from accounts.choices import Role
from areas.choices import UnitKind

from .factories import CommuneFactory, DistrictFactory, ProvinceFactory, UserFactory, VillageFactory

# Property tests check meaning, not speed: Hypothesis' default of 200 ms per example is a timed assertion, which
# fails on a loaded machine (CI shares its cores). Numbers belong in benchmarks/, so no example has a deadline.
hypothesis_settings.register_profile("giamngheo", deadline=None)
hypothesis_settings.load_profile("giamngheo")


@dataclass
class Tree:
    province: object
    district: object
    commune: object
    village: object
    sibling_commune: object  # same district, another commune
    other_district: object  # same province, another district
    other_district_commune: object
    other_province: object
    other_province_commune: object


@pytest.fixture
def tree(db) -> Tree:
    province = ProvinceFactory(code="64", name="Tỉnh Gia Lai")
    district = DistrictFactory(code="637", name="Huyện Krông Pa", parent=province)
    commune = CommuneFactory(code="24079", name="Xã Ia RSai", parent=district)
    village = VillageFactory(code="24079-01", name="Buôn Chư Tê", parent=commune)
    sibling = CommuneFactory(code="24076", name="Thị trấn Phú Túc", kind=UnitKind.TOWNSHIP, parent=district)
    other_district = DistrictFactory(code="635", name="Huyện Ia Pa", parent=province)
    other_district_commune = CommuneFactory(code="24121", name="Xã Ia Mrơn", parent=other_district)
    other_province = ProvinceFactory(code="62", name="Tỉnh Kon Tum")
    other_province_commune = CommuneFactory(
        code="23284", name="Xã Ngọk Bay", parent=DistrictFactory(code="608", parent=other_province)
    )
    return Tree(
        province,
        district,
        commune,
        village,
        sibling,
        other_district,
        other_district_commune,
        other_province,
        other_province_commune,
    )


@dataclass
class Users:
    commune_officer: object
    district_staff: object
    province_staff: object
    admin: object

    def by_role(self, role: str):
        return {
            Role.COMMUNE_OFFICER: self.commune_officer,
            Role.DISTRICT_STAFF: self.district_staff,
            Role.PROVINCE_STAFF: self.province_staff,
            Role.SYSTEM_ADMIN: self.admin,
        }[role]


@pytest.fixture
def users(tree) -> Users:
    return Users(
        commune_officer=UserFactory(username="xa.iarsai", role=Role.COMMUNE_OFFICER, unit=tree.commune),
        district_staff=UserFactory(username="huyen.krongpa", role=Role.DISTRICT_STAFF, unit=tree.district),
        province_staff=UserFactory(username="tinh.gialai", role=Role.PROVINCE_STAFF, unit=tree.province),
        admin=UserFactory(username="quantri", role=Role.SYSTEM_ADMIN, unit=None, is_superuser=True),
    )


@pytest.fixture
def client_for(client):
    """Return a test client signed in as the given user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def reference_data(request):
    """Ethnic groups and poverty standards, which a transactional test's flush may have removed."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db"} & set(request.fixturenames)
    if uses_db:
        transactional = (marker and marker.kwargs.get("transaction")) or "transactional_db" in request.fixturenames
        request.getfixturevalue("transactional_db" if transactional else "db")
        from households.reference_data import reference_data_load

        reference_data_load()
        _reseed_after_flush()


def _reseed_after_flush() -> None:
    """What data migrations seed and a flush removes: the programme catalogue, the legal bases and signature
    authorities of the review documents, the typed indicators of the periodic reports, the reporting calendar. A
    reused test database has lost them to the last run's browser journeys."""
    import importlib

    from django.apps import apps

    from programs.catalogue import catalogue_load
    from programs.models import Programme
    from reports.models import IndicatorDefinition, ReportDeadline
    from reviews.models import SignatureAuthority

    if not Programme.objects.exists():
        catalogue_load()
    if not SignatureAuthority.objects.exists():
        importlib.import_module("reviews.migrations.0002_signature_authority_legal_documents").seed(apps, None)
    if not IndicatorDefinition.objects.exists():
        importlib.import_module("reports.migrations.0002_seed_indicator_definitions").seed(apps, None)
    if not ReportDeadline.objects.exists():
        importlib.import_module("reports.migrations.0003_seed_report_deadlines").seed(apps, None)


@pytest.fixture(autouse=True)
def vietnamese():
    """Each test starts in Vietnamese: a request in an earlier test may have left English active."""
    from django.utils import translation

    with translation.override("vi"):
        yield


def database_url() -> str:
    db = settings.DATABASES["default"]  # after pytest-django's setup this is the test database
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker process on the test database and the test Redis database."""
    from config.celery import app

    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_QUIET_ROOT_WARNING": "1",
    }
    celery = Path(sys.executable).with_name("celery")
    log_dir = Path(settings.BASE_DIR) / ".local"
    log_dir.mkdir(exist_ok=True)
    log = open(log_dir / "test-worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(celery), "-A", "config", "worker", "-l", "info", "-P", "solo", "-n", name, "--without-mingle"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {process.returncode}; see .local/test-worker.log")
        if app.control.ping(timeout=0.5):
            break
    else:
        process.terminate()
        raise RuntimeError("the Celery worker did not answer within 60 s; see .local/test-worker.log")
    yield process
    process.terminate()
    process.wait(timeout=30)
    log.close()
