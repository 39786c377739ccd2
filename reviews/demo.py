"""Demo review round: the annual review of one demo commune taken up to the district's approval.

Idempotent: a commune that already has its periodic round for the year is left as it is. Meant to be called
after the demo households are generated (households.demo), e.g. from the demo loader.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit

from . import calendar, services
from .choices import RoundKind, RoundState, SignerForm
from .models import ReviewRound, VillageMeeting
from .survey import facts_from_household

DEMO_COMMUNE = "24079"  # Xã Ia RSai (Krông Pa), the commune of the demo account xa.iarsai
ATTENDEES, AGREEING = 40, 34  # 85 % of the attendees agree with each household's result
CHAIRMAN_NAME = "Ksor Y Hanh"  # a made-up chairman of the demo commune, who signs the posted list


def demo_review_year(commune: AdministrativeUnit, today: date) -> int:
    """The year whose annual review the demo shows: this year's once its window has opened (QĐ 24/2021, Điều 3:
    from 1/9 unless the province sets other dates), before that last year's, whose lists still wait for approval."""
    return today.year if today >= calendar.window_for(commune, today.year).periodic_start else today.year - 1


@transaction.atomic
def review_demo_load(*, commune: AdministrativeUnit | None = None, year: int | None = None) -> ReviewRound | None:
    """Open, survey (from the registry's facts), meet, post and submit the commune's periodic round."""
    commune = commune or AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, code=DEMO_COMMUNE).first()
    officer = User.objects.filter(role=Role.COMMUNE_OFFICER, unit=commune, is_active=True).order_by("pk").first()
    if commune is None or officer is None:
        return None
    today = timezone.localdate()
    year = year or demo_review_year(commune, today)
    existing = ReviewRound.objects.filter(commune=commune, kind=RoundKind.PERIODIC, year=year).first()
    if existing:
        return existing
    round = services.review_round_open(commune=commune, kind=RoundKind.PERIODIC, year=year, user=officer)
    cases = list(round.cases.select_related("household__village"))
    if not cases:
        return round
    for case in cases:
        services.review_case_save(
            case=case,
            facts=facts_from_household(case.household),
            answers={},
            final=True,
            user=officer,
            expected_version=case.version,
        )
    villages = sorted({case.household.village for case in cases}, key=lambda v: v.name)
    # The meeting two weeks and the posting ten days before the day the round is at: today during the year's
    # review, the last day of the window for last year's review still waiting in the first months of a year.
    at_day = today if year >= today.year else calendar.window_for(commune, year).periodic_end
    held_at = timezone.make_aware(datetime.combine(at_day - timedelta(days=14), time(8, 0)))
    for village in villages:
        round.refresh_from_db()
        meeting = VillageMeeting(
            village=village,
            held_at=held_at,
            location=f"Nhà văn hoá {village.name}",
            chair=f"Trưởng {village.name}",
            secretary="Rà soát viên của xã",
            attendees=ATTENDEES,
            front_representative="Nay H'Luân",
            supervisors="Ủy ban Mặt trận Tổ quốc Việt Nam xã",
            conclusion="Hội nghị thống nhất kết quả rà soát.",
        )
        votes = {case.pk: AGREEING for case in cases if case.household.village_id == village.pk}
        services.village_meeting_record(
            round=round, meeting=meeting, agreeing=votes, user=officer, expected_version=round.version
        )
    round.refresh_from_db()
    services.posting_start(
        round=round,
        starts_on=at_day - timedelta(days=10),
        places=f"Trụ sở UBND {commune.name}; nhà văn hoá các thôn, buôn",
        signer_name=CHAIRMAN_NAME,
        signer_form=SignerForm.CHAIRMAN,
        user=officer,
        expected_version=round.version,
    )
    round.refresh_from_db()
    services.review_round_submit(round=round, user=officer, expected_version=round.version)
    round.refresh_from_db()
    assert round.state in (RoundState.SUBMITTED, RoundState.APPROVED)
    return round
