"""The dashboards' summary table: what the landing page shows of each commune, computed from the live aggregates.

A row holds one commune's figures for one period: a year (this year counted to today, last year whole) or a period
of the report calendar (the 6-month report's 01/01–30/06): households and poor / near-poor households by current
class, per village too; the period's movements and escape registrations that the targets card and the reports read.
Database triggers (migration 0011) append a ``SummaryStale`` mark in the same transaction as any change to the
commune's households, status records or registrations; ``households.summary`` recomputes the marked communes from
the live aggregate (docs/adr/0036, 0041).
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q


class CommuneSummaryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CommuneSummaryQuerySet":
        return self.filter(unit_scope_q(user, "commune"))

    def of_year(self, year: int) -> "CommuneSummaryQuerySet":
        """The rows of the calendar year (this year's are counted to today), not the report calendar's periods."""
        return self.filter(period_start=date(year, 1, 1), period_end=date(year, 12, 31))


class CommuneSummary(models.Model):
    """One commune's figures of one period (a calendar year, or a period of the report calendar), as the live
    aggregate gave them at ``computed_at``."""

    commune = models.ForeignKey(
        "areas.AdministrativeUnit", verbose_name=_("xã"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))  # the year of period_end
    # The period: 01/01–31/12 for a year's row (this year's movements run to ``counted_to``, today), or a period of
    # the report calendar (reports.schedule), counted to its last day.
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    households = models.PositiveIntegerField(_("số hộ đang theo dõi"), default=0)
    poor = models.PositiveIntegerField(_("số hộ nghèo"), default=0)
    near_poor = models.PositiveIntegerField(_("số hộ cận nghèo"), default=0)
    # {village id: {"households": n, "poor": n, "near_poor": n}}: the child table of a commune officer's dashboard
    villages = models.JSONField(_("theo thôn, buôn"), default=dict)
    # households.transitions.COUNT_FIELDS for the period from period_start up to ``counted_to``
    movements = models.JSONField(_("biến động trong năm"), default=dict)
    registered = models.PositiveIntegerField(_("số hộ đăng ký thoát nghèo"), default=0)
    achieved = models.PositiveIntegerField(_("số hộ đăng ký đã thoát"), default=0)
    counted_to = models.DateField(_("tính đến ngày"))
    computed_at = models.DateTimeField(_("tổng hợp lúc"))

    objects = CommuneSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu tổng hợp của xã")
        verbose_name_plural = _("số liệu tổng hợp của xã")
        ordering = ["commune", "-period_end", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "period_start", "period_end"], name="households_one_summary_per_commune_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune_id} – {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"


class SummaryStale(models.Model):
    """A commune whose figures changed after its summary was computed. Appended by the database triggers (never a
    lock on a shared row, so two officers' transactions in one commune never wait for each other); the recompute
    deletes the marks it has seen, so a mark committed while it ran stays and is picked up again."""

    id = models.BigAutoField(primary_key=True)
    commune = models.ForeignKey(
        "areas.AdministrativeUnit", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("xã chờ tổng hợp lại")
        verbose_name_plural = _("xã chờ tổng hợp lại")

    def __str__(self) -> str:
        return f"{self.commune_id} ({self.marked_at})"
