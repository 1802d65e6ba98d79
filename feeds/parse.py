"""Feed parsing: RSS 0.9x/1.0 (RDF)/2.0 and Atom through feedparser, JSON Feed 1.0/1.1 by hand.

`parse_feed` is synchronous and CPU-bound; async callers run it with `asyncio.to_thread`.
feedparser only ever sees the bytes we fetched, wrapped in a BytesIO: given a str it would fetch a URL,
and given bytes it would even try `open()` them as a file name.

Entity declarations are refused before any XML parser runs: a document with a DOCTYPE that declares
entities is either a "billion laughs" expansion bomb or an external-entity (XXE) probe, and no real feed
needs one. feedparser 6.0 would otherwise strip most of them itself, but refusing is faster, cheaper and
does not depend on its internals.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.html
from lxml import etree

from feeds.entries import (
    CONTROL_CHARS,
    FeedEntry,
    FeedParseError,
    ParsedFeed,
    http_url,
    parse_iso_datetime,
    plain,
)
from feeds.snapi import parse_snapi_data

__all__ = [
    "TEASER_MAX_WORDS",
    "FeedEntry",
    "FeedParseError",
    "ParsedFeed",
    "fragment_to_text",
    "is_teaser_text",
    "parse_feed",
    "parse_iso_datetime",
]

TEASER_MAX_WORDS = 80


# --------------------------------------------------------------------------------------------------
# Small safe HTML-to-text for feed fragments (titles, summaries, content:encoded)

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "math")


def _clean_fragment(html: str) -> Any | None:
    html = CONTROL_CHARS.sub("", html)
    if not html.strip():
        return None
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
    for element in list(root.iter(*_DROP_TAGS)):  # a list: dropping while iterating skips siblings
        element.drop_tree()
    return root


def _flatten(element: Any) -> str:
    """Text of an element tree, a newline around block elements, whitespace collapsed per line."""
    pieces: list[str] = []

    def walk(node: Any) -> None:
        is_element = isinstance(node.tag, str)
        block = is_element and node.tag in _BLOCK_TAGS
        if block:
            pieces.append("\n")
        if is_element and node.text:
            pieces.append(node.text)
        for child in node:
            walk(child)
        if block:
            pieces.append("\n")
        if node.tail:
            pieces.append(node.tail)

    # Recursion is bounded: libxml2 stops building the tree past 256 levels (deeper input yields "").
    walk(element)
    lines = (" ".join(line.split()) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def fragment_to_text(html: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, scripts/styles removed."""
    return _fragment_text_and_images(html)[0]


def _fragment_text_and_images(html: str) -> tuple[str, list[str]]:
    """One parse for both the plain text and the <img src> values (in document order) of a fragment."""
    root = _clean_fragment(html)
    if root is None:
        return "", []
    sources = [src for src in (img.get("src") for img in root.iter("img")) if src]
    return _flatten(root), sources


def _first_image(html: str, base: str | None) -> str | None:
    return _first_http(_fragment_text_and_images(html)[1], base)


def _first_http(candidates: Iterable[str], base: str | None) -> str | None:
    for candidate in candidates:
        found = http_url(candidate, base)
        if found:
            return found
    return None


# --------------------------------------------------------------------------------------------------
# Teasers

_TRAILER_WORDPRESS = re.compile(r"\s*The post .{1,400}? appeared first on .{1,200}?\.?\s*$", re.S)
_TEASER_ENDINGS = re.compile(
    r"(…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\]|\(\s*(?:…|\.\.\.)\s*\)|read more|continue reading|full story)"
    r"[\s»›→>.!:]*$",
    re.I,
)


def _strip_trailer(text: str) -> str:
    """Drop WordPress's "The post X appeared first on Y." footer: boilerplate, not article text."""
    tail_start = max(0, len(text) - 800)
    if "appeared first on" not in text[tail_start:]:
        return text.strip()
    return text[:tail_start] + _TRAILER_WORDPRESS.sub("", text[tail_start:]).rstrip()


def is_teaser_text(summary: str, content: str | None) -> bool:
    """True when an entry does not carry the article: no content and a short or truncated summary."""
    if content:
        body = _strip_trailer(content)
        return _has_teaser_ending(body) and len(body.split()) < TEASER_MAX_WORDS
    body = _strip_trailer(summary)
    return len(body.split()) < TEASER_MAX_WORDS or _has_teaser_ending(body)


def _has_teaser_ending(text: str) -> bool:
    # Only the end matters; searching the whole text would retry the pattern at every position.
    return bool(_TEASER_ENDINGS.search(text[-60:]))


# --------------------------------------------------------------------------------------------------
# Guards before parsing

_ENCODED_NEEDLES = [
    (b"<!doctype".decode().encode(enc), b"<!entity".decode().encode(enc))
    for enc in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
]


