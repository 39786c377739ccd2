"""manage.py load_units: load a province's official list of administrative units."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from areas.loader import DATASETS, UnitLoadError, load_file, units_load
from core.formatting import number


def parse_date(value: str):
    try:
        return datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError as error:
        raise CommandError(f"Ngày không hợp lệ: {value} (cần dd/mm/yyyy)") from error


class Command(BaseCommand):
    help = "Nạp danh mục đơn vị hành chính của một tỉnh (chạy lại không tạo trùng; lỗi một dòng thì không ghi gì)."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--dataset",
            choices=sorted(DATASETS),
            default="2025",
            help="2021: ba cấp tỉnh–huyện–xã (trước 01/07/2025); 2025: hai cấp tỉnh–xã.",
        )
        source.add_argument("--file", help="Tệp JSON cùng định dạng với areas/data/*.json")
        parser.add_argument("--province", required=True, help="Mã tỉnh, ví dụ 64 (Gia Lai, danh mục 2021)")
        parser.add_argument("--district", action="append", default=[], help="Chỉ nạp huyện này (lặp lại được)")
        parser.add_argument("--valid-from", type=parse_date, help="Hiệu lực từ ngày (dd/mm/yyyy)")
        parser.add_argument("--valid-to", type=parse_date, help="Hiệu lực đến ngày (dd/mm/yyyy)")

    def handle(self, *args, **options):
        path = options["file"] or DATASETS[options["dataset"]]
        try:
            result = units_load(
                data=load_file(path),
                province_code=options["province"],
                district_codes=options["district"],
                valid_from=options["valid_from"],
                valid_to=options["valid_to"],
            )
        except UnitLoadError as error:
            raise CommandError(
                "Không nạp được danh mục, chưa ghi gì vào cơ sở dữ liệu:\n- " + "\n- ".join(error.errors)
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp danh mục: {number(result.created)} đơn vị mới, {number(result.updated)} cập nhật, "
                f"{number(result.unchanged)} không đổi."
            )
        )
