"""What every part of the store stands on: a database, its transactions, and the rows they return.

The per-kind query modules (``db.sources``, ``db.entries``, ``db.settings``, ``db.threads``) hold
the SQL and talk only to these interfaces; ``db.sqlite`` implements them over aiosqlite. A second
backend implements ``Database`` and ``Transaction`` the same way: SQL in the query modules uses
``?`` placeholders, ``INSERT ... ON CONFLICT`` clauses and no SQLite-only syntax (PRAGMAs stay in
``db.sqlite``), so a backend whose driver numbers its parameters rewrites the placeholders in its
``Transaction`` (and appends ``RETURNING id`` in ``insert``) rather than the queries being copied.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from db.models import StoreError


class ConstraintViolation(StoreError):
    """A write broke a uniqueness or foreign-key constraint (the query module decides what that means)."""


class Row(Protocol):
    """A result row: by column name, or by position for single-column queries."""

    def __getitem__(self, key: str | int, /) -> Any: ...


class Transaction(Protocol):
    """Statements run on the store's one connection, inside ``Database.reading()``/``writing()``."""

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    async def changes(self, sql: str, params: Sequence[Any] = ()) -> bool:
        """Run a write; True when it changed at least one row."""
        ...

    async def insert(self, sql: str, params: Sequence[Any] = ()) -> int | None:
        """Run an INSERT into a table keyed by ``id``; the new id, or None when a conflict skipped it."""
        ...


class Database(Protocol):
    """One open database: every statement serialized, writes in one transaction each."""

    @property
    def path(self) -> str: ...

    def reading(self) -> AbstractAsyncContextManager[Transaction]:
        """Statements that only read. ``StoreError`` (one line) when the database fails or is closed."""
        ...

    def writing(self) -> AbstractAsyncContextManager[Transaction]:
        """One write transaction, committed on exit and rolled back if the body raises or is cancelled.

        A broken constraint raises ``ConstraintViolation``; other database failures ``StoreError``.
        """
        ...

    async def close(self) -> None: ...

    async def diagnostics(self) -> dict[str, Any]: ...

    async def integrity_check(self) -> str: ...


class Queries:
    """Base of the per-kind query classes: they share one ``Database``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    @property
    def path(self) -> str:
        return self._db.path
