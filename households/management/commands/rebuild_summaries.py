"""manage.py rebuild_summaries [--unit CODE] [--stale]: recompute the dashboards' summary table from the live
aggregates (households.summary; docs/adr/0036). Safe to run at any time: each row is replaced, never added to."""

from core.management.summaries import SummaryRebuildCommand
from households.summary import summaries_rebuild, summaries_sweep


class Command(SummaryRebuildCommand):
    counted = "dòng số liệu"  # a commune has one row per period kept, so the count is of rows, not communes
    help = (
        "Tổng hợp lại số liệu của trang tổng quan (số hộ, hộ nghèo, cận nghèo, biến động và đăng ký thoát nghèo "
        "của năm nay, năm trước và kỳ báo cáo 6 tháng theo lịch báo cáo) cho mọi xã, hoặc các xã thuộc một đơn vị "
        "(--unit mã đơn vị), hoặc chỉ các xã đang chờ (--stale)."
    )

    def sweep(self) -> int:
        return summaries_sweep()

    def rebuild(self, scope, progress) -> int:
        return summaries_rebuild(scope)
