"""Schema migrations: one list of steps for both databases.

``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1``. The SQL is written once; the
column types that must differ are named by placeholders that ``render`` fills per database:
``{pk}`` (SQLite's rowid ``INTEGER PRIMARY KEY``, PostgreSQL's ``BIGINT`` identity), ``{int}``
(SQLite's 64-bit ``INTEGER``, PostgreSQL's ``BIGINT``: Discord ids need 64 bits), ``{real}``
(``REAL`` / ``DOUBLE PRECISION``) and ``{without_rowid}`` (a SQLite storage hint, nothing on
PostgreSQL).

Where the version lives: SQLite's ``PRAGMA user_version`` (in the database header, written
transactionally), PostgreSQL's one-row ``spacebrief_schema`` table. Each step runs in its own
transaction together with the version bump, so a crash mid-migration leaves the previous version
intact and the step simply runs again on the next start. Two processes starting at once are safe:
SQLite re-reads the version after taking the write lock, PostgreSQL takes an advisory lock first.
A database newer than this code is refused before anything is changed.

Append new steps at the end; never edit a released one.

Times are stored as Unix seconds (UTC) in floating point, keyword lists and summaries as JSON text.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Literal, TypeAlias

import aiosqlite
import asyncpg

from db.models import SchemaTooNewError

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: sources, their entries, and the messages posted for them.
    (
        """
        CREATE TABLE sources (
            id                   {pk},
            guild_id             {int}   NOT NULL CHECK (guild_id >= 0),
            url                  TEXT    NOT NULL,
            name                 TEXT    NOT NULL,
            channel_id           {int}   NOT NULL DEFAULT 0 CHECK (channel_id >= 0),
            kind                 TEXT    NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'snapi')),
            include_keywords     TEXT    NOT NULL DEFAULT '[]',
            exclude_keywords     TEXT    NOT NULL DEFAULT '[]',
            state                TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
            consecutive_failures {int}   NOT NULL DEFAULT 0,
            last_error           TEXT,
            next_poll_at         {real},
            etag                 TEXT,
            last_modified        TEXT,
            disabled_reason      TEXT,
            disabled_notified    {int}   NOT NULL DEFAULT 0,
            created_at           {real}  NOT NULL,
            last_polled_at       {real},
            last_success_at      {real},
            UNIQUE (guild_id, url)
        )
        """,
        "CREATE INDEX sources_due ON sources (state, next_poll_at)",
        """
        CREATE TABLE entries (
            id           {pk},
            source_id    {int}   NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
            key          TEXT    NOT NULL,
            title        TEXT    NOT NULL,
            url          TEXT,
            published    {real},
            image_url    TEXT,
            text         TEXT    NOT NULL DEFAULT '',
            is_teaser    {int}   NOT NULL DEFAULT 0,
            state        TEXT    NOT NULL CHECK (state IN ('pending', 'posted', 'skipped')),
            skip_reason  TEXT,
            summary_json TEXT,
            quotes_json  TEXT,
            created_at   {real}  NOT NULL,
            UNIQUE (source_id, key)
        )
        """,
        "CREATE INDEX entries_pending ON entries (source_id, id) WHERE state = 'pending'",
        """
        CREATE TABLE posts (
            id         {pk},
            entry_id   {int}   NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
            guild_id   {int}   NOT NULL,
            channel_id {int}   NOT NULL,
            message_id {int}   NOT NULL,
            posted_at  {real}  NOT NULL,
            UNIQUE (entry_id, channel_id)
        )
        """,
        "CREATE INDEX posts_by_guild ON posts (guild_id, posted_at)",
    ),
    # 1 -> 2: what the cogs need: per-server settings and discussion threads awaiting a digest.
    (
        """
        CREATE TABLE guild_settings (
            guild_id   {int}   NOT NULL,
            name       TEXT    NOT NULL,
            value      TEXT    NOT NULL,
            updated_at {real}  NOT NULL,
            PRIMARY KEY (guild_id, name)
        ) {without_rowid}
        """,
        """
        CREATE TABLE threads (
            id               {pk},
            thread_id        {int}   NOT NULL UNIQUE,
            post_id          {int}   NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            created_at       {real}  NOT NULL,
            digest_posted    {int}   NOT NULL DEFAULT 0,
            digest_posted_at {real}
        )
        """,
        "CREATE INDEX threads_awaiting_digest ON threads (created_at) WHERE digest_posted = 0",
        "CREATE INDEX threads_by_post ON threads (post_id)",
    ),
    # 2 -> 3: what Discord refuses. Attempts at posting an entry and, once it is given up (Discord
    # refuses it for good: "failed"; or a crash left it unknowable whether it went out:
    # "unconfirmed"), why, and whether the server's admins were told. Digest attempts per thread.
    (
        """
        CREATE TABLE delivery_problems (
            entry_id   {int} PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
            attempts   {int}   NOT NULL DEFAULT 0,
            reason     TEXT    NOT NULL,
            outcome    TEXT    CHECK (outcome IN ('failed', 'unconfirmed')),
            notified   {int}   NOT NULL DEFAULT 0,
            updated_at {real}  NOT NULL
        )
        """,
        "CREATE INDEX delivery_problems_to_announce ON delivery_problems (entry_id) "
        "WHERE outcome IS NOT NULL AND notified = 0",
        "ALTER TABLE threads ADD COLUMN digest_attempts {int} NOT NULL DEFAULT 0",
    ),
    # 3 -> 4: coordination between processes sharing one database (README "Running at scale").
    # A source is claimed for one poll (claimed_by + claim_expires_at, cleared when the poll is
    # recorded); an (entry, channel) post is claimed before it is sent, and a claim that outlived
    # its process means "maybe sent": reconcile with the channel's history before sending again.
    (
        "ALTER TABLE sources ADD COLUMN claimed_by TEXT",
        "ALTER TABLE sources ADD COLUMN claim_expires_at {real}",
        """
        CREATE TABLE post_claims (
            entry_id   {int}   NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
            channel_id {int}   NOT NULL,
            owner      TEXT    NOT NULL,
            attempts   {int}   NOT NULL DEFAULT 1,
            claimed_at {real}  NOT NULL,
            expires_at {real}  NOT NULL,
            PRIMARY KEY (entry_id, channel_id)
        )
        """,
        # Entries left pending before this version may have been sent just before a crash: they
        # get an expired claim, so their next attempt looks in the channel first (as it did before).
        """
        INSERT INTO post_claims (entry_id, channel_id, owner, claimed_at, expires_at)
        SELECT e.id, s.channel_id, 'before claims', 0, 0
        FROM entries e JOIN sources s ON s.id = e.source_id
        WHERE e.state = 'pending' AND s.channel_id <> 0
        """,
    ),
    # 4 -> 5: the slash command set last synced to Discord, per scope ("<application>:global" or
    # "<application>:guild:<id>"), so a restart with unchanged commands does not sync again on
    # either backend (before, SQLite kept it in a file beside the database and PostgreSQL not at all).
    (
        """
        CREATE TABLE command_syncs (
            scope     TEXT    NOT NULL PRIMARY KEY,
            digest    TEXT    NOT NULL,
            synced_at {real}  NOT NULL
        ) {without_rowid}
        """,
    ),
    # 5 -> 6: why a teaser's article page was not used ("HTTP 404"), kept with the summary: a post
    # that reuses the saved summary after a crash or a failed send still says it is of the teaser.
    ("ALTER TABLE entries ADD COLUMN article_problem TEXT",),
    # 6 -> 7: each entry's canonical link (feeds.decide.canonical_link), so "was this article
    # already posted in this channel, from any source" is one indexed look-up over all time.
    # '' means the entry has no canonical link; NULL, recorded before this version: the bot
    # fills those in at start-up (the normalisation is Python, in feeds/).
    (
        "ALTER TABLE entries ADD COLUMN canonical_link TEXT",
        "CREATE INDEX entries_by_canonical_link ON entries (canonical_link) WHERE canonical_link <> ''",
        "CREATE INDEX entries_without_canonical_link ON entries (id) WHERE canonical_link IS NULL",
    ),
)

if TYPE_CHECKING:  # the stubs' generics are not subscriptable at run time
    from asyncpg.pool import PoolConnectionProxy

    #: A connection of its own or one lent by a pool.
    PostgresConnection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]

#: The schema version this code writes.
SCHEMA_VERSION = len(MIGRATIONS)

_TYPES: dict[str, dict[str, str]] = {
    "sqlite": {"pk": "INTEGER PRIMARY KEY", "int": "INTEGER", "real": "REAL", "without_rowid": "WITHOUT ROWID"},
    "postgresql": {
        "pk": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        "int": "BIGINT",
        "real": "DOUBLE PRECISION",
        "without_rowid": "",
    },
}

#: pg_advisory_xact_lock key held while migrating ("spacebrf" in ASCII).
POSTGRES_MIGRATION_LOCK = 0x7370616365627266


def render(statement: str, dialect: Literal["sqlite", "postgresql"]) -> str:
    """A migration statement in one database's SQL."""
    return statement.format_map(_TYPES[dialect])


