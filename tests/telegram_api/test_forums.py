"""Forum supergroups in the Telegram test server, driven by the real python-telegram-bot stack: topics,
messages in them, and Telegram's answers when a topic is closed or gone."""

import pytest
from telegram.error import BadRequest


async def test_a_forum_is_a_supergroup_whose_topic_messages_say_which_topic(server, bot):
    alice = server.add_user("Alice")
    forum = server.add_group("Coop", members=[alice], forum=True)
    decisions = await server.create_topic(forum, "Decisions", by=alice)
    chat = await bot.get_chat(forum.id)
    assert (chat.type, chat.is_forum) == ("supergroup", True)
    said = await server.user_sends(alice, forum, "/propose Paint", topic=decisions)
    assert said.message["message_thread_id"] == decisions
    assert said.message["is_topic_message"] is True
    # As on Telegram: a topic message that answers nothing "replies" to the topic's creation.
    assert said.message["reply_to_message"]["forum_topic_created"]["name"] == "Decisions"
    general = await server.user_sends(alice, forum, "/proposals")
    assert "message_thread_id" not in general.message and "is_topic_message" not in general.message

    sent = await bot.send_message(forum.id, "Proposal #1", message_thread_id=decisions)
    assert (sent.message_thread_id, sent.is_topic_message) == (decisions, True)
    assert server.bot_messages(forum)[-1].thread == decisions
    answer = await bot.send_message(forum.id, "Noted", reply_to_message_id=said.message["message_id"])
    assert answer.reply_to_message.message_id == said.message["message_id"]
    edited = await bot.edit_message_text("Proposal #1 (1 agrees)", chat_id=forum.id, message_id=sent.message_id)
    assert edited.message_thread_id == decisions  # an edit names no topic: the message stays where it is
    # A reply to a message in a topic is in that topic.
    reply = await server.user_replies(alice, server.bot_messages(forum)[-2], "/agree 1")
    assert reply.message["message_thread_id"] == decisions


async def test_a_closed_topic_refuses_the_bot_unless_admin_and_a_deleted_one_is_not_found(server, bot):
    alice = server.add_user("Alice")
    forum = server.add_group("Coop", members=[alice], forum=True)
    shifts = await server.create_topic(forum, "Shifts", by=alice)
    await server.close_topic(forum, shifts, by=alice)
    assert server.updates[-1]["message"]["forum_topic_closed"] == {}
    with pytest.raises(BadRequest, match="Topic_closed"):
        await bot.send_message(forum.id, "Handover", message_thread_id=shifts)
    with pytest.raises(ValueError, match="closed"):
        await server.user_sends(alice, forum, "/roles", topic=shifts)
    forum.bot_status = "administrator"
    assert (await bot.send_message(forum.id, "Handover", message_thread_id=shifts)).message_thread_id == shifts
    await server.reopen_topic(forum, shifts, by=alice)
    await server.delete_topic(forum, shifts, by=alice)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(forum.id, "Handover", message_thread_id=shifts)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(forum.id, "Handover", message_thread_id=999)
    plain = server.add_group("Plain", members=[alice], supergroup=True)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(plain.id, "Handover", message_thread_id=shifts)


async def test_the_bot_creates_and_closes_topics_as_an_administrator_of_a_forum(server, bot):
    alice = server.add_user("Alice")
    forum = server.add_group("Coop", members=[alice], forum=True)
    plain = server.add_group("Plain", members=[alice], supergroup=True, bot_is_admin=True)
    with pytest.raises(BadRequest, match="Not enough rights to create a topic"):
        await bot.create_forum_topic(forum.id, "Decisions")
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await bot.create_forum_topic(plain.id, "Decisions")
    forum.bot_status = "administrator"
    topic = await bot.create_forum_topic(forum.id, "Decisions")
    assert topic.name == "Decisions"
    assert server.chat(forum).topics[topic.message_thread_id].name == "Decisions"
    assert await bot.close_forum_topic(forum.id, topic.message_thread_id) is True
    with pytest.raises(BadRequest, match="Topic_not_modified"):
        await bot.close_forum_topic(forum.id, topic.message_thread_id)
    assert await bot.reopen_forum_topic(forum.id, topic.message_thread_id) is True
    assert await bot.delete_forum_topic(forum.id, topic.message_thread_id) is True
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.close_forum_topic(forum.id, topic.message_thread_id)
