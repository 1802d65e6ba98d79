"""Fixtures shared by every layer's tests: a real PostgreSQL server (tests/helpers/postgres.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.helpers.postgres import Cluster, cluster_for_tests, create_database, drop_database, unavailable


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
