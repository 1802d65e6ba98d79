"""The PostgreSQL test server itself: a real server, loopback only, one empty database per test."""

from __future__ import annotations

import asyncpg

from tests.helpers.postgres import Cluster


async def test_each_test_gets_its_own_empty_database_on_a_loopback_server(
    pg_url: str, pg_cluster: Cluster
) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        version = await conn.fetchval("SHOW server_version_num")
        assert int(version) >= 150000
        tables = await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables == 0
        database = await conn.fetchval("SELECT current_database()")
        assert pg_url.endswith("/" + database)
        if "127.0.0.1" in pg_cluster.base_url:
            assert await conn.fetchval("SHOW listen_addresses") == "127.0.0.1"
    finally:
        await conn.close()
