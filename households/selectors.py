"""Read-side queries for the registry: the scoped, filtered, Vietnamese-sorted household list and its search."""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import connections, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Collate

from areas.choices import UnitLevel
from core.pagination import CappedCountPaginator

from .choices import HouseholdState
from .expressions import SearchNorm, SearchWords, WordSimilarity
from .models import Household, HouseholdSearch, Member
from .models.search import MEMBER_SEPARATOR

VIETNAMESE = "vi-x-icu"  # ICU collation shipped with PostgreSQL: a ă â b c d đ e ê … in dictionary order

# The list's order; households_name_order_idx has exactly these columns, so any page is an index walk.
LIST_ORDER = (Collate("head_name", VIETNAMESE), "code", "pk")

# An ID number typed in the search box: the 9-digit CMND or the 12-digit CCCD (personal identification number,
# Luật Căn cước 2023, Điều 12), with or without the spaces or dots people group it with.
ID_NUMBER = re.compile(r"\d{9}|\d{12}")


# The list page ranks at most this many search matches. A word thousands of people share (a clan name such as
# "Ksor", a common given name) matches a fifth of a province: reading, rechecking and ranking every match grows
# with the province, while the officer only reads the first page and is better served by typing one more word.
SEARCH_CAP = 1_000


def _filtered_for(user, filters: dict) -> QuerySet:
    """The user's households with the list page's filters applied, in no particular order."""
    qs = Household.objects.visible_to(user).select_related("village")
    if not filters.get("archived"):
        qs = qs.filter(state=HouseholdState.ACTIVE)
    if filters.get("village"):
        qs = qs.filter(village=filters["village"])
    if filters.get("household_class"):
        qs = qs.filter(current_class=filters["household_class"])
    if filters.get("flag") in ("ethnic_minority", "meritorious", "social_protection", "no_labour_capacity"):
        qs = qs.filter(**{filters["flag"]: True})
    if filters.get("indicator"):
        qs = qs.filter(deprived_indicators__contains=[filters["indicator"]])
    return qs


def _query_of(filters: dict) -> str:
    return " ".join((filters.get("q") or "").split())


def household_list_for(user, *, filters: dict) -> QuerySet:
    """Households the user may see, filtered as on the list page: best search matches first, else by head's name.

    Every match of a search, however many: the Excel export of a search uses it. The list page uses
    ``household_listing_for``, which ranks at most ``SEARCH_CAP`` matches.
    """
    qs = _filtered_for(user, filters)
    query = _query_of(filters)
    if query:
        return household_search(qs, query)
    return qs.order_by(*LIST_ORDER)


def household_export_size(user, *, filters: dict, limit: int) -> int:
    """How many households the export of the list as filtered writes, counted no further than ``limit`` + 1 (whether
    it is small is all that matters, core.exports). A search's matches are collected through the indexes as the list
    page collects them (``household_match_keys``), stopping past the limit: the ranked search counted under a LIMIT
    took 1–2 s for a common word ("văn", "thị") against 0,02–0,14 s this way."""
    qs = _filtered_for(user, filters)
    query = _query_of(filters)
    if query:
        return len(household_match_keys(qs, query, limit=limit + 1, commune=_commune_of(user)))
    return qs.order_by().values("pk")[: limit + 1].count()


@dataclass(frozen=True)
class HouseholdListing:
    """What the list page shows: the households in their order, and whether the search matched more than that."""

    households: QuerySet
    more_than: int | None = None  # set to the cap when the search matched more households than it ranked
    count: int | None = None  # a search's number of households ranked, known without counting them again
    ids: list[int] | None = None  # a search's households in their ranked order: each page is a slice of it


