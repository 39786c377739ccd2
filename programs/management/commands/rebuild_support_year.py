"""manage.py rebuild_support_year: correct, from the benefits themselves, each household's benefits that count per
year (``programs_support_year``; programs.support_year, docs/adr/0054), which the list of the poor households without
support reads. The database triggers keep it exact; this is for a database whose benefits were written with them
disabled. Safe at any time: it waits for a moment when no writer of benefits is in flight (it gives up after a few
seconds of long writes, and says so), and the writers wait for it only while it corrects the rows."""

import time

from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from programs.support_year import SupportYearBusy, support_year_rebuild


class Command(BaseCommand):
    help = (
        "Đếm lại số khoản hỗ trợ còn hiệu lực của từng hộ theo năm (dùng cho danh sách hộ nghèo chưa nhận hỗ trợ) "
        "từ các khoản hỗ trợ đã ghi nhận."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            result = support_year_rebuild()
        except SupportYearBusy as busy:
            raise CommandError(str(busy)) from busy
        seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã đếm lại {number(result['rows'])} cặp hộ – năm có hỗ trợ, sửa {number(result['fixed'])} dòng, "
                f"trong {seconds} giây."
            )
        )
