"""The PostgreSQL database (asyncpg): ``db.base.Database`` for several processes sharing one store.

Chosen by ``[database] url = "postgresql://..."`` (README "Running at scale"). The query modules'
SQL runs unchanged: ``?`` placeholders become ``$1, $2, ...`` here, and ``insert`` appends
``RETURNING id``. Each process keeps a small connection pool; each write is one transaction on
one pooled connection, and PostgreSQL's row locks serialize processes (claims use
``FOR UPDATE SKIP LOCKED``, ``db.base.Database.skip_locked``). Opening runs the same migrations
as SQLite (``db.migrations``) under an advisory lock. Errors come out as ``StoreError`` with one
line and never the password; a broken constraint as ``ConstraintViolation``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from db.base import ConstraintViolation, Row
from db.migrations import SCHEMA_VERSION, migrate_postgres, postgres_version
from db.models import StoreError
from db.validation import one_line

if TYPE_CHECKING:
    from db.migrations import PostgresConnection

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
#: Connections each process keeps (the news loop polls 8 sources at once).
POOL_SIZE = 10
#: Seconds a statement may run before it is cancelled (a stuck lock, a lost server).
STATEMENT_TIMEOUT_S = 60.0
#: Seconds to connect before the open fails.
CONNECT_TIMEOUT_S = 30.0

#: What a failed call can raise besides PostgreSQL's own errors (network, closed pool).
_FAILURES: tuple[type[BaseException], ...] = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)
_OPEN_FAILURES: tuple[type[BaseException], ...] = (*_FAILURES, ValueError, TimeoutError)
_CLOSE_FAILURES: tuple[type[BaseException], ...] = (*_FAILURES, TimeoutError)
_PLACEHOLDER = re.compile(r"\?")


def is_postgres_url(target: str) -> bool:
    return target.strip().lower().startswith(POSTGRES_SCHEMES)


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url.strip())
        password = parts.password
    except ValueError:
        return "postgresql://(unreadable URL)"
    if password is None:
        return url.strip()
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


@lru_cache(maxsize=1024)
def numbered_placeholders(sql: str) -> str:
    """``?`` placeholders as ``$1, $2, ...`` (the query modules put no ``?`` inside literals)."""
    numbers = iter(range(1, 1_000_000))
    return _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)


def _rows_changed(status: str) -> int:
    """Rows changed, from a command tag such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PostgresTransaction:
    """``db.base.Transaction`` over one pooled asyncpg connection."""

    def __init__(self, conn: PostgresConnection) -> None:
        self._conn = conn

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._conn.fetch(numbered_placeholders(sql), *params))

    async def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row: Row | None = await self._conn.fetchrow(numbered_placeholders(sql), *params)
        return row

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        await self._conn.execute(numbered_placeholders(sql), *params)

    async def changes(self, sql: str, params: Sequence[Any] = ()) -> bool:
        return _rows_changed(await self._conn.execute(numbered_placeholders(sql), *params)) > 0

    async def insert(self, sql: str, params: Sequence[Any] = ()) -> int | None:
        row = await self._conn.fetchrow(numbered_placeholders(sql) + " RETURNING id", *params)
        return int(row[0]) if row is not None else None


class PostgresDatabase:
    """``db.base.Database`` over an asyncpg pool. Create it with ``await PostgresDatabase.open(url)``."""

    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self._label = redact_url(url)
        self._closed = False

    @property
    def path(self) -> str:
        """Where the database is, for messages: the URL without its password."""
        return self._label

    @classmethod
    async def open(cls, url: str, *, pool_size: int = POOL_SIZE) -> PostgresDatabase:
        """Connect and migrate. ``SchemaTooNewError`` for a newer schema; ``StoreError`` (one line) else."""
        label = redact_url(url)
        try:
            pool = await asyncpg.create_pool(
                url.strip(),
                min_size=1,
                max_size=pool_size,
                command_timeout=STATEMENT_TIMEOUT_S,
                timeout=CONNECT_TIMEOUT_S,
            )
        except _OPEN_FAILURES as exc:
            raise StoreError(f"cannot open database {label}: {one_line(exc) or type(exc).__name__}") from None
        try:
            async with pool.acquire() as conn:
                await migrate_postgres(conn, origin=label)
        except StoreError:
            await pool.close()
            raise
        except _FAILURES as exc:
            await pool.close()
            raise StoreError(f"cannot open database {label}: {one_line(exc)}") from None
        except BaseException:
            pool.terminate()
            raise
        return cls(pool, url)

    def _error(self, exc: BaseException) -> StoreError:
        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            return ConstraintViolation(f"database {self._label}: {one_line(exc)}")
        return StoreError(f"database {self._label}: {one_line(exc) or type(exc).__name__}")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[PostgresTransaction]:
        if self._closed:
            raise StoreError("the store is closed")
        try:
            async with self._pool.acquire() as conn:
                yield PostgresTransaction(conn)
        except _FAILURES as exc:
            raise self._error(exc) from None

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[PostgresTransaction]:
        if self._closed:
            raise StoreError("the store is closed")
        try:
            # The transaction rolls back when the body raises or is cancelled.
            async with self._pool.acquire() as conn, conn.transaction():
                yield PostgresTransaction(conn)
        except _FAILURES as exc:
            raise self._error(exc) from None

    async def close(self) -> None:
        """Close the pool (idempotent); connections still busy are cut after a few seconds."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.wait_for(self._pool.close(), timeout=10)
        except _CLOSE_FAILURES:
            self._pool.terminate()

    async def diagnostics(self) -> dict[str, Any]:
        """Server version and schema version (for tests and a health check)."""
        async with self._pool.acquire() as conn:
            server = await conn.fetchval("SHOW server_version")
            version = await postgres_version(conn)
        return {"backend": "postgresql", "server_version": server, "user_version": version,
                "schema_version": SCHEMA_VERSION}

    async def integrity_check(self) -> str:
        """"ok", or the first table holding rows whose parent row is gone.

        PostgreSQL enforces the foreign keys itself and keeps its files consistent through its
        write-ahead log; this is the cross-check the crash tests ask of both backends.
        """
        async with self._pool.acquire() as conn:
            for child, column, parent in _REFERENCES:
                orphans = await conn.fetchval(
                    f"SELECT count(*) FROM {child} c WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {parent} p WHERE p.id = c.{column})"
                )
                if orphans:
                    return f"{child}: {orphans} row(s) whose {parent} row is gone"
        return "ok"


#: (table, column, referenced table) of every foreign key in the schema.
_REFERENCES = (
    ("entries", "source_id", "sources"),
    ("posts", "entry_id", "entries"),
    ("threads", "post_id", "posts"),
    ("post_claims", "entry_id", "entries"),
    ("delivery_problems", "entry_id", "entries"),
)
