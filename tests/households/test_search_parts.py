"""The part look-up made of whole words (``households.selectors._expanded_conditions``, ADR 0052): each typed word
of three letters or more stands for the vocabulary's words that contain it, and every two typed words for their
pairs. On random registers whose names hold words inside other words ("an" in "thanh", "nga" in "hnga", "uyen" in
"nguyen"), the same households as the trigram look-up it replaces, for every role, filter and cap."""

import random
import unicodedata
from datetime import timedelta

import pytest
from django.utils import timezone

from households import selectors
from households.models import Household, HouseholdSearchWord
from households.selectors import (
    _commune_of,
    _filtered_for,
    household_listing_for,
    household_match_keys,
    household_search,
)

from ..factories import VillageFactory
from .conftest import member

pytestmark = pytest.mark.django_db

# Words that hold others: "thanh" holds "than", "an" and "anh"; "nguyen" holds "uyen"; "hnga" (H'Nga) holds "nga".
WORDS = [
    "Nguyễn", "Nguyệt", "Uyên", "Thanh", "Than", "Thành", "An", "Anh", "Ân", "Trần", "Trang", "Tranh", "Đức", "Duc",
    "H'Nga", "Nga", "Ngân", "Ksor", "Rơ", "Mah", "H'Linh", "Hlinh", "Ly", "Lyna", "Y", "Bhin", "Thị", "Văn", "Hà",
]  # fmt: skip


def plain(word: str) -> str:
    """The word without its marks, in lower case, as typed on a keyboard without Vietnamese input."""
    word = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D").lower())
    return "".join(character for character in word if character.isascii() and (character.isalnum() or character == "'"))


def typed_word(rng) -> str:
    """A word as an officer may type it: a whole word, with or without its marks, or a part of one."""
    word = rng.choice(WORDS) if rng.random() < 0.2 else plain(rng.choice(WORDS))
    if len(word) > 3 and rng.random() < 0.5:
        start = rng.randrange(0, len(word) - 2)
        word = word[start : rng.randrange(start + 3, len(word) + 1)]
    return word


