"""``{% csrf_token %}`` that also writes a one-time submission token, so every form is saved once.

Registered as a template builtin (config/settings/base.py), it replaces Django's tag of the same name in every
template, the ones written later included; core.submit_once.SubmitOnceMiddleware consumes the token.
"""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html

from core.submit_once import FIELD, new_token

register = template.Library()


class SubmitTokenNode(CsrfTokenNode):
    def render(self, context):
        html = super().render(context)
        if not html:
            return html
        return html + format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())


@register.tag
def csrf_token(parser, token):
    return SubmitTokenNode()
