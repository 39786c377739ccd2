"""Column layouts shared by the screens and the Excel exports: a programme's records, the figures workbook."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core import formatting

from .choices import TargetStatus
from .excel import Col, table_workbook
from .models import KIND_FIELDS, Benefit, Programme

MONEY = {"amount", "outstanding", "overdue", "amount_central", "amount_local", "amount_mobilised", "amount_household"}
DATES = {
    "date",
    "card_valid_from",
    "card_valid_to",
    "started_on",
    "finished_on",
    "accepted_on",
    "course_start",
    "course_end",
}


def _label(name: str) -> str:
    return str(Benefit._meta.get_field(name).verbose_name).capitalize()


def benefit_columns(programme: Programme) -> list[Col]:
    required, optional = KIND_FIELDS[programme.kind]
    specific = [n for n in (*required, *optional) if n != "amount"]
    columns = [
        Col("date", _("Ngày hỗ trợ"), 12, "date"),
        Col("household", _("Mã hộ"), 12),
        Col("head", _("Chủ hộ"), 22),
        Col("commune", _("Xã, phường, thị trấn"), 18),
        Col("village", _("Thôn, buôn"), 18),
    ]
    if programme.is_member_level:
        columns.append(Col("member", _("Thành viên"), 22))
    columns.append(Col("status", _("Phân loại hộ khi hỗ trợ"), 20))
    columns += [Col(n, _label(n), 14, "money" if n in MONEY else "date" if n in DATES else "text") for n in specific]
    columns += [
        Col("amount", _("Số tiền (đồng)"), 14, "money"),
        Col("decision", _("Quyết định, chứng từ"), 18),
        Col("funder", _("Đơn vị hỗ trợ, nguồn kinh phí"), 22),
        Col("override", _("Ghi nhận ngoài điều kiện (lý do)"), 30),
    ]
    return columns


def _value(benefit: Benefit, name: str):
    field = Benefit._meta.get_field(name)
    value = getattr(benefit, name)
    if field.choices and value:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, Decimal):
        return float(value)
    return value


def benefit_row(benefit: Benefit, display: bool = False):
    """The record as a dict for Excel, or as (label, text) pairs for the detail page."""
    programme = benefit.programme
    row = {
        "date": benefit.date,
        "household": benefit.household.code,
        "head": benefit.household.head_name,
        "commune": benefit.household.commune.name,
        "village": benefit.household.village.name,
        "member": benefit.member.full_name if benefit.member_id else "",
        "status": str(TargetStatus(benefit.household_status).label) if benefit.household_status else "",
        "amount": benefit.unit_amount(),
        "decision": benefit.decision,
        "funder": benefit.funder,
        "override": benefit.override_reason,
    }
    for name in (n for group in KIND_FIELDS[programme.kind] for n in group):
        row.setdefault(name, _value(benefit, name))
    if not display:
        return row
    pairs = []
    for column in benefit_columns(programme):
        value = row.get(column.key)
        if value in (None, ""):
            text = "—"
        elif isinstance(value, date):
            text = value.strftime("%d/%m/%Y")
        elif column.kind == "money":
            text = formatting.number(value) + " đ"
        elif isinstance(value, float):
            text = formatting.decimal(value, 4)
        else:
            text = str(value)
        pairs.append((column.header, text))
    return pairs


def figures_workbook(figures: dict, rollup: list[dict], **write) -> bytes | None:
    """The figures page as one sheet: per programme and target group, then per child unit (``write``: the target
    and progress of table_workbook)."""
    period = figures["period"]
    columns = [
        Col("name", _("Chương trình, chính sách"), 44),
        Col("group", _("Nhóm đối tượng"), 26),
        Col("households", _("Số hộ"), 10, "money"),
        Col("people", _("Số người"), 10, "money"),
        Col("records", _("Số lượt"), 10, "money"),
        Col("amount", _("Số tiền (đồng)"), 16, "money"),
        Col("quantity", _("Số lượng"), 12),
        Col("decisions", _("Số quyết định, dự án"), 12, "money"),
    ]
    rows = []
    for row in figures["programmes"]:
        rows.append(
            {
                "name": row["programme"].name,
                "group": _("Tổng"),
                "households": row["households"],
                "people": row["people_reached"],
                "records": row["records"],
                "amount": row["amount"],
                "quantity": float(row["quantity"]) if row["quantity"] is not None else None,
                "decisions": row["decisions"],
            }
        )
        for status, sub in row["by_status"].items():
            rows.append(
                {
                    "name": "",
                    "group": str(TargetStatus(status).label),
                    "households": sub["households"],
                    "records": sub["records"],
                    "amount": sub["amount"],
                    "quantity": float(sub["quantity"]) if sub["quantity"] is not None else None,
                }
            )
    rows.append({})
    rows.append(
        {
            "name": _("Theo đơn vị trực thuộc"),
            "group": "",
            "households": _("Số hộ"),
            "records": _("Số lượt"),
            "amount": _("Số tiền (đồng)"),
        }
    )
    for row in rollup:
        rows.append(
            {
                "name": row["unit"].name,
                "households": row["households"],
                "records": row["records"],
                "amount": row["amount"],
            }
        )
    heading = [
        _("Kết quả thực hiện các chính sách hỗ trợ giảm nghèo – %(unit)s") % {"unit": figures["unit"].name},
        _("Từ ngày %(start)s đến ngày %(end)s")
        % {"start": period.start.strftime("%d/%m/%Y"), "end": period.end.strftime("%d/%m/%Y")},
    ]
    return table_workbook(_("Số liệu hỗ trợ"), columns, rows, heading=heading, **write)
