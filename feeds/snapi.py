"""The Spaceflight News API v4 (https://api.spaceflightnewsapi.net/v4/) as a feed source.

A source URL such as `https://api.spaceflightnewsapi.net/v4/articles/?news_site=NASA` is polled with
`snapi_request_url(url, since=..., limit=...)`, and the JSON answer becomes the same ParsedFeed/FeedEntry
as an RSS feed. SNAPI gives summaries only, so every entry is a teaser (the article page is fetched for
the full text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from yarl import URL

from feeds.entries import FeedEntry, FeedParseError, ParsedFeed, http_url, parse_iso_datetime, plain

__all__ = [
    "SNAPI_HOST",
    "SNAPI_KINDS",
    "is_snapi_url",
    "parse_snapi",
    "parse_snapi_data",
    "snapi_kind",
    "snapi_request_url",
]

SNAPI_HOST = "api.spaceflightnewsapi.net"
SNAPI_KINDS = ("articles", "blogs", "reports")
SNAPI_HOME = "https://www.spaceflightnewsapi.net"
SNAPI_MAX_LIMIT = 100  # more than the API's page size gains nothing; a poll needs only the newest few


def _parts(url: str) -> tuple[URL, list[str]] | None:
    try:
        parsed = URL(url.strip())
    except (ValueError, TypeError):
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    return parsed, [p for p in parsed.path.split("/") if p]


def snapi_kind(url: str | None, *, any_host: bool = False) -> str | None:
    """"articles", "blogs" or "reports" for a SNAPI v4 list URL, else None.

    With `any_host`, a mirror or a local test server is accepted too: any http(s) URL whose path ends
    in /v4/<kind>/ (a source explicitly configured as kind "snapi").
    """
    if not url:
        return None
    found = _parts(url)
    if found is None:
        return None
    parsed, segments = found
    official = (parsed.host or "").lower() == SNAPI_HOST
    if not official and not any_host:
        return None
    tail = segments if official else segments[-2:]
    if len(tail) == 2 and tail[0] == "v4" and tail[1] in SNAPI_KINDS:
        return tail[1]
    return None


def is_snapi_url(url: str) -> bool:
    """True for a Spaceflight News API v4 list endpoint (articles, blogs or reports) on its own host."""
    return snapi_kind(url) is not None


def snapi_request_url(url: str, *, since: datetime | None = None, limit: int = 20) -> str:
    """The URL to poll: newest first, at most `limit`, published at or after `since` (UTC) when given.

    The source's own query parameters (e.g. `news_site=NASA`, `search=Artemis`) are kept, and so are
    its scheme, host and path (mirrors and test servers work as long as the path ends in /v4/<kind>/).
    """
    if snapi_kind(url, any_host=True) is None:
        raise ValueError(f"not a Spaceflight News API v4 URL: {plain(url)[:200]}")
    parsed = URL(url.strip())
    query: dict[str, str] = {k: v for k, v in parsed.query.items() if k not in ("limit", "ordering")}
    query["ordering"] = "-published_at"
    query["limit"] = str(max(1, min(int(limit), SNAPI_MAX_LIMIT)))
    if since is not None:
        moment = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
        query["published_at_gte"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    path = parsed.path if parsed.path.endswith("/") else parsed.path + "/"
    return str(parsed.with_path(path).with_query(query))


def parse_snapi(body: bytes, *, url: str | None = None) -> ParsedFeed:
    """A SNAPI v4 list response to a ParsedFeed (guid "snapi:<kind>:<id>"); FeedParseError when malformed.

    `url` (the source or request URL) names the kind; without it, "articles" is assumed.
    """
    try:
        data = json.loads(bytes(body).decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FeedParseError("not a Spaceflight News API response: not UTF-8") from exc
    except RecursionError as exc:
        raise FeedParseError("not a Spaceflight News API response: JSON nested too deeply") from exc
    except ValueError as exc:
        raise FeedParseError("not a Spaceflight News API response: invalid JSON") from exc
    return parse_snapi_data(data, url=url)


def parse_snapi_data(data: Any, *, url: str | None = None) -> ParsedFeed:
    """Like parse_snapi, from already decoded JSON. Malformed results are skipped, not fatal."""
    if not isinstance(data, Mapping) or not isinstance(data.get("results"), list):
        raise FeedParseError("not a Spaceflight News API response: no results list")
    kind = snapi_kind(url, any_host=True) or "articles"
    entries: list[FeedEntry] = []
    for item in data["results"]:
        entry = _entry(item, kind)
        if entry is not None:
            entries.append(entry)
    return ParsedFeed(
        title=f"Spaceflight News API: {kind}",
        link=SNAPI_HOME,
        entries=entries,
        format="snapi",
    )


def _entry(item: Any, kind: str) -> FeedEntry | None:
    if not isinstance(item, Mapping):
        return None
    raw_id = item.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int | str) or not str(raw_id).strip():
        return None
    title = plain(item["title"]) if isinstance(item.get("title"), str) else ""
    summary = plain(item["summary"]) if isinstance(item.get("summary"), str) else ""
    return FeedEntry(
        guid=f"snapi:{kind}:{plain(str(raw_id))}",
        link=http_url(item.get("url")),
        title=title,
        published=parse_iso_datetime(item.get("published_at")) or parse_iso_datetime(item.get("updated_at")),
        summary=summary,
        content=None,
        image_url=http_url(item.get("image_url")),
        is_teaser=True,
    )
