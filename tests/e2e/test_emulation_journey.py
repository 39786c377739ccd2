"""The emulation movement end to end, through the real Celery worker: Krông Pa's district staff evaluate the communes
against the movement's criteria; Ia RSai proposes one of its households for the district chairman's Giấy khen and
submits it; the district's emulation council reviews it and the district's award decision is issued; the award is in
the register; the commune records the year's results; the district's summary report of the phase (tổng kết) tells
both, and its results roll-up sums them. Krông Pa is a district in force in the demo's three-tier data, so its
chairman grants Giấy khen on any day this test runs (emulation.nominations: a district in force on the day)."""

import re

import pytest
from django.utils import timezone

from accounts.models import User
from core.demo import demo_load
from emulation.criteria import criteria_copy_template
from emulation.models import Award, Level, Milestone, MilestoneKind, Movement, Nomination
from emulation.movements import movement_create
from households.demo import households_generate
from households.models import Household

from .test_reports_journey import wait_for_generation
from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

YEAR = 2025  # the phase's last year: the summary report of it is the tổng kết


@pytest.fixture
def movement():
    from datetime import date

    demo_load()
    district_staff = User.objects.get(username="huyen.krongpa")
    communes = [User.objects.get(username=name).unit for name in ("xa.iarsai", "xa.phutuc")]
    households_generate(communes=communes, per_commune=20, seed=11)
    movement = movement_create(
        movement=Movement(
            name="Krông Pa chung tay vì người nghèo – Không để ai bị bỏ lại phía sau",
            phase_start=2021,
            phase_end=2025,
            launch_number="132/KH-UBND",
            launch_date=date(2022, 7, 15),
            legal_basis="Quyết định số 666/QĐ-TTg ngày 02/6/2022",
            levels=[Level.COMMUNE, Level.HOUSEHOLD],
        ),
        milestones=[Milestone(kind=MilestoneKind.LAUNCH, due_on=date(2022, 7, 15))],
        user=district_staff,
    )
    criteria_copy_template(movement=movement)
    return movement


def test_evaluate_propose_review_decide_register_and_report(browser, live_server, movement, celery_worker, screenshot):
    household = Household.objects.filter(village__path__startswith=User.objects.get(username="xa.iarsai").unit.path)
    household = household.order_by("code").first()

    # District staff evaluate the communes.
    page = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN").new_page()
    page.set_default_timeout(60_000)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "huyen.krongpa")
    page.goto(f"{live_server.url}/thi-dua/{movement.pk}/danh-gia/")
    page.get_by_test_id("evaluation-form").locator("[name=year]").select_option(str(YEAR))
    page.get_by_test_id("evaluate").click()
    # the evaluation runs on the worker: its progress page opens the evaluation when the job is done
    page.wait_for_url(re.compile(r"/thi-dua/danh-gia/\d+/$"))
    assert page.get_by_test_id("subject-commune-24079").count() >= 1, page.url
    screenshot(page, "emulation-evaluation")
    page.context.close()

    # The commune proposes a household, submits it; its council reviews it; the chairman's decision is issued.
    page = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN").new_page()
    page.set_default_timeout(60_000)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "xa.iarsai")
    page.goto(f"{live_server.url}/thi-dua/de-nghi/moi/")
    form = page.get_by_test_id("nomination-form")
    form.locator("[name=movement]").select_option(str(movement.pk))
    form.locator("[name=year]").fill(str(YEAR))
    form.locator("[name=subject_type]").select_option("household")
    form.locator("[name=household_code]").fill(household.code)
    form.locator("[name=achievements]").fill("Vay vốn nuôi bò sinh sản, thoát nghèo và giúp các hộ trong buôn.")
    form.locator("[name=requested_form]").select_option("district_certificate")
    page.get_by_test_id("nomination-save").click()
    page.get_by_test_id("nomination-submit").click()
    page.get_by_test_id("step-confirm").click()
    nomination_url = page.url
    page.context.close()

    # The district's emulation council reviews it and the district chairman's decision is issued.
    page = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN").new_page()
    page.set_default_timeout(60_000)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "huyen.krongpa")
    page.goto(nomination_url)
    page.get_by_test_id("nomination-review").click()
    page.get_by_test_id("step-form").locator("[name=comment]").fill("Hội đồng huyện nhất trí 9/9.")
    page.get_by_test_id("step-confirm").click()
    assert "Hội đồng đã xét" in page.get_by_test_id("nomination-status").inner_text()
    page.goto(f"{live_server.url}/thi-dua/quyet-dinh/moi/?form=district_certificate")
    form = page.get_by_test_id("decision-form")
    form.locator("[name=nominations]").first.check()
    form.locator("[name=number]").fill("125/QĐ-UBND")
    form.locator("[name=signed_on]").fill(timezone.localdate().strftime("%d/%m/%Y"))
    form.locator("[name=signer_name]").fill("Nguyễn Tiến Đăng")
    form.locator("[name=confirm]").check()
    page.get_by_test_id("decision-save").click()
    page.get_by_test_id("decision-awardees").wait_for()
    nomination = Nomination.objects.get(household=household)
    assert nomination.status == "decided" and Award.objects.filter(nomination=nomination).exists()
    screenshot(page, "emulation-decision")

    # The award is in the register.
    page.goto(f"{live_server.url}/thi-dua/so-khen-thuong/?year={YEAR}")
    assert nomination.subject_name in page.get_by_test_id("register-table").inner_text()
    page.context.close()

    page = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN").new_page()
    page.set_default_timeout(60_000)
    sign_in(page, live_server, "xa.iarsai")
    # The commune records the year's results of the movement, money typed the Vietnamese way.
    page.goto(f"{live_server.url}/thi-dua/{movement.pk}/ket-qua/?nam={YEAR}")
    page.get_by_test_id("record-24079").click()
    form = page.get_by_test_id("result-form")
    form.locator("[name=fund_raised]").fill("165.000.000")
    form.locator("[name=houses_built]").fill("3")
    form.locator("[name=volunteers]").fill("60")
    form.locator("[name=source]").fill("Báo cáo của Ủy ban MTTQ xã Ia RSai")
    screenshot(page, "emulation-result-form")
    page.get_by_test_id("save-result").click()
    assert "165.000.000" in page.get_by_test_id("result-row-24079").inner_text()
    page.context.close()

    # The district's summary report of the phase tells the award.
    page = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN").new_page()
    page.set_default_timeout(60_000)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "huyen.krongpa")
    page.goto(f"{live_server.url}/bao-cao/tao/")
    page.get_by_label("Loại báo cáo").select_option("emulation_summary")
    page.get_by_label("Năm").select_option(str(YEAR))
    page.get_by_test_id("report-create-submit").click()
    page.wait_for_url("**/bao-cao/*/")
    wait_for_generation(page)
    preview = page.get_by_test_id("report-preview").inner_text()
    assert "Tổng kết phong trào thi đua" in preview
    assert "Giấy khen của Chủ tịch UBND huyện" in preview and nomination.subject_name in preview
    assert "Quỹ “Vì người nghèo” vận động được 165 triệu đồng" in preview
    screenshot(page, "emulation-summary-report")
    page.goto(f"{live_server.url}/thi-dua/{movement.pk}/ket-qua/?nam={YEAR}")
    assert "165.000.000" in page.get_by_test_id("result-total").inner_text()
    screenshot(page, "emulation-results-rollup")
    page.context.close()
