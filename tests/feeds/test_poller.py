"""The poll pipeline against a local server and a real SQLite store: status codes end to end."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

from db.models import Source
from db.store import Store
from feeds.fetch import Fetcher, FetchLimits, FetchResult
from feeds.poller import PollSettings, SharedFetches, poll_source, prepare_entry

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SETTINGS = PollSettings(interval=timedelta(minutes=15), backfill=3)

RSS_ITEM = (
    "<item><guid>urn:item:{n}</guid><title>Item {n}</title><link>{base}/article/{n}</link>"
    "<pubDate>Mon, 02 Nov 2026 0{n}:00:00 GMT</pubDate><description>Short teaser {n}…</description></item>"
)
ARTICLE_HTML = """<html><head><title>Starship flies again</title></head><body><article>
<h1>Starship flies again</h1>
<p>SpaceX launched its Starship rocket from Starbase in Texas on Thursday morning.</p>
<p>The booster returned to the launch tower and was caught by its mechanical arms.</p>
<p>"Today we showed that the whole system can be reused," said Kiko Dontchev, the vice president of launch at SpaceX.</p>
<p>The upper stage reached space and splashed down in the Indian Ocean an hour later.</p>
<p>The Federal Aviation Administration said no one was hurt and no debris fell outside the hazard areas.</p>
</article></body></html>"""


@dataclass
class Site:
    items: int = 2
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[web.Request] = field(default_factory=list)

    def app(self) -> web.Application:
        async def feed(request: web.Request) -> web.Response:
            self.requests.append(request)
            if self.status != 200:
                return web.Response(status=self.status, headers=self.headers)
            if request.headers.get("If-None-Match") == '"v1"':
                return web.Response(status=304, headers={"ETag": '"v1"'})
            base = f"http://{request.host}"
            items = "".join(RSS_ITEM.format(n=n, base=base) for n in range(1, self.items + 1))
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
            return web.Response(body=body.encode(), content_type="application/rss+xml", headers={"ETag": '"v1"'})

        async def moved(request: web.Request) -> web.Response:
            raise web.HTTPMovedPermanently(location="/feed.xml")

        async def article(request: web.Request) -> web.Response:
            return web.Response(text=ARTICLE_HTML, content_type="text/html")

        app = web.Application()
        app.router.add_get("/feed.xml", feed)
        app.router.add_get("/old.xml", moved)
        app.router.add_get("/article/{n}", article)
        return app


@pytest.fixture
async def site() -> AsyncIterator[tuple[Site, str]]:
    state = Site()
    server = TestServer(state.app(), host="127.0.0.1", port=0)
    await server.start_server()
    yield state, f"http://127.0.0.1:{server.port}"
    await server.close()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(FetchLimits(timeout_s=5, allow_private_networks=True)) as opened:
        yield opened


async def add(store: Store, url: str, kind: str = "feed") -> Source:
    return await store.add_source(42, url, "Test source", 7, kind=kind, now=NOW)  # type: ignore[arg-type]


async def test_first_poll_claims_backfill_then_304_claims_nothing(
    site: tuple[Site, str], store: Store, fetcher: Fetcher
) -> None:
    state, base = site
    source = await add(store, f"{base}/feed.xml")
    result = await poll_source(source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS)
    assert result.error is None
    assert [entry.title for entry in result.new_entries] == ["Item 1", "Item 2"]
    assert all(entry.state == "pending" for entry in result.new_entries)
    assert result.source.etag == '"v1"'
    assert result.source.next_poll_at == NOW + SETTINGS.interval

    for entry in result.new_entries:
        await store.mark_posted(entry.id, 7, 1000 + entry.id, NOW)
    again = await poll_source(result.source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS)
    assert again.not_modified and again.new_entries == []
    assert state.requests[-1].headers["If-None-Match"] == '"v1"'


async def test_pending_entries_left_by_a_crash_come_back(
    site: tuple[Site, str], store: Store, fetcher: Fetcher
) -> None:
    _, base = site
    source = await add(store, f"{base}/feed.xml")
    first = await poll_source(source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS)
    # the process dies here, before posting: the next poll (a 304) still hands them out
    second = await poll_source(first.source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS)
    assert [entry.id for entry in second.new_entries] == [entry.id for entry in first.new_entries]


async def test_permanent_redirect_updates_the_stored_url(
    site: tuple[Site, str], store: Store, fetcher: Fetcher
) -> None:
    _, base = site
    source = await add(store, f"{base}/old.xml")
    result = await poll_source(source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS)
    assert result.error is None
    assert result.source.url == f"{base}/feed.xml"


async def test_gone_disables_at_once(site: tuple[Site, str], store: Store, fetcher: Fetcher) -> None:
    state, base = site
    state.status = 410
    source = await add(store, f"{base}/feed.xml")
    result = await poll_source(source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS)
    assert result.disabled and result.error and "410" in result.error
    assert result.source.state == "disabled" and result.source.disabled_reason
    assert await store.due_sources(NOW + timedelta(days=30)) == []


async def test_retry_after_is_honoured_and_failures_back_off(
    site: tuple[Site, str], store: Store, fetcher: Fetcher
) -> None:
    state, base = site
    state.status = 429
    state.headers = {"Retry-After": "7200"}
    source = await add(store, f"{base}/feed.xml")
    result = await poll_source(
        source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS, rng=random.Random(1)
    )
    assert result.error and not result.disabled
    assert result.source.consecutive_failures == 1
    assert result.source.next_poll_at == NOW + timedelta(seconds=7200)

    state.status, state.headers = 500, {}
    waits = []
    current = result.source
    for _ in range(6):
        moment = current.next_poll_at or NOW
        current = (
            await poll_source(current, fetcher=fetcher, store=store, now=moment, settings=SETTINGS, rng=random.Random(2))
        ).source
        assert current.next_poll_at is not None
        waits.append(current.next_poll_at - moment)
    assert waits[-1] > waits[1] > waits[0]
    assert current.consecutive_failures == 7 and current.state == "active"
    last = await poll_source(current, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS)
    assert last.disabled and last.source.state == "disabled"
    assert "500" in (last.source.disabled_reason or "")


async def test_not_a_feed_is_a_recorded_failure(store: Store, fetcher: Fetcher) -> None:
    async def html(request: web.Request) -> web.Response:
        return web.Response(text="<html><body><p>Hello</p></body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/", html)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        source = await add(store, f"http://127.0.0.1:{server.port}/")
        result = await poll_source(source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS)
    finally:
        await server.close()
    assert result.error and "not a feed" in result.error
    assert result.source.last_error == result.error


async def test_teaser_entries_are_summarized_from_the_article_page(
    site: tuple[Site, str], store: Store, fetcher: Fetcher
) -> None:
    _, base = site
    source = await add(store, f"{base}/feed.xml")
    result = await poll_source(source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS)
    entry = result.new_entries[0]
    assert entry.is_teaser
    prepared = await prepare_entry(entry, fetcher=fetcher, store=store, sentences=2, max_quotes=2)
    assert prepared.summary is not None
    assert len(prepared.summary.summary) == 2
    assert all(sentence in ARTICLE_HTML for sentence in prepared.summary.summary)
    assert [(q.text, q.speaker) for q in prepared.summary.quotes] == [
        ("Today we showed that the whole system can be reused", "Kiko Dontchev")
    ]
    # saved with the entry: a restart reuses it without fetching the page again
    saved = await store.get_entry(entry.id)
    assert saved is not None and saved.summary == tuple(prepared.summary.summary)
    again = await prepare_entry(saved, fetcher=fetcher, store=store, sentences=2, max_quotes=2)
    assert again.summary is not None and list(again.summary.summary) == list(prepared.summary.summary)


async def test_unreachable_article_page_still_posts_the_teaser(store: Store, fetcher: Fetcher) -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><guid>g1</guid>'
        "<title>Teaser only</title><link>http://127.0.0.1:9/gone</link>"
        "<description>Short teaser…</description></item></channel></rss>"
    )

    async def feed(request: web.Request) -> web.Response:
        return web.Response(text=body, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        source = await add(store, f"http://127.0.0.1:{server.port}/feed.xml")
        result = await poll_source(source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS)
        prepared = await prepare_entry(result.new_entries[0], fetcher=fetcher, store=store, sentences=3, max_quotes=2)
    finally:
        await server.close()
    assert prepared.problem is not None
    assert prepared.entry.title == "Teaser only" and prepared.entry.summary.startswith("Short teaser")


class CannedFetcher:
    """A stand-in for Fetcher that answers from memory and records the URLs it was asked for."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.urls: list[str] = []

    async def get(self, url: str, **_: object) -> FetchResult:
        self.urls.append(url)
        return FetchResult(url, 200, self.body, "application/json", "utf-8", None, None)


