"""Copying a SQLite store into an empty PostgreSQL database (``spacebrief copy-store``).

A server that outgrows one SQLite file moves to PostgreSQL (README "Running at scale") without
losing what the bot has seen and posted: every row of every table is copied as it is (ids
included), so the bot started on PostgreSQL knows every entry and post and repeats none.

- The source is opened *exclusively*: in WAL mode, SQLite's exclusive locking mode cannot start
  while any other process has the file open, even idle, so a bot or preview still running on it
  (on this machine) is refused; and while the copy runs, nothing else can open the file.
- The source is brought to this code's schema version first (as the bot would on start); one
  written by a newer spacebrief is refused before anything is changed.
- The target is created and filled in **one transaction**: its schema, the rows, the identity
  counters (set past the copied ids). A failure anywhere rolls all of it back, leaving the
  target as it was. A target that already holds any spacebrief row is refused: nothing is ever
  overwritten or merged (``TargetNotEmptyError`` says what it holds).
- ``TABLES`` lists every table, parents first; the copy refuses a source whose tables differ,
  so a table added to the schema and not to this list fails loudly (and its test fails first).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import asyncpg

from db.migrations import (
    POSTGRES_MIGRATION_LOCK,
    SCHEMA_VERSION,
    migrate,
    migrate_postgres,
    postgres_version,
    user_version,
)
from db.models import SchemaTooNewError, StoreError
from db.postgres import CONNECT_TIMEOUT_S, redact_url
from db.rows import ts
from db.validation import one_line

#: Every table of the schema, in an order where a row's parent is copied before it.
TABLES: tuple[str, ...] = (
    "sources",
    "entries",
    "posts",
    "threads",
    "delivery_problems",
    "post_claims",
    "guild_settings",
    "command_syncs",
)

#: PostgreSQL's own table of the schema version: written by the migrations, never copied.
VERSION_TABLE = "spacebrief_schema"

#: Seconds to wait for a write in progress by another process before calling the file in use.
SOURCE_LOCK_WAIT_S = 2.0
#: Rows read and sent per batch (bounded memory for stores of any size).
BATCH_ROWS = 2000


class CopyRefusedError(StoreError):
    """Nothing was copied and nothing changed: the one-line message says why."""


class SourceInUseError(CopyRefusedError):
    """Another process has the SQLite file open (a running bot or preview)."""


class TargetNotEmptyError(CopyRefusedError):
    """The PostgreSQL database already holds spacebrief rows."""


class CopyFailedError(StoreError):
    """The copy failed part-way; the target's transaction was rolled back (it is as it was)."""


