"""A fake Discord: REST under /api/v10 plus a websocket gateway, on 127.0.0.1.

It implements only what spacebrief's bot uses, but the way Discord does it:

- every request is checked against Discord's OpenAPI description (spec.py) and the documented
  limits the schema lacks (content 2000, embed totals 6000, command names and 8,000-character
  commands, choice values, thread names); what Discord refuses is refused here with Discord's
  status codes and error bodies, and listed in `spec_violations`;
- permissions are computed as Discord does (server roles, channel overwrites, threads through their
  parent): 50001 without View Channel, 50013 without Send Messages (Send Messages in Threads in a
  thread) or Create Public Threads, embeds dropped without Embed Links, and an EMPTY history without
  Read Message History (Discord does not answer an error there); locked threads refuse posts,
  archived ones reopen on a post;
- AutoMod-style permanent refusals for configured words (200000) and link domains (240000);
- an interaction must be answered within 3 s, once, with a callback type that fits it (choices,
  type 8, for autocomplete); its token works for 15 minutes;
- every message or interaction response is recorded (allowed_mentions included) so end-to-end
  tests can assert on what users would see.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import WSMsgType, web

from tests.fake_discord.spec import DiscordSpec, Operation, error_tree

DISCORD_EPOCH_MS = 1420070400000
EPHEMERAL_FLAG = 64

# Discord's permission bits that the fake hands out.
PERM_ADMINISTRATOR = 1 << 3
PERM_MANAGE_GUILD = 1 << 5
PERM_VIEW_CHANNEL = 1 << 10
PERM_SEND_MESSAGES = 1 << 11
PERM_EMBED_LINKS = 1 << 14
PERM_READ_MESSAGE_HISTORY = 1 << 16
PERM_MENTION_EVERYONE = 1 << 17
PERM_MANAGE_THREADS = 1 << 34
PERM_CREATE_PUBLIC_THREADS = 1 << 35
PERM_SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1
# Lost with the right to send: Discord (and discord.py's permissions_for) drop these too.
_SEND_DEPENDENT = PERM_EMBED_LINKS | PERM_MENTION_EVERYONE | (1 << 15) | (1 << 12)  # + attach files, TTS
MEMBER_PERMISSIONS = PERM_VIEW_CHANNEL | PERM_SEND_MESSAGES | PERM_EMBED_LINKS | PERM_READ_MESSAGE_HISTORY
BOT_PERMISSIONS = MEMBER_PERMISSIONS | PERM_CREATE_PUBLIC_THREADS | PERM_SEND_MESSAGES_IN_THREADS

INTENT_MESSAGE_CONTENT = 1 << 15

# Discord's documented lifetimes: an interaction must be acknowledged within 3 s; its token
# (follow-ups, editing or deleting the answer) works for 15 minutes.
INTERACTION_DEADLINE_S = 3.0
INTERACTION_TOKEN_LIFETIME_S = 15 * 60.0

# Interaction types.
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_AUTOCOMPLETE = 4

# JSON error codes the fake answers with (docs/topics/opcodes-and-status-codes.md).
CODE_MISSING_ACCESS = 50001
CODE_CANNOT_SEND_EMPTY = 50006
CODE_MISSING_PERMISSIONS = 50013
CODE_INVALID_WEBHOOK_TOKEN = 50027
CODE_INVALID_FORM_BODY = 50035
CODE_THREAD_LOCKED = 160005
CODE_AUTOMOD_BLOCKED = 200000
CODE_HARMFUL_LINK_BLOCKED = 240000

# Gateway opcodes.
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_RESUME = 6
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

# Chat-input option types.
OPT_SUB_COMMAND = 1
OPT_SUB_COMMAND_GROUP = 2
OPT_STRING = 3
OPT_INTEGER = 4
OPT_BOOLEAN = 5
OPT_USER = 6
OPT_CHANNEL = 7
OPT_NUMBER = 10

_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py only decodes JSON when the header is exactly this.
    response = web.Response(body=json.dumps(data).encode(), status=status, headers=headers)
    response.headers["Content-Type"] = "application/json"
    return response


def _error(status: int, code: int, message: str, errors: Mapping[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors is not None:
        body["errors"] = errors
    return _json(body, status=status)


def _query_flag(request: web.Request, name: str) -> bool:
    # Discord reads query booleans as true/false or 1/0, any case.
    return request.query.get(name, "").lower() in ("1", "true")


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class _FormErrors:
    """Collects field errors into Discord's nested `errors` tree (code 50035 "Invalid Form Body")."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: tuple[str | int, ...], value: Any, limit: int) -> None:
        if isinstance(value, str | list) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def __bool__(self) -> bool:
        return bool(self.tree)

    def response(self) -> web.Response:
        return _error(400, 50035, "Invalid Form Body", self.tree)


