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

import asyncio
import json
import math
import re
import sqlite3
from collections.abc import AsyncIterator, Generator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from os import PathLike, fspath
from pathlib import Path
from types import TracebackType
from typing import Any

import aiosqlite

from db.migrations import SCHEMA_VERSION, migrate
from db.models import (
    CONFIG_GUILD_ID,
    GUILD_SETTING_NAMES,
    SOURCE_KINDS,
    ConfigSource,
    DuplicateSourceError,
    Entry,
    GuildSettings,
    InvalidSettingError,
    NewEntry,
    Post,
    PostedItem,
    QuoteLike,
    Source,
    SourceKind,
    StoredQuote,
    StoreError,
    ThreadRecord,
)

#: Milliseconds another process's write lock is waited for before "database is locked".
BUSY_TIMEOUT_MS = 10_000

# Caps on stored text. Feeds are untrusted: a 50 MB title must not reach the database, and
# Discord could not show it anyway. Entry text is kept generously: it feeds the summarizer.
MAX_NAME = 100
MAX_SOURCE_URL = 2048
MAX_ENTRY_URL = 4096
MAX_TITLE = 1000
MAX_ENTRY_TEXT = 500_000
MAX_REASON = 500
MAX_VALIDATOR = 1024  # ETag / Last-Modified
MAX_KEY = 2048
MAX_KEYWORDS = 50
MAX_KEYWORD = 100
MAX_SUMMARY_SENTENCES = 50
MAX_QUOTES = 20
MAX_SNOWFLAKE = 2**63 - 1  # SQLite INTEGER; Discord ids fit

#: The reason given to config-file sources that vanished from the file (and cleared when they return).
REMOVED_FROM_CONFIG = "removed from the configuration file"

_ID_TEXT = re.compile(r"#?\s*(\d{1,19})")
_SURROGATES = re.compile("[\ud800-\udfff]")

# Bounds for per-server settings (the config file may go lower, e.g. tests poll every 3 s,
# but a server admin must not make the bot hammer a feed).
INTERVAL_MINUTES_RANGE = (1.0, 1440.0)
SENTENCES_RANGE = (1, 10)
MAX_QUOTES_RANGE = (0, 10)

SettingValue = float | int | bool | tuple[str, ...]


# ---- conversions -----------------------------------------------------------------------------


def _clean_text(value: object, limit: int) -> str:
    """Valid UTF-8, no NUL, at most ``limit`` characters: safe to store and to render."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a broken decode: SQLite would refuse them
        text = _SURROGATES.sub("\ufffd", text)
    return text.replace("\x00", "")


def _clean_optional(value: object | None, limit: int) -> str | None:
    if value is None:
        return None
    text = _clean_text(value, limit).strip()
    return text or None


def _one_line(value: object, limit: int = MAX_REASON) -> str:
    return " ".join(_clean_text(value, limit * 4).split())[:limit]


def _clean_keywords(keywords: Iterable[str] | str) -> tuple[str, ...]:
    """Strip, collapse spaces, drop empties and case-insensitive duplicates; capped."""
    if isinstance(keywords, str):  # "mars, artemis" as typed in a slash command
        keywords = keywords.split(",")
    seen: set[str] = set()
    cleaned: list[str] = []
    for raw in keywords:
        if not isinstance(raw, str):
            raise InvalidSettingError("keywords must be text")
        keyword = " ".join(_clean_text(raw, MAX_KEYWORD * 4).split())
        if len(keyword) > MAX_KEYWORD:
            raise InvalidSettingError(f"a keyword may have at most {MAX_KEYWORD} characters")
        if keyword and keyword.casefold() not in seen:
            seen.add(keyword.casefold())
            cleaned.append(keyword)
    if len(cleaned) > MAX_KEYWORDS:
        raise InvalidSettingError(f"at most {MAX_KEYWORDS} keywords")
    return tuple(cleaned)


def _keywords_json(keywords: Iterable[str]) -> str:
    return json.dumps(list(_clean_keywords(keywords)), ensure_ascii=False)


def _keywords_from_json(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _ts(moment: datetime, what: str = "now") -> float:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return moment.timestamp()


def _ts_optional(moment: datetime | None, what: str) -> float | None:
    return None if moment is None else _ts(moment, what)


def _published_ts(moment: datetime | None) -> float | None:
    """Feed dates: naive ones are taken as UTC (feeds are sloppy); absurd ones are dropped."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def _dt(value: float | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _dt_required(value: float) -> datetime:
    moment = _dt(value)
    return moment if moment is not None else datetime.fromtimestamp(0, UTC)