def _declares_entities(body: bytes) -> bool:
    """True when a DOCTYPE and an ENTITY declaration both appear (in any UTF encoding, any case)."""
    lowered = body.lower()  # bytes.lower only touches ASCII letters, so UTF-16/32 stay searchable
    return any(doctype in lowered and entity in lowered for doctype, entity in _ENCODED_NEEDLES)


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _head_text(body: bytes, size: int = 2048) -> str:
    head = body[:size]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    if head[:2] in (b"<\x00", b"\x00<") or (len(head) > 1 and head[1:2] == b"\x00"):
        head = head.replace(b"\x00", b"")
    return head.decode("latin-1").lstrip().lower()


def _looks_like_html(head: str) -> bool:
    if head.startswith(("<!doctype html", "<html")):
        return True
    return "<html" in head and not any(tag in head for tag in ("<rss", "<feed", "<rdf:rdf", "<channel"))


def _looks_like_json(head: str, content_type: str | None) -> bool:
    if head.startswith(("{", "[")):
        return True
    return bool(content_type and "json" in content_type.lower() and not head.startswith("<"))


# --------------------------------------------------------------------------------------------------
# Public entry point


def parse_feed(
    body: bytes, *, url: str, content_type: str | None = None, charset: str | None = None
) -> ParsedFeed:
    """Parse a fetched feed body into entries. Raises FeedParseError (one line) when it is not a feed.

    `content_type` and `charset` are the HTTP header's (FetchResult.content_type/.charset); the charset
    matters only for XML that declares no encoding itself. `url` resolves relative links and images.
    """
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError("parse_feed takes the fetched bytes, never a URL or a path")
    body = bytes(body)
    if not body.strip():
        raise FeedParseError("not a feed: the response is empty")
    head = _head_text(body)
    if _looks_like_json(head, content_type):
        return _parse_json(body, url=url)
    if _declares_entities(body):
        raise FeedParseError("refused: the document declares XML entities (entity expansion or XXE)")
    if _looks_like_html(head) and not (content_type and "xml" in content_type.lower()):
        raise FeedParseError("not a feed: got an HTML page")
    # No content-location: feedparser would resolve relative <guid>s against it, so an entry's identity
    # would change with the feed's URL (after a 301, every entry would look new). Links and images are
    # resolved against `url` here instead.
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
        if charset and "charset=" not in content_type.lower():
            headers["content-type"] = f"{content_type}; charset={charset}"
    try:
        # feedparser's HTML sanitizer and relative-URI rewriting re-parse every HTML value with its pure-Python
        # sgmllib and cost ~3/4 of the parse time. Nothing here passes feed HTML on: it becomes plain text
        # through lxml (scripts/styles dropped) and URLs are resolved and limited to http(s) by us.
        parsed = feedparser.parse(
            io.BytesIO(body), response_headers=headers, resolve_relative_uris=False, sanitize_html=False
        )
    except RecursionError as exc:
        raise FeedParseError("not a feed: XML nested too deeply") from exc
    except Exception as exc:  # feedparser's loose parser can raise odd things on hostile input
        raise FeedParseError(f"not a feed: parser failed ({type(exc).__name__})") from exc
    raw_entries = parsed.get("entries") or []
    version = parsed.get("version") or ""
    if not raw_entries:
        if _looks_like_html(head) or (content_type or "").lower().startswith("text/html"):
            raise FeedParseError("not a feed: got an HTML page")
        if not version:
            problem = parsed.get("bozo_exception")
            detail = f" ({plain(str(problem))[:120]})" if problem else ""
            raise FeedParseError(f"not a feed: no RSS, Atom or JSON Feed found{detail}")
    feed = parsed.get("feed") or {}
    base = url
    entries = [_entry_from_feedparser(entry, base) for entry in raw_entries]
    return ParsedFeed(
        title=_detail_text(feed.get("title_detail"), feed.get("title")),
        link=http_url(feed.get("link"), base),
        entries=entries,
        format=version,
    )


# --------------------------------------------------------------------------------------------------
# feedparser entries


def _detail_text(detail: Mapping[str, Any] | None, fallback: object = None) -> str:
    """Plain text of a feedparser text construct (type text/plain, text/html or xhtml)."""
    if detail:
        value = detail.get("value") or ""
        kind = (detail.get("type") or "").lower()
        if "html" in kind:
            return plain(fragment_to_text(value))
        return plain(value)
    return plain(fallback) if isinstance(fallback, str) else ""


