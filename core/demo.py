"""Demo data modelled on the source documents: Gia Lai (64), Krông Pa (637) as in report 209/BC-UBND
of 15/06/2021, and Ia Pa (635) as a second district. Loading is idempotent.

Village names are realistic Jrai buôn and Kinh thôn names for the area; villages have no national code,
so they get the commune code and a running number.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from accounts.choices import Role
from accounts.models import User
from areas.choices import UnitKind, UnitLevel
from areas.loader import DATASETS, load_file, units_load
from areas.models import AdministrativeUnit

DEMO_PASSWORD = "GiamNgheo@2026"

PROVINCE_CODE = "64"
DISTRICT_CODES = ["637", "635"]

# Reference data the apps above core need before demo data (ethnic groups, poverty standards: the households app).
# Their migrations load it, but a flushed test database has lost it; each app registers its loader in ready(), so
# that core, the ground floor, never imports them.
REFERENCE_LOADERS: list[Callable[[], None]] = []


def reference_loader(loader: Callable[[], None]) -> Callable[[], None]:
    """Register ``loader`` (idempotent, no arguments) to run at the start of ``demo_load``."""
    if loader not in REFERENCE_LOADERS:
        REFERENCE_LOADERS.append(loader)
    return loader


VILLAGES = {
    "24076": [
        ("residential_group", "Tổ dân phố 1"),
        ("residential_group", "Tổ dân phố 2"),
        ("buon", "Buôn Mlăh"),
    ],
    "24079": [("buon", "Buôn Chư Tê"), ("buon", "Buôn Ma Rai"), ("buon", "Buôn Bluk")],
    "24082": [("buon", "Buôn Jứ"), ("buon", "Buôn Bầu"), ("buon", "Buôn Ơi Khe")],
    "24085": [("buon", "Buôn Ma Giai"), ("buon", "Buôn Toát"), ("buon", "Buôn Chư Gu")],
    "24088": [("buon", "Buôn Bhă Ara"), ("buon", "Buôn Dù"), ("buon", "Buôn Jú")],
    "24091": [("buon", "Buôn Djrêt"), ("buon", "Buôn Ia Mlăh"), ("village", "Thôn Quỳnh Phụ")],
    "24094": [("buon", "Buôn Drăng"), ("buon", "Buôn Tang"), ("buon", "Buôn Ma Ưn")],
    "24097": [("village", "Thôn Thắng Lợi"), ("village", "Thôn Quý Đức"), ("buon", "Buôn Bôn")],
    "24100": [("buon", "Buôn Hdreh"), ("buon", "Buôn Suối Cái"), ("buon", "Buôn Chư Tơ")],
    "24103": [("buon", "Buôn Blăk"), ("buon", "Buôn Chư Jú"), ("buon", "Buôn Nai")],
    "24106": [("buon", "Buôn Ma Nhiêu"), ("buon", "Buôn Thim"), ("buon", "Buôn Chư Ngọc")],
    "24109": [("buon", "Buôn Tối"), ("buon", "Buôn Ia Ptao"), ("buon", "Buôn Ia Jip")],
    "24112": [("buon", "Buôn Mnai"), ("buon", "Buôn Chư Rcăm"), ("village", "Thôn Thành Công")],
    "24115": [("buon", "Buôn Proòng"), ("buon", "Buôn Thức"), ("buon", "Buôn Chư Bang")],
}


# Ia Pa's communes get numbered thôn, the common naming in the district's Kinh settlements.
NUMBERED_VILLAGES = [("village", "Thôn 1"), ("village", "Thôn 2"), ("village", "Thôn 3")]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit_code: str | None
    unit_level: str | None
    position: str


COMMUNE_OFFICERS = [
    ("xa.phutuc", "Nguyễn Thị Thu Hà", "24076"),
    ("xa.iarsai", "Ksor H'Linh", "24079"),
    ("xa.iarsuom", "Rơ Mah Thị Hoa", "24082"),
    ("xa.chugu", "Siu Văn Kiên", "24085"),
    ("xa.datbang", "Kpă Thị Nhung", "24088"),
    ("xa.iamlah", "Rơ Chăm Y Ban", "24091"),
    ("xa.chudrang", "Nay Văn Thắng", "24094"),
    ("xa.phucan", "Trần Văn Bình", "24097"),
    ("xa.iahdreh", "Ksor Văn Thơ", "24100"),
    ("xa.iarmok", "Rah Lan Thị Mai", "24103"),
    ("xa.chungoc", "Ksor Y Phun", "24106"),
    ("xa.uar", "Nay H'Điệp", "24109"),
    ("xa.churcam", "Lê Thị Hồng", "24112"),
    ("xa.krongnang", "Kpă Văn Tâm", "24115"),
]

DEMO_USERS = [
    DemoUser("admin", "Phạm Quốc Trung", Role.SYSTEM_ADMIN, None, None, "Quản trị hệ thống"),
    DemoUser(
        "tinh.gialai",
        "Đỗ Thị Minh Phương",
        Role.PROVINCE_STAFF,
        PROVINCE_CODE,
        UnitLevel.PROVINCE,
        "Chuyên viên Sở Nông nghiệp và Môi trường",
    ),
    DemoUser(
        "huyen.krongpa",
        "Lê Văn Hùng",
        Role.DISTRICT_STAFF,
        "637",
        UnitLevel.DISTRICT,
        "Chuyên viên Phòng Lao động – Thương binh và Xã hội",
    ),
    DemoUser(
        "huyen.iapa",
        "Rơ Lan Thị Liên",
        Role.DISTRICT_STAFF,
        "635",
        UnitLevel.DISTRICT,
        "Chuyên viên Phòng Lao động – Thương binh và Xã hội",
    ),
    *[
        DemoUser(username, name, Role.COMMUNE_OFFICER, code, UnitLevel.COMMUNE, "Công chức Văn hóa – Xã hội")
        for username, name, code in COMMUNE_OFFICERS
    ],
]


def _current_unit(level: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.valid_on().get(level=level, code=code)


@transaction.atomic
def demo_load() -> list[DemoUser]:
    """Load the demo province, districts, villages and one account per role and unit level."""
    for loader in REFERENCE_LOADERS:
        loader()
    units_load(data=load_file(DATASETS["2021"]), province_code=PROVINCE_CODE, district_codes=DISTRICT_CODES)
    ia_pa = _current_unit(UnitLevel.DISTRICT, "635")
    plan = {**{c.code: NUMBERED_VILLAGES for c in ia_pa.children.all()}, **VILLAGES}
    for commune_code, villages in plan.items():
        commune = _current_unit(UnitLevel.COMMUNE, commune_code)
        for index, (kind, name) in enumerate(villages, start=1):
            village, _created = AdministrativeUnit.objects.get_or_create(
                level=UnitLevel.VILLAGE,
                code=f"{commune_code}-{index:02d}",
                valid_from=None,
                defaults={"name": name, "kind": UnitKind(kind), "parent": commune, "source": "Dữ liệu mẫu"},
            )
    for spec in DEMO_USERS:
        unit = _current_unit(spec.unit_level, spec.unit_code) if spec.unit_code else None
        user, _created = User.objects.get_or_create(username=spec.username)
        user.full_name, user.role, user.unit, user.position = spec.full_name, spec.role, unit, spec.position
        user.email = f"{spec.username}@giamngheo.local"
        user.is_active = True
        user.is_superuser = spec.role == Role.SYSTEM_ADMIN
        user.must_change_password = False
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
    return DEMO_USERS
