"""Benchmark: a commune's annual review round at scale, step by step, then its pages, on a benchmark database.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/review_round.py --database gn_rv --commune 24082
        [--steps open,survey,rest,approve,recognise] [--pages]

WRITES to the database it is given (use a copy of the million-household province: ``CREATE DATABASE gn_rv TEMPLATE
gn_gen``): opens the commune's periodic round of this year as its commune officer, surveys every case from the
registry's facts (``review_case_save``, the survey page's service), records one meeting per village with every case
agreed, starts the posting, submits, approves along the chain and recognises, each step through the service its page
calls, printing its wall time, this process's CPU time and its statements (Django's capture stops counting at 9.000).
With ``--pages``, then GETs the round's pages as the commune officer and the district and province staff (the test
client, signed in without a password), best of two, with status, statements and size. Numbers go to
docs/performance.md ("Review rounds at a commune of the million") by hand.
"""

import argparse
import os
import sys
import time
from datetime import datetime, timedelta
from datetime import time as day_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STEPS = ("open", "survey", "rest", "approve", "recognise")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True, help="a copy of the million-household database (written to)")
    parser.add_argument("--commune", default="24082", help="the commune's code (it needs a commune officer)")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated, in order: " + ", ".join(STEPS))
    parser.add_argument("--pages", action="store_true", help="time the round's pages afterwards")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DATABASE_URL"] = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[0]}/{args.database}"

    import logging
    import warnings

    import django

    django.setup()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.choices import Role
    from accounts.models import User
    from areas.models import AdministrativeUnit
    from reviews import calendar, services
    from reviews.choices import RoundKind, SignerForm, SubmissionState
    from reviews.demo import demo_review_year
    from reviews.models import ReviewRound, VillageMeeting
    from reviews.survey import facts_from_household

    commune = AdministrativeUnit.objects.get(code=args.commune)
    officer = User.objects.filter(role=Role.COMMUNE_OFFICER, unit=commune, is_active=True).order_by("pk").first()
    today = timezone.localdate()
    year = demo_review_year(commune, today)
    print(f"database {args.database}, {commune.name}, officer {officer.username}, year {year}; load {os.getloadavg()}")

    def timed(label, work, **arguments):
        """``work(**arguments)``, timed; its result."""
        connection.queries_log.clear()  # the capture counts in a log of 9.000 entries: a full one counts nothing
        with CaptureQueriesContext(connection) as context:
            start, started = time.perf_counter(), time.process_time()
            result = work(**arguments)
            wall, cpu = time.perf_counter() - start, time.process_time() - started
        statements = len(context.captured_queries)
        more = "+" if statements >= 9000 else ""
        print(f"{label:44} {wall:8.2f} s wall {cpu:7.2f} s CPU {statements:6d}{more} statements")
        return result

    def fresh() -> ReviewRound:
        return ReviewRound.objects.get(commune=commune, kind=RoundKind.PERIODIC, year=year)

    for step in args.steps.split(","):
        if step == "open":
            round = timed(
                "open the round",
                services.review_round_open,
                commune=commune,
                kind=RoundKind.PERIODIC,
                year=year,
                user=officer,
            )
            print(f"  {round.cases.count()} cases")
        elif step == "survey":
            cases = list(fresh().cases.select_related("household__village").filter(proposed_class=""))

            def survey(part):
                for case in part:
                    services.review_case_save(
                        case=case,
                        facts=facts_from_household(case.household),
                        answers={},
                        final=True,
                        user=officer,
                        expected_version=case.version,
                    )

            timed("survey 50 cases", survey, part=cases[:50])
            timed(f"survey the other {len(cases) - 50} cases", survey, part=cases[50:])
        elif step == "rest":
            round = fresh()
            cases = list(round.cases.select_related("household__village"))
            at_day = today if year >= today.year else calendar.window_for(commune, year).periodic_end
            held_at = timezone.make_aware(datetime.combine(at_day - timedelta(days=14), day_time(8, 0)))
            for village in sorted({c.household.village for c in cases}, key=lambda v: v.name):
                round.refresh_from_db()
                meeting = VillageMeeting(
                    village=village,
                    held_at=held_at,
                    location=f"Nhà văn hoá {village.name}",
                    chair=f"Trưởng {village.name}",
                    secretary="Rà soát viên",
                    attendees=40,
                    supervisors="Ủy ban Mặt trận Tổ quốc Việt Nam xã",
                    conclusion="Thống nhất.",
                )
                votes = {c.pk: 34 for c in cases if c.household.village_id == village.pk}
                timed(
                    f"meeting of {village.name} ({len(votes)} cases)",
                    services.village_meeting_record,
                    round=round,
                    meeting=meeting,
                    agreeing=votes,
                    user=officer,
                    expected_version=round.version,
                )
            round.refresh_from_db()
            timed(
                "start the posting",
                services.posting_start,
                round=round,
                starts_on=at_day - timedelta(days=10),
                places="Trụ sở UBND xã",
                signer_name="Chủ tịch xã",
                signer_form=SignerForm.CHAIRMAN,
                user=officer,
                expected_version=round.version,
            )
            round.refresh_from_db()
            timed("submit", services.review_round_submit, round=round, user=officer, expected_version=round.version)
        elif step == "approve":
            round = fresh()
            submission = round.submissions.order_by("-pk").first()
            while submission.state != SubmissionState.APPROVED:
                staff = User.objects.filter(is_active=True).exclude(role=Role.COMMUNE_OFFICER).order_by("pk")
                approver = next(u for u in staff if services.may_approve(u, submission))
                timed(
                    f"approve ({approver.username})",
                    services.submission_approve,
                    submission=submission,
                    user=approver,
                    expected_version=round.version,
                )
                round.refresh_from_db()
                submission.refresh_from_db()
        elif step == "recognise":
            round = fresh()
            decision = timed(
                "recognise",
                services.review_round_recognise,
                round=round,
                number="125/QĐ-UBND",
                signed_on=today,
                signer_name="Chủ tịch xã",
                signer_form=SignerForm.CHAIRMAN,
                user=officer,
                expected_version=round.version,
            )
            print(f"  {decision.certificates.count()} certificates")
    if args.pages:
        pages(fresh(), officer)


