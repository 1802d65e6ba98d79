"""Feed polling benchmark: 300 local feeds through Fetcher + parse_feed against a naive loop.

Starts an aiohttp server on 127.0.0.1 (in a background thread with its own event loop) serving 300
distinct RSS 2.0 feeds of 20 entries each, with ETag/If-None-Match support, then measures in this process:

  (a) first poll: every feed through Fetcher.get + parse_feed (in worker threads), 20 at a time;
  (a') the same first poll with parse_feed in the bot's CPU process pool (what the bot does);
  (b) re-poll with the stored ETags: every feed answers 304, nothing is parsed;
  (c) baseline: a naive sequential loop, urllib fetch + feedparser.parse, one feed after another.

Prints the times and the ratios against the baseline. Targets (2 cores): (a) <= 10 s, (b) <= 2 s.

    .venv/bin/python bench/feed_poll.py [--feeds 300] [--entries 20] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import hashlib
import io
import os
import random
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

import feedparser
from aiohttp import web

from bot.app import CPU_PROCESSES, CpuPool
from feeds.fetch import Fetcher, FetchLimits
from feeds.parse import parse_feed

WORDS = (
    "launch orbit booster stage engine propellant capsule crew module lunar lander rover mission "
    "telescope spacecraft payload satellite trajectory burn docking station Artemis Starship Falcon "
    "Ariane Soyuz Gateway Mars Moon Venus Europa asteroid comet sample return science instrument "
    "agency contract test flight pad countdown scrub weather recovery splashdown heat shield "
    "the a of to and in on for with from by at as that was will has its their said engineers"
).split()


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def make_feed(index: int, entries: int) -> bytes:
    """A realistic RSS 2.0 feed: titles, links, guids, dates, a teaser and content:encoded per item."""
    rng = random.Random(index)
    start = datetime(2026, 5, 1, tzinfo=UTC)
    items = []
    for n in range(entries):
        when = email.utils.format_datetime(start - timedelta(hours=n * 7 + index), usegmt=True)
        paragraphs = "".join(
            f"<p>{escape(' '.join(sentence(rng, rng.randint(12, 24)) for _ in range(3)))}</p>" for _ in range(4)
        )
        quote = f'<p>"{escape(sentence(rng, 14))}" said flight director {rng.choice(["Ng", "Okafor", "Diaz"])}.</p>'
        items.append(
            f"<item><title>{escape(sentence(rng, 8))}</title>"
            f"<link>https://site{index}.example/news/{n}</link>"
            f'<guid isPermaLink="false">site{index}-{n}</guid>'
            f"<pubDate>{when}</pubDate>"
            f"<description>{escape(sentence(rng, 30))}</description>"
            f"<content:encoded><![CDATA[{paragraphs}{quote}"
            f'<img src="https://site{index}.example/img/{n}.jpg">]]></content:encoded></item>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Space site {index}</title><link>https://site{index}.example/</link>"
        f"<description>News from site {index}</description>{''.join(items)}</channel></rss>"
    ).encode()


@dataclass
class FeedServer:
    feeds: list[bytes]
    port: int = 0
    requests: int = 0
    not_modified: int = 0

    def app(self) -> web.Application:
        etags = [f'"{hashlib.sha1(body).hexdigest()[:16]}"' for body in self.feeds]

        async def feed(request: web.Request) -> web.Response:
            self.requests += 1
            index = int(request.match_info["index"])
            if request.headers.get("If-None-Match") == etags[index]:
                self.not_modified += 1
                return web.Response(status=304, headers={"ETag": etags[index]})
            return web.Response(
                body=self.feeds[index], content_type="application/rss+xml", headers={"ETag": etags[index]}
            )

        app = web.Application()
        app.router.add_get("/feed/{index}.xml", feed)
        return app

    def start_in_thread(self) -> None:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            runner = web.AppRunner(self.app(), access_log=None)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            self.port = runner.addresses[0][1]
            ready.set()
            loop.run_forever()

        threading.Thread(target=run, daemon=True, name="feed-server").start()
        ready.wait()

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.port}/feed/{index}.xml"


async def poll_all(
    fetcher: Fetcher,
    urls: list[str],
    etags: dict[str, str | None],
    concurrency: int,
    run_cpu: Callable[..., Awaitable[Any]] = asyncio.to_thread,
) -> tuple[int, int]:
    """One poll of every URL, `concurrency` at a time; returns (entries parsed, 304s)."""
    gate = asyncio.Semaphore(concurrency)
    entries = 0
    unchanged = 0

    async def one(url: str) -> None:
        nonlocal entries, unchanged
        async with gate:
            result = await fetcher.get(url, etag=etags.get(url))
            if result.not_modified:
                unchanged += 1
                return
            etags[url] = result.etag
            parsed = await run_cpu(parse_feed, result.body, url=result.url, content_type=result.content_type)
            entries += len(parsed.entries)

    await asyncio.gather(*(one(url) for url in urls))
    return entries, unchanged


def naive_loop(urls: list[str]) -> int:
    entries = 0
    for url in urls:
        with urllib.request.urlopen(url, timeout=20) as response:
            body = response.read()
        entries += len(feedparser.parse(io.BytesIO(body)).entries)
    return entries


async def main_async(args: argparse.Namespace) -> None:
    feeds = [make_feed(i, args.entries) for i in range(args.feeds)]
    server = FeedServer(feeds)
    server.start_in_thread()
    urls = [server.url(i) for i in range(args.feeds)]
    total_kib = sum(map(len, feeds)) / 1024
    print(f"{args.feeds} feeds x {args.entries} entries, {total_kib:.0f} KiB in all; cpus={os.cpu_count()}")

    limits = FetchLimits(timeout_s=20, allow_private_networks=True)  # the server is on 127.0.0.1
    etags: dict[str, str | None] = {}
    async with Fetcher(limits) as fetcher:
        started = time.perf_counter()
        entries, _ = await poll_all(fetcher, urls, etags, args.concurrency)
        first = time.perf_counter() - started
        started = time.perf_counter()
        _, unchanged = await poll_all(fetcher, urls, etags, args.concurrency)
        repoll = time.perf_counter() - started

    # The bot's own path: parsing in its CPU process pool (bot.app.CpuPool), started beforehand.
    pool = CpuPool(CPU_PROCESSES)
    try:
        await asyncio.gather(*(pool.run(len, "warm") for _ in range(CPU_PROCESSES)))
        async with Fetcher(limits) as fetcher:
            started = time.perf_counter()
            pooled_entries, _ = await poll_all(fetcher, urls, {}, args.concurrency, pool.run)
            pooled = time.perf_counter() - started
    finally:
        pool.close()

    started = time.perf_counter()
    naive_entries = await asyncio.to_thread(naive_loop, urls)
    naive = time.perf_counter() - started

    assert entries == naive_entries == pooled_entries == args.feeds * args.entries, (entries, naive_entries)
    assert unchanged == args.feeds, unchanged
    print(f"(c) naive sequential urllib + feedparser.parse: {naive:7.2f} s  (baseline)")
    print(
        f"(a) first poll, Fetcher + parse_feed, {args.concurrency} at a time: {first:7.2f} s"
        f"  ratio {first / naive:.2f}x baseline  target <= 10 s: {'ok' if first <= 10 else 'MISSED'}"
    )
    print(
        f"(a') first poll, parse_feed in the bot's {CPU_PROCESSES} worker processes: {pooled:7.2f} s"
        f"  ratio {pooled / naive:.2f}x baseline  target <= 10 s: {'ok' if pooled <= 10 else 'MISSED'}"
    )
    print(
        f"(b) re-poll, conditional GET (all {unchanged} answered 304): {repoll:7.2f} s"
        f"  ratio {repoll / naive:.3f}x baseline  target <= 2 s: {'ok' if repoll <= 2 else 'MISSED'}"
    )
    print(f"server: {server.requests} requests, {server.not_modified} not modified")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=20)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