async def test_spaceflight_news_api_source(store: Store) -> None:
    results = [
        {
            "id": 100 + n,
            "title": f"SNAPI story {n}",
            "url": f"https://example.org/snapi/{n}",
            "image_url": "https://example.org/i.jpg",
            "news_site": "SpaceNews",
            "summary": f"Summary {n}.",
            "published_at": f"2026-11-0{n}T10:00:00Z",
            "updated_at": f"2026-11-0{n}T10:00:00Z",
        }
        for n in range(1, 6)
    ]
    body = json.dumps({"count": 5, "next": None, "previous": None, "results": results[::-1]}).encode()
    canned = CannedFetcher(body)
    source = await add(store, "https://api.spaceflightnewsapi.net/v4/articles/", kind="snapi")
    first = await poll_source(source, fetcher=canned, store=store, now=NOW, settings=SETTINGS)  # type: ignore[arg-type]
    assert [entry.title for entry in first.new_entries] == ["SNAPI story 3", "SNAPI story 4", "SNAPI story 5"]
    query = URL(canned.urls[0]).query
    assert query["ordering"] == "-published_at" and "published_at_gte" not in query

    for entry in first.new_entries:
        await store.mark_posted(entry.id, 7, 5000 + entry.id, NOW)
    second = await poll_source(
        first.source, fetcher=canned, store=store, now=NOW + timedelta(hours=1), settings=SETTINGS  # type: ignore[arg-type]
    )
    assert second.new_entries == []
    assert URL(canned.urls[1]).query["published_at_gte"] == "2026-11-02T03:00:00Z"  # last success - 6 h


