"""Screens of nominations (đề nghị khen thưởng), award decisions, the award register and typical examples.

Thin views: a form parses the input, one service of emulation.nominations or emulation.awards decides; a refusal
comes back beside its field with what was typed kept, a wrong unit or role is a 403, an object outside the
officer's unit a 404 (everything is read through ``visible_to``).
"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.permissions import ALL_ROLES, OFFICER_ROLES, RoleRequiredMixin
from core.downloads import PDF_CONTENT_TYPE, download_name, download_response, xlsx_response
from core.integrity import form_write

from . import awards
from . import nominations as svc
from .forms_awards import CommentForm, DecisionForm, EvidenceForm, ExampleForm, NominationForm, RegisterFilterForm
from .models import AwardDecision, AwardForm, Nomination, NominationEvidence, NominationStatus

PER_PAGE = 50


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _nomination(request, pk) -> Nomination:
    return get_object_or_404(
        Nomination.objects.visible_to(request.user).select_related(
            "movement", "proposing_unit", "subject_unit", "household", "created_by"
        ),
        pk=pk,
    )


# --- nominations --------------------------------------------------------------------------------------------------


class NominationListView(RoleRequiredMixin, View):
    """The nominations the unit proposed and those of the units below it, newest first, by status."""

    allowed_roles = ALL_ROLES

    def get(self, request):
        status = request.GET.get("status", "")
        if status not in NominationStatus.values:
            status = ""
        qs = svc.nomination_list_for(request.user, status=status)
        page = awards.register_page(qs, _page_number(request), PER_PAGE)
        return render(
            request,
            "emulation/nomination_list.html",
            {
                "page": page,
                "status": status,
                "statuses": NominationStatus.choices,
                "may_propose": svc.can_propose(request.user),
            },
        )


class NominationCreateView(RoleRequiredMixin, View):
    """A draft nomination of the officer's unit."""

    allowed_roles = OFFICER_ROLES

    def get(self, request):
        return self._page(request, NominationForm(user=request.user))

    def post(self, request):
        form = NominationForm(request.POST, user=request.user)
        if not svc.can_propose(request.user):
            raise PermissionDenied
        created = {}
        if form.is_valid() and form_write(
            form,
            lambda f: created.setdefault("n", svc.nomination_create(user=request.user, **f.service_kwargs())),
        ):
            messages.success(request, _("Đã lập đề nghị khen thưởng. Hãy đính kèm minh chứng rồi trình."))
            return redirect("emulation:nomination_detail", pk=created["n"].pk)
        return self._page(request, form)

    def _page(self, request, form):
        return render(
            request,
            "emulation/nomination_form.html",
            {"form": form, "may_propose": svc.can_propose(request.user), "nomination": None},
        )


class NominationUpdateView(RoleRequiredMixin, View):
    """A draft edited by its proposing unit."""

    allowed_roles = OFFICER_ROLES

    def _get(self, request, pk):
        nomination = _nomination(request, pk)
        if not svc.can_propose(request.user, nomination):
            raise PermissionDenied
        return nomination

    def get(self, request, pk):
        nomination = self._get(request, pk)
        initial = {
            "movement": nomination.movement_id,
            "year": nomination.year,
            "subject_type": nomination.subject_type,
            "subject_name": nomination.subject_name,
            "subject_unit": nomination.subject_unit_id,
            "household_code": nomination.household.code if nomination.household_id else "",
            "position": nomination.position,
            "achievements": nomination.achievements,
            "requested_form": nomination.requested_form,
        }
        form = NominationForm(user=request.user, initial=initial)
        return self._page(request, form, nomination)

    def post(self, request, pk):
        nomination = self._get(request, pk)
        form = NominationForm(request.POST, user=request.user)
        if form.is_valid() and form_write(
            form, lambda f: svc.nomination_update(user=request.user, nomination=nomination, **f.service_kwargs())
        ):
            messages.success(request, _("Đã lưu đề nghị."))
            return redirect("emulation:nomination_detail", pk=nomination.pk)
        return self._page(request, form, nomination)

    def _page(self, request, form, nomination):
        return render(
            request, "emulation/nomination_form.html", {"form": form, "may_propose": True, "nomination": nomination}
        )