@pytest.fixture
def register(tree, make_household):
    rng = random.Random(52)
    today = timezone.localdate()  # ages, not dates, matter: a head of 56, grown children of 21, whatever the year
    head_born, child_born = today - timedelta(days=56 * 365), today - timedelta(days=21 * 365)
    villages = [tree.village, VillageFactory(parent=tree.sibling_commune), VillageFactory(parent=tree.commune)]
    for index in range(1, 41):
        people = [
            member(" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 4))), relationship, born)
            for relationship, born in [("head", head_born), *[("child", child_born)] * rng.randint(0, 2)]
        ]
        household = make_household(code=f"PT-{index:03d}", village=rng.choice(villages), members=people)
        if rng.random() < 0.1:
            Household.objects.filter(pk=household.pk).update(state="archived")
    queries = [" ".join(typed_word(rng) for _ in range(rng.randint(1, 4))) for _ in range(30)]
    # Two parts inside one word of a name, a repeated word, a short last word, a part no name holds, a word that
    # normalises to two (answered by the trigram look-up), a single letter joined to the next word (likewise).
    queries += ["ngu yen", "than than", "tran ly", "anh y", "zzz", "ksorαhlinh", "h linh", "nga nga nga", "uye"]
    return villages, queries


def by_trigrams(monkeypatch):
    """Run the look-up as before: the parts through the trigram index."""
    monkeypatch.setattr(selectors, "_expandable", lambda words: False)


@pytest.mark.parametrize("pairs_looked_up", [256, 1])
def test_the_parts_as_whole_words_find_the_households_the_trigrams_found(users, register, monkeypatch, pairs_looked_up):
    """With every pair looked up, and with none (each word alone, the names then split and compared)."""
    villages, queries = register
    monkeypatch.setattr(selectors, "PAIRS_LOOKED_UP", pairs_looked_up)
    compared = 0
    roles = (users.province_staff, users.district_staff, users.commune_officer)
    for user in roles if pairs_looked_up > 1 else roles[:1]:
        for extra in ({}, {"archived": True}, {"village": villages[2]}) if user is roles[0] else ({},):
            for query in queries:
                filters = {"q": query, **extra}
                qs = _filtered_for(user, filters)
                commune = _commune_of(user)
                listings = {cap: household_listing_for(user, filters=filters, cap=cap) for cap in (3, 1_000)}
                found = household_match_keys(qs, query, limit=1_001, commune=commune)
                with monkeypatch.context() as before:
                    by_trigrams(before)
                    former = household_match_keys(qs, query, limit=1_001, commune=commune)
                    former_listings = {cap: household_listing_for(user, filters=filters, cap=cap) for cap in (3, 1_000)}
                assert found == former, (user.username, extra, query)  # the same households with the same keys
                # Below the cap the same ranking. At the cap, as many households, all matches, and the same notice:
                # which ones come first out of a look-up is the plan's (each reads the search rows in their order on
                # disk at a million households; on these few rows PostgreSQL may read another table first).
                assert listings[1_000].ids == former_listings[1_000].ids, (user.username, extra, query)
                for cap, listing in listings.items():
                    assert listing.more_than == former_listings[cap].more_than
                    assert len(listing.ids) == len(former_listings[cap].ids) and set(listing.ids) <= set(found)
                # … and the plain search's households (the meaning, read through the trigram index). Not for a typed
                # word that normalises to two: the whole-word look-up finds its words anywhere in one member's name,
                # the plain search only side by side (as before this look-up; both paths of it agree above).
                if query != "ksorαhlinh":
                    assert set(found) == set(household_search(qs, query).values_list("pk", flat=True)), query
                compared += len(found) > 0
    assert compared > (80 if pairs_looked_up > 1 else 40)


def test_the_vocabulary_holds_the_words_of_the_names(register):
    """Every word of a current member's name, and no pair ("a+b")."""
    words = set(HouseholdSearchWord.objects.values_list("word", flat=True))
    assert {"nguyen", "thanh", "hnga", "hlinh", "ly", "y"} <= words
    assert not any("+" in word for word in words)


@pytest.mark.parametrize(
    "words,keys",
    [
        (["Nguyễn", "Thu", "Tuyết"], ["nguyen+thu", "nguyen+tuyet", "thu+tuyet"]),  # the pairs imply the words
        (["ksor"], ["ksor"]),
        (["Trần", "tran"], ["tran"]),  # one different word: the word itself
        (["ksorαhlinh"], ["hlinh", "hlinh+ksor", "ksor"]),  # one typed word, two normalised: its words stay
        (["y", "ksorαhlinh"], ["hlinh", "hlinh+ksor", "hlinh+y", "ksor", "ksor+y"]),
    ],
)
def test_whole_words_are_looked_up_by_their_pairs(words, keys):
    from django.db import connection

    sql, params = selectors._whole_keys(words).as_sql(None, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        assert sorted(cursor.fetchone()[0]) == keys


def test_a_word_held_twice_by_the_vocabulary_finds_the_same_households(users, register):
    """Two transactions adding one new word at the same moment both keep it (no unique word, migration 0020)."""
    from django.db import connection

    _villages, queries = register
    user = users.province_staff
    before = {q: household_listing_for(user, filters={"q": q}, cap=1_000).ids for q in queries}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO households_householdsearchword (word) SELECT word FROM households_householdsearchword"
        )
    assert {q: household_listing_for(user, filters={"q": q}, cap=1_000).ids for q in queries} == before


@pytest.mark.django_db(transaction=True)
def test_two_transactions_adding_the_same_new_words_do_not_wait_for_each_other(tree):
    """The vocabulary's trigger inserts only the words no committed row holds, without a unique word to wait on:
    an officer's save of a new spelling does not wait for an import that added it and has not committed, and two
    writers adding two words in opposite orders do not deadlock."""
    from ..pg import raw_connection

    first, second = raw_connection(), raw_connection()

    def search_row(cursor, household_id, words):  # foreign keys are checked at COMMIT; both roll back
        cursor.execute(
            "INSERT INTO households_householdsearch (household_id, commune_id, names, words, head_name)"
            " VALUES (%s, %s, 'x', %s, 'x')",
            [household_id, tree.commune.pk, words],
        )

    try:
        a, b = first.cursor(), second.cursor()
        for cursor in (a, b):
            cursor.execute("SET lock_timeout = '500ms'")
        search_row(a, 990_001, ["zzmotchu", "zzhaichu"])
        search_row(b, 990_002, ["zzhaichu"])  # waited for the first (LockNotAvailable) with a unique word
        search_row(b, 990_003, ["zzmotchu"])
        search_row(a, 990_004, ["zzbachu"])
        b.execute("SELECT count(*) FROM households_householdsearchword WHERE word LIKE 'zz%%'")
        assert b.fetchone() == (2,)  # its own two; the first's are not committed
    finally:
        for conn in (first, second):
            conn.rollback()
            conn.close()
