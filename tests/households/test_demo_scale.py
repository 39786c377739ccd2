"""The province-scale demo generator (households.demo_scale): a pool drawn in Python, copies written in SQL that are
valid records of their own: codes, keys, members, names, ID and card numbers, history, support, the classification
snapshot naming the copy's own members, and the dashboards' summary equal to the live aggregate."""

import re
import threading
import time
from collections import Counter, defaultdict
from io import StringIO

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection

from areas.choices import UnitKind
from households import demo_scale, services, summary
from households.demo import commune_prefix
from households.demo_scale import province_generate
from households.models import ChangeEntry, CommuneSummary, Household, Member, StatusRecord
from programs.models import Benefit, BenefitLog

from ..factories import VillageFactory

pytestmark = pytest.mark.django_db
FIELDS = ("households", "poor", "near_poor", "villages", "movements", "registered", "achieved")


@pytest.fixture
def villages(tree):
    """Ia RSai with two buôn (a copy may move to the other one) and a thôn."""
    return [
        tree.village,
        VillageFactory(code="24079-02", name="Buôn Ma Giai", kind=UnitKind.BUON, parent=tree.commune),
        VillageFactory(code="24079-03", name="Thôn Quỳnh Phụ", kind=UnitKind.VILLAGE, parent=tree.commune),
    ]


@pytest.fixture
def generated(tree, villages):
    return province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)


def number_of(code: str) -> int:
    return int(code.rsplit("-", 1)[1])


def test_totals_codes_and_keys(tree, generated):
    assert (generated.pool.created, generated.copies) == (8, 32)
    codes = list(Household.objects.filter(commune=tree.commune).values_list("code", flat=True))
    prefix = commune_prefix(tree.commune)
    assert sorted(codes) == [f"{prefix}-{n:04d}" for n in range(1, 41)]
    # one "created" change entry per household, every row hanging from a household of the commune
    entries = Counter(ChangeEntry.objects.filter(action="create").values_list("household__code", flat=True))
    assert entries == dict.fromkeys(codes, 1)
    assert generated.members == Member.objects.filter(household__code__gt=f"{prefix}-0008").count()
    assert Member.objects.filter(relationship="head").count() == 40


def test_each_copy_repeats_its_pool_household_with_its_own_rows(tree, generated):
    households = {h.code: h for h in Household.objects.filter(commune=tree.commune)}
    members = defaultdict(list)
    for member in Member.objects.order_by("id"):
        members[member.household_id].append(member)
    statuses = defaultdict(list)
    for record in StatusRecord.objects.order_by("valid_from", "id"):
        statuses[record.household_id].append((record.household_class, record.valid_from, record.valid_to))
    benefits = defaultdict(list)
    for benefit in Benefit.objects.select_related("programme", "member").order_by("id"):
        benefits[benefit.household_id].append(benefit)
    prefix = commune_prefix(tree.commune)
    for code, copy in households.items():
        source = households[f"{prefix}-{(number_of(code) - 1) % 8 + 1:04d}"]
        assert copy.current_class == source.current_class and copy.income_per_capita == source.income_per_capita
        assert copy.village.kind == source.village.kind and copy.village.parent_id == tree.commune.pk
        assert statuses[copy.pk] == statuses[source.pk] and statuses[copy.pk], code
        assert statuses[copy.pk][-1][0] == copy.current_class and statuses[copy.pk][-1][2] is None
        own = members[copy.pk]
        assert [(m.relationship, m.sex, m.date_of_birth) for m in own] == [
            (m.relationship, m.sex, m.date_of_birth) for m in members[source.pk]
        ]
        assert copy.head_name == next(m.full_name for m in own if m.relationship == "head")
        assert [b.programme.code for b in benefits[copy.pk]] == [b.programme.code for b in benefits[source.pk]]
        for benefit in benefits[copy.pk]:
            assert benefit.member is None or benefit.member.household_id == copy.pk
            if benefit.programme.code == "BHYT":
                assert benefit.card_number == benefit.member.health_insurance_number
    assert BenefitLog.objects.count() == Benefit.objects.count() > 0


def norm(text: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT households_search_norm(%s)", [text])
        return cursor.fetchone()[0]


def test_names_are_recombined_and_numbers_stay_unique(tree, generated):
    members = list(Member.objects.select_related("household"))
    copies = [m for m in members if number_of(m.household.code) > 8]
    pool_names = {m.full_name for m in members if number_of(m.household.code) <= 8}
    assert sum(m.full_name not in pool_names for m in copies) > len(copies) // 4
    # each copy's stored normalised name is its own (computed once per distinct name, the name trigger off)
    assert all(m.search_name == norm(m.full_name) for m in members)
    ids = [m.personal_id for m in members if m.personal_id]
    cards = [m.health_insurance_number for m in members if m.health_insurance_number]
    assert len(ids) == len(set(ids)) and len(cards) == len(set(cards))
    for member in copies:
        # TT 59/2021/TT-BCA: province 064, the sex and century digit and the year of birth stay the member's own
        assert member.personal_id == "" or member.personal_id[:6] == (
            f"064{((member.date_of_birth.year // 100) - 19) % 5 * 2 + (member.sex == 'female'):d}"
            f"{member.date_of_birth.year % 100:02d}"
        )
        assert member.health_insurance_number == "" or re.fullmatch(
            r"[A-Z]{2}\d64\d{10}", member.health_insurance_number
        )


def search_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT household_id, commune_id, names, words, head_name FROM households_householdsearch ORDER BY 1"
        )
        return cursor.fetchall()


