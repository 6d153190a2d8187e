"""A collective that speaks Spanish, German or French hears the bot in its language, from joining to a
handover: its plural forms for one and for several (French: the singular for 0 and 1), its dates, and money
written — and read — its own way. Command names stay as they are in every language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.events import Chat
from tests.transcript import Transcript, group, unrecorded

# What members read, per language, at each step of the same afternoon.
SAYS = {
    "en": {
        "join": (
            "Welcome, Bob! You are member 2 of this collective.\n"
            "By joining you accept our principles — equality, voluntary cooperation, sharing by need, and rotation "
            "(read them with /principles)."
        ),
        "propose": (
            "Proposal #1 by Alice: Buy a second oven\n"
            "Round 1 · consensus · closes Wed 4 Mar 2026, 10:00 CET\n"
            "Respond: /agree 1 · /standaside 1 [reason] · /object 1 REASON · /block 1 REASON\n"
            "agree 0 · stand aside 0 · object 0 · block 0 — 0 of 3 responded"
        ),
        "agree": "Bob agrees with #1 Buy a second oven.",
        "one responded": "agree 1 · stand aside 0 · object 0 · block 0 — 1 of 3 responded",
        "object": "Carol objects to #1 Buy a second oven: too loud",
        "all responded": "agree 2 · stand aside 0 · object 1 · block 0 — 3 of 3 responded",
        "outcome": (
            "#1 Buy a second oven — adopted.\n"
            "Rule: consensus (adopted when quorum is met and no one blocks). Round 1.\n"
            "Responses: agree 2 · stand aside 0 · object 1 · block 0.\n"
            "Participation: 3 of 3 responded; quorum 2 of 3 — met.\n"
            "Objections: Carol: too loud\n"
            "Closed by Alice, Mon 2 Mar 2026, 10:00 CET."
        ),
        "typed amount": "1234.50",
        "need": "Need #2 asked by Bob: €1,234.50 — rent for March (other)",
        "every week": "The dishes (chore) role rotates every week.",
        "every 2 weeks": "The cooking (chore) role rotates every 2 weeks.",
        "handover": "Handover: Bob is on dishes now, until Mon 16 Mar 2026, 10:00 CET. Next: Alice.",
    },
    "es": {
        "join": (
            "¡Te damos la bienvenida, Bob! Eres el miembro número 2 de este colectivo.\n"
            "Al unirte aceptas nuestros principios — igualdad, cooperación voluntaria, reparto según la necesidad "
            "y rotación (léelos con /principles)."
        ),
        "propose": (
            "Propuesta #1 de Alice: Buy a second oven\n"
            "Ronda 1 · consensus · se cierra el mié 4 mar 2026, 10:00 CET\n"
            "Para responder: /agree 1 · /standaside 1 [motivo] · /object 1 MOTIVO · /block 1 MOTIVO\n"
            "de acuerdo 0 · a un lado 0 · objeciones 0 · bloqueos 0 — respondieron 0 de 3"
        ),
        "agree": "Bob está de acuerdo con #1 Buy a second oven.",
        "one responded": "de acuerdo 1 · a un lado 0 · objeciones 0 · bloqueos 0 — respondió 1 de 3",
        "object": "Carol objeta #1 Buy a second oven: too loud",
        "all responded": "de acuerdo 2 · a un lado 0 · objeciones 1 · bloqueos 0 — respondieron 3 de 3",
        "outcome": (
            "#1 Buy a second oven — aprobada.\n"
            "Regla: consensus (se aprueba si se alcanza el quórum y nadie bloquea). Ronda 1.\n"
            "Respuestas: de acuerdo 2 · a un lado 0 · objeciones 1 · bloqueos 0.\n"
            "Participación: respondieron 3 de 3; quórum 2 de 3 — alcanzado.\n"
            "Objeciones: Carol: too loud\n"
            "Cerrada por Alice el lun 2 mar 2026, 10:00 CET."
        ),
        "typed amount": "1.234,50 €",
        "need": "Necesidad #2 pedida por Bob: 1.234,50\xa0€ — rent for March (other)",
        "every week": "El rol dishes (tarea) rota cada semana.",
        "every 2 weeks": "El rol cooking (tarea) rota cada 2 semanas.",
        "handover": "Relevo: ahora Bob se encarga de dishes, hasta el lun 16 mar 2026, 10:00 CET. Siguiente turno: Alice.",
    },
    "de": {
        "join": (
            "Willkommen, Bob! Du bist Mitglied Nr. 2 dieses Kollektivs.\n"
            "Mit deinem Beitritt erkennst du unsere Grundsätze an — Gleichheit, freiwillige Zusammenarbeit, Teilen "
            "nach Bedarf und Rotation (nachzulesen mit /principles)."
        ),
        "propose": (
            "Vorschlag #1 von Alice: Buy a second oven\n"
            "Runde 1 · consensus · läuft bis Mi., 4. März 2026, 10:00 CET\n"
            "Antwortet: /agree 1 · /standaside 1 [grund] · /object 1 GRUND · /block 1 GRUND\n"
            "Zustimmung 0 · Beiseitestehen 0 · Einwand 0 · Veto 0 — 0 von 3 haben geantwortet"
        ),
        "agree": "Bob stimmt #1 Buy a second oven zu.",
        "one responded": "Zustimmung 1 · Beiseitestehen 0 · Einwand 0 · Veto 0 — 1 von 3 hat geantwortet",
        "object": "Carol erhebt Einwand gegen #1 Buy a second oven: too loud",
        "all responded": "Zustimmung 2 · Beiseitestehen 0 · Einwand 1 · Veto 0 — 3 von 3 haben geantwortet",
        "outcome": (
            "#1 Buy a second oven — angenommen.\n"
            "Regel: consensus (angenommen, wenn das Quorum erreicht ist und niemand ein Veto einlegt). Runde 1.\n"
            "Stimmen: Zustimmung 2 · Beiseitestehen 0 · Einwand 1 · Veto 0.\n"
            "Beteiligung: 3 von 3 haben geantwortet; Quorum 2 von 3 — erreicht.\n"
            "Einwände: Carol: too loud\n"
            "Beendet von Alice am Mo., 2. März 2026, 10:00 CET."
        ),
        "typed amount": "1234,50",
        "need": "Bedarf #2, angefragt von Bob: 1.234,50\xa0€ — rent for March (other)",
        "every week": "Die Aufgabe dishes rotiert jede Woche.",
        "every 2 weeks": "Die Aufgabe cooking rotiert alle 2 Wochen.",
        "handover": "Übergabe: Bob hat jetzt die Aufgabe dishes, bis Mo., 16. März 2026, 10:00 CET. Als Nächstes: Alice.",
    },
    "fr": {
        "join": (
            "Bienvenue, Bob ! Vous êtes le membre n° 2 de ce collectif.\n"
            "En adhérant, vous acceptez nos principes — égalité, coopération volontaire, partage selon les besoins "
            "et rotation (à lire avec /principles)."
        ),
        "propose": (
            "Proposition #1 par Alice : Buy a second oven\n"
            "Tour 1 · consensus · se termine le mer. 4 mars 2026, 10:00 CET\n"
            "Pour répondre : /agree 1 · /standaside 1 [motif] · /object 1 MOTIF · /block 1 MOTIF\n"
            "accord 0 · en retrait 0 · objection 0 · blocage 0 — 0 sur 3 a répondu"  # the singular for 0
        ),
        "agree": "Bob est d'accord avec #1 Buy a second oven.",
        "one responded": "accord 1 · en retrait 0 · objection 0 · blocage 0 — 1 sur 3 a répondu",
        "object": "Carol objecte à #1 Buy a second oven : too loud",
        "all responded": "accord 2 · en retrait 0 · objection 1 · blocage 0 — 3 sur 3 ont répondu",
        "outcome": (
            "#1 Buy a second oven — adoptée.\n"
            "Règle : consensus (adoptée si le quorum est atteint et que personne ne bloque). Tour 1.\n"
            "Réponses : accord 2 · en retrait 0 · objection 1 · blocage 0.\n"
            "Participation : 3 sur 3 ont répondu ; quorum 2 sur 3 — atteint.\n"
            "Objections : Carol : too loud\n"
            "Clos par Alice, le lun. 2 mars 2026, 10:00 CET."
        ),
        "typed amount": "1 234,50",
        "need": "Besoin #2 demandé par Bob : 1\u202f234,50\xa0€ — rent for March (other)",
        "every week": "Le rôle dishes (tâche) tourne chaque semaine.",
        "every 2 weeks": "Le rôle cooking (tâche) tourne toutes les 2 semaines.",
        "handover": "Passation : Bob assure désormais la tâche dishes, jusqu'au lun. 16 mars 2026, 10:00 CET. Ensuite : Alice.",
    },
}


@pytest.mark.parametrize("language", sorted(SAYS))
def test_a_collective_deliberates_shares_and_rotates_in_its_own_language(chat, language):
    says = SAYS[language]
    group(chat, "Alice", language=language, timezone="Europe/Berlin")
    assert chat.say("Bob", "/join") == says["join"]
    chat.say("Carol", "/join")
    assert chat.say("Alice", "/propose 2d Buy a second oven") == says["propose"]  # none of 3 has responded
    assert chat.say("Bob", "/agree 1") == says["agree"]
    assert says["one responded"] in chat.say("Alice", "/proposals")  # one
    assert chat.say("Carol", "/object 1 too loud") == says["object"]
    chat.say("Alice", "/agree 1")
    assert says["all responded"] in chat.say("Alice", "/proposals")  # several
    assert unrecorded(chat.say("Alice", "/close 1")) == says["outcome"]
    assert chat.say("Bob", f"/need {says['typed amount']} rent for March").startswith(says["need"])  # read its way
    assert chat.say("Alice", "/rotation add dishes 1w").startswith(says["every week"])  # one
    assert chat.say("Alice", "/rotation add cooking 2w").startswith(says["every 2 weeks"])  # several
    chat.say("Alice", "/rotation join dishes")
    chat.say("Bob", "/rotation join dishes")
    assert says["handover"] in chat.wait(timedelta(weeks=1)).split("\n")


def test_an_amount_typed_with_spaces_is_french_grouping_in_french_and_a_question_elsewhere(chat):
    group(chat, "Alice Bob", language="de")
    assert chat.say("Alice", "/contribute 1 000") == (
        "Meinst du 1000? Schreib Beträge ohne Leerzeichen, etwa 1000 oder 1.000."  # grouped the German way
    )
    with chat.core.unit_of_work() as uow:  # test set-up only: the collective speaks French from here
        collective = uow.collectives.for_chat(chat.chat.platform, chat.chat.chat_id)
        uow.settings.put(collective.id, "language", "fr")
        uow.commit()
    assert unrecorded(chat.say("Alice", "/contribute 1 234,50 € from the market")) == (
        "Merci, Alice : 1\u202f234,50\xa0€ de plus dans la caisse commune. La caisse commune contient "
        "1\u202f234,50\xa0€, dont 0,00\xa0€ réservés aux besoins approuvés."
    )


def test_a_member_of_two_german_collectives_is_answered_in_german_in_a_direct_message(chat):
    group(chat, "Ann Bob", language="de")
    other = Transcript(chat.core, chat.clock, Chat("console", "group-2"))
    group(other, "Ann Cleo", language="de")
    assert chat.direct("Ann", "/page").startswith("Du gehörst zu 2 Kollektiven.")
