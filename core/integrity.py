"""Unique rules as form errors: each database uniqueness rule maps to the field it is shown beside and a message.

Forms and services check these rules before saving (``check_unique_rules``); when two requests race past that
check, the database refuses the second write and ``integrity_as_validation`` turns the ``IntegrityError`` into
the same ``ValidationError``, so the officer sees a Vietnamese message beside the field instead of a server error.
A test fails when a model of the portal gains a unique constraint without an entry here.
"""

import copy
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

# The apps whose models the portal's forms write.
PORTAL_APPS = ("accounts", "areas", "core", "households", "programs", "reviews", "reports", "emulation")


@dataclass(frozen=True)
class UniqueRule:
    field: str | None  # the form field the message is shown beside; None: at the top of the form
    message: str


UNIQUE_RULES: dict[str, UniqueRule] = {
    # households
    "households_code_unique_in_commune_ci": UniqueRule(
        "code", _("Xã đã có hộ mang mã này (không phân biệt chữ hoa, chữ thường). Hãy dùng mã khác.")
    ),
    "households_one_head_per_household": UniqueRule(
        None, _("Mỗi hộ chỉ có một chủ hộ. Hãy đổi quan hệ với chủ hộ của một người.")
    ),
    "households_one_override_per_code": UniqueRule(
        "code", _("Chỉ số này của hộ đã có điều chỉnh; hãy tải lại trang để xem điều chỉnh hiện có.")
    ),
    "households_one_open_status": UniqueRule(
        "valid_from", _("Hộ vừa được ghi một trạng thái chính thức khác; hãy tải lại trang rồi ghi lại.")
    ),
    "households_one_population_per_year": UniqueRule("year", _("Đơn vị đã có số hộ dân cư của năm này.")),
    "households_one_target_per_year": UniqueRule("year", _("Đơn vị đã có chỉ tiêu giảm nghèo của năm này.")),
    "households_one_summary_per_commune_period": UniqueRule(
        "period_end", _("Số liệu tổng hợp của xã cho kỳ này đã có; hãy tải lại trang.")
    ),
    "households_one_escape_registration_per_year": UniqueRule(
        "household", _("Hộ này đã đăng ký thoát nghèo trong năm đó.")
    ),
    # programs
    "programs_one_payment_per_quarter": UniqueRule(
        "period_quarter", _("Hộ đã được ghi nhận khoản chi trả của chính sách này trong quý đó.")
    ),
    "programs_card_once": UniqueRule("card_number", _("Thẻ BHYT số này, cùng ngày bắt đầu, đã được ghi nhận.")),
    "programs_one_support_summary_per_period": UniqueRule(
        "period_end", _("Số liệu hỗ trợ tổng hợp của xã cho kỳ này đã có; hãy tải lại trang.")
    ),
    "programs_one_electricity_quarter": UniqueRule(
        "period_quarter", _("Số hộ hỗ trợ tiền điện của quý này đang được đếm lại; hãy tải lại trang.")
    ),
    # reviews
    "reviews_one_certificate": UniqueRule(None, _("Hộ đã có giấy chứng nhận theo quyết định này.")),
    "reviews_one_window_per_year": UniqueRule("year", _("Tỉnh đã có lịch rà soát của năm này.")),
    "reviews_one_chain_rule_per_date": UniqueRule("valid_from", _("Tỉnh đã có quy trình duyệt từ ngày này.")),
    "reviews_one_authority_per_date": UniqueRule(
        "valid_from", _("Loại văn bản này đã có thẩm quyền ký áp dụng từ ngày này.")
    ),
    "reviews_one_periodic_round_per_year": UniqueRule("year", _("Xã đã có đợt rà soát định kỳ của năm này.")),
    "reviews_one_regular_round_per_month": UniqueRule("month", _("Xã đã có đợt rà soát thường xuyên của tháng này.")),
    "reviews_household_once_per_round": UniqueRule("household", _("Hộ này đã có trong đợt rà soát.")),
    "reviews_one_vote_per_case": UniqueRule(None, _("Cuộc họp đã ghi kết quả biểu quyết cho hộ này.")),
    "reviews_submission_number": UniqueRule(None, _("Đợt rà soát vừa được trình; hãy tải lại trang để xem.")),
    # reports
    "reports_one_version_number": UniqueRule(None, _("Báo cáo này vừa có phiên bản mới; hãy tải lại trang để xem.")),
    "reports_one_draft_per_period": UniqueRule(None, _("Đơn vị đã có dự thảo báo cáo của kỳ này; hãy mở dự thảo đó.")),
    "reports_one_finalised_per_period": UniqueRule(
        None, _("Đơn vị đã có báo cáo ban hành của kỳ này; hãy tạo bản sửa đổi từ báo cáo đó.")
    ),
    "reports_one_register": UniqueRule(None, _("Sổ đăng ký văn bản của năm này đã có.")),
    "reports_one_indicator_value": UniqueRule(None, _("Chỉ tiêu này đã được nhập cho đơn vị và kỳ báo cáo này.")),
    # emulation
    "emulation_one_criterion_code": UniqueRule("code", _("Phong trào đã có tiêu chí mang mã này ở cấp này.")),
    "emulation_one_decision_number": UniqueRule("number", _("Cơ quan đã có quyết định khen thưởng số này cùng ngày.")),
    "emulation_one_result_a_year": UniqueRule("year", _("Đơn vị đã có kết quả phong trào của năm này.")),
    # areas
    "areas_unit_unique_code_per_level_and_version": UniqueRule(
        "code", _("Đã có đơn vị cùng cấp mang mã này với cùng ngày hiệu lực.")
    ),
}

