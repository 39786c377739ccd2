"""Sign-in, password change, and the administrators' account-management pages."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from core.integrity import add_form_error, unique_violations_as_errors

from . import services
from .choices import Role
from .forms import AdminSetPasswordForm, LoginForm, NewUserForm, UserForm
from .models import User
from .permissions import ADMIN_ONLY, ALL_ROLES, RoleRequiredMixin


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(RoleRequiredMixin, auth_views.PasswordChangeView):
    allowed_roles = ALL_ROLES
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.user.must_change_password:
            self.request.user.must_change_password = False
            self.request.user.save(update_fields=["must_change_password"])
        return response


class PasswordChangeDoneView(RoleRequiredMixin, auth_views.PasswordChangeDoneView):
    allowed_roles = ALL_ROLES
    template_name = "accounts/password_change_done.html"


class ProfileView(RoleRequiredMixin, TemplateView):
    allowed_roles = ALL_ROLES
    template_name = "accounts/profile.html"


# --- administrators ----------------------------------------------------------------------------------
class AdminUserMixin(RoleRequiredMixin):
    allowed_roles = ADMIN_ONLY

    def get_user_object(self) -> User:
        if not hasattr(self, "object"):
            self.object = get_object_or_404(User.objects.visible_to(self.request.user), pk=self.kwargs["pk"])
        return self.object

    def get_context_data(self, **kwargs):
        if "pk" in self.kwargs:
            kwargs.setdefault("object", self.get_user_object())
        return super().get_context_data(**kwargs)


def locked_usernames() -> set[str]:
    """Usernames that reached the failure limit and are still inside the cool-off period."""
    return set(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).values_list(
            "username", flat=True
        )
    )


class UserListView(AdminUserMixin, ListView):
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = User.objects.visible_to(self.request.user).select_related("unit")
        query = self.request.GET.get("q", "").strip()
        if query:
            qs = qs.filter(
                Q(username__icontains=query) | Q(full_name__icontains=query) | Q(unit__name__icontains=query)
            )
        role = self.request.GET.get("role")
        if role in Role.values:
            qs = qs.filter(role=role)
        return qs.order_by("unit__path", "username")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(roles=Role.choices, locked=locked_usernames(), query=self.request.GET.get("q", ""))
        return context


class UserCreateView(AdminUserMixin, FormView):
    template_name = "accounts/user_form.html"
    form_class = NewUserForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = {field: form.cleaned_data[field] for field in UserForm.Meta.fields}
        try:
            with unique_violations_as_errors():
                user = services.user_create(data=data, password=form.cleaned_data["password1"])
        except ValidationError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Đã tạo tài khoản %(name)s.") % {"name": user.username})
        return redirect("accounts:user_list")


class UserUpdateView(AdminUserMixin, FormView):
    template_name = "accounts/user_form.html"
    form_class = UserForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.get_user_object()}

    def form_valid(self, form):
        data = {field: form.cleaned_data[field] for field in UserForm.Meta.fields}
        try:
            with unique_violations_as_errors():
                services.user_update(user=form.instance, data=data)
        except ValidationError as error:
            add_form_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Đã lưu thay đổi của tài khoản %(name)s.") % {"name": self.object.username})
        return redirect("accounts:user_list")


class UserSetPasswordView(AdminUserMixin, FormView):
    template_name = "accounts/user_set_password.html"
    form_class = AdminSetPasswordForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.get_user_object()}

    def form_valid(self, form):
        services.user_set_password(user=self.object, password=form.cleaned_data["new_password1"])
        messages.success(
            self.request,
            _("Đã đặt lại mật khẩu cho %(name)s. Người dùng sẽ phải đổi mật khẩu ở lần đăng nhập tới.")
            % {"name": self.object.username},
        )
        return redirect("accounts:user_list")


class UserSetActiveView(AdminUserMixin, TemplateView):
    """GET shows a confirmation; POST stops or restores the account."""

    template_name = "accounts/user_confirm_active.html"

    def post(self, request, *args, **kwargs):
        user = self.get_user_object()
        try:
            services.user_set_active(user=user, active=not user.is_active, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            text = _("Đã mở lại tài khoản %(name)s.") if user.is_active else _("Đã ngừng tài khoản %(name)s.")
            messages.success(request, text % {"name": user.username})
        return redirect("accounts:user_list")


class UserUnlockView(AdminUserMixin, TemplateView):
    template_name = "accounts/user_confirm_unlock.html"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        user = self.get_user_object()
        services.user_unlock(user=user)
        messages.success(request, _("Đã mở khoá đăng nhập cho %(name)s.") % {"name": user.username})
        return redirect(reverse("accounts:user_list"))
