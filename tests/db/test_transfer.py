"""db.transfer: a SQLite store filled through the Store API, copied into a real PostgreSQL
database and read back through the Store API there, record by record; and the refusals (a newer
schema, a non-empty target, a file in use) and a failure part-way, which leaves the target empty."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from db import ConfigSource, GuildSettings, NewEntry, Store, StoredQuote
from db.migrations import SCHEMA_VERSION, migrate
from db.transfer import (
    TABLES,
    VERSION_TABLE,
    CopyFailedError,
    CopyRefusedError,
    CopyReport,
    SourceInUseError,
    SqliteSource,
    TargetNotEmptyError,
    copy_to_postgres,
)
from tests.db.conftest import NOW, raw_sql

GUILD = 111_000_000_000_000_001
CHANNEL = 222_000_000_000_000_002
BIG_ID = 2**63 - 1  # the largest snowflake the store accepts
OWNER = "bot/elsewhere/4242/cafe"
LEASE = timedelta(minutes=5)


async def fill(store: Store) -> None:
    """One of everything the schema holds, through the Store API only."""
    later = NOW + timedelta(minutes=7, microseconds=250_000)
    agency = await store.add_source(
        GUILD, "https://agency.example/feed.xml", "Agency — news", CHANNEL, now=NOW,
        include_keywords=("moon", "mars"), exclude_keywords=("sale",),
    )
    snapi = await store.add_source(GUILD, "https://api.spaceflightnewsapi.net/v4/articles/", "SNAPI", CHANNEL,
                                   now=NOW, kind="snapi")
    broken = await store.add_source(GUILD, "https://gone.example/rss", "Gone", BIG_ID, now=NOW)
    [config_source] = await store.sync_config_sources(
        [ConfigSource("Config feed", "https://config.example/atom.xml", CHANNEL, ("launch",))], now=NOW
    )
    await store.record_poll_success(agency.id, later, etag='"v1"', last_modified="Sun, 01 Mar 2026 12:00:00 GMT",
                                    next_poll_at=later + timedelta(minutes=15))
    await store.record_poll_failure(broken.id, later, "HTTP 404", next_poll_at=later + timedelta(hours=1),
                                    disable_reason="the feed is gone (HTTP 404)")
    await store.claim_sources([snapi.id], owner=OWNER, now=later, lease=LEASE, due_only=False)

    entries = await store.add_entries(agency.id, [
        NewEntry(f"guid-{n}", f"Story {n} «quoted» 🚀", f"https://agency.example/{n}", NOW - timedelta(days=n),
                 image_url="https://agency.example/i.png" if n == 1 else None, text=f"Body {n}.",
                 is_teaser=n == 2, canonical_link=f"agency.example/{n}")
        for n in range(1, 6)
    ] + [NewEntry("old", "Seen before", None, None, state="skipped", skip_reason="backfill")], NOW)
    posted, claimed, failing, given_up, announced, _skipped = entries
    await store.save_entry_summary(posted.id, ["First sentence.", "Second one."],
                                   [StoredQuote("We did it", "Ortiz"), StoredQuote("No name", None)],
                                   article_problem="HTTP 404")
    assert await store.claim_post(posted.id, CHANNEL, owner=OWNER, now=later, lease=LEASE) == "first"
    post = await store.mark_posted(posted.id, CHANNEL, BIG_ID, later, guild_id=GUILD)
    assert post is not None
    await store.record_thread(post.id, 333_000_000_000_000_003, later)
    await store.count_digest_attempt(333_000_000_000_000_003)
    assert await store.claim_post(claimed.id, CHANNEL, owner=OWNER, now=later, lease=LEASE) == "first"
    await store.count_delivery_attempt(failing.id, "HTTP 500 from Discord", later)
    await store.give_up_entry(given_up.id, "failed", "Missing Access", later)
    await store.give_up_entry(announced.id, "unconfirmed", "history unreadable", later)
    await store.mark_problem_announced(announced.id)
    await store.add_entries(config_source.id, [NewEntry("c1", "Config story", "https://config.example/1", NOW)], NOW)
    await store.set_guild_setting(GUILD, "sentences", 5, now=NOW)
    await store.set_guild_setting(GUILD, "interval_minutes", 2.5, now=NOW)
    await store.set_guild_setting(GUILD, "include_keywords", ["moon", "lander"], now=NOW)
    await store.record_commands_sync("1234:global", "a" * 64, now=NOW)
    await store.record_commands_sync("1234:guild:99", "b" * 64, now=later)


def sqlite_exec(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """One statement on the file behind the store's back, the connection closed at once (an open
    one would make the copy refuse the file as in use)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return [tuple(row) for row in conn.execute(sql).fetchall()]
    finally:
        conn.close()


