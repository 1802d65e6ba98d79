"""Spaceflight News API v4 as a source: request URLs and results as FeedEntry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aiohttp import web
from yarl import URL

from feeds.fetch import Fetcher, FetchLimits
from feeds.parse import FeedParseError, parse_feed
from feeds.snapi import is_snapi_url, parse_snapi, snapi_kind, snapi_request_url

ARTICLES = "https://api.spaceflightnewsapi.net/v4/articles/"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (ARTICLES, "articles"),
        ("https://api.spaceflightnewsapi.net/v4/blogs/", "blogs"),
        ("https://api.spaceflightnewsapi.net/v4/reports", "reports"),
        ("https://api.spaceflightnewsapi.net/v4/articles/?news_site=NASA", "articles"),
        ("https://api.spaceflightnewsapi.net/v4/articles/123/", None),  # one article, not a list
        ("https://api.spaceflightnewsapi.net/v3/articles/", None),
        ("https://api.spaceflightnewsapi.net.evil.example/v4/articles/", None),
        ("https://www.nasa.gov/feed/", None),
        ("ftp://api.spaceflightnewsapi.net/v4/articles/", None),
        ("not a url at all", None),
    ],
)
def test_snapi_kind_and_detection(url: str, kind: str | None) -> None:
    assert snapi_kind(url) == kind
    assert is_snapi_url(url) is (kind is not None)


def test_mirrors_and_local_servers_work_when_configured_as_snapi() -> None:
    mirror = "http://127.0.0.1:8123/snapi/v4/blogs?news_site=ESA"
    assert not is_snapi_url(mirror)  # never auto-detected off the official host
    assert snapi_kind(mirror, any_host=True) == "blogs"
    url = URL(snapi_request_url(mirror, limit=5))
    assert (url.host, url.port, url.path) == ("127.0.0.1", 8123, "/snapi/v4/blogs/")
    assert dict(url.query) == {"news_site": "ESA", "ordering": "-published_at", "limit": "5"}
    assert snapi_kind("http://127.0.0.1:8123/v4/launches/", any_host=True) is None


def test_request_url_sets_ordering_limit_and_since_keeping_source_filters() -> None:
    since = datetime(2026, 5, 4, 12, 30, 15, tzinfo=timezone(timedelta(hours=2)))
    url = URL(snapi_request_url(ARTICLES + "?news_site=ESA&limit=500&ordering=id", since=since, limit=7))
    assert url.host == "api.spaceflightnewsapi.net" and url.path == "/v4/articles/"
    assert url.query["news_site"] == "ESA"
    assert url.query["ordering"] == "-published_at"
    assert url.query["limit"] == "7"
    assert url.query["published_at_gte"] == "2026-05-04T10:30:15Z"  # converted to UTC


def test_request_url_clamps_limit_and_omits_since() -> None:
    url = URL(snapi_request_url("https://api.spaceflightnewsapi.net/v4/blogs", limit=10_000))
    assert url.query["limit"] == "100"
    assert "published_at_gte" not in url.query
    assert URL(snapi_request_url(ARTICLES, limit=0)).query["limit"] == "1"
    naive = URL(snapi_request_url(ARTICLES, since=datetime(2026, 1, 1, 0, 0)))
    assert naive.query["published_at_gte"] == "2026-01-01T00:00:00Z"
    with pytest.raises(ValueError, match="not a Spaceflight News API"):
        snapi_request_url("https://www.nasa.gov/feed/")


def test_parse_snapi_entries(sample_bytes) -> None:  # type: ignore[no-untyped-def]
    feed = parse_snapi(sample_bytes("snapi_articles.json"), url=ARTICLES)
    assert feed.format == "snapi"
    assert len(feed.entries) == 2  # the result without an id is skipped
    first = feed.entries[0]
    assert first.guid == "snapi:articles:30211"
    assert first.link == "https://www.nasa.gov/news-release/artemis-iv-instruments/"
    assert first.title == "NASA selects instruments for Artemis IV lunar surface science"
    assert first.summary.startswith("NASA has selected three science instruments")
    assert first.published == datetime(2026, 5, 4, 18, 2, 11, tzinfo=UTC)
    assert first.image_url == "https://www.nasa.gov/wp-content/uploads/2026/05/artemis-iv.jpg"
    assert first.content is None
    assert first.is_teaser


def test_kind_comes_from_the_url(sample_bytes) -> None:  # type: ignore[no-untyped-def]
    blogs = parse_snapi(sample_bytes("snapi_articles.json"), url="https://api.spaceflightnewsapi.net/v4/blogs/")
    assert blogs.entries[0].guid == "snapi:blogs:30211"
    # parse_feed recognises a SNAPI answer too (the poller need not special-case it)
    via_parse_feed = parse_feed(
        sample_bytes("snapi_articles.json"), url="https://api.spaceflightnewsapi.net/v4/reports/?limit=3"
    )
    assert via_parse_feed.entries[0].guid == "snapi:reports:30211"


@pytest.mark.parametrize(
    "body",
    [b"{}", b'{"results": {}}', b"[]", b"nope", b"\xff\xfe\x00", b'{"results": ' + b"[" * 100_000],
)
def test_malformed_snapi_answers_are_refused(body: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_snapi(body, url=ARTICLES)


def test_hostile_result_values_are_dropped_not_fatal() -> None:
    body = json.dumps(
        {
            "results": [
                {"id": True, "title": "bool id"},
                {"id": 5, "title": ["not", "text"], "url": "javascript:alert(1)", "image_url": 7,
                 "summary": None, "published_at": "garbage"},
            ]
        }
    ).encode()
    feed = parse_snapi(body, url=ARTICLES)
    (entry,) = feed.entries
    assert entry.guid == "snapi:articles:5"
    assert entry.title == "" and entry.summary == ""
    assert entry.link is None and entry.image_url is None and entry.published is None


async def test_snapi_served_locally_with_query(serve, sample_bytes) -> None:  # type: ignore[no-untyped-def]
    seen: list[dict[str, str]] = []

    async def articles(request: web.Request) -> web.Response:
        seen.append(dict(request.query))
        return web.Response(body=sample_bytes("snapi_articles.json"), content_type="application/json")

    app = web.Application()
    app.router.add_get("/v4/articles/", articles)
    base = await serve(app)
    local = snapi_request_url(base + "/v4/articles/", since=datetime(2026, 5, 1, tzinfo=UTC), limit=3)
    async with Fetcher(FetchLimits(timeout_s=5, allow_private_networks=True)) as fetcher:
        result = await fetcher.get(local, accept="application/json")
    feed = parse_snapi(result.body, url=ARTICLES)
    assert seen == [{"ordering": "-published_at", "limit": "3", "published_at_gte": "2026-05-01T00:00:00Z"}]
    assert [e.guid for e in feed.entries] == ["snapi:articles:30211", "snapi:articles:30210"]