class NominationDetailView(RoleRequiredMixin, View):
    """The nomination, its evidence, its log and the steps this officer may take."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        nomination = _nomination(request, pk)
        try:
            deciding = svc.deciding_unit_of(nomination)
        except ValidationError:  # a form no level grants any more (said on the page)
            deciding = None
        actions = svc.nomination_actions_for(request.user, nomination)
        return render(
            request,
            "emulation/nomination_detail.html",
            {
                "nomination": nomination,
                "deciding": deciding,
                "evidence": nomination.evidence.order_by("pk"),
                "log": nomination.log.select_related("user").order_by("at", "pk"),
                "actions": actions,
                "evidence_form": EvidenceForm() if "edit" in actions else None,
                "award": getattr(nomination, "award", None) if nomination.status == NominationStatus.DECIDED else None,
            },
        )


class NominationEvidenceView(RoleRequiredMixin, View):
    """Attach an evidence file to a draft (the proposing unit)."""

    allowed_roles = OFFICER_ROLES

    def get(self, request, pk):
        nomination = _nomination(request, pk)
        return render(request, "emulation/nomination_evidence.html", {"nomination": nomination, "form": EvidenceForm()})

    def post(self, request, pk):
        nomination = _nomination(request, pk)
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid() and form_write(
            form,
            lambda f: svc.nomination_evidence_add(
                user=request.user,
                nomination=nomination,
                upload=f.cleaned_data["file"],
                description=f.cleaned_data["description"],
            ),
        ):
            messages.success(request, _("Đã đính kèm minh chứng."))
            return redirect("emulation:nomination_detail", pk=nomination.pk)
        return render(request, "emulation/nomination_evidence.html", {"nomination": nomination, "form": form})


class NominationEvidenceFileView(RoleRequiredMixin, View):
    """Download an evidence file of a nomination the user may see."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        visible = Nomination.objects.visible_to(request.user)
        item = get_object_or_404(NominationEvidence.objects.filter(nomination__in=visible), pk=pk)
        try:
            content = item.file.read()
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        suffix = PurePath(item.file.name).suffix.lstrip(".") or "bin"
        return download_response(
            content, download_name("minh-chung", item.description, ext=suffix), content_type="application/octet-stream"
        )


class NominationStepView(RoleRequiredMixin, View):
    """One step of the workflow with a comment: submit, council review or rejection."""

    allowed_roles = OFFICER_ROLES
    action = ""
    titles = {
        "submit": gettext_lazy("Trình đề nghị khen thưởng"),
        "review": gettext_lazy("Hội đồng thi đua – khen thưởng xét đề nghị"),
        "reject": gettext_lazy("Không khen thưởng"),
    }

    def service(self, **kwargs):
        return {"submit": svc.nomination_submit, "review": svc.nomination_review, "reject": svc.nomination_reject}[
            self.action
        ](**kwargs)

    def _page(self, request, nomination, form):
        return render(
            request,
            "emulation/nomination_step.html",
            {"nomination": nomination, "form": form, "action": self.action, "title": self.titles[self.action]},
        )

    def get(self, request, pk):
        return self._page(request, _nomination(request, pk), CommentForm())

    def post(self, request, pk):
        nomination = _nomination(request, pk)
        form = CommentForm(request.POST)
        if form.is_valid() and form_write(
            form,
            lambda f: self.service(user=request.user, nomination=nomination, comment=f.cleaned_data["comment"]),
        ):
            nomination.refresh_from_db()
            messages.success(
                request,
                _("Đề nghị chuyển sang trạng thái “%(status)s”.") % {"status": nomination.get_status_display()},
            )
            return redirect("emulation:nomination_detail", pk=nomination.pk)
        return self._page(request, nomination, form)


class NominationSubmitView(NominationStepView):
    action = "submit"


class NominationReviewView(NominationStepView):
    action = "review"


class NominationRejectView(NominationStepView):
    action = "reject"


# --- award decisions -----------------------------------------------------------------------------------------


class DecisionListView(RoleRequiredMixin, View):
    allowed_roles = ALL_ROLES

    def get(self, request):
        qs = (
            AwardDecision.objects.visible_to(request.user)
            .select_related("issuer", "movement")
            .order_by("-signed_on", "-pk")
        )
        page = awards.register_page(qs, _page_number(request), PER_PAGE)
        may_decide = bool(request.user.unit_id) and request.user.role in OFFICER_ROLES
        return render(request, "emulation/decision_list.html", {"page": page, "may_decide": may_decide})


