"""The Django admin over tables that hold a province's worth of rows (a million households, two million benefits).

Django's changelist counts the filtered rows and then every row again, sorts by the model's ordering and lets any
column be clicked into an ORDER BY; an inline lists every child of the object. Each is harmless for a catalogue
and costs seconds, or a page of megabytes, for the registry. What is here keeps a page's cost to the rows it
shows:

- ``LargeTableAdmin``: the newest rows first, along the primary key's index; no column sorting; a count exact only
  up to ``CappedCountPaginator.exact_up_to`` (past it PostgreSQL's estimate, shown as "khoảng"); no second count
  of the unfiltered table; no facet counts; each page's ids read first along the index, then only those rows.
- ``YearListFilter``: a year filter that lists the years from the table's first and last, not ``SELECT DISTINCT``.
- ``CappedInline``: an inline that shows only the first rows of the object in its order (the latest entries of a
  round's log, which has one entry per case saved), picked by primary key before their related rows are joined;
  the admin page says how many there are and links to the portal's page of all of them.

docs/performance.md, "The Django admin at a million households", has the numbers.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.db.models import Max, Min
from django.forms.models import BaseInlineFormSet

from .pagination import CappedCountPaginator


class IdsFirstPaginator(CappedCountPaginator):
    """On a list too long to count, a page's ids first (the index walk skips the earlier pages reading ids alone),
    then only those rows with their related rows joined. Reading whole rows, page 10.000 of a million households
    fetched every row it skipped from the table: ≈ 260 ms instead of ≈ 60 ms.

    A list counted exactly (at most ``exact_up_to`` rows: a search's matches, a narrow filter) is sliced as
    Django slices it: there is little to skip, and a search narrows the primary key to its matches already, which
    with the page's ids would be two arrays on one index column (PostgreSQL plans their product and reads the
    table instead).
    """

    def page(self, number):
        if not self.count or not self.approximate:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        # The same queryset, so the same order, scope and joins, narrowed to the page's rows.
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


class IndexOrderChangeList(ChangeList):
    """A changelist that sorts only by the columns in ``sortable_by``: Django hides the other columns' sort links
    but still obeys a ``?o=`` written by hand, which on a million rows is a sort of every row."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params and self.sortable_by is not None:
            kept = [part for part in self.params[ORDER_VAR].split(".") if self._sortable(part)]
            if kept:
                self.params[ORDER_VAR] = ".".join(kept)
            else:
                del self.params[ORDER_VAR]
        return super().get_ordering(request, queryset)

    def _sortable(self, part: str) -> bool:
        try:
            column = self.list_display[int(part.rpartition("-")[2])]
        except (ValueError, IndexError):
            return False
        return column in self.sortable_by


class LargeTableAdmin(admin.ModelAdmin):
    """A changelist whose every page costs what its rows cost, however many rows the table holds.

    Ordered by the primary key, newest first, along its index: a page of the whole table, or of a filter many rows
    meet, is read without sorting anything (the models' own orderings, such as the household's commune and code
    or the benefit's date, have no index over the whole table and sorted every row for page 1). No column is
    sortable for the same reason; a subclass may allow a column an index serves. A subclass lists only filters an
    index serves or whose every value many rows meet: a rare value of an unindexed column reads the whole table.
    """

    ordering = ("-pk",)
    sortable_by = ()
    paginator = IdsFirstPaginator
    change_list_template = "admin/change_list_estimated.html"  # an estimated count reads "khoảng …"
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_changelist(self, request, **kwargs):
        return IndexOrderChangeList


class YearListFilter(admin.SimpleListFilter):
    """The years from the user's last to their first, newest first, for a ``year`` column that leads an index.

    Django's filter of a plain column lists its values with ``SELECT DISTINCT`` over the whole table, which reads
    every row (or every index entry) on each page of the list; the first and last year are two index look-ups.
    """

    parameter_name = "year"

    def __init__(self, request, params, model, model_admin):
        self.title = model._meta.get_field(self.parameter_name).verbose_name
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        bounds = (
            model_admin.get_queryset(request)
            .order_by()
            .aggregate(first=Min(self.parameter_name), last=Max(self.parameter_name))
        )
        if bounds["first"] is None:
            return []
        return [(str(year), str(year)) for year in range(bounds["last"], bounds["first"] - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{self.parameter_name: int(value)})
        return queryset


class CappedInlineFormSet(BaseInlineFormSet):
    """The object's rows, only the first ``rows_shown`` in the inline's order (the latest, for a log ordered newest
    first). A formset filters its queryset by the object after the admin built it, so it cannot be sliced there;
    here the rows are narrowed to the primary keys of a sliced subquery, which PostgreSQL answers from the
    object's own rows before it joins anything."""

    rows_shown = 20

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            rows = self.queryset if self.queryset.ordered else self.queryset.order_by(self.model._meta.pk.name)
            self._queryset = rows.filter(pk__in=rows.values("pk")[: self.rows_shown])
        return self._queryset


class CappedInline(admin.TabularInline):
    """A read-only inline of an object's first ``rows_shown`` rows in its order (``CappedInlineFormSet``)."""

    formset = CappedInlineFormSet
    rows_shown = 20
    extra = 0
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.rows_shown = self.rows_shown
        return formset

    def has_add_permission(self, request, obj=None):
        return False
