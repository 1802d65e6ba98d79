"""End-to-end fixtures: the fake Discord, a local feed server, and the real bot run against both.

Everything runs in the test's event loop on 127.0.0.1. discord.py's endpoints are process-wide
class attributes, so every test restores them afterwards.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import discord
import pytest
from aiohttp import web
from discord import app_commands
from discord.ext import commands

from bot.app import EXTENSIONS, SpacebriefBot, point_at_discord
from bot.config import Config, parse_config
from bot.run import run_bot
from tests.fake_discord import FakeDiscord, RecordedMessage


@pytest.fixture(autouse=True)
def restore_discord_endpoints() -> Iterator[None]:
    base = discord.http.Route.BASE
    gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@pytest.fixture(autouse=True)
def no_token_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The config file's token is what these tests mean; a developer's DISCORD_TOKEN must not win.
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("SPACEBRIEF_CONFIG", raising=False)


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """The fake Discord, checking every request against Discord's OpenAPI description.

    A test fails if anything was sent that Discord would refuse as invalid (or if the fake answered
    in a shape Discord does not), unless the test took those violations itself on purpose.
    """
    fake = FakeDiscord()
    assert fake.validate_with_spec
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
    assert fake.spec_violations == [], "requests Discord would refuse:\n" + "\n".join(fake.spec_violations)


@dataclass
class FeedItem:
    guid: str
    title: str
    link: str
    body: str
    published: datetime

    def to_rss(self) -> str:
        return (
            "<item>"
            f"<guid isPermaLink=\"false\">{escape(self.guid)}</guid>"
            f"<title>{escape(self.title)}</title>"
            f"<link>{escape(self.link)}</link>"
            f"<pubDate>{format_datetime(self.published)}</pubDate>"
            f"<description>{escape(self.body)}</description>"
            "</item>"
        )


@dataclass
class FeedServer:
    """RSS feeds and article pages on 127.0.0.1; tests add items while the bot runs."""

    items: dict[str, list[FeedItem]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    delays: dict[str, float] = field(default_factory=dict)  # seconds before answering a path
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add_item(self, feed: str, item: FeedItem) -> None:
        self.items.setdefault(feed, []).append(item)

    async def handle(self, request: web.Request) -> web.Response:
        self.hits.append(request.path)
        if request.path in self.delays:
            await asyncio.sleep(self.delays[request.path])
        if request.path in self.items:
            entries = "".join(i.to_rss() for i in reversed(self.items[request.path]))
            body = (
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>"
                f"<title>Test feed {escape(request.path)}</title><link>{self.url('/')}</link>"
                f"<description>test</description>{entries}</channel></rss>"
            )
            return web.Response(body=body.encode(), headers={"Content-Type": "application/rss+xml"})
        if request.path in self.pages:
            return web.Response(
                body=self.pages[request.path].encode(), headers={"Content-Type": "text/html; charset=utf-8"}
            )
        return web.Response(status=404, text="not found")


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield server
    finally:
        await runner.cleanup()


def article_html(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{escape(title)}</title></head><body>"
        f"<article><h1>{escape(title)}</h1>{body}</article></body></html>"
    )


LAUNCH_PARAGRAPHS = [
    "The heavy-lift rocket left the pad at dawn carrying a lunar lander and two small satellites.",
    "Engineers said the first stage burned for almost three minutes before separating cleanly over the ocean.",
    '"This flight proves the upgraded engines can handle a full cargo," said mission manager Dana Ortiz.',
    "The lander will spend four days coasting before it fires its engine to enter lunar orbit.",
    "Ground stations in Australia and Spain will track the spacecraft through the whole transit.",
    '"We expect the first images from the surface within a week of landing," Ortiz added.',
    "The agency plans three more flights of the same rocket before the end of next year.",
]


def bot_config_data(
    tmp_path: Path,
    fake: FakeDiscord,
    *,
    sources: list[dict[str, Any]] | None = None,
    news: dict[str, Any] | None = None,
    dev_guild_id: int = 0,
) -> dict[str, Any]:
    return {
        "discord": {
            "token": fake.token,
            "api_base": fake.api_base,
            "gateway_url": fake.gateway_url,
            "dev_guild_id": dev_guild_id,
            "message_content": True,
        },
        "database": {"path": str(tmp_path / "spacebrief.sqlite3")},
        "fetch": {"timeout_s": 5.0, "allow_private_networks": True},
        "news": {"interval_minutes": 0.05, "backfill": 3, **(news or {})},
        "sources": sources or [],
    }


def now_utc() -> datetime:
    return datetime.now(UTC)


def fast_clock(factor: float) -> Callable[[], datetime]:
    """A UTC clock that starts now and runs `factor` times faster than real time.

    The news loop ticks every interval (3 s in these tests) but a source is due only an
    interval after its last poll, measured by the bot's clock; a tick landing a hair early
    would wait a whole extra tick. A faster clock makes every tick find the source due.
    """
    start = datetime.now(UTC)
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=(time.monotonic() - origin) * factor)


async def wait_ready(bot: discord.Client, runner: asyncio.Task[Any], within: float = 10.0) -> None:
    """Wait for on_ready, failing fast (with the run's result) if the bot stopped instead."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not bot.is_ready():
        if runner.done():
            raise AssertionError(f"bot stopped before it was ready: {runner.result()!r}")
        if loop.time() > deadline:
            raise AssertionError(f"bot not ready within {within}s")
        await asyncio.sleep(0.01)


class RunningBot:
    """The real SpacebriefBot run through bot.run.run_bot in this loop, stopped like SIGTERM would."""

    def __init__(
        self,
        config: Config,
        *,
        extensions: Sequence[str] = EXTENSIONS,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.config = config
        self.bot = SpacebriefBot(config, extensions=extensions, clock=clock, guild_ready_timeout=0.05)
        self.stop_event = asyncio.Event()
        self.runner: asyncio.Task[int] | None = None

    async def __aenter__(self) -> RunningBot:
        self.runner = asyncio.create_task(
            run_bot(self.config, bot=self.bot, stop=self.stop_event, handle_signals=False)
        )
        await wait_ready(self.bot, self.runner)
        return self

    async def stop(self) -> int:
        assert self.runner is not None
        self.stop_event.set()
        return await asyncio.wait_for(self.runner, timeout=15)

    async def __aexit__(self, *exc_info: object) -> None:
        if self.runner is not None and not self.runner.done():
            await self.stop()


def make_config(data: dict[str, Any]) -> Config:
    return parse_config(data, origin="test config")


NEWS_CHANNEL = 810000000000000001
CHAT_CHANNEL = 810000000000000002

# ---- the news loop: one config-file source, "Agency", posting to #news ------------------------------

FEED_PATH = "/agency.xml"
POLL_WAIT_S = 20.0  # an upper bound only: every wait returns as soon as its condition holds

FEED_PATH = "/agency.xml"
POLL_WAIT_S = 20.0  # an upper bound only: every wait returns as soon as its condition holds


def item(feed: FeedServer, number: int, title: str, *, days_ago: float) -> FeedItem:
    link = feed.url(f"/articles/{number}")
    feed.pages[f"/articles/{number}"] = article_html(title, LAUNCH_PARAGRAPHS)
    return FeedItem(
        guid=f"agency-{number}",
        title=title,
        link=link,
        body=f"{title}. " + " ".join(LAUNCH_PARAGRAPHS[:4]),
        published=datetime.now(UTC) - timedelta(days=days_ago),
    )


def config_for(tmp_path: Path, fake: FakeDiscord, feed: FeedServer, **news: Any) -> Any:
    sources = [{"name": "Agency", "url": feed.url(FEED_PATH), "channel_id": NEWS_CHANNEL}]
    return make_config(bot_config_data(tmp_path, fake, sources=sources, news=news or None))


def titles(posts: list[RecordedMessage]) -> list[str]:
    return [post.embeds[0]["title"] for post in posts]


def feed_polls(feed: FeedServer) -> int:
    return feed.hits.count(FEED_PATH)


async def wait_for_polls(fake: FakeDiscord, feed: FeedServer, more: int) -> None:
    """Let the loop poll the feed `more` further times (so a duplicate would have had its chance).

    A poll is seen when it starts, and an iteration starts only after the previous one finished:
    two more polls mean at least one whole iteration ran (and sent whatever it was going to send).
    """
    target = feed_polls(feed) + more
    await fake.wait_for(lambda: feed_polls(feed) >= target, within=POLL_WAIT_S, what=f"{more} more polls")


def assert_valid_news_post(post: RecordedMessage, expected: FeedItem) -> None:
    assert post.allowed_mentions == {"parse": []}  # no pings, ever
    [embed] = post.embeds
    assert embed["title"] == expected.title
    assert embed["url"] == expected.link


Handler = Callable[[discord.Interaction], Awaitable[None]]


PLANETS = ["Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune"]


class PlainBot(commands.Bot):
    """A plain discord.py bot (not spacebrief): checks the fake itself, independently of our code."""

    def __init__(self, handler: Handler | None = None) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.none(), guild_ready_timeout=0.05)
        self.handler = handler
        self.handler_errors: list[BaseException] = []

        @self.tree.command(description="say something")
        async def say(interaction: discord.Interaction, word: str, times: int = 1) -> None:
            try:
                if self.handler is not None:
                    await self.handler(interaction)
            except BaseException as exc:  # recorded for the test, which asserts on it
                self.handler_errors.append(exc)

        async def planets(interaction: discord.Interaction, typed: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=p, value=p) for p in PLANETS if p.lower().startswith(typed.lower())]

        @self.tree.command(description="pick a planet")
        @app_commands.autocomplete(planet=planets)
        async def pick(interaction: discord.Interaction, planet: str) -> None:
            await interaction.response.send_message(planet, allowed_mentions=discord.AllowedMentions.none())


@pytest.fixture
async def plain_bot(fake_discord: FakeDiscord) -> AsyncIterator[PlainBot]:
    point_at_discord(fake_discord.api_base, fake_discord.gateway_url)
    bot = PlainBot()
    async with bot:
        runner: asyncio.Task[Any] = asyncio.create_task(bot.start(fake_discord.token))
        await wait_ready(bot, runner)
        await bot.tree.sync()
        yield bot
        await bot.close()
        await runner