def _check_url(errors: _FormErrors, path: tuple[str | int, ...], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not re.match(r"^(https?|attachment)://[^\s]+$", value) or len(value) > 2048:
        errors.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")


def _embed_size(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts towards the 6000 total of a message's embeds."""
    total = len(str(embed.get("title") or "")) + len(str(embed.get("description") or ""))
    for item in embed.get("fields") or []:
        if isinstance(item, Mapping):
            total += len(str(item.get("name") or "")) + len(str(item.get("value") or ""))
    footer = embed.get("footer")
    if isinstance(footer, Mapping):
        total += len(str(footer.get("text") or ""))
    author = embed.get("author")
    if isinstance(author, Mapping):
        total += len(str(author.get("name") or ""))
    return total


def _validate_embed(errors: _FormErrors, path: tuple[str | int, ...], embed: Any) -> None:
    if not isinstance(embed, Mapping):
        errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return
    for key, limit in (("title", 256), ("description", 4096)):
        value = embed.get(key)
        if value is not None and not isinstance(value, str):
            errors.add((*path, key), "BASE_TYPE_STRING", "Must be a string.")
        errors.max_length((*path, key), value, limit)
    _check_url(errors, (*path, "url"), embed.get("url"))
    for key in ("image", "thumbnail"):
        media = embed.get(key)
        if isinstance(media, Mapping):
            _check_url(errors, (*path, key, "url"), media.get("url"))
    fields = embed.get("fields") or []
    if not isinstance(fields, list):
        errors.add((*path, "fields"), "BASE_TYPE_LIST", "Must be a list.")
        fields = []
    errors.max_length((*path, "fields"), fields, 25)
    for index, item in enumerate(fields):
        if not isinstance(item, Mapping):
            errors.add((*path, "fields", index), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        for key, limit in (("name", 256), ("value", 1024)):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                errors.add((*path, "fields", index, key), "BASE_TYPE_REQUIRED", "This field is required")
            else:
                errors.max_length((*path, "fields", index, key), value, limit)
    footer = embed.get("footer")
    if isinstance(footer, Mapping):
        errors.max_length((*path, "footer", "text"), footer.get("text"), 2048)
    author = embed.get("author")
    if isinstance(author, Mapping):
        errors.max_length((*path, "author", "name"), author.get("name"), 256)
        _check_url(errors, (*path, "author", "url"), author.get("url"))
    color = embed.get("color")
    if color is not None and (not isinstance(color, int) or not 0 <= color <= 0xFFFFFF):
        errors.add((*path, "color"), "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215.")


def validate_message_payload(payload: Any, *, prefix: tuple[str | int, ...] = ()) -> web.Response | None:
    """Discord's checks on a message body; returns the error response, or None when it is valid."""
    if not isinstance(payload, Mapping):
        return _error(400, 50109, "The request body contains invalid JSON.")
    errors = _FormErrors()
    content = payload.get("content")
    if content is not None and not isinstance(content, str):
        errors.add((*prefix, "content"), "BASE_TYPE_STRING", "Must be a string.")
    errors.max_length((*prefix, "content"), content, 2000)
    embeds = payload.get("embeds") or []
    if not isinstance(embeds, list):
        errors.add((*prefix, "embeds"), "BASE_TYPE_LIST", "Must be a list.")
        embeds = []
    errors.max_length((*prefix, "embeds"), embeds, 10)
    for index, embed in enumerate(embeds):
        _validate_embed(errors, (*prefix, "embeds", index), embed)
    if sum(_embed_size(e) for e in embeds if isinstance(e, Mapping)) > 6000:
        errors.add((*prefix, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    mentions = payload.get("allowed_mentions")
    if mentions is not None:
        if not isinstance(mentions, Mapping):
            errors.add((*prefix, "allowed_mentions"), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        else:
            parse = mentions.get("parse") or []
            for index, kind in enumerate(parse):
                if kind not in ("roles", "users", "everyone"):
                    errors.add((*prefix, "allowed_mentions", "parse", index), "BASE_TYPE_CHOICES",
                               "Value must be one of {'roles', 'users', 'everyone'}.")
            for kind in ("users", "roles"):
                if kind in parse and mentions.get(kind):
                    errors.add((*prefix, "allowed_mentions", "parse"), "SET_TYPE_ALREADY_CONTAINS_VALUE",
                               f"parse:[\"{kind}\"] and {kind}: [ids...] are mutually exclusive.")
    if errors:
        return errors.response()
    has_content = isinstance(content, str) and content != ""
    if not has_content and not embeds and not payload.get("components") and not payload.get("attachments"):
        return _error(400, 50006, "Cannot send an empty message")
    return None


def validate_commands(payload: Any) -> web.Response | None:
    """Discord's checks on a bulk overwrite of application commands."""
    if not isinstance(payload, list):
        return _error(400, 50035, "Invalid Form Body",
                      {"_errors": [{"code": "BASE_TYPE_LIST", "message": "Must be a list."}]})
    errors = _FormErrors()
    errors.max_length((), payload, 100)
    seen: set[tuple[int, str]] = set()
    for index, command in enumerate(payload):
        if not isinstance(command, Mapping):
            errors.add((index,), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
            continue
        kind = int(command.get("type", 1))
        name = command.get("name")
        if not isinstance(name, str) or not _COMMAND_NAME.match(name) or (kind == 1 and name != name.lower()):
            errors.add((index, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        elif (kind, name) in seen:
            errors.add((index, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME",
                       f"Application command names must be unique: {name}")
        else:
            seen.add((kind, name))
        if kind == 1:
            _validate_options(errors, (index,), command)
            if _command_characters(command) > COMMAND_CHARACTER_LIMIT:
                errors.add((index,), "APPLICATION_COMMAND_TOO_LARGE",
                           f"Command exceeds maximum size ({COMMAND_CHARACTER_LIMIT})")
    return errors.response() if errors else None


#: "The combined sum of characters for name, description, and value properties of a command, its
#: options (including subcommands and groups), and choices" (docs/interactions/application-commands.md).
COMMAND_CHARACTER_LIMIT = 8000
#: A choice's string value, also in autocomplete results: up to 100 characters (same page).
CHOICE_VALUE_LIMIT = 100


def _command_characters(node: Mapping[str, Any]) -> int:
    total = sum(len(str(node.get(key) or "")) for key in ("name", "description", "value"))
    for child in [*(node.get("options") or []), *(node.get("choices") or [])]:
        if isinstance(child, Mapping):
            total += _command_characters(child)
    return total


def validate_choices(errors: _FormErrors, path: tuple[str | int, ...], choices: Any) -> None:
    """Discord's limits on choices (a command option's, or an autocomplete answer's) the schema lacks."""
    if not isinstance(choices, list):
        return
    for index, choice in enumerate(choices):
        if isinstance(choice, Mapping) and isinstance(choice.get("value"), str):
            errors.max_length((*path, index, "value"), choice["value"], CHOICE_VALUE_LIMIT)


def _validate_options(errors: _FormErrors, path: tuple[str | int, ...], node: Mapping[str, Any]) -> None:
    description = node.get("description")
    if not isinstance(description, str) or not 1 <= len(description) <= 100:
        errors.add((*path, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    options = node.get("options") or []
    errors.max_length((*path, "options"), options, 25)
    optional_seen = False
    for index, option in enumerate(options):
        where = (*path, "options", index)
        name = option.get("name")
        if not isinstance(name, str) or not _COMMAND_NAME.match(name) or name != name.lower():
            errors.add((*where, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if option.get("type") in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP):
            _validate_options(errors, where, option)
            continue
        description = option.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 100:
            errors.add((*where, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        errors.max_length((*where, "choices"), option.get("choices") or [], 25)
        validate_choices(errors, (*where, "choices"), option.get("choices"))
        if option.get("required"):
            if optional_seen:
                errors.add((*path, "options"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                           "Required options must be placed before non-required options")
        else:
            optional_seen = True


@dataclass
class Overwrite:
    """A channel permission overwrite, as Discord stores it: for a role (type 0) or a member (type 1)."""

    id: int
    type: int = 1
    allow: int = 0
    deny: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


THREAD_TYPES = (10, 11, 12)


@dataclass
class FakeChannel:
    id: int
    name: str
    type: int = 0  # 0 text, 11 public thread
    parent_id: int | None = None
    owner_id: int | None = None
    # Discord keeps overwrites on channels only: a thread's permissions are its parent's.
    overwrites: list[Overwrite] = field(default_factory=list)
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def to_dict(self, guild_id: int, position: int = 0) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(guild_id),
            "name": self.name,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if self.is_thread:
            data.update(
                owner_id=str(self.owner_id or 0),
                message_count=0,
                member_count=1,
                total_message_sent=0,
                thread_metadata={
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": _iso(datetime.now(UTC)),
                    "locked": self.locked,
                },
            )
        else:
            data.update(
                position=position,
                permission_overwrites=[o.to_dict() for o in self.overwrites],
                nsfw=False,
                topic=None,
            )
        return data


@dataclass
class FakeMember:
    id: int
    name: str
    permissions: int = MEMBER_PERMISSIONS

    def user_dict(self, *, bot: bool = False) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }


@dataclass
class FakeGuild:
    id: int
    name: str
    channels: list[FakeChannel]
    members: list[FakeMember] = field(default_factory=list)
    everyone_permissions: int = MEMBER_PERMISSIONS
    bot_role_permissions: int = BOT_PERMISSIONS

    @property
    def bot_role_id(self) -> int:
        return self.id + 1


@dataclass
class RecordedMessage:
    """A message as stored by the fake (what a channel's history shows)."""

    id: int
    channel_id: int
    author_id: int
    payload: dict[str, Any]  # the body as the bot sent it (content, embeds, allowed_mentions, ...)
    timestamp: datetime
    via: str  # "channel", "interaction", "followup" or "seed"
    flags: int = 0

    @property
    def content(self) -> str:
        return str(self.payload.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.payload.get("embeds") or [])

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        value = self.payload.get("allowed_mentions")
        return dict(value) if isinstance(value, Mapping) else None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL_FLAG)


@dataclass
class CommandSync:
    guild_id: int | None
    commands: list[dict[str, Any]]


@dataclass
class FakeInteraction:
    id: int
    token: str
    name: str
    channel_id: int
    guild_id: int
    user: FakeMember
    created_at: float  # loop time at dispatch
    callbacks: list[dict[str, Any]] = field(default_factory=list)  # accepted callback bodies
    rejected_callbacks: list[tuple[int, Any]] = field(default_factory=list)  # (status, body)
    original: RecordedMessage | None = None  # the response message (type 4, or the edited defer)
    followups: list[RecordedMessage] = field(default_factory=list)
    response_type: int | None = None
    original_deleted: bool = False  # DELETE @original: the placeholder or answer was removed
    kind: int = INTERACTION_APPLICATION_COMMAND  # or INTERACTION_AUTOCOMPLETE
    choices: list[dict[str, Any]] | None = None  # an autocomplete answer (callback type 8)

    @property
    def deferred(self) -> bool:
        return self.response_type == 5

    @property
    def ephemeral(self) -> bool:
        """Whether the answer the member sees is ephemeral (the first callback decides it)."""
        if not self.callbacks:
            return False
        data = self.callbacks[0].get("data") or {}
        return bool(int(data.get("flags") or 0) & EPHEMERAL_FLAG)

    @property
    def answered(self) -> bool:
        """True once the member sees an answer: a message callback, or a defer later filled in."""
        if self.response_type in (4, 8):
            return True
        return self.response_type == 5 and (self.original is not None or bool(self.followups))

    def answer_messages(self) -> list[RecordedMessage]:
        return [m for m in [self.original, *self.followups] if m is not None]


class FakeDiscord:
    """One fake Discord with one bot application; start() binds 127.0.0.1 on a free port."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        guilds: list[FakeGuild] | None = None,
        interaction_deadline_s: float = INTERACTION_DEADLINE_S,
        application_id: int = 700000000000000001,
        bot_user_id: int = 700000000000000001,
        shard_count: int = 1,
    ) -> None:
        self.token = token
        # What GET /gateway/bot recommends; a bot may identify with any count, and each shard
        # then receives the guilds with (guild_id >> 22) % count == shard_id, as on Discord.
        self.shard_count = shard_count
        self.application_id = application_id
        self.bot = FakeMember(bot_user_id, "spacebrief", permissions=BOT_PERMISSIONS)
        self.guilds: list[FakeGuild] = guilds if guilds is not None else [default_guild()]
        self.interaction_deadline_s = interaction_deadline_s
        self.interaction_token_lifetime_s = INTERACTION_TOKEN_LIFETIME_S
        # Every request is checked against Discord's OpenAPI description; what it refuses is
        # answered 400/50035 and listed here (as is any answer of the fake the spec does not allow).
        # tests/e2e/conftest.py fails a test that leaves anything in it.
        self.validate_with_spec = True
        self.spec_violations: list[str] = []
        # AutoMod as a server configures it: a message containing a blocked word is refused
        # (200000), one linking to a blocked domain too (240000): permanently, every retry alike.
        self.automod_words: list[str] = []
        self.automod_link_domains: list[str] = []
        # Privileged intents are switched on in the developer portal; off, IDENTIFY asking for
        # message content is closed with 4014, as Discord does.
        self.message_content_allowed = True
        self.messages: dict[int, list[RecordedMessage]] = {}
        self.channel_posts: list[RecordedMessage] = []  # messages the bot posted to channels
        self.rejected: list[tuple[str, int, Any]] = []  # (path, status, body) for every refused request
        self.command_syncs: list[CommandSync] = []
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.identifies: list[dict[str, Any]] = []
        self.threads_created: list[FakeChannel] = []
        self.requests: list[tuple[str, str]] = []
        self._rate_limit_posts = 0
        self._rate_limit_retry_after = 0.05
        self._held_posts = 0
        self._lost_posts = 0
        self.lost_posts: list[dict[str, Any]] = []  # payloads of the channel messages lost on purpose
        self._release_held = asyncio.Event()
        self._ids = itertools.count()
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_shards: dict[web.WebSocketResponse, tuple[int, int]] = {}  # socket -> (id, count)
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.ready = asyncio.Event()

    # ---- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record_and_auth])
        routes = web.RouteTableDef()
        base = "/api/v10"
        routes.get("/gateway")(self._gateway)
        routes.get(f"{base}/gateway/bot")(self._get_gateway_bot)
        routes.get(f"{base}/users/@me")(self._get_me)
        routes.get(f"{base}/oauth2/applications/@me")(self._get_application)
        routes.put(f"{base}/applications/{{app_id}}/commands")(self._put_commands)
        routes.get(f"{base}/applications/{{app_id}}/commands")(self._get_commands)
        routes.put(f"{base}/applications/{{app_id}}/guilds/{{guild_id}}/commands")(self._put_commands)
        routes.get(f"{base}/applications/{{app_id}}/guilds/{{guild_id}}/commands")(self._get_commands)
        routes.post(f"{base}/channels/{{channel_id}}/messages")(self._post_message)
        routes.get(f"{base}/channels/{{channel_id}}/messages")(self._get_messages)
        routes.post(f"{base}/channels/{{channel_id}}/messages/{{message_id}}/threads")(self._create_thread)
        routes.get(f"{base}/channels/{{channel_id}}")(self._get_channel)
        routes.get(f"{base}/guilds/{{guild_id}}/channels")(self._get_guild_channels)
        routes.post(f"{base}/interactions/{{interaction_id}}/{{token}}/callback")(self._callback)
        routes.post(f"{base}/webhooks/{{app_id}}/{{token}}")(self._followup)
        routes.get(f"{base}/webhooks/{{app_id}}/{{token}}/messages/@original")(self._get_original)
        routes.patch(f"{base}/webhooks/{{app_id}}/{{token}}/messages/@original")(self._edit_original)
        routes.delete(f"{base}/webhooks/{{app_id}}/{{token}}/messages/@original")(self._delete_original)
        app.add_routes(routes)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def close(self) -> None:
        self._release_held.set()
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ---- helpers for tests -----------------------------------------------------------------------

    def next_id(self) -> int:
        """A snowflake for now, strictly increasing, as Discord makes them."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._ids) & 0x3FFFFF)

    def rate_limit_next_posts(self, count: int, retry_after: float = 0.05) -> None:
        """Answer the next `count` POST /channels/{id}/messages with 429 (Via header + retry_after)."""
        self._rate_limit_posts = count
        self._rate_limit_retry_after = retry_after

    def hold_next_posts(self, count: int) -> None:
        """Deliver the next `count` channel messages but never answer the request.

        The message is in the channel (history shows it) while the bot still waits for the
        response: stopping the bot then is a crash between "sent" and "marked posted".
        """
        self._held_posts = count

    def lose_next_posts(self, count: int) -> None:
        """Never deliver the next `count` channel messages, and never answer the request.

        The bot waits for an answer that never comes while the channel stays without the message:
        stopping the bot then is a crash before Discord took the post (it must be sent again).
        """
        self._lost_posts = count

    def channel(self, channel_id: int) -> tuple[FakeGuild, FakeChannel] | None:
        for guild in self.guilds:
            for channel in guild.channels:
                if channel.id == channel_id:
                    return guild, channel
        return None

    def seed_message(self, channel_id: int, author: FakeMember, content: str) -> RecordedMessage:
        """A member's message in a channel's history (for /debate and reconciliation tests)."""
        message = RecordedMessage(
            id=self.next_id(), channel_id=channel_id, author_id=author.id, payload={"content": content},
            timestamp=datetime.now(UTC), via="seed",
        )
        self.messages.setdefault(channel_id, []).append(message)
        return message

    def posts_in(self, channel_id: int) -> list[RecordedMessage]:
        return [m for m in self.channel_posts if m.channel_id == channel_id]

    async def wait_for(self, predicate: Callable[[], bool], within: float = 5.0, what: str = "condition") -> None:
        """Poll `predicate` every 10 ms; AssertionError naming `what` after `within` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            if loop.time() > deadline:
                raise AssertionError(f"fake discord: timed out after {within}s waiting for {what}")
            await asyncio.sleep(0.01)

    # ---- permissions ------------------------------------------------------------------------

    def guild_permissions(self, guild: FakeGuild, member: FakeMember) -> int:
        """A member's server-wide permissions: the bot has @everyone plus its managed role."""
        if member.id == self.bot.id:
            return guild.everyone_permissions | guild.bot_role_permissions
        return member.permissions

    def permissions_in(self, channel_id: int, member: FakeMember | None = None) -> int:
        """What `member` (default: the bot) may do in a channel or thread, computed as Discord does.

        Server permissions, then the channel's overwrites (@everyone, the member's roles, the member);
        a thread uses its parent's. Without View Channel nothing is left; without the right to send
        (Send Messages, or Send Messages in Threads in a thread) Embed Links and friends go too.
        """
        found = self.channel(channel_id)
        if found is None:
            return 0
        guild, channel = found
        member = member or self.bot
        permissions = self.guild_permissions(guild, member)
        if permissions & PERM_ADMINISTRATOR:
            return ALL_PERMISSIONS
        holder = channel
        if channel.is_thread and channel.parent_id is not None:
            parent = self.channel(channel.parent_id)
            holder = parent[1] if parent is not None else channel
        roles = {guild.bot_role_id} if member.id == self.bot.id else set()
        for matches in (
            lambda o: o.type == 0 and o.id == guild.id,
            lambda o: o.type == 0 and o.id in roles,
            lambda o: o.type == 1 and o.id == member.id,
        ):
            chosen = [o for o in holder.overwrites if matches(o)]
            deny = allow = 0
            for overwrite in chosen:
                deny |= overwrite.deny
                allow |= overwrite.allow
            permissions = (permissions & ~deny) | allow
        if not permissions & PERM_VIEW_CHANNEL:
            return 0
        send = PERM_SEND_MESSAGES_IN_THREADS if channel.is_thread else PERM_SEND_MESSAGES
        if not permissions & send:
            permissions &= ~_SEND_DEPENDENT
        return permissions

    async def set_overwrite(self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0) -> None:
        """Put an overwrite on a channel (replacing the target's), as an admin editing the channel.

        `target_id` is a member id (the bot's user id for the bot), the server id (@everyone) or a
        role id (`guild.bot_role_id`). A connected bot gets CHANNEL_UPDATE, as from Discord.
        """
        found = self.channel(channel_id)
        if found is None:
            raise ValueError(f"no channel {channel_id}")
        guild, channel = found
        if channel.is_thread:
            raise ValueError("Discord keeps overwrites on the parent channel, not on threads")
        kind = 0 if target_id in (guild.id, guild.bot_role_id) else 1
        channel.overwrites = [o for o in channel.overwrites if o.id != target_id]
        channel.overwrites.append(Overwrite(target_id, kind, allow=allow, deny=deny))
        if self._sockets:
            await self.dispatch("CHANNEL_UPDATE", channel.to_dict(guild.id, guild.channels.index(channel)))

    async def deny_bot(self, channel_id: int, permissions: int) -> None:
        """Shorthand: a member overwrite on the channel that denies the bot `permissions`."""
        await self.set_overwrite(channel_id, self.bot.id, deny=permissions)

    def add_thread(self, parent_id: int, name: str, *, locked: bool = False, archived: bool = False) -> FakeChannel:
        """A public thread under a text channel (started by someone else) for digest and /debate tests."""
        found = self.channel(parent_id)
        if found is None:
            raise ValueError(f"no channel {parent_id}")
        thread = FakeChannel(self.next_id(), name, type=11, parent_id=parent_id, owner_id=found[0].id,
                             locked=locked, archived=archived)
        found[0].channels.append(thread)
        return thread

    async def set_thread_state(self, thread_id: int, *, locked: bool | None = None, archived: bool | None = None) -> None:
        """Lock or archive a thread as a moderator would; a connected bot gets THREAD_UPDATE."""
        found = self.channel(thread_id)
        if found is None or not found[1].is_thread:
            raise ValueError(f"no thread {thread_id}")
        guild, thread = found
        if locked is not None:
            thread.locked = locked
        if archived is not None:
            thread.archived = archived
        if self._sockets:
            await self.dispatch("THREAD_UPDATE", thread.to_dict(guild.id))

    def take_spec_violations(self) -> list[str]:
        """The violations recorded so far, cleared: for tests that send a bad request on purpose."""
        taken, self.spec_violations = self.spec_violations, []
        return taken

    # ---- interactions --------------------------------------------------------------------------

    async def run_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        subcommand: str | None = None,
        channel_id: int | None = None,
        member: FakeMember | None = None,
        guild_id: int | None = None,
    ) -> FakeInteraction:
        """Dispatch INTERACTION_CREATE as if `member` ran `/name [subcommand] options` in a channel.

        Option types come from the synced command definition, as Discord sends them; channel and
        user options carry their `resolved` objects.
        """
        return await self._interact(
            INTERACTION_APPLICATION_COMMAND, name, options or {}, subcommand=subcommand,
            channel_id=channel_id, member=member, guild_id=guild_id,
        )

    async def run_autocomplete(
        self,
        name: str,
        focused: str,
        typed: str,
        options: Mapping[str, Any] | None = None,
        *,
        subcommand: str | None = None,
        channel_id: int | None = None,
        member: FakeMember | None = None,
    ) -> FakeInteraction:
        """Dispatch an autocomplete interaction: `member` is typing `typed` into option `focused`.

        The bot must answer with callback type 8 (choices) within the 3 s, as for a command.
        """
        values = {**(options or {}), focused: typed}
        return await self._interact(
            INTERACTION_AUTOCOMPLETE, name, values, subcommand=subcommand, channel_id=channel_id,
            member=member, guild_id=None, focused=focused,
        )

    async def _interact(
        self,
        kind: int,
        name: str,
        options: Mapping[str, Any],
        *,
        subcommand: str | None,
        channel_id: int | None,
        member: FakeMember | None,
        guild_id: int | None,
        focused: str | None = None,
    ) -> FakeInteraction:
        guild = self.guilds[0] if guild_id is None else next(g for g in self.guilds if g.id == guild_id)
        channel_id = channel_id if channel_id is not None else guild.channels[0].id
        found = self.channel(channel_id)
        if found is None:
            raise ValueError(f"no channel {channel_id}")
        _, channel = found
        member = member or (guild.members[0] if guild.members else FakeMember(self.next_id(), "member"))
        command = self._synced_command(name, guild.id)
        option_defs = command.get("options") or []
        resolved: dict[str, dict[str, Any]] = {}
        # While typing, required options may still be empty: Discord sends what there is.
        partial = kind == INTERACTION_AUTOCOMPLETE
        if subcommand is not None:
            sub = next((o for o in option_defs if o["name"] == subcommand), None)
            if sub is None:
                raise ValueError(f"/{name} has no subcommand {subcommand}")
            inner = self._build_options(sub.get("options") or [], options, guild, resolved, partial=partial)
            data_options = [{"type": OPT_SUB_COMMAND, "name": subcommand, "options": inner}]
        else:
            inner = data_options = self._build_options(option_defs, options, guild, resolved, partial=partial)
        if focused is not None:
            for option in inner:
                if option["name"] == focused:
                    option["focused"] = True
                    option["value"] = str(option["value"])  # the text typed so far
        interaction_id = self.next_id()
        token = f"itoken-{interaction_id}"
        data: dict[str, Any] = {"id": command["id"], "name": name, "type": 1, "options": data_options}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        member_permissions = str(self.permissions_in(channel_id, member))
        payload = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild.id),
            "channel_id": str(channel_id),
            "channel": {**channel.to_dict(guild.id), "permissions": member_permissions},
            "member": {
                "user": member.user_dict(),
                "roles": [],
                "joined_at": _iso(datetime.now(UTC) - timedelta(days=30)),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": member_permissions,
            },
            "token": token,
            "version": 1,
            "app_permissions": str(self.permissions_in(channel_id)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        interaction = FakeInteraction(
            id=interaction_id, token=token, name=name, channel_id=channel_id, guild_id=guild.id, user=member,
            created_at=asyncio.get_running_loop().time(), kind=kind,
        )
        self.interactions[interaction_id] = interaction
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    async def dispatch(self, event: str, data: Any) -> None:
        """Send a gateway DISPATCH to the shard holding its guild (to every connected bot without one)."""
        guild_id = data.get("guild_id") if isinstance(data, Mapping) else None
        sockets = [
            socket
            for socket in self._sockets
            if guild_id is None or self._shard_holds(socket, int(guild_id))
        ]
        if not sockets:
            raise RuntimeError(f"fake discord: no bot is connected to the gateway for guild {guild_id}")
        for socket in sockets:
            await socket.send_str(json.dumps({"op": OP_DISPATCH, "t": event, "s": next(self._seq), "d": data}))

    def _shard_holds(self, socket: web.WebSocketResponse, guild_id: int) -> bool:
        shard_id, shard_count = self._socket_shards[socket]
        return shard_of(guild_id, shard_count) == shard_id

    def connected_shards(self) -> list[tuple[int, int]]:
        """(shard_id, shard_count) of every identified gateway connection."""
        return [self._socket_shards[socket] for socket in self._sockets]

    def _synced_command(self, name: str, guild_id: int) -> dict[str, Any]:
        for scope in (guild_id, None):
            for command in self.commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        raise ValueError(f"/{name} was never synced (scopes: {sorted(map(str, self.commands))})")

    def _build_options(
        self,
        option_defs: list[dict[str, Any]],
        values: Mapping[str, Any],
        guild: FakeGuild,
        resolved: dict[str, dict[str, Any]],
        *,
        partial: bool = False,
    ) -> list[dict[str, Any]]:
        by_name = {o["name"]: o for o in option_defs}
        built = []
        for name, value in values.items():
            definition = by_name.get(name)
            if definition is None:
                raise ValueError(f"unknown option {name!r}; known: {sorted(by_name)}")
            kind = definition["type"]
            if kind == OPT_CHANNEL:
                found = self.channel(int(value))
                if found is None:
                    raise ValueError(f"no channel {value}")
                resolved.setdefault("channels", {})[str(value)] = {
                    **found[1].to_dict(found[0].id), "permissions": str(self.permissions_in(int(value))),
                }
                value = str(value)
            elif kind == OPT_USER:
                member = next(m for m in guild.members if m.id == int(value))
                resolved.setdefault("users", {})[str(value)] = member.user_dict()
                value = str(value)
            built.append({"name": name, "type": kind, "value": value})
        missing = [o["name"] for o in option_defs if o.get("required") and o["name"] not in values]
        if missing and not partial:
            raise ValueError(f"required options missing: {missing}")
        return built

    # ---- REST ------------------------------------------------------------------------------------

    @web.middleware
    async def _record_and_auth(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        public = request.path == "/gateway" or request.path.startswith(("/api/v10/interactions/", "/api/v10/webhooks/"))
        if not public and request.headers.get("Authorization") != f"Bot {self.token}":
            return _error(401, 0, "401: Unauthorized")
        matched = DiscordSpec.load().match(request.method, request.path) if self.validate_with_spec else None
        if matched is not None:
            refused = await self._check_against_spec(request, *matched)
            response: web.StreamResponse = refused if refused is not None else await handler(request)
            self._check_answer(matched[0], response)
        else:
            if self.validate_with_spec and request.path.startswith("/api/"):
                self.spec_violations.append(f"{request.method} {request.path}: no such route in Discord's API")
            response = await handler(request)
        if response.status >= 400 and isinstance(response, web.Response) and response.body is not None:
            body = response.body
            self.rejected.append((request.path, response.status, json.loads(body) if isinstance(body, bytes) else body))
        if response.status == 400 and isinstance(response, web.Response) and isinstance(response.body, bytes):
            answer = json.loads(response.body)
            if answer.get("code") in (CODE_INVALID_FORM_BODY, 50109):
                # Refused by the spec or by a documented limit the schema lacks (embed totals, ...).
                self.spec_violations.append(f"{request.method} {request.path}: {json.dumps(answer)[:600]}")
        return response

    async def _check_against_spec(
        self, request: web.Request, operation: Operation, path_values: dict[str, str]
    ) -> web.Response | None:
        raw = await request.read()  # cached: the handler reads the same body
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                return _error(400, 50109, "The request body contains invalid JSON.")
        problems = DiscordSpec.load().check_request(
            operation, path_values, request.query, body, has_body=bool(raw)
        )
        if not problems:
            return None
        return _error(400, CODE_INVALID_FORM_BODY, "Invalid Form Body", error_tree(problems))

    def _check_answer(self, operation: Operation, response: web.StreamResponse) -> None:
        body: Any = None
        if isinstance(response, web.Response) and response.body:
            body = json.loads(response.body) if isinstance(response.body, bytes) else None
        for problem in DiscordSpec.load().check_response(operation, response.status, body):
            self.spec_violations.append(f"fake answered unlike Discord: {problem}")

    async def _read_json(self, request: web.Request) -> Any:
        try:
            return await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return _json({
            # Discord's own gateway, as Discord answers: the bot must connect to its configured
            # [discord] gateway_url instead (offline, following this URL would fail the test).
            "url": "wss://gateway.discord.gg",
            "shards": self.shard_count,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
        })

    async def _get_me(self, request: web.Request) -> web.Response:
        return _json({**self.bot.user_dict(bot=True), "verified": True, "mfa_enabled": False, "locale": "en-US"})

    async def _get_application(self, request: web.Request) -> web.Response:
        return _json({
            "id": str(self.application_id),
            "name": "spacebrief",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": FakeMember(self.next_id(), "owner").user_dict(),
            "verify_key": "0" * 64,
            "flags": 0,
            "flags_new": "0",
            "type": None,
            "team": None,
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "approximate_guild_count": len(self.guilds),
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "eligible_oauth2_scopes": ["bot", "applications.commands"],
        })

    def _check_app(self, request: web.Request) -> web.Response | None:
        if request.match_info["app_id"] != str(self.application_id):
            return _error(404, 10002, "Unknown Application")
        return None

    async def _put_commands(self, request: web.Request) -> web.Response:
        if (problem := self._check_app(request)) is not None:
            return problem
        guild_id = int(request.match_info["guild_id"]) if "guild_id" in request.match_info else None
        if guild_id is not None and not any(g.id == guild_id for g in self.guilds):
            return _error(403, 50001, "Missing Access")
        payload = await self._read_json(request)
        if (problem := validate_commands(payload)) is not None:
            return problem
        previous = {c["name"]: c for c in self.commands.get(guild_id, [])}
        stored = []
        for command in payload:
            old = previous.get(command["name"])
            permissions = command.get("default_member_permissions")
            # Discord answers with its defaults where the request left a field null or out.
            stored.append({
                "type": 1,
                "nsfw": False,
                "integration_types": [0],
                "contexts": None,
                **{key: value for key, value in command.items() if value is not None},
                # Sent as a string or an integer, always answered as a string (or null).
                "default_member_permissions": None if permissions is None else str(permissions),
                "id": old["id"] if old else str(self.next_id()),
                "application_id": str(self.application_id),
                "version": str(self.next_id()),
                **({"guild_id": str(guild_id)} if guild_id is not None else {}),
            })
        self.commands[guild_id] = stored
        self.command_syncs.append(CommandSync(guild_id, list(payload)))
        return _json(stored)

    async def _get_commands(self, request: web.Request) -> web.Response:
        if (problem := self._check_app(request)) is not None:
            return problem
        guild_id = int(request.match_info["guild_id"]) if "guild_id" in request.match_info else None
        return _json(self.commands.get(guild_id, []))

    def _message_dict(self, message: RecordedMessage) -> dict[str, Any]:
        found = self.channel(message.channel_id)
        author = self.bot.user_dict(bot=True)
        if message.author_id != self.bot.id and found is not None:
            person = next((m for m in found[0].members if m.id == message.author_id), None)
            author = person.user_dict() if person else FakeMember(message.author_id, "someone").user_dict()
        embeds = [{"type": "rich", **e} for e in message.embeds]
        return {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            **({"guild_id": str(found[0].id)} if found else {}),
            "author": author,
            "content": message.content,
            "embeds": embeds,
            "timestamp": _iso(message.timestamp),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "pinned": False,
            "type": 0,
            "flags": message.flags,
            "components": [],
        }

    def _refuse_access(self, channel_id: int, needed: int = 0) -> web.Response | None:
        """Discord's answer when the bot may not do this here: 404 gone, 50001 unseen, 50013 missing."""
        if self.channel(channel_id) is None:
            return _error(404, 10003, "Unknown Channel")
        granted = self.permissions_in(channel_id)
        if not granted & PERM_VIEW_CHANNEL:
            return _error(403, CODE_MISSING_ACCESS, "Missing Access")
        if needed and granted & needed != needed:
            return _error(403, CODE_MISSING_PERMISSIONS, "Missing Permissions")
        return None

    def _automod_refusal(self, payload: Mapping[str, Any]) -> web.Response | None:
        """AutoMod's block: a configured word anywhere in the text, or a link to a blocked domain."""
        text = json.dumps({k: payload.get(k) for k in ("content", "embeds")}, ensure_ascii=False).lower()
        if any(word.lower() in text for word in self.automod_words):
            return _error(400, CODE_AUTOMOD_BLOCKED, "Message was blocked by automatic moderation")
        for host in re.findall(r"https?://([^/\s\"'?#:]+)", text):
            if any(host == d or host.endswith("." + d) for d in self.automod_link_domains):
                return _error(400, CODE_HARMFUL_LINK_BLOCKED, "Message blocked by harmful links filter")
        return None

    async def _post_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        found = self.channel(channel_id)
        if found is None:
            return _error(404, 10003, "Unknown Channel")
        channel = found[1]
        send = PERM_SEND_MESSAGES_IN_THREADS if channel.is_thread else PERM_SEND_MESSAGES
        if (refused := self._refuse_access(channel_id, send)) is not None:
            return refused
        if channel.is_thread and channel.locked and not self.permissions_in(channel_id) & PERM_MANAGE_THREADS:
            return _error(403, CODE_THREAD_LOCKED, "Thread is locked")
        if self._rate_limit_posts > 0:
            self._rate_limit_posts -= 1
            retry = self._rate_limit_retry_after
            return _json(
                {"message": "You are being rate limited.", "retry_after": retry, "global": False, "code": 0},
                status=429,
                headers={"Via": "1.1 google", "Retry-After": str(max(1, round(retry))), "X-RateLimit-Scope": "user"},
            )
        payload = await self._read_json(request)
        if (problem := validate_message_payload(payload)) is not None:
            return problem
        if (blocked := self._automod_refusal(payload)) is not None:
            return blocked
        if self._lost_posts > 0:
            self._lost_posts -= 1
            self.lost_posts.append(dict(payload))
            await self._release_held.wait()
            raise asyncio.CancelledError  # the connection is dropped unanswered (aiohttp closes it)
        if not self.permissions_in(channel_id) & PERM_EMBED_LINKS and payload.get("embeds"):
            # Without Embed Links Discord drops the embeds and sends what is left, if anything.
            payload = {**payload, "embeds": []}
            if not payload.get("content"):
                return _error(400, CODE_CANNOT_SEND_EMPTY, "Cannot send an empty message")
        if channel.is_thread and channel.archived:
            channel.archived = False  # a message in an archived (unlocked) thread reopens it
        message = RecordedMessage(
            id=self.next_id(), channel_id=channel_id, author_id=self.bot.id, payload=dict(payload),
            timestamp=datetime.now(UTC), via="channel", flags=int(payload.get("flags") or 0),
        )
        self.messages.setdefault(channel_id, []).append(message)
        self.channel_posts.append(message)
        if self._held_posts > 0:
            self._held_posts -= 1
            await self._release_held.wait()
        return _json(self._message_dict(message))

    async def _get_messages(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        if (refused := self._refuse_access(channel_id)) is not None:
            return refused
        if not self.permissions_in(channel_id) & PERM_READ_MESSAGE_HISTORY:
            # Not an error: Discord answers 200 with no messages.
            return _json([])
        try:
            limit = int(request.query.get("limit", "50"))
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            return _error(400, 50035, "Invalid Form Body", {"limit": {"_errors": [
                {"code": "NUMBER_TYPE_MAX", "message": "int value should be less than or equal to 100."}]}})
        history = sorted(self.messages.get(channel_id, []), key=lambda m: m.id)
        if "after" in request.query:
            after = int(request.query["after"])
            # Discord returns the oldest `limit` messages after the id, newest first.
            chosen = [m for m in history if m.id > after][:limit]
        else:
            if "before" in request.query:
                before = int(request.query["before"])
                history = [m for m in history if m.id < before]
            chosen = history[-limit:]
        return _json([self._message_dict(m) for m in reversed(chosen)])

    async def _create_thread(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        message_id = int(request.match_info["message_id"])
        if (refused := self._refuse_access(channel_id, PERM_CREATE_PUBLIC_THREADS)) is not None:
            return refused
        found = self.channel(channel_id)
        assert found is not None
        if found[1].is_thread:
            return _error(400, 50024, "Cannot execute action on this channel type")
        if not any(m.id == message_id for m in self.messages.get(channel_id, [])):
            return _error(404, 10008, "Unknown Message")
        payload = await self._read_json(request)
        name = payload.get("name") if isinstance(payload, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            # Discord trims names; one of only spaces is no name.
            return _error(400, CODE_INVALID_FORM_BODY, "Invalid Form Body", {"name": {"_errors": [
                {"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}]}})
        if any(t.id == message_id for t in self.threads_created):
            return _error(400, 160004, "A thread has already been created for this message")
        thread = FakeChannel(
            message_id, name.strip(), type=11, parent_id=channel_id, owner_id=self.bot.id,
            auto_archive_duration=int(payload.get("auto_archive_duration") or 1440),
        )
        found[0].channels.append(thread)
        self.threads_created.append(thread)
        return _json(thread.to_dict(found[0].id), status=201)

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        if (refused := self._refuse_access(channel_id)) is not None:
            return refused
        found = self.channel(channel_id)
        assert found is not None
        return _json(found[1].to_dict(found[0].id, found[0].channels.index(found[1])))

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        guild = next((g for g in self.guilds if str(g.id) == request.match_info["guild_id"]), None)
        if guild is None:
            return _error(404, 10004, "Unknown Guild")
        return _json([c.to_dict(guild.id, i) for i, c in enumerate(guild.channels) if not c.is_thread])

    # ---- interactions ----------------------------------------------------------------------------

    async def _callback(self, request: web.Request) -> web.Response:
        interaction = self.interactions.get(int(request.match_info["interaction_id"]))
        if interaction is None or interaction.token != request.match_info["token"]:
            return _error(404, 10062, "Unknown interaction")
        payload = await self._read_json(request)
        late = asyncio.get_running_loop().time() - interaction.created_at > self.interaction_deadline_s
        if late:
            interaction.rejected_callbacks.append((404, payload))
            return _error(404, 10062, "Unknown interaction")
        if interaction.response_type is not None:
            interaction.rejected_callbacks.append((400, payload))
            return _error(400, 40060, "Interaction has already been acknowledged.")
        allowed = (8,) if interaction.kind == INTERACTION_AUTOCOMPLETE else (4, 5)
        if not isinstance(payload, Mapping) or payload.get("type") not in allowed:
            interaction.rejected_callbacks.append((400, payload))
            return _error(400, CODE_INVALID_FORM_BODY, "Invalid Form Body", {"type": {"_errors": [
                {"code": "INTERACTION_CALLBACK_TYPE_INVALID",
                 "message": f"Value must be one of {set(allowed)} for this interaction."}]}})
        kind = payload["type"]
        data = payload.get("data") or {}
        if kind == 8:
            errors = _FormErrors()
            validate_choices(errors, ("data", "choices"), data.get("choices"))
            if errors:
                interaction.rejected_callbacks.append((400, payload))
                return errors.response()
            interaction.callbacks.append(dict(payload))
            interaction.response_type = kind
            interaction.choices = [dict(c) for c in data.get("choices") or []]
            if not _query_flag(request, "with_response"):
                return web.Response(status=204)
            return _json({"interaction": {"id": str(interaction.id), "type": interaction.kind}})
        interaction.callbacks.append(dict(payload))
        interaction.response_type = kind
        flags = int(data.get("flags") or 0)
        body: dict[str, Any] = {"interaction": {
            "id": str(interaction.id), "type": interaction.kind,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL_FLAG),
        }}
        if kind == 4:
            message = self._interaction_message(interaction, data, via="interaction", flags=flags)
            interaction.original = message
            body["interaction"]["response_message_id"] = str(message.id)
            body["resource"] = {"type": 4, "message": self._message_dict(message)}
        # A defer creates no resource yet: the spec's resource shapes carry a message (type 4).
        if not _query_flag(request, "with_response"):
            # Without ?with_response Discord answers 204 and the message is only known later.
            return web.Response(status=204)
        return _json(body)

    def _interaction_message(
        self, interaction: FakeInteraction, data: Mapping[str, Any], *, via: str, flags: int
    ) -> RecordedMessage:
        message = RecordedMessage(
            id=self.next_id(), channel_id=interaction.channel_id, author_id=self.bot.id, payload=dict(data),
            timestamp=datetime.now(UTC), via=via, flags=flags,
        )
        if not flags & EPHEMERAL_FLAG:
            self.messages.setdefault(interaction.channel_id, []).append(message)
        return message

    def _webhook_interaction(self, request: web.Request) -> FakeInteraction | web.Response:
        if request.match_info["app_id"] != str(self.application_id):
            return _error(404, 10015, "Unknown Webhook")
        token = request.match_info["token"]
        interaction = next((i for i in self.interactions.values() if i.token == token), None)
        # Before the interaction is acknowledged its webhook does not exist yet.
        if interaction is None or interaction.response_type is None:
            return _error(404, 10015, "Unknown Webhook")
        if asyncio.get_running_loop().time() - interaction.created_at > self.interaction_token_lifetime_s:
            return _error(401, CODE_INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
        return interaction

    async def _followup(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if isinstance(interaction, web.Response):
            return interaction
        payload = await self._read_json(request)
        if (problem := validate_message_payload(payload)) is not None:
            return problem
        flags = int(payload.get("flags") or 0)
        if interaction.response_type == 5 and interaction.original is None and not interaction.original_deleted:
            # The first follow-up after a defer replaces the "thinking" message; its flags follow the defer.
            flags = EPHEMERAL_FLAG if interaction.ephemeral else 0
            message = self._interaction_message(interaction, payload, via="followup", flags=flags)
            interaction.original = message
        else:
            message = self._interaction_message(interaction, payload, via="followup", flags=flags)
            interaction.followups.append(message)
        return _json(self._message_dict(message))

    async def _get_original(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if isinstance(interaction, web.Response):
            return interaction
        if interaction.original is None:
            return _error(404, 10008, "Unknown Message")
        return _json(self._message_dict(interaction.original))

    async def _delete_original(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if isinstance(interaction, web.Response):
            return interaction
        if interaction.original_deleted:
            return _error(404, 10008, "Unknown Message")
        if interaction.original is not None:
            channel = self.messages.get(interaction.original.channel_id, [])
            if interaction.original in channel:
                channel.remove(interaction.original)
        # A deleted defer placeholder: later follow-ups are new messages with their own flags.
        interaction.original_deleted = True
        return web.Response(status=204)

    async def _edit_original(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        if isinstance(interaction, web.Response):
            return interaction
        payload = await self._read_json(request)
        if not isinstance(payload, Mapping):
            return _error(400, 50109, "The request body contains invalid JSON.")
        merged = {**(interaction.original.payload if interaction.original else {}), **payload}
        if (problem := validate_message_payload(merged)) is not None:
            return problem
        if interaction.original is None:
            flags = EPHEMERAL_FLAG if interaction.ephemeral else 0
            interaction.original = self._interaction_message(interaction, merged, via="edit", flags=flags)
        else:
            interaction.original.payload = merged
        return _json(self._message_dict(interaction.original))

    # ---- gateway ---------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"op": OP_HELLO, "d": {"heartbeat_interval": 41250}}))
        try:
            async for frame in socket:
                if frame.type is not WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                op = message.get("op")
                if op == OP_HEARTBEAT:
                    await socket.send_str(json.dumps({"op": OP_HEARTBEAT_ACK}))
                elif op == OP_IDENTIFY:
                    identify = message.get("d") or {}
                    self.identifies.append(identify)
                    if identify.get("token") != self.token:
                        await socket.close(code=4004, message=b"Authentication failed.")
                        break
                    if int(identify.get("intents") or 0) & INTENT_MESSAGE_CONTENT and not self.message_content_allowed:
                        await socket.close(code=4014, message=b"Disallowed intent(s).")
                        break
                    shard = identify.get("shard") or [0, 1]
                    if (
                        not isinstance(shard, list) or len(shard) != 2
                        or not all(isinstance(part, int) for part in shard) or not 0 <= shard[0] < shard[1]
                    ):
                        await socket.close(code=4010, message=b"Invalid shard.")
                        break
                    self._socket_shards[socket] = (shard[0], shard[1])
                    self._sockets.append(socket)
                    await self._send_ready(socket)
                elif op == OP_RESUME:
                    # Sessions are not kept: tell the client to identify afresh.
                    await socket.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False}))
        finally:
            if socket in self._sockets:
                self._sockets.remove(socket)
            self._socket_shards.pop(socket, None)
        return socket

    async def _send_ready(self, socket: web.WebSocketResponse) -> None:
        shard_id, shard_count = self._socket_shards[socket]
        guilds = [guild for guild in self.guilds if shard_of(guild.id, shard_count) == shard_id]
        ready = {
            "v": 10,
            "user": {**self.bot.user_dict(bot=True), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "shard": [shard_id, shard_count],
            "session_id": f"session-{self.next_id()}",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
        }
        await socket.send_str(json.dumps({"op": OP_DISPATCH, "t": "READY", "s": next(self._seq), "d": ready}))
        for guild in guilds:
            await socket.send_str(json.dumps({
                "op": OP_DISPATCH, "t": "GUILD_CREATE", "s": next(self._seq), "d": self._guild_dict(guild),
            }))
        self.ready.set()

    def _guild_dict(self, guild: FakeGuild) -> dict[str, Any]:
        joined = _iso(datetime.now(UTC) - timedelta(days=30))
        bot_role_id = guild.id + 1
        members = [
            {"user": self.bot.user_dict(bot=True), "roles": [str(bot_role_id)], "joined_at": joined,
             "deaf": False, "mute": False, "flags": 0},
            *({"user": m.user_dict(), "roles": [], "joined_at": joined, "deaf": False, "mute": False, "flags": 0}
              for m in guild.members),
        ]
        roles = [
            {"id": str(guild.id), "name": "@everyone", "permissions": str(MEMBER_PERMISSIONS), "position": 0,
             "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0},
            {"id": str(bot_role_id), "name": "spacebrief", "permissions": str(BOT_PERMISSIONS), "position": 1,
             "color": 0, "hoist": False, "managed": True, "mentionable": False, "flags": 0,
             "tags": {"bot_id": str(self.bot.id)}},
        ]
        text_channels = [c for c in guild.channels if c.type not in (10, 11, 12)]
        threads = [c for c in guild.channels if c.type in (10, 11, 12)]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(guild.members[0].id if guild.members else self.bot.id),
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": roles,
            "members": members,
            "member_count": len(members),
            "channels": [c.to_dict(guild.id, i) for i, c in enumerate(text_channels)],
            "threads": [c.to_dict(guild.id) for c in threads],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "large": False,
            "unavailable": False,
            "joined_at": joined,
            "system_channel_id": None,
        }


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that receives a guild's events (Discord's formula)."""
    return (guild_id >> 22) % shard_count


def default_guild() -> FakeGuild:
    """One server with two text channels, an admin (Manage Server) and an ordinary member."""
    return FakeGuild(
        id=800000000000000001,
        name="Space Club",
        channels=[FakeChannel(810000000000000001, "news"), FakeChannel(810000000000000002, "chat")],
        members=[
            FakeMember(820000000000000001, "admin", permissions=MEMBER_PERMISSIONS | PERM_MANAGE_GUILD),
            FakeMember(820000000000000002, "member"),
        ],
    )
