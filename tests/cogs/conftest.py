"""Fixtures for cog tests: a real Store on a temp SQLite file, a local web site, a never-logged-in bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from db.store import Store
from tests.helpers.bots import CogTestBot, make_config, start_bot, stop_bot
from tests.helpers.discord_fakes import FakeClock
from tests.helpers.site import LocalSite


@pytest.fixture
async def site() -> AsyncIterator[LocalSite]:
    local = LocalSite()
    await local.start()
    try:
        yield local
    finally:
        await local.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def bot(tmp_path: Path, store: Store, clock: FakeClock) -> AsyncIterator[CogTestBot]:
    started = await start_bot(make_config(tmp_path), store, clock)
    try:
        yield started
    finally:
        await stop_bot(started)


@pytest.fixture
async def strict_bot(tmp_path: Path, store: Store, clock: FakeClock) -> AsyncIterator[CogTestBot]:
    """A bot with the production address guard (private networks refused)."""
    started = await start_bot(make_config(tmp_path, allow_private=False), store, clock)
    try:
        yield started
    finally:
        await stop_bot(started)
