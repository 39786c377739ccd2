"""The reporting calendar of the poverty-reduction programme: the 6-month report is due before 1 June and the
annual report before 1 December (TT 10/2022/TT-BLĐTBXH, Điều 5 [P: the article number is not confirmed]; domain.md
§3.3); drafts are prepared for every reporting unit two weeks ahead (15 May, 15 November). Administrators edit these
rows in the admin; the daily beat task reads them (docs/adr/0025)."""

from django.db import migrations

LEGAL_BASIS = "Thông tư 10/2022/TT-BLĐTBXH, Điều 5"

# (kind, name, period_start_month, period_end_month, due_month, due_day, prepare_month, prepare_day)
DEADLINES = [
    ("six_month", "Báo cáo 6 tháng đầu năm", 1, 6, 6, 1, 5, 15),
    ("year_end", "Báo cáo năm", 1, 12, 12, 1, 11, 15),
]


def seed(apps, schema_editor) -> None:
    ReportDeadline = apps.get_model("reports", "ReportDeadline")
    for kind, name, start, end, due_month, due_day, prepare_month, prepare_day in DEADLINES:
        ReportDeadline.objects.get_or_create(
            kind=kind,
            due_month=due_month,
            due_day=due_day,
            defaults={
                "name": name,
                "period_start_month": start,
                "period_end_month": end,
                "prepare_month": prepare_month,
                "prepare_day": prepare_day,
                "legal_basis": LEGAL_BASIS,
                "is_active": True,
            },
        )


def unseed(apps, schema_editor) -> None:
    ReportDeadline = apps.get_model("reports", "ReportDeadline")
    for kind, _name, _start, _end, due_month, due_day, _pm, _pd in DEADLINES:
        ReportDeadline.objects.filter(kind=kind, due_month=due_month, due_day=due_day).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_seed_indicator_definitions")]

    operations = [migrations.RunPython(seed, unseed)]
