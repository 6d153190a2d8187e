"""The adapter's pure parts, without a homeserver: rendering (escaping, pills, mentions, edits, reply fallbacks),
reaction keys, the invite allow-list, state keys, and dropping the history that comes with a join."""

from __future__ import annotations

from nio import Event

from adapters.matrix.memory import MAX_KEY, state_key
from adapters.matrix.reactions import choice_of, seeds
from adapters.matrix.rendering import formatted, notice, replacement, reply, with_bangs, without_reply_fallback
from adapters.matrix.rooms import InvitePolicy
from adapters.matrix.sync import after_own_join
from bot.actions import Choice, Mention
from bot.text import cmd

BOB = Mention("@bob:example.org", "Bob")


def test_members_text_is_escaped_and_lines_are_kept():
    assert formatted('<script>alert("x")</script> & co\nline two') == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co<br>line two"
    )


def test_mentioned_names_become_pills_as_whole_words_only():
    ann, anna = Mention("@ann:hs", "Ann"), Mention("@anna:hs", "Anna")
    assert formatted("Anna, Ann and Annabel", [ann, anna]) == (
        '<a href="https://matrix.to/#/@anna:hs">Anna</a>, <a href="https://matrix.to/#/@ann:hs">Ann</a> and Annabel'
    )
    odd = Mention("@o:hs", "O'Brien <3")
    assert formatted("Not yet responded: O'Brien <3.", [odd]) == (
        'Not yet responded: <a href="https://matrix.to/#/@o:hs">O&#x27;Brien &lt;3</a>.'
    )


def test_a_notice_has_a_plain_and_an_html_body_and_mentions_only_whom_it_means():
    content = notice("Bob, Bob: your turn", [BOB, BOB])
    assert content["msgtype"] == "m.notice"
    assert content["body"] == "Bob, Bob: your turn"
    assert content["format"] == "org.matrix.custom.html"
    assert content["m.mentions"] == {"user_ids": ["@bob:example.org"]}
    assert notice("Bob agrees.")["m.mentions"] == {}  # a name in the text notifies no one


def test_a_reply_and_an_edit_relate_to_their_events():
    assert reply("Noted.", "$member")["m.relates_to"] == {"m.in_reply_to": {"event_id": "$member"}}
    edit = replacement("tally <1>", "$ask")
    assert edit["body"] == "* tally <1>"
    assert edit["formatted_body"] == "* tally &lt;1&gt;"
    assert edit["m.new_content"] == notice("tally <1>")
    assert edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$ask"}


def test_commands_in_the_bots_texts_are_written_with_a_bang():
    marked = f"Respond: {cmd('agree')} 1 · {cmd('object')} 1 REASON (or {cmd('help')})."
    assert with_bangs(marked) == "Respond: !agree 1 · !object 1 REASON (or !help)."
    # Only the bot's own mentions, which it marks: nothing else a text holds, whatever it looks like.
    untouched = "Every command works with / or !: /agreed, 1/2, https://example.org/join, /join@OtherBot, /join"
    assert with_bangs(untouched) == untouched


def test_a_members_text_keeps_the_slashes_they_typed():
    text = f"Proposal #1 by Ann /help: New members /join\n│ Newcomers type /join, then /help.\n│\nRespond: {cmd('agree')} 1"
    assert with_bangs(text) == (
        "Proposal #1 by Ann /help: New members /join\n│ Newcomers type /join, then /help.\n│\nRespond: !agree 1"
    )


def test_the_quoted_fallback_of_a_reply_is_not_part_of_the_command():
    body = "> <@alice:hs> Proposal #1 by Alice: Buy a printer\n> Round 1\n\n!object too dear"
    assert without_reply_fallback(body) == "!object too dear"
    assert without_reply_fallback("!agree") == "!agree"


def test_reaction_keys_map_to_choices_whatever_their_skin_tone_or_variation():
    assert [choice_of(key) for key in ("👍", "👍\ufe0f", "👍🏿", "🤷", "🤷\u200d♀\ufe0f", "✋🏼", "🛑")] == [
        "agree",
        "agree",
        "agree",
        "standaside",
        "standaside",
        "object",
        "block",
    ]
    assert choice_of("🎉") is None and choice_of("👎") is None
    choices = [Choice("agree", "👍 Agree", "👍"), Choice("other", "Something"), Choice("block", "🛑 Block", "🛑")]
    assert seeds(choices) == ["👍", "🛑"]


def test_the_invite_allow_list_names_users_and_homeservers():
    assert InvitePolicy([]).allows("@anyone:anywhere.org")
    policy = InvitePolicy(["@alice:example.org", "coop.example", ":Union.Example"])
    assert policy.allows("@alice:example.org")
    assert not policy.allows("@mallory:example.org")
    assert policy.allows("@bob:coop.example")
    assert policy.allows("@carol:union.example")
    assert not policy.allows("@dave:coop.example.evil.org")