def test_the_copies_search_rows_are_what_the_members_trigger_writes(tree, generated):
    """The copies' search rows are written in one pass (each distinct name's words computed once): the same rows as
    the members' search trigger computes from the members (``households_search_refresh``)."""
    written = search_rows()
    assert len(written) == Household.objects.count() == 40
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM households_householdsearch")
        cursor.execute("SELECT households_search_refresh(ARRAY(SELECT id FROM households_household))")
    assert search_rows() == written


def test_numbers_another_member_holds_are_drawn_again_until_none_does():
    """A copy's number that a registry member holds is drawn again; a number so drawn that another copy holds is drawn
    once more (the rows found by their place, the copies' numbers looked up by an index made for the redraw)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT '064190' || lpad((abs(hashint8(1 * 7919 + 1)::bigint * 2654435761) % 1000000)::text, 6, '0')"
        )
        first_draw = cursor.fetchone()[0]  # what member 1's ID becomes in the first round
        cursor.execute(
            "CREATE TEMPORARY TABLE stage_households_member"
            " (id bigint, personal_id varchar(12), health_insurance_number varchar(15));"
            " CREATE TEMPORARY TABLE gen_numbers (personal_id varchar(12), health_insurance_number varchar(15));"
            " INSERT INTO stage_households_member VALUES (1, '064190000001', ''),"
            " (2, '064190000002', 'HN4640000000002'), (3, %s, ''), (4, '', 'HN4640000000004');"
            " INSERT INTO gen_numbers VALUES ('064190000001', ''), ('', 'HN4640000000004')",
            [first_draw],
        )
        redrawn = demo_scale._redraw_clashes(cursor)
        cursor.execute("SELECT id, personal_id, health_insurance_number FROM stage_households_member ORDER BY id")
        rows = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'stage_households_member'")
        assert cursor.fetchone()[0] == 0  # the redraw's index is gone
    assert redrawn == 3  # member 1's ID twice (the registry's, then member 3's), member 4's card once
    assert rows[1:3] == [(2, "064190000002", "HN4640000000002"), (3, first_draw, "")]
    ids = [personal_id for _id, personal_id, _card in rows if personal_id]
    assert len(set(ids)) == 3 and rows[0][1].startswith("064190") and rows[0][1] not in ("064190000001", first_draw)
    assert rows[3][2] != "HN4640000000004" and rows[3][2].startswith("HN464") and len(rows[3][2]) == 15


def test_id_numbers_stay_distinct_when_the_pools_differ_in_size(tree, villages):
    """The ID cards' counter per prefix is the copy's generation times the pool's members of the prefix plus the
    member's rank among them, and the generations are those of the smallest pool. With a one-household pool in one
    commune and a thousand pool members sharing a prefix, that range passes the six digits (counters 10^6 apart would
    give one number): the copies are then numbered one by one, and every ID of the load stays distinct."""
    VillageFactory(code="24076-01", name="Tổ 1", parent=tree.sibling_commune)
    sibling = tree.sibling_commune
    province_generate(communes=[tree.commune, sibling], per_commune=8, pool=8, seed=11)
    for household in Household.objects.filter(commune=sibling).exclude(code=f"{commune_prefix(sibling)}-0001"):
        household.code = f"ZZ-{household.code}"  # outside the pool's numbering: the sibling's pool is one household
        household.save(update_fields=["code"])
    first = Member.objects.filter(household__code=f"{commune_prefix(sibling)}-0001").order_by("pk")
    first.update(personal_id="")
    Member.objects.filter(pk=first[0].pk).update(personal_id="064999000001")
    donor = Member.objects.filter(household__code=f"{commune_prefix(tree.commune)}-0002").order_by("pk").first()
    columns = [f.column for f in Member._meta.concrete_fields if f.column not in ("id", "search_name")]
    values = {"personal_id": "'064999' || lpad((i + 1)::text, 6, '0')", "relationship": "'child'",
              "health_insurance_number": "''"}  # fmt: skip
    with connection.cursor() as cursor:  # 999 more pool members of the prefix, in the other commune's pool
        cursor.execute(
            f"INSERT INTO households_member ({', '.join(columns)}) SELECT "
            + ", ".join(values.get(c, c) for c in columns)
            + " FROM households_member, generate_series(1, 999) i WHERE id = %s",
            [donor.pk],
        )
    demo_scale.households_copy(
        communes=[tree.commune, sibling], per_commune=1002, pool=8, result=demo_scale.ScaleResult(),
        progress=lambda message: None,
    )  # fmt: skip
    ids = Counter(Member.objects.exclude(personal_id="").values_list("personal_id", flat=True))
    assert sum(n for i, n in ids.items() if i.startswith("064999")) > 100_000  # fewer than 10^6 copied, yet
    assert [i for i, n in ids.items() if n > 1] == []


def unordered(derived: tuple) -> tuple:
    """The snapshot with each text's parts sorted: the generator derives with the members in the order it drew them,
    the service in the order of their birth dates (the pool's own households differ from the service the same way)."""

    def parts(text: str) -> list[str]:
        return sorted(part.strip(" .") for part in re.split(r"[;,()]", text))

    snapshot, *rest = derived
    rows = [{**row, "detail": parts(row["detail"])} for row in snapshot["rows"]]
    indicators = [{**i, "reason": parts(i["reason"])} for i in snapshot["indicators"]]
    return ({**snapshot, "rows": rows, "indicators": indicators}, *rest)


def test_a_copy_s_snapshot_is_what_the_registry_derives_for_it(tree, users, generated):
    """The snapshot names the copy's own members: saving the copy through the service gives the same snapshot (up
    to the order in which members are listed)."""
    prefix = commune_prefix(tree.commune)
    named = 0
    for household in Household.objects.filter(commune=tree.commune, code__gt=f"{prefix}-0008"):
        before = (household.classification, household.head_name, household.current_class)
        others = set(Member.objects.exclude(household=household).values_list("full_name", flat=True)) - set(
            household.members.values_list("full_name", flat=True)
        )
        reasons = " ".join(i["reason"] for i in household.classification["indicators"])
        named += any(m.full_name in reasons for m in household.members.all())
        assert "\u27e6" not in str(household.classification)
        services.household_save(
            household=household,
            members=list(household.members.current().select_related("ethnic_group")),
            user=users.commune_officer,
            expected_version=household.version,
        )
        household.refresh_from_db()
        after = (household.classification, household.head_name, household.current_class)
        assert unordered(after) == unordered(before), household.code
        assert not any(name in reasons for name in others if f"{name} (" in reasons)
    assert named > 0


def test_summaries_equal_the_live_aggregate(tree, generated):
    for commune_id in {tree.commune.pk}:
        row = CommuneSummary.objects.of_year(summary.summary_compute([commune_id])[commune_id].year).get(
            commune_id=commune_id
        )
        live = summary.summary_compute([commune_id])[commune_id]
        assert {f: getattr(row, f) for f in FIELDS} == {f: getattr(live, f) for f in FIELDS}
    assert row.households == 40


def test_the_copies_benefits_give_their_households_years_with_support(tree, generated):
    """The copies' benefits give their households' years with support (programs migration 0016): computed with the
    copies' benefits and moved while the benefits' trigger is off, the table is still exactly the benefits'."""
    from programs.models import SupportYear
    from programs.support_year import support_year_differences

    assert support_year_differences() == {"claimed": [], "missing": [], "repeated": []}
    copied = Benefit.objects.filter(cancelled_at=None, household__code__gt=f"{commune_prefix(tree.commune)}-0008")
    assert SupportYear.objects.filter(household__in=copied.values("household")).exists()


def test_running_again_adds_nothing_and_a_larger_run_only_the_rest(tree, villages, generated):
    rows = Household.objects.count(), Member.objects.count(), StatusRecord.objects.count(), Benefit.objects.count()
    again = province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    assert (again.pool.created, again.copies) == (0, 0)
    assert (Household.objects.count(), Member.objects.count(), StatusRecord.objects.count()) == rows[:3]
    assert Benefit.objects.count() == rows[3]
    more = province_generate(communes=[tree.commune], per_commune=50, pool=8, seed=11)
    assert (more.pool.created, more.copies) == (0, 10) and Household.objects.count() == 50
    ids = list(Member.objects.exclude(personal_id="").values_list("personal_id", flat=True))
    assert len(ids) == len(set(ids))


def test_command_uses_the_copies_above_the_pool(tree, villages):
    out = StringIO()
    call_command("generate_households", "--per-commune", "15", "--pool", "5", "--commune", "24079", stdout=out)
    assert "Đã tạo 15 hộ mới ở 1 xã: 5 hộ gốc và 10 hộ sao chép" in out.getvalue()
    # The console names each step in Vietnamese (the phases' keys stay for the benchmarks).
    assert "lập kế hoạch sao chép:" in out.getvalue() and "chuyển vào households_member:" in out.getvalue()
    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert not any(line.startswith(("plan:", "move ", "wait ", "lane ")) for line in lines)
    assert Household.objects.count() == 15 and StatusRecord.objects.filter(household__code__endswith="15").exists()


def test_the_copies_are_planned_with_the_pool_s_statistics(tree, villages):
    """The planner knows how many rows the pool just wrote when the copies are planned.

    A fresh database is analysed only when the autovacuum gets to it; planned on tables it believed empty, the
    copies' joins looked each pool household's head up with a scan of the pool's members per household: minutes
    over a few thousand households, never reaching the first copy at a million (docs/performance.md, fourth pass).
    """
    from django.db import connection

    with connection.cursor() as cursor:  # statistics of the tables before the pool, as in a fresh database
        cursor.execute("ANALYZE households_household, households_member")
    seen = {}

    def at_the_plan(execute, sql, params, many, context):
        if "CREATE UNLOGGED TABLE gen_pool_h" in sql and not seen:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT relname, reltuples FROM pg_class WHERE relname IN "
                    "('households_household', 'households_member')"
                )
                seen.update(cursor.fetchall())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(at_the_plan):
        result = province_generate(communes=[tree.commune], per_commune=20, pool=8, seed=11)
    assert result.copies == 12
    assert seen["households_household"] >= 8 and seen["households_member"] >= 8  # the pool, at least its heads


