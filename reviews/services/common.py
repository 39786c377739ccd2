"""Shared by the review services: the optimistic lock, who may act for a commune, the class before a review."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from households.models import Household, StatusRecord

from ..models import (
    ReviewRound,
    TransitionRefused,
)

STALE_ROUND = gettext_lazy(
    "Đợt rà soát vừa được người khác cập nhật sau khi bạn mở trang. Thao tác của bạn chưa được thực hiện: "
    "hãy tải lại trang để xem thay đổi rồi làm lại."
)
STALE_CASE = gettext_lazy(
    "Phiếu của hộ này vừa được người khác lưu sau khi bạn mở trang. Những gì bạn nhập chưa được lưu và vẫn còn "
    "trên trang: hãy mở phiếu trong một thẻ mới để xem bản mới nhất, rồi nhập lại phần của bạn."
)


class StaleRoundError(ValidationError):
    """Someone changed the round (or the case) after this officer loaded it."""


def _claim(model, obj, expected_version: int | None, message: str) -> None:
    """Optimistic lock: bump the version only if nobody saved since ``expected_version`` was read."""
    if expected_version is None or not model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1
    ):
        raise StaleRoundError(message)
    obj.refresh_from_db()


def _claim_round(round: ReviewRound, expected_version: int | None) -> None:
    _claim(ReviewRound, round, expected_version, STALE_ROUND)


def _lock_round(round: ReviewRound) -> None:
    """Lock the round's row until the transaction ends and re-read its state, so that a step another officer
    finished a moment ago (posting started, list submitted, case saved) is seen before anything is checked or
    written: two officers on one round are served one after the other, never interleaved."""
    state, revision = ReviewRound.objects.select_for_update().filter(pk=round.pk).values_list("state", "revision")[0]
    round.state, round.revision = state, revision


def _require_officer_of(user, round: ReviewRound) -> None:
    if user.role != Role.COMMUNE_OFFICER or user.unit_id != round.commune_id:
        raise TransitionRefused(_("Chỉ cán bộ của xã %(commune)s mới làm được việc này.") % {"commune": round.commune})


def _class_before(household: Household, day: date) -> str:
    """The official class in force on ``day`` (status history), or the registry's current class if none."""
    record = household.status_records.filter(valid_from__lte=day).order_by("-valid_from", "-pk").first()
    return _class_of(record and (record.household_class, record.valid_to), day, household.current_class)


def _classes_before(households: QuerySet, day: date) -> dict[int, str]:
    """``_class_before`` of every household of ``households`` in two statements, whatever their number (a commune
    of the merged provinces holds tens of thousands: one look-up each kept the officer waiting close to a minute), in
    the order of ``households``."""
    latest = {
        household: (household_class, valid_to)
        for household, household_class, valid_to in StatusRecord.objects.filter(
            household__in=households.values("pk"), valid_from__lte=day
        )
        .order_by("household_id", "-valid_from", "-pk")
        .distinct("household_id")
        .values_list("household_id", "household_class", "valid_to")
    }
    return {
        pk: _class_of(latest.get(pk), day, current) for pk, current in households.values_list("pk", "current_class")
    }


def _class_of(record: tuple[str, date | None] | None, day: date, current: str) -> str:
    """The class of a household's latest record begun by ``day`` (its class and end), if it is still in force; none
    when that record has ended; the registry's current class when the household has no record yet."""
    if record is None:
        return current
    household_class, valid_to = record
    return household_class if valid_to is None or valid_to >= day else ""
