"""manage.py rebuild_electricity_counts: count again, from the live list, the electricity list's entitled and paid
households per village of the quarters kept counted (the quarter before today's, today's and the next; programs.
electricity, docs/adr/0053). Safe at any time: each quarter's rows are replaced in one transaction taken at a
moment when no writer is in flight (it gives up after a few seconds of long writes, and says so)."""

import time

from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from programs.electricity import CountsBusy, electricity_counts_rebuild
from programs.models import ElectricityQuarter


class Command(BaseCommand):
    help = (
        "Đếm lại số hộ được hỗ trợ tiền điện và số hộ đã chi trả theo thôn cho quý trước, quý này và quý sau "
        "(từ danh sách tính trực tiếp)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            households = electricity_counts_rebuild()
        except CountsBusy as busy:
            raise CommandError(str(busy)) from busy
        quarters = ", ".join(
            f"{q.period_quarter}/{q.period_year}"
            for q in ElectricityQuarter.objects.order_by("programme_id", "period_year", "period_quarter")
        )
        seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        self.stdout.write(
            self.style.SUCCESS(f"Đã đếm lại {number(households)} lượt hộ (quý {quarters}) trong {seconds} giây.")
        )