def _too_new(origin: str, current: int) -> SchemaTooNewError:
    return SchemaTooNewError(
        f"{origin} has schema version {current}, newer than this spacebrief understands "
        f"({SCHEMA_VERSION}); upgrade spacebrief or use another database"
    )


def _check_target(target: int) -> None:
    if not 0 <= target <= SCHEMA_VERSION:
        raise ValueError(f"no schema version {target}")


async def user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row is not None else 0


async def migrate(conn: aiosqlite.Connection, *, target: int = SCHEMA_VERSION, origin: str = "database") -> int:
    """Bring a SQLite schema up to ``target`` (default: the latest); returns the version reached.

    ``conn`` must be in autocommit mode (``isolation_level=None``). Raises ``SchemaTooNewError``
    when the database is newer than this code knows, before changing anything.
    """
    _check_target(target)
    current = await user_version(conn)
    if current > SCHEMA_VERSION:
        raise _too_new(origin, current)
    while current < target:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            current = await user_version(conn)
            if current < target:
                for statement in MIGRATIONS[current]:
                    await conn.execute(render(statement, "sqlite"))
                current += 1
                await conn.execute(f"PRAGMA user_version = {current:d}")
            await conn.execute("COMMIT")
        except BaseException:
            try:
                await conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise
    return current


