"""The slash command set last synced per scope, remembered in the store (both backends)."""

from __future__ import annotations

from datetime import timedelta

from db import Store

from .conftest import NOW, raw_sql

GLOBAL, DEV_GUILD = "42:global", "42:guild:7"


async def test_nothing_synced_is_unknown(store: Store) -> None:
    assert await store.synced_commands_hash(GLOBAL) is None


async def test_the_last_sync_per_scope_is_remembered(store: Store, store_target: str) -> None:
    await store.record_commands_sync(GLOBAL, "first", now=NOW)
    await store.record_commands_sync(DEV_GUILD, "dev", now=NOW)
    await store.record_commands_sync(GLOBAL, "second", now=NOW + timedelta(hours=1))
    assert await store.synced_commands_hash(GLOBAL) == "second"
    assert await store.synced_commands_hash(DEV_GUILD) == "dev"
    assert await raw_sql(store_target, "SELECT COUNT(*) FROM command_syncs") == [(2,)]


async def test_a_reopened_store_still_knows(store_target: str) -> None:
    async with Store.open(store_target) as first:
        await first.record_commands_sync(GLOBAL, "abc", now=NOW)
    async with Store.open(store_target) as again:
        assert await again.synced_commands_hash(GLOBAL) == "abc"
