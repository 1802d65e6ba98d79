"""Fixtures for feeds/ tests: local aiohttp servers on 127.0.0.1 (no network beyond loopback)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

SAMPLES = Path(__file__).parent / "samples"

ServeApp = Callable[[web.Application], Awaitable[str]]


@pytest.fixture
def sample_bytes() -> Callable[[str], bytes]:
    """Read one of the small fixture feeds written for these tests (tests/feeds/samples)."""

    def read(name: str) -> bytes:
        return (SAMPLES / name).read_bytes()

    return read


@pytest.fixture
async def serve() -> AsyncIterator[ServeApp]:
    """Start an aiohttp app on 127.0.0.1, port 0; returns its base URL ("http://127.0.0.1:PORT")."""
    servers: list[TestServer] = []

    async def start(app: web.Application, host: str = "127.0.0.1") -> str:
        server = TestServer(app, host=host, port=0)
        await server.start_server()
        servers.append(server)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{server.port}"

    yield start
    for server in servers:
        await server.close()
