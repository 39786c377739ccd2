"""manage.py rebuild_support_summaries [--unit CODE] [--stale]: recompute the support figures' summary rows from the
live aggregates (programs.summary; docs/adr/0040) for the default periods (this year, its halves, the report
calendar's periods) and the recent custom ones. Safe to run at any time: each row is replaced, never added to."""

import time

from django.core.management.base import BaseCommand, CommandError

from areas.models import AdministrativeUnit
from core.formatting import number
from programs.summary import support_rebuild, support_sweep


class Command(BaseCommand):
    help = (
        "Tổng hợp lại số liệu hỗ trợ theo xã và kỳ (năm nay, hai nửa năm, các kỳ của lịch báo cáo) cho mọi xã, "
        "hoặc các xã thuộc một đơn vị (--unit mã đơn vị), hoặc chỉ các xã đang chờ (--stale)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="Mã đơn vị hành chính (tỉnh, huyện hoặc xã) cần tổng hợp lại.")
        parser.add_argument("--stale", action="store_true", help="Chỉ các xã có thay đổi chưa được tổng hợp.")

    def handle(self, *args, unit=None, stale=False, **options):
        started = time.perf_counter()
        if stale:
            written = support_sweep()
        else:
            scope = None
            if unit:
                scope = AdministrativeUnit.objects.filter(code=unit).order_by("-valid_from").first()
                if scope is None:
                    raise CommandError(f"Không có đơn vị hành chính mã {unit}.")

            def progress(percent, message):
                self.stdout.write(f"{percent}% ({message})")

            written = support_rebuild(scope, progress=progress if options["verbosity"] > 1 else None)
        seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        self.stdout.write(self.style.SUCCESS(f"Đã tổng hợp lại {number(written)} dòng số liệu trong {seconds} giây."))
