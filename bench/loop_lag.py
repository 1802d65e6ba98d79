"""Event-loop lag while the bot does its heaviest work.

A monitor task sleeps 10 ms at a time and records how late each wake-up is. Meanwhile the
bot-side code condenses a 2,000-comment debate (``asyncio.to_thread(condense, ...)``) and polls
300 local feeds (``Fetcher.get`` + ``asyncio.to_thread(parse_feed, ...)``), as cogs.news and /debate
do, with the bot's start-up settings (bot.app: bounded worker threads, lazy imports done up front).
The feeds are served by another process so the server's work does not count as the bot's.
Reported: max and p99 lag of the idle loop (the baseline, same process), of the workload with the
300 polls all at once and with polls capped (a semaphore, as a poller can do), and, for contrast,
of condense called directly on the loop; and the capped workload with the CPU work in the bot's
worker processes (``SpacebriefBot.cpu``, a ``bot.app.CpuPool``) instead of threads: the loop then
never waits for the GIL. Target: max lag under 100 ms.

Run: .venv/bin/python bench/loop_lag.py [--comments 2000] [--feeds 300] [--items 20] [--cap 32]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from multiprocessing.queues import Queue
from typing import Any, TypeVar
from xml.sax.saxutils import escape

from aiohttp import web

from bot.app import CPU_PROCESSES, WORKER_THREADS, CpuPool, use_worker_threads, warm_up_text_tools
from feeds.fetch import Fetcher, FetchLimits
from feeds.parse import parse_feed
from summarizer.debate import Comment, condense

T = TypeVar("T")

TICK_S = 0.010
TARGET_MAX_MS = 100.0

STANCES = [
    (["reusable boosters cut launch costs", "flying boosters again makes launches far cheaper",
      "booster reuse is what finally brought the price per kilogram down"],
     ["the expensive first stage flies again within weeks", "refurbishing an engine costs a fraction of building one",
      "the turnaround time keeps shrinking with every landing"]),
    (["a lunar base should come before Mars", "we need the Moon first and Mars later",
      "the Moon is the sensible first step before any Mars landing"],
     ["the Moon is three days away and a rescue is possible", "we can test habitats close to home",
      "lunar ice could supply water and propellant"]),
    (["crewed Mars missions are too risky this decade", "sending people to Mars soon is reckless",
      "a human Mars landing in the next ten years is a gamble with lives"],
     ["the radiation dose on a six-month transit is too high", "nobody has landed anything that heavy on Mars",
      "there is no way to bring a sick astronaut home quickly"]),
    (["space debris needs binding international rules", "orbital junk must be regulated by treaty",
      "without enforceable debris rules low orbit will become unusable"],
     ["every collision multiplies the fragments in orbit", "voluntary guidelines have been ignored for years",
      "operators have no incentive to deorbit dead satellites"]),
    (["robotic probes return more science per dollar", "robots beat astronauts on cost per discovery",
      "uncrewed missions are the better scientific investment"],
     ["they need no life support and can work for years", "a rover costs less than one crewed flight",
      "probes can go where humans would not survive"]),
    (["private stations will replace the ISS", "commercial outposts are the future of low orbit",
      "company-run stations will take over once the ISS retires"],
     ["commercial demand for microgravity research is growing", "agencies want to buy services instead of hardware",
      "several firms already have modules under construction"]),
]
OPENERS = ["I think", "Honestly,", "In my view", "Clearly", "It seems to me", "Look,", "Frankly", "I'd argue",
           "As an engineer I believe", "After reading the report I'm sure"]
ASIDES = [
    "The numbers from the last {n} years back this up.", "I wrote about this in {n} posts already.",
    "Ask anyone who worked on mission {n}.", "My old team measured it {n} times.",
    "Check the budget table on page {n}.", "That was obvious by flight {n}.",
]
NOISE = ["lol", "this", "+1", "Great thread!", "first", "same", "thanks for posting", "agreed"]


def synthetic_debate(count: int, seed: int = 7) -> list[Comment]:
    """A deterministic debate: paraphrased stances from many authors, replies, and noise."""
    rng = random.Random(seed)
    comments: list[Comment] = []
    for index in range(count):
        author = f"user{rng.randrange(max(1, count // 3))}"
        if rng.random() < 0.1:
            text = rng.choice(NOISE)
        else:
            claims, reasons = rng.choice(STANCES)
            aside = rng.choice(ASIDES).format(n=rng.randrange(2, 400))
            text = f"{rng.choice(OPENERS)} {rng.choice(claims)}, because {rng.choice(reasons)}. {aside}"
        reply_to = f"c{rng.randrange(index)}" if index and rng.random() < 0.4 else None
        comments.append(Comment(author=author, text=text, id=f"c{index}", reply_to=reply_to))
    return comments


def feed_document(feed_index: int, items: int) -> bytes:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    entries = []
    for n in range(items):
        published = format_datetime(now - timedelta(hours=n))
        body = " ".join(
            f"Mission update {feed_index}-{n}: the spacecraft completed manoeuvre {k} and all systems are nominal."
            for k in range(6)
        )
        entries.append(
            f"<item><guid>feed{feed_index}-item{n}</guid><title>Update {n} from feed {feed_index}</title>"
            f"<link>https://example.org/{feed_index}/{n}</link><pubDate>{published}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed_index}</title><link>https://example.org/{feed_index}</link>"
        f"<description>bench</description>{''.join(entries)}</channel></rss>"
    ).encode()


@dataclass
class Lag:
    samples_ms: list[float]

    @property
    def max_ms(self) -> float:
        return max(self.samples_ms, default=0.0)

    @property
    def p99_ms(self) -> float:
        if len(self.samples_ms) < 2:
            return self.max_ms
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[98]


async def measure(work: Callable[[], Awaitable[object]]) -> tuple[Lag, float]:
    """Run `work` while a 10 ms ticker records how late it wakes; returns (lag, work seconds)."""
    loop = asyncio.get_running_loop()
    samples: list[float] = []
    done = asyncio.Event()

    async def monitor() -> None:
        while not done.is_set():
            expected = loop.time() + TICK_S
            await asyncio.sleep(TICK_S)
            samples.append(max(0.0, (loop.time() - expected) * 1000))

    ticker = asyncio.create_task(monitor())
    await asyncio.sleep(TICK_S * 3)  # the monitor is running before the work starts
    started = time.perf_counter()
    try:
        await work()
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        await ticker
    return Lag(samples), elapsed


def serve_feeds(feeds: int, items: int, ports: Queue[int]) -> None:
    """The feed server, in its own process: remote feeds do not share the bot's loop."""
    documents = {f"/feed/{n}": feed_document(n, items) for n in range(feeds)}

    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=documents[request.path], headers={"Content-Type": "application/rss+xml"})

    async def serve() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}", handle)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        ports.put(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(serve())


