"""manage.py rebuild_support_year: correct, from the benefits themselves, the households' years with support
(``programs_support_year``; programs.support_year, docs/adr/0054), which the list of the poor households without
support reads. Beat runs it every night (rows that cancellations removed while other benefits still supported the
household); by hand, for a database whose benefits were written with the triggers disabled. Safe at any time: it
waits for a moment when no writer of benefits is in flight (it gives up after a few seconds of long writes, and says
so), and the writers wait for it only while it corrects the rows."""

import time

from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from programs.support_year import SupportYearBusy, support_year_rebuild


class Command(BaseCommand):
    help = (
        "Lập lại danh sách các hộ có hỗ trợ theo từng năm (dùng cho danh sách hộ nghèo chưa nhận hỗ trợ) "
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
                f"Đã lập lại {number(result['rows'])} cặp hộ – năm có hỗ trợ, sửa {number(result['fixed'])} dòng, "
                f"trong {seconds} giây."
            )
        )