class AnyOf(Func):
    """``expression = ANY(%s)``: the values go to PostgreSQL as one array parameter.

    ``pk__in=ids`` compiles one placeholder per value and prepares each value in Python; with the up to 1.000
    matches of a search, in the ranking's count and page queries, that was most of the search's own CPU time.
    """

    output_field = BooleanField()

    def __init__(self, expression, values: list[int]):
        super().__init__(expression, RawSQL("%s::bigint[]", (list(values),)))

    def as_sql(self, compiler, connection, **extra_context):
        (column, column_params), (array, array_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"{column} = ANY({array})", (*column_params, *array_params)


class PositionIn(Func):
    """``array_position(%s, expression)``: where a row's id stands in a list of ids already in order."""

    function = "array_position"
    output_field = IntegerField()

    def __init__(self, values: list[int], expression):
        super().__init__(RawSQL("%s::bigint[]", (list(values),)), expression)


def household_listing_for(user, *, filters: dict, cap: int | None = None) -> HouseholdListing:
    """The list page's households: as ``household_list_for``, but a search ranks at most ``cap`` matches.

    The matches are collected through the indexes, scoped and filtered, until ``cap`` + 1 distinct households are
    found (``household_matches``); only those are ranked. When there were more, ``more_than`` tells the page so
    that it can ask the officer to type more instead of paging through a clan.
    """
    cap = SEARCH_CAP if cap is None else cap
    qs = _filtered_for(user, filters)
    query = _query_of(filters)
    if not query:
        return HouseholdListing(qs.order_by(*LIST_ORDER))
    ids, more = household_ranked_ids(qs, query, cap=cap, commune=_commune_of(user))
    # The matches were collected from ``qs`` itself, so the ranked households are exactly these: no count query.
    # ``households`` is what the page's ids name, in their order, for callers that want the rows; the page itself
    # slices ``ids`` and reads its 50 rows (EstimatedCountPaginator).
    households = qs.filter(AnyOf("pk", ids)).order_by(PositionIn(ids, "pk"))
    return HouseholdListing(households, more_than=cap if more else None, count=len(ids), ids=ids)


def households_named(
    user, query: str, *, households: QuerySet | None = None, cap: int | None = None
) -> tuple[list[int], bool]:
    """The ids of at most ``cap`` households the user may see (of ``households``, a narrower queryset of them, if
    given) that the search text names (an ID number exactly, a household code by its beginning, names without their
    accents), ranked, and whether more matched: the household list's search box, for pages that list what households
    received (programs.selectors)."""
    qs = Household.objects.visible_to(user) if households is None else households
    return household_ranked_ids(qs, query, cap=cap, commune=_commune_of(user))


def households_named_all(user, query: str) -> QuerySet:
    """Every household the user may see that the search text names, however many, as a subquery of their ids: what
    an export of a search writes (``households_named`` ranks at most ``SEARCH_CAP`` for a page)."""
    return household_search(Household.objects.visible_to(user), query).order_by().values("pk")


def personal_id_typed(query: str) -> str | None:
    """The ID number the search text is, if it is one (digits, spaces and dots aside)."""
    return _search_terms(query)[0]


def household_ranked_ids(
    qs: QuerySet, query: str, *, cap: int | None = None, commune: int | None = None
) -> tuple[list[int], bool]:
    """The ids of at most ``cap`` households of ``qs`` that the search text names, in ``household_search``'s order,
    and whether more matched: collected through the indexes until one past the cap (``household_match_keys``),
    then ranked. The list page and the Django admin's search box (households.admin) search this way."""
    cap = SEARCH_CAP if cap is None else cap
    matches = household_match_keys(qs, query, limit=cap + 1, commune=commune)
    kept = dict(list(matches.items())[:cap])
    return _ranked(kept, by_name=bool(_search_terms(query)[1]), using=qs.db), len(matches) > cap


def _search_terms(query: str) -> tuple[str | None, list[str]]:
    """The ID number typed, if the text is one, and the words to look for in names (none for a number).

    A word with no letter or digit of the Vietnamese-Latin alphabet ("%", "ß") names nothing: it would normalise to
    an empty text, which every name contains.
    """
    digits = re.sub(r"[\s.]", "", query)
    personal_id = digits if ID_NUMBER.fullmatch(digits) else None
    words = [word for word in WORD_BREAK.split(unicodedata.normalize("NFC", query)) if _letters(word)]
    return personal_id, [] if digits.isdigit() else words


# What separates words: as in households_search_norm, anything but a letter, a digit or an apostrophe ("H'Linh" is
# one word, "Nguyễn-Văn" two).
WORD_BREAK = re.compile(r"[^\w'’ʼ`´]+|_+")

# A typed word of one or two letters ("Y", "Ly", "Hà") matches a whole word of a name, a longer one any part of a
# name. Short words have no trigram to narrow by: as parts of names ("ha" in "Thanh", "Khánh", "Phạm"…) they
# matched a large share of the province, and every name holding the other words had to be read and rechecked.
SHORT_WORD = 2


def _letters(word: str) -> int:
    """How many letters and digits ``word`` keeps once normalised (households_search_norm keeps a-z and 0-9)."""
    plain = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    return sum(character.isascii() and character.isalnum() for character in plain)


def _whole(word: str, via: str = "") -> Q:
    """The normalised word is a whole word of some member's name (household_search_words_idx, exact).

    ``via`` is the path to the search row from the queried model: "" on ``HouseholdSearch``, "search_row__" on
    ``Household`` (the same conditions, on the same row, joined)."""
    return Q(**{f"{via}words__contains": SearchWords(SearchNorm(Value(word)))})


def _part(word: str, via: str = "") -> Q:
    """The normalised word is a part of some member's name (household_search_trgm_idx narrows by its trigrams)."""
    return Q(**{f"{via}names__contains": SearchNorm(Value(word))})


class OneName(Func):
    """``EXISTS``: one member's name in the search row's ``names`` (split at the separator) meets every condition.

    The indexed conditions (``_whole``, ``_part``) find households where each typed word is in SOME member's name;
    this keeps those where they are all in ONE member's name, as the search has always meant. ``conditions`` is
    SQL over the member's name ``n`` with its parameters (the typed words, normalised by the same function).

    ``decided_up_to`` (with ``typed``, the words typed) says that the indexed conditions already decide it when the
    typed text has at most that many different normalised words: then no name is split (``_name_conditions``).
    """

    output_field = BooleanField()

    def __init__(self, conditions: str, params: list, via: str = "", decided_up_to: int = 0, typed: str = ""):
        super().__init__(F(f"{via}names"))
        self.conditions, self.condition_params = conditions, params
        self.decided_up_to, self.typed = decided_up_to, typed

    def as_sql(self, compiler, connection, **extra_context):
        names, names_params = compiler.compile(self.get_source_expressions()[0])
        sql = (
            f"EXISTS (SELECT FROM unnest(string_to_array({names}, '{MEMBER_SEPARATOR}')) AS one_name(n)"
            f" WHERE {self.conditions})"
        )
        if not self.decided_up_to:
            return sql, (*names_params, *self.condition_params)
        # An uncorrelated subquery: PostgreSQL computes it once per statement (an InitPlan), and OR stops there.
        decided = (
            "(SELECT count(DISTINCT w) FROM unnest(string_to_array(households_search_norm(%s), ' ')) AS typed(w)"
            f" WHERE w <> '') <= {int(self.decided_up_to)}"
        )
        return f"({decided} OR {sql})", (self.typed, *names_params, *self.condition_params)


# One member's name ``n`` holds the normalised word as a part, or as whole words (a typed word may normalise to
# several: "aαb" is "a b"). The normalised texts hold only a-z, 0-9 and spaces: nothing to escape for LIKE.
NAME_HAS_PART = "n LIKE '%%' || households_search_norm(%s) || '%%'"
NAME_HAS_WHOLE = "string_to_array(n, ' ') @> string_to_array(households_search_norm(%s), ' ')"


def _whole_keys(words: list[str]) -> RawSQL:
    """What household_search_words_idx looks up for ``words`` as whole words of one member's name: the pairs of the
    typed text's different normalised words ("a+b", as ``households_search_words`` writes them), or its one word.

    The pairs imply the words: a row holding every pair holds every word, and a common word's list in the index is
    long (reading "nguyen"'s with the pairs of "nguyen thu tuyet" took 20–35 ms, the pairs alone 1–3 ms). Every
    function here is immutable, so PostgreSQL computes the array when it plans the statement and plans with it. A
    typed word that normalises to several words is not removed (then its words are looked up too, as before), and
    when nothing is left (one different word) the word itself is looked up.
    """
    text = " ".join(words)
    pairs, pairs_params = "households_search_words(households_search_norm(%s))", [text]
    for word in words:
        pairs, pairs_params = f"array_remove({pairs}, households_search_norm(%s))", [*pairs_params, word]
    return RawSQL(
        f"CASE WHEN cardinality({pairs}) = 0 THEN households_search_words(households_search_norm(%s)) ELSE {pairs} END",
        (*pairs_params, text, *pairs_params),
        output_field=ArrayField(TextField()),
    )


def _named(words: list[str], *, whole: bool = False) -> QuerySet:
    """Search rows of households where one current member's normalised name holds every word typed, in any order.

    A word of three letters or more may be any part of the name ("nga" finds "H'Nga", "hlinh" "H'Linh"); a shorter
    one must be a whole word ("ly" finds "Thị Ly", not "Lyna"), except that a single letter followed by another
    word may also be joined to it, as Jrai names are written with or without the apostrophe ("h linh" finds
    "H'Linh" as "hlinh" does). With ``whole``, every word must be a whole word of the name: one exact look-up of
    household_search_words_idx (the words and their pairs), however common each word, so a name thousands share
    reaches the search's cap there without reading the names that only hold the words as parts.
    """
    indexed, one_name = _name_conditions(words, whole=whole)
    return HouseholdSearch.objects.order_by().filter(indexed).filter(one_name)


def _name_conditions(words: list[str], *, whole: bool = False, via: str = "") -> tuple[Q, "OneName"]:
    """``_named``'s conditions on the search row reached by ``via``: what its indexes look up, and the one-member
    expression that keeps the households where one member's name meets them all."""
    indexed, conditions, params = Q(), [], []
    if whole:
        # Every typed word whole in the name: the name's words hold every word of the typed text (one array
        # compared per name, not one per typed word).
        conditions.append(NAME_HAS_WHOLE)
        params.append(" ".join(words))
        # ``words`` holds a member's words and each pair of them: a row that holds one typed word holds it in one
        # member's name, and a row that holds both of two typed words and their pair holds them in one member's name.
        # Up to two different words (their pair looked up), the one-member check adds nothing, and on a name that
        # reaches the cap it was ≈ 1.300 rows' names split and compared.
        one_name = OneName(" AND ".join(conditions), params, via, decided_up_to=2, typed=" ".join(words))
        return Q(**{f"{via}words__contains": _whole_keys(words)}), one_name
    index = 0
    while index < len(words):
        word = words[index]
        size = _letters(word)
        if size == 1 and index + 1 < len(words):
            following = words[index + 1]
            if _letters(following) > SHORT_WORD:
                apart, apart_sql = _part(following, via), NAME_HAS_PART
            else:
                apart, apart_sql = _whole(following, via), NAME_HAS_WHOLE
            indexed &= (_whole(word, via) & apart) | _part(word + following, via)
            conditions.append(f"(({NAME_HAS_WHOLE} AND {apart_sql}) OR {NAME_HAS_PART})")
            params += [word, following, word + following]
            index += 2
            continue
        if size > SHORT_WORD:
            indexed &= _part(word, via)
            conditions.append(NAME_HAS_PART)
        else:
            indexed &= _whole(word, via)
            conditions.append(NAME_HAS_WHOLE)
        params.append(word)
        index += 1
    return indexed, OneName(" AND ".join(conditions), params, via)


def household_matches(qs: QuerySet, query: str, *, limit: int, commune: int | None = None) -> list[int]:
    """Up to ``limit`` distinct ids of households of ``qs`` that the search text names, in the order found
    (``household_match_keys`` without the keys)."""
    return list(household_match_keys(qs, query, limit=limit, commune=commune))


# What ``household_match_keys`` reads with each household: the keys of ``household_search``'s order.
MatchKeys = tuple[bool, float, str, str]  # code match, word similarity of the head's name, head's name, code


def household_match_keys(qs: QuerySet, query: str, *, limit: int, commune: int | None = None) -> dict[int, MatchKeys]:
    """Up to ``limit`` households of ``qs`` that the search text names, found through the indexes, each with the keys
    it is ranked by (``_ranked``), in the order found.

    The ID number, the code prefix and the names are read one after the other from server-side cursors, so
    PostgreSQL plans each for its first rows and stops reading once ``limit`` households are found, instead of
    rechecking every member of a clan. Names are read from the households' search rows (one per household, ADR
    0046); ``commune``, when every household of ``qs`` is in that commune, narrows them inside the index, so that a
    commune officer's search reads the commune's matches only. ``qs`` stays the scope either way.

    Each statement also reads what ranks the household — whether its code starts with the text, the word
    similarity of its head's normalised name (from the search row the names were matched in) and its head's name
    and code — from the rows it reads anyway, so that ranking the matches reads no household again (ADR 0049).
    """
    personal_id, words = _search_terms(query)
    query_norm = SearchNorm(Value(query))
    code_match = ExpressionWrapper(Q(code__istartswith=query), output_field=BooleanField())
    scoped = qs.order_by()
    sources = []
    if personal_id:
        # An ID number is all digits: no words, so nothing is ranked by name (``_search_terms``).
        members = Member.objects.current().order_by().filter(personal_id=personal_id).values("household_id")
        sources.append((scoped.filter(pk__in=members).annotate(code_match=code_match, similarity=Value(0.0)), "pk"))
    # Every household of this source is a code match, which ranks before the names whatever its similarity.
    sources.append(
        (scoped.filter(code__istartswith=query).annotate(code_match=Value(True), similarity=Value(0.0)), "pk")
    )
    if words:
        # Whole words first: an exact index look-up that reaches the cap at once for a name many people share;
        # then every name holding the words as parts, which also finds "Nga" in "H'Nga". The conditions are on the
        # household's search row, joined one to one.
        similarity = WordSimilarity(query_norm, Coalesce(F("search_row__head_name"), Value("")))
        for whole in (True, False):
            indexed, one_name = _name_conditions(words, whole=whole, via="search_row__")
            rows = _in_commune(scoped.filter(indexed).filter(one_name), commune)
            # The households found before are left out on the search row itself (its ``household_id``), so that
            # PostgreSQL drops them before their names are split and before their household is read again: below
            # the cap the part look-up finds every whole-word match a second time.
            sources.append((rows.annotate(code_match=code_match, similarity=similarity), "search_row__household"))
        if _expandable(words):
            # The parts as alternatives of whole words (ADR 0052): which words they stand for is read from the
            # vocabulary when the look-up is reached, so a search the whole words answer does not pay for it.
            rows = sources.pop()[0]

            def expanded_parts(rows=rows):
                expanded = _expanded_conditions(words, via="search_row__", using=qs.db)
                if expanded is None:
                    return rows
                indexed, one_name = expanded
                rows = scoped.filter(indexed) if one_name is None else scoped.filter(indexed).filter(one_name)
                return _in_commune(rows, commune).annotate(code_match=code_match, similarity=similarity)

            sources.append((expanded_parts, "search_row__household"))
    found: dict[int, MatchKeys] = {}
    # A server-side cursor outside a transaction is declared WITH HOLD, which makes PostgreSQL compute the
    # whole result at once: inside one, it reads only the rows fetched. The rows are read as psycopg2 gives them
    # (bigint, boolean, real and text need no conversion): Django's per-row converters for the annotations cost
    # ≈ 5 µs a row, ≈ 5 ms for a search that reaches the cap.
    connection = connections[qs.db]
    server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")  # as QuerySet.iterator() reads it
    with transaction.atomic(using=qs.db):
        for source, own_id in sources:
            if callable(source):
                source = source()
            if found:
                source = source.exclude(AnyOf(own_id, list(found)))
            rows = source.values_list("pk", "code_match", "similarity", "head_name", "code")
            sql, params = rows.query.sql_with_params()
            with connection.chunked_cursor() if server_side else connection.cursor() as cursor:
                cursor.execute(sql, params)
                while rows := cursor.fetchmany(min(limit, 2_000)):
                    for pk, *keys in rows:
                        if pk not in found:
                            found[pk] = tuple(keys)
                            if len(found) >= limit:
                                return found
    return found


def _in_commune(rows: QuerySet, commune: int | None) -> QuerySet:
    """``rows`` (households joined to their search row) narrowed to the commune inside the search row's indexes."""
    if commune is None:
        return rows
    # bigint on both sides: btree_gin's operator class has no bigint = integer operator, and PostgreSQL would leave
    # a plain integer parameter out of the index condition.
    return rows.filter(search_row__commune=Cast(Value(commune), BigIntegerField()))


# Two typed words are looked up by the pairs of the words they stand for only up to this many pairs: each is a key
# the words index looks up (a few buffers each). Past it they are looked up one by one, and the names of the
# candidates are split and compared.
PAIRS_LOOKED_UP = 256


def _expandable(words: list[str]) -> bool:
    """Whether the part look-up of ``words`` can be made of whole words: every typed word is looked up alone (no
    single letter joined to the next word, "h linh", whose alternative "hlinh" is a part across two words)."""
    return bool(words) and not any(_letters(word) == 1 for word in words[:-1])


# For each typed word (``j`` = 0): its normalised text and what it stands for, for a part (three letters or more)
# every word of the vocabulary that contains it, else itself; for every two of them (``i`` < ``j``) whose words make
# at most ``PAIRS_LOOKED_UP`` pairs: those pairs as ``households_search_words`` writes them ("a+b", a < b in the
# database's order), and a word that stands for both alone (one word of a name holds both). The normalised texts
# hold only a-z, 0-9 and spaces: nothing to escape for LIKE.
EXPANSION_SQL = """
WITH typed AS (
    SELECT t.i, households_search_norm(t.w) AS norm, t.part FROM unnest(%s::text[], %s::boolean[])
        WITH ORDINALITY AS t(w, part, i)
), options AS (
    SELECT i, norm, CASE WHEN part THEN ARRAY(SELECT DISTINCT v.word FROM households_householdsearchword v
                                              WHERE v.word LIKE '%%' || norm || '%%' ORDER BY v.word)
                         ELSE ARRAY[norm] END AS words
      FROM typed
)
SELECT i, 0, norm, words FROM options
UNION ALL
SELECT o.i, p.i, NULL, ARRAY(SELECT DISTINCT CASE WHEN a = b THEN a WHEN a < b THEN a || '+' || b ELSE b || '+' || a END
                              FROM unnest(o.words) a, unnest(p.words) b)
  FROM options o JOIN options p ON o.i < p.i
 WHERE cardinality(o.words) * cardinality(p.words) <= %s
ORDER BY 1, 2
"""


def _expanded_conditions(
    words: list[str], *, via: str = "", using: str = "default"
) -> tuple[Q, "OneName | None"] | None:
    """The part look-up of ``words`` (``_name_conditions`` with ``whole=False``) as whole words of the search row
    (household_search_words_idx): each typed word of three letters or more stands for the vocabulary's words that
    contain it (``HouseholdSearchWord``), each shorter one for itself, and every two of them are looked up by their
    pairs, so that the index's candidates are the households where one member holds them together. A typed word in
    a pair is looked up by the pair only: the pairs' lists in the index are short, a common word's long.

    The same households as the trigram look-up: a normalised typed word without a space is a part of a member's
    name exactly when it is a part of one of its words, which the vocabulary holds. None when a typed word
    normalises to several words or none (then the trigram look-up answers). With one typed word, or two with their
    pairs looked up, the words index decides "in one member's name"; with more, the names are split and compared
    as before (``OneName``).
    """
    parts = [_letters(word) > SHORT_WORD for word in words]
    with connections[using].cursor() as cursor:
        cursor.execute(EXPANSION_SQL, [words, parts, PAIRS_LOOKED_UP])
        expanded = cursor.fetchall()
    singles = {i: (norm, options) for i, j, norm, options in expanded if j == 0}
    pairs = {(i, j): options for i, j, _norm, options in expanded if j}
    if any(not norm or " " in norm for norm, _options in singles.values()):
        return None
    paired = {i for pair in pairs for i in pair}
    lookups = [options for i, (_norm, options) in singles.items() if i not in paired] + list(pairs.values())
    conditions = Q()
    for options in lookups:
        # As a value PostgreSQL learns when it runs the statement (an InitPlan), not when it plans it: told how
        # many households a common word's alternatives match, it read the commune's or province's households first
        # and joined their search rows by hash, instead of reading the index's search rows in their order on disk
        # as the trigram look-up did: the first households found, kept at the cap, were others (and found later).
        conditions &= Q(**{f"{via}words__overlap": RawSQL("(SELECT %s::text[])", (options,))})
    if len(singles) == 1 or (len(singles) == 2 and pairs):
        return conditions, None
    return conditions, _name_conditions(words, whole=False, via=via)[1]


# ``household_search``'s order over keys already read: a code match first, then (for names) the word similarity
# of the head's name, then the list's order (the head's name in Vietnamese order, the code, the id). The keys go
# to PostgreSQL as arrays so that the head's names are compared by the same ICU collation as the list's index.
RANK_SQL = """
SELECT m.id FROM unnest(%s::bigint[], %s::boolean[], %s::real[], %s::text[], %s::text[])
    AS m(id, code_match, similarity, head_name, code)
ORDER BY m.code_match DESC, {by_name} m.head_name COLLATE "{collation}", m.code, m.id
"""
RANK_BY_NAME = "CASE WHEN m.code_match THEN 0 ELSE m.similarity END DESC,"


def _ranked(matches: dict[int, MatchKeys], *, by_name: bool, using: str = "default") -> list[int]:
    """The ids of ``matches`` in ``household_search``'s order, sorted from their keys in one statement that reads
    no table (tests/households/test_search_rank.py compares the two on random registers). It runs for one match or
    none too, so that a search page runs the same statements whatever it finds."""
    code_match, similarity, head_name, code = zip(*matches.values(), strict=True) if matches else ((),) * 4
    sql = RANK_SQL.format(by_name=RANK_BY_NAME if by_name else "", collation=VIETNAMESE)
    arrays = [
        _array_literal(map(str, matches)),
        _array_literal("t" if match else "f" for match in code_match),
        _array_literal(map(str, similarity)),  # a real as psycopg2 read it (its shortest exact text), or 0.0
        _text_array_literal(head_name),
        _text_array_literal(code),
    ]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, arrays)
        return [pk for (pk,) in cursor.fetchall()]


