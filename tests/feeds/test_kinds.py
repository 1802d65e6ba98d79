"""The source-kind registry: which kind a URL is, and how each kind is requested and parsed."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime

import pytest
from yarl import URL

from feeds.kinds import FEED, FEED_ACCEPT, KINDS, SNAPI, kind_for_url, kind_of

ARTICLES = "https://api.spaceflightnewsapi.net/v4/articles/?news_site=NASA"
MIRROR = "http://127.0.0.1:8123/snapi/v4/blogs/"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (ARTICLES, "snapi"),
        ("https://api.spaceflightnewsapi.net/v4/reports", "snapi"),
        ("https://www.nasa.gov/news-release/feed/", "feed"),
        (MIRROR, "feed"),  # never auto-detected off the official host
        ("not a url", "feed"),
    ],
)
def test_a_url_is_the_first_kind_that_claims_it(url: str, kind: str) -> None:
    assert kind_for_url(url).name == kind


def test_a_stored_kind_wins_except_the_default() -> None:
    assert kind_of("snapi", MIRROR) is SNAPI  # an admin or the file said so: mirrors work
    assert kind_of("feed", ARTICLES) is SNAPI  # older rows stored SNAPI URLs as plain feeds
    assert kind_of("feed", "https://www.esa.int/rssfeed/Our_Activities/Space_News") is FEED
    assert kind_of("retired-kind", "https://example.org/feed") is FEED


def test_feeds_are_fetched_as_given_and_conditionally() -> None:
    url = "https://example.org/feed.xml?x=1"
    assert FEED.request_url(url, last_success_at=datetime(2026, 1, 1, tzinfo=UTC), limit=5) == url
    assert FEED.conditional and FEED.accept == FEED_ACCEPT


def test_snapi_asks_for_a_window_since_the_last_success() -> None:
    assert not SNAPI.conditional and SNAPI.accept == "application/json"
    first = URL(SNAPI.request_url(ARTICLES))
    assert first.query["news_site"] == "NASA" and "published_at_gte" not in first.query
    assert first.query["limit"] == "30"
    later = URL(SNAPI.request_url(ARTICLES, last_success_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC), limit=5))
    assert later.query["published_at_gte"] == "2026-11-02T03:00:00Z"  # six hours of overlap
    assert later.query["limit"] == "5"


def test_each_kind_parses_its_own_answers_and_its_parser_pickles() -> None:
    body = json.dumps(
        {"results": [{"id": 7, "title": "Story", "url": "https://x.example/7", "summary": "S.",
                      "published_at": "2026-11-01T10:00:00Z"}]}
    ).encode()
    parsed = SNAPI.parser(body, url=ARTICLES, content_type="application/json", charset=None)
    assert [entry.guid for entry in parsed.entries] == ["snapi:articles:7"]
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><guid>g</guid><title>A</title></item></channel></rss>'
    assert FEED.parser(rss, url="https://x.example/rss", content_type="application/rss+xml", charset=None).format == "rss20"
    for kind in KINDS.values():  # the bot runs parsers in worker processes
        assert pickle.loads(pickle.dumps(kind.parser)) is kind.parser