def work_schemas() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(r"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'gn\_scale\_%'")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_copies_computed_in_two_connections_are_the_same_records(tree, villages):
    """With two workers the copies' rows are computed in two other connections (committed work tables) and moved
    into the registry by this connection's one transaction: the same records as computed here."""
    from households.models import HouseholdSearch

    generated = province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11, workers=2)
    assert {"lane 1", "lane 2"} <= set(generated.server_cpu)  # the two other connections ran the work
    test_totals_codes_and_keys(tree, generated)
    test_each_copy_repeats_its_pool_household_with_its_own_rows(tree, generated)
    test_names_are_recombined_and_numbers_stay_unique(tree, generated)
    test_summaries_equal_the_live_aggregate(tree, generated)
    test_the_copies_benefits_give_their_households_years_with_support(tree, generated)
    test_the_copies_search_rows_are_what_the_members_trigger_writes(tree, generated)
    assert HouseholdSearch.objects.count() == Household.objects.count() == 40
    assert work_schemas() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_worker_leaves_the_registry_as_it_was(tree, villages, monkeypatch, workers):
    """A failure in another connection (or, with one worker, in this one) rolls the copies' transaction back: only the
    pool stays, with its indexes, and the work schema is gone."""
    from django.db import connection

    from households import demo_scale

    def broken(cursor, plan, result):
        cursor.execute("SELECT 1 / 0")

    monkeypatch.setattr(demo_scale, "_copy_support", broken)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename LIKE 'households_%' OR tablename LIKE 'programs_%'"
        )
        indexes = cursor.fetchone()[0]
    with pytest.raises(Exception, match="division by zero"):
        province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11, workers=workers)
    prefix = commune_prefix(tree.commune)
    assert Household.objects.count() == 8 and not Member.objects.filter(household__code__gt=f"{prefix}-0008").exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename LIKE 'households_%' OR tablename LIKE 'programs_%'"
        )
        assert cursor.fetchone()[0] == indexes
    assert work_schemas() == []


