"""A teaser whose article page fails (a 404) is still posted, but the post says so instead of
passing the teaser off as a summary with "reduced by 0%" (issue 13)."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.config import parse_config
from bot.preview import run_preview

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TEASER = "The crew of Artemis II splashed down safely in the Pacific after ten days around the Moon…"
ARTICLE = (
    "<html><head><title>Artemis II is home</title></head><body><article>"
    "<p>The crew of Artemis II splashed down in the Pacific Ocean on Friday after ten days in space.</p>"
    "<p>Recovery teams from the US Navy reached the capsule within forty minutes of splashdown.</p>"
    "<p>The four astronauts were flown to the recovery ship for medical checks and a first meal.</p>"
    "<p>NASA said the heat shield performed as expected during the fast return from the Moon.</p>"
    "</article></body></html>"
)


@pytest.fixture
async def news_site() -> AsyncIterator[str]:
    async def feed(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        items = "".join(
            f"<item><guid>urn:{name}</guid><title>Artemis II ({name})</title><link>{base}/{name}</link>"
            f"<pubDate>Mon, 02 Nov 2026 0{n}:00:00 GMT</pubDate><description>{TEASER}</description></item>"
            for n, name in ((1, "missing"), (2, "present"))
        )
        body = (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Agency</title>{items}</channel></rss>'
        )
        return web.Response(text=body, content_type="application/rss+xml")

    async def present(request: web.Request) -> web.Response:
        return web.Response(text=ARTICLE, content_type="text/html")

    async def missing(request: web.Request) -> web.Response:
        return web.Response(
            status=404, text="<html><body><h1>Page not found</h1></body></html>", content_type="text/html"
        )

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/present", present)
    app.router.add_get("/missing", missing)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}"
    await server.close()


def config_for(base: str, db: str) -> object:
    return parse_config(
        {
            "database": {"path": db},
            "fetch": {"allow_private_networks": True, "timeout_s": 5},
            "sources": [{"name": "Agency", "url": f"{base}/feed.xml", "channel_id": 5}],
        }
    )


async def test_a_404_article_page_is_reported_in_the_post(news_site: str, tmp_path: object) -> None:
    out = io.StringIO()
    config = config_for(news_site, str(tmp_path) + "/json.sqlite3")
    assert await run_preview(config, as_json=True, out=out, err=io.StringIO(), now=NOW) == 0  # type: ignore[arg-type]
    lines = {line["title"]: line for line in map(json.loads, out.getvalue().splitlines())}
    missing = lines["Artemis II (missing)"]["embed"]["footer"]["text"]
    present = lines["Artemis II (present)"]["embed"]["footer"]["text"]
    assert missing == "Agency · article page unavailable (HTTP 404): summary of the feed's teaser"
    assert "reduced by" not in missing
    assert present.startswith("Agency · reduced by ")
    assert any("Recovery teams" in s or "heat shield" in s for s in lines["Artemis II (present)"]["summary"])


async def test_the_human_preview_says_it_too(news_site: str, tmp_path: object) -> None:
    out = io.StringIO()
    config = config_for(news_site, str(tmp_path) + "/human.sqlite3")
    assert await run_preview(config, out=out, err=io.StringIO(), now=NOW) == 0  # type: ignore[arg-type]
    blocks = out.getvalue().split("[Agency] ")
    missing = next(block for block in blocks if block.startswith("Artemis II (missing)"))
    present = next(block for block in blocks if block.startswith("Artemis II (present)"))
    assert "(article page unavailable: HTTP 404; this is the feed's teaser)" in missing
    assert "unavailable" not in present