UNIQUE_FIELD_MESSAGE = _("%(field)s này đã có, hãy nhập giá trị khác.")
FALLBACK_MESSAGE = _("Dữ liệu này trùng với một bản ghi đã có, nên chưa được lưu. Hãy kiểm tra lại.")


def unique_constraints(model) -> list[models.UniqueConstraint]:
    return [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]


def portal_unique_constraints() -> list[tuple[type[models.Model], models.UniqueConstraint]]:
    """Every unique constraint of every model in the portal's apps (for the test that each has a rule)."""
    return [
        (model, c)
        for app in PORTAL_APPS
        for model in apps.get_app_config(app).get_models()
        for c in unique_constraints(model)
    ]


def _error(rule: UniqueRule) -> ValidationError:
    return ValidationError({rule.field or NON_FIELD_ERRORS: ValidationError(rule.message, code="unique")})


def check_unique_rules(instance: models.Model, *, only: set[str] | None = None) -> None:
    """Refuse an instance that would break one of its model's unique constraints, with the rule's field and message.

    Unlike ``full_clean``, no field is left out: a constraint over a field the form does not show (the commune of a
    household) is checked too, and case-insensitive constraints (``Lower()``) are checked as the database will.
    """
    model = type(instance)
    for constraint in unique_constraints(model):
        if only is not None and constraint.name not in only:
            continue
        rule = UNIQUE_RULES.get(constraint.name)
        try:
            constraint.validate(model, instance)
        except ValidationError:
            raise _error(rule or UniqueRule(None, FALLBACK_MESSAGE)) from None


class UniqueRulesBatch:
    """``check_unique_rules`` for many new instances of one model, reading what is taken once for the batch.

    Each unique constraint over plain fields reads the keys already taken by the batch's instances in one query; an
    instance the caller accepts (``add``) takes its key, so a later instance of the batch with the same key is refused
    as it was when each instance was saved before the next one was checked. A constraint over expressions (``Lower()``)
    or with a condition the batch cannot evaluate in Python is checked instance by instance against the database only,
    as ``check_unique_rules``: two instances of one batch sharing such a key both pass, and the insert is refused by
    the database (the benefits have no such constraint; ``tests/programs/test_bulk_set_based.py`` fails if they gain
    one).
    """

    def __init__(self, model: type[models.Model], instances: list[models.Model]):
        self.model = model
        self.taken: dict[str, set[tuple]] = {}
        self.each: list[models.UniqueConstraint] = []
        for constraint in unique_constraints(model):
            if not constraint.fields or constraint.nulls_distinct is False or not _evaluable(constraint.condition):
                self.each.append(constraint)
                continue
            keys = {key for instance in instances if (key := self._key(constraint, instance)) is not None}
            self.taken[constraint.name] = self._taken(constraint, keys)

    def _attnames(self, constraint: models.UniqueConstraint) -> list[str]:
        return [self.model._meta.get_field(name).attname for name in constraint.fields]

    def _key(self, constraint: models.UniqueConstraint, instance: models.Model) -> tuple | None:
        """The instance's key under the constraint; None when the constraint does not apply to it (a NULL in the key,
        the condition false), as ``UniqueConstraint.validate`` skips it."""
        key = tuple(getattr(instance, name) for name in self._attnames(constraint))
        if any(value is None for value in key) or not _holds(constraint.condition, instance):
            return None
        return key

    def _taken(self, constraint: models.UniqueConstraint, keys: set[tuple]) -> set[tuple]:
        if not keys:
            return set()
        names = self._attnames(constraint)
        rows = self.model._default_manager.filter(constraint.condition or models.Q())
        for position, name in enumerate(names):  # each field among the batch's values: a superset of the keys
            rows = rows.filter(**{f"{name}__in": {key[position] for key in keys}})
        return set(rows.values_list(*names)) & keys

    def check(self, instance: models.Model) -> None:
        """Refuse the instance with its rule's field and message, as ``check_unique_rules`` does."""
        for constraint in unique_constraints(self.model):
            rule = UNIQUE_RULES.get(constraint.name) or UniqueRule(None, FALLBACK_MESSAGE)
            if constraint in self.each:
                try:
                    constraint.validate(self.model, instance)
                except ValidationError:
                    raise _error(rule) from None
            elif (key := self._key(constraint, instance)) is not None and key in self.taken[constraint.name]:
                raise _error(rule)

    def add(self, instance: models.Model) -> None:
        """The instance is accepted: its keys are taken for the rest of the batch."""
        for name, taken in self.taken.items():
            constraint = next(c for c in unique_constraints(self.model) if c.name == name)
            if (key := self._key(constraint, instance)) is not None:
                taken.add(key)


