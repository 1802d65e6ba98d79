"""Typed rows of the store: frozen dataclasses, no SQL, no I/O.

Every datetime here is timezone-aware UTC. Keyword lists are tuples so rows stay hashable
and immutable. Text that came from the network is cleaned (valid UTF-8, capped length)
by ``db.validation`` before it is written, so what comes back out is always safe to render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

SourceKind = Literal["feed", "snapi"]
SourceState = Literal["active", "disabled"]
EntryState = Literal["pending", "posted", "skipped"]

SOURCE_KINDS: tuple[SourceKind, ...] = ("feed", "snapi")
ENTRY_STATES: tuple[EntryState, ...] = ("pending", "posted", "skipped")

#: guild_id of sources that come from the configuration file rather than a server's admins.
CONFIG_GUILD_ID = 0


class StoreError(Exception):
    """A problem with the database itself (unreadable, not SQLite, locked); one-line message."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer spacebrief: refusing to touch it."""


class DuplicateSourceError(StoreError, ValueError):
    """This server already has a source with that URL."""


class InvalidSettingError(ValueError):
    """An unknown setting name or a value out of range; one-line message for the user."""


@dataclass(frozen=True, slots=True)
class Source:
    """A feed watched for one server (``guild_id``), or for the config file (guild 0)."""

    id: int
    guild_id: int
    url: str
    name: str
    channel_id: int
    kind: SourceKind
    include_keywords: tuple[str, ...]
    exclude_keywords: tuple[str, ...]
    state: SourceState
    consecutive_failures: int
    last_error: str | None
    next_poll_at: datetime | None
    etag: str | None
    last_modified: str | None
    disabled_reason: str | None
    disabled_notified: bool
    created_at: datetime
    last_polled_at: datetime | None
    last_success_at: datetime | None

    @property
    def is_active(self) -> bool:
        return self.state == "active"

    @property
    def from_config(self) -> bool:
        return self.guild_id == CONFIG_GUILD_ID


@dataclass(frozen=True, slots=True)
class ConfigSource:
    """One ``[[sources]]`` table of the config file, as ``Store.sync_config_sources`` takes it."""

    name: str
    url: str
    channel_id: int
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    kind: SourceKind = "feed"


@dataclass(frozen=True, slots=True)
class StoredQuote:
    """A key quote as saved with an entry (the summarizer's ``Quote`` reduced to what is rendered)."""

    text: str
    speaker: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {"text": self.text, "speaker": self.speaker}


@dataclass(frozen=True, slots=True)
class NewEntry:
    """An entry to record for a source: ``pending`` (to be posted) or ``skipped`` (seen, never posted).

    ``feeds.records.new_entry`` builds one from a parsed feed entry.
    """

    key: str
    title: str
    url: str | None
    published: datetime | None
    image_url: str | None = None
    text: str = ""
    is_teaser: bool = False
    state: Literal["pending", "skipped"] = "pending"
    skip_reason: str | None = None
    #: The article's link as every source gives it (``feeds.decide.canonical_link``); None: none.
    canonical_link: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry recorded for a source. ``summary``/``quotes`` are None until a summary is saved."""

    id: int
    source_id: int
    key: str
    title: str
    url: str | None
    published: datetime | None
    image_url: str | None
    text: str
    is_teaser: bool
    state: EntryState
    skip_reason: str | None
    summary: tuple[str, ...] | None
    quotes: tuple[StoredQuote, ...] | None
    created_at: datetime
    #: Why the article page of a teaser was not used ("HTTP 404"), saved with the summary.
    article_problem: str | None = None
    canonical_link: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """One message the bot sent for an entry (an entry may be posted to several channels)."""

    id: int
    entry_id: int
    guild_id: int
    channel_id: int
    message_id: int
    posted_at: datetime


@dataclass(frozen=True, slots=True)
class PostedItem:
    """What ``/news`` lists: an entry, the latest post of it in the server, and its source's name."""

    entry: Entry
    post: Post
    source_name: str


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    """A discussion thread opened under a news post, waiting for (or given) its debate digest."""

    id: int
    thread_id: int
    post_id: int
    entry_id: int
    guild_id: int
    channel_id: int
    title: str
    url: str | None
    created_at: datetime
    digest_posted: bool
    digest_posted_at: datetime | None
    digest_attempts: int = 0


#: ``failed``: Discord refused the post for good; ``unconfirmed``: a crash left it unknowable
#: whether the post went out, and the channel's history could not be read to find out.
DeliveryOutcome = Literal["failed", "unconfirmed"]


@dataclass(frozen=True, slots=True)
class DeliveryProblem:
    """An entry given up on (no longer pending), with what the server's admins are told."""

    entry_id: int
    source_id: int
    source_name: str
    guild_id: int
    channel_id: int
    title: str
    url: str | None
    outcome: DeliveryOutcome
    reason: str
    attempts: int


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """Per-server settings. The store holds only overrides; the caller supplies the defaults."""

    interval_minutes: float = 15.0
    sentences: int = 3
    max_quotes: int = 2
    thread_per_article: bool = False
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "interval_minutes": self.interval_minutes,
            "sentences": self.sentences,
            "max_quotes": self.max_quotes,
            "thread_per_article": self.thread_per_article,
            "include_keywords": list(self.include_keywords),
            "exclude_keywords": list(self.exclude_keywords),
        }


#: The names ``Store.set_guild_setting`` accepts (the fields of ``GuildSettings``).
GUILD_SETTING_NAMES: tuple[str, ...] = tuple(GuildSettings.__dataclass_fields__)
