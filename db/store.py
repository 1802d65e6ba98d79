"""``Store``: the whole database API in one object, composed of the per-kind query classes.

Usage::

    async with Store.open("spacebrief.sqlite3") as store:
        source = await store.add_source(guild_id, url, name, channel_id, now=now)

    store = await Store.open(path)   # same thing, closed later with ``await store.close()``

The SQL lives in ``db.sources``, ``db.entries``, ``db.deliveries``, ``db.settings``, ``db.threads``,
``db.claims`` and ``db.command_syncs``; the connection
in ``db.sqlite`` (behind ``db.base.Database``). All ``now`` arguments are injected by the caller
(aware datetimes); nothing here reads the clock except through them.
"""

from __future__ import annotations

from collections.abc import Generator
from os import PathLike, fspath
from types import TracebackType
from typing import Any

from db.base import Database
from db.claims import ClaimQueries
from db.command_syncs import CommandSyncQueries
from db.deliveries import DeliveryQueries
from db.entries import EntryQueries
from db.migrations import SCHEMA_VERSION
from db.postgres import PostgresDatabase, is_postgres_url
from db.settings import GuildSettingsQueries
from db.sources import SourceQueries
from db.sqlite import SqliteDatabase
from db.threads import ThreadQueries


class Store(
    SourceQueries,
    EntryQueries,
    DeliveryQueries,
    GuildSettingsQueries,
    ThreadQueries,
    ClaimQueries,
    CommandSyncQueries,
):
    """Typed async access to the spacebrief database. Create it with ``Store.open(target)``."""

    @classmethod
    def open(cls, target: str | PathLike[str]) -> _StoreOpener:
        """Open (creating or migrating) the database: ``await`` it or ``async with`` it.

        ``target`` is a SQLite file path (the embedded default), or a ``postgresql://`` URL of a
        database several processes share (README "Running at scale"). Raises ``SchemaTooNewError``
        for a database from a newer version and ``StoreError`` (one line, never a password) when
        the database cannot be used.
        """
        return _StoreOpener(fspath(target))

    @property
    def backend(self) -> str:
        """``"postgresql"`` or ``"sqlite"``."""
        return "postgresql" if isinstance(self._db, PostgresDatabase) else "sqlite"

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        await self._db.close()

    async def diagnostics(self) -> dict[str, Any]:
        """The connection's settings and schema version (for tests and a health check)."""
        return await self._db.diagnostics()

    async def integrity_check(self) -> str:
        """"ok", or the database's description of the damage."""
        return await self._db.integrity_check()


class _StoreOpener:
    """What ``Store.open`` returns: awaitable, and an async context manager that closes on exit."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._store: Store | None = None

    async def _open(self) -> Store:
        database: Database
        if is_postgres_url(self._path):
            database = await PostgresDatabase.open(self._path)
        else:
            database = await SqliteDatabase.open(self._path)
        return Store(database)

    def __await__(self) -> Generator[Any, None, Store]:
        return self._open().__await__()

    async def __aenter__(self) -> Store:
        self._store = await self._open()
        return self._store

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._store is not None:
            await self._store.close()


__all__ = ["SCHEMA_VERSION", "Store"]