def _evaluable(condition: models.Q | None) -> bool:
    """A condition of plain ``field=value`` / ``field__isnull=…`` terms, possibly negated: evaluable in Python."""
    if condition is None:
        return True
    for child in condition.children:
        if isinstance(child, models.Q):
            if not _evaluable(child):
                return False
        elif not (isinstance(child, tuple) and _lookup(child[0])[1] in ("exact", "isnull")):
            return False
    return True


def _lookup(name: str) -> tuple[str, str]:
    field, _sep, lookup = name.partition("__")
    return field, lookup or "exact"


def _holds(condition: models.Q | None, instance: models.Model) -> bool:
    """Whether the instance satisfies a condition ``_evaluable`` accepted (a NULL compared with a value is false: the
    conditions of the portal's unique rules compare non-null fields or test ``isnull``)."""
    if condition is None:
        return True
    results = []
    for child in condition.children:
        if isinstance(child, models.Q):
            results.append(_holds(child, instance))
            continue
        name, lookup = _lookup(child[0])
        value = getattr(instance, instance._meta.get_field(name).attname)
        results.append(
            (value is None) == bool(child[1]) if lookup == "isnull" else value is not None and value == child[1]
        )
    held = all(results) if condition.connector == models.Q.AND else any(results)
    return not held if condition.negated else held


def known_references(model: type[models.Model], instances: list[models.Model]) -> dict[str, set]:
    """The values of each foreign key of the instances that exist (one query a key for the batch), as
    ``ForeignKey.validate`` would find them one by one: ``full_clean`` may leave those fields out."""
    known = {}
    for field in model._meta.concrete_fields:
        if not field.many_to_one:
            continue
        values = {value for instance in instances if (value := getattr(instance, field.attname)) is not None}
        if not values:
            continue
        target = field.remote_field.model._base_manager.complex_filter(field.get_limit_choices_to())
        name = field.remote_field.field_name
        known[field.name] = set(target.filter(**{f"{name}__in": values}).values_list(name, flat=True))
    return known


def validation_error_for(error: IntegrityError) -> ValidationError | None:
    """The form error for a database refusal of a duplicate, or None if the error is not about uniqueness."""
    diag = getattr(error.__cause__, "diag", None)
    if getattr(error.__cause__, "pgcode", None) != "23505":  # unique_violation
        return None
    name = getattr(diag, "constraint_name", None) or ""
    if name in UNIQUE_RULES:
        return _error(UNIQUE_RULES[name])
    table = getattr(diag, "table_name", None) or ""
    for model in apps.get_models():
        if model._meta.db_table != table:
            continue
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key and name.startswith(f"{table}_{field.column}_"):
                message = UNIQUE_FIELD_MESSAGE % {"field": str(field.verbose_name).capitalize()}
                return ValidationError({field.name: ValidationError(message, code="unique")})
    return ValidationError(FALLBACK_MESSAGE, code="unique")


@contextmanager
def unique_violations_as_errors():
    """Run a write in a savepoint; a duplicate refused by the database becomes a ``ValidationError``."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        converted = validation_error_for(error)
        if converted is None:
            raise
        raise converted from error


def integrity_as_validation(service: Callable) -> Callable:
    """Decorator for a write service: a duplicate that raced past validation is refused as a form error."""

    @wraps(service)
    def wrapper(*args, **kwargs):
        with unique_violations_as_errors():
            return service(*args, **kwargs)

    return wrapper


def form_write(form, write: Callable) -> bool:
    """Run a view's write for a valid form; a refusal (a service's ``ValidationError`` or a duplicate the database
    refused) lands on the form, beside its field. True when the write went through."""
    try:
        with unique_violations_as_errors():
            write(form)
    except ValidationError as error:
        add_form_error(form, error)
        return False
    return True


def add_form_error(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: each message beside its field when the form has it, else at the top.

    ``form.add_error(None, error)`` raises ``ValueError`` (a server error) when the service names a field the form
    does not show, e.g. a benefit form whose fields follow the programme's kind.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class UniqueRulesFormMixin:
    """A model form whose unique rules are checked in ``clean()`` and shown beside their field.

    Django checks a constraint over several fields after ``clean()`` and puts its message at the top of the form;
    a field with an error is then left out of Django's own check, so the message is not repeated.
    """

    def clean(self):
        cleaned = super().clean()
        candidate = construct_instance(self, copy.copy(self.instance), self._meta.fields, self._meta.exclude)
        model = type(candidate)
        for constraint in unique_constraints(model):
            rule = UNIQUE_RULES.get(constraint.name)
            if rule is None or rule.field not in self.fields or set(constraint.fields) & set(self._errors):
                continue
            try:
                constraint.validate(model, candidate)
            except ValidationError:
                self.add_error(rule.field, ValidationError(rule.message, code="unique"))
        return cleaned


class UniqueRulesModelForm(UniqueRulesFormMixin, forms.ModelForm):
    """The base form for the admin's change pages, so the administrator sees the same messages beside the field."""