def test_counted_electricity_quarters_are_stopped_for_the_load_and_counted_again(tree, villages):
    """The load drops the indexes the electricity counts' triggers read (ADR 0053): the quarters stop being counted
    inside the copies' transaction and are built again after it, equal to the live list."""
    from django.utils import timezone

    from programs import electricity
    from programs.models import ElectricityQuarter, Programme

    electricity.electricity_counts_keep(timezone.localdate())
    before = dict(ElectricityQuarter.objects.values_list("pk", "built_at"))
    assert len(before) == 3
    province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    quarters = list(ElectricityQuarter.objects.all())
    assert len(quarters) == 3 and not {q.pk for q in quarters} & set(before)  # built again, not carried through
    programme = Programme.objects.get(code="ELECTRICITY")
    entitled = 0
    for quarter in quarters:
        live = electricity.live_village_counts(programme, quarter.period_year, quarter.period_quarter)
        counted = electricity.counted_village_totals(programme, quarter.period_year, quarter.period_quarter)
        assert counted == {village: counts for village, counts in live.items() if any(counts)}
        entitled += sum(households for households, _paid in live.values())
    assert entitled  # the copies hold entitled households: the comparison is not of two empty lists


def test_a_run_with_nothing_to_copy_keeps_the_electricity_counts(tree, villages):
    """The counts are stopped only for a load that copies: a second run of the same command, which finds every code
    already there, leaves the counted quarters as they were."""
    from django.utils import timezone

    from programs import electricity
    from programs.models import ElectricityQuarter

    province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    electricity.electricity_counts_keep(timezone.localdate())
    before = sorted(ElectricityQuarter.objects.values_list("pk", "built_at"))
    assert len(before) == 3
    province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    assert sorted(ElectricityQuarter.objects.values_list("pk", "built_at")) == before