async def postgres_version(conn: PostgresConnection) -> int:
    """The schema version of a PostgreSQL database (0 when spacebrief never migrated it)."""
    exists = await conn.fetchval("SELECT to_regclass('spacebrief_schema') IS NOT NULL")
    if not exists:
        return 0
    version = await conn.fetchval("SELECT version FROM spacebrief_schema")
    return int(version) if version is not None else 0


async def migrate_postgres(
    conn: PostgresConnection, *, target: int = SCHEMA_VERSION, origin: str = "database"
) -> int:
    """Bring a PostgreSQL schema up to ``target``; same contract as ``migrate``."""
    _check_target(target)
    while True:
        async with conn.transaction():
            # Every process migrates under the same lock; it is released at commit/rollback.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", POSTGRES_MIGRATION_LOCK)
            current = await postgres_version(conn)
            if current > SCHEMA_VERSION:
                raise _too_new(origin, current)
            if current >= target:
                return current
            if current == 0:
                await conn.execute("CREATE TABLE IF NOT EXISTS spacebrief_schema (version INTEGER NOT NULL)")
                await conn.execute("DELETE FROM spacebrief_schema")
                await conn.execute("INSERT INTO spacebrief_schema (version) VALUES (0)")
            for statement in MIGRATIONS[current]:
                await conn.execute(render(statement, "postgresql"))
            await conn.execute("UPDATE spacebrief_schema SET version = $1", current + 1)
