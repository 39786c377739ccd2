"""Award decisions (quyết định khen thưởng), the award register (sổ khen thưởng) and typical examples (điển hình
tiên tiến).

An award decision groups reviewed nominations of one form whose deciding unit is the officer's unit; creating it
closes them as decided, writes one register row each and stores the decision's PDF (NĐ 30/2020 layout,
emulation.documents). The register is searched by year, unit, form, subject type and name, read through
``visible_to`` and paged without counting every row.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook

from areas.models import AdministrativeUnit
from core.downloads import download_name
from core.integrity import check_unique_rules
from core.spreadsheets import sheet_title

from . import nominations as noms
from .documents import award_decision_document, award_decision_pdf, default_abstract
from .models import (
    Award,
    AwardDecision,
    AwardForm,
    Movement,
    Nomination,
    NominationStatus,
    SubjectType,
    TypicalExample,
)

REGISTER_PER_PAGE = 50


@transaction.atomic
def award_decision_create(
    *,
    user,
    nominations: list[Nomination],
    number: str,
    signed_on,
    abstract: str = "",
    signer_name: str,
    signer_title: str,
    signer_authority: str = "",
) -> AwardDecision:
    """A decision of the user's unit granting one form to reviewed nominations whose deciding unit is that unit:
    each becomes decided with a log row and a register row; the PDF is rendered and stored."""
    if not nominations:
        raise ValidationError({"nominations": _("Hãy chọn ít nhất một đề nghị đã được Hội đồng xét.")})
    locked = list(
        Nomination.objects.select_for_update(of=("self",))
        .filter(pk__in=[n.pk for n in nominations])
        .select_related("proposing_unit", "subject_unit", "movement", "household__village")
        .order_by("proposing_unit__path", "subject_name", "pk")
    )
    forms = {n.requested_form for n in locked}
    if len(forms) > 1:
        raise ValidationError({"nominations": _("Một quyết định chỉ tặng một hình thức khen thưởng.")})
    movements = {n.movement_id for n in locked}
    if len(movements) > 1:
        raise ValidationError({"nominations": _("Các đề nghị trong một quyết định phải thuộc cùng một phong trào.")})
    for n in locked:
        if not noms.can_review(user, n):
            raise PermissionDenied(_("Bạn không có quyền quyết định khen thưởng đề nghị này."))
        if n.status != NominationStatus.REVIEWED:
            raise ValidationError(
                {
                    "nominations": _("Đề nghị “%(name)s” đang ở trạng thái “%(status)s”, chưa được Hội đồng xét.")
                    % {"name": n.subject_name, "status": n.get_status_display()}
                }
            )
    form = forms.pop()
    if form == AwardForm.HIGHER:
        # Luật Thi đua, khen thưởng 2022, Điều 73: higher forms are granted above the province, which forwards them.
        raise ValidationError(
            {"nominations": _("Hình thức cao hơn do cấp trên quyết định: tỉnh trình hồ sơ lên cấp trên.")}
        )
    movement = locked[0].movement
    if not signer_name.strip():
        raise ValidationError({"signer_name": _("Hãy nhập họ và tên người ký quyết định.")})
    decision = AwardDecision(
        movement=movement,
        issuer=user.unit,
        form=form,
        number=number.strip(),
        signed_on=signed_on,
        abstract=abstract.strip() or default_abstract(form, user.unit.name, movement.name),
        signer_name=signer_name.strip(),
        signer_title=signer_title.strip(),
        signer_authority=signer_authority.strip(),
        created_by=user,
    )
    check_unique_rules(decision)  # one number a day per issuer, said beside the number
    decision.full_clean()
    decision.save()
    comment = _("Quyết định số %(number)s ngày %(date)s") % {
        "number": decision.number,
        "date": signed_on.strftime("%d/%m/%Y"),
    }
    awards = []
    for n in locked:
        noms.nomination_decide(user=user, nomination=n, comment=comment)
        awards.append(
            Award(
                decision=decision,
                nomination=n,
                subject_type=n.subject_type,
                subject_name=n.subject_name,
                unit=n.subject_unit or n.proposing_unit,
                household=n.household,
                form=form,
                year=n.year,
                achievements=n.achievements,
            )
        )
    Award.objects.bulk_create(awards)
    award_decision_render(decision=decision)
    return decision


def award_decision_render(*, decision: AwardDecision) -> None:
    """Render the decision from its stored fields and register rows and keep the PDF in ``pdf_file``."""
    awards = list(decision.awards.select_related("unit__parent", "nomination").order_by("pk"))
    document = award_decision_document(decision, awards)
    pdf = award_decision_pdf(document)
    if decision.pdf_file:
        decision.pdf_file.delete(save=False)
    decision.pdf_file.save(download_name("quyet-dinh-khen-thuong", decision.number, ext="pdf"), ContentFile(pdf))


# --- the register -------------------------------------------------------------------------------------------------


@dataclass
class RegisterFilters:
    year: int | None = None
    unit: AdministrativeUnit | None = None
    form: str = ""
    subject_type: str = ""
    name: str = ""


def register_for(user, filters: RegisterFilters):
    """The register rows the user may see matching the filters, newest first."""
    qs = Award.objects.visible_to(user).select_related("decision", "unit")
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.unit is not None:
        qs = qs.filter(unit__path__startswith=filters.unit.path)
    if filters.form:
        qs = qs.filter(form=filters.form)
    if filters.subject_type:
        qs = qs.filter(subject_type=filters.subject_type)
    if filters.name:
        qs = qs.filter(Q(subject_name__icontains=filters.name) | Q(achievements__icontains=filters.name))
    return qs.order_by("-year", "-decision__signed_on", "subject_name", "pk")


@dataclass
class RegisterPage:
    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def register_page(qs, number: int, per_page: int = REGISTER_PER_PAGE) -> RegisterPage:
    """One page read with one extra row to know whether another page follows (no COUNT over the province)."""
    number = max(1, number)
    start = (number - 1) * per_page
    rows = list(qs[start : start + per_page + 1])
    return RegisterPage(rows=rows[:per_page], number=number, has_next=len(rows) > per_page)


REGISTER_COLUMNS = (
    "STT",
    "Năm",
    "Tên tập thể, cá nhân, hộ",
    "Đối tượng",
    "Đơn vị",
    "Hình thức khen thưởng",
    "Số quyết định",
    "Ngày ký",
    "Cơ quan ban hành",
    "Thành tích",
)


def register_xlsx(qs) -> bytes:
    """The register as a workbook (text stays text: core.spreadsheets guards every cell)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title("Sổ khen thưởng"))
    ws.append(list(REGISTER_COLUMNS))
    types = dict(SubjectType.choices)
    forms = dict(AwardForm.choices)
    for i, award in enumerate(qs.select_related("decision__issuer", "unit").iterator(chunk_size=2000), start=1):
        ws.append(
            [
                i,
                award.year,
                award.subject_name,
                str(types.get(award.subject_type, "")),
                award.unit.name,
                str(forms.get(award.form, "")),
                award.decision.number,
                award.decision.signed_on.strftime("%d/%m/%Y"),
                award.decision.issuer.name,
                award.achievements,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- typical examples --------------------------------------------------------------------------------------------


@transaction.atomic
def typical_example_create(
    *, user, movement: Movement, year: int, subject_name: str, story: str, household=None, unit=None
) -> TypicalExample:
    """A typical example of the user's unit (or a unit below it), optionally a registry household it can see."""
    if not (user.is_authenticated and user.unit_id):
        raise PermissionDenied
    unit = unit or user.unit
    if not unit.path.startswith(user.unit.path):
        raise PermissionDenied
    errors = {}
    if household is not None:
        if not household.village.path.startswith(unit.path):
            errors["household"] = _("Hộ gia đình phải thuộc địa bàn của đơn vị.")
        subject_name = subject_name.strip() or f"Hộ ông/bà {household.head_name}"
    if not subject_name.strip():
        errors["subject_name"] = _("Hãy nhập tên điển hình.")
    if not story.strip():
        errors["story"] = _("Hãy kể ngắn gọn câu chuyện của điển hình.")
    if not movement.phase_start <= year <= movement.phase_end:
        errors["year"] = _("Năm phải nằm trong giai đoạn %(start)s–%(end)s của phong trào.") % {
            "start": movement.phase_start,
            "end": movement.phase_end,
        }
    if errors:
        raise ValidationError(errors)
    example = TypicalExample(
        movement=movement,
        unit=unit,
        year=year,
        subject_name=subject_name.strip(),
        household=household,
        story=story.strip(),
        created_by=user,
    )
    example.full_clean()
    example.save()
    return example


def typical_example_list_for(user, *, year: int | None = None):
    qs = TypicalExample.objects.visible_to(user).select_related("unit", "movement", "household")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "subject_name", "pk")
