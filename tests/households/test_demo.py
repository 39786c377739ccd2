"""The demo household generator: deterministic, idempotent, valid for the registry's rules, plausible rates."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from areas.choices import UnitKind
from households import services
from households.choices import HouseholdClass, Relationship
from households.criteria import age_on
from households.demo import commune_prefix, households_generate
from households.models import ChangeEntry, Household, Member
from households.validation import (
    validate_household_members,
    validate_personal_id,
    validate_personal_id_issued_on,
)

from ..factories import CommuneFactory, VillageFactory

pytestmark = pytest.mark.django_db


def snapshot() -> list:
    households = Household.objects.order_by("commune__code", "code").prefetch_related("members")
    return [
        (
            h.code, h.village.code, h.head_name, h.current_class, h.income_per_capita, h.floor_area_m2,
            sorted((m.full_name, m.date_of_birth, m.sex, m.relationship, m.personal_id) for m in h.members.all()),
        )
        for h in households
    ]


def wipe() -> None:
    ChangeEntry.objects.all().delete()
    Member.objects.all().delete()
    Household.objects.all().delete()


@pytest.fixture
def thon(tree):
    return VillageFactory(code="24079-02", name="Thôn Quỳnh Phụ", kind=UnitKind.VILLAGE, parent=tree.commune)


def test_same_seed_gives_the_same_households(tree, thon):
    households_generate(communes=[tree.commune], per_commune=40, seed=7)
    first = snapshot()
    wipe()
    households_generate(communes=[tree.commune], per_commune=40, seed=7)
    assert snapshot() == first
    wipe()
    households_generate(communes=[tree.commune], per_commune=40, seed=8)
    assert snapshot() != first


def test_running_again_adds_nothing_and_a_larger_run_only_adds_the_rest(tree, thon):
    households_generate(communes=[tree.commune], per_commune=30, seed=2021)
    first = snapshot()
    entries = ChangeEntry.objects.count()
    again = households_generate(communes=[tree.commune], per_commune=30, seed=2021)
    assert (again.created, again.skipped) == (0, 30)
    assert snapshot() == first and ChangeEntry.objects.count() == entries == 30
    more = households_generate(communes=[tree.commune], per_commune=45, seed=2021)
    assert (more.created, more.skipped) == (15, 30)
    assert snapshot()[:30] == first  # the first 30 are untouched and the same as before
    assert Household.objects.filter(code="IRS-0045").exists()


def test_generated_people_pass_the_registry_rules(tree, users, thon):
    households_generate(communes=[tree.commune], per_commune=60, seed=3)
    members = list(Member.objects.select_related("ethnic_group"))
    ids = [m.personal_id for m in members if m.personal_id]
    assert len(ids) == len(set(ids)) and len(ids) > 0.8 * len(members)
    for member in members:
        assert validate_personal_id(member.personal_id, sex=member.sex, date_of_birth=member.date_of_birth) == []
        assert member.personal_id == "" or member.personal_id.startswith("064")
    for household in Household.objects.prefetch_related("members"):
        people = [
            {"full_name": m.full_name, "relationship": m.relationship, "date_of_birth": m.date_of_birth}
            for m in household.members.all()
        ]
        assert validate_household_members(people) == [], household.code
    # Saving through the service changes nothing: the derived fields are the service's own.
    for household in Household.objects.select_related("village__parent")[:15]:
        def derived(h):
            return h.current_class, h.head_name, h.ethnic_minority, h.deprived_indicators, h.classification["summary"]

        before = derived(household)
        services.household_save(
            household=household, members=list(household.members.current().select_related("ethnic_group")),
            user=users.commune_officer, expected_version=household.version,
        )
        assert derived(household) == before


def test_households_look_like_krong_pa(tree, thon):
    result = households_generate(communes=[tree.commune], per_commune=400, seed=2021)
    assert result.created == 400 and Household.objects.count() == 400
    classes = Counter(Household.objects.values_list("current_class", flat=True))
    assert 0.05 <= classes[HouseholdClass.POOR] / 400 <= 0.25
    assert 0.03 <= classes[HouseholdClass.NEAR_POOR] / 400 <= 0.20
    sizes = [h.members.count() for h in Household.objects.all()]
    assert min(sizes) >= 1 and max(sizes) <= 9 and 3.6 <= sum(sizes) / len(sizes) <= 5.0
    groups = Counter(Member.objects.values_list("ethnic_group__name", flat=True))
    assert groups["Gia-rai"] > groups["Kinh"] > 0
    poor = Member.objects.filter(household__current_class=HouseholdClass.POOR)
    assert poor.exclude(health_insurance_number="").count() > 0.8 * poor.count()
    assert Member.objects.filter(relationship=Relationship.HEAD).count() == 400
    assert all(h.code.startswith("IRS-") for h in Household.objects.all())
    assert ChangeEntry.objects.filter(note="Tạo từ dữ liệu mẫu").count() == 400


def test_commune_prefixes():
    assert commune_prefix(CommuneFactory.build(name="Xã Ia RSai")) == "IRS"
    assert commune_prefix(CommuneFactory.build(name="Thị trấn Phú Túc")) == "PT"
    assert commune_prefix(CommuneFactory.build(name="Xã Đất Bằng")) == "DB"
    assert commune_prefix(CommuneFactory.build(name="Xã Uar")) == "UAR"


def test_command_reports_and_is_safe_to_repeat(tree):
    out = StringIO()
    call_command("generate_households", "--per-commune", "12", "--seed", "1", "--commune", "24079", stdout=out)
    assert "Đã tạo 12 hộ mới ở 1 xã" in out.getvalue()
    out = StringIO()
    call_command("generate_households", "--per-commune", "12", "--seed", "1", "--commune", "24079", stdout=out)
    assert "Đã tạo 0 hộ mới ở 1 xã (12 hộ đã có, bỏ qua)" in out.getvalue()
    with pytest.raises(CommandError, match="99999"):
        call_command("generate_households", "--commune", "99999", stdout=StringIO())


@pytest.mark.parametrize("today", [None, date(2030, 7, 1)])
def test_adults_with_an_id_hold_a_card_issued_after_their_14th_birthday(tree, thon, today):
    # Luật Căn cước công dân 2014, Điều 19: the card is issued from the age of 14; never after the generation day.
    households_generate(communes=[tree.commune], per_commune=40, seed=7, today=today)
    day = today or timezone.localdate()
    members = list(Member.objects.all())
    adults = [m for m in members if m.personal_id and age_on(m.date_of_birth, day) >= 18]
    assert len(adults) > 40
    for member in adults:
        issued = member.personal_id_issued_on
        assert issued is not None, member
        assert date(2016, 1, 1) <= issued <= day and age_on(member.date_of_birth, issued) >= 14
        assert validate_personal_id_issued_on(
            issued, personal_id=member.personal_id, date_of_birth=member.date_of_birth, today=day
        ) == []
    assert all(m.personal_id_issued_on is None for m in members if not m.personal_id)
    assert len({m.personal_id_issued_on for m in adults}) > len(adults) // 2  # drawn, not one day for all


def test_the_copy_path_writes_the_rows_the_service_path_writes(tree, users, thon):
    """The generator writes with COPY from plain records; saving the same facts through household_save gives the same
    household row (classification, indicators, explanation, head, flags) and the same members."""
    households_generate(communes=[tree.commune], per_commune=12, seed=5)
    not_compared = {"id", "created_at", "updated_at", "created_by_id", "version"}
    derived = {"head_name", "ethnic_minority", "classification", "current_class", "deprived_indicators", "commune_id"}

    def household_row(household):
        return {
            f.attname: getattr(household, f.attname)
            for f in Household._meta.concrete_fields
            if f.attname not in not_compared
        }

    def member_rows(household):
        skip = not_compared | {"household_id"}
        fields = [f.attname for f in Member._meta.concrete_fields if f.attname not in skip]
        return sorted(tuple(getattr(m, name) for name in fields) for m in household.members.all())

    compared = Counter()
    for fast in Household.objects.order_by("code")[:12]:
        expected_row, expected_members = household_row(fast), member_rows(fast)
        assert fast.changes.get().action == "create"
        members = list(fast.members.select_related("ethnic_group").order_by("pk"))  # as drawn: the explanation's order
        ChangeEntry.objects.filter(household=fast).delete()
        Member.objects.filter(household=fast).delete()
        fast.delete()
        facts = {name: value for name, value in expected_row.items() if name not in derived}
        household = Household(**facts)
        for member in members:
            member.pk = member.household_id = None
        saved = services.household_save(
            household=household, members=members, user=users.commune_officer, expected_version=None
        )
        saved = Household.objects.get(pk=saved.pk)
        assert household_row(saved) == expected_row, saved.code
        assert member_rows(saved) == expected_members, saved.code
        assert saved.changes.filter(action="create").exists()  # the service also writes one entry per member
        compared[saved.current_class] += 1
    assert sum(compared.values()) == 12 and compared[HouseholdClass.NON_POOR] < 12  # not only the easy case


@pytest.mark.django_db(transaction=True)  # the worker processes open their own connections and see committed rows
def test_parallel_workers_write_the_same_households(tree):
    second = CommuneFactory(parent=tree.commune.parent, code="24080", name="Xã Ia Hdreh")
    VillageFactory(code="24080-01", name="Buôn Tăng Mây", kind=UnitKind.BUON, parent=second)
    communes = [tree.commune, second]
    serial = households_generate(communes=communes, per_commune=25, seed=11)
    rows = snapshot()
    wipe()
    parallel = households_generate(communes=communes, per_commune=25, seed=11, workers=2)
    assert (parallel.created, parallel.communes, parallel.classes) == (50, 2, serial.classes)
    assert snapshot() == rows
