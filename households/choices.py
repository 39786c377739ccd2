"""Choices for households and members: stored values in English, labels in Vietnamese."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdClass(models.TextChoices):
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    AVERAGE_LIVING = "average_living", _("Hộ có mức sống trung bình")
    NON_POOR = "non_poor", _("Hộ không nghèo")


# Lower is poorer: used to order classes and to read history ("escaped" = moved up).
CLASS_RANK = {
    HouseholdClass.POOR: 0,
    HouseholdClass.NEAR_POOR: 1,
    HouseholdClass.AVERAGE_LIVING: 2,
    HouseholdClass.NON_POOR: 3,
}


class Transition(models.TextChoices):
    """Derived from the status history, never typed (domain.md §2.8)."""

    NEW_POOR = "new_poor", _("Hộ nghèo phát sinh")
    NEW_NEAR_POOR = "new_near_poor", _("Hộ cận nghèo phát sinh")
    ESCAPED_POOR = "escaped_poor", _("Thoát nghèo")
    ESCAPED_NEAR_POOR = "escaped_near_poor", _("Thoát cận nghèo")
    RELAPSED_POOR = "relapsed_poor", _("Tái nghèo")
    RELAPSED_NEAR_POOR = "relapsed_near_poor", _("Tái cận nghèo")
    NEAR_POOR_TO_POOR = "near_poor_to_poor", _("Từ cận nghèo thành nghèo")
    REMAINS = "remains", _("Không thay đổi")


class HouseholdState(models.TextChoices):
    ACTIVE = "active", _("Đang theo dõi")
    ARCHIVED = "archived", _("Đã lưu trữ")


class PovertyCause(models.TextChoices):
    LACK_OF_CAPITAL = "capital", _("Thiếu vốn sản xuất, kinh doanh")
    LACK_OF_LAND = "land", _("Thiếu đất canh tác")
    LACK_OF_SKILLS = "skills", _("Thiếu kiến thức, kỹ năng sản xuất")
    LACK_OF_LABOUR = "labour", _("Thiếu lao động")
    ILLNESS = "illness", _("Có người ốm đau nặng, bệnh hiểm nghèo")
    NO_JOB = "no_job", _("Không có việc làm ổn định")
    DISASTER = "disaster", _("Thiên tai, rủi ro")
    MANY_DEPENDANTS = "dependants", _("Đông người ăn theo")
    SOCIAL_ILLS = "social_ills", _("Mắc tệ nạn xã hội")
    LAZY = "lack_of_effort", _("Chây lười lao động")
    OTHER = "other", _("Nguyên nhân khác")


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Relationship(models.TextChoices):
    HEAD = "head", _("Chủ hộ")
    SPOUSE = "spouse", _("Vợ/chồng")
    CHILD = "child", _("Con")
    CHILD_IN_LAW = "child_in_law", _("Con dâu/con rể")
    GRANDCHILD = "grandchild", _("Cháu")
    PARENT = "parent", _("Bố/mẹ")
    PARENT_IN_LAW = "parent_in_law", _("Bố/mẹ vợ (chồng)")
    GRANDPARENT = "grandparent", _("Ông/bà")
    SIBLING = "sibling", _("Anh/chị/em")
    OTHER = "other", _("Khác")


class EducationLevel(models.TextChoices):
    NONE = "none", _("Chưa học hết tiểu học")
    PRIMARY = "primary", _("Tốt nghiệp tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Tốt nghiệp trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Tốt nghiệp trung học phổ thông")
    VOCATIONAL = "vocational", _("Sơ cấp, trung cấp nghề")
    COLLEGE_OR_HIGHER = "college_or_higher", _("Cao đẳng, đại học trở lên")


class Employment(models.TextChoices):
    WAGE_WITH_CONTRACT = "wage_with_contract", _("Làm công ăn lương có hợp đồng lao động")
    WAGE_WITHOUT_CONTRACT = "wage_without_contract", _("Làm công ăn lương không có hợp đồng")
    SELF_EMPLOYED = "self_employed", _("Tự làm (nông nghiệp, buôn bán…)")
    UNEMPLOYED = "unemployed", _("Thất nghiệp, muốn làm nhưng không tìm được việc")
    NOT_WORKING = "not_working", _("Không làm việc (nội trợ, già yếu…)")
    STUDYING = "studying", _("Đang đi học")


class WaterSource(models.TextChoices):
    PIPED = "piped", _("Nước máy")
    DRILLED_WELL = "drilled_well", _("Giếng khoan")
    PROTECTED_DUG_WELL = "protected_dug_well", _("Giếng đào được bảo vệ")
    PROTECTED_SPRING = "protected_spring", _("Nước khe, mó được bảo vệ")
    RAINWATER = "rainwater", _("Nước mưa")
    BOTTLED = "bottled", _("Nước mua (bình, téc)")
    UNPROTECTED_WELL = "unprotected_well", _("Giếng đào không được bảo vệ")
    SURFACE_WATER = "surface_water", _("Nước sông, suối, ao, hồ")
    OTHER = "other", _("Nguồn khác")


class Latrine(models.TextChoices):
    SEPTIC = "septic", _("Tự hoại")
    SEMI_SEPTIC = "semi_septic", _("Bán tự hoại")
    POUR_FLUSH = "pour_flush", _("Thấm dội nước")
    VENTILATED_PIT = "ventilated_pit", _("Chìm có ống thông hơi")
    DOUBLE_VAULT = "double_vault", _("Hai ngăn")
    SIMPLE_PIT = "simple_pit", _("Hố xí đơn giản")
    NONE = "none", _("Không có nhà tiêu")
    OTHER = "other", _("Loại khác")
