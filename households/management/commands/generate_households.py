"""manage.py generate_households: seeded demo households for the demo communes (safe to run again).

Up to ``--pool`` households a commune (500 by default) every household is drawn in Python; above it the pool gets
its status history and support and the rest are copies of it written in SQL (households.demo_scale), which builds a
million-household province in minutes; with ``--workers`` 2 or more the copies' rows are computed in two other
database connections and written by one transaction."""

from django.core.management.base import BaseCommand, CommandError

from households.choices import HouseholdClass
from households.demo import BATCH_SIZE, demo_communes, households_generate, vn_decimal, vn_number
from households.demo_scale import POOL_PER_COMMUNE, KeysBroken, LoadBusy, province_generate


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
            "--pool",
            type=int,
            default=POOL_PER_COMMUNE,
            help=(
                "Số hộ mỗi xã được tạo từng hộ (mặc định 500); vượt quá số này, các hộ còn lại được sao chép từ "
                "nhóm hộ gốc bằng SQL, kèm lịch sử phân loại và hỗ trợ."
            ),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help=(
                "Số tiến trình song song, mỗi tiến trình một xã; từ 2 trở lên, các hộ sao chép được tính trong hai kết "
                "nối cơ sở dữ liệu song song rồi ghi trong một giao dịch (mặc định 1; bằng số lõi CPU khi tạo hàng "
                "triệu hộ)."
            ),
        )

    def handle(self, *args, per_commune, seed, communes, batch_size, workers, pool, verbosity, **options):
        if per_commune < 0 or batch_size < 1 or workers < 1 or pool < 1:
            raise CommandError("--per-commune phải ≥ 0, --batch-size, --pool và --workers phải ≥ 1.")
        chosen = demo_communes(communes)
        if communes:
            missing = sorted(set(communes) - {c.code for c in chosen})
            if missing:
                raise CommandError(f"Không tìm thấy xã có thôn, buôn với mã: {', '.join(missing)}.")
        if not chosen:
            raise CommandError("Chưa có xã nào có thôn, buôn. Hãy chạy manage.py load_demo trước.")
        say = self.stdout.write if verbosity >= 1 else None
        if per_commune > pool:
            return self.generate_at_scale(chosen, per_commune, pool, seed, batch_size, workers, say)
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

    def generate_at_scale(self, communes, per_commune, pool, seed, batch_size, workers, say) -> None:
        try:
            result = province_generate(
                communes=communes,
                per_commune=per_commune,
                pool=pool,
                seed=seed,
                batch_size=batch_size,
                workers=workers,
                progress=say,
            )
        except (ValueError, LoadBusy, KeysBroken) as error:
            raise CommandError(str(error)) from error
        seconds = sum(result.phases.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo {vn_number(result.created)} hộ mới ở {len(communes)} xã: {vn_number(result.pool.created)} hộ "
                f"gốc và {vn_number(result.copies)} hộ sao chép, trong {vn_decimal(seconds)} giây "
                f"({vn_number(round(result.created / seconds) if seconds else 0)} hộ/giây)."
            )
        )
