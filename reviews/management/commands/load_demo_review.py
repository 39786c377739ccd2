"""manage.py load_demo_review: Ia RSai's periodic review, taken up to the district's approval (safe to run again):
this year's once the review window has opened, last year's before that. Run after load_demo, generate_households
and load_demo_targets."""

from django.core.management.base import BaseCommand

from reviews.demo import review_demo_load


class Command(BaseCommand):
    help = (
        "Mở, rà soát, họp dân, niêm yết và trình duyệt đợt rà soát định kỳ của xã mẫu Ia RSai (năm nay khi đã đến "
        "thời gian rà soát, trước đó là năm trước), để tài khoản huyen.krongpa có danh sách chờ duyệt. Chạy lại không "
        "tạo trùng."
    )

    def handle(self, *args, **options):
        review = review_demo_load()
        if review is None:
            self.stdout.write(
                self.style.WARNING("Chưa có xã mẫu hoặc cán bộ xã mẫu: hãy chạy manage.py load_demo trước.")
            )
            return
        self.stdout.write(self.style.SUCCESS(f"Đợt rà soát mẫu: {review} ({review.get_state_display()})."))
