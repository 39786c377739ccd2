"""Targets and escape registrations of the years before the portal: the rows of the two sheets, and the service
that records a registration of a past year."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit

from ..choices import HouseholdClass
from ..excel import opening as sheets
from ..excel.columns import fold, format_vnd
from ..history import record_changes, snapshot_of
from ..models import EscapeRegistration, Household, PovertyTarget
from ..targets import escape_registration_add, official_class_on, poverty_target_set
from ..transitions import EARLIEST_YEAR
from .report import _messages

ON_THE_LISTS = (HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value)


class HistoryRows:
    """The targets and registrations sheets, for the import (``importer._Import``), which provides ``parse``,
    ``error``, ``report``, ``user`` and ``today``."""

    # targets of past years -----------------------------------------------------------------------------------------
    def targets(self) -> None:
        rows = self.book.of(sheets.TARGETS)
        if not rows:
            return
        units = self.target_units()
        seen = {}
        for row in rows:
            values, ok = self.parse(sheets.TARGETS, row)
            if not ok:
                continue
            unit = self.unit_named(units, values["unit"], sheets.TARGETS, row, "unit")
            year = values["year"]
            if unit is None:
                continue
            if not EARLIEST_YEAR <= year <= self.today.year:
                self.error(
                    sheets.TARGETS,
                    row.number,
                    "",
                    "year",
                    _("năm phải từ %(first)s đến %(last)s") % {"first": EARLIEST_YEAR, "last": self.today.year},
                )
                continue
            if (unit.pk, year) in seen:
                self.error(
                    sheets.TARGETS,
                    row.number,
                    "",
                    "unit",
                    _("chỉ tiêu năm %(year)s của %(unit)s đã có ở dòng %(row)s")
                    % {"year": year, "unit": unit.name, "row": seen[(unit.pk, year)]},
                )
                continue
            seen[(unit.pk, year)] = row.number
            rate = values["rate_reduction"]
            if isinstance(rate, Decimal) and rate != rate.quantize(Decimal("0.01")):
                self.error(sheets.TARGETS, row.number, "", "rate_reduction", _("ghi tối đa hai chữ số thập phân"))
                continue
            current = PovertyTarget.objects.filter(unit=unit, year=year).first()
            if current is not None:
                if current.households_to_escape == values["households_to_escape"] and current.rate_reduction == rate:
                    self.report.targets_unchanged += 1
                else:
                    self.error(
                        sheets.TARGETS,
                        row.number,
                        "",
                        "households_to_escape",
                        _(
                            "%(unit)s đã có chỉ tiêu năm %(year)s trên cổng (%(households)s hộ, giảm %(rate)s điểm "
                            "%%, theo %(basis)s); hãy điều chỉnh trên trang Mục tiêu giảm nghèo"
                        )
                        % {
                            "unit": unit.name,
                            "year": year,
                            "households": format_vnd(current.households_to_escape),
                            "rate": str(current.rate_reduction).replace(".", ","),
                            "basis": current.legal_basis,
                        },
                    )
                continue
            try:
                poverty_target_set(
                    unit=unit,
                    year=year,
                    households_to_escape=values["households_to_escape"],
                    rate_reduction=rate,
                    legal_basis=values["legal_basis"],
                    note=values.get("note") or "",
                    user=self.user,
                )
            except (ValidationError, PermissionDenied, IntegrityError) as error:
                for message in _messages(error):
                    self.error(sheets.TARGETS, row.number, "", "", message)
                continue
            self.report.targets += 1

    def target_units(self) -> list[AdministrativeUnit]:
        """The units whose targets this officer assigns: those directly below their unit, merged ones included."""
        if not self.user.unit_id:
            return []
        return list(AdministrativeUnit.objects.visible_to(self.user).filter(parent_id=self.user.unit_id))

    def unit_named(self, units, raw, sheet, row, column) -> AdministrativeUnit | None:
        text = str(raw).strip()
        matches = [u for u in units if u.code == text] or [u for u in units if fold(u.name) == fold(text)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            self.error(
                sheet,
                row.number,
                "",
                column,
                _("có nhiều đơn vị tên “%(value)s”; hãy ghi mã đơn vị (%(codes)s)")
                % {"value": text, "codes": ", ".join(u.code for u in matches)},
            )
        else:
            self.error(
                sheet,
                row.number,
                "",
                column,
                _("không tìm thấy “%(value)s” trong các đơn vị trực thuộc đơn vị của bạn") % {"value": text},
            )
        return None

    # escape registrations of past years ------------------------------------------------------------------------
    def registrations(self) -> None:
        rows = self.book.of(sheets.REGISTRATIONS)
        if not rows:
            return
        communes = list(AdministrativeUnit.objects.visible_to(self.user).filter(level=UnitLevel.COMMUNE))
        seen = {}
        for row in rows:
            values, ok = self.parse(sheets.REGISTRATIONS, row)
            if not ok:
                continue
            code = values["code"]
            if values.get("commune"):
                commune = self.unit_named(communes, values["commune"], sheets.REGISTRATIONS, row, "commune")
                if commune is None:
                    continue
            elif len(communes) == 1:
                commune = communes[0]
            else:
                self.error(sheets.REGISTRATIONS, row.number, code, "commune", _("hãy ghi xã của hộ"))
                continue
            household = Household.objects.visible_to(self.user).filter(commune=commune, code__iexact=code).first()
            if household is None:
                self.error(
                    sheets.REGISTRATIONS,
                    row.number,
                    code,
                    "code",
                    _("không tìm thấy hộ %(code)s trong %(commune)s") % {"code": code, "commune": commune.name},
                )
                continue
            key = (household.pk, values["year"])
            if key in seen:
                self.error(
                    sheets.REGISTRATIONS,
                    row.number,
                    code,
                    "code",
                    _("hộ %(code)s đã có đăng ký năm %(year)s ở dòng %(row)s")
                    % {"code": code, "year": values["year"], "row": seen[key]},
                )
                continue
            seen[key] = row.number
            try:
                with transaction.atomic():
                    if values["year"] >= self.today.year:
                        escape_registration_add(
                            household=household,
                            year=values["year"],
                            registered_on=values["registered_on"],
                            user=self.user,
                            cadre_name=values["cadre_name"],
                            cadre_position=values.get("cadre_position") or "",
                            commitment=values.get("commitment") or "",
                        )
                        written = True
                    else:
                        written = escape_registration_record_past(
                            household=household,
                            year=values["year"],
                            registered_on=values["registered_on"],
                            household_class=values.get("class_at_registration"),
                            cadre_name=values["cadre_name"],
                            cadre_position=values.get("cadre_position") or "",
                            commitment=values.get("commitment") or "",
                            user=self.user,
                        )
            except (ValidationError, PermissionDenied, IntegrityError) as error:
                for message in _messages(error):
                    self.error(sheets.REGISTRATIONS, row.number, code, "", message)
                continue
            if written:
                self.report.registrations += 1
            else:
                self.report.registrations_unchanged += 1


@transaction.atomic
def escape_registration_record_past(
    *,
    household: Household,
    year: int,
    registered_on: date,
    household_class: str | None,
    cadre_name: str,
    user,
    cadre_position: str = "",
    commitment: str = "",
) -> bool:
    """Record a registration to escape poverty of a year before the portal, under the rules of
    ``escape_registration_add`` but for a past year; the class is the list's on the day, or the file's when the
    portal has no history then. False when the same registration is already recorded."""
    errors = []
    today = timezone.localdate()
    if not Household.objects.visible_to(user).filter(pk=household.pk).exists():
        raise PermissionDenied(_("Hộ này không thuộc đơn vị của bạn."))
    if not EARLIEST_YEAR <= year < today.year:
        errors.append(
            _("Năm đăng ký của những năm trước phải từ %(first)s đến %(last)s.")
            % {"first": EARLIEST_YEAR, "last": today.year - 1}
        )
    if registered_on > today:
        errors.append(_("Ngày đăng ký không được sau hôm nay."))
    if registered_on.year not in (year - 1, year):
        errors.append(_("Ngày đăng ký phải trong năm %(year)s hoặc cuối năm trước đó.") % {"year": year})
    on_list = official_class_on(household, registered_on)
    if on_list is not None:
        if on_list not in ON_THE_LISTS:
            errors.append(
                _(
                    "Theo lịch sử phân loại, ngày %(date)s hộ %(code)s là %(class)s, không thuộc danh sách hộ nghèo, "
                    "hộ cận nghèo, nên không đăng ký thoát nghèo được."
                )
                % {
                    "date": f"{registered_on:%d/%m/%Y}",
                    "code": household.code,
                    "class": HouseholdClass(on_list).label.lower(),
                }
            )
        elif household_class and household_class != on_list:
            errors.append(
                _("Theo lịch sử phân loại, ngày %(date)s hộ %(code)s là %(class)s, khác với phân loại ghi trong tệp.")
                % {
                    "date": f"{registered_on:%d/%m/%Y}",
                    "code": household.code,
                    "class": HouseholdClass(on_list).label.lower(),
                }
            )
        household_class = on_list
    elif household_class not in ON_THE_LISTS:
        errors.append(
            _(
                "Sổ theo dõi chưa có lịch sử phân loại của hộ %(code)s vào ngày %(date)s; hãy ghi cột Phân loại khi "
                "đăng ký (Hộ nghèo hoặc Hộ cận nghèo)."
            )
            % {"code": household.code, "date": f"{registered_on:%d/%m/%Y}"}
        )
    if not cadre_name.strip():
        errors.append(_("Hãy ghi tên cán bộ phụ trách giúp đỡ hộ."))
    existing = EscapeRegistration.objects.active().filter(household=household, year=year).first()
    if existing is not None and not errors:
        if existing.registered_on == registered_on and existing.cadre_name == cadre_name.strip():
            return False
        errors.append(_("Hộ %(code)s đã đăng ký thoát nghèo năm %(year)s.") % {"code": household.code, "year": year})
    if errors:
        raise ValidationError(errors)
    before = snapshot_of(household.pk)
    registration = EscapeRegistration(
        household=household,
        year=year,
        registered_on=registered_on,
        class_at_registration=household_class,
        cadre_name=cadre_name.strip(),
        cadre_position=cadre_position.strip(),
        commitment=commitment.strip(),
        created_by=user,
    )
    registration.full_clean()
    registration.save()
    record_changes(
        household=household,
        before=before,
        user=user,
        action="escape_register",
        note=_("Đăng ký thoát nghèo năm %(year)s (nhập số liệu những năm trước); cán bộ phụ trách: %(cadre)s")
        % {"year": year, "cadre": ", ".join(p for p in (registration.cadre_name, registration.cadre_position) if p)},
    )
    return True
