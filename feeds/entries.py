"""What every feed parser produces: ``ParsedFeed`` of ``FeedEntry``, or a ``FeedParseError``.

Beside them, the small cleaning helpers each parser applies to untrusted values (plain one-line
text, http(s) URLs only, ISO dates), so ``feeds.parse`` (RSS/Atom/JSON Feed) and ``feeds.snapi``
(Spaceflight News API) share them without importing each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

__all__ = [
    "CONTROL_CHARS",
    "FeedEntry",
    "FeedParseError",
    "ParsedFeed",
    "http_url",
    "parse_iso_datetime",
    "plain",
]

# XML 1.0 forbids these; lxml refuses strings containing them.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class FeedParseError(ValueError):
    """The body is not a usable feed; `str()` is one line."""

    def __init__(self, reason: str) -> None:
        self.reason = " ".join(reason.split()) or "not a feed"
        super().__init__(self.reason)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    guid: str | None
    link: str | None
    title: str
    published: datetime | None  # aware, UTC
    summary: str  # plain text, "" when the feed gives none
    content: str | None  # plain text of the full content, None when the feed carries only a summary
    image_url: str | None
    is_teaser: bool


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    link: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    format: str = ""  # feedparser's version ("rss20", "atom10", ...), "json1"/"json11", or "snapi"


def http_url(value: object, base: str | None = None) -> str | None:
    """An http(s) URL (resolved against ``base`` when relative), else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value:
        return None
    if base and not _SCHEME.match(value):
        value = urljoin(base, value)
    if value.lower().startswith(("http://", "https://")):
        return value
    return None


def plain(value: str) -> str:
    """One line of text: control characters dropped, whitespace collapsed."""
    return " ".join(CONTROL_CHARS.sub("", value).split())


def parse_iso_datetime(value: object) -> datetime | None:
    """RFC 3339 / ISO 8601 to an aware UTC datetime; a naive value is taken as UTC; junk gives None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
