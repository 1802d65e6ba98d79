"""A preview killed with SIGKILL at any moment loses nothing and leaves a sound database."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sqlite3
import sys
from pathlib import Path

from aiohttp.test_utils import TestServer

from tests.bot.test_preview import FeedSite

FEEDS = ["esa", "nasa", "jaxa", "isro"]
ITEMS = 6


def write_config(path: Path, base: str, db: Path) -> None:
    lines = [
        "[database]", f'path = "{db}"',
        "[fetch]", "allow_private_networks = true", "timeout_s = 10",
        "[news]", f"backfill = {ITEMS}",
    ]
    for feed in FEEDS:
        lines += ["[[sources]]", f'name = "{feed}"', f'url = "{base}/{feed}.xml"', "channel_id = 0"]
    path.write_text("\n".join(lines) + "\n")


async def run_preview(config: Path, kill_after: float | None) -> tuple[list[str], int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "preview", "--json", "--config", str(config),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    if kill_after is not None:
        await asyncio.sleep(kill_after)
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
    stdout, _ = await process.communicate()
    titles = []
    for line in stdout.decode().splitlines():
        try:
            titles.append(json.loads(line)["title"])
        except ValueError:
            pass  # the line being written when the process was killed
    assert process.returncode is not None
    return titles, process.returncode


async def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    site = FeedSite()
    for feed in FEEDS:
        for number in range(1, ITEMS + 1):
            site.add(feed, number)
    server = TestServer(site.app(), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        config = tmp_path / "config.toml"
        db = tmp_path / "spacebrief.sqlite3"
        write_config(config, f"http://127.0.0.1:{server.port}", db)
        expected = {f"{feed} story {n}" for feed in FEEDS for n in range(1, ITEMS + 1)}
        seen: set[str] = set()
        rng = random.Random(20261125)
        kills = 0
        for _ in range(6):
            titles, code = await run_preview(config, rng.uniform(0.3, 2.5))
            seen.update(titles)
            kills += code == -signal.SIGKILL
            with sqlite3.connect(db) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        titles, code = await run_preview(config, None)
        assert code == 0
        seen.update(titles)
        assert kills >= 1, "no run was killed mid-way: the test did not test anything"
        assert seen == expected
        assert (await run_preview(config, None))[0] == []
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT count(*) FROM entries WHERE state = 'pending'").fetchone() == (0,)
    finally:
        await server.close()