def _array_literal(elements) -> str:
    """A PostgreSQL array literal of elements already written as its syntax wants them. psycopg2's adaptation of a
    Python list quotes each element as an SQL string inside ``ARRAY[…]``: 3–4 times slower for 1.000 names."""
    return "{" + ",".join(elements) + "}"


def _text_array_literal(texts) -> str:
    """An array literal of texts: each in double quotes, with backslashes and double quotes escaped (PostgreSQL
    documentation, 8.15.6 "Array Input and Output Syntax"), so that commas, braces, spaces and the word NULL stay
    text. Escaped in one pass over the texts joined: a text read from PostgreSQL holds no NUL character, so NUL
    stands between them until they become quoted elements (1.000 names ≈ 0,1 ms, quoting each ≈ 0,5 ms)."""
    texts = list(texts)
    if not texts:
        return "{}"
    joined = "\x00".join(texts).replace("\\", "\\\\").replace('"', '\\"')
    return '{"' + joined.replace("\x00", '","') + '"}'


def _commune_of(user) -> int | None:
    """The commune every household the user may see lies in, if the user works in one (accounts.scoping scopes by
    the unit's path; a commune officer's path is the commune's, and a household's commune is its village's)."""
    unit = getattr(user, "unit", None)
    if user.is_authenticated and not user.is_system_admin and unit is not None and unit.level == UnitLevel.COMMUNE:
        return unit.pk
    return None