@dataclass(frozen=True, slots=True)
class LiveClaim:
    """A claim in the source that has not expired: its holder may still be at work."""

    owner: str
    what: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class CopyReport:
    source: str
    target: str
    schema_version: int
    #: The source's version before it was migrated for the copy; None when it was current.
    migrated_from: int | None
    #: (table, rows copied) in copy order.
    rows: tuple[tuple[str, int], ...]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqliteSource:
    """A SQLite store held exclusively for a copy. Open it with ``await SqliteSource.open(path)``."""

    def __init__(self, conn: aiosqlite.Connection, path: str, migrated_from: int | None) -> None:
        self._conn = conn
        self.path = path
        self.migrated_from = migrated_from

    @classmethod
    async def open(cls, path: str) -> SqliteSource:
        """Hold ``path`` exclusively and bring it to this schema version.

        Raises ``SourceInUseError`` when another process has it open, ``CopyRefusedError`` when it
        is missing, not a spacebrief database or from a newer spacebrief.
        """
        if not await asyncio.to_thread(Path(path).is_file):
            raise CopyRefusedError(f"no SQLite database at {path}")
        try:
            conn = await aiosqlite.connect(path, isolation_level=None, timeout=SOURCE_LOCK_WAIT_S)
        except sqlite3.Error as exc:
            raise CopyRefusedError(f"cannot open {path}: {one_line(exc)}") from None
        try:
            await conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            try:
                # The lock is taken here and kept until the connection closes (exclusive mode).
                await conn.execute("BEGIN EXCLUSIVE")
                await (await conn.execute("SELECT count(*) FROM sqlite_master")).close()
                await conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise SourceInUseError(
                        f"{path} is open in another process (a running bot or preview?): stop it and run "
                        "copy-store again"
                    ) from None
                raise
            before = await user_version(conn)
            if before == 0 and not await _has_table(conn, "sources"):
                raise CopyRefusedError(f"{path} is not a spacebrief database (it has no spacebrief tables)")
            if before > SCHEMA_VERSION:
                raise CopyRefusedError(
                    f"{path} has schema version {before}, newer than this spacebrief understands "
                    f"({SCHEMA_VERSION}); copy it with the spacebrief that wrote it"
                )
            await migrate(conn, origin=path)
        except CopyRefusedError:
            await conn.close()
            raise
        except sqlite3.Error as exc:
            await conn.close()
            raise CopyRefusedError(f"cannot read {path}: {one_line(exc)}") from None
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path, before if before < SCHEMA_VERSION else None)

    async def close(self) -> None:
        await self._conn.close()

    async def tables(self) -> set[str]:
        async with self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        ) as cursor:
            return {str(row[0]) for row in await cursor.fetchall()}

    async def columns(self, table: str) -> list[str]:
        async with self._conn.execute(f"PRAGMA table_info({_quoted(table)})") as cursor:
            return [str(row[1]) for row in await cursor.fetchall()]

    async def live_claims(self, now: datetime) -> list[LiveClaim]:
        """Claims (``db.claims``) not yet expired at ``now``: their holders may be running."""
        stamp = ts(now)
        claims: list[LiveClaim] = []
        async with self._conn.execute(
            "SELECT claimed_by, name, claim_expires_at FROM sources WHERE claimed_by IS NOT NULL "
            "AND claim_expires_at > ? ORDER BY id",
            (stamp,),
        ) as cursor:
            for owner, name, expires in await cursor.fetchall():
                claims.append(LiveClaim(str(owner), f"source {name}", datetime.fromtimestamp(expires, UTC)))
        async with self._conn.execute(
            "SELECT owner, entry_id, expires_at FROM post_claims WHERE expires_at > ? ORDER BY entry_id",
            (stamp,),
        ) as cursor:
            for owner, entry_id, expires in await cursor.fetchall():
                claims.append(LiveClaim(str(owner), f"the post of entry {entry_id}", datetime.fromtimestamp(expires, UTC)))
        return claims

    async def batches(self, table: str, columns: Sequence[str]) -> AsyncIterator[list[tuple[object, ...]]]:
        """The table's rows in batches of ``BATCH_ROWS``, in rowid order."""
        select = f"SELECT {', '.join(_quoted(c) for c in columns)} FROM {_quoted(table)}"
        async with self._conn.execute(select) as cursor:
            while batch := await cursor.fetchmany(BATCH_ROWS):
                yield [tuple(row) for row in batch]

    async def begin_snapshot(self) -> None:
        await self._conn.execute("BEGIN")

    async def end_snapshot(self) -> None:
        await self._conn.execute("COMMIT")


async def _has_table(conn: aiosqlite.Connection, name: str) -> bool:
    async with conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)) as cursor:
        return await cursor.fetchone() is not None


async def _target_tables(conn: asyncpg.Connection) -> set[str]:
    rows = await conn.fetch(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )
    return {str(row[0]) for row in rows}


async def _target_columns(conn: asyncpg.Connection, table: str) -> set[str]:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = $1",
        table,
    )
    return {str(row[0]) for row in rows}


async def _identity_columns(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name"
    )
    return [(str(row[0]), str(row[1])) for row in rows]


def _holdings(counts: Sequence[tuple[str, int]]) -> str:
    held = [f"{table}: {count}" for table, count in counts if count]
    return ", ".join(held)


