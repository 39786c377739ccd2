"""A commune officer imports a village's households from Excel: the check and the write run in the Celery
worker while the page shows progress; the preview lists what will happen; the list shows the new households."""

import pytest

from accounts.models import User
from core.demo import demo_load
from households.demo import households_generate
from households.excel import export_queryset, export_workbook
from households.models import Household, Member

from .test_sign_in_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workbook(tmp_path):
    """60 demo households of Ia RSai as the portal exports them, then removed so that the import creates them."""
    demo_load()
    commune = User.objects.get(username="xa.iarsai").unit
    households_generate(communes=[commune], per_commune=60, seed=11)
    content = export_workbook(export_queryset(Household.objects.filter(commune=commune).order_by("code")))
    Member.objects.filter(household__commune=commune).delete()
    Household.objects.filter(commune=commune).delete()
    path = tmp_path / "ho-ia-rsai.xlsx"
    path.write_bytes(content)
    return path


def test_officer_imports_households_with_progress_then_confirms(page, live_server, workbook, celery_worker, screenshot):
    sign_in(page, live_server, "xa.iarsai")
    page.goto(f"{live_server.url}/ho-gia-dinh/nhap-excel/")
    page.set_input_files('input[type="file"]', str(workbook))
    page.get_by_test_id("upload").click()
    page.get_by_test_id("import-ok").wait_for(timeout=60_000)  # the page polls the job, then reloads
    assert page.get_by_test_id("created").inner_text() == "60"
    assert not Household.objects.exists()
    screenshot(page, "import-preview")
    page.get_by_test_id("confirm-import").click()
    page.wait_for_url(f"{live_server.url}/ho-gia-dinh/", timeout=60_000)
    assert "Đã nhập xong. 60 hộ: 60 hộ mới" in page.content()
    assert Household.objects.count() == 60
    screenshot(page, "import-done")
    assert page.console_errors == []