def household_search(qs: QuerySet, query: str, *, candidates: bool = True) -> QuerySet:
    """The households of ``qs`` that the search box's text names: ID number, household code or a person's name.

    Three indexed look-ups, united before they meet the scoped, filtered list: an ID number exactly
    (members_personal_id_idx), a code by its beginning, whatever its case (households_code_prefix_idx), and
    households where one current member's normalised name contains every word typed, in any order (the
    household's search row, ``HouseholdSearch``, under household_search_trgm_idx and household_search_words_idx),
    so "dang" finds "Đặng", "hlinh" finds "H'Linh" and "nguyen an" finds "Nguyễn Văn An". The head is a member,
    so the head's name is searched with the others. Ranked: a code match first, then by the trigram word
    similarity of the head's name to the whole text, then in the list's order. With ``candidates=False`` ``qs``
    already holds only matches (``household_matches``) and is only ranked.
    """
    personal_id, words = _search_terms(query)
    if candidates:
        current = Member.objects.current().order_by()
        found = Household.objects.order_by().filter(code__istartswith=query).values("pk")
        if personal_id:
            found = found.union(current.filter(personal_id=personal_id).values("household_id"))
        if words:
            found = found.union(_named(words).values("household_id"))
        qs = qs.filter(pk__in=found)
    code_match = Exists(Household.objects.filter(pk=OuterRef("pk"), code__istartswith=query))
    qs = qs.alias(code_match=code_match)
    order = [F("code_match").desc()]
    if words:
        # Ranked by the head's name (``head_name`` is the current head's full name, households.services), read
        # already normalised from the household's search row (the head member's stored name): normalising
        # ``head_name`` for each of 1.000 matches cost ≈ 35 ms. Households found through another member have a
        # weaker head match and come after; a household without a head ranks as an empty name.
        head_name = HouseholdSearch.objects.filter(household=OuterRef("pk")).values("head_name")
        head_name = Coalesce(Subquery(head_name), Value(""))
        similarity = WordSimilarity(SearchNorm(Value(query)), head_name)
        # Code matches keep the list's order among themselves; names are ranked by how close they are.
        qs = qs.alias(search_rank=Case(When(code_match=True, then=Value(0.0)), default=similarity))
        order.append(F("search_rank").desc())
    return qs.order_by(*order, *LIST_ORDER)