async def copy_to_postgres(source: SqliteSource, url: str) -> CopyReport:
    """Copy every table of ``source`` into the empty PostgreSQL database at ``url``, in one transaction.

    ``CopyRefusedError`` (nothing written) for a target that holds spacebrief rows, is newer than
    this code, or whose tables do not match; ``CopyFailedError`` when the copy failed part-way
    (rolled back); ``StoreError`` when the target cannot be reached. Messages never hold the password.
    """
    label = redact_url(url)
    found = await source.tables()
    if found != set(TABLES):
        unknown, missing = sorted(found - set(TABLES)), sorted(set(TABLES) - found)
        detail = "; ".join(
            part for part in (
                f"tables this spacebrief does not know how to copy: {', '.join(unknown)}" if unknown else "",
                f"missing tables: {', '.join(missing)}" if missing else "",
            ) if part
        )
        raise CopyRefusedError(f"{source.path} does not have the tables of schema {SCHEMA_VERSION} ({detail})")
    try:
        conn = await asyncpg.connect(url.strip(), timeout=CONNECT_TIMEOUT_S)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, ValueError, TimeoutError) as exc:
        raise StoreError(f"cannot open database {label}: {one_line(exc) or type(exc).__name__}") from None
    table = "(schema)"
    try:
        async with conn.transaction():
            # Bots starting on the target wait for this lock (they migrate under it) until the commit.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", POSTGRES_MIGRATION_LOCK)
            if (version := await postgres_version(conn)) > SCHEMA_VERSION:
                raise CopyRefusedError(
                    f"{label} has schema version {version}, newer than this spacebrief understands "
                    f"({SCHEMA_VERSION})"
                )
            await migrate_postgres(conn, origin=label)
            if absent := set(TABLES) - await _target_tables(conn):
                raise CopyRefusedError(f"{label} lacks the tables {', '.join(sorted(absent))} after migrating")
            await conn.execute(f"LOCK TABLE {', '.join(TABLES)} IN EXCLUSIVE MODE")
            held = [(name, int(await conn.fetchval(f"SELECT count(*) FROM {name}"))) for name in TABLES]
            if any(count for _, count in held):
                raise TargetNotEmptyError(
                    f"{label} already holds spacebrief rows ({_holdings(held)}); copy-store only fills an "
                    "empty database and never overwrites: give --to a new database (createdb), or drop "
                    "this one and create it again"
                )
            await source.begin_snapshot()
            copied: list[tuple[str, int]] = []
            try:
                for table in TABLES:
                    columns = await source.columns(table)
                    if set(columns) != await _target_columns(conn, table):
                        raise CopyRefusedError(f"table {table}: the columns of {source.path} and {label} differ")
                    rows = 0
                    async for batch in source.batches(table, columns):
                        await conn.copy_records_to_table(table, records=batch, columns=columns)
                        rows += len(batch)
                    copied.append((table, rows))
            finally:
                await source.end_snapshot()
            table = "(identity counters)"
            for name, column in await _identity_columns(conn):
                # The next id handed out is past every copied one (1 for an empty table).
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence($1, $2), "
                    f"coalesce((SELECT max({_quoted(column)}) FROM {_quoted(name)}), 0) + 1, false)",
                    name,
                    column,
                )
            table = "(check)"
            for name, rows in copied:
                if (landed := int(await conn.fetchval(f"SELECT count(*) FROM {name}"))) != rows:
                    raise CopyFailedError(f"table {name}: {rows} rows read but {landed} in the target")
    except (CopyRefusedError, CopyFailedError):
        raise
    except SchemaTooNewError as exc:
        raise CopyRefusedError(str(exc)) from None
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, sqlite3.Error) as exc:
        raise CopyFailedError(
            f"copy into {label} failed at table {table}: {one_line(exc) or type(exc).__name__}; "
            "nothing was written (the transaction was rolled back)"
        ) from None
    finally:
        await conn.close()
    return CopyReport(source.path, label, SCHEMA_VERSION, source.migrated_from, tuple(copied))
