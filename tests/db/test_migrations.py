"""Schema migrations by PRAGMA user_version, connection settings, and unusable files."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import aiosqlite
import pytest

from db import NewEntry, SchemaTooNewError, Store, StoreError, migrations
from db.migrations import MIGRATIONS, SCHEMA_VERSION, migrate

from .conftest import NOW

BEFORE_CLAIMS = 3  # the schema version before post claims (migration 3 -> 4)


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


async def test_fresh_database_gets_the_latest_schema(db_path: Path) -> None:
    async with Store.open(db_path) as store:
        settings = await store.diagnostics()
    assert settings["user_version"] == SCHEMA_VERSION == len(MIGRATIONS) >= 2
    assert {"sources", "entries", "posts", "guild_settings", "threads"} <= tables(db_path)


async def test_wal_foreign_keys_and_busy_timeout_are_on(sqlite_store: Store, db_path: Path) -> None:
    settings = await sqlite_store.diagnostics()
    assert settings["journal_mode"] == "wal"
    assert settings["foreign_keys"] == 1
    assert settings["busy_timeout"] >= 1000
    # WAL is a property of the file: a plain connection sees it too.
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_foreign_keys_are_enforced(store: Store) -> None:
    # An entry for a source that does not exist is not recorded (the FK would refuse it).
    assert await store.add_entries(424242, [NewEntry("k", "t", None, None)], NOW) == []
    assert await store.get_entry(1) is None


async def test_await_form_and_reopening(db_path: Path) -> None:
    store = await Store.open(db_path)
    source = await store.add_source(1, "https://x.example/feed", "X", 2, now=NOW)
    await store.close()
    await store.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        await store.get_source(source.id)
    async with Store.open(db_path) as reopened:
        assert await reopened.get_source(source.id) == source


async def test_upgrade_from_an_older_user_version_keeps_data(db_path: Path) -> None:
    async with aiosqlite.connect(db_path, isolation_level=None) as conn:
        assert await migrate(conn, target=1) == 1
        await conn.execute(
            "INSERT INTO sources (guild_id, url, name, created_at) VALUES (5, 'https://old.example/rss', 'Old', 0)"
        )
        await conn.execute(
            "INSERT INTO entries (source_id, key, title, state, created_at) VALUES (1, 'k1', 'Kept', 'posted', 0)"
        )
        await conn.execute(
            "INSERT INTO posts (entry_id, guild_id, channel_id, message_id, posted_at) VALUES (1, 5, 9, 99, 0)"
        )
    assert version(db_path) == 1
    assert "threads" not in tables(db_path)

    async with Store.open(db_path) as store:
        assert (await store.diagnostics())["user_version"] == SCHEMA_VERSION
        [source] = await store.list_sources(5)
        assert source.url == "https://old.example/rss"
        assert await store.known_keys(source.id, ["k1"]) == {"k1"}
        [item] = await store.latest_posted(5, 10)
        thread = await store.record_thread(item.post.id, 1234, NOW)
        assert thread is not None and thread.title == "Kept"


async def test_refuses_a_database_newer_than_the_code(db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNewError) as caught:
        await Store.open(db_path)
    message = str(caught.value)
    assert "\n" not in message and "newer" in message and str(db_path) in message
    assert version(db_path) == SCHEMA_VERSION + 1
    assert tables(db_path) == set()  # nothing was created in it


async def test_a_failing_migration_step_changes_nothing(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = (*MIGRATIONS[:1], ("CREATE TABLE half_done (x INTEGER)", "THIS IS NOT SQL"))
    monkeypatch.setattr(migrations, "MIGRATIONS", broken)
    with pytest.raises(StoreError):
        await Store.open(db_path)
    assert version(db_path) == 1  # step 0 -> 1 committed, 1 -> 2 rolled back whole
    assert "half_done" not in tables(db_path)
    monkeypatch.undo()
    async with Store.open(db_path) as store:
        assert (await store.diagnostics())["user_version"] == SCHEMA_VERSION


async def test_a_file_that_is_not_a_database_is_a_one_line_error(tmp_path: Path) -> None:
    garbage = tmp_path / "notes.sqlite3"
    garbage.write_bytes(b"this is not a database\n" * 200)
    with pytest.raises(StoreError) as caught:
        await Store.open(garbage)
    assert "\n" not in str(caught.value) and "not a database" in str(caught.value)


async def test_a_missing_directory_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        await Store.open(tmp_path / "no" / "such" / "dir" / "db.sqlite3")
    assert "\n" not in str(caught.value) and "cannot open database" in str(caught.value)


async def test_two_stores_on_one_file_migrate_once(db_path: Path) -> None:
    async with Store.open(db_path) as first, Store.open(db_path) as second:
        await first.add_source(1, "https://a.example/feed", "A", 0, now=NOW)
        assert [s.name for s in await second.list_sources(1)] == ["A"]
    assert version(db_path) == SCHEMA_VERSION


async def test_entries_pending_before_claims_are_reconciled_first(db_path: Path) -> None:
    async with aiosqlite.connect(db_path, isolation_level=None) as conn:
        assert await migrate(conn, target=BEFORE_CLAIMS) == BEFORE_CLAIMS
        await conn.execute(
            "INSERT INTO sources (guild_id, url, name, channel_id, created_at) VALUES (5, 'https://x.example/rss', 'X', 9, 0)"
        )
        await conn.execute(
            "INSERT INTO entries (source_id, key, title, state, created_at) VALUES (1, 'k1', 'Maybe sent', 'pending', 0)"
        )
    async with Store.open(db_path) as store:
        # It may have gone out just before the upgrade: whoever posts it looks in the channel first.
        assert await store.claim_post(1, 9, owner="bot", now=NOW, lease=timedelta(minutes=5)) == "retry"
