"""The bot speaks the collective's language: the shipped catalogs are complete and faithful to their message
ids, the compiled catalogs are the ones installed, and numbers, money and dates are each language's own."""

from __future__ import annotations

import gettext
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from bot.language import DOMAIN, LANGUAGES, LOCALES, _, ngettext, speaking
from bot.money import format_amount, parse_amount
from bot.text import COMMAND
from bot.timefmt import format_time

TEMPLATE = LOCALES / f"{DOMAIN}.pot"
# A named placeholder: {number}, not a literal {{brace}}.
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)\}(?!\})")
COMMAND_NAME = re.compile(r"(?<![\w/!:.])/([a-z][a-z_]*)(?![\w@/])")


def _catalog(path: Path, language: str | None = None):
    with path.open("rb") as file:
        return read_po(file, locale=language)


def _po(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _forms(message) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return ids, strings


def test_every_language_is_shipped_with_a_catalog():
    assert LANGUAGES == ("en", "es", "de", "fr")
    for language in LANGUAGES:
        assert _po(language).is_file(), f"no catalog for {language}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    template = _catalog(TEMPLATE)
    catalog = _catalog(_po(language), language)
    wanted = [(message.id, message.context) for message in template if message.id]
    assert len(wanted) > 500, "the template holds the code's messages (python -m tools.catalogs extract)"
    missing = []
    for message_id, context in wanted:
        found = catalog.get(message_id, context=context)
        if found is None or not all(_forms(found)[1]):
            missing.append(message_id)
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert missing == [], f"{len(missing)} messages not translated in {language}, e.g. {missing[:3]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy translations in {language}, e.g. {fuzzy[:3]}"
    assert not catalog.obsolete or language != "en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_its_placeholders_and_the_command_names(language):
    catalog = _catalog(_po(language), language)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids, strings = _forms(message)
        if not all(strings):
            continue  # (untranslated: named by the test above)
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids))
        commands = {tuple(sorted(COMMAND_NAME.findall(text))) for text in ids}
        for text in strings:
            got = set(PLACEHOLDER.findall(text))
            # A plural form may say its number in words ("un membre"): {count} alone may be left out.
            if got - wanted or wanted - got - ({"count"} if len(ids) > 1 else set()):
                wrong.append(f"{ids[0]!r} → {text!r}")
            if tuple(sorted(COMMAND_NAME.findall(text))) not in commands:
                wrong.append(f"commands differ: {ids[0]!r} → {text!r}")
            try:
                text.format(**{name: "x" for name in wanted | {"count"}})
            except (ValueError, IndexError, KeyError) as error:
                wrong.append(f"{error!r} in {text!r}")
    assert wrong == [], f"{len(wrong)} translations in {language} change the message's parts:\n" + "\n".join(wrong[:20])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_installed_catalogs_are_compiled_from_the_shipped_ones(language):
    """pip install compiles the .po files (setup.py); a stale .mo would speak yesterday's words."""
    compiled = gettext.translation(DOMAIN, LOCALES, languages=[language])
    catalog = _catalog(_po(language), language)
    stale = []
    for message in catalog:
        ids, strings = _forms(message)
        if not message.id or message.fuzzy or not all(strings):
            continue  # (untranslated or fuzzy: the test above names those)
        if len(ids) == 1:
            shown = compiled.gettext(ids[0])
            expected = strings[0]
        else:
            shown, expected = compiled.ngettext(ids[0], ids[1], 2), strings[compiled.plural(2)]
        if message.context:
            continue  # pgettext's entries: checked through the same file
        if shown != expected:
            stale.append(ids[0])
    assert stale == [], f"the compiled {language} catalog is stale (pip install -e . compiles it): {stale[:3]}"


def test_a_commands_mention_is_marked_in_the_bots_words_but_never_in_what_a_member_typed():
    with speaking("en"):
        said = _("Respond with /agree {number}: {title}", number=4, title="Buy /agree stickers")
    assert said == f"Respond with {COMMAND}/agree 4: Buy /agree stickers"


def test_a_members_braces_are_filled_in_as_typed_and_never_read_as_placeholders():
    with speaking("en"):
        assert _("Proposal: {title}", title="{number} {{x}}") == "Proposal: {number} {{x}}"


def test_outside_a_collectives_unit_of_work_the_bot_speaks_english():
    assert ngettext("{count} day", "{count} days", 2) == "2 days"


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "€1,234.50"),
        ("es", "1.234,50\xa0€"),
        ("de", "1.234,50\xa0€"),
        ("fr", "1\u202f234,50\xa0€"),
    ],
)
def test_money_is_written_each_languages_way_and_read_back_the_same(language, shown):
    assert format_amount(123450, "EUR", language) == shown
    assert parse_amount(shown, "EUR", language) == 123450


@pytest.mark.parametrize(
    ("language", "typed"),
    [("es", "1.234,50"), ("es", "1234,50 €"), ("de", "1.234,50 €"), ("fr", "1 234,50"), ("en", "1,234.50")],
)
def test_amounts_are_read_in_each_languages_own_form(language, typed):
    assert parse_amount(typed, "EUR", language) == 123450


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "Mon 30 Nov 2026, 14:00 CET"),
        ("es", "lun 30 nov 2026, 14:00 CET"),
        ("de", "Mo., 30. Nov. 2026, 14:00 CET"),
        ("fr", "lun. 30 nov. 2026, 14:00 CET"),
    ],
)
def test_dates_are_written_each_languages_way_in_the_collectives_time_zone(language, shown):
    moment = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
    assert format_time(moment, ZoneInfo("Europe/Berlin"), language) == shown
    with speaking(language):
        assert format_time(moment, ZoneInfo("Europe/Berlin")) == shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_for_every_command_reads_in_every_language(language):
    """/help COMMAND and every usage line, for each command and subcommand, in each language: no text left
    out, no placeholder left unfilled, and the command's own name as it is."""
    from bot.core import default_commands

    with speaking(language):
        for command in default_commands():
            for each in (command, *command.subcommands):
                shown = each.help_text() + "\n" + each.usage_line()
                assert "{" not in shown and "}" not in shown, shown
                assert f"/{command.name}" in shown.replace(COMMAND, ""), shown
