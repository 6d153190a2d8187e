"""Keeps the message catalogs in step with the code (see the README, "Languages").

    python -m tools.catalogs extract   # the code's messages into bot/locales/collective_bot.pot, then every
                                        # language's .po updated from it (English filled in from the ids)
    python -m tools.catalogs compile   # the .po files to .mo (pip install does this too)
    python -m tools.catalogs add LANG  # a new language's .po, to translate

A message that changed in the code comes back into a .po marked fuzzy, with its old translation as a
suggestion; the catalog test fails until a translator has checked it and removed the mark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "bot" / "locales"
DOMAIN = "collective_bot"
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
SOURCE = "en"


def po_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=language)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=120, sort_output=False, include_previous=True)


def extract() -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "--no-location",
            "--sort-output",
            "--add-comments=Translators:",
            "--width=120",
            "--project=collective-bot",
            "--copyright-holder=collective-bot",
            "-o",
            str(TEMPLATE),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    for path in sorted(LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = path.parts[-3]
        catalog = read(path, language)
        # A template of its own for each catalog: update() adopts the template's new messages as they are, and
        # filling English in must not fill the next language's.
        catalog.update(read(TEMPLATE), no_fuzzy_matching=language == SOURCE)
        if language == SOURCE:
            fill_from_ids(catalog)
        write(path, catalog)


def fill_from_ids(catalog: Catalog) -> None:
    """English says what its message ids say."""
    for message in catalog:
        if not message.id:
            continue
        message.string = message.id
        message.flags.discard("fuzzy")
    catalog.obsolete.clear()


def add(language: str) -> None:
    template = read(TEMPLATE)
    catalog = Catalog(locale=language, domain=DOMAIN, project="collective-bot")
    catalog.update(template)
    write(po_path(language), catalog)


def compile_all() -> None:
    from babel.messages.mofile import write_mo

    for path in sorted(LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with path.with_suffix(".mo").open("wb") as file:
            write_mo(file, read(path, path.parts[-3]), use_fuzzy=False)


if __name__ == "__main__":
    verb = sys.argv[1] if len(sys.argv) > 1 else ""
    if verb == "extract":
        extract()
    elif verb == "compile":
        compile_all()
    elif verb == "add" and len(sys.argv) == 3:
        add(sys.argv[2])
    else:
        sys.exit(__doc__)
