"""manage.py rebuild_summaries [--unit CODE] [--stale]: recompute the dashboards' summary table from the live
aggregates (households.summary; docs/adr/0036). Safe to run at any time: each row is replaced, never added to."""

import time

from django.core.management.base import BaseCommand, CommandError

from areas.models import AdministrativeUnit
from core.formatting import number
from households.summary import summaries_rebuild, summaries_sweep


class Command(BaseCommand):
    help = (
        "Tổng hợp lại số liệu của trang tổng quan (số hộ, hộ nghèo, cận nghèo, biến động và đăng ký thoát nghèo "
        "trong năm) cho mọi xã, hoặc các xã thuộc một đơn vị (--unit mã đơn vị), hoặc chỉ các xã đang chờ (--stale)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="Mã đơn vị hành chính (tỉnh, huyện hoặc xã) cần tổng hợp lại.")
        parser.add_argument("--stale", action="store_true", help="Chỉ các xã có thay đổi chưa được tổng hợp.")

    def handle(self, *args, unit=None, stale=False, **options):
        started = time.perf_counter()
        if stale:
            written = summaries_sweep()
        else:
            scope = None
            if unit:
                scope = AdministrativeUnit.objects.filter(code=unit).order_by("-valid_from").first()
                if scope is None:
                    raise CommandError(f"Không có đơn vị hành chính mã {unit}.")
            written = summaries_rebuild(scope)
        seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        self.stdout.write(self.style.SUCCESS(f"Đã tổng hợp lại {number(written)} xã trong {seconds} giây."))