async def filled_sqlite(path: Path) -> None:
    async with Store.open(path) as store:
        await fill(store)


async def copy(path: Path, url: str) -> CopyReport:
    source = await SqliteSource.open(str(path))
    try:
        return await copy_to_postgres(source, url)
    finally:
        await source.close()


async def table_rows(target: str, table: str) -> list[tuple[Any, ...]]:
    sql = f"SELECT * FROM {table}"
    rows = await raw_sql(target, sql) if target.startswith("postgresql") else sqlite_exec(Path(target), sql)
    return sorted(rows, key=repr)


async def pg_tables(url: str) -> set[str]:
    rows = await raw_sql(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
    return {str(row[0]) for row in rows}


async def api_view(store: Store) -> dict[str, Any]:
    """What the bot can read back through the Store API."""
    sources = await store.list_all_sources()
    entry_ids = [row for source in sources for row in await store.pending_entries(source.id)]
    far = NOW + timedelta(days=3650)
    return {
        "sources": sources,
        "guild_sources": await store.list_sources(GUILD),
        "entries": [await store.get_entry(n) for n in range(1, 10)],
        "pending": entry_ids,
        "latest_posted": await store.latest_posted(GUILD, 50),
        "problems": await store.problems_to_announce(),
        "settings": await store.get_guild_settings(GUILD, GuildSettings()),
        "threads": await store.threads_due_for_digest(far, timedelta(0)),
        "syncs": [await store.synced_commands_hash(s) for s in ("1234:global", "1234:guild:99", "none")],
        "claim_owners": await store.claim_owners(),
        "disabled": await store.disabled_unnotified_sources(),
        "duplicate": await store.article_posted_in_channel(GUILD, CHANNEL, "agency.example/1"),
    }


async def test_every_record_is_copied_and_reads_back_the_same_through_the_store(
    db_path: Path, pg_url: str
) -> None:
    await filled_sqlite(db_path)
    report = await copy(db_path, pg_url)

    counts = dict(report.rows)
    assert list(counts) == list(TABLES)
    assert report.migrated_from is None and report.schema_version == SCHEMA_VERSION
    for table in TABLES:
        source_rows = await table_rows(str(db_path), table)
        assert source_rows, f"the fixture leaves {table} empty: fill() must cover every table"
        assert counts[table] == len(source_rows)
        assert await table_rows(pg_url, table) == source_rows, table

    async with Store.open(db_path) as sqlite_store, Store.open(pg_url) as pg_store:
        assert pg_store.backend == "postgresql"
        before, after = await api_view(sqlite_store), await api_view(pg_store)
        for key in before:
            assert after[key] == before[key], key
        assert after["duplicate"] is True and after["claim_owners"] == {OWNER}
        assert await pg_store.integrity_check() == "ok"
        # The identity counters continue after the copied ids: new rows never collide.
        max_source = max(source.id for source in after["sources"])
        fresh = await pg_store.add_source(GUILD, "https://new.example/feed", "New", CHANNEL, now=NOW)
        assert fresh.id == max_source + 1
        [entry] = await pg_store.add_entries(fresh.id, [NewEntry("n", "New", "https://new.example/n", NOW)], NOW)
        assert entry.id == max(e.id for e in after["entries"] if e is not None) + 1
        # The post claim copied over keeps its meaning: another process must look before sending.
        pending = [e for e in after["pending"] if e.key == "guid-2"]
        assert await pg_store.claim_post(pending[0].id, CHANNEL, owner="bot/other/1/x", now=NOW + timedelta(hours=1),
                                         lease=LEASE) == "retry"
        # What was posted is known: the posted entry is not pending, its claim was dropped.
        assert await pg_store.claim_post(after["latest_posted"][0].entry.id, CHANNEL, owner="bot/other/1/x",
                                         now=NOW + timedelta(hours=1), lease=LEASE) is None


async def test_the_copied_tables_are_the_schemas_tables(db_path: Path, pg_url: str) -> None:
    """A table added to the schema and not to db.transfer.TABLES fails here (and the copy refuses)."""
    async with Store.open(db_path), Store.open(pg_url):
        pass
    rows = sqlite_exec(db_path, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    sqlite_tables = {row[0] for row in rows}
    assert sqlite_tables == set(TABLES)
    assert await pg_tables(pg_url) - {VERSION_TABLE} == set(TABLES)
    # Parents before children, so a row's foreign key always finds its parent already copied.
    references = await raw_sql(pg_url, """
        SELECT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc
        JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
        WHERE tc.constraint_type = 'FOREIGN KEY'""")
    assert references
    for child, parent in references:
        assert TABLES.index(parent) < TABLES.index(child), (child, parent)


async def test_a_table_the_copy_does_not_know_is_refused(db_path: Path, pg_url: str) -> None:
    await filled_sqlite(db_path)
    sqlite_exec(db_path, "CREATE TABLE reminders (id INTEGER PRIMARY KEY, text TEXT)")
    with pytest.raises(CopyRefusedError, match="does not know how to copy: reminders"):
        await copy(db_path, pg_url)
    assert await pg_tables(pg_url) == set()


async def test_an_older_source_is_migrated_first_then_copied(db_path: Path, pg_url: str) -> None:
    async with aiosqlite.connect(db_path, isolation_level=None) as old:
        await migrate(old, target=4)
        await old.execute("INSERT INTO sources (guild_id, url, name, created_at) VALUES (1, 'https://o.example', 'Old', 0)")
    report = await copy(db_path, pg_url)
    assert report.migrated_from == 4
    assert dict(report.rows)["sources"] == 1
    assert sqlite_exec(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    async with Store.open(pg_url) as store:
        [source] = await store.list_all_sources()
        assert source.name == "Old"
        assert (await store.diagnostics())["user_version"] == SCHEMA_VERSION


async def test_a_newer_source_is_refused_and_left_alone(db_path: Path, pg_url: str) -> None:
    await filled_sqlite(db_path)
    sqlite_exec(db_path, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(CopyRefusedError, match=f"schema version {SCHEMA_VERSION + 1}, newer"):
        await SqliteSource.open(str(db_path))
    assert sqlite_exec(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION + 1,)]
    assert await pg_tables(pg_url) == set()


async def test_a_target_holding_rows_is_refused_and_untouched(db_path: Path, pg_url: str) -> None:
    await filled_sqlite(db_path)
    async with Store.open(pg_url) as store:
        await store.add_source(5, "https://mine.example/feed", "Mine", 6, now=NOW)
        await store.record_commands_sync("1:global", "c" * 64, now=NOW)
    with pytest.raises(TargetNotEmptyError, match=r"already holds spacebrief rows \(sources: 1, command_syncs: 1\)"):
        await copy(db_path, pg_url)
    assert await raw_sql(pg_url, "SELECT name FROM sources") == [("Mine",)]
    assert await raw_sql(pg_url, "SELECT count(*) FROM entries") == [(0,)]


async def test_a_target_with_the_schema_but_no_rows_is_filled(db_path: Path, pg_url: str) -> None:
    await filled_sqlite(db_path)
    async with Store.open(pg_url):
        pass  # a bot started on it once, with nothing to record
    report = await copy(db_path, pg_url)
    assert dict(report.rows)["entries"] == len(await table_rows(str(db_path), "entries"))


async def test_a_failure_part_way_leaves_the_target_empty(db_path: Path, pg_url: str) -> None:
    await filled_sqlite(db_path)
    # A NUL character (an old store could hold one): PostgreSQL refuses it in text, after the
    # sources were already sent.
    sqlite_exec(db_path, "UPDATE entries SET text = 'before' || char(0) || 'after' WHERE key = 'guid-3'")
    with pytest.raises(CopyFailedError, match=r"failed at table entries: .*rolled back") as failed:
        await copy(db_path, pg_url)
    assert "\n" not in str(failed.value)
    assert await pg_tables(pg_url) == set()  # not even the schema: it was in the same transaction
    # The source is intact, and unlocked: the bot can go on using it.
    async with Store.open(db_path) as store:
        assert len(await store.list_all_sources()) == 4


async def test_a_source_another_process_has_open_is_refused(db_path: Path, pg_url: str) -> None:
    await filled_sqlite(db_path)
    # A bot between two polls: the file open, nothing being written.
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sqlite3, sys\n"
        f"c = sqlite3.connect({str(db_path)!r}); c.execute('SELECT count(*) FROM sources').fetchall()\n"
        "print('open', flush=True); sys.stdin.read()",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and (await holder.stdout.readline()).strip() == b"open"
        with pytest.raises(SourceInUseError, match="open in another process"):
            await SqliteSource.open(str(db_path))
    finally:
        await asyncio.wait_for(holder.communicate(b""), timeout=30)
    report = await copy(db_path, pg_url)  # the bot stopped: now it goes through
    assert dict(report.rows)["sources"] == 4


async def test_while_the_copy_holds_the_source_no_other_process_can_open_it(db_path: Path) -> None:
    await filled_sqlite(db_path)
    source = await SqliteSource.open(str(db_path))
    try:
        probe = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", f"import sqlite3; sqlite3.connect({str(db_path)!r}, timeout=0.2)"
             ".execute('SELECT count(*) FROM sources').fetchall()"],
            capture_output=True, text=True, timeout=60,
        )
        assert probe.returncode != 0 and "database is locked" in probe.stderr
    finally:
        await source.close()


async def test_an_unreachable_target_is_one_line_and_never_shows_the_password(db_path: Path) -> None:
    await filled_sqlite(db_path)
    from db.models import StoreError
    from tests.helpers.postgres import free_port

    with pytest.raises(StoreError) as failed:
        await copy(db_path, f"postgresql://me:s3cret@127.0.0.1:{free_port()}/x")
    assert "s3cret" not in str(failed.value) and "\n" not in str(failed.value)
    assert str(failed.value).startswith("cannot open database postgresql://me:***@127.0.0.1")



async def test_a_target_from_a_newer_spacebrief_is_refused_and_untouched(db_path: Path, pg_url: str) -> None:
    await filled_sqlite(db_path)
    await raw_sql(pg_url, "CREATE TABLE spacebrief_schema (version INTEGER NOT NULL)")
    await raw_sql(pg_url, "INSERT INTO spacebrief_schema (version) VALUES (?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(CopyRefusedError, match=f"schema version {SCHEMA_VERSION + 1}, newer"):
        await copy(db_path, pg_url)
    assert await pg_tables(pg_url) == {VERSION_TABLE}
    assert await raw_sql(pg_url, "SELECT version FROM spacebrief_schema") == [(SCHEMA_VERSION + 1,)]
