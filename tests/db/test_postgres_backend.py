"""PostgreSQL's own side of the store: its schema version table, concurrent start-ups, failures."""

from __future__ import annotations

import asyncio

import pytest

from db import SchemaTooNewError, Store, StoreError, migrations
from db.migrations import MIGRATIONS, SCHEMA_VERSION
from db.postgres import numbered_placeholders, redact_url
from tests.helpers.postgres import free_port

from .conftest import NOW, raw_sql


async def tables(url: str) -> set[str]:
    return {row[0] for row in await raw_sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


async def test_a_fresh_database_gets_every_table_and_the_schema_version(pg_url: str) -> None:
    async with Store.open(pg_url) as store:
        info = await store.diagnostics()
        assert store.backend == "postgresql"
        assert await store.integrity_check() == "ok"
    assert info["user_version"] == SCHEMA_VERSION and info["backend"] == "postgresql"
    assert {"sources", "entries", "posts", "guild_settings", "threads", "post_claims"} <= await tables(pg_url)
    # Discord ids need 64 bits: every integer column is BIGINT.
    types = await raw_sql(
        pg_url,
        "SELECT DISTINCT data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name <> 'spacebrief_schema' AND data_type LIKE '%int%'",
    )
    assert types == [("bigint",)]


async def test_snowflakes_survive_the_round_trip(pg_url: str) -> None:
    big = 2**63 - 1
    async with Store.open(pg_url) as store:
        source = await store.add_source(big, "https://a.example/rss", "A", big, now=NOW)
        assert (source.guild_id, source.channel_id) == (big, big)


async def test_stores_starting_together_migrate_once(pg_url: str) -> None:
    async def start() -> int:
        async with Store.open(pg_url) as store:
            return int((await store.diagnostics())["user_version"])

    assert await asyncio.gather(*(start() for _ in range(4))) == [SCHEMA_VERSION] * 4
    assert await raw_sql(pg_url, "SELECT version FROM spacebrief_schema") == [(SCHEMA_VERSION,)]


async def test_refuses_a_database_newer_than_the_code(pg_url: str) -> None:
    async with Store.open(pg_url):
        pass
    await raw_sql(pg_url, "UPDATE spacebrief_schema SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaTooNewError) as caught:
        await Store.open(pg_url)
    assert "\n" not in str(caught.value) and "newer" in str(caught.value)


async def test_a_failing_migration_step_changes_nothing(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = (*MIGRATIONS[:1], ("CREATE TABLE half_done (x {int})", "THIS IS NOT SQL"))
    monkeypatch.setattr(migrations, "MIGRATIONS", broken)
    with pytest.raises(StoreError):
        await Store.open(pg_url)
    assert await raw_sql(pg_url, "SELECT version FROM spacebrief_schema") == [(1,)]
    assert "half_done" not in await tables(pg_url)
    monkeypatch.undo()
    async with Store.open(pg_url) as store:
        assert (await store.diagnostics())["user_version"] == SCHEMA_VERSION


async def test_an_unreachable_server_is_a_one_line_error_without_the_password() -> None:
    url = f"postgresql://spacebrief:hunter2@127.0.0.1:{free_port()}/spacebrief"
    with pytest.raises(StoreError) as caught:
        await Store.open(url)
    message = str(caught.value)
    assert "\n" not in message and "hunter2" not in message and "cannot open database" in message
    assert redact_url(url) in message


def test_placeholders_are_numbered_in_order() -> None:
    assert numbered_placeholders("SELECT ? WHERE a = ? AND b IN (?, ?)") == (
        "SELECT $1 WHERE a = $2 AND b IN ($3, $4)"
    )


def test_redacted_urls_keep_everything_but_the_password() -> None:
    assert redact_url("postgresql://bot:s3cret@db:5432/news") == "postgresql://bot:***@db:5432/news"
    assert redact_url("postgresql://db/news") == "postgresql://db/news"


async def test_a_closed_store_refuses_work(pg_url: str) -> None:
    store = await Store.open(pg_url)
    await store.close()
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.list_sources(1)
