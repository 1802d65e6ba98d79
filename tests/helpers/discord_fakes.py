"""Spec'd fakes of discord.py objects for cog tests.

Every fake is a mock built from the real class (``spec_set``/``create_autospec``), so a call with
a wrong name or signature fails as it would against discord.py. On top of that the fakes keep
the rules Discord enforces and this project promises:

* an interaction is answered once (``InteractionResponded`` on a second answer), and a follow-up
  before any answer fails;
* every message carries ``allowed_mentions`` with nothing allowed;
* content and embeds stay within Discord's limits (``cogs.render.embed_problems``).

Tests read what was sent from ``FakeInteraction.sent`` / ``FakeChannel.sent``.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import AsyncMock, MagicMock, PropertyMock, create_autospec

import discord

from cogs.render import MESSAGE_LIMIT, embed_problems

GUILD_ID = 111_111_111_111_111_111
OTHER_GUILD_ID = 222_222_222_222_222_222
BOT_USER_ID = 999_999_999_999_999_999
APPLICATION_ID = 888_888_888_888_888_888

# Snowflake-like ids that never collide between fakes (and never between tests: cooldowns are
# kept per user id on the command objects, which live as long as the process).
_ids = itertools.count(300_000_000_000_000_000)


def next_id() -> int:
    return next(_ids)


def http_error(
    kind: type[discord.HTTPException], status: int, message: str = "error", code: int = 0
) -> discord.HTTPException:
    """A discord.py HTTP error as the library raises it for a REST answer with ``status``."""
    response = MagicMock()
    response.status = status
    response.reason = message
    return kind(response, {"code": code, "message": message})


class SendRuleError(AssertionError):
    """A fake was used in a way Discord (or this project's rules) would refuse."""


def check_outgoing(kwargs: dict[str, Any], content: Any = None) -> None:
    """The checks every outgoing message goes through."""
    mentions = kwargs.get("allowed_mentions")
    if not isinstance(mentions, discord.AllowedMentions) or mentions.to_dict() != {"parse": []}:
        raise SendRuleError(f"message sent without AllowedMentions.none(): {mentions!r}")
    if content is not None and len(str(content)) > MESSAGE_LIMIT:
        raise SendRuleError(f"content is {len(str(content))} characters (limit {MESSAGE_LIMIT})")
    embeds = list(kwargs.get("embeds") or [])
    if kwargs.get("embed") is not None:
        embeds.append(kwargs["embed"])
    if len(embeds) > 10:
        raise SendRuleError("more than 10 embeds")
    for embed in embeds:
        problems = embed_problems(embed)
        if problems:
            raise SendRuleError(f"embed Discord would refuse: {problems}")
    if content is None and not embeds and kwargs.get("file") is None:
        raise SendRuleError("empty message")


@dataclass
class Sent:
    """One message as the fake received it."""

    content: str | None
    embeds: list[discord.Embed]
    ephemeral: bool
    kind: str  # "response", "followup", "channel"
    message: Any = None

    @property
    def embed(self) -> discord.Embed:
        assert len(self.embeds) == 1, self
        return self.embeds[0]

    @property
    def text(self) -> str:
        return self.content or ""


def _embeds_of(kwargs: dict[str, Any]) -> list[discord.Embed]:
    embeds = list(kwargs.get("embeds") or [])
    if kwargs.get("embed") is not None:
        embeds.append(kwargs["embed"])
    return embeds


def make_user(user_id: int | None = None, *, bot: bool = False, name: str = "member") -> MagicMock:
    user = MagicMock(spec_set=discord.Member)
    user.id = user_id if user_id is not None else next_id()
    user.bot = bot
    user.name = name
    user.display_name = name
    user.mention = f"<@{user.id}>"
    return user


def make_bot_user() -> MagicMock:
    user = MagicMock(spec_set=discord.ClientUser)
    user.id = BOT_USER_ID
    user.bot = True
    user.name = "spacebrief"
    user.display_name = "spacebrief"
    return user


def make_guild(guild_id: int = GUILD_ID, *, system_channel: Any = None) -> MagicMock:
    guild = MagicMock(spec_set=discord.Guild)
    guild.id = guild_id
    guild.name = f"guild {guild_id}"
    guild.system_channel = system_channel
    return guild


@dataclass
class FakeChannel:
    """A text channel (``spec_set=discord.TextChannel``) that records sends and serves history."""

    guild: MagicMock
    author: Any
    channel_id: int = field(default_factory=next_id)
    name: str = "news"
    sent: list[Sent] = field(default_factory=list)
    history_messages: list[Any] = field(default_factory=list)  # oldest first
    fail_send: BaseException | None = None
    history_error: BaseException | None = None
    threads: list[FakeChannel] = field(default_factory=list)
    spec: type = discord.TextChannel
    # Where threads opened on this channel's messages are registered (the bot's channel cache).
    registry: dict[int, Any] | None = None
    parent_id: int | None = None
    mock: MagicMock = field(init=False)

    def __post_init__(self) -> None:
        channel = create_autospec(self.spec, instance=True, spec_set=True)
        channel.id = self.channel_id
        if self.parent_id is not None:
            channel.parent_id = self.parent_id
        channel.name = self.name
        channel.guild = self.guild
        channel.mention = f"<#{self.channel_id}>"
        channel.send.side_effect = self._send
        channel.history.side_effect = self._history
        # What the bot may do here; tests narrow it to check permission handling.
        self.bot_permissions = discord.Permissions.all()
        channel.permissions_for.side_effect = lambda _member: self.bot_permissions
        self.mock = channel

    async def _send(self, content: Any = None, **kwargs: Any) -> MagicMock:
        check_outgoing(kwargs, content)
        if self.fail_send is not None:
            raise self.fail_send
        message = make_message(channel=self, author=self.author, content=content, embeds=_embeds_of(kwargs))
        self.sent.append(Sent(content, _embeds_of(kwargs), False, "channel", message))
        self.history_messages.append(message)
        return message

    def _history(self, *, limit: int | None = 100, **kwargs: Any) -> AsyncIterator[Any]:
        async def newest_first() -> AsyncIterator[Any]:
            if self.history_error is not None:
                raise self.history_error
            chosen = list(reversed(self.history_messages))
            for message in chosen[: limit if limit is not None else None]:
                yield message

        return newest_first()

    def add_history(
        self, author: Any, content: str, *, embeds: list[discord.Embed] | None = None
    ) -> MagicMock:
        message = make_message(channel=self, author=author, content=content, embeds=embeds or [])
        self.history_messages.append(message)
        return message


def make_message(
    *, channel: FakeChannel, author: Any, content: Any, embeds: list[discord.Embed]
) -> MagicMock:
    # spec_set (not create_autospec, which costs ~20 ms per message): attribute names are still
    # checked, and create_thread's keyword-only signature below matches discord.py's.
    message = MagicMock(spec_set=discord.Message)
    message.id = next_id()
    message.channel = channel.mock
    message.guild = channel.guild
    message.author = author
    message.content = content or ""
    message.embeds = list(embeds)
    message.reference = None
    message.webhook_id = None
    message.thread = None
    message.created_at = discord.utils.snowflake_time(message.id)
    message.jump_url = f"https://discord.com/channels/{channel.guild.id}/{channel.channel_id}/{message.id}"

    async def create_thread(
        *,
        name: str,
        auto_archive_duration: int | None = None,
        slowmode_delay: int | None = None,
        reason: str | None = None,
    ) -> MagicMock:
        if not 1 <= len(name) <= 100:
            raise SendRuleError(f"thread name of {len(name)} characters (Discord allows 1-100)")
        thread = FakeChannel(
            guild=channel.guild,
            author=channel.author,
            name=name,
            spec=discord.Thread,
            registry=channel.registry,
            parent_id=channel.channel_id,
        )
        channel.threads.append(thread)
        message.thread = thread.mock
        if channel.registry is not None:
            channel.registry[thread.channel_id] = thread.mock
        return thread.mock

    message.create_thread = AsyncMock(side_effect=create_thread)
    return message


class FakeInteraction:
    """``MagicMock(spec_set=discord.Interaction)`` whose response/follow-up follow Discord's rules."""

    def __init__(
        self,
        client: Any,
        *,
        guild: MagicMock | None,
        channel: FakeChannel | None = None,
        user: MagicMock | None = None,
        permissions: discord.Permissions | None = None,
    ) -> None:
        self.sent: list[Sent] = []
        self.response_type: discord.InteractionResponseType | None = None
        self.deleted_original = False
        interaction = MagicMock(spec_set=discord.Interaction)
        interaction.id = next_id()
        interaction.client = client
        interaction.application_id = APPLICATION_ID
        interaction.type = discord.InteractionType.application_command
        interaction.guild = guild
        interaction.guild_id = guild.id if guild is not None else None
        interaction.channel = channel.mock if channel is not None else None
        interaction.channel_id = channel.channel_id if channel is not None else None
        interaction.user = user if user is not None else make_user()
        interaction.permissions = permissions if permissions is not None else discord.Permissions.none()
        interaction.extras = {}
        state = MagicMock(spec_set=discord.state.ConnectionState)
        state._get_guild.side_effect = client.get_guild
        interaction._state = state
        interaction.command_failed = False
        interaction.locale = discord.Locale.american_english
        interaction.created_at = datetime.now(UTC)
        interaction._cs_command = None
        # discord.py reads the command the tree resolved (``_cs_command``) through ``.command``.
        type(interaction).command = PropertyMock(side_effect=lambda: interaction._cs_command)

        response = create_autospec(discord.InteractionResponse, instance=True, spec_set=True)
        response.is_done.side_effect = lambda: self.response_type is not None
        type(response).type = PropertyMock(side_effect=lambda: self.response_type)
        response.send_message.side_effect = self._send_message
        response.defer.side_effect = self._defer
        interaction.response = response

        followup = create_autospec(discord.Webhook, instance=True, spec_set=True)
        followup.send.side_effect = self._followup
        interaction.followup = followup
        interaction.delete_original_response.side_effect = self._delete_original
        self.mock = interaction

    def _answer(self, kind: discord.InteractionResponseType) -> None:
        if self.response_type is not None:
            raise discord.InteractionResponded(self.mock)
        self.response_type = kind

    async def _send_message(self, content: Any = None, **kwargs: Any) -> None:
        check_outgoing(kwargs, content)
        self._answer(discord.InteractionResponseType.channel_message)
        self.sent.append(Sent(content, _embeds_of(kwargs), bool(kwargs.get("ephemeral")), "response"))

    async def _defer(self, *, ephemeral: bool = False, thinking: bool = False) -> None:
        self._answer(discord.InteractionResponseType.deferred_channel_message)

    async def _followup(self, content: Any = None, **kwargs: Any) -> None:
        if self.response_type is None:
            raise SendRuleError("follow-up sent before the interaction was answered or deferred")
        check_outgoing(kwargs, content)
        self.sent.append(Sent(content, _embeds_of(kwargs), bool(kwargs.get("ephemeral")), "followup"))

    async def _delete_original(self) -> None:
        if self.response_type is None:
            raise SendRuleError("no original response to delete")
        self.deleted_original = True

    # ---- what tests read -------------------------------------------------------------------

    @property
    def last(self) -> Sent:
        assert self.sent, "nothing was sent"
        return self.sent[-1]

    def only(self) -> Sent:
        assert len(self.sent) == 1, self.sent
        return self.sent[0]

    def ephemeral_line(self) -> str:
        """The single user-only answer (after a deferred placeholder was removed, if any)."""
        sent = self.only()
        assert sent.ephemeral, sent
        assert sent.embeds == []
        assert "\n" not in sent.text
        if self.response_type is discord.InteractionResponseType.deferred_channel_message:
            assert self.deleted_original, "a public 'thinking…' placeholder was left behind"
        return sent.text


def wire_data(command_path: list[str], options: dict[str, Any]) -> dict[str, Any]:
    """The ``interaction.data`` Discord sends for ``/path... option=value``.

    Values: str, int, float, bool, or a ``FakeChannel`` (a channel option, with the ``resolved``
    channel data Discord attaches).
    """
    resolved_channels: dict[str, Any] = {}

    def option(name: str, value: Any) -> dict[str, Any]:
        if isinstance(value, FakeChannel):
            resolved_channels[str(value.channel_id)] = {
                "id": str(value.channel_id),
                "type": 0,
                "name": value.name,
                "permissions": str(discord.Permissions.all().value),
                "guild_id": str(value.guild.id),
            }
            return {"name": name, "type": 7, "value": str(value.channel_id)}
        if isinstance(value, bool):
            kind = 5
        elif isinstance(value, int):
            kind = 4
        elif isinstance(value, float):
            kind = 10
        else:
            kind = 3
        return {"name": name, "type": kind, "value": value}

    leaf = [option(name, value) for name, value in options.items() if value is not None]
    for sub in reversed(command_path[1:]):
        leaf = [{"name": sub, "type": 1, "options": leaf}]
    data: dict[str, Any] = {"id": str(next_id()), "type": 1, "name": command_path[0], "options": leaf}
    if resolved_channels:
        data["resolved"] = {"channels": resolved_channels}
    return data


async def invoke(
    tree: discord.app_commands.CommandTree[Any], interaction: FakeInteraction, command: str, **options: Any
) -> None:
    """Dispatch ``/command sub option=value`` through the real CommandTree (checks, transformers,
    the tree's error handler), as discord.py does for an incoming interaction."""
    interaction.mock.data = wire_data(command.split(), options)
    await tree._call(interaction.mock)


async def autocomplete(
    tree: discord.app_commands.CommandTree[Any],
    interaction: FakeInteraction,
    command: str,
    focused: str,
    current: str,
) -> list[Any]:
    """Run the autocomplete of ``focused`` as Discord asks for it; returns the choices offered."""
    data = wire_data(command.split(), {focused: current})
    leaf = data["options"]
    while leaf and leaf[0].get("type") == 1:
        leaf = leaf[0]["options"]
    for item in leaf:
        item["focused"] = True
    interaction.mock.data = data
    interaction.mock.type = discord.InteractionType.autocomplete
    offered: list[Any] = []

    async def record(choices: list[Any]) -> None:
        interaction._answer(discord.InteractionResponseType.autocomplete_result)
        offered.extend(choices)

    interaction.mock.response.autocomplete.side_effect = record
    await tree._call(interaction.mock)
    return offered


class FakeClock:
    """A UTC clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def as_async_mock(value: Any) -> AsyncMock:
    return AsyncMock(return_value=value)