def test_a_small_load_leaves_the_referring_tables_alone(tree, villages):
    """A load that keeps the indexes and keys (the copies do not double the registry) neither drops nor locks the
    tables whose foreign keys refer to the copied tables: another session's transaction that has read one of them
    does not hold it up."""
    # 40 households drawn as the pool (no copies, so no lock of this test's transaction on the referring tables)
    province_generate(communes=[tree.commune], per_commune=40, pool=40, seed=11)
    officer = other_connection()
    try:
        with officer.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # a hang would be a failure, not a stuck suite
            cursor.execute("SELECT count(*) FROM reviews_certificate")  # in a transaction, not committed
        province_generate(communes=[tree.commune], per_commune=50, pool=40, seed=11)
    finally:
        officer.close()
    assert Household.objects.count() == 50


def enabled_triggers() -> list[tuple[str, str, str]]:
    from django.db import connection

    from households.demo_scale import TABLES

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [list(TABLES)],
        )
        return cursor.fetchall()


def test_the_mark_triggers_are_off_for_the_copies_only_and_their_communes_are_marked(tree, villages, monkeypatch):
    """The summaries' mark triggers are switched off while the copies are moved (their transition tables would hold
    every copied row) and on again in the same transaction; the commune copied into is marked for the support
    figures' sweep as the triggers would have marked it."""
    from households import demo_scale
    from programs.models import SupportStale

    copy = demo_scale.households_copy

    def after_the_pool(**kwargs):  # the pool's own writes mark the commune: only the copies' marks are looked at
        SupportStale.objects.all().delete()
        copy(**kwargs)

    monkeypatch.setattr(demo_scale, "households_copy", after_the_pool)
    before = enabled_triggers()
    assert any(name.endswith("_support_ins") for _table, name, _state in before)
    province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    assert enabled_triggers() == before
    assert SupportStale.objects.filter(commune=tree.commune).exists()
    # A later write marks again: the triggers are on.
    SupportStale.objects.all().delete()
    Household.objects.filter(pk=Household.objects.order_by("-pk").first().pk).update(state="archived")
    assert SupportStale.objects.filter(commune=tree.commune).exists()


def test_what_an_index_definition_does_not_carry_survives_the_load(tree, villages):
    """A key's storage options come back with it (rebuilt from its index's definition); an index with a CLUSTER
    mark, a comment or a statistics target is left in place (its definition would not restore them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER INDEX households_member_pkey SET (fillfactor = 70);"
            " ALTER TABLE households_changeentry CLUSTER ON households_changeentry_pkey;"
            " COMMENT ON INDEX programs_support_year_idx IS 'năm có hỗ trợ';"
            " ALTER INDEX households_code_prefix_idx ALTER COLUMN 1 SET STATISTICS 500"
        )
    before = indexes_and_keys()
    province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    assert indexes_and_keys() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT attstattarget FROM pg_attribute WHERE attrelid = 'households_code_prefix_idx'::regclass")
        assert cursor.fetchone()[0] == 500


def other_connection():
    """A second session on the test database, as an officer's request would have."""
    return psycopg2.connect(**connection.get_connection_params())


def test_a_table_another_session_holds_ends_the_load_with_no_copy_written(tree, villages, monkeypatch):
    """The load waits ``LOCK_WAIT`` at most for another session's lock (here a transaction that has read the
    reviews' certificates, whose foreign key the load drops), then ends with a message and writes no copy."""
    province_generate(communes=[tree.commune], per_commune=8, pool=8, seed=11)
    monkeypatch.setattr(demo_scale, "LOCK_WAIT", "200ms")
    officer = other_connection()
    try:
        officer.cursor().execute("SELECT count(*) FROM reviews_certificate")  # in a transaction, not committed
        with pytest.raises(demo_scale.LoadBusy, match="Chưa có hộ sao chép nào được ghi"):
            province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    finally:
        officer.close()
    assert Household.objects.count() == 8
    out = StringIO()
    officer = other_connection()
    try:
        officer.cursor().execute("SELECT count(*) FROM reviews_certificate")
        with pytest.raises(CommandError, match="cổng đang có người dùng"):
            call_command(
                "generate_households", "--per-commune", "40", "--pool", "8", "--commune", tree.commune.code,
                stdout=out,
            )  # fmt: skip
    finally:
        officer.close()


