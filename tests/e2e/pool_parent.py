"""Parent process for test_cpu_pool's orphan test: starts a real CpuPool, then waits to be killed.

Usage: python pool_parent.py. Warms both workers, prints the workers' process ids as one JSON
line, and sleeps until it is killed.
"""

from __future__ import annotations

import asyncio
import json

from bot.app import CpuPool


async def warm_and_wait() -> None:
    pool = CpuPool(workers=2)
    workers = await pool.warm()
    while len(workers) < pool.workers:  # a warm-up task may land twice on one worker
        workers |= await pool.warm()
    print(json.dumps(sorted(workers)), flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(warm_and_wait())
