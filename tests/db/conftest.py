"""Fixtures for db/ tests: the same suite on a real SQLite file and on a real PostgreSQL database.

``store`` (and ``store_target``, what it was opened on) is parametrized over both backends, so
every test that takes it runs twice; tests about one backend's own behaviour (SQLite pragmas and
files, PostgreSQL's schema table) use ``db_path`` or ``pg_url`` directly.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from db import Store
from db.postgres import is_postgres_url, numbered_placeholders

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, db_path: Path) -> str:
    """A SQLite file path or a PostgreSQL URL of an empty database of this test's own."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return str(db_path)


@pytest.fixture
async def store(store_target: str) -> AsyncIterator[Store]:
    async with Store.open(store_target) as opened:
        yield opened


@pytest.fixture
async def sqlite_store(db_path: Path) -> AsyncIterator[Store]:
    """For tests of SQLite's own behaviour (pragmas, the file)."""
    async with Store.open(db_path) as opened:
        yield opened


async def raw_sql(target: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement behind the store's back (to corrupt or count rows), on either backend."""
    if is_postgres_url(target):
        conn = await asyncpg.connect(target)
        try:
            return [tuple(row) for row in await conn.fetch(numbered_placeholders(sql), *params)]
        finally:
            await conn.close()
    with sqlite3.connect(target) as conn:
        return [tuple(row) for row in conn.execute(sql, params).fetchall()]