@pytest.mark.django_db(transaction=True)
def test_a_session_that_read_a_referring_table_then_writes_a_copied_one_is_not_deadlocked(tree, villages):
    """The tables whose foreign keys the load drops are locked before the copied tables: a session that has read one
    of them (the reviews' certificates) and then writes a copied table (the change entries, as recognising a review
    round does) goes on while the load waits for it, and the load then commits."""
    outcome = {}
    reading = threading.Event()

    def officer():
        session = other_connection()
        try:
            cursor = session.cursor()
            cursor.execute("SELECT count(*) FROM reviews_certificate")
            reading.set()
            for _attempt in range(250):  # until the load waits for this session's lock
                cursor.execute(
                    "SELECT 1 FROM pg_locks WHERE relation = 'reviews_certificate'::regclass AND NOT granted"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
                if cursor.fetchone():
                    break
                time.sleep(0.02)
            cursor.execute("LOCK TABLE households_changeentry IN ROW EXCLUSIVE MODE")  # what its insert takes
            session.commit()
            outcome["officer"] = "committed"
        except psycopg2.Error as error:
            outcome["officer"] = str(error)
        finally:
            session.close()

    thread = threading.Thread(target=officer)
    thread.start()
    reading.wait(5)
    try:
        province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    finally:
        thread.join()
    assert outcome == {"officer": "committed"} and Household.objects.count() == 40


def test_the_copies_words_join_the_names_vocabulary_once(tree, villages, monkeypatch):
    """The search rows' words trigger is off for the moves and the copies' words are added from their names: the
    vocabulary (emptied here just before the copies, so that every word in it is the load's) then holds each single
    word of the copies' search rows, once, and no word of a member who has left (none in a search row)."""
    province_generate(communes=[tree.commune], per_commune=8, pool=8, seed=11)
    with connection.cursor() as cursor:  # a pool member who left the household, with a name nobody else has
        cursor.execute(
            "UPDATE households_member SET full_name = 'Zyxwq Thị Lan', left_at = current_date"
            " WHERE id = (SELECT min(id) FROM households_member WHERE relationship <> 'head')"
        )
    drop = demo_scale._drop_for_load

    def emptied_then_dropped(cursor, dropping):
        cursor.execute("DELETE FROM households_householdsearchword")
        return drop(cursor, dropping)

    monkeypatch.setattr(demo_scale, "_drop_for_load", emptied_then_dropped)
    province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM households_householdsearchword ORDER BY 1")
        vocabulary = [word for (word,) in cursor.fetchall()]
        cursor.execute(
            "SELECT DISTINCT w FROM households_householdsearch s"
            " JOIN households_household h ON h.id = s.household_id, unnest(s.words) AS w"
            " WHERE strpos(w, '+') = 0 AND h.code > %s ORDER BY 1",
            [f"{commune_prefix(tree.commune)}-0008"],
        )
        words = [word for (word,) in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM households_member WHERE full_name LIKE 'Zyxwq %%' AND left_at IS NOT NULL")
        departed = cursor.fetchone()[0]
    assert vocabulary == words and len(words) > 10
    assert departed > 1 and "zyxwq" not in words


def test_a_copy_that_breaks_a_unique_index_rolls_the_whole_load_back(tree, villages, monkeypatch):
    """The unique indexes are built again after the moves (ADR 0058): a duplicate among the copies (here a copy given
    the code of a pool household, in any letter case) fails that build, and nothing of the load stays."""
    province_generate(communes=[tree.commune], per_commune=8, pool=8, seed=11)
    before = (Household.objects.count(), Member.objects.count(), Benefit.objects.count())
    add = demo_scale._add_vocabulary

    def then_a_duplicate(cursor):
        add(cursor)
        cursor.execute(
            "UPDATE households_household SET code = lower(%s) WHERE id = (SELECT max(id) FROM households_household)",
            [f"{commune_prefix(tree.commune)}-0001"],
        )

    monkeypatch.setattr(demo_scale, "_add_vocabulary", then_a_duplicate)
    with pytest.raises(IntegrityError, match="households_code_unique_in_commune_ci"):
        province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    assert (Household.objects.count(), Member.objects.count(), Benefit.objects.count()) == before


def test_a_trigger_switched_off_before_the_run_stays_off(tree, villages):
    """The load switches its triggers off and on again only if they were on: one an administrator had switched off
    (here the benefits' years with support) is still off after it, and the others are as they were."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE programs_benefit DISABLE TRIGGER {demo_scale.SUPPORT_YEAR_TRIGGER}")
    before = enabled_triggers()
    assert ("programs_benefit", demo_scale.SUPPORT_YEAR_TRIGGER, "D") in before
    province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11)
    assert enabled_triggers() == before


def indexes_and_keys() -> tuple[list, list]:
    """The copied tables' indexes and constraints, and the foreign keys that refer to them, as PostgreSQL defines
    them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), indisclustered, indisreplident,"
            " obj_description(indexrelid, 'pg_class') FROM pg_index WHERE indrelid = ANY(%s::regclass[]) ORDER BY 1",
            [list(demo_scale.TABLES)],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated, condeferrable,"
            " condeferred FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])"
            " ORDER BY 1, 2",
            [list(demo_scale.TABLES)] * 2,
        )
        return indexes, cursor.fetchall()


