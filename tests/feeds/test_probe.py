"""Probing a feed before watching it, and previewing its next post (feeds.probe)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from aiohttp import web
from yarl import URL

from feeds.entries import FeedEntry, FeedParseError, ParsedFeed
from feeds.fetch import Fetcher, FetchLimits, FetchResult, HTTPStatusError
from feeds.probe import newest_entry, preview_entry, probe_feed

LOCAL = FetchLimits(timeout_s=10, allow_private_networks=True)
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Orbit Notes</title>'
    "<item><guid>a</guid><title>Older</title><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate>"
    "<description>Old news in full, with enough words to read as a whole story here.</description></item>"
    "<item><guid>b</guid><title>Newer</title><link>{base}/article</link>"
    "<pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate><description>A teaser… Read more</description></item>"
    "</channel></rss>"
)
ARTICLE = (
    "<html><head><title>Newer</title></head><body><article>"
    "<p>The Hera spacecraft captured detailed images of the far side of Deimos during its flyby on Wednesday.</p>"
    "<p>The images show craters and grooves that scientists have never seen in such detail before.</p>"
    '<p>"They will help us understand where the Martian moons came from," said Michael Kueppers.</p>'
    "</article></body></html>"
)


def entry(guid: str, published: datetime | None) -> FeedEntry:
    return FeedEntry(guid, None, guid, published, "", None, None, False)


def test_newest_entry_is_by_date_else_the_first_listed() -> None:
    early, late = entry("early", datetime(2026, 1, 1, tzinfo=UTC)), entry("late", datetime(2026, 2, 1, tzinfo=UTC))
    assert newest_entry(ParsedFeed("T", None, [early, late, entry("undated", None)])) is late
    twin = entry("twin", datetime(2026, 2, 1, tzinfo=UTC))
    assert newest_entry(ParsedFeed("T", None, [late, twin])) is late  # ties: first listed
    assert newest_entry(ParsedFeed("T", None, [entry("x", None), entry("y", None)])).guid == "x"  # type: ignore[union-attr]
    assert newest_entry(ParsedFeed("T", None, [])) is None


@pytest.fixture
async def site(serve):  # type: ignore[no-untyped-def]
    async def feed(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        return web.Response(text=RSS.format(base=base), content_type="application/rss+xml")

    async def moved(request: web.Request) -> web.Response:
        return web.Response(status=301, headers={"Location": "/feed.xml"})

    async def article(request: web.Request) -> web.Response:
        return web.Response(text=ARTICLE, content_type="text/html")

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html><body><p>Not a feed at all.</p></body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/old.xml", moved)
    app.router.add_get("/article", article)
    app.router.add_get("/page", page)
    return await serve(app)


async def test_probe_keeps_the_permanent_url_of_a_feed(site: str) -> None:
    async with Fetcher(LOCAL) as fetcher:
        probed = await probe_feed(fetcher, f"{site}/old.xml")
        assert (probed.url, probed.kind, probed.feed.title) == (f"{site}/feed.xml", "feed", "Orbit Notes")
        with pytest.raises(FeedParseError):
            await probe_feed(fetcher, f"{site}/page")
        with pytest.raises(HTTPStatusError):
            await probe_feed(fetcher, f"{site}/missing")


async def test_preview_summarizes_the_article_page_of_a_teaser(site: str) -> None:
    async with Fetcher(LOCAL) as fetcher:
        probed = await probe_feed(fetcher, f"{site}/feed.xml")
        newest = newest_entry(probed.feed)
        assert newest is not None and newest.is_teaser
        preview = await preview_entry(fetcher, newest, sentences=2, max_quotes=1)
        assert preview.entry is newest and preview.summary is not None
        assert any("Deimos" in sentence for sentence in preview.summary.summary)
        assert [quote.speaker for quote in preview.summary.quotes] == ["Michael Kueppers"]
        older = next(e for e in probed.feed.entries if e.guid == "a")
        own_text = await preview_entry(fetcher, older, sentences=1, max_quotes=0)
        assert own_text.summary is not None and own_text.summary.summary == [older.summary]


class CannedSnapi:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str | None]] = []

    async def get(self, url: str, *, accept: str | None = None, **_: object) -> FetchResult:
        self.requests.append((url, accept))
        body = json.dumps({"results": [{"id": 1, "title": "Story", "url": "https://x.example/1"}]}).encode()
        return FetchResult(url, 200, body, "application/json", "utf-8", None, None, permanent_url="https://moved.example/")


async def test_probe_of_a_spaceflight_news_api_url_asks_for_a_few_recent_articles() -> None:
    canned = CannedSnapi()
    url = "https://api.spaceflightnewsapi.net/v4/articles/"
    probed = await probe_feed(canned, url)  # type: ignore[arg-type]
    assert (probed.url, probed.kind) == (url, "snapi")  # an API URL is stored as given
    [(requested, accept)] = canned.requests
    assert URL(requested).query["limit"] == "5" and accept == "application/json"
    assert [e.title for e in probed.feed.entries] == ["Story"]
