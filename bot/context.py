"""What a command or a piece of due work sees while it runs: one unit of work,
the time, where it happens, and a list of actions to send after the commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.actions import Acknowledge, Action, DirectMessage, Mention, Post, Reply
from bot.addressing import destinations
from bot.commands import CommandTable
from bot.errors import Refusal
from bot.events import Chat, Sender
from bot.language import _
from bot.model import Collective, Item, Member
from bot.ports import UnitOfWork
from bot.record import shown_name
from bot.settings import CollectiveSettings
from bot.timefmt import format_time


@dataclass(slots=True)
class Scope:
    """Shared by commands and due work: a collective, its settings, the time."""

    uow: UnitOfWork
    now: datetime
    collective: Collective | None
    settings: CollectiveSettings
    actions: list[Action] = field(default_factory=list)

    def time(self, moment: datetime) -> str:
        return format_time(moment, self.settings.timezone)

    def name(self, member: Member) -> str:
        """How the bot writes a member's name: told apart from anyone whose name
        looks the same (see ``bot.record``)."""
        return shown_name(member)

    def announce(
        self, text: str, mentioning: tuple[Member, ...] | list[Member] = (), about: Item | None = None
    ) -> None:
        """Post to every group chat of the collective: ``about`` an item, in the topic or thread it was
        raised in; otherwise where the collective announces (see ``bot.addressing``). ``mentioning`` names
        the members whose names in the text should become mentions."""
        if self.collective is None:
            return
        for chat in self.places(self.collective.id, about):
            mentions = tuple(filter(None, (self._mention(member, chat.platform) for member in mentioning)))
            self.actions.append(Post(chat, text, mentions))

    def _mention(self, member: Member, platform: str) -> Mention | None:
        """A member as a mention on ``platform``: their account there (linked with /iam), if they have one."""
        if member.platform == platform:
            return Mention(member.user_id, member.display_name)
        accounts = self.uow.links.accounts(member.platform, member.user_id)
        account = next((account for account in accounts if account.platform == platform), None)
        return Mention(account.user_id, member.display_name) if account else None

    def places(self, collective_id: int, about: Item | None = None) -> list[Chat]:
        """Where an announcement goes in each chat of the collective (see ``announce``)."""
        chats = self.uow.collectives.chats(collective_id)
        return destinations(chats, self.settings.announce_in, about)

    def tell(self, member: Member, text: str, private: bool = False, about: Item | None = None) -> None:
        """A direct message, falling back to a mention in the collective's chat on the member's platform
        (where an announcement ``about`` the same would go) — unless it is ``private``: then it is never
        shown there."""
        platform, user_id = reach(self.uow, member)
        fallback = None
        if not private:
            places = self.places(member.collective_id, about)
            fallback = next((chat for chat in places if chat.platform == platform), None)
        self.actions.append(DirectMessage(platform, user_id, text, fallback, member.display_name))


def reach(uow: UnitOfWork, member: Member) -> tuple[str, str]:
    """The account a member's direct messages go to: of accounts linked with /iam, the one they used last."""
    accounts = uow.links.accounts(member.platform, member.user_id)
    return (accounts[0].platform, accounts[0].user_id) if accounts else (member.platform, member.user_id)


@dataclass(slots=True)
class Context(Scope):
    """A command's view: adds who spoke, where, and which message."""

    chat: Chat = None  # type: ignore[assignment]  (always set by the core)
    sender: Sender = None  # type: ignore[assignment]
    reply_to: str | None = None  # the member's message; None for a button or reaction
    replied_ask: str | None = None  # the ask (a round's message) the member's message replies to
    member: Member | None = None
    commands: CommandTable | None = None
    person: tuple[str, str] = ("", "")  # the account the sender's memberships are kept under (bot.identities)
    web_base_url: str | None = None  # where the read-only web page is served; None when it is not (bot.web_links)
    read_first: dict[int, object] = field(default_factory=dict)  # collective id → what the command's reads_first found

    def reply(self, text: str) -> None:
        if self.reply_to is None:
            self.actions.append(Post(self.chat, text))
        else:
            self.actions.append(Reply(self.chat, self.reply_to, text))

    def acknowledge(self, text: str) -> None:
        """Confirm a button press or reaction to the member alone; a typed
        command is answered in the chat as usual."""
        if self.reply_to is None:
            self.actions.append(Acknowledge(self.chat, self.sender.user_id, text))
        else:
            self.reply(text)

    def require_collective(self) -> Collective:
        if self.collective is None:
            raise Refusal(
                _(
                    "In a direct message I act for the collective you belong to, and I can't tell which one: "
                    "you are a member of none, or of several. Use your collective's group chat."
                )
            )
        return self.collective

    def require_member(self) -> Member:
        self.require_collective()
        if self.member is None:
            raise Refusal(_("Only members can do that. Read /principles, then /join if they are yours too."))
        return self.member
