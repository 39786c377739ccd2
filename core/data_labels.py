"""English for the labels that live in data (programme names, indicator names), chosen by the active language.

The interface's fixed strings are translated by gettext (locale/en). Labels that are data — rows an administrator
edits, or the poverty standards' JSON — carry their English beside the Vietnamese as ``<field>_en`` (a column or a
key): ``localized(obj, "name")`` returns it when the interface is in English and it is filled, otherwise the
Vietnamese (ADR 0019). Explanations that quote the legal text stay Vietnamese.
"""

from django.utils.translation import get_language


def english_active() -> bool:
    return (get_language() or "").split("-")[0] == "en"


def localized(item, field: str = "name") -> str:
    """``item.<field>`` (object or mapping) in the active language: its ``<field>_en`` in English when filled."""

    def read(name):
        if isinstance(item, dict):
            return item.get(name)
        return getattr(item, name, None)

    vietnamese = read(field)
    if english_active():
        english = read(f"{field}_en")
        if english:
            return english
    return "" if vietnamese is None else vietnamese