# What a row of the list page shows (templates/households/household_list.html). Reading only these leaves out
# the ≈ 3,7 KB classification of each household, which psycopg2 decoded from JSON for every row of every page.
LIST_ROW_FIELDS = (
    "code",
    "head_name",
    "village",
    "village__name",
    "current_class",
    "state",
    "ethnic_minority",
    "meritorious",
    "social_protection",
    "no_labour_capacity",
)


def household_rows(ids: list[int]) -> list[Household]:
    """The list page's rows for ``ids``, in that order, with ``member_count`` (current members): one query."""
    members = (
        Member.objects.current()
        .filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Household.objects.filter(AnyOf("pk", ids))
        .select_related("village")
        .only(*LIST_ROW_FIELDS)
        .annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0))
        .order_by()
    )
    by_pk = {row.pk: row for row in rows}
    return [by_pk[pk] for pk in ids if pk in by_pk]


class EstimatedCountPaginator(CappedCountPaginator):
    """The household list's paginator: a capped count (core.pagination), and pages read as ids first.

    ``count``, when the caller knows it (a search's ranked matches, counted as they were collected), is taken as
    the exact count instead of counting the rows again; ``ids``, when the caller has them in order already (a
    search's ranked matches, ``HouseholdListing.ids``), are sliced for a page instead of reading them again.
    """

    def __init__(self, *args, count: int | None = None, ids: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # the cached_property's slot: nothing is counted
        self.ids = ids

    def page(self, number):
        """The page's ids first (an index walk for the list, a slice of a search's ranked ids), then only those 50
        rows, with their village's name and their number of current members, in one query."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.ids is not None:
            ids = self.ids[bottom : bottom + self.per_page]
        else:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        return self._get_page(household_rows(ids), number, self)


def household_counts_under(unit, children) -> dict[int, dict[str, int]]:
    """For each child unit of ``unit``: active households, poor and near-poor (by current class)."""
    depth = unit.path.count("/")
    counts = {child.pk: {"households": 0, "poor": 0, "near_poor": 0} for child in children}
    by_path = {child.path: child.pk for child in children}
    rows = (
        Household.objects.filter(village__path__startswith=unit.path, state=HouseholdState.ACTIVE)
        .values("village__path", "current_class")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        child_path = "/".join(row["village__path"].split("/")[: depth + 1]) + "/"
        key = by_path.get(child_path)
        if key is None:
            continue
        counts[key]["households"] += row["n"]
        if row["current_class"] in ("poor", "near_poor"):
            counts[key][row["current_class"]] += row["n"]
    return counts


def household_totals_for(user) -> dict[str, int]:
    """Active households the user may see, and how many are poor and near-poor."""
    return (
        Household.objects.visible_to(user)
        .active()
        .aggregate(
            households=Count("pk"),
            poor=Count("pk", filter=Q(current_class="poor")),
            near_poor=Count("pk", filter=Q(current_class="near_poor")),
        )
    )
