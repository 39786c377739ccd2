"""Choices for support programmes and benefits: stored values in English, labels in Vietnamese."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeKind(models.TextChoices):
    """What kind of support; decides which fields a benefit record of the programme carries."""

    CREDIT = "credit", _("Tín dụng ưu đãi")
    HEALTH_INSURANCE = "health_insurance", _("Bảo hiểm y tế")
    HOUSING = "housing", _("Hỗ trợ nhà ở")
    TRAINING = "training", _("Đào tạo nghề")
    ELECTRICITY = "electricity", _("Hỗ trợ tiền điện")
    EDUCATION = "education", _("Hỗ trợ giáo dục")
    LIVELIHOOD = "livelihood", _("Hỗ trợ sản xuất, sinh kế")
    WATER_SANITATION = "water_sanitation", _("Nước sinh hoạt, vệ sinh môi trường")
    IN_KIND = "in_kind", _("Hỗ trợ hiện vật (gạo…)")
    OTHER = "other", _("Trợ giúp khác")


class TargetStatus(models.TextChoices):
    """The household's official status on a date, as eligibility and the reports see it.

    ``recently_escaped`` is derived from the status history: off the poor and near-poor lists for no more
    than the programme's number of years (3 for VBSP credit, domain.md §2.8 [V]).
    """

    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    RECENTLY_ESCAPED = "recently_escaped", _("Hộ mới thoát nghèo, thoát cận nghèo")
    AVERAGE_LIVING = "average_living", _("Hộ có mức sống trung bình")
    NON_POOR = "non_poor", _("Hộ không nghèo")
    UNKNOWN = "unknown", _("Chưa có quyết định công nhận")


class HouseholdFlag(models.TextChoices):
    """Household facts that make it eligible regardless of its status (e.g. social-protection households)."""

    SOCIAL_PROTECTION = "social_protection", _("Hộ có đối tượng bảo trợ xã hội")
    MERITORIOUS = "meritorious", _("Hộ có người có công với cách mạng")
    ETHNIC_MINORITY = "ethnic_minority", _("Hộ dân tộc thiểu số")
    NO_LABOUR_CAPACITY = "no_labour_capacity", _("Hộ không có khả năng lao động")


class Beneficiary(models.TextChoices):
    HOUSEHOLD = "household", _("Hộ gia đình")
    MEMBER = "member", _("Thành viên")


class BenefitUnit(models.TextChoices):
    VND = "vnd", _("đồng")
    KG = "kg", _("kg")
    CARD = "card", _("thẻ")
    HOUSE = "house", _("căn nhà")
    COURSE = "course", _("khoá học")
    ITEM = "item", _("hiện vật")


class HousingWork(models.TextChoices):
    NEW = "new", _("Xây mới")
    REPAIR = "repair", _("Sửa chữa")


class EntrustingOrganisation(models.TextChoices):
    """Socio-political organisations VBSP entrusts lending steps to (NĐ 06/2026/NĐ-CP; list [U])."""

    FARMERS = "farmers", _("Hội Nông dân")
    WOMEN = "women", _("Hội Liên hiệp Phụ nữ")
    VETERANS = "veterans", _("Hội Cựu chiến binh")
    YOUTH = "youth", _("Đoàn Thanh niên")
    DIRECT = "direct", _("Ngân hàng cho vay trực tiếp")


class FundingSource(models.TextChoices):
    CENTRAL = "central", _("Ngân sách trung ương")
    LOCAL = "local", _("Ngân sách địa phương")
    MOBILISED = "mobilised", _("Huy động, xã hội hoá")
    HOUSEHOLD = "household", _("Hộ đối ứng")


class LogAction(models.TextChoices):
    CREATE = "create", _("Ghi nhận")
    UPDATE = "update", _("Sửa")
    OVERRIDE = "override", _("Ghi nhận ngoài điều kiện (có lý do)")
    PHOTO = "photo", _("Thêm ảnh")
    IMPORT = "import", _("Nhập từ Excel")
    CANCEL = "cancel", _("Huỷ bản ghi")
