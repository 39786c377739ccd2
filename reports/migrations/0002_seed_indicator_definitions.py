"""The typed indicators of report 209/BC-UBND (Krông Pa, 6 tháng đầu năm 2021) that the records cannot give:
budgets and quotas, training classes and registrations, jobs created, broadcasts and articles, insured medical
visits and their cost, capital entrusted to the social-policy bank, agencies assigned to help communes.
Seeded as data an administrator extends or retires in the admin."""

from django.db import migrations

# (code, section, order, label, measure, decimals, help_text); the order follows the report's sections I.1–I.3.8.
DEFINITIONS = [
    (
        "budget_allocated",
        "direction",
        10,
        "Kinh phí thực hiện Chương trình được phân bổ trong kỳ",
        "đồng",
        0,
        "Tổng kinh phí các dự án, tiểu dự án của Chương trình MTQG giảm nghèo bền vững được giao cho đơn vị.",
    ),
    (
        "agencies_assigned",
        "direction",
        20,
        "Cơ quan, ban ngành được phân công phụ trách xã, thị trấn",
        "cơ quan",
        0,
        "Ví dụ: “UBND huyện đã phân công 23 cơ quan, ban ngành huyện phụ trách 14 xã, thị trấn”.",
    ),
    ("policy_families_helped", "direction", 30, "Hộ gia đình chính sách được giúp đỡ thoát cận nghèo", "hộ", 0, ""),
    (
        "broadcasts",
        "communication",
        10,
        "Chương trình phát thanh, truyền hình về giảm nghèo đã sản xuất",
        "chương trình",
        0,
        "Số chương trình phát trên đài huyện, xã trong kỳ.",
    ),
    ("news_items", "communication", 20, "Tin về công tác giảm nghèo đã phát sóng, phát hành", "tin", 0, ""),
    ("articles", "communication", 30, "Bài về công tác giảm nghèo đã phát sóng, phát hành", "bài", 0, ""),
    (
        "leaflets",
        "communication",
        40,
        "Tờ rơi tuyên truyền đã cấp phát",
        "tờ",
        0,
        "Tờ rơi về chính sách đưa người lao động đi làm việc ở nước ngoài, bảo hiểm tai nạn lao động…",
    ),
    (
        "local_budget_entrusted",
        "credit",
        10,
        "Vốn ngân sách địa phương ủy thác qua Ngân hàng Chính sách xã hội",
        "đồng",
        0,
        "Nguồn vốn ngân sách huyện, xã bố trí ủy thác cho vay trong kỳ.",
    ),
    (
        "insured_visits",
        "health",
        10,
        "Lượt người khám, chữa bệnh bằng thẻ BHYT",
        "lượt",
        0,
        "Theo số liệu của cơ quan Bảo hiểm xã hội.",
    ),
    ("insured_visits_cost", "health", 20, "Kinh phí thanh toán khám, chữa bệnh BHYT", "đồng", 0, ""),
    (
        "latrines_mobilised",
        "water_sanitation",
        10,
        "Hộ được vận động tự xây dựng nhà tiêu hợp vệ sinh",
        "hộ",
        0,
        "Do hội, đoàn thể vận động, không có hồ sơ hỗ trợ từng hộ.",
    ),
    ("workdays_supported", "production", 10, "Ngày công lao động hỗ trợ hộ nghèo, cận nghèo", "ngày công", 0, ""),
    ("training_quota", "training", 10, "Chỉ tiêu đào tạo nghề được giao", "lao động", 0, ""),
    ("training_budget", "training", 20, "Kinh phí đào tạo nghề được phân bổ", "đồng", 0, ""),
    ("training_classes_opened", "training", 30, "Lớp dạy nghề đã mở", "lớp", 0, ""),
    ("training_classes_registered", "training", 40, "Lớp dạy nghề các xã đăng ký mở", "lớp", 0, ""),
    ("training_registered", "training", 50, "Lao động đăng ký học nghề", "lao động", 0, ""),
    ("jobs_created", "training", 60, "Lao động được giải quyết việc làm mới", "lao động", 0, ""),
    ("jobs_abroad", "training", 70, "Lao động đi làm việc ở nước ngoài theo hợp đồng", "lao động", 0, ""),
    ("jobs_industrial_zones", "training", 80, "Lao động đi làm việc tại các khu công nghiệp", "lao động", 0, ""),
    ("jobs_local", "training", 90, "Lao động được giải quyết việc làm tại địa phương", "lao động", 0, ""),
    (
        "job_vacancies_informed",
        "training",
        100,
        "Vị trí việc làm được thông tin đến người lao động",
        "vị trí",
        0,
        "Từ các phiên giao dịch việc làm của tỉnh.",
    ),
    ("extension_models", "extension", 10, "Mô hình khuyến nông đã triển khai", "mô hình", 0, ""),
    ("extension_budget", "extension", 20, "Kinh phí dự án định canh định cư, mô hình khuyến nông", "đồng", 0, ""),
]


def seed(apps, schema_editor):
    IndicatorDefinition = apps.get_model("reports", "IndicatorDefinition")
    for code, section, order, label, measure, decimals, help_text in DEFINITIONS:
        IndicatorDefinition.objects.get_or_create(
            code=code,
            defaults={
                "section": section,
                "order": order,
                "label": label,
                "measure": measure,
                "decimals": decimals,
                "help_text": help_text,
            },
        )


def unseed(apps, schema_editor):
    IndicatorDefinition = apps.get_model("reports", "IndicatorDefinition")
    IndicatorDefinition.objects.filter(code__in=[row[0] for row in DEFINITIONS], values__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_periodic_reports"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
