"""manage.py generate_support — demo support records for the demo households (idempotent, seeded)."""

from django.core.management.base import BaseCommand

from areas.models import AdministrativeUnit
from core.formatting import number, seconds
from programs.demo import support_generate


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu về hỗ trợ (vay vốn, thẻ BHYT, nhà ở, đào tạo nghề, tiền điện, gạo) cho các hộ mẫu."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--communes", nargs="*", help="Mã các xã (mặc định: mọi xã đã có hộ).")

    def handle(self, *args, seed, communes, verbosity, **options):
        chosen = list(AdministrativeUnit.objects.filter(code__in=communes, level="commune")) if communes else None
        say = self.stdout.write if verbosity > 1 else None
        result = support_generate(communes=chosen, seed=seed, progress=say)
        self.stdout.write(
            f"{number(result.benefits)} khoản hỗ trợ cho {number(result.households)} hộ; "
            f"{number(result.statuses)} quyết định công nhận mẫu; {number(result.skipped)} hộ đã có dữ liệu, bỏ qua; "
            f"{seconds(result.seconds)}."
        )
