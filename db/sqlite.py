"""The SQLite database (aiosqlite): one connection per process, every statement under one lock.

WAL journal, foreign keys on, ``synchronous = FULL``, and a busy timeout for other processes
(``spacebrief preview`` next to a running bot). The lock makes this process's one connection a
single writer and keeps a transaction (BEGIN ... COMMIT over several awaits) free of other
coroutines' statements. Opening runs the migrations (``db.migrations``); a database written by a
newer spacebrief is refused.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from db.base import ConstraintViolation, Row
from db.migrations import SCHEMA_VERSION, migrate
from db.models import StoreError
from db.validation import one_line

#: Milliseconds another process's write lock is waited for before "database is locked".
BUSY_TIMEOUT_MS = 10_000


class SqliteTransaction:
    """``db.base.Transaction`` over an aiosqlite connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cursor:
            row: Row | None = await cursor.fetchone()
            return row

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        await (await self._conn.execute(sql, params)).close()

    async def changes(self, sql: str, params: Sequence[Any] = ()) -> bool:
        async with self._conn.execute(sql, params) as cursor:
            return cursor.rowcount > 0

    async def insert(self, sql: str, params: Sequence[Any] = ()) -> int | None:
        async with self._conn.execute(sql, params) as cursor:
            return cursor.lastrowid if cursor.rowcount == 1 else None


class SqliteDatabase:
    """``db.base.Database`` over one aiosqlite connection. Create it with ``await SqliteDatabase.open(path)``."""

    skip_locked = ""  # BEGIN IMMEDIATE: one writer at a time

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._path = path
        self._transaction = SqliteTransaction(conn)
        # One lock for every statement: a transaction must never see another coroutine's
        # statements in the middle of it.
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def path(self) -> str:
        return self._path

    @classmethod
    async def open(cls, path: str) -> SqliteDatabase:
        """Open (creating or migrating) the database at ``path``.

        Raises ``SchemaTooNewError`` for a database from a newer version and ``StoreError``
        (one line) when the file is not a usable SQLite database.
        """
        # Checked here rather than left to SQLite: aiosqlite's own failure path leaves its worker
        # thread reporting to an event loop that may be gone, and the message is clearer.
        if path != ":memory:" and not path.startswith("file:"):
            parent = Path(path).parent
            if not parent.is_dir():
                raise StoreError(f"cannot open database {path}: directory {parent} does not exist")
        try:
            conn = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {path}: {one_line(exc)}") from None
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
            raise StoreError(f"cannot open database {path}: {one_line(exc)}") from None
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

    def _error(self, exc: sqlite3.Error) -> StoreError:
        if isinstance(exc, sqlite3.IntegrityError):
            return ConstraintViolation(f"database {self._path}: {one_line(exc)}")
        return StoreError(f"database {self._path}: {one_line(exc)}")

    @asynccontextmanager
    async def _locked(self) -> AsyncIterator[None]:
        """The connection to ourselves; a database failure in the body becomes a one-line StoreError."""
        if self._closed:
            raise StoreError("the store is closed")
        async with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise self._error(exc) from None

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[SqliteTransaction]:
        async with self._locked():
            yield self._transaction

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[SqliteTransaction]:
        async with self._locked():
            # BEGIN is inside the try: a cancellation while it is queued must still roll back,
            # or the connection would be left inside a transaction nobody finishes.
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._transaction
                await self._conn.execute("COMMIT")
            except BaseException:
                try:
                    await self._conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # COMMIT had already gone through, or nothing to undo
                raise

    async def diagnostics(self) -> dict[str, Any]:
        """The connection's settings and schema version (for tests and a health check)."""
        async with self.reading() as tx:
            values: dict[str, Any] = {}
            for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous", "user_version"):
                row = await tx.one(f"PRAGMA {pragma}")
                values[pragma] = row[0] if row is not None else None
        values["schema_version"] = SCHEMA_VERSION
        return values

    async def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: "ok", or SQLite's description of the damage."""
        async with self.reading() as tx:
            rows = await tx.all("PRAGMA integrity_check")
        return "\n".join(str(row[0]) for row in rows)
