"""The aiosqlite store: the only place SQL lives.

One connection per process, WAL journal, foreign keys on, a busy timeout for other processes
(``spacebrief preview`` next to a running bot), and every statement serialized through one
lock so there is exactly one writer and a transaction is never interleaved with another
coroutine's statements. Schema changes go through ``db.migrations`` (``PRAGMA user_version``);
a database written by a newer version is refused.

Usage::

    async with Store.open("spacebrief.sqlite3") as store:
        source = await store.add_source(guild_id, url, name, channel_id, now=now)

    store = await Store.open(path)   # same thing, closed later with ``await store.close()``

All ``now`` arguments are injected by the caller (aware datetimes); nothing here reads the clock
except through them.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from datetime import datetime, timedelta
from os import PathLike
from types import TracebackType
from typing import Any

from db.models import (
    ConfigSource,
    Entry,
    GuildSettings,
    NewEntry,
    Post,
    PostedItem,
    QuoteLike,
    Source,
    SourceKind,
    ThreadRecord,
)


class Store:
    """Typed async access to the spacebrief database. Create it with ``Store.open(path)``."""

    @classmethod
    def open(cls, path: str | PathLike[str]) -> _StoreOpener:
        """Open (creating or migrating) the database at ``path``: ``await`` it or ``async with`` it.

        Raises ``SchemaTooNewError`` for a database from a newer version and ``StoreError``
        (one line) when the file is not a usable SQLite database.
        """
        raise NotImplementedError

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        raise NotImplementedError

    # ---- sources -------------------------------------------------------------------------

    async def add_source(
        self,
        guild_id: int,
        url: str,
        name: str,
        channel_id: int,
        *,
        now: datetime,
        kind: SourceKind = "feed",
        include_keywords: Sequence[str] = (),
        exclude_keywords: Sequence[str] = (),
    ) -> Source:
        """Add a source for ``guild_id``; due at once. ``DuplicateSourceError`` if the URL is taken there."""
        raise NotImplementedError

    async def get_source(self, source_id: int) -> Source | None:
        raise NotImplementedError

    async def find_source_by_name_or_id(self, guild_id: int, text: str) -> Source | None:
        """This guild's source whose id (``12`` or ``#12``), name (case-insensitive) or URL is ``text``."""
        raise NotImplementedError

    async def remove_source(self, guild_id: int, source_id: int) -> bool:
        """Delete the source and its entries/posts if it belongs to ``guild_id``; False otherwise."""
        raise NotImplementedError

    async def list_sources(self, guild_id: int) -> list[Source]:
        """This guild's sources (only), by name."""
        raise NotImplementedError

    async def list_all_sources(self) -> list[Source]:
        raise NotImplementedError

    async def sync_config_sources(self, sources: Sequence[ConfigSource], *, now: datetime) -> list[Source]:
        """Upsert the config file's sources (guild 0) by URL, keeping their poll state.

        Config sources no longer in the file are disabled (reason says so) rather than deleted,
        so their history survives a typo; listing them again re-activates them.
        """
        raise NotImplementedError

    async def set_source_state(self, guild_id: int, source_id: int, *, active: bool, now: datetime) -> Source | None:
        """Re-enable (resetting failures, due at once) or disable a guild's source; None if not theirs."""
        raise NotImplementedError

    async def due_sources(self, now: datetime) -> list[Source]:
        """Active sources whose ``next_poll_at`` is unset or not after ``now``, most overdue first."""
        raise NotImplementedError

    async def record_poll_success(
        self,
        source_id: int,
        now: datetime,
        *,
        etag: str | None,
        last_modified: str | None,
        next_poll_at: datetime,
        new_url: str | None = None,
    ) -> Source:
        """A 200: reset failures, store validators, schedule; ``new_url`` after a 301 replaces the URL
        (unless that guild already has a source with it, in which case the URL is kept)."""
        raise NotImplementedError

    async def record_poll_not_modified(self, source_id: int, now: datetime, *, next_poll_at: datetime) -> Source:
        """A 304: a success that changes nothing but the schedule."""
        raise NotImplementedError

    async def record_poll_failure(
        self,
        source_id: int,
        now: datetime,
        reason: str,
        *,
        next_poll_at: datetime,
        disable_reason: str | None = None,
    ) -> Source:
        """Count a failure; with ``disable_reason`` the source is disabled and awaits an admin notice."""
        raise NotImplementedError

    async def disabled_unnotified_sources(self) -> list[Source]:
        """Disabled sources whose server has not been told yet."""
        raise NotImplementedError

    async def mark_disabled_notified(self, source_id: int) -> None:
        raise NotImplementedError

    # ---- entries -------------------------------------------------------------------------

    async def known_keys(self, source_id: int, keys: Sequence[str]) -> set[str]:
        """The subset of ``keys`` already recorded for the source (any state)."""
        raise NotImplementedError

    async def has_any_entries(self, source_id: int) -> bool:
        raise NotImplementedError

    async def add_entries(self, source_id: int, entries: Sequence[NewEntry], now: datetime) -> list[Entry]:
        """Record entries in one transaction, in the given order; keys already there are ignored.

        Returns the entries actually inserted (pending and skipped), in order.
        """
        raise NotImplementedError

    async def pending_entries(self, source_id: int | None = None) -> list[Entry]:
        """Entries claimed but not yet posted, in the order they were recorded (oldest first)."""
        raise NotImplementedError

    async def get_entry(self, entry_id: int) -> Entry | None:
        raise NotImplementedError

    async def save_entry_summary(self, entry_id: int, summary: Sequence[str], quotes: Sequence[QuoteLike]) -> None:
        raise NotImplementedError

    async def mark_posted(
        self,
        entry_id: int,
        channel_id: int,
        message_id: int,
        now: datetime,
        *,
        guild_id: int | None = None,
    ) -> Post:
        """Entry -> posted, and a post row (idempotent per entry+channel).

        ``guild_id`` is the server of ``channel_id``; it defaults to the source's guild, so pass it
        for config-file sources (guild 0) so ``/news`` in that server finds the post.
        """
        raise NotImplementedError

    async def mark_skipped(self, entry_id: int, reason: str) -> None:
        raise NotImplementedError

    async def latest_posted(self, guild_id: int, limit: int, source: str | None = None) -> list[PostedItem]:
        """The newest posts in ``guild_id`` (one per entry), optionally of one source (name or id)."""
        raise NotImplementedError

    # ---- settings ------------------------------------------------------------------------

    async def get_guild_settings(self, guild_id: int, defaults: GuildSettings) -> GuildSettings:
        """``defaults`` with this guild's stored overrides applied."""
        raise NotImplementedError

    async def set_guild_setting(self, guild_id: int, name: str, value: Any, *, now: datetime) -> GuildSettings:
        """Validate and store one override; ``InvalidSettingError`` (one line) when it is not acceptable.

        Returns the guild's overrides merged over ``GuildSettings()`` defaults.
        """
        raise NotImplementedError

    async def reset_guild_setting(self, guild_id: int, name: str) -> None:
        """Drop an override so the default applies again."""
        raise NotImplementedError

    # ---- debate threads ------------------------------------------------------------------

    async def record_thread(self, post_id: int, thread_id: int, now: datetime) -> ThreadRecord:
        raise NotImplementedError

    async def threads_due_for_digest(self, now: datetime, after: timedelta) -> list[ThreadRecord]:
        """Threads without a digest that were opened at least ``after`` before ``now``."""
        raise NotImplementedError

    async def mark_digest_posted(self, thread_id: int, now: datetime) -> None:
        raise NotImplementedError


class _StoreOpener:
    """What ``Store.open`` returns: awaitable, and an async context manager that closes on exit."""

    def __await__(self) -> Generator[Any, None, Store]:
        raise NotImplementedError

    async def __aenter__(self) -> Store:
        raise NotImplementedError

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        raise NotImplementedError