async def test_cpu_work_can_run_in_worker_processes(
    site: tuple[Site, str], store: Store, fetcher: Fetcher
) -> None:
    """The bot runs parsing and summaries in a process pool: what crosses must pickle."""
    import asyncio
    import functools
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from typing import Any

    _, base = site
    calls: list[str] = []
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver")) as pool:

        async def in_process(func: Any, /, *args: Any, **kwargs: Any) -> Any:
            calls.append(func.__name__)
            return await asyncio.get_running_loop().run_in_executor(pool, functools.partial(func, *args, **kwargs))

        source = await add(store, f"{base}/feed.xml")
        result = await poll_source(source, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS, run_cpu=in_process)
        prepared = await prepare_entry(
            result.new_entries[0], fetcher=fetcher, store=store, sentences=2, max_quotes=1, run_cpu=in_process
        )
    assert calls == ["parse_feed", "summarize"]
    assert [entry.title for entry in result.new_entries] == ["Item 1", "Item 2"]
    assert prepared.summary is not None and len(prepared.summary.summary) == 2


async def test_shared_fetches_never_answer_a_source_with_another_sources_304(
    site: tuple[Site, str], store: Store, fetcher: Fetcher
) -> None:
    state, base = site
    url = f"{base}/feed.xml"
    holder = await store.add_source(1, url, "Holds v1", 7, now=NOW)
    holder = await store.record_poll_success(holder.id, NOW, etag='"v1"', last_modified=None, next_poll_at=NOW)
    newcomer = await store.add_source(2, url, "New", 8, now=NOW)  # no validators yet
    assert holder is not None

    # Not planned: each shares only with identical validators, so each gets its own answer.
    shared = SharedFetches(fetcher)
    results = await asyncio.gather(
        *(poll_source(s, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS, shared=shared) for s in (holder, newcomer))
    )
    assert shared.fetches == 2 and len(state.requests) == 2
    assert results[0].not_modified and [e.title for e in results[1].new_entries] == ["Item 1", "Item 2"]

    # Planned together: their validators differ, so one unconditional fetch serves both.
    await store.record_poll_success(newcomer.id, NOW, etag='"v0"', last_modified=None, next_poll_at=NOW)
    sources = [s for s in [await store.get_source(holder.id), await store.get_source(newcomer.id)] if s is not None]
    shared = SharedFetches(fetcher)
    shared.plan(sources)
    results = await asyncio.gather(
        *(poll_source(s, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS, shared=shared) for s in sources)
    )
    assert shared.fetches == 1 and len(state.requests) == 3
    assert "If-None-Match" not in state.requests[-1].headers
    assert not any(r.not_modified or r.error for r in results)
    assert {(await store.get_source(s.id)).etag for s in (holder, newcomer)} == {'"v1"'}  # type: ignore[union-attr]


async def test_a_source_cancelled_while_waiting_leaves_the_shared_fetch_to_the_others(
    site: tuple[Site, str], store: Store, fetcher: Fetcher
) -> None:
    state, base = site
    first = await store.add_source(1, f"{base}/feed.xml", "One", 7, now=NOW)
    second = await store.add_source(2, f"{base}/feed.xml", "Two", 8, now=NOW)
    shared = SharedFetches(fetcher)
    shared.plan([first, second])
    cancelled = asyncio.create_task(poll_source(first, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS, shared=shared))
    await asyncio.sleep(0)  # its fetch has started
    cancelled.cancel()
    result = await poll_source(second, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS, shared=shared)
    assert result.error is None and len(result.new_entries) == 2
    assert len(state.requests) == 1
    shared.close()


async def test_a_source_outside_the_plan_with_other_validators_fetches_for_itself(
    site: tuple[Site, str], store: Store, fetcher: Fetcher
) -> None:
    state, base = site
    url = f"{base}/feed.xml"
    planned = await store.add_source(1, url, "Planned", 7, now=NOW)
    planned = await store.record_poll_success(planned.id, NOW, etag='"v1"', last_modified=None, next_poll_at=NOW)
    late = await store.add_source(2, url, "Late", 8, now=NOW)  # holds no validators
    assert planned is not None
    shared = SharedFetches(fetcher)
    shared.plan([planned])
    first = await poll_source(planned, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS, shared=shared)
    second = await poll_source(late, fetcher=fetcher, store=store, now=NOW, settings=SETTINGS, shared=shared)
    assert first.not_modified  # the planned source's own ETag
    assert not second.not_modified and len(second.new_entries) == 2  # not the other's 304
    assert len(state.requests) == 2
