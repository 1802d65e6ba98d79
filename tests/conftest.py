"""Fixtures every layer's tests share: a real Store on an SQLite file in a temporary directory, and
a real PostgreSQL server (tests/helpers/postgres.py) for the tests that need one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from db import Store
from tests.helpers.postgres import Cluster, cluster_for_tests, create_database, drop_database, unavailable


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "spacebrief.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    async with Store.open(db_path) as opened:
        yield opened


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The session's PostgreSQL server (started once); skips without one, fails under CI."""
    manager = cluster_for_tests()
    try:
        cluster = manager.__enter__()
    except RuntimeError as exc:
        unavailable(str(exc))
        raise
    try:
        yield cluster
    finally:
        manager.__exit__(None, None, None)


@pytest.fixture
async def pg_url(pg_cluster: Cluster) -> AsyncIterator[str]:
    """A fresh, empty database of its own for this test; dropped afterwards."""
    url = await create_database(pg_cluster)
    try:
        yield url
    finally:
        await drop_database(pg_cluster, url)
