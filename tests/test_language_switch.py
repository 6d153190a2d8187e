"""A collective that adopts a language hears the proposal in the language it had and the outcome in the one it
chose: the outcome is written after the setting is carried out (``bot.outcomes.apply_setting`` switches the
language spoken for the rest of the unit of work), and from then on everything is in the new language."""

from tests.transcript import group, unrecorded

TITLE = "Set language to de (now en)"


def test_the_proposal_is_announced_in_english_and_its_outcome_and_what_follows_in_german(chat):
    group(chat, "Alice Bob")
    asked = chat.say("Alice", "/set language de")
    assert asked.startswith(f"Settings proposal #1 by Alice: {TITLE}\nRound 1 · consensus · closes Thu 5 Mar 2026")
    assert chat.say("Alice", "/agree 1") == f"Alice agrees with #1 {TITLE}."
    chat.say("Bob", "/agree 1")
    assert unrecorded(chat.say("Bob", "/close 1")) == (
        f"#1 {TITLE} — angenommen.\n"
        "Regel: consensus (angenommen, wenn das Quorum erreicht ist und niemand ein Veto einlegt). Runde 1.\n"
        "Stimmen: Zustimmung 2 · Beiseitestehen 0 · Einwand 0 · Veto 0.\n"
        "Beteiligung: 2 von 2 haben geantwortet; Quorum 1 von 2 — erreicht.\n"
        "Beendet von Bob am Mo., 2. März 2026, 09:00 UTC.\n"
        "language ist jetzt de (die Sprache des Bots)."
    )
    assert chat.say("Bob", "/frobnicate") == "/frobnicate kenne ich nicht. /help listet die Befehle auf."
    assert chat.say("Bob", "/help").endswith("Die Befehlsnamen sind in allen Sprachen gleich.")


def test_a_lone_member_switches_at_once_and_hears_it_in_the_new_language(chat):
    group(chat, "Alice")
    assert chat.say("Alice", "/set language es") == (
        "Eres el único miembro, así que se aplica de inmediato: language es ahora es (el idioma del bot)."
    )


def test_a_language_the_bot_does_not_speak_is_refused_with_the_ones_it_does(chat):
    group(chat, "Alice Bob")
    assert chat.say("Alice", "/set language pt") == "'pt' is not allowed here; choose one of: en, es, de, fr."
