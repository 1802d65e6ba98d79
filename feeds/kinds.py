"""The kinds of source spacebrief can watch, in one registry: how each is requested and parsed.

A source row stores its kind (``db.models.SourceKind``); a URL typed by an admin or listed in the
config file is given the first kind that claims it (``kind_for_url``). Everything that differs
between kinds lives here: the request URL (SNAPI is asked for a window of recent articles, a feed
is fetched as is), the Accept header, whether conditional GET and permanent redirects apply, and
the parser. Adding a kind means one entry in ``KINDS`` (plus its parser module and the migration
that lets the ``sources.kind`` column hold its name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from db.models import SourceKind
from feeds.entries import ParsedFeed
from feeds.parse import parse_feed
from feeds.snapi import is_snapi_url, parse_snapi, snapi_request_url

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
#: SNAPI is asked for entries published since the last success minus this overlap, so an
#: article indexed late (published_at in the past) is still seen; keys dedupe the overlap.
SNAPI_OVERLAP = timedelta(hours=6)
#: Entries a poll of a windowed API asks for.
POLL_PAGE = 30


Parser = Callable[..., ParsedFeed]


@dataclass(frozen=True)
class SourceKindSpec:
    """How one kind of source is fetched and parsed."""

    name: SourceKind
    accept: str
    #: Conditional GET (ETag / Last-Modified) and permanent redirects updating the stored URL.
    conditional: bool
    #: Whether a URL belongs to this kind when nobody said which kind it is.
    claims: Callable[[str], bool]
    #: The URL to request for a source URL: ``(url, last_success_at, limit) -> str``.
    build_request: Callable[[str, datetime | None, int], str]
    #: ``parser(body, *, url, content_type, charset) -> ParsedFeed``: synchronous, CPU-bound, and
    #: module-level so that the bot's process pool can run it.
    parser: Parser

    def request_url(self, url: str, *, last_success_at: datetime | None = None, limit: int = POLL_PAGE) -> str:
        return self.build_request(url, last_success_at, limit)


def _any_url(url: str) -> bool:
    return True


def _as_is(url: str, last_success_at: datetime | None, limit: int) -> str:
    return url


def _snapi_window(url: str, last_success_at: datetime | None, limit: int) -> str:
    since = last_success_at - SNAPI_OVERLAP if last_success_at else None
    return snapi_request_url(url, since=since, limit=limit)


def parse_snapi_body(body: bytes, *, url: str, content_type: str | None = None, charset: str | None = None) -> ParsedFeed:
    """``parse_snapi`` with the parser signature (SNAPI answers are UTF-8 JSON whatever the headers say)."""
    return parse_snapi(body, url=url)


SNAPI = SourceKindSpec(
    name="snapi",
    accept="application/json",
    # SNAPI does not do conditional GET; the published_at_gte window keeps each answer small.
    conditional=False,
    claims=is_snapi_url,
    build_request=_snapi_window,
    parser=parse_snapi_body,
)
FEED = SourceKindSpec(
    name="feed", accept=FEED_ACCEPT, conditional=True, claims=_any_url, build_request=_as_is, parser=parse_feed
)

#: Every kind, in the order ``kind_for_url`` asks them (the catch-all ``feed`` last).
KINDS: dict[str, SourceKindSpec] = {"snapi": SNAPI, "feed": FEED}


def kind_for_url(url: str) -> SourceKindSpec:
    """The kind a URL is when nobody said: the first kind that claims it."""
    return next(spec for spec in KINDS.values() if spec.claims(url))


def kind_of(kind: str, url: str) -> SourceKindSpec:
    """The kind of a stored source: its own unless it is the default ``feed``, which older rows and
    hand-added sources carry whatever their URL (a SNAPI URL stored as ``feed`` is still SNAPI)."""
    spec = KINDS.get(kind, FEED)
    return kind_for_url(url) if spec is FEED else spec