def analysed_up_to_the_last_row() -> dict[str, tuple]:
    """Each table's highest key in its statistics and in its rows: equal once analysed after the copies."""
    seen = {}
    with connection.cursor() as cursor:
        for table in demo_scale.TABLES:
            key = "household_id" if table == "households_householdsearch" else "id"  # one search row per household
            cursor.execute(
                "SELECT (histogram_bounds::text::bigint[])[array_upper(histogram_bounds::text::bigint[], 1)]"
                " FROM pg_stats WHERE tablename = %s AND attname = %s",
                [table, key],
            )
            row = cursor.fetchone()
            cursor.execute(f"SELECT max({key}) FROM {table}")
            seen[table] = (row and row[0], cursor.fetchone()[0])
    return seen


@pytest.mark.parametrize("first", [0, 40], ids=["load that drops the indexes", "small load"])
def test_every_index_and_key_comes_back_and_the_tables_are_analysed(tree, villages, monkeypatch, first):
    if first:
        province_generate(communes=[tree.commune], per_commune=first, pool=8, seed=11)
    before = indexes_and_keys()
    dropped = []
    drop = demo_scale._drop_for_load
    monkeypatch.setattr(
        demo_scale, "_drop_for_load", lambda cursor, dropping: dropped.append(drop(cursor, dropping)) or dropped[0]
    )
    result = province_generate(communes=[tree.commune], per_commune=first + 10 if first else 40, pool=8, seed=11)
    indexes, keys = dropped[0]
    assert bool(indexes) == bool(keys) == (not first) and ("rebuild_keys" in result.phases) == (not first)
    if indexes:  # every kind was dropped and created again: plain and unique indexes, primary keys, foreign keys
        assert {statement.split()[1] for statement in indexes} == {"INDEX", "UNIQUE", "TABLE"}
        made_keys = " ".join(statement for statement in indexes if "PRIMARY KEY" in statement)
        assert "households_household_pkey" in made_keys and "households_member_pkey" in made_keys
        # other tables' foreign keys to the copied tables' keys went with them and came back
        assert any(statement.startswith("ALTER TABLE emulation_award ") for statement in keys)
    assert indexes_and_keys() == before
    state = analysed_up_to_the_last_row()
    assert all(statistics == rows for statistics, rows in state.values()), state


def unchecked_keys() -> list[tuple[str, str]]:
    """The foreign keys of the copied tables, and of those that refer to them, marked ``NOT VALID``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"
            " AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])) ORDER BY 1, 2",
            [list(demo_scale.TABLES)] * 2,
        )
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_with_workers_the_foreign_keys_are_checked_after_the_commit_beside_the_summaries(tree, villages, monkeypatch):
    """With workers the load adds its foreign keys back unchecked (``NOT VALID``: enforced for every later write) and
    checks the rows already written after its commit, in a connection of its own beside the summaries' two: a
    single-threaded check inside the transaction left a core idle. Afterwards every key is checked and defined as
    before."""
    before = indexes_and_keys()
    seen = []
    check = demo_scale._keys_check

    def watched(cursor):
        seen.append((unchecked_keys(), connection.in_atomic_block, threading.current_thread().name))
        return check(cursor)

    monkeypatch.setattr(demo_scale, "_keys_check", watched)
    province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11, workers=2)
    # the run's first check (keys an earlier run left) finds none; the second is after the commit
    [(first, _, _), (unchecked, in_transaction, thread)] = seen
    assert first == []
    assert ("programs_benefitlog", "programs_benefitlog_benefit_id_d35ac60e_fk_programs_benefit_id") in unchecked
    assert ("emulation_award" in {table for table, _ in unchecked}) and not in_transaction
    assert thread != threading.main_thread().name
    assert unchecked_keys() == [] and indexes_and_keys() == before


def left_unchecked(broken: bool = False) -> str:
    """The change entries' key to the households made ``NOT VALID`` as a run stopped after its commit leaves it
    (``broken``: with a change entry of a household that does not exist); its name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'"
            " AND conrelid = 'households_changeentry'::regclass AND confrelid = 'households_household'::regclass"
        )
        [(name, definition)] = cursor.fetchall()
        cursor.execute(f'ALTER TABLE households_changeentry DROP CONSTRAINT "{name}"')
        if broken:
            cursor.execute(
                "UPDATE households_changeentry SET household_id = -1 WHERE id = (SELECT max(id) FROM"
                " households_changeentry)"
            )
        cursor.execute(f'ALTER TABLE households_changeentry ADD CONSTRAINT "{name}" {definition} NOT VALID')
    return name