def row(name: str, lag: Lag, seconds: float | None = None) -> str:
    work = f"{seconds:>7.2f}" if seconds is not None else " " * 7
    return f"{name:<48} {len(lag.samples_ms):>6} {lag.p99_ms:>8.1f} {lag.max_ms:>8.1f} {work}"


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--items", type=int, default=20, help="entries per feed")
    parser.add_argument("--cap", type=int, default=32, help="concurrent polls in the capped run")
    parser.add_argument("--threads", type=int, default=WORKER_THREADS, help="worker threads (bot default)")
    parser.add_argument("--switch-ms", type=float, default=None, help="sys.setswitchinterval, in ms")
    args = parser.parse_args(argv)

    # As the bot starts: bounded worker threads, the summarizer's lazy imports done up front.
    use_worker_threads(asyncio.get_running_loop(), args.threads)
    if args.switch_ms is not None:
        sys.setswitchinterval(args.switch_ms / 1000)
    warm_up_text_tools()
    debates = [synthetic_debate(args.comments, seed=seed) for seed in (7, 8, 11)]
    context = multiprocessing.get_context("spawn")
    ports: Queue[int] = context.Queue()
    server = context.Process(target=serve_feeds, args=(args.feeds, args.items, ports), daemon=True)
    server.start()
    port = await asyncio.to_thread(ports.get, True, 30)
    urls = [f"http://127.0.0.1:{port}/feed/{n}" for n in range(args.feeds)]
    limits = FetchLimits(timeout_s=60, allow_private_networks=True)
    entries: dict[str, int] = {}
    arguments: dict[str, int] = {}
    processes: CpuPool | None = None
    try:
        async with Fetcher(limits) as fetcher:

            async def in_worker(pool: CpuPool | None, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
                if pool is None:
                    return await asyncio.to_thread(func, *args, **kwargs)
                return await pool.run(func, *args, **kwargs)

            async def poll(url: str, gate: asyncio.Semaphore, pool: CpuPool | None) -> int:
                async with gate:
                    result = await fetcher.get(url)
                feed = await in_worker(pool, parse_feed, result.body, url=url, content_type=result.content_type)
                return len(feed.entries)

            def bot_workload(
                name: str, debate: list[Comment], cap: int, pool: CpuPool | None = None
            ) -> Callable[[], Awaitable[None]]:
                async def work() -> None:
                    gate = asyncio.Semaphore(cap)
                    condensing = asyncio.create_task(in_worker(pool, condense, debate))
                    counts = await asyncio.gather(*(poll(url, gate, pool) for url in urls))
                    arguments[name] = len(await condensing)
                    entries[name] = sum(counts)

                return work

            async def blocking_condense() -> None:
                arguments["blocking"] = len(condense(debates[2]))  # deliberately on the loop

            idle, _ = await measure(lambda: asyncio.sleep(1.0))
            at_once, at_once_s = await measure(bot_workload("at once", debates[0], args.feeds))
            capped, capped_s = await measure(bot_workload("capped", debates[1], args.cap))
            blocking, blocking_s = await measure(blocking_condense)
            # The alternative to threads: the bot's CpuPool, so the loop never waits for the GIL.
            processes = CpuPool(CPU_PROCESSES)
            await asyncio.gather(*(processes.run(len, "started") for _ in range(CPU_PROCESSES)))
            in_processes, in_processes_s = await measure(
                bot_workload("processes", debates[0], args.cap, processes)
            )
            all_in_processes, all_in_processes_s = await measure(
                bot_workload("processes at once", debates[1], args.feeds, processes)
            )
    finally:
        server.terminate()
        server.join()
        if processes is not None:
            processes.close()

    expected = args.feeds * args.items
    print(f"loop lag, {TICK_S * 1000:.0f} ms ticker, {args.threads} worker threads, "
          f"GIL switch interval {sys.getswitchinterval() * 1000:g} ms, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{args.comments} comments -> {arguments} arguments; {args.feeds} feeds x {args.items} items -> "
          f"{entries} entries (expected {expected} each)")
    print(f"{'case':<48} {'ticks':>6} {'p99 ms':>8} {'max ms':>8} {'work s':>7}")
    print(row("idle loop (baseline)", idle))
    print(row(f"condense + {args.feeds} polls at once, CPU in threads", at_once, at_once_s))
    print(row(f"condense + {args.feeds} polls, {args.cap} at a time, CPU in threads", capped, capped_s))
    print(row(f"same, {args.cap} at a time, CPU in bot.cpu ({CPU_PROCESSES} processes)", in_processes, in_processes_s))
    print(row(f"condense + {args.feeds} polls at once, CPU in bot.cpu (the bot)", all_in_processes, all_in_processes_s))
    print(row("condense on the loop (contrast)", blocking, blocking_s))
    baseline = max(idle.max_ms, 0.1)
    print(f"max lag vs idle: at once {at_once.max_ms / baseline:.1f}x, capped {capped.max_ms / baseline:.1f}x, "
          f"blocking {blocking.max_ms / baseline:.1f}x")
    complete = all(count == expected for count in entries.values())
    for name, lag in (("at once", at_once), (f"capped at {args.cap}", capped),
                      (f"capped at {args.cap}, processes", in_processes),
                      ("at once, processes (the bot's path)", all_in_processes)):
        verdict = "met" if lag.max_ms < TARGET_MAX_MS else "NOT met"
        print(f"target max lag < {TARGET_MAX_MS:.0f} ms, polls {name}: {verdict}")
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
