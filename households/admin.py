from django.contrib import admin, messages
from django.db.models import Q, Value
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import formatting
from core.admin_scale import LargeTableAdmin, YearListFilter
from core.integrity import UniqueRulesModelForm

from . import selectors
from .expressions import SearchNorm
from .models import (
    EscapeRegistration,
    EthnicGroup,
    Household,
    Member,
    PovertyStandard,
    PovertyTarget,
    ProvinceIncomeLine,
    UnitPopulation,
)
from .selectors import AnyOf, PositionIn, household_ranked_ids


@admin.register(PovertyStandard)
class PovertyStandardAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "valid_from", "valid_to", "provisional", "updated_at")
    readonly_fields = ("name", "legal_basis", "valid_from", "valid_to", "provisional", "updated_at")
    fields = ("code", "definition", "name", "legal_basis", "valid_from", "valid_to", "provisional", "updated_at")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["definition"].help_text = _(
            "Mỗi chỉ số có “tag” (V: đã đối chiếu văn bản, P: đối chiếu một phần, U: chưa đối chiếu) và “source” "
            "(điều, khoản đã đối chiếu, hoặc văn bản cần đối chiếu); các mức, quy tắc, điểm và độ tuổi lao động ghi "
            "trong “statuses”. Khi đã đối chiếu với văn bản chính thức: sửa giá trị nếu cần, đổi “tag” thành “V” và "
            "ghi điều, khoản vào “source”. Các lần phân loại sau dùng nội dung đã lưu."
        )
        return form


@admin.register(ProvinceIncomeLine)
class ProvinceIncomeLineAdmin(admin.ModelAdmin):
    list_display = ("province", "valid_from", "valid_to", "rural", "urban", "legal_basis")


@admin.register(EthnicGroup)
class EthnicGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_minority")
    search_fields = ("name",)


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = (
        "full_name",
        "relationship",
        "sex",
        "date_of_birth",
        "ethnic_group",
        "personal_id",
        "personal_id_issued_on",
        "left_at",
    )
    readonly_fields = ("left_at",)
    # Typed, not chosen from a <select> of every ethnic group on each member's row: rendering those options was
    # most of the household's change page (≈ 40 ms of ≈ 115 ms for five members).
    autocomplete_fields = ("ethnic_group",)


class HouseholdAdminForm(UniqueRulesModelForm):
    """The commune is not on the form: it follows the village, so the code's unique rule can be checked."""

    def clean(self):
        village = self.cleaned_data.get("village")
        if village is not None:
            self.instance.commune_id = village.parent_id
        return super().clean()


def searched_households(households, search_term: str) -> tuple[list[int], bool] | None:
    """The ids of the households of ``households`` the admin's search box names, best match first, found as the
    portal's list finds them (``household_ranked_ids``: an ID number exactly, a code by its beginning, names
    without their accents, through the registry's indexes), and whether more matched; None when nothing was typed.

    At most ``selectors.SEARCH_CAP`` households: the admin's search used to be ``icontains`` over the code and the
    head's name, unindexed, and reading every match of a clan name ranks a fifth of a province (households.selectors).
    """
    query = " ".join(search_term.split())
    if not query:
        return None
    return household_ranked_ids(households, query)


@admin.register(Household)
class HouseholdAdmin(LargeTableAdmin):
    """A million households: the newest first, a capped count, the portal's indexed search (core.admin_scale)."""

    form = HouseholdAdminForm
    list_display = ("code", "head_name", "village", "current_class", "state")
    list_filter = ("current_class", "state", "ethnic_minority")
    # A list of every unit of the province (thousands of villages) rendered as a <select> on each change page.
    autocomplete_fields = ("village",)
    # Shows the search box; the search itself is ``get_search_results``.
    search_fields = ("code", "head_name")
    search_help_text = _("Tìm họ tên chủ hộ, thành viên, mã hộ hoặc số CCCD (gõ không dấu cũng được)")
    readonly_fields = ("head_name", "current_class", "state", "archived_reason", "version")
    inlines = [MemberInline]

    def get_queryset(self, request):
        return Household.objects.visible_to(request.user).select_related("village")

    def get_search_results(self, request, queryset, search_term):
        # ``queryset`` is the changelist's: the user's households (``get_queryset``) with the list's filters.
        found = searched_households(queryset, search_term)
        if found is None:
            return queryset, False
        ids, more = found
        if more:
            messages.info(
                request,
                gettext(
                    "Có hơn %(limit)s hộ khớp, hãy gõ thêm tên đệm, mã hộ hoặc số CCCD. Dưới đây là %(limit)s hộ tìm "
                    "thấy đầu tiên, hộ khớp nhất xếp trước."
                )
                % {"limit": formatting.number(selectors.SEARCH_CAP)},
            )
        return queryset.filter(AnyOf("pk", ids)).order_by(PositionIn(ids, "pk")), False


