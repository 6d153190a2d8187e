"""Members acting on the Telegram test server, and what the bot did in answer.

Every action waits until the bot has confirmed the update it caused — the
adapter confirms an update once its unit of work committed, its answers in
the outbox — and, for a bot running in the test's loop, until the runtime
has sent everything in the outbox: at that moment everything the bot will say
about it has been said. (A bot in another process is waited for by what it
says.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.telegram_api import BotMessage, Delivery, TelegramTestServer
from tests.telegram_api.server import Chat, User


@dataclass
class Answer:
    """What the bot did after one member's action: new messages (in any chat), edits, a pop-up."""

    messages: list[BotMessage]
    edits: list[BotMessage]
    delivery: Delivery
    toast: str | None = None
    chats: dict[int, list[str]] = field(default_factory=dict)

    def to(self, chat: Chat | User | int) -> list[str]:
        """The texts of the new messages in one chat, as members see them."""
        return [m.text for m in self.messages_in(chat)]

    def messages_in(self, chat: Chat | User | int) -> list[BotMessage]:
        chat_id = chat if isinstance(chat, int) else chat.id
        return [m for m in self.messages if m.chat_id == chat_id]

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)


class Members:
    def __init__(self, server: TelegramTestServer, runtime=None) -> None:
        self.server = server
        self.runtime = runtime

    async def say(self, user: User, chat: Chat, text: str, **options) -> Answer:
        mark = len(self.server.events)
        delivery = await self.server.user_sends(user, chat, text, **options)
        return await self._answered(delivery, mark)

    async def say_privately(self, user: User, text: str) -> Answer:
        mark = len(self.server.events)
        delivery = await self.server.user_sends_private(user, text)
        return await self._answered(delivery, mark)

    async def reply(self, user: User, to: BotMessage, text: str) -> Answer:
        mark = len(self.server.events)
        delivery = await self.server.user_replies(user, to, text)
        return await self._answered(delivery, mark)

    async def press(self, user: User, message: BotMessage, label: str) -> Answer:
        """Press the button showing ``label`` on the message as it is now."""
        mark = len(self.server.events)
        delivery = await self.server.user_presses_button(user, message, text=label)
        answer = await self._answered(delivery, mark)
        answer.toast = (await self.server.wait_for_callback_answer(delivery.query_id))["text"]
        return answer

    async def _answered(self, delivery: Delivery, mark: int) -> Answer:
        assert delivery.update_id is not None, "Telegram would not deliver this to the bot"
        await self.server.wait_until_confirmed(delivery.update_id)
        if self.runtime is not None:
            await self.runtime.idle()
        elif delivery.callback_query is None:  # a bot in another process: a typed command is answered with a message
            await self.server._wait_for(
                lambda: True if any(e.kind == "send" for e in self.server.events[mark:]) else None,
                10.0,
                lambda: f"the bot's answer to update {delivery.update_id}",
            )
        events = self.server.events[mark:]
        return Answer(
            messages=[e for e in events if e.kind == "send"],
            edits=[e for e in events if e.kind in ("edit", "edit_markup")],
            delivery=delivery,
        )

    async def handled_again(self, update_id: int) -> None:
        """Until the bot has handled an update that Telegram delivered a second time: the
        getUpdates that returned it again was followed by the next one (the bot asks for
        more only after handling what it has)."""
        server = self.server

        def returned_it(request) -> bool:
            return any(update["update_id"] == update_id for update in request.result or [])

        first = await server.wait_for_request("getUpdates", returned_it)
        again = await server.wait_for_request("getUpdates", returned_it, since=server.requests.index(first) + 1)
        await server.wait_for_request("getUpdates", since=server.requests.index(again) + 1, finished=False)
        if self.runtime is not None:
            await self.runtime.idle()  # and what it said about it is out

    def now_shows(self, message: BotMessage) -> str:
        """A bot message as members see it now, after any edits."""
        return self.server.message(message.chat_id, message.message_id)["text"]

    def buttons_now(self, message: BotMessage) -> list[str]:
        current = self.server.message(message.chat_id, message.message_id)
        return [b["text"] for row in (current.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
