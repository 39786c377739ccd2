"""The shape shared by the commands that rebuild a summary table from its live aggregates (``rebuild_summaries``
for the dashboard's rows, ``rebuild_support_summaries`` for the support figures' rows): every commune, the communes
of one unit (``--unit CODE``) or only the marked ones (``--stale``). Each row is replaced, never added to, so a
rebuild is safe at any time. Core stays below the domain apps: the subclass names the functions to call."""

import time

from django.core.management.base import BaseCommand, CommandError

from areas.models import AdministrativeUnit
from core.formatting import number


class SummaryRebuildCommand(BaseCommand):
    #: What the count printed at the end counts ("xã", "dòng số liệu").
    counted = "xã"

    def sweep(self) -> int:
        raise NotImplementedError

    def rebuild(self, scope: AdministrativeUnit | None, progress) -> int:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="Mã đơn vị hành chính (tỉnh, huyện hoặc xã) cần tổng hợp lại.")
        parser.add_argument("--stale", action="store_true", help="Chỉ các xã có thay đổi chưa được tổng hợp.")

    def handle(self, *args, unit=None, stale=False, **options):
        started = time.perf_counter()
        if stale:
            written = self.sweep()
        else:
            scope = None
            if unit:
                scope = AdministrativeUnit.objects.filter(code=unit).order_by("-valid_from").first()
                if scope is None:
                    raise CommandError(f"Không có đơn vị hành chính mã {unit}.")

            def progress(percent, message):
                self.stdout.write(f"{percent}% ({message})")

            written = self.rebuild(scope, progress if options["verbosity"] > 1 else None)
        seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        self.stdout.write(self.style.SUCCESS(f"Đã tổng hợp lại {number(written)} {self.counted} trong {seconds} giây."))
