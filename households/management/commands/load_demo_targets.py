"""manage.py load_demo_targets: demo status history, populations, targets and escape registrations (safe to run
again). Run after load_demo and generate_households."""

from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from households.demo_targets import demo_targets_load
from households.models import Household


class Command(BaseCommand):
    help = (
        "Tạo lịch sử phân loại mẫu từ năm 2021, số hộ dân cư, chỉ tiêu giảm nghèo và danh sách đăng ký thoát nghèo "
        "năm nay cho các xã đã có hộ mẫu. Chạy lại không tạo trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2021, help="Hạt giống ngẫu nhiên (mặc định 2021).")

    def handle(self, *args, seed, **options):
        if not Household.objects.exists():
            raise CommandError("Chưa có hộ nào. Hãy chạy manage.py load_demo rồi manage.py generate_households trước.")
        result = demo_targets_load(seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Lịch sử phân loại: {number(result.histories)} hộ; số hộ dân cư: {number(result.populations)} bản "
                f"ghi; chỉ tiêu: {number(result.targets)}; đăng ký thoát nghèo: {number(result.registrations)}."
            )
        )
