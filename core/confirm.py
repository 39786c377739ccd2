"""One pattern for the pages that confirm a change with a reason and the version the officer saw.

Archiving a household, cancelling a benefit, withdrawing an escape registration, approving or returning a
submission and reopening a review round all do the same: a form with a reason (or comment) and a hidden
``version``; one service call that refuses when someone changed the object after the page was opened (optimistic
locking); on success a message and a redirect; on a refusal the page again with the reason as typed and the
refusal beside its field or at the top, never a server error. Subclasses say only what differs.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .integrity import form_write


class ReasonConfirmMixin:
    """Confirm one change of ``get_confirmed()`` with ``form_class`` (a hidden ``version`` and a reason field).

    Subclasses implement ``get_confirmed()`` (the object, scoped with ``visible_to``), ``perform(form)`` (the one
    service call, passing ``expected_version=form.cleaned_data["version"]``), ``get_success_message()`` and
    ``get_success_url()``. A form that sits on another page (the round page, the submission page) sets
    ``form_context_name`` to the name that page expects, ``refusal_as_message`` to say why at the top of that
    page, and ``fresh_version_after_refusal`` so that the form shown again carries the version the page now shows.
    """

    form_class = None
    form_context_name = "form"
    reason_field = "reason"
    refusal_as_message = False
    fresh_version_after_refusal = False

    def get_confirmed(self):
        raise NotImplementedError

    def perform(self, form) -> None:
        raise NotImplementedError

    def get_success_message(self) -> str:
        raise NotImplementedError

    def get_success_url(self) -> str:
        raise NotImplementedError

    def version_of(self, obj) -> int:
        """The version the form carries (the object's own by default; a submission carries its round's)."""
        return obj.version

    def current_version(self) -> int:
        """The version as stored now (after a refusal another officer may have changed it)."""
        obj = self.get_confirmed()
        obj.refresh_from_db()
        return self.version_of(obj)

    def confirm_form(self, data=None):
        if data is not None:
            return self.form_class(data)
        if "version" not in self.form_class.base_fields:
            return self.form_class()  # a change the service refuses a second time by itself
        return self.form_class(initial={"version": self.version_of(self.get_confirmed())})

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**{self.form_context_name: self.confirm_form()}))

    def post(self, request, *args, **kwargs):
        form = self.confirm_form(request.POST)
        if not form.is_valid() and "version" in form.errors:
            del form.errors["version"]  # a hidden field: the officer can only reload the page
            form.add_error(None, _("Trang đã cũ, hãy tải lại."))
        elif form.is_valid() and form_write(form, self.perform):
            messages.success(request, self.get_success_message())
            return redirect(self.get_success_url())
        if self.refusal_as_message:
            messages.error(request, self.refused_message(form))
        if self.fresh_version_after_refusal:
            typed = request.POST.get(self.reason_field, "")
            form = self.form_class({self.reason_field: typed, "version": self.current_version()})
        return self.render_to_response(self.get_context_data(**{self.form_context_name: form}))

    def refused_message(self, form) -> str:
        errors = [str(e) for e in form.non_field_errors()] or [
            f"{form.fields[name].label}: {' '.join(errors)}"
            for name, errors in form.errors.items()
            if name in form.fields
        ]
        return _("Chưa lưu được: %(why)s") % {"why": " ".join(errors)}
