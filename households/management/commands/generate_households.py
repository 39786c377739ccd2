"""manage.py generate_households: seeded demo households for the demo communes (safe to run again)."""

from django.core.management.base import BaseCommand, CommandError

from households.choices import HouseholdClass
from households.demo import BATCH_SIZE, demo_communes, households_generate, vn_decimal, vn_number


class Command(BaseCommand):
    help = (
        "Tạo hộ gia đình mẫu (ngẫu nhiên có hạt giống) cho các xã của dữ liệu mẫu. Chạy lại không tạo trùng: "
        "mã hộ đã có thì bỏ qua."
    )

    def add_arguments(self, parser):
        parser.add_argument("--per-commune", type=int, default=120, help="Số hộ mỗi xã (mặc định 120).")
        parser.add_argument("--seed", type=int, default=2021, help="Hạt giống ngẫu nhiên (mặc định 2021).")
        parser.add_argument(
            "--commune",
            action="append",
            dest="communes",
            metavar="CODE",
            help="Mã xã; lặp lại để chọn nhiều xã. Mặc định: mọi xã của huyện Krông Pa và Ia Pa có thôn, buôn.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Số hộ mỗi lần ghi (mặc định 10.000).")

        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Số tiến trình song song, mỗi tiến trình một xã (mặc định 1; bằng số lõi CPU khi tạo hàng triệu hộ).",
        )

    def handle(self, *args, per_commune, seed, communes, batch_size, workers, verbosity, **options):
        if per_commune < 0 or batch_size < 1 or workers < 1:
            raise CommandError("--per-commune phải ≥ 0, --batch-size và --workers phải ≥ 1.")
        chosen = demo_communes(communes)
        if communes:
            missing = sorted(set(communes) - {c.code for c in chosen})
            if missing:
                raise CommandError(f"Không tìm thấy xã có thôn, buôn với mã: {', '.join(missing)}.")
        if not chosen:
            raise CommandError("Chưa có xã nào có thôn, buôn. Hãy chạy manage.py load_demo trước.")
        say = self.stdout.write if verbosity >= 1 else None
        try:
            result = households_generate(
                communes=chosen,
                per_commune=per_commune,
                seed=seed,
                batch_size=batch_size,
                progress=say,
                workers=workers,
            )
        except ValueError as error:  # no poverty standard in force on the reference date
            raise CommandError(str(error)) from error
        poor, near = result.share(HouseholdClass.POOR), result.share(HouseholdClass.NEAR_POOR)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo {vn_number(result.created)} hộ mới ở {result.communes} xã ({vn_number(result.skipped)} hộ "
                f"đã có, bỏ qua) trong {vn_decimal(result.seconds)} giây."
            )
        )
        if result.created:
            self.stdout.write(
                f"Trong số hộ mới: hộ nghèo {vn_decimal(poor * 100)} %, hộ cận nghèo {vn_decimal(near * 100)} %."
            )
