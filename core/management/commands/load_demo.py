"""manage.py load_demo: demo province, districts, villages and accounts (safe to run again)."""

from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: tỉnh Gia Lai, huyện Krông Pa và Ia Pa, các thôn buôn và tài khoản thử."

    def handle(self, *args, **options):
        users = demo_load()
        self.stdout.write(self.style.SUCCESS(f"Đã nạp dữ liệu mẫu. Tài khoản thử (mật khẩu chung: {DEMO_PASSWORD}):"))
        for user in users[:6]:
            self.stdout.write(f"  {user.username:<16} {user.role.label:<20} {user.full_name}")
        self.stdout.write(f"  … và {len(users) - 6} tài khoản cán bộ xã khác (xa.<tên xã không dấu>).")
