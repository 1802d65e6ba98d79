"""`spacebrief preview` against PostgreSQL: a second run prints nothing new, two runs started
together print each new entry once between them, and no SQLite file appears."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

from tests.bot.test_preview import BASE_TIME, FeedSite, make_config, preview

REPO = Path(__file__).resolve().parents[2]
FEEDS = ["esa", "nasa", "jaxa", "isro", "cnsa", "kari"]


def postgres_config(base: str, url: str, tmp_path: Path, **news: object) -> object:
    config = make_config(base, tmp_path / "unused.sqlite3", FEEDS, **news)
    return config.model_copy(update={"database": config.database.model_copy(update={"url": url})})


async def test_a_second_run_prints_only_what_is_new(
    site: tuple[FeedSite, str], pg_url: str, tmp_path: Path
) -> None:
    feeds, base = site
    for feed in FEEDS:
        for number in (1, 2):
            feeds.add(feed, number)
    config = postgres_config(base, pg_url, tmp_path)
    first, err = await preview(config)  # type: ignore[arg-type]
    assert err == "" and len(first) == 2 * len(FEEDS)
    again, _ = await preview(config, now=BASE_TIME + timedelta(hours=1))  # type: ignore[arg-type]
    assert again == []
    feeds.add("nasa", 3)
    third, _ = await preview(config, now=BASE_TIME + timedelta(hours=2))  # type: ignore[arg-type]
    assert [line["title"] for line in third] == ["nasa story 3"]
    assert not (tmp_path / "unused.sqlite3").exists()  # the SQLite path of the config was never used


async def run_cli(config_file: Path, cwd: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SPACEBRIEF_DATABASE_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "preview", "--json", "--config", str(config_file),
        cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode(errors="replace")
    return [json.loads(line)["title"] for line in stdout.decode().splitlines()]


async def test_two_runs_started_together_print_each_entry_once_and_write_no_sqlite_file(
    site: tuple[FeedSite, str], pg_url: str, tmp_path: Path
) -> None:
    feeds, base = site
    for feed in FEEDS:
        for number in range(1, 5):
            feeds.add(feed, number)
    lines = ["[database]", f"url = {json.dumps(pg_url)}", "[fetch]", "allow_private_networks = true",
             "[news]", "backfill = 4"]
    for feed in FEEDS:
        lines += ["[[sources]]", f'name = "{feed}"', f'url = "{base}/{feed}.xml"', "channel_id = 0"]
    config_file = tmp_path / "config.toml"
    config_file.write_text("\n".join(lines) + "\n")
    workdir = tmp_path / "cwd"
    workdir.mkdir()

    one, two = await asyncio.gather(run_cli(config_file, workdir), run_cli(config_file, workdir))
    expected = sorted(f"{feed} story {n}" for feed in FEEDS for n in range(1, 5))
    assert sorted(one + two) == expected  # each once, between them
    assert await run_cli(config_file, workdir) == []
    assert list(workdir.iterdir()) == []  # no spacebrief.sqlite3 (nor its -wal, -shm) appeared