@admin.register(UnitPopulation)
class UnitPopulationAdmin(admin.ModelAdmin):
    """Total resident households per unit and year: the denominator of every poverty rate."""

    form = UniqueRulesModelForm
    list_display = ("unit", "year", "households", "persons", "source", "updated_at")
    list_filter = ("year", "unit__level")
    search_fields = ("unit__name", "unit__code", "source")
    autocomplete_fields = ("unit",)

    def get_queryset(self, request):
        return UnitPopulation.objects.visible_to(request.user).select_related("unit")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PovertyTarget)
class PovertyTargetAdmin(admin.ModelAdmin):
    """Read-only here: targets are assigned on the "Mục tiêu giảm nghèo" page, which keeps their revisions."""

    list_display = ("unit", "year", "households_to_escape", "rate_reduction", "legal_basis", "set_by", "updated_at")
    list_filter = ("year",)
    search_fields = ("unit__name", "legal_basis")

    def get_queryset(self, request):
        return PovertyTarget.objects.visible_to(request.user).select_related("unit", "set_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EscapeRegistration)
class EscapeRegistrationAdmin(LargeTableAdmin):
    """Read-only here: registrations are made and withdrawn by the commune on its page, with the household log."""

    list_display = ("household", "year", "registered_on", "cadre_name", "state")
    list_filter = (YearListFilter, "state")
    # Shows the search box; the search itself is ``get_search_results``.
    search_fields = ("household__code", "household__head_name")
    search_help_text = _(
        "Hộ (mã hộ, họ tên không cần dấu, số CMND/CCCD) hoặc cán bộ phụ trách có tài khoản trên hệ thống."
    )

    def get_queryset(self, request):
        return EscapeRegistration.objects.visible_to(request.user).select_related("household")

    def get_search_results(self, request, queryset, search_term):
        """Registrations of the households the text names (the household admin's search) or helped by a cadre whose
        account's name holds it.

        The households are found among all the user's households, then their registrations read along the
        registrations' household index. Found only among households with a registration, the search joined every
        household to the registrations (≈ 400 ms for "nguyen"). When more households match than the search keeps,
        the admin is asked to type more, as on the household list.

        A cadre without an account is written as free text on each registration (``cadre_name``); a text search
        over it has no index and would read every registration of the province, so it is not searched: the
        accounts are a few thousand rows, and a registration is found by its cadre's account along an index.
        """
        found = searched_households(Household.objects.visible_to(request.user), search_term)
        if found is None:
            return queryset, False
        ids, more = found
        if more:
            messages.info(
                request,
                gettext(
                    "Có hơn %(limit)s hộ khớp; chỉ tìm đăng ký của %(limit)s hộ tìm thấy đầu tiên. Hãy gõ thêm tên "
                    "đệm, mã hộ hoặc số CCCD."
                )
                % {"limit": formatting.number(selectors.SEARCH_CAP)},
            )
        query = " ".join(search_term.split())
        # The accounts first, as a list: PostgreSQL then reads the registrations of the households and of the
        # cadres along their two indexes (a subquery here made it read every registration).
        cadres = list(
            User.objects.alias(name=SearchNorm("full_name"))
            .filter(Q(name__contains=SearchNorm(Value(query))) | Q(username__istartswith=query))
            .values_list("pk", flat=True)
        )
        named = Q(AnyOf("household_id", ids))
        if cadres:
            named |= Q(AnyOf("cadre_user_id", cadres))
        found = queryset.filter(named)
        return found.order_by(PositionIn(ids, "household_id").asc(nulls_last=True), "-pk"), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