@pytest.mark.parametrize("again", [25, 20, 8], ids=["a small copy", "nothing to copy", "the pool only"])
def test_a_key_an_earlier_run_left_unchecked_is_checked_by_the_next(tree, villages, again):
    """A run stopped between its commit and its checks leaves keys ``NOT VALID``: the next run checks them first,
    whatever it then copies (even nothing)."""
    province_generate(communes=[tree.commune], per_commune=20, pool=8, seed=11)
    before = indexes_and_keys()
    name = left_unchecked()
    assert unchecked_keys() == [("households_changeentry", name)]
    province_generate(communes=[tree.commune], per_commune=again, pool=8, seed=11)
    assert unchecked_keys() == [] and indexes_and_keys() == before


def test_a_key_left_broken_stops_the_next_run_before_it_writes(tree, villages):
    """A key still broken from an earlier run ends the next one at its start, with the message naming it, before it
    writes or stops anything (the electricity counts stay)."""
    from django.utils import timezone

    from programs import electricity
    from programs.models import ElectricityQuarter

    province_generate(communes=[tree.commune], per_commune=20, pool=8, seed=11)
    electricity.electricity_counts_keep(timezone.localdate())
    quarters = set(ElectricityQuarter.objects.values_list("pk", flat=True))
    name = left_unchecked(broken=True)
    households = Household.objects.count()
    with pytest.raises(demo_scale.KeysBroken, match=name):
        province_generate(communes=[tree.commune], per_commune=40, pool=12, seed=11)
    assert Household.objects.count() == households
    assert set(ElectricityQuarter.objects.values_list("pk", flat=True)) == quarters
    assert unchecked_keys() == [("households_changeentry", name)]


@pytest.mark.django_db(transaction=True)
def test_a_copy_that_breaks_a_foreign_key_is_reported_by_the_check_after_the_commit(tree, villages, monkeypatch):
    """With workers a copy that broke a foreign key is found by the check after the commit: the run ends with a
    message naming the key (the copies are written), the other keys are checked, the summaries and the electricity
    counts rebuilt, and that key stays ``NOT VALID`` until the row is mended and a run checks it."""
    moved = demo_scale._add_vocabulary

    def then_an_orphan(cursor):
        moved(cursor)
        cursor.execute(
            "UPDATE households_changeentry SET household_id = -1 WHERE id = (SELECT max(id) FROM"
            " households_changeentry)"
        )

    monkeypatch.setattr(demo_scale, "_add_vocabulary", then_an_orphan)
    from django.utils import timezone

    from programs import electricity
    from programs.models import ElectricityQuarter

    electricity.electricity_counts_keep(timezone.localdate())
    quarters = set(ElectricityQuarter.objects.values_list("pk", flat=True))
    try:
        with pytest.raises(demo_scale.KeysBroken, match="khóa households_changeent_household_id_[0-9a-f]+_fk_"):
            province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11, workers=2)
        # the other keys were checked all the same, the summaries rebuilt and the electricity quarters counted again
        assert [table for table, _ in unchecked_keys()] == ["households_changeentry"]
        assert CommuneSummary.objects.exists()
        counted = set(ElectricityQuarter.objects.values_list("pk", flat=True))
        assert len(counted) == len(quarters) and not counted & quarters
    finally:  # the row mended and the key checked: the database the next tests reuse keeps its keys checked
        ChangeEntry.objects.filter(household_id=-1).delete()
        with connection.cursor() as cursor:
            checked = demo_scale._keys_check(cursor)
    assert checked == 1 and unchecked_keys() == []


@pytest.mark.django_db(transaction=True)
def test_the_work_tables_are_left_out_of_the_autovacuum(tree, villages, monkeypatch):
    """Each job's work tables are committed with the autovacuum off for them (and their TOAST): written once and read
    by the moves, they were vacuumed in the middle of a large load for nothing."""
    seen = {}
    drop = demo_scale._drop_work_schemas

    def watched(cursor, schema, own=False):
        if own and not seen:  # the end of the copies' transaction: every job's tables are there
            cursor.execute(
                "SELECT c.relname, (c.reloptions, t.reloptions) FROM pg_class c LEFT JOIN pg_class t"
                " ON t.oid = c.reltoastrelid WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r'",
                [schema],
            )
            seen.update(cursor.fetchall())
        return drop(cursor, schema, own)

    monkeypatch.setattr(demo_scale, "_drop_work_schemas", watched)
    province_generate(communes=[tree.commune], per_commune=40, pool=8, seed=11, workers=2)
    assert {"gen_plan", "gen_templates", "stage_households_household", "stage_programs_benefit"} <= set(seen)
    off = "{autovacuum_enabled=off}"
    assert seen["stage_households_household"] == f"({off},{off})"  # the snapshots' TOAST too
    assert set(seen.values()) <= {f"({off},{off})", f"({off},)"}