def _check_id(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SNOWFLAKE:
        raise ValueError(f"{what} must be an integer from 0 to 2^63-1, not {value!r}")
    return value


def _source_from_row(row: sqlite3.Row) -> Source:
    return Source(
        id=row["id"],
        guild_id=row["guild_id"],
        url=row["url"],
        name=row["name"],
        channel_id=row["channel_id"],
        kind=row["kind"],
        include_keywords=_keywords_from_json(row["include_keywords"]),
        exclude_keywords=_keywords_from_json(row["exclude_keywords"]),
        state=row["state"],
        consecutive_failures=row["consecutive_failures"],
        last_error=row["last_error"],
        next_poll_at=_dt(row["next_poll_at"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        disabled_reason=row["disabled_reason"],
        disabled_notified=bool(row["disabled_notified"]),
        created_at=_dt_required(row["created_at"]),
        last_polled_at=_dt(row["last_polled_at"]),
        last_success_at=_dt(row["last_success_at"]),
    )


def _summary_from_json(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    return tuple(item for item in value if isinstance(item, str))


def _quotes_from_json(text: str | None) -> tuple[StoredQuote, ...] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    quotes: list[StoredQuote] = []
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            speaker = item.get("speaker")
            quotes.append(StoredQuote(item["text"], speaker if isinstance(speaker, str) else None))
    return tuple(quotes)


_ENTRY_COLUMNS = (
    "id, source_id, key, title, url, published, image_url, text, is_teaser, state, skip_reason, "
    "summary_json, quotes_json, created_at"
)
_ENTRY_COLUMNS_E = ", ".join(f"e.{column.strip()}" for column in _ENTRY_COLUMNS.split(","))


def _entry_from_row(row: sqlite3.Row) -> Entry:
    return Entry(
        id=row["id"],
        source_id=row["source_id"],
        key=row["key"],
        title=row["title"],
        url=row["url"],
        published=_dt(row["published"]),
        image_url=row["image_url"],
        text=row["text"],
        is_teaser=bool(row["is_teaser"]),
        state=row["state"],
        skip_reason=row["skip_reason"],
        summary=_summary_from_json(row["summary_json"]),
        quotes=_quotes_from_json(row["quotes_json"]),
        created_at=_dt_required(row["created_at"]),
    )


def _post_from_row(row: sqlite3.Row, prefix: str = "") -> Post:
    return Post(
        id=row[f"{prefix}id"],
        entry_id=row[f"{prefix}entry_id"],
        guild_id=row[f"{prefix}guild_id"],
        channel_id=row[f"{prefix}channel_id"],
        message_id=row[f"{prefix}message_id"],
        posted_at=_dt_required(row[f"{prefix}posted_at"]),
    )


_THREAD_SELECT = """
    SELECT t.id, t.thread_id, t.post_id, t.created_at, t.digest_posted, t.digest_posted_at,
           p.entry_id, p.guild_id, p.channel_id, e.title, e.url
    FROM threads t JOIN posts p ON p.id = t.post_id JOIN entries e ON e.id = p.entry_id
"""


def _thread_from_row(row: sqlite3.Row) -> ThreadRecord:
    return ThreadRecord(
        id=row["id"],
        thread_id=row["thread_id"],
        post_id=row["post_id"],
        entry_id=row["entry_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        title=row["title"],
        url=row["url"],
        created_at=_dt_required(row["created_at"]),
        digest_posted=bool(row["digest_posted"]),
        digest_posted_at=_dt(row["digest_posted_at"]),
    )


# ---- settings validation ---------------------------------------------------------------------


def _as_number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidSettingError(f"{name} must be a number")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidSettingError(f"{name} must be a number") from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidSettingError(f"{name} must be a number")
    return float(value)


def _as_whole(name: str, value: Any, low: int, high: int) -> int:
    number = _as_number(name, value)
    if number != int(number) or not low <= number <= high:
        raise InvalidSettingError(f"{name} must be a whole number from {low} to {high}")
    return int(number)


_TRUE = {"true", "yes", "on", "1", "enable", "enabled"}
_FALSE = {"false", "no", "off", "0", "disable", "disabled"}


def validate_guild_setting(name: str, value: Any) -> SettingValue:
    """The normalized value of one per-server setting, or ``InvalidSettingError`` (one line)."""
    if name == "interval_minutes":
        low, high = INTERVAL_MINUTES_RANGE
        minutes = _as_number(name, value)
        if not low <= minutes <= high:
            raise InvalidSettingError(f"interval_minutes must be from {low:g} to {high:g}")
        return minutes
    if name == "sentences":
        return _as_whole(name, value, *SENTENCES_RANGE)
    if name == "max_quotes":
        return _as_whole(name, value, *MAX_QUOTES_RANGE)
    if name == "thread_per_article":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise InvalidSettingError("thread_per_article must be true or false")
    if name in ("include_keywords", "exclude_keywords"):
        if not isinstance(value, str | list | tuple):
            raise InvalidSettingError(f"{name} must be a list of keywords")
        return _clean_keywords(value)
    raise InvalidSettingError(
        f"unknown setting '{_one_line(name, 50)}'; known: {', '.join(GUILD_SETTING_NAMES)}"
    )


# ---- the store -------------------------------------------------------------------------------


class Store:
    """Typed async access to the spacebrief database. Create it with ``Store.open(path)``."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._path = path
        # One lock for every statement: a transaction (BEGIN ... COMMIT over several awaits)
        # must never see another coroutine's statements in the middle of it.
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def path(self) -> str:
        return self._path

    @classmethod
    def open(cls, path: str | PathLike[str]) -> _StoreOpener:
        """Open (creating or migrating) the database at ``path``: ``await`` it or ``async with`` it.

        Raises ``SchemaTooNewError`` for a database from a newer version and ``StoreError``
        (one line) when the file is not a usable SQLite database.
        """
        return _StoreOpener(fspath(path))

    @classmethod
    async def _connect(cls, path: str) -> Store:
        # Checked here rather than left to SQLite: aiosqlite's own failure path leaves its worker
        # thread reporting to an event loop that may be gone, and the message is clearer.
        if path != ":memory:" and not path.startswith("file:"):
            parent = Path(path).parent
            if not parent.is_dir():
                raise StoreError(f"cannot open database {path}: directory {parent} does not exist")
        try:
            conn = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {path}: {_one_line(exc)}") from None
        conn.row_factory = sqlite3.Row
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
            await conn.execute("PRAGMA foreign_keys = ON")
            # Fail early and clearly on a file that is not a database (the journal_mode
            # change below would report it less helpfully).
            await conn.execute("SELECT count(*) FROM sqlite_master")
            await migrate(conn, origin=path)
            async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
                await cursor.fetchone()
            # FULL: a committed "posted" survives power loss too, the cost is tiny at our write rate.
            await conn.execute("PRAGMA synchronous = FULL")
        except StoreError:
            await conn.close()
            raise
        except sqlite3.Error as exc:
            await conn.close()
            raise StoreError(f"cannot open database {path}: {_one_line(exc)}") from None
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._closed:
            return
        self._closed = True
        async with self._lock:
            await self._conn.close()

    # ---- plumbing ------------------------------------------------------------------------

    def _error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(f"database {self._path}: {_one_line(exc)}")

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._closed:
            raise StoreError("the store is closed")
        async with self._lock:
            try:
                yield self._conn
            except sqlite3.IntegrityError:
                raise
            except sqlite3.Error as exc:
                raise self._error(exc) from None

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction; rolled back if the body raises or is cancelled."""
        if self._closed:
            raise StoreError("the store is closed")
        async with self._lock:
            # BEGIN is inside the try: a cancellation while it is queued must still roll back,
            # or the connection would be left inside a transaction nobody finishes.
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
                await self._conn.execute("COMMIT")
            except BaseException as exc:
                try:
                    await self._conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # COMMIT had already gone through, or nothing to undo
                if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                    raise self._error(exc) from None
                raise

    @staticmethod
    async def _all(conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async with conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    @staticmethod
    async def _one(conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        async with conn.execute(sql, params) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
            return row

    @staticmethod
    async def _changes(conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> bool:
        """Run a write; True when it changed at least one row."""
        async with conn.execute(sql, params) as cursor:
            return cursor.rowcount > 0

    async def _source_by_id(self, conn: aiosqlite.Connection, source_id: int) -> Source | None:
        row = await self._one(conn, "SELECT * FROM sources WHERE id = ?", (source_id,))
        return _source_from_row(row) if row is not None else None

    async def diagnostics(self) -> dict[str, Any]:
        """The connection's settings and schema version (for tests and a health check)."""
        async with self._reading() as conn:
            values: dict[str, Any] = {}
            for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous", "user_version"):
                row = await self._one(conn, f"PRAGMA {pragma}")
                values[pragma] = row[0] if row is not None else None
        values["schema_version"] = SCHEMA_VERSION
        return values

    async def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: "ok", or SQLite's description of the damage."""
        async with self._reading() as conn:
            rows = await self._all(conn, "PRAGMA integrity_check")
        return "\n".join(str(row[0]) for row in rows)

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
        """Add a source for ``guild_id``; due at once. ``DuplicateSourceError`` if the URL is taken there.

        ``ValueError`` (one line) for an empty name/URL or a bad kind; ``InvalidSettingError``
        (a ``ValueError``) for unusable keywords.
        """
        _check_id(guild_id, "guild_id")
        _check_id(channel_id, "channel_id")
        clean_url = _clean_text(url, MAX_SOURCE_URL + 1).strip()
        if not clean_url:
            raise ValueError("the source URL is empty")
        if len(clean_url) > MAX_SOURCE_URL:
            raise ValueError(f"the source URL is longer than {MAX_SOURCE_URL} characters")
        clean_name = _one_line(name, MAX_NAME) or clean_url[:MAX_NAME]
        if kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {kind!r}")
        stamp = _ts(now)
        include, exclude = _keywords_json(include_keywords), _keywords_json(exclude_keywords)
        try:
            async with self._writing() as conn:
                cursor = await conn.execute(
                    """INSERT INTO sources (guild_id, url, name, channel_id, kind, include_keywords,
                                            exclude_keywords, next_poll_at, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    (guild_id, clean_url, clean_name, channel_id, kind, include, exclude, stamp, stamp),
                )
                source_id = cursor.lastrowid
                await cursor.close()
                assert source_id is not None
                source = await self._source_by_id(conn, source_id)
        except sqlite3.IntegrityError:
            raise DuplicateSourceError(f"this server already has a source with the URL {clean_url}") from None
        assert source is not None
        return source

    async def get_source(self, source_id: int) -> Source | None:
        async with self._reading() as conn:
            return await self._source_by_id(conn, source_id)

    async def find_source_by_name_or_id(self, guild_id: int, text: str) -> Source | None:
        """This guild's source whose id (``12`` or ``#12``), name (case-insensitive) or URL is ``text``."""
        wanted = " ".join(_clean_text(text, 4 * MAX_SOURCE_URL).split())
        if not wanted:
            return None
        sources = await self.list_sources(guild_id)
        if match := _ID_TEXT.fullmatch(wanted):
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
        async with self._writing() as conn:
            removed = await self._changes(
                conn, "DELETE FROM sources WHERE id = ? AND guild_id = ?", (source_id, guild_id)
            )
        return removed

    async def list_sources(self, guild_id: int) -> list[Source]:
        """This guild's sources (only), by name."""
        async with self._reading() as conn:
            rows = await self._all(
                conn, "SELECT * FROM sources WHERE guild_id = ? ORDER BY name COLLATE NOCASE, id", (guild_id,)
            )
        return [_source_from_row(row) for row in rows]

    async def list_all_sources(self) -> list[Source]:
        async with self._reading() as conn:
            rows = await self._all(conn, "SELECT * FROM sources ORDER BY guild_id, name COLLATE NOCASE, id")
        return [_source_from_row(row) for row in rows]

    async def sync_config_sources(self, sources: Sequence[ConfigSource], *, now: datetime) -> list[Source]:
        """Upsert the config file's sources (guild 0) by URL, keeping their poll state.

        Name, channel, kind and keywords follow the file; schedule, validators and entries are
        untouched. Config sources no longer in the file are disabled (reason says so) rather than
        deleted, so their history survives a typo. A disabled source that the file lists is
        re-activated (failures reset): for config sources the file is the operator's only lever,
        so a restart (or a preview) is how they ask for another try after fixing the cause.
        Returns the file's sources in file order.
        """
        stamp = _ts(now)
        prepared: list[tuple[Any, ...]] = []
        for source in sources:
            _check_id(source.channel_id, "channel_id")
            url = _clean_text(source.url, MAX_SOURCE_URL + 1).strip()
            if not url or len(url) > MAX_SOURCE_URL:
                raise ValueError(f"config source {source.name!r}: unusable URL")
            if source.kind not in SOURCE_KINDS:
                raise ValueError(f"config source {source.name!r}: unknown kind {source.kind!r}")
            prepared.append(
                (
                    url,
                    _one_line(source.name, MAX_NAME) or url[:MAX_NAME],
                    source.channel_id,
                    source.kind,
                    _keywords_json(source.include_keywords),
                    _keywords_json(source.exclude_keywords),
                )
            )
        async with self._writing() as conn:
            for url, name, channel_id, kind, include, exclude in prepared:
                await conn.execute(
                    """INSERT INTO sources (guild_id, url, name, channel_id, kind, include_keywords,
                                            exclude_keywords, next_poll_at, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (guild_id, url) DO UPDATE SET
                           name = excluded.name, channel_id = excluded.channel_id, kind = excluded.kind,
                           include_keywords = excluded.include_keywords,
                           exclude_keywords = excluded.exclude_keywords""",
                    (CONFIG_GUILD_ID, url, name, channel_id, kind, include, exclude, stamp, stamp),
                )
                await conn.execute(
                    """UPDATE sources SET state = 'active', disabled_reason = NULL, disabled_notified = 0,
                                          consecutive_failures = 0, next_poll_at = ?
                       WHERE guild_id = ? AND url = ? AND state = 'disabled'""",
                    (stamp, CONFIG_GUILD_ID, url),
                )
            urls = [item[0] for item in prepared]
            placeholders = ",".join("?" * len(urls))
            keep_clause = f"AND url NOT IN ({placeholders})" if urls else ""
            await conn.execute(
                f"""UPDATE sources SET state = 'disabled', disabled_reason = ?, disabled_notified = 1
                    WHERE guild_id = ? AND state = 'active' {keep_clause}""",
                (REMOVED_FROM_CONFIG, CONFIG_GUILD_ID, *urls),
            )
            result: list[Source] = []
            for url in dict.fromkeys(urls):
                row = await self._one(
                    conn, "SELECT * FROM sources WHERE guild_id = ? AND url = ?", (CONFIG_GUILD_ID, url)
                )
                if row is not None:
                    result.append(_source_from_row(row))
        return result

    async def set_source_state(
        self, guild_id: int, source_id: int, *, active: bool, now: datetime
    ) -> Source | None:
        """Re-enable (failures reset, due at once) or disable a guild's source; None if not theirs."""
        stamp = _ts(now)
        async with self._writing() as conn:
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
            changed = await self._changes(conn, sql, params)
            return await self._source_by_id(conn, source_id) if changed else None

    async def due_sources(self, now: datetime) -> list[Source]:
        """Active sources whose ``next_poll_at`` is unset or not after ``now``, most overdue first."""
        stamp = _ts(now)
        async with self._reading() as conn:
            rows = await self._all(
                conn,
                """SELECT * FROM sources
                   WHERE state = 'active' AND (next_poll_at IS NULL OR next_poll_at <= ?)
                   ORDER BY coalesce(next_poll_at, 0), id""",
                (stamp,),
            )
        return [_source_from_row(row) for row in rows]

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
        stamp, next_stamp = _ts(now), _ts(next_poll_at, "next_poll_at")
        async with self._writing() as conn:
            current = await self._source_by_id(conn, source_id)
            if current is None:
                return None
            url = current.url
            if new_url is not None:
                candidate = _clean_text(new_url, MAX_SOURCE_URL + 1).strip()
                if candidate and len(candidate) <= MAX_SOURCE_URL and candidate != url:
                    taken = await self._one(
                        conn,
                        "SELECT 1 FROM sources WHERE guild_id = ? AND url = ?",
                        (current.guild_id, candidate),
                    )
                    if taken is None:
                        url = candidate
            await conn.execute(
                """UPDATE sources SET url = ?, consecutive_failures = 0, last_error = NULL, etag = ?,
                                      last_modified = ?, next_poll_at = ?, last_polled_at = ?,
                                      last_success_at = ?
                   WHERE id = ?""",
                (
                    url,
                    _clean_optional(etag, MAX_VALIDATOR),
                    _clean_optional(last_modified, MAX_VALIDATOR),
                    next_stamp,
                    stamp,
                    stamp,
                    source_id,
                ),
            )
            return await self._source_by_id(conn, source_id)

    async def record_poll_not_modified(
        self, source_id: int, now: datetime, *, next_poll_at: datetime
    ) -> Source | None:
        """A 304: a success that changes nothing but the schedule (validators are kept)."""
        stamp, next_stamp = _ts(now), _ts(next_poll_at, "next_poll_at")
        async with self._writing() as conn:
            await conn.execute(
                """UPDATE sources SET consecutive_failures = 0, last_error = NULL, next_poll_at = ?,
                                      last_polled_at = ?, last_success_at = ?
                   WHERE id = ?""",
                (next_stamp, stamp, stamp, source_id),
            )
            return await self._source_by_id(conn, source_id)

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
        stamp, next_stamp = _ts(now), _ts(next_poll_at, "next_poll_at")
        async with self._writing() as conn:
            await conn.execute(
                """UPDATE sources SET consecutive_failures = consecutive_failures + 1, last_error = ?,
                                      next_poll_at = ?, last_polled_at = ?
                   WHERE id = ?""",
                (_one_line(reason) or "unknown error", next_stamp, stamp, source_id),
            )
            if disable_reason is not None:
                await conn.execute(
                    """UPDATE sources SET state = 'disabled', disabled_reason = ?, disabled_notified = 0
                       WHERE id = ?""",
                    (_one_line(disable_reason) or "disabled", source_id),
                )
            return await self._source_by_id(conn, source_id)

    async def disabled_unnotified_sources(self) -> list[Source]:
        """Disabled sources whose server has not been told yet."""
        async with self._reading() as conn:
            rows = await self._all(
                conn, "SELECT * FROM sources WHERE state = 'disabled' AND disabled_notified = 0 ORDER BY id"
            )
        return [_source_from_row(row) for row in rows]

    async def mark_disabled_notified(self, source_id: int) -> None:
        async with self._writing() as conn:
            await conn.execute("UPDATE sources SET disabled_notified = 1 WHERE id = ?", (source_id,))

    # ---- entries -------------------------------------------------------------------------

    async def known_keys(self, source_id: int, keys: Sequence[str]) -> set[str]:
        """The subset of ``keys`` already recorded for the source (any state)."""
        wanted = list(dict.fromkeys(keys))
        known: set[str] = set()
        async with self._reading() as conn:
            # Chunked: SQLite limits the number of bound parameters per statement.
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = await self._all(
                    conn,
                    f"SELECT key FROM entries WHERE source_id = ? AND key IN ({','.join('?' * len(chunk))})",
                    (source_id, *chunk),
                )
                known.update(row[0] for row in rows)
        return known

    async def has_any_entries(self, source_id: int) -> bool:
        async with self._reading() as conn:
            row = await self._one(conn, "SELECT 1 FROM entries WHERE source_id = ? LIMIT 1", (source_id,))
        return row is not None

    async def add_entries(self, source_id: int, entries: Sequence[NewEntry], now: datetime) -> list[Entry]:
        """Record entries in one transaction, in the given order; keys already there are ignored.

        Returns the entries actually inserted (pending and skipped), in order; an empty list
        when the source was removed meanwhile.
        """
        stamp = _ts(now)
        rows: list[tuple[Any, ...]] = []
        for entry in entries:
            if not entry.key or len(entry.key) > MAX_KEY:
                raise ValueError(f"entry key must have 1 to {MAX_KEY} characters")
            if entry.state not in ("pending", "skipped"):
                raise ValueError(f"a new entry is pending or skipped, not {entry.state!r}")
            rows.append(
                (
                    source_id,
                    _clean_text(entry.key, MAX_KEY),
                    _one_line(entry.title, MAX_TITLE),
                    _clean_optional(entry.url, MAX_ENTRY_URL),
                    _published_ts(entry.published),
                    _clean_optional(entry.image_url, MAX_ENTRY_URL),
                    # Skipped entries are kept for their key only: no need for their text.
                    _clean_text(entry.text, MAX_ENTRY_TEXT) if entry.state == "pending" else "",
                    int(entry.is_teaser),
                    entry.state,
                    _clean_optional(entry.skip_reason, MAX_REASON),
                    stamp,
                )
            )
        inserted_ids: list[int] = []
        async with self._writing() as conn:
            if await self._one(conn, "SELECT 1 FROM sources WHERE id = ?", (source_id,)) is None:
                return []
            for row in rows:
                cursor = await conn.execute(
                    """INSERT OR IGNORE INTO entries (source_id, key, title, url, published, image_url, text,
                                                      is_teaser, state, skip_reason, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    row,
                )
                if cursor.rowcount == 1 and cursor.lastrowid is not None:
                    inserted_ids.append(cursor.lastrowid)
                await cursor.close()
            found: dict[int, Entry] = {}
            for start in range(0, len(inserted_ids), 500):
                chunk = inserted_ids[start : start + 500]
                for found_row in await self._all(
                    conn,
                    f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ):
                    found[found_row["id"]] = _entry_from_row(found_row)
        return [found[entry_id] for entry_id in inserted_ids if entry_id in found]

    async def pending_entries(self, source_id: int | None = None) -> list[Entry]:
        """Entries claimed but not yet posted, in the order they were recorded (oldest first)."""
        async with self._reading() as conn:
            if source_id is None:
                rows = await self._all(
                    conn, f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE state = 'pending' ORDER BY id"
                )
            else:
                rows = await self._all(
                    conn,
                    f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE state = 'pending' AND source_id = ? ORDER BY id",
                    (source_id,),
                )
        return [_entry_from_row(row) for row in rows]

    async def get_entry(self, entry_id: int) -> Entry | None:
        async with self._reading() as conn:
            row = await self._one(conn, f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        return _entry_from_row(row) if row is not None else None

    async def save_entry_summary(
        self, entry_id: int, summary: Sequence[str], quotes: Sequence[QuoteLike]
    ) -> None:
        """Keep the summary and key quotes with the entry (so a retry after a crash reuses them)."""
        summary_json = json.dumps(
            [_clean_text(sentence, 10_000) for sentence in list(summary)[:MAX_SUMMARY_SENTENCES]],
            ensure_ascii=False,
        )
        quotes_json = json.dumps(
            [
                {
                    "text": _clean_text(quote.text, 10_000),
                    "speaker": _clean_optional(quote.speaker, 500),
                }
                for quote in list(quotes)[:MAX_QUOTES]
            ],
            ensure_ascii=False,
        )
        async with self._writing() as conn:
            await conn.execute(
                "UPDATE entries SET summary_json = ?, quotes_json = ? WHERE id = ?",
                (summary_json, quotes_json, entry_id),
            )

    async def mark_posted(
        self,
        entry_id: int,
        channel_id: int,
        message_id: int,
        now: datetime,
        *,
        guild_id: int | None = None,
    ) -> Post | None:
        """Entry -> posted, and a post row (idempotent per entry + channel: the first post is kept).

        ``guild_id`` is the server of ``channel_id``; it defaults to the source's guild, so pass it
        for config-file sources (guild 0) so that ``/news`` in that server finds the post.
        None when the entry was removed meanwhile (its source deleted).
        """
        _check_id(channel_id, "channel_id")
        _check_id(message_id, "message_id")
        if guild_id is not None:
            _check_id(guild_id, "guild_id")
        stamp = _ts(now)
        async with self._writing() as conn:
            row = await self._one(
                conn,
                "SELECT s.guild_id FROM entries e JOIN sources s ON s.id = e.source_id WHERE e.id = ?",
                (entry_id,),
            )
            if row is None:
                return None
            post_guild = guild_id if guild_id is not None else int(row[0])
            await conn.execute(
                """INSERT OR IGNORE INTO posts (entry_id, guild_id, channel_id, message_id, posted_at)
                   VALUES (?, ?, ?, ?, ?)""",
                (entry_id, post_guild, channel_id, message_id, stamp),
            )
            # The feed text is only the summarizer's input; once posted it is dead weight
            # (tens of kB per entry, forever), so it is dropped. The summary stays.
            await conn.execute(
                "UPDATE entries SET state = 'posted', skip_reason = NULL, text = '' WHERE id = ?", (entry_id,)
            )
            post_row = await self._one(
                conn, "SELECT * FROM posts WHERE entry_id = ? AND channel_id = ?", (entry_id, channel_id)
            )
        return _post_from_row(post_row) if post_row is not None else None

    async def mark_skipped(self, entry_id: int, reason: str) -> bool:
        """A pending entry that will not be posted (e.g. its channel is gone); False if not pending."""
        async with self._writing() as conn:
            changed = await self._changes(
                conn,
                "UPDATE entries SET state = 'skipped', skip_reason = ?, text = '' WHERE id = ? AND state = 'pending'",
                (_one_line(reason) or "skipped", entry_id),
            )
        return changed

    async def latest_posted(self, guild_id: int, limit: int, source: str | None = None) -> list[PostedItem]:
        """The newest posts in ``guild_id`` (one per entry, newest first), optionally of one source.

        ``source`` is a source id (``12`` / ``#12``) or name (case-insensitive). Config-file
        sources count when their posts went to this server.
        """
        limit = max(1, min(int(limit), 100))
        filters = ""
        params: list[Any] = [guild_id]
        async with self._reading() as conn:
            if source is not None and (wanted := " ".join(_clean_text(source, 400).split())):
                # Names are matched in Python: SQLite's lower() folds ASCII only.
                match = _ID_TEXT.fullmatch(wanted)
                wanted_id = int(match.group(1)) if match else None
                candidates = await self._all(
                    conn, "SELECT id, name FROM sources WHERE guild_id IN (?, ?)", (guild_id, CONFIG_GUILD_ID)
                )
                source_ids = [
                    row["id"]
                    for row in candidates
                    if row["id"] == wanted_id or row["name"].casefold() == wanted.casefold()
                ]
                if not source_ids:
                    return []
                filters = f"AND s.id IN ({','.join('?' * len(source_ids))})"
                params += source_ids
            params.append(limit)
            rows = await self._all(
                conn,
                f"""SELECT {_ENTRY_COLUMNS_E}, s.name AS source_name,
                           p.id AS p_id, p.entry_id AS p_entry_id, p.guild_id AS p_guild_id,
                           p.channel_id AS p_channel_id, p.message_id AS p_message_id,
                           p.posted_at AS p_posted_at
                    FROM posts p
                    JOIN entries e ON e.id = p.entry_id
                    JOIN sources s ON s.id = e.source_id
                    WHERE p.guild_id = ?
                      AND p.id = (SELECT max(p2.id) FROM posts p2
                                  WHERE p2.entry_id = p.entry_id AND p2.guild_id = p.guild_id)
                      {filters}
                    ORDER BY p.posted_at DESC, p.id DESC
                    LIMIT ?""",
                params,
            )
        return [
            PostedItem(
                entry=_entry_from_row(row), post=_post_from_row(row, "p_"), source_name=row["source_name"]
            )
            for row in rows
        ]

    # ---- settings ------------------------------------------------------------------------

    async def get_guild_settings(self, guild_id: int, defaults: GuildSettings) -> GuildSettings:
        """``defaults`` with this guild's stored overrides applied (unreadable overrides are ignored)."""
        async with self._reading() as conn:
            rows = await self._all(
                conn, "SELECT name, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
            )
        overrides: dict[str, Any] = {}
        for row in rows:
            if row["name"] not in GUILD_SETTING_NAMES:
                continue
            try:
                overrides[row["name"]] = validate_guild_setting(row["name"], json.loads(row["value"]))
            except (ValueError, TypeError):
                continue
        return replace(defaults, **overrides)

    async def set_guild_setting(self, guild_id: int, name: str, value: Any, *, now: datetime) -> SettingValue:
        """Validate and store one override; returns the normalized value.

        ``InvalidSettingError`` (one line) for an unknown name or a value out of range.
        """
        _check_id(guild_id, "guild_id")
        normalized = validate_guild_setting(name, value)
        stored = json.dumps(
            list(normalized) if isinstance(normalized, tuple) else normalized, ensure_ascii=False
        )
        stamp = _ts(now)
        async with self._writing() as conn:
            await conn.execute(
                """INSERT INTO guild_settings (guild_id, name, value, updated_at) VALUES (?, ?, ?, ?)
                   ON CONFLICT (guild_id, name) DO UPDATE SET value = excluded.value,
                                                              updated_at = excluded.updated_at""",
                (guild_id, name, stored, stamp),
            )
        return normalized

    async def reset_guild_setting(self, guild_id: int, name: str) -> bool:
        """Drop an override so the default applies again; False when there was none."""
        async with self._writing() as conn:
            removed = await self._changes(
                conn, "DELETE FROM guild_settings WHERE guild_id = ? AND name = ?", (guild_id, name)
            )
        return removed

    # ---- debate threads ------------------------------------------------------------------

    async def record_thread(self, post_id: int, thread_id: int, now: datetime) -> ThreadRecord | None:
        """Remember a discussion thread opened under a post (idempotent per thread).

        None when the post no longer exists (its source was removed meanwhile).
        """
        _check_id(thread_id, "thread_id")
        stamp = _ts(now)
        async with self._writing() as conn:
            if await self._one(conn, "SELECT 1 FROM posts WHERE id = ?", (post_id,)) is None:
                return None
            await conn.execute(
                "INSERT OR IGNORE INTO threads (thread_id, post_id, created_at) VALUES (?, ?, ?)",
                (thread_id, post_id, stamp),
            )
            row = await self._one(conn, f"{_THREAD_SELECT} WHERE t.thread_id = ?", (thread_id,))
        return _thread_from_row(row) if row is not None else None

    async def threads_due_for_digest(self, now: datetime, after: timedelta) -> list[ThreadRecord]:
        """Threads without a digest that were opened at least ``after`` before ``now``, oldest first."""
        cutoff = _ts(now) - after.total_seconds()
        async with self._reading() as conn:
            rows = await self._all(
                conn,
                f"{_THREAD_SELECT} WHERE t.digest_posted = 0 AND t.created_at <= ? ORDER BY t.created_at, t.id",
                (cutoff,),
            )
        return [_thread_from_row(row) for row in rows]

    async def mark_digest_posted(self, thread_id: int, now: datetime) -> bool:
        """False when the thread is unknown."""
        stamp = _ts(now)
        async with self._writing() as conn:
            changed = await self._changes(
                conn,
                "UPDATE threads SET digest_posted = 1, digest_posted_at = ? WHERE thread_id = ?",
                (stamp, thread_id),
            )
        return changed


class _StoreOpener:
    """What ``Store.open`` returns: awaitable, and an async context manager that closes on exit."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._store: Store | None = None

    def __await__(self) -> Generator[Any, None, Store]:
        return Store._connect(self._path).__await__()

    async def __aenter__(self) -> Store:
        self._store = await Store._connect(self._path)
        return self._store

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._store is not None:
            await self._store.close()


__all__ = ["SCHEMA_VERSION", "SettingValue", "Store", "validate_guild_setting"]
