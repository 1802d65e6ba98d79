"""`spacebrief copy-store` as an admin runs it: where the source and target come from, what it
prints per table, its exit codes and one-line refusals, and claims left by a process that may run."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.copy_store import CopyStoreError, copy_store, copy_targets
from db import Store
from db.transfer import TABLES
from tests.db.conftest import NOW, raw_sql
from tests.db.test_transfer import filled_sqlite, sqlite_exec

REPO = Path(__file__).resolve().parents[2]


async def spacebrief(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    for name in ("SPACEBRIEF_DATABASE_URL", "SPACEBRIEF_CONFIG", "SPACEBRIEF_DEBUG"):
        if env is None or name not in env:
            environment.pop(name, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_copies_the_configured_store_into_the_url_of_the_environment_and_says_what(
    tmp_path: Path, pg_url: str
) -> None:
    await filled_sqlite(tmp_path / "news.sqlite3")
    (tmp_path / "config.toml").write_text('[database]\npath = "news.sqlite3"\n')
    code, out, err = await spacebrief("copy-store", "--config", "config.toml", cwd=tmp_path,
                                      env={"SPACEBRIEF_DATABASE_URL": pg_url})
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("copied news.sqlite3 (schema ")
    for table in TABLES:
        [line] = [line for line in lines if line.split()[:1] == [table]]
        [(count,)] = sqlite_exec(tmp_path / "news.sqlite3", f"SELECT count(*) FROM {table}")
        assert line.split()[1] == f"{count:,}" and count > 0
    assert lines[-1].startswith("done: set [database] url")

    # Run again: the target is not empty any more; refused in one line, exit 2, nothing changed.
    code, out, err = await spacebrief("copy-store", "--from", "news.sqlite3", "--to", pg_url, cwd=tmp_path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "already holds spacebrief rows (sources: 4," in err
    assert await raw_sql(pg_url, "SELECT count(*) FROM sources") == [(4,)]


async def test_a_failure_part_way_is_exit_1_and_one_line(tmp_path: Path, pg_url: str) -> None:
    await filled_sqlite(tmp_path / "s.sqlite3")
    sqlite_exec(tmp_path / "s.sqlite3", "UPDATE guild_settings SET value = 'x' || char(0)")
    code, out, err = await spacebrief("copy-store", "--from", "s.sqlite3", "--to", pg_url, cwd=tmp_path)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "failed at table guild_settings" in err and "rolled back" in err
    assert await raw_sql(pg_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "no PostgreSQL database to copy into: give --to"),
        (("--to", "mysql://x/y"), "--to must be a postgresql:// URL"),
        (("--to", "postgresql://u@127.0.0.1:1/x"), "no SQLite database at spacebrief.sqlite3"),
        (("--from", "postgresql://u@h/x", "--to", "postgresql://u@h/y"), "--from takes a SQLite file"),
    ],
)
async def test_bad_arguments_are_exit_2_and_one_line(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    code, out, err = await spacebrief("copy-store", *args, cwd=tmp_path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err
    assert await asyncio.to_thread(os.listdir, tmp_path) == []  # no SQLite file was created by looking for one


async def test_help_describes_every_argument_and_says_to_stop_the_bot(tmp_path: Path) -> None:
    code, out, _ = await spacebrief("copy-store", "--help", cwd=tmp_path)
    assert code == 0
    for argument in ("--from PATH", "--to URL", "--config FILE", "--debug"):
        assert argument in out
    flat = " ".join(out.split())
    assert "Stop the bot" in flat and "never overwritten" in flat and "exit codes" in flat


def test_the_source_and_target_come_from_the_arguments_else_the_config() -> None:
    config = parse_config({"database": {"path": "a.sqlite3", "url": "postgresql://u@h/db"}}, origin="test")
    assert copy_targets(config, None, None) == ("a.sqlite3", "postgresql://u@h/db")
    assert copy_targets(config, "b.sqlite3", "postgresql://u@h/other") == ("b.sqlite3", "postgresql://u@h/other")
    with pytest.raises(CopyStoreError, match="no PostgreSQL database"):
        copy_targets(parse_config({}, origin="test"), None, None)


async def test_a_live_claim_of_a_process_that_may_run_is_refused(tmp_path: Path, pg_url: str) -> None:
    path = tmp_path / "s.sqlite3"
    async with Store.open(path) as store:
        source = await store.add_source(1, "https://a.example/feed", "Agency", 2, now=NOW)
        # This very process holds it, as a running bot would.
        alive = f"bot/{socket.gethostname()}/{os.getpid()}/beef"
        await store.claim_sources([source.id], owner=alive, now=NOW, lease=timedelta(minutes=5), due_only=False)
    config = parse_config({}, origin="test")
    with pytest.raises(CopyStoreError, match=r"source Agency is claimed by bot/.* until 2026-03-01 12:05:00 UTC"):
        await copy_store(config, source=str(path), target=pg_url, clock=lambda: NOW)
    assert await raw_sql(pg_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
    # Once expired it is only a record: copied as it is.
    report = await copy_store(config, source=str(path), target=pg_url, clock=lambda: NOW + timedelta(minutes=6))
    assert dict(report.rows)["sources"] == 1


async def test_a_live_claim_of_a_process_that_died_here_does_not_block_the_copy(tmp_path: Path, pg_url: str) -> None:
    path = tmp_path / "s.sqlite3"
    dead = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await dead.wait()
    async with Store.open(path) as store:
        source = await store.add_source(1, "https://a.example/feed", "Agency", 2, now=NOW)
        owner = f"bot/{socket.gethostname()}/{dead.pid}/dead"
        await store.claim_sources([source.id], owner=owner, now=NOW, lease=timedelta(minutes=5), due_only=False)
    report = await copy_store(parse_config({}, origin="test"), source=str(path), target=pg_url, clock=lambda: NOW)
    assert dict(report.rows)["sources"] == 1
    assert await raw_sql(pg_url, "SELECT claimed_by FROM sources") == [(owner,)]
