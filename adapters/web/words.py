"""The page's words in the collective's language: the catalog's messages (``bot.language``) as the
template's ``_``, ``ngettext`` and ``pgettext``, giving markup. The message's own text is escaped like any
text; the values filled in are escaped too, unless they are markup already (a macro of the template wrapping
a member's name in a ``<span>``), so whatever a member typed is shown as text, wherever a translation puts it.

Unlike the chat's ``_``, nothing here marks command mentions: the page writes ``/verify`` as it is."""

from __future__ import annotations

from markupsafe import Markup, escape

from bot.language import catalog, number, spoken


def gettext(message: str, /, **values: object) -> Markup:
    """``message`` in the language spoken, with ``values`` filled in."""
    return _filled(catalog(spoken()).gettext(message), values)


def ngettext(singular: str, plural: str, count: int, /, **values: object) -> Markup:
    """The form for ``count`` of a message; ``{count}`` is the number written the language's way."""
    values.setdefault("count", number(count))
    return _filled(catalog(spoken()).ngettext(singular, plural, count), values)


def pgettext(context: str, message: str, /, **values: object) -> Markup:
    """``message`` where the same English words need telling apart (a column's heading)."""
    return _filled(catalog(spoken()).pgettext(context, message), values)


def _filled(template: str, values: dict[str, object]) -> Markup:
    escaped = escape(template)
    if not values:
        return escaped.replace("{{", "{").replace("}}", "}")
    return escaped.format(**values)  # Markup.format escapes each value that is not markup


# What the page's template may call.
TEMPLATE_GLOBALS = {"_": gettext, "ngettext": ngettext, "pgettext": pgettext, "number": number}
