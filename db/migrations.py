"""Schema migrations keyed by ``PRAGMA user_version``.

``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1``. Each step runs in its own
``BEGIN IMMEDIATE`` transaction together with the ``user_version`` bump (the version lives in
the database header, which SQLite writes transactionally), so a crash mid-migration leaves the
previous version intact and the step simply runs again on the next start. Two processes
starting at once are safe too: the version is re-read after the write lock is taken.

Append new steps at the end; never edit a released one.

Times are stored as REAL Unix seconds (UTC), keyword lists and summaries as JSON text.
"""

from __future__ import annotations

import sqlite3

import aiosqlite

from db.models import SchemaTooNewError

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: sources, their entries, and the messages posted for them.
    (
        """
        CREATE TABLE sources (
            id                   INTEGER PRIMARY KEY,
            guild_id             INTEGER NOT NULL CHECK (guild_id >= 0),
            url                  TEXT    NOT NULL,
            name                 TEXT    NOT NULL,
            channel_id           INTEGER NOT NULL DEFAULT 0 CHECK (channel_id >= 0),
            kind                 TEXT    NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'snapi')),
            include_keywords     TEXT    NOT NULL DEFAULT '[]',
            exclude_keywords     TEXT    NOT NULL DEFAULT '[]',
            state                TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            last_error           TEXT,
            next_poll_at         REAL,
            etag                 TEXT,
            last_modified        TEXT,
            disabled_reason      TEXT,
            disabled_notified    INTEGER NOT NULL DEFAULT 0,
            created_at           REAL    NOT NULL,
            last_polled_at       REAL,
            last_success_at      REAL,
            UNIQUE (guild_id, url)
        )
        """,
        "CREATE INDEX sources_due ON sources (state, next_poll_at)",
        """
        CREATE TABLE entries (
            id           INTEGER PRIMARY KEY,
            source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
            key          TEXT    NOT NULL,
            title        TEXT    NOT NULL,
            url          TEXT,
            published    REAL,
            image_url    TEXT,
            text         TEXT    NOT NULL DEFAULT '',
            is_teaser    INTEGER NOT NULL DEFAULT 0,
            state        TEXT    NOT NULL CHECK (state IN ('pending', 'posted', 'skipped')),
            skip_reason  TEXT,
            summary_json TEXT,
            quotes_json  TEXT,
            created_at   REAL    NOT NULL,
            UNIQUE (source_id, key)
        )
        """,
        "CREATE INDEX entries_pending ON entries (source_id, id) WHERE state = 'pending'",
        """
        CREATE TABLE posts (
            id         INTEGER PRIMARY KEY,
            entry_id   INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
            guild_id   INTEGER NOT NULL,
            channel_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            posted_at  REAL    NOT NULL,
            UNIQUE (entry_id, channel_id)
        )
        """,
        "CREATE INDEX posts_by_guild ON posts (guild_id, posted_at)",
    ),
    # 1 -> 2: what the cogs need: per-server settings and discussion threads awaiting a digest.
    (
        """
        CREATE TABLE guild_settings (
            guild_id   INTEGER NOT NULL,
            name       TEXT    NOT NULL,
            value      TEXT    NOT NULL,
            updated_at REAL    NOT NULL,
            PRIMARY KEY (guild_id, name)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE threads (
            id               INTEGER PRIMARY KEY,
            thread_id        INTEGER NOT NULL UNIQUE,
            post_id          INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            created_at       REAL    NOT NULL,
            digest_posted    INTEGER NOT NULL DEFAULT 0,
            digest_posted_at REAL
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
            entry_id   INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,
            attempts   INTEGER NOT NULL DEFAULT 0,
            reason     TEXT    NOT NULL,
            outcome    TEXT    CHECK (outcome IN ('failed', 'unconfirmed')),
            notified   INTEGER NOT NULL DEFAULT 0,
            updated_at REAL    NOT NULL
        )
        """,
        "CREATE INDEX delivery_problems_to_announce ON delivery_problems (entry_id) "
        "WHERE outcome IS NOT NULL AND notified = 0",
        "ALTER TABLE threads ADD COLUMN digest_attempts INTEGER NOT NULL DEFAULT 0",
    ),
)

#: The schema version this code writes.
SCHEMA_VERSION = len(MIGRATIONS)


async def user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row is not None else 0


async def migrate(conn: aiosqlite.Connection, *, target: int = SCHEMA_VERSION, origin: str = "database") -> int:
    """Bring the schema up to ``target`` (default: the latest); returns the version reached.

    ``conn`` must be in autocommit mode (``isolation_level=None``). Raises ``SchemaTooNewError``
    when the database is newer than this code knows, before changing anything.
    """
    if not 0 <= target <= SCHEMA_VERSION:
        raise ValueError(f"no schema version {target}")
    current = await user_version(conn)
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{origin} has schema version {current}, newer than this spacebrief understands "
            f"({SCHEMA_VERSION}); upgrade spacebrief or use another database file"
        )
    while current < target:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            current = await user_version(conn)
            if current < target:
                for statement in MIGRATIONS[current]:
                    await conn.execute(statement)
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