def _struct_time_to_utc(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _render(detail: Mapping[str, Any] | None) -> tuple[str, list[str]]:
    """(plain text with one line per paragraph, <img> sources) of a feedparser text construct.

    HTML is parsed once, for both.
    """
    if not detail:
        return "", []
    value = detail.get("value") or ""
    if "html" in (detail.get("type") or "").lower():
        return _fragment_text_and_images(value)
    lines = (" ".join(line.split()) for line in CONTROL_CHARS.sub("", value).split("\n"))
    return "\n".join(line for line in lines if line), []


def _best_content(entry: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The longest content block (Atom content, content:encoded), rendered; ("", []) when absent."""
    best: tuple[str, list[str]] = ("", [])
    for block in entry.get("content") or []:
        rendered = _render(block)
        if len(rendered[0]) > len(best[0]):
            best = rendered
    return best


def _entry_image(entry: Mapping[str, Any], inline_images: Iterable[str], base: str) -> str | None:
    for key in ("media_content", "media_thumbnail"):
        for media in entry.get(key) or []:
            medium = (media.get("medium") or "").lower()
            mime = (media.get("type") or "").lower()
            if key == "media_content" and medium not in ("", "image") and not mime.startswith("image/"):
                continue
            if key == "media_content" and mime and not mime.startswith("image/"):
                continue
            found = http_url(media.get("url"), base)
            if found:
                return found
    for link in list(entry.get("enclosures") or []) + list(entry.get("links") or []):
        mime = (link.get("type") or "").lower()
        rel = link.get("rel") or "enclosure"
        if mime.startswith("image/") and rel == "enclosure":
            found = http_url(link.get("href") or link.get("url"), base)
            if found:
                return found
    image = entry.get("image")
    if isinstance(image, Mapping):
        found = http_url(image.get("href") or image.get("url"), base)
        if found:
            return found
    return _first_http(inline_images, base)


def _entry_from_feedparser(entry: Mapping[str, Any], base: str) -> FeedEntry:
    content_text, content_images = _best_content(entry)
    summary_detail = entry.get("summary_detail")
    if summary_detail:
        summary, summary_images = _render(summary_detail)
    else:
        summary, summary_images = plain(entry.get("summary") or ""), []
    summary = _strip_trailer(summary)
    content = _strip_trailer(content_text) or None
    guid = entry.get("id") or entry.get("guid")
    guid = plain(guid) if isinstance(guid, str) and guid.strip() else None
    return FeedEntry(
        guid=guid,
        link=http_url(entry.get("link"), base),
        title=_detail_text(entry.get("title_detail"), entry.get("title")),
        published=_struct_time_to_utc(entry.get("published_parsed"))
        or _struct_time_to_utc(entry.get("updated_parsed")),
        summary=summary,
        content=content,
        image_url=_entry_image(entry, content_images + summary_images, base),
        is_teaser=is_teaser_text(summary, content),
    )


# --------------------------------------------------------------------------------------------------
# JSON Feed (feedparser 6.0 has no JSON parser)

JSON_FEED_VERSION_PREFIX = "https://jsonfeed.org/version/"


def _parse_json(body: bytes, *, url: str) -> ParsedFeed:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FeedParseError("not a feed: JSON that is not UTF-8") from exc
    except RecursionError as exc:
        raise FeedParseError("not a feed: JSON nested too deeply") from exc
    except ValueError as exc:
        raise FeedParseError(f"not a feed: invalid JSON ({plain(str(exc))[:80]})") from exc
    if isinstance(data, dict) and str(data.get("version", "")).startswith(JSON_FEED_VERSION_PREFIX):
        return parse_json_feed(data, url=url)
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return parse_snapi_data(data, url=url)
    raise FeedParseError("not a feed: JSON that is neither a JSON Feed nor a Spaceflight News API response")


def parse_json_feed(data: Mapping[str, Any], *, url: str) -> ParsedFeed:
    """A decoded JSON Feed 1.0/1.1 object to a ParsedFeed; malformed items are skipped."""
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedParseError("not a feed: JSON Feed without an items list")
    base = http_url(data.get("home_page_url")) or url
    entries: list[FeedEntry] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        raw_id = item.get("id")
        guid = plain(str(raw_id)) if isinstance(raw_id, str | int) and str(raw_id).strip() else None
        link = http_url(item.get("url"), base) or http_url(item.get("external_url"), base)
        title = plain(item["title"]) if isinstance(item.get("title"), str) else ""
        content_html = item.get("content_html") if isinstance(item.get("content_html"), str) else None
        content_text = item.get("content_text") if isinstance(item.get("content_text"), str) else None
        content: str | None = None
        if content_html:
            content = fragment_to_text(content_html) or None
        if content is None and content_text:
            lines = (" ".join(line.split()) for line in CONTROL_CHARS.sub("", content_text).split("\n"))
            content = "\n".join(line for line in lines if line) or None
        summary = plain(item["summary"]) if isinstance(item.get("summary"), str) else ""
        image = http_url(item.get("image"), base) or http_url(item.get("banner_image"), base)
        if image is None:
            for attachment in item.get("attachments") or []:
                if isinstance(attachment, dict) and str(attachment.get("mime_type", "")).startswith("image/"):
                    image = http_url(attachment.get("url"), base)
                    if image:
                        break
        if image is None and content_html:
            image = _first_image(content_html, base)
        entries.append(
            FeedEntry(
                guid=guid,
                link=link,
                title=title,
                published=parse_iso_datetime(item.get("date_published"))
                or parse_iso_datetime(item.get("date_modified")),
                summary=summary,
                content=content,
                image_url=image,
                is_teaser=is_teaser_text(summary, content),
            )
        )
    version = str(data.get("version", ""))
    return ParsedFeed(
        title=plain(data["title"]) if isinstance(data.get("title"), str) else "",
        link=http_url(data.get("home_page_url")),
        entries=entries,
        format="json11" if version.rstrip("/").endswith("1.1") else "json1",
    )
