"""A real SpacebriefBot for cog tests, never logged in: a real Store and Fetcher, fake channels."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import discord
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.app import SpacebriefBot
from bot.config import Config, DatabaseSettings, DiscordSettings, FetchSettings, NewsSettings
from db.store import Store
from feeds.fetch import Fetcher, FetchLimits
from tests.helpers.discord_fakes import FakeChannel, FakeClock, http_error, make_bot_user, make_guild

ALL_COGS = ("cogs.news", "cogs.members", "cogs.admin", "cogs.errors")


class LocalOnlyResolver(AbstractResolver):
    """Resolves only loopback names: a test that would reach the network fails fast instead."""

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[ResolveResult]:
        if host not in ("localhost", "127.0.0.1"):
            raise OSError(f"test resolver: {host} is not a local name (tests stay offline)")
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


class CogTestBot(SpacebriefBot):
    """SpacebriefBot whose gateway view (user, channels, guilds) is a set of fakes."""

    def __init__(self, config: Config, *, clock: FakeClock) -> None:
        super().__init__(config, clock=clock, extensions=())
        self.fake_user = make_bot_user()
        self.fake_channels: dict[int, Any] = {}
        self.fake_guilds: dict[int, Any] = {}

    @property
    def user(self) -> Any:  # type: ignore[override]
        return self.fake_user

    def get_channel(self, id: int, /) -> Any:
        return self.fake_channels.get(id)

    async def fetch_channel(self, channel_id: int, /) -> Any:
        channel = self.fake_channels.get(channel_id)
        if channel is None:
            raise http_error(discord.NotFound, 404, "Unknown Channel", 10003)
        return channel

    async def wait_until_ready(self) -> None:
        # Never ready: the news loop started by cog_load waits here; tests run iterations by hand.
        await asyncio.Event().wait()

    def get_guild(self, id: int, /) -> Any:
        return self.fake_guilds.get(id)

    def add_channel(self, guild_id: int, *, name: str = "news", system: bool = False) -> FakeChannel:
        guild = self.fake_guilds.get(guild_id)
        if guild is None:
            guild = make_guild(guild_id)
            guild.get_channel.side_effect = lambda wanted: (
                found
                if (found := self.fake_channels.get(wanted)) is not None and found.guild is guild
                else None
            )
            self.fake_guilds[guild_id] = guild
        channel = FakeChannel(guild=guild, author=self.fake_user, name=name, registry=self.fake_channels)
        self.fake_channels[channel.channel_id] = channel.mock
        if system:
            guild.system_channel = channel.mock
        return channel


def make_config(
    tmp_path: Path, *, allow_private: bool = True, message_content: bool = True, **news: Any
) -> Config:
    """A config for cog tests; ``allow_private`` lets the Fetcher reach the local test site."""
    return Config(
        discord=DiscordSettings(message_content=message_content),
        database=DatabaseSettings(path=str(tmp_path / "spacebrief.sqlite3")),
        fetch=FetchSettings(timeout_s=5.0, allow_private_networks=allow_private),
        news=NewsSettings(**news),
    )


async def start_bot(
    config: Config, store: Store, clock: FakeClock, extensions: Sequence[str] = ALL_COGS
) -> CogTestBot:
    bot = CogTestBot(config, clock=clock)
    bot.store = store
    fetch = config.fetch
    bot.fetcher = Fetcher(
        inner_resolver=LocalOnlyResolver(),
        limits=FetchLimits(
            timeout_s=fetch.timeout_s,
            max_bytes=fetch.max_bytes,
            allow_private_networks=fetch.allow_private_networks,
        ),
    )
    for extension in extensions:
        await bot.load_extension(extension)
    return bot


async def stop_bot(bot: CogTestBot) -> None:
    for extension in list(bot.extensions):
        await bot.unload_extension(extension)
    await bot.fetcher.aclose()