class DecisionCreateView(RoleRequiredMixin, View):
    """An award decision of the officer's unit for reviewed nominations of one form."""

    allowed_roles = OFFICER_ROLES

    def _form_choice(self, request) -> str:
        chosen = request.POST.get("form") or request.GET.get("form") or ""
        return chosen if chosen in AwardForm.values else ""

    def _page(self, request, form, candidates):
        return render(
            request,
            "emulation/decision_form.html",
            {"form": form, "candidates": candidates, "forms": AwardForm.choices, "chosen": self._form_choice(request)},
        )

    def get(self, request):
        chosen = self._form_choice(request)
        candidates = svc.nominations_to_decide_for(request.user, form=chosen or None)
        return self._page(request, DecisionForm(candidates=candidates), candidates)

    def post(self, request):
        candidates = svc.nominations_to_decide_for(request.user, form=self._form_choice(request) or None)
        form = DecisionForm(request.POST, candidates=candidates)
        made = {}
        if form.is_valid() and form_write(
            form,
            lambda f: made.setdefault(
                "d",
                awards.award_decision_create(
                    user=request.user,
                    nominations=f.chosen(),
                    number=f.cleaned_data["number"],
                    signed_on=f.cleaned_data["signed_on"],
                    abstract=f.cleaned_data["abstract"],
                    signer_name=f.cleaned_data["signer_name"],
                    signer_title=f.cleaned_data["signer_title"],
                    signer_authority=f.cleaned_data["signer_authority"],
                ),
            ),
        ):
            messages.success(request, _("Đã ban hành quyết định khen thưởng và ghi vào sổ khen thưởng."))
            return redirect("emulation:decision_detail", pk=made["d"].pk)
        return self._page(request, form, candidates)


class DecisionDetailView(RoleRequiredMixin, View):
    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        decision = get_object_or_404(
            AwardDecision.objects.visible_to(request.user).select_related("issuer", "movement"), pk=pk
        )
        rows = decision.awards.select_related("unit", "nomination").order_by("pk")
        return render(request, "emulation/decision_detail.html", {"decision": decision, "rows": rows})


class DecisionPdfView(RoleRequiredMixin, View):
    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        decision = get_object_or_404(AwardDecision.objects.visible_to(request.user), pk=pk)
        if not decision.pdf_file:
            raise Http404
        try:
            content = decision.pdf_file.read()
        except FileNotFoundError as exc:
            raise Http404 from exc
        return download_response(
            content,
            download_name("quyet-dinh-khen-thuong", decision.number, ext="pdf"),
            content_type=PDF_CONTENT_TYPE,
            inline=True,
        )


# --- the register ----------------------------------------------------------------------------------------------


def _register_filters(request):
    form = RegisterFilterForm(request.GET or None, user=request.user)
    filters = awards.RegisterFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = awards.RegisterFilters(
            year=d.get("year"),
            unit=d.get("unit"),
            form=d.get("form") or "",
            subject_type=d.get("subject_type") or "",
            name=(d.get("name") or "").strip(),
        )
    return form, filters


class RegisterView(RoleRequiredMixin, View):
    """Sổ khen thưởng: the awards the user may see, searched, paged without counting them all."""

    allowed_roles = ALL_ROLES

    def get(self, request):
        form, filters = _register_filters(request)
        page = awards.register_page(awards.register_for(request.user, filters), _page_number(request), PER_PAGE)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "emulation/register_list.html",
            {"form": form, "page": page, "query": query.urlencode()},
        )


class RegisterExportView(RoleRequiredMixin, View):
    allowed_roles = ALL_ROLES

    def get(self, request):
        _form, filters = _register_filters(request)
        content = awards.register_xlsx(awards.register_for(request.user, filters))
        return xlsx_response(content, "so-khen-thuong.xlsx")


# --- typical examples -------------------------------------------------------------------------------------------


class ExampleListView(RoleRequiredMixin, View):
    allowed_roles = ALL_ROLES

    def get(self, request):
        page = awards.register_page(awards.typical_example_list_for(request.user), _page_number(request), PER_PAGE)
        may_create = bool(request.user.unit_id) and request.user.role in OFFICER_ROLES
        return render(request, "emulation/example_list.html", {"page": page, "may_create": may_create})


class ExampleCreateView(RoleRequiredMixin, View):
    allowed_roles = OFFICER_ROLES

    def get(self, request):
        return render(request, "emulation/example_form.html", {"form": ExampleForm(user=request.user)})

    def post(self, request):
        if not request.user.unit_id:
            raise PermissionDenied
        form = ExampleForm(request.POST, user=request.user)
        if form.is_valid() and form_write(
            form,
            lambda f: awards.typical_example_create(
                user=request.user,
                movement=f.cleaned_data["movement"],
                year=f.cleaned_data["year"],
                subject_name=f.cleaned_data["subject_name"],
                story=f.cleaned_data["story"],
                household=f.cleaned_data["household"],
            ),
        ):
            messages.success(request, _("Đã ghi điển hình tiên tiến."))
            return redirect(reverse("emulation:examples"))
        return render(request, "emulation/example_form.html", {"form": form})
