"""Review fixtures: households through the registry service and a helper that walks a round through its steps."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from households import services as household_services
from households.models import Household
from reviews import services
from reviews.choices import RoundKind
from tests.clock import on_the_day_of_import
from tests.factories import UserFactory
from tests.households.conftest import POOR_FACTS, family

YEAR = timezone.localdate().year  # the current year: the window and deadlines are real dates
_on_the_day_of_import = on_the_day_of_import()  # a run across midnight: tests.clock


@pytest.fixture
def make_household(tree, users):
    def make(code="IRS-001", village=None, members=None, **facts) -> Household:
        household = Household(code=code, village=village or tree.village, **{**POOR_FACTS, **facts})
        return household_services.household_save(
            household=household, members=members or family(), user=users.commune_officer, expected_version=None
        )

    return make


@pytest.fixture
def households(make_household):
    """Two poor households in Buôn Chư Tê (the registry's current classification says poor)."""
    return [make_household("IRS-001"), make_household("IRS-002", income_per_capita=1_000_000)]


@pytest.fixture
def sibling_officer(tree):
    return UserFactory(username="xa.phutuc", role=Role.COMMUNE_OFFICER, unit=tree.sibling_commune)


@pytest.fixture
def other_district_staff(tree):
    return UserFactory(username="huyen.iapa", role=Role.DISTRICT_STAFF, unit=tree.other_district)


class Walk:
    """Move a round forward step by step through the real services."""

    def __init__(self, tree, users):
        self.tree, self.users = tree, users
        self.officer = users.commune_officer

    def open(self, kind=RoundKind.PERIODIC, month=None):
        self.round = services.review_round_open(
            commune=self.tree.commune, kind=kind, year=YEAR, month=month, user=self.officer
        )
        return self.round

    def fresh(self):
        self.round.refresh_from_db()
        return self.round

    def survey_all(self):
        for case in self.round.cases.all():
            services.review_case_save(
                case=case,
                facts={**{k: v for k, v in POOR_FACTS.items() if k != "reference_date"}, "agricultural": True},
                answers={},
                final=True,
                user=self.officer,
                expected_version=case.version,
            )

    def meet(self, agreeing=30, attendees=40):
        from reviews.models import VillageMeeting

        meeting = VillageMeeting(
            village=self.tree.village,
            held_at=timezone.now() - timedelta(days=14),  # held before the posting that starts 10 days ago
            location="Nhà văn hoá buôn",
            chair="Ksor Y Phen",
            secretary="Rơ Mah H'Bia",
            attendees=attendees,
            supervisors="Ủy ban MTTQ xã",
        )
        votes = {c.pk: agreeing for c in self.fresh().cases.all()}
        return services.village_meeting_record(
            round=self.round, meeting=meeting, agreeing=votes, user=self.officer, expected_version=self.fresh().version
        )

    def post(self, starts_on=None):
        return services.posting_start(
            round=self.fresh(),
            starts_on=starts_on or timezone.localdate() - timedelta(days=10),
            places="Trụ sở UBND xã; nhà văn hoá buôn",
            signer_name="Nguyễn Văn Hùng",
            signer_form="TM.",
            user=self.officer,
            expected_version=self.round.version,
        )

    def submit(self):
        return services.review_round_submit(round=self.fresh(), user=self.officer, expected_version=self.round.version)

    def approve(self, user=None):
        submission = self.fresh().submissions.first()
        return services.submission_approve(
            submission=submission, user=user or self.users.district_staff, expected_version=self.round.version
        )

    def recognise(self, signed_on=None):
        return services.review_round_recognise(
            round=self.fresh(),
            number="125/QĐ-UBND",
            signed_on=signed_on or timezone.localdate(),
            signer_name="Nguyễn Văn Hùng",
            signer_form="TM.",
            user=self.officer,
            expected_version=self.round.version,
        )

    def to_recognised(self):
        self.open()
        self.survey_all()
        self.meet()
        self.post()
        self.submit()
        self.approve()
        return self.recognise()


@pytest.fixture
def walk(tree, users, households):
    return Walk(tree, users)


def today() -> date:
    return timezone.localdate()
