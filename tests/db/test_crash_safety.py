"""Crash safety: SIGKILL a writer process at random moments; nothing committed may be lost."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from db import Store

WRITER = Path(__file__).with_name("crash_writer.py")
ROUNDS = 6

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


def run_and_kill(db_path: Path, prefix: str, rng: random.Random) -> list[str]:
    """Start the writer, let it commit a random number of batches, SIGKILL it; return the keys it reported."""
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(db_path), prefix],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None
    # A hung writer must fail the test, not hang it: the watchdog kills it, readline then sees EOF.
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    reported: list[str] = []
    wanted = rng.randint(1, 40) * 5
    try:
        while len(reported) < wanted:
            line = process.stdout.readline()
            if not line:
                stderr = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"writer stopped on its own: {stderr[-2000:]}")
            reported.append(line.decode().strip())
        # Land the kill at an arbitrary point of a later transaction, not right after a commit.
        time.sleep(rng.uniform(0, 0.02))
    finally:
        watchdog.cancel()
        os.kill(process.pid, signal.SIGKILL)
        rest, _ = process.communicate()
    assert process.returncode == -signal.SIGKILL
    # Lines already in the pipe were written after their commit too; a torn last line is not.
    reported += [line for line in rest.decode().split("\n")[:-1] if line]
    return reported


async def check(db_path: Path, expected: set[str]) -> None:
    async with Store.open(db_path) as store:
        assert await store.integrity_check() == "ok"
        source = await store.find_source_by_name_or_id(1, "crash")
        assert source is not None
        missing = expected - await store.known_keys(source.id, sorted(expected))
        assert not missing, f"{len(missing)} committed entries lost, e.g. {sorted(missing)[:3]}"
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT e.key, e.state, count(p.id) FROM entries e LEFT JOIN posts p ON p.entry_id = e.id GROUP BY e.id"
        ).fetchall()
    batches: dict[str, int] = {}
    for key, state, posts in rows:
        batch, _, position = key.rpartition("-")
        batches[batch] = batches.get(batch, 0) + 1
        if key in expected:  # its batch finished: the first two were posted, once each
            assert (state, posts) == (("posted", 1) if position in ("0", "1") else ("pending", 0)), key
    torn = {batch: count for batch, count in batches.items() if count != 5}
    assert not torn, f"batches written in part: {torn}"


def test_sigkilled_writer_loses_no_committed_entry(tmp_path: Path) -> None:
    db_path = tmp_path / "crash.sqlite3"
    rng = random.Random(20260301)
    committed: set[str] = set()
    for round_number in range(ROUNDS):
        reported = run_and_kill(db_path, f"r{round_number}", rng)
        assert reported, "the writer reported nothing before being killed"
        committed.update(reported)
        asyncio.run(check(db_path, committed))
