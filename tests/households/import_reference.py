"""The Excel import as it was before it wrote in bulk: each household saved through ``household_save`` in turn.

Kept only as the reference the bulk import (households/excel/bulk.py) is compared with in
tests/households/test_excel_bulk.py: same rows, same change history, same errors, on the same files.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from households.choices import HouseholdState
from households.excel.columns import BY_KEY, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from households.excel.importer import (
    HOUSEHOLD_FORM_FIELDS,
    MEMBER_FORM_FIELDS,
    BaseImporter,
    Group,
    ImportReport,
    _form_data,
    _model_values,
    _same,
)
from households.forms import HouseholdForm, MemberForm
from households.models import Household, Member
from households.services import household_save


class ReferenceImporter(BaseImporter):
    def run(self) -> ImportReport:
        groups = self.parse()
        self.report.households = len(groups)
        self.report.members = sum(1 for g in groups for r in g.rows if r.has_member())
        existing = self.existing_households(groups)
        with transaction.atomic():
            for done, group in enumerate(groups):
                if done % 25 == 0:
                    self.progress(done * 100 // max(len(groups), 1), self.progress_message(done, len(groups)))
                self.check_group(group)
                self.import_group(group, existing)
                self.report.errors.extend(group.errors)
            if self.report.errors or not self.commit:
                transaction.set_rollback(True)
            else:
                self.report.committed = True
        return self.report

    def existing_households(self, groups: list[Group]) -> dict[tuple[int, str], Household]:
        """The households of the file already in the registry (any commune the officer sees), in two queries."""
        members = Member.objects.current().select_related("ethnic_group")
        households = (
            Household.objects.visible_to(self.user)
            .filter(code__in=[g.code for g in groups])
            .select_related("village__parent", "commune")
            .prefetch_related(Prefetch("members", queryset=members, to_attr="current_members"))
        )
        return {(h.commune_id, h.code): h for h in households}

    # validating and saving one household
    def import_group(self, group: Group, existing: dict) -> None:
        first = group.first
        village = first.values.get("village")
        household = existing.get((village.parent_id, group.code)) if village else None
        expected = None
        if household is not None:
            key = f"{household.commune_id}:{household.code}"
            self.report.versions[key] = household.version
            # On commit, the version read by the dry run: if someone saved in between, the service refuses.
            expected = household.version if self.expected_versions is None else self.expected_versions.get(key, -1)
        else:
            household = Household()

        before = _model_values(household, HOUSEHOLD_FORM_FIELDS) if household.pk else None
        data = _form_data(household, HOUSEHOLD_FORM_FIELDS, first.values, HOUSEHOLD_COLUMNS)
        if village is not None and not data.get("area_type"):
            data["area_type"] = village.area_type or "rural"  # "Để trống để lấy theo thôn, buôn"
        if before is None or not _same(data, before):
            form = HouseholdForm(data={**data, "version": expected}, instance=household, user=self.user)
            if not form.is_valid():
                self.form_errors(group, first, form, HOUSEHOLD_COLUMNS)

        current = list(household.current_members) if household.pk else []
        by_pid = {m.personal_id: m for m in current if m.personal_id}
        by_name = {(m.full_name.casefold(), m.date_of_birth): m for m in current}
        used: dict[int, int] = {}  # pk of a registry member -> the Excel row that matched it
        staying: list[tuple[Member, int]] = []
        members_changed = False
        for row in group.rows:
            if not row.has_member():
                continue
            values = row.values
            match = by_pid.get(values.get("personal_id") or "") or by_name.get(
                ((values.get("full_name") or "").casefold(), values.get("date_of_birth"))
            )
            if match is not None and match.pk in used:
                message = _("trùng với thành viên ở dòng %(row)s") % {"row": used[match.pk]}
                group.error(row, BY_KEY["full_name"], message)
                continue
            member = match or Member()
            if match is not None:
                used[match.pk] = row.number
            member_before = _model_values(member, MEMBER_FORM_FIELDS) if member.pk else None
            member_data = _form_data(member, MEMBER_FORM_FIELDS, values, MEMBER_COLUMNS)
            if member_before is not None and _same(member_data, member_before):
                staying.append((member, row.number))
                continue
            member_form = MemberForm(data=member_data, instance=member)
            if not member_form.is_valid():
                self.form_errors(group, row, member_form, MEMBER_COLUMNS)
                continue
            staying.append((member, row.number))
            members_changed = members_changed or member_before != _model_values(member, MEMBER_FORM_FIELDS)
        if group.errors:
            return
        if before is not None and not members_changed and before == _model_values(household, HOUSEHOLD_FORM_FIELDS):
            self.report.unchanged.append(group.code)
            return
        if household.state == HouseholdState.ARCHIVED:  # an export "gồm cả hộ đã lưu trữ" re-imports unchanged
            group.error(
                first,
                BY_KEY["code"],
                _("hộ %(code)s đã lưu trữ nên không cập nhật được từ Excel") % {"code": group.code},
            )
            return
        # Members in the registry but not in the file stay in the household: an import never removes anyone.
        members = [m for m, _row in staying] + [m for m in current if m.pk not in used]
        try:
            household_save(household=household, members=members, user=self.user, expected_version=expected)
        except ValidationError as error:
            self.service_errors(group, staying, error)
        except IntegrityError:
            group.error(
                first,
                "",
                _("không ghi được hộ %(code)s do trùng dữ liệu; hãy kiểm tra mã hộ và chủ hộ") % {"code": group.code},
            )
        else:
            (self.report.updated if expected is not None else self.report.created).append(group.code)



def reference_import(*, sheet, user, commit: bool, expected_versions: dict | None = None) -> ImportReport:
    return ReferenceImporter(
        sheet=sheet, user=user, commit=commit, expected_versions=expected_versions, progress=None
    ).run()
