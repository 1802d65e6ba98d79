"""Store work at scale: 3,000 sources and 1,000 servers on SQLite and on PostgreSQL.

Two measures, both of the store alone (no HTTP, no Discord, no summarizing):

1. **A full poll cycle's store work**, per backend: every one of the 3,000 due sources is claimed,
   its feed's keys checked against what is stored (20 keys, 2 of them new), the 2 new entries
   recorded, the poll recorded, and each new entry claimed for its channel, given its summary
   and marked posted: what the news loop asks of the store when every source is due at once,
   8 sources at a time as the bot does (``cogs.news.POLL_CONCURRENCY``).
2. **Posts claimed per second on PostgreSQL with 1, 2 and 4 processes** sharing the database:
   each process claims posts (``claim_post``) and records the ones it won (``mark_posted``), 8 at a
   time; either each its own share of the pending posts (as processes with disjoint shards do),
   or every process all of them, each from its own offset (the worst case: every claim contended).
   The check is exact: every post recorded once, whatever the number of processes.

The baseline is SQLite's cycle in the same run (ratio PostgreSQL/SQLite), and 1 process for the
multi-process figures. PostgreSQL is a throwaway local cluster (tests/helpers/postgres.py, as in
the tests) unless ``--pg-url`` names one. Run::

    .venv/bin/python bench/store_scale.py            # full size
    .venv/bin/python bench/store_scale.py --quick    # 300 sources, 100 servers
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db import NewEntry, Store
from tests.helpers.postgres import Cluster, create_database, find_bin_dir, start_cluster

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
CONCURRENCY = 8
KNOWN_PER_SOURCE = 18
NEW_PER_SOURCE = 2


def guild_id(n: int) -> int:
    return 800000000000000000 + (n << 22)


async def populate(store: Store, sources: int, guilds: int) -> list[int]:
    """`sources` sources spread over `guilds` servers, each with KNOWN_PER_SOURCE entries posted."""
    ids: list[int] = []
    for n in range(sources):
        guild = guild_id(n % guilds)
        source = await store.add_source(guild, f"https://feeds.example/{n}/rss", f"Feed {n}", guild + 1, now=NOW)
        ids.append(source.id)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def seed(source_id: int) -> None:
        async with gate:
            entries = [
                NewEntry(f"k{k}", f"Old story {k}", f"https://x.example/{source_id}/{k}", NOW, state="skipped")
                for k in range(KNOWN_PER_SOURCE)
            ]
            await store.add_entries(source_id, entries, NOW - timedelta(days=1))

    await asyncio.gather(*(seed(source_id) for source_id in ids))
    return ids


async def poll_cycle(store: Store, source_ids: list[int], owner: str) -> int:
    """The store side of one poll of every due source; returns the posts recorded."""
    now = NOW + timedelta(hours=1)
    claimed = await store.claim_sources(source_ids, owner=owner, now=now, lease=LEASE)
    gate = asyncio.Semaphore(CONCURRENCY)
    posted = 0

    async def one(source_id: int, channel_id: int) -> None:
        nonlocal posted
        async with gate:
            keys = [f"k{k}" for k in range(KNOWN_PER_SOURCE + NEW_PER_SOURCE)]
            await store.has_any_entries(source_id)
            known = await store.known_keys(source_id, keys)
            new = [
                NewEntry(key, f"New story {key}", f"https://x.example/{source_id}/{key}", now)
                for key in keys
                if key not in known
            ]
            await store.add_entries(source_id, new, now)
            await store.record_poll_success(
                source_id, now, etag='"v2"', last_modified=None, next_poll_at=now + timedelta(minutes=15)
            )
            for entry in await store.pending_entries(source_id):
                if await store.claim_post(entry.id, channel_id, owner=owner, now=now, lease=LEASE) is None:
                    continue
                await store.save_entry_summary(entry.id, ["A sentence.", "Another one."], [])
                await store.mark_posted(entry.id, channel_id, entry.id + 10**12, now)
                posted += 1

    await asyncio.gather(*(one(source.id, source.channel_id) for source in claimed))
    return posted


async def measure_cycle(target: str, sources: int, guilds: int) -> tuple[float, int]:
    async with Store.open(target) as store:
        ids = await populate(store, sources, guilds)
        started = time.perf_counter()
        posted = await poll_cycle(store, ids, owner="bench")
        elapsed = time.perf_counter() - started
    assert posted == sources * NEW_PER_SOURCE, posted
    return elapsed, posted


async def pending_posts(url: str, count: int) -> list[tuple[int, int]]:
    async with Store.open(url) as store:
        source = await store.add_source(guild_id(1), "https://claims.example/rss", "Claims", 42, now=NOW)
        entries = await store.add_entries(
            source.id, [NewEntry(f"p{n}", f"Post {n}", None, NOW) for n in range(count)], NOW
        )
    return [(entry.id, 42) for entry in entries]


def claim_worker(url: str, mine: list[tuple[int, int]], worker: int, start: Any, results: Any) -> None:
    """One process: claim each of its posts and record those it wins."""

    async def run() -> tuple[int, int, float]:
        async with Store.open(url) as store:
            start.wait()
            began = time.perf_counter()
            won = lost = 0
            gate = asyncio.Semaphore(CONCURRENCY)

            async def one(entry_id: int, channel_id: int) -> None:
                nonlocal won, lost
                async with gate:
                    claim = await store.claim_post(entry_id, channel_id, owner=f"w{worker}", now=NOW, lease=LEASE)
                    if claim is None:
                        lost += 1
                        return
                    await store.mark_posted(entry_id, channel_id, entry_id + 10**12, NOW)
                    won += 1

            await asyncio.gather(*(one(*post) for post in mine))
            return won, lost, time.perf_counter() - began

    results.put(asyncio.run(run()))


def measure_claims(cluster: Cluster, processes: int, count: int, *, contended: bool) -> tuple[float, int, int]:
    """``contended``: every process tries every post (each from its own offset), the worst case;
    else each takes its own share, as processes with disjoint shards do."""
    url = asyncio.run(create_database(cluster, prefix="bench"))
    posts = asyncio.run(pending_posts(url, count))
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    shares = [
        posts[n * len(posts) // processes :] + posts[: n * len(posts) // processes] if contended else posts[n::processes]
        for n in range(processes)
    ]
    workers = [
        context.Process(target=claim_worker, args=(url, shares[n], n, start, results)) for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    time.sleep(1.0)  # every process connected and migrated-checked before the clock starts
    start.set()
    outcomes = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    won = sum(outcome[0] for outcome in outcomes)
    lost = sum(outcome[1] for outcome in outcomes)
    elapsed = max(outcome[2] for outcome in outcomes)
    return elapsed, won, lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 sources, 100 servers, 1,000 posts")
    parser.add_argument("--pg-url", help="a PostgreSQL server URL (its user may create databases)")
    args = parser.parse_args()
    sources, guilds, posts = (300, 100, 1000) if args.quick else (3000, 1000, 6000)

    cluster: Cluster | None = None
    if args.pg_url:
        cluster = Cluster(args.pg_url)
    else:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            print("no PostgreSQL server binaries (install postgresql-15) and no --pg-url", file=sys.stderr)
            return 2
        cluster = start_cluster(bin_dir)
    try:
        print(f"store work of one full poll cycle: {sources:,} due sources, {guilds:,} servers, "
              f"{KNOWN_PER_SOURCE + NEW_PER_SOURCE} feed keys each ({NEW_PER_SOURCE} new, posted)")
        with tempfile.TemporaryDirectory() as tmp:
            sqlite_s, posted = asyncio.run(measure_cycle(str(Path(tmp) / "bench.sqlite3"), sources, guilds))
        print(f"  sqlite      {sqlite_s:7.2f} s  ({sqlite_s / sources * 1000:5.2f} ms/source, {posted:,} posts)")
        url = asyncio.run(create_database(cluster, prefix="bench"))
        pg_s, posted = asyncio.run(measure_cycle(url, sources, guilds))
        print(f"  postgresql  {pg_s:7.2f} s  ({pg_s / sources * 1000:5.2f} ms/source, {posted:,} posts)"
              f"  {pg_s / sqlite_s:.2f}x sqlite")

        print(f"posts claimed and recorded per second on PostgreSQL ({posts:,} pending posts):")
        for contended in (False, True):
            print("  each process its own posts (disjoint shards):" if not contended
                  else "  every process tries every post (worst case):")
            baseline = 0.0
            for processes in (1, 2, 4):
                elapsed, won, lost = measure_claims(cluster, processes, posts, contended=contended)
                assert won == posts, f"{won} posts recorded of {posts}"
                rate, attempts = won / elapsed, (won + lost) / elapsed
                baseline = baseline or rate
                print(f"    {processes} process{'es' if processes > 1 else '  '}  {rate:7.0f} posts/s "
                      f"({rate / baseline:.2f}x 1 process), {attempts:7.0f} claims/s "
                      f"({lost:,} lost to another process, none recorded twice)")
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
