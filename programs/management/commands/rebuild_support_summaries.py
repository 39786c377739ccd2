"""manage.py rebuild_support_summaries [--unit CODE] [--stale]: recompute the support figures' summary rows from the
live aggregates (programs.summary; docs/adr/0040) for the default periods (this year, its halves, the report
calendar's periods) and the recent custom ones. Safe to run at any time: each row is replaced, never added to."""

from core.management.summaries import SummaryRebuildCommand
from programs.summary import support_rebuild, support_sweep


class Command(SummaryRebuildCommand):
    help = (
        "Tổng hợp lại số liệu hỗ trợ theo xã và kỳ (năm nay, hai nửa năm, các kỳ của lịch báo cáo) cho mọi xã, "
        "hoặc các xã thuộc một đơn vị (--unit mã đơn vị), hoặc chỉ các xã đang chờ (--stale)."
    )
    counted = "dòng số liệu"

    def sweep(self) -> int:
        return support_sweep()

    def rebuild(self, scope, progress) -> int:
        return support_rebuild(scope, progress=progress)
