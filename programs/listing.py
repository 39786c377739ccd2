"""Pages of the coverage and bulk lists in their order (commune, village, household code…) at province scale.

These lists are ordered by the commune's name, the village's name and the household's code. Those names live in
another table, so PostgreSQL could only sort the whole province's candidates for every page (a million households,
four million members). The order is the villages' order first, and villages are few (a province has thousands,
the demo 69): the page's ids are read village after village, in that order, each village's rows walked by
households_village_code_idx (village, code) and stopped after the rows the page needs, so page 1 costs a few
index probes and page N the rows before it, whatever the size of the province. The same walk, stopped at the
count's cap, counts the list. Villages of one commune that share a name share a rank, and their rows are sorted
together by code, as the former ORDER BY did.
"""

from contextlib import contextmanager

from django.core import signing
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.pagination import CappedCountPaginator


@contextmanager
def one_snapshot():
    """The statements inside read one snapshot (REPEATABLE READ), so that counts kept beside a list and the page
    walked with them agree even while others commit; inside an existing transaction (the tests), that one."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def village_ranks(user) -> tuple[list[int], list[int]]:
    """The villages the user may see in the lists' order (commune name, village name) with their rank: villages of
    one commune with the same name share a rank."""
    ranks, ids = [], []
    previous, rank = None, 0
    villages = (
        AdministrativeUnit.objects.visible_to(user)
        .filter(level=UnitLevel.VILLAGE)
        .order_by("parent__name", "name", "pk")
        .values_list("pk", "parent__name", "name")
    )
    for pk, commune_name, name in villages:
        if (commune_name, name) != previous:
            rank += 1
            previous = (commune_name, name)
        ranks.append(rank)
        ids.append(pk)
    return ranks, ids


class VillageOrderPaginator(CappedCountPaginator):
    """A capped-count paginator whose pages and count are read village by village (see the module's docstring).

    ``object_list`` is the list's queryset (scoped, filtered, with what its rows need to show); ``village`` is the
    lookup of the household's village from a row ("village" or "household__village"); ``within`` the order of a
    village's rows, ending in a unique key. The list's own order must be (commune name, village name, *within).
    """

    # Counting walks the list as a page does: exactly up to 1.000 rows (ten pages), the planner's estimate past it.
    exact_up_to = 1_000
    # A page costs the rows before it (each checked against the list's conditions), so the screen pages through
    # the first 10.000 rows; the Excel export holds every row. None: every page (a list whose exact rows per village
    # are known, so that a page skips the villages before it whatever its depth: the escape registrations).
    deepest: int | None = 10_000

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        user,
        village: str,
        within: tuple[str, ...],
        village_rows: dict[int, int] | None = None,
    ):
        super().__init__(object_list, per_page)
        self.user, self.village, self.within = user, village, within
        # The list's exact number of rows in each village the user sees (read in the same snapshot as the page, see
        # ``one_snapshot``), when kept (programs.electricity): a page then walks from the village holding its first
        # row, the villages before it skipped by their counts, instead of checking every row before it.
        self.village_rows = village_rows

    @cached_property
    def num_pages(self) -> int:
        if self.deepest is None:
            return super().num_pages
        return min(super().num_pages, max(1, self.deepest // self.per_page))

    @property
    def truncated(self) -> bool:
        """The list holds more rows than the screen pages through."""
        return self.deepest is not None and self.count > self.deepest

    @cached_property
    def villages(self) -> tuple[list[int], list[int]]:
        return village_ranks(self.user)

    def _walk_sql(self, limit: int, ordered: bool, villages=None, after=None, backwards=False) -> tuple[str, list]:
        """SQL giving the ids of the list's first ``limit`` rows (of ``villages``, ranks and ids, by default all the
        user's), in the list's order when ``ordered``; with ``after`` (a row's key, ``key_of``), the rows after it,
        or before it walking ``backwards`` (then in the reverse order)."""
        keys = {f"k{index}": F(field) for index, field in enumerate(self.within)}
        inner = self.object_list.order_by().filter(**{f"{self.village}_id": RawSQL("v.village_id", ())})
        if after is not None:
            inner = inner.filter(self._beyond(after, backwards))
        descending = "-" if backwards else ""
        inner = (
            inner.annotate(row_id=F("pk"), **keys)
            .values("row_id", *keys)
            .order_by(*(f"{descending}{key}" for key in keys))[:limit]
        )
        inner_sql, inner_params = inner.query.sql_with_params()
        ranks, ids = villages or self.villages
        way = " DESC" if backwards else ""
        order = ", ".join(f"{column}{way}" for column in ["v.rank", *(f"p.k{i}" for i in range(len(self.within)))])
        sql = (
            "SELECT p.row_id FROM (SELECT r.rank, r.village_id FROM unnest(%s::integer[], %s::bigint[]) "
            f"AS r(rank, village_id) ORDER BY r.rank{way}) AS v "
            f"CROSS JOIN LATERAL ({inner_sql}) AS p " + (f"ORDER BY {order} " if ordered else "") + "LIMIT %s"
        )
        return sql, [ranks, ids, *inner_params, limit]

    # --- pages from the row before them ("Trang sau") or after them ("Trang trước") ------------------------------
    # The screen's pager has only "Trang trước" and "Trang sau": each link carries the key of the row it continues
    # from (the last row shown, or the first), so the next page is walked from that row on, whatever its depth,
    # instead of walking every row before it (the member lists at depth: 0,2–0,9 s for page 100 at a million
    # households). A page opened by its number alone (a bookmark, page 1) is still walked from the top.

    def _beyond(self, key: tuple, backwards: bool) -> Q:
        """The rows of the key's rank after ``key`` (before it, ``backwards``) in the list's order: later (earlier)
        within-village keys. The first key's bound is also given alone, so that the village's index is read from
        the key's code on instead of from the village's first row."""
        _rank, *values = key
        later, bound = ("lt", "lte") if backwards else ("gt", "gte")
        condition = Q()
        for index, field in enumerate(self.within):
            equal = {f"{self.within[i]}": values[i] for i in range(index)}
            condition |= Q(**equal, **{f"{field}__{later}": values[index]})
        return Q(**{f"{self.within[0]}__{bound}": values[0]}) & condition

    def key_of(self, row) -> str:
        """The link's key of ``row`` (a row of a page): its primary key, signed, so that a link edited by hand is
        refused rather than read. Nothing else of the row goes into the address (a member's date of birth would
        otherwise sit in browser histories and server logs): ``key_from`` reads the row's place again."""
        return signing.dumps(row.pk, salt=self._salt)

    def key_from(self, text: str | None) -> tuple | None:
        """The place in the list's order of the row a link carried (``key_of``): its village's rank and its
        within-village keys; None when there is no key, it is not one this portal signed, or the row is no longer
        in a village the user sees (deleted, moved out of the unit)."""
        if not text:
            return None
        try:
            pk = signing.loads(text, salt=self._salt)
        except signing.BadSignature:
            return None
        if not isinstance(pk, int) or isinstance(pk, bool):
            return None
        return self._place(pk)

    def _place(self, pk: int) -> tuple | None:
        """The place of row ``pk`` in the list's order (its village's rank, its within-village keys), or None when
        the row is gone or outside the user's unit (read through the model's ``visible_to``, as every list is)."""
        rows = self.object_list.model._default_manager.visible_to(self.user)
        place = rows.filter(pk=pk).values_list(self.village, *self.within).first()
        if place is None:
            return None
        village, *values = place
        rank = dict(zip(self.villages[1], self.villages[0], strict=True)).get(village)
        return None if rank is None else (rank, *values)

    @property
    def _salt(self) -> str:
        """One list's keys are not another's: the salt names the model and the order."""
        return f"{KEY_SALT}:{self.object_list.model._meta.label}:{self.village}:{','.join(self.within)}"

    def page_from(self, number, key: tuple, *, backwards: bool = False):
        """The page after the row at ``key`` (before it, ``backwards``), labelled ``number``. Whether rows follow or
        precede it is read from the walk itself, not from the page's number against the count: the list may have
        changed since the link was made (handled rows leave the lists), and no row is then skipped or shown twice
        on the way. When nothing is left beyond the link's row, the rows on its other side are shown."""
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            raise PageNotAnInteger(number) from None
        ids = self._from(key, self.per_page + 1, backwards)
        beyond = len(ids) > self.per_page  # more rows in the walked direction
        if not ids:
            backwards = not backwards
            ids = self._from(key, self.per_page + 1, backwards)
            beyond = len(ids) > self.per_page
        ids = ids[: self.per_page]
        if not ids:  # the list is empty now
            return self.page(1)
        if backwards:
            ids.reverse()
        # one row past the page's other edge, in the other direction
        edge = self._place(ids[-1] if backwards else ids[0])
        behind = edge is not None and bool(self._from(edge, 1, not backwards))
        after, before = (behind, beyond) if backwards else (beyond, behind)
        if self.truncated and number >= self.num_pages:
            after = False  # the screen pages through the first ``deepest`` rows, as by number
        page = KeyedPage(rows_by_pk(self.object_list, ids), number, self, before=before, after=after)
        return self._keyed(page)

    def _from(self, key: tuple, limit: int, backwards: bool) -> list[int]:
        """Up to ``limit`` ids strictly after ``key`` (before it, ``backwards``; nearest first): the rest of the
        key's rank from the key on, then the ranks after it (before it) from their first row."""
        rank, ranks, ids = key[0], *self.villages
        pairs = list(zip(ranks, ids, strict=True))
        found = self._walk_ids(limit, [p for p in pairs if p[0] == rank], after=key, backwards=backwards)
        further = [p for p in pairs if (p[0] < rank if backwards else p[0] > rank)]
        if len(found) < limit and further:
            found += self._walk_ids(limit - len(found), further, backwards=backwards)
        return found

    def _walk_ids(self, limit: int, pairs: list, *, after=None, backwards=False) -> list[int]:
        if not pairs:
            return []
        villages = ([r for r, _pk in pairs], [pk for _r, pk in pairs])
        sql, params = self._walk_sql(limit, ordered=True, villages=villages, after=after, backwards=backwards)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def _keyed(self, page):
        """``page`` with the keys its "Trang trước" and "Trang sau" links carry."""
        rows = list(page.object_list)
        page.previous_key = self.key_of(rows[0]) if rows else ""
        page.next_key = self.key_of(rows[-1]) if rows else ""
        return page

    def exact_count_up_to(self, cap: int) -> int:
        sql, params = self._walk_sql(cap, ordered=False)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) AS walk", params)
            return cursor.fetchone()[0]

    def skipped(self, bottom: int) -> tuple[tuple[list[int], list[int]], int]:
        """The villages (ranks, ids) from the first rank that holds row ``bottom`` on, and that row's position
        among their rows: whole ranks before it are skipped by ``village_rows`` (villages sharing a rank have their
        rows sorted together, so a rank is skipped whole or not at all)."""
        ranks, ids = self.villages
        if self.village_rows is None:
            return (ranks, ids), bottom
        per_rank: dict[int, int] = {}
        for rank, pk in zip(ranks, ids, strict=True):
            per_rank[rank] = per_rank.get(rank, 0) + self.village_rows.get(pk, 0)
        skipped, start = 0, None
        for rank in sorted(per_rank):
            if skipped + per_rank[rank] > bottom:
                start = rank
                break
            skipped += per_rank[rank]
        if start is None:  # past the last row: an empty page
            return ([], []), 0
        kept = [(rank, pk) for rank, pk in zip(ranks, ids, strict=True) if rank >= start]
        return ([rank for rank, _pk in kept], [pk for _rank, pk in kept]), bottom - skipped

    def page_ids(self, bottom: int, size: int) -> list[int]:
        villages, bottom = self.skipped(bottom)
        if not villages[0]:
            return []
        sql, params = self._walk_sql(bottom + size, ordered=True, villages=villages)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} OFFSET %s", [*params[:-1], size, bottom])
            return [row[0] for row in cursor.fetchall()]

    def page(self, number):
        """The page's ids first (the village walk), then only those rows with what they show."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self.page_ids(bottom, self.per_page)
        return self._keyed(self._get_page(rows_by_pk(self.object_list, ids), number, self))


# Signs the keys of the lists' "Trang sau" / "Trang trước" links (VillageOrderPaginator.key_of).
KEY_SALT = "programs.listing.page-key"


def page_for(paginator, request):
    """The page a list's request asks for: for a list walked village by village, from the row its "Trang sau"
    (``sau``) or "Trang trước" (``truoc``) link carries, when it carries a valid one; else by its number."""
    number = request.GET.get("page")
    if isinstance(paginator, VillageOrderPaginator):
        for name, backwards in (("sau", False), ("truoc", True)):
            key = paginator.key_from(request.GET.get(name))
            if key is not None:
                try:
                    return paginator.page_from(number, key, backwards=backwards)
                except (PageNotAnInteger, EmptyPage):
                    break
    return paginator.get_page(number)


class KeyedPage(Page):
    """A page walked from a link's row (``VillageOrderPaginator.page_from``): whether rows precede and follow it was
    read by the walk, and its neighbours are numbered from its own label, whatever the count says now."""

    def __init__(self, object_list, number, paginator, *, before: bool, after: bool):
        super().__init__(object_list, number, paginator)
        self.before, self.after = before, after

    def has_next(self) -> bool:
        return self.after

    def has_previous(self) -> bool:
        return self.before

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return max(1, self.number - 1)


def rows_by_pk(records: QuerySet, ids: list[int]) -> list:
    """The rows of ``ids`` in that order, read with what ``records`` shows (related rows, annotations).

    The ids were selected by the list's own scoped conditions: the rows are read by primary key without checking
    every condition a second time.
    """
    shown = records.order_by()
    shown.query.where = WhereNode()
    rows = {row.pk: row for row in shown.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


# How many candidate ids a sparse list is narrowed to at most (``narrowed_to``): past it, the plain query.
CANDIDATES_UP_TO = 20_000


def narrowed_to(records: QuerySet, candidates: QuerySet, up_to: int = CANDIDATES_UP_TO) -> QuerySet:
    """``records`` (a sparse list, in its order) limited to the ids ``candidates`` gives, when there are at most
    ``up_to`` of them; else ``records`` unchanged.

    ``candidates`` must hold every row of ``records`` (a superset read from indexes alone, without the scope): the
    list's own conditions, scope included, stay on the query, so the rows and their order are the list's; PostgreSQL
    reads those few households by primary key instead of every household of the province."""
    ids = list(candidates[: up_to + 1])
    if len(ids) > up_to:
        return records
    return records.filter(pk__in=ids)


class SortedIdsPaginator(CappedCountPaginator):
    """For a list whose conditions leave few rows of a province (the poor without support, the escape
    registrations): its ids are read once in the list's order, up to the count's cap, and both the count and the
    page come from them, so the conditions are evaluated once per request rather than for the count and again for
    the page."""

    @cached_property
    def first_ids(self) -> list[int]:
        return list(self.object_list.values_list("pk", flat=True)[: self.exact_up_to + 1])

    def exact_count_up_to(self, cap: int) -> int:
        if cap <= self.exact_up_to + 1:
            return min(len(self.first_ids), cap)
        return super().exact_count_up_to(cap)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top <= len(self.first_ids) or len(self.first_ids) <= self.exact_up_to:
            ids = self.first_ids[bottom:top]
        else:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(rows_by_pk(self.object_list, ids), number, self)
