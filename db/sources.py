"""Sources: the feeds each server (or the config file, guild 0) watches, and their poll state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from db.base import ConstraintViolation, Queries, Transaction
from db.models import (
    CONFIG_GUILD_ID,
    SOURCE_KINDS,
    ConfigSource,
    DuplicateSourceError,
    Source,
    SourceKind,
)
from db.rows import keywords_json, source_from_row, ts
from db.validation import (
    ID_TEXT,
    MAX_NAME,
    MAX_SOURCE_URL,
    MAX_VALIDATOR,
    check_id,
    clean_optional,
    clean_text,
    one_line,
    words,
)

#: The reason given to config-file sources that vanished from the file (and cleared when they return).
REMOVED_FROM_CONFIG = "removed from the configuration file"

_INSERT_SOURCE = """INSERT INTO sources (guild_id, url, name, channel_id, kind, include_keywords,
                                         exclude_keywords, next_poll_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"""


async def source_by_id(tx: Transaction, source_id: int) -> Source | None:
    row = await tx.one("SELECT * FROM sources WHERE id = ?", (source_id,))
    return source_from_row(row) if row is not None else None


def _source_url(url: str) -> str:
    return clean_text(url, MAX_SOURCE_URL + 1).strip()


class SourceQueries(Queries):
    """Adding, finding and listing sources; recording each poll's outcome on its source."""

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
        """Add a source for ``guild_id``; due at once. ``DuplicateSourceError`` if the URL is taken there.

        ``ValueError`` (one line) for an empty name/URL or a bad kind; ``InvalidSettingError``
        (a ``ValueError``) for unusable keywords.
        """
        check_id(guild_id, "guild_id")
        check_id(channel_id, "channel_id")
        clean_url = _source_url(url)
        if not clean_url:
            raise ValueError("the source URL is empty")
        if len(clean_url) > MAX_SOURCE_URL:
            raise ValueError(f"the source URL is longer than {MAX_SOURCE_URL} characters")
        clean_name = one_line(name, MAX_NAME) or clean_url[:MAX_NAME]
        if kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {kind!r}")
        stamp = ts(now)
        include, exclude = keywords_json(include_keywords), keywords_json(exclude_keywords)
        try:
            async with self._db.writing() as tx:
                source_id = await tx.insert(
                    _INSERT_SOURCE,
                    (guild_id, clean_url, clean_name, channel_id, kind, include, exclude, stamp, stamp),
                )
                assert source_id is not None
                source = await source_by_id(tx, source_id)
        except ConstraintViolation:
            raise DuplicateSourceError(f"this server already has a source with the URL {clean_url}") from None
        assert source is not None
        return source

    async def get_source(self, source_id: int) -> Source | None:
        async with self._db.reading() as tx:
            return await source_by_id(tx, source_id)

    async def find_source_by_name_or_id(self, guild_id: int, text: str) -> Source | None:
        """This guild's source whose id (``12`` or ``#12``), name (case-insensitive) or URL is ``text``."""
        wanted = words(text, 4 * MAX_SOURCE_URL)
        if not wanted:
            return None
        sources = await self.list_sources(guild_id)
        if match := ID_TEXT.fullmatch(wanted):
            by_id = [source for source in sources if source.id == int(match.group(1))]
            if by_id:
                return by_id[0]
        folded = wanted.casefold()
        for source in sources:
            if source.name.casefold() == folded:
                return source
        for source in sources:
            if source.url == wanted:
                return source
        return None

    async def remove_source(self, guild_id: int, source_id: int) -> bool:
        """Delete the source and its entries/posts/threads if it belongs to ``guild_id``; False otherwise."""
        async with self._db.writing() as tx:
            return await tx.changes("DELETE FROM sources WHERE id = ? AND guild_id = ?", (source_id, guild_id))

    async def list_sources(self, guild_id: int) -> list[Source]:
        """This guild's sources (only), by name."""
        async with self._db.reading() as tx:
            rows = await tx.all(
                "SELECT * FROM sources WHERE guild_id = ? ORDER BY lower(name), id", (guild_id,)
            )
        return [source_from_row(row) for row in rows]

    async def list_all_sources(self) -> list[Source]:
        async with self._db.reading() as tx:
            rows = await tx.all("SELECT * FROM sources ORDER BY guild_id, lower(name), id")
        return [source_from_row(row) for row in rows]

    async def sync_config_sources(self, sources: Sequence[ConfigSource], *, now: datetime) -> list[Source]:
        """Upsert the config file's sources (guild 0) by URL, keeping their poll state.

        Name, channel, kind and keywords follow the file; schedule, validators and entries are
        untouched. Config sources no longer in the file are disabled (reason says so) rather than
        deleted, so their history survives a typo. A disabled source that the file lists is
        re-activated (failures reset): for config sources the file is the operator's only lever,
        so a restart (or a preview) is how they ask for another try after fixing the cause.
        Returns the file's sources in file order.
        """
        stamp = ts(now)
        prepared: list[tuple[Any, ...]] = []
        for source in sources:
            check_id(source.channel_id, "channel_id")
            url = _source_url(source.url)
            if not url or len(url) > MAX_SOURCE_URL:
                raise ValueError(f"config source {source.name!r}: unusable URL")
            if source.kind not in SOURCE_KINDS:
                raise ValueError(f"config source {source.name!r}: unknown kind {source.kind!r}")
            prepared.append(
                (
                    url,
                    one_line(source.name, MAX_NAME) or url[:MAX_NAME],
                    source.channel_id,
                    source.kind,
                    keywords_json(source.include_keywords),
                    keywords_json(source.exclude_keywords),
                )
            )
        async with self._db.writing() as tx:
            for url, name, channel_id, kind, include, exclude in prepared:
                await tx.execute(
                    f"""{_INSERT_SOURCE}
                       ON CONFLICT (guild_id, url) DO UPDATE SET
                           name = excluded.name, channel_id = excluded.channel_id, kind = excluded.kind,
                           include_keywords = excluded.include_keywords,
                           exclude_keywords = excluded.exclude_keywords""",
                    (CONFIG_GUILD_ID, url, name, channel_id, kind, include, exclude, stamp, stamp),
                )
                await tx.execute(
                    """UPDATE sources SET state = 'active', disabled_reason = NULL, disabled_notified = 0,
                                          consecutive_failures = 0, next_poll_at = ?
                       WHERE guild_id = ? AND url = ? AND state = 'disabled'""",
                    (stamp, CONFIG_GUILD_ID, url),
                )
            urls = [item[0] for item in prepared]
            placeholders = ",".join("?" * len(urls))
            keep_clause = f"AND url NOT IN ({placeholders})" if urls else ""
            await tx.execute(
                f"""UPDATE sources SET state = 'disabled', disabled_reason = ?, disabled_notified = 1
                    WHERE guild_id = ? AND state = 'active' {keep_clause}""",
                (REMOVED_FROM_CONFIG, CONFIG_GUILD_ID, *urls),
            )
            result: list[Source] = []
            for url in dict.fromkeys(urls):
                row = await tx.one("SELECT * FROM sources WHERE guild_id = ? AND url = ?", (CONFIG_GUILD_ID, url))
                if row is not None:
                    result.append(source_from_row(row))
        return result

    async def set_source_state(
        self, guild_id: int, source_id: int, *, active: bool, now: datetime
    ) -> Source | None:
        """Re-enable (failures reset, due at once) or disable a guild's source; None if not theirs."""
        stamp = ts(now)
        async with self._db.writing() as tx:
            if active:
                sql = """UPDATE sources SET state = 'active', consecutive_failures = 0, disabled_reason = NULL,
                                            disabled_notified = 0, next_poll_at = ?
                         WHERE id = ? AND guild_id = ?"""
                params: tuple[Any, ...] = (stamp, source_id, guild_id)
            else:
                sql = """UPDATE sources SET state = 'disabled', disabled_reason = 'disabled by an admin',
                                            disabled_notified = 1
                         WHERE id = ? AND guild_id = ?"""
                params = (source_id, guild_id)
            changed = await tx.changes(sql, params)
            return await source_by_id(tx, source_id) if changed else None

    async def due_sources(self, now: datetime) -> list[Source]:
        """Active sources whose ``next_poll_at`` is unset or not after ``now``, most overdue first."""
        async with self._db.reading() as tx:
            rows = await tx.all(
                """SELECT * FROM sources
                   WHERE state = 'active' AND (next_poll_at IS NULL OR next_poll_at <= ?)
                   ORDER BY coalesce(next_poll_at, 0), id""",
                (ts(now),),
            )
        return [source_from_row(row) for row in rows]

    async def record_poll_success(
        self,
        source_id: int,
        now: datetime,
        *,
        etag: str | None,
        last_modified: str | None,
        next_poll_at: datetime,
        new_url: str | None = None,
    ) -> Source | None:
        """A 200: reset failures, store validators, schedule the next poll.

        ``new_url`` (after a permanent redirect) replaces the URL, unless that server already
        has a source with it; then the URL is kept. None when the source was removed meanwhile.
        """
        stamp, next_stamp = ts(now), ts(next_poll_at, "next_poll_at")
        async with self._db.writing() as tx:
            current = await source_by_id(tx, source_id)
            if current is None:
                return None
            url = current.url
            if new_url is not None:
                candidate = _source_url(new_url)
                if candidate and len(candidate) <= MAX_SOURCE_URL and candidate != url:
                    taken = await tx.one(
                        "SELECT 1 FROM sources WHERE guild_id = ? AND url = ?", (current.guild_id, candidate)
                    )
                    if taken is None:
                        url = candidate
            await tx.execute(
                """UPDATE sources SET url = ?, consecutive_failures = 0, last_error = NULL, etag = ?,
                                      last_modified = ?, next_poll_at = ?, last_polled_at = ?,
                                      last_success_at = ?
                   WHERE id = ?""",
                (
                    url,
                    clean_optional(etag, MAX_VALIDATOR),
                    clean_optional(last_modified, MAX_VALIDATOR),
                    next_stamp,
                    stamp,
                    stamp,
                    source_id,
                ),
            )
            return await source_by_id(tx, source_id)

    async def record_poll_not_modified(
        self, source_id: int, now: datetime, *, next_poll_at: datetime
    ) -> Source | None:
        """A 304: a success that changes nothing but the schedule (validators are kept)."""
        stamp, next_stamp = ts(now), ts(next_poll_at, "next_poll_at")
        async with self._db.writing() as tx:
            await tx.execute(
                """UPDATE sources SET consecutive_failures = 0, last_error = NULL, next_poll_at = ?,
                                      last_polled_at = ?, last_success_at = ?
                   WHERE id = ?""",
                (next_stamp, stamp, stamp, source_id),
            )
            return await source_by_id(tx, source_id)

    async def record_poll_failure(
        self,
        source_id: int,
        now: datetime,
        reason: str,
        *,
        next_poll_at: datetime,
        disable_reason: str | None = None,
    ) -> Source | None:
        """Count a failure; with ``disable_reason`` the source is disabled and awaits an admin notice.

        None when the source was removed meanwhile.
        """
        stamp, next_stamp = ts(now), ts(next_poll_at, "next_poll_at")
        async with self._db.writing() as tx:
            await tx.execute(
                """UPDATE sources SET consecutive_failures = consecutive_failures + 1, last_error = ?,
                                      next_poll_at = ?, last_polled_at = ?
                   WHERE id = ?""",
                (one_line(reason) or "unknown error", next_stamp, stamp, source_id),
            )
            if disable_reason is not None:
                await tx.execute(
                    """UPDATE sources SET state = 'disabled', disabled_reason = ?, disabled_notified = 0
                       WHERE id = ?""",
                    (one_line(disable_reason) or "disabled", source_id),
                )
            return await source_by_id(tx, source_id)

    async def disabled_unnotified_sources(self) -> list[Source]:
        """Disabled sources whose server has not been told yet."""
        async with self._db.reading() as tx:
            rows = await tx.all(
                "SELECT * FROM sources WHERE state = 'disabled' AND disabled_notified = 0 ORDER BY id"
            )
        return [source_from_row(row) for row in rows]

    async def mark_disabled_notified(self, source_id: int) -> None:
        async with self._db.writing() as tx:
            await tx.execute("UPDATE sources SET disabled_notified = 1 WHERE id = ?", (source_id,))
