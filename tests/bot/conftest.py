"""Fixtures of the bot/ tests: a local news site whose feeds the tests change between runs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer

from tests.bot.test_preview import FeedSite


@pytest.fixture
async def site() -> AsyncIterator[tuple[FeedSite, str]]:
    feeds = FeedSite()
    server = TestServer(feeds.app(), host="127.0.0.1", port=0)
    await server.start_server()
    yield feeds, f"http://127.0.0.1:{server.port}"
    await server.close()