def pages(round, officer) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User

    submission = round.submissions.order_by("-pk").first()
    decision = round.decisions.order_by("-pk").first()
    certificate = decision.certificates.first() if decision else None
    meeting = round.meetings.first()
    detail = reverse("reviews:detail", args=[round.pk])
    by_user = {
        officer.username: [
            ("round", detail),
            ("round, page 2", f"{detail}?page=2"),
            ("round's log", reverse("reviews:log", args=[round.pk])),
            ("a case's survey", reverse("reviews:case", args=[round.cases.first().pk])),
            ("meeting form", reverse("reviews:meeting", args=[round.pk])),
            ("submission", reverse("reviews:submission", args=[submission.pk]) if submission else None),
            ("a certificate (PDF)", reverse("reviews:certificate_pdf", args=[certificate.pk]) if certificate else None),
            ("meeting minutes (PDF)", reverse("reviews:minutes_pdf", args=[meeting.pk]) if meeting else None),
        ],
        "huyen.krongpa": [
            ("submissions", reverse("reviews:submissions")),
            ("submission", reverse("reviews:submission", args=[submission.pk]) if submission else None),
            ("round", detail),
        ],
        "tinh.gialai": [("submissions", reverse("reviews:submissions")), ("rounds", reverse("reviews:list"))],
    }
    for username, urls in by_user.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, url in urls:
            if url is None:
                continue
            times = []
            for _ in range(2):
                with CaptureQueriesContext(connection) as context:
                    start = time.perf_counter()
                    response = client.get(url)
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                    times.append(time.perf_counter() - start)
            print(
                f"{username:14} {label:22} {response.status_code} {min(times) * 1000:8.0f} ms "
                f"{len(context.captured_queries):4d} statements {len(body) / 1024:8.0f} KiB  {url}"
            )


if __name__ == "__main__":
    main()
