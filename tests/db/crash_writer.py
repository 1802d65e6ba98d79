"""Writer process for test_crash_safety: records entries forever, printing each key once committed.

Usage: python crash_writer.py DB_PATH PREFIX. Every line on stdout names an entry whose
transaction had committed before the line was written; the test SIGKILLs this process at
random moments and checks that every printed key survived.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

from db import NewEntry, Store


async def write_forever(path: str, prefix: str) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    async with Store.open(path) as store:
        source = await store.find_source_by_name_or_id(1, "crash") or await store.add_source(
            1, "https://crash.example/rss", "crash", 10, now=now
        )
        batch = 0
        while True:
            batch += 1
            now += timedelta(seconds=1)
            keys = [f"{prefix}-{batch}-{i}" for i in range(5)]
            entries = await store.add_entries(
                source.id, [NewEntry(key, "t" * 2000, None, now, text="x" * 20_000) for key in keys], now
            )
            for entry in entries[:2]:
                await store.mark_posted(entry.id, 10, entry.id, now)
            await store.record_poll_success(
                source.id, now, etag=f'"{batch}"', last_modified=None, next_poll_at=now + timedelta(minutes=1)
            )
            sys.stdout.write("".join(f"{key}\n" for key in keys))
            sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(write_forever(sys.argv[1], sys.argv[2]))