def test_state_keys_fit_the_store_even_for_long_matrix_ids():
    assert state_key("since") == "since"
    assert state_key("dm", "@bob:example.org") == "dm:@bob:example.org"
    long_a, long_b = "@" + "a" * 200 + ":example.org", "@" + "a" * 199 + "b:example.org"
    assert len(state_key("dm", long_a)) <= MAX_KEY
    assert state_key("dm", long_a) != state_key("dm", long_b)


def member_event(event_id: str, user: str, membership: str, previous: str | None = None) -> Event:
    source = {
        "type": "m.room.member",
        "event_id": event_id,
        "sender": user,
        "state_key": user,
        "origin_server_ts": 1,
        "content": {"membership": membership},
    }
    if previous:
        source["unsigned"] = {"prev_content": {"membership": previous}}
    return Event.parse_event(source)


def message(event_id: str) -> Event:
    content = {"msgtype": "m.text", "body": "!join"}
    return Event.parse_event(
        {"type": "m.room.message", "event_id": event_id, "sender": "@a:hs", "origin_server_ts": 1, "content": content}
    )


def test_history_before_the_bots_own_join_is_dropped():
    events = [message("$old"), member_event("$join", "@bot:hs", "join"), message("$new")]
    assert [e.event_id for e in after_own_join(events, "@bot:hs")] == ["$new"]
    # Someone else joining, or the bot changing its name, is not the bot's arrival.
    renamed = [message("$a"), member_event("$j", "@bob:hs", "join"), member_event("$r", "@bot:hs", "join", "join")]
    assert after_own_join(renamed, "@bot:hs") == renamed


def test_a_mentioned_name_never_lands_inside_an_html_escape():
    assert formatted("Tom & Jerry", [Mention("@amp:hs", "amp")]) == "Tom &amp; Jerry"
    assert formatted("it's x27 again", [Mention("@x:hs", "x27")]) == (
        'it&#x27;s <a href="https://matrix.to/#/@x:hs">x27</a> again'
    )
    assert formatted("<b>Bo</b> & Bo", [Mention("@bo:hs", "Bo")]) == (
        '&lt;b&gt;<a href="https://matrix.to/#/@bo:hs">Bo</a>&lt;/b&gt; &amp; Bo'
    )


def test_a_name_said_twice_is_a_pill_once_as_on_telegram():
    ann, ann_lee = Mention("@ann:hs", "Ann"), Mention("@annlee:hs", "Ann Lee")
    assert formatted("Next: Ann Lee, then Ann, then Ann Lee; Anna is not Ann.", [ann, ann_lee]) == (
        'Next: <a href="https://matrix.to/#/@annlee:hs">Ann Lee</a>, then <a href="https://matrix.to/#/@ann:hs">Ann</a>,'
        " then Ann Lee; Anna is not Ann."
    )


def test_a_room_with_anyone_else_in_it_is_no_direct_room_for_private_news():
    from nio import MatrixRoom

    from adapters.matrix.rooms import Rooms

    class Client:
        user_id = "@bot:hs"

        def __init__(self, rooms):
            self.rooms = rooms

    private, shared = MatrixRoom("!private", "@bot:hs"), MatrixRoom("!shared", "@bot:hs")
    for room, others in ((private, ["@carol:hs"]), (shared, ["@carol:hs", "@colleague:hs"])):
        for user in ["@bot:hs", *others]:
            room.add_member(user, None, None)
    invited_later = MatrixRoom("!invited", "@bot:hs")
    invited_later.add_member("@bot:hs", None, None)
    invited_later.add_member("@carol:hs", None, None)
    invited_later.add_member("@colleague:hs", None, None, invited=True)
    client = Client({room.room_id: room for room in (private, shared, invited_later)})
    rooms = Rooms(client, moved=None, memory=None, policy=InvitePolicy())
    assert rooms._usable("!private", "@carol:hs")
    assert not rooms._usable("!shared", "@carol:hs")
    assert not rooms._usable("!invited", "@carol:hs")


async def test_a_reaction_the_core_had_applied_before_a_crash_is_still_remembered_for_its_redaction(engine, chat):
    """The bot died after the core counted a reaction and before the adapter remembered it: redelivered, the core
    applies it no second time (an empty, repeated result) — it is remembered then, so its redaction withdraws."""
    from adapters.matrix.reactions import Reactions
    from bot.events import Chat as EventChat
    from bot.events import ChoiceMade, Sender
    from bot.results import Result
    from storage.reactions import CountedReactions

    counted = CountedReactions(engine)
    reactions = Reactions(client=None, counted=counted, room_send=None)
    room = EventChat("matrix", "!room:hs")
    bob = Sender("matrix", "@bob:hs", "Bob")
    again = ChoiceMade(room, bob, "", "agree", "$reaction-1", chat.clock.now(), answers="$ask")
    elsewhere = ChoiceMade(room, bob, "", "agree", "$reaction-2", chat.clock.now(), answers="$not-an-ask")

    await reactions.remember(again, Result(repeated=True))
    await reactions.remember(elsewhere, Result())  # a reaction the core did not count: not kept

    assert counted.find("$reaction-1") is not None
    assert counted.find("$reaction-2") is None
