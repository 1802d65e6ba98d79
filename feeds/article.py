"""Full article text for entries whose feed carries only a teaser, and for pages users name.

`fetch_article` fetches the page through the shared Fetcher (same limits and address guard), then runs
`summarizer.html.html_to_article` (trafilatura, CPU-heavy) in a worker thread. `article_page_text`
holds the refusals every caller shares: a feed, JSON, an image or an empty page is not an article,
and says so in one line (DESIGN.md "Edges of the contract").
"""

from __future__ import annotations

import asyncio

from feeds.fetch import (
    BlockedAddressError,
    Fetcher,
    FetchError,
    FetchResult,
    FetchTimeoutError,
    HTTPStatusError,
    TooLargeError,
)
from summarizer.html import Article, html_to_article
from summarizer.textio import data_kind, decode_text

__all__ = [
    "ARTICLE_ACCEPT",
    "Article",
    "NoArticleTextError",
    "article_page_text",
    "fetch_article",
    "page_text",
    "short_failure",
]

ARTICLE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5,*/*;q=0.1"
_TEXTUAL_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
_FEED_TYPES = {
    "application/rss+xml": "a news feed (RSS)",
    "application/atom+xml": "a news feed (Atom)",
    "application/rdf+xml": "a news feed (RSS 1.0)",
    "application/feed+json": "a news feed (JSON Feed)",
}
_JSON_TYPES = ("application/json", "text/json")


class NoArticleTextError(FetchError):
    """The page was fetched but holds no article text (empty, a script shell, an image, a PDF, a
    feed, JSON...). `why` says so in a few words for users ("it is JSON data"), or is None;
    `is_feed` is True for a news feed, so callers can point to the feed tools."""

    def __init__(self, reason: str, *, why: str | None = None, is_feed: bool = False) -> None:
        super().__init__(reason)
        self.why = why
        self.is_feed = is_feed


def page_text(result: FetchResult) -> str:
    """The fetched page as text: the header's charset, else the page's own declaration, else detected."""
    return decode_text(result.body, result.charset)


def article_page_text(result: FetchResult) -> str:
    """The page as text when it can hold an article; NoArticleTextError (one line, saying why) when not."""
    content_type = (result.content_type or "").lower()
    kind = _FEED_TYPES.get(content_type)
    if kind is None and (content_type.startswith(_JSON_TYPES) or content_type.endswith("+json")):
        kind = "JSON data"
    if kind is None and content_type and not content_type.startswith(_TEXTUAL_TYPES):
        raise NoArticleTextError(
            f"no article text: {result.url} is {content_type}, not a web page", why=f"it is {content_type}"
        )
    if kind is None and not result.body.strip():
        raise NoArticleTextError(f"no article text: {result.url} returned an empty page", why="the page is empty")
    text = page_text(result) if kind is None else ""
    kind = kind or data_kind(text)  # a feed or JSON served as text/xml or text/plain
    if kind is not None:
        raise NoArticleTextError(
            f"no article text: {result.url} is {kind}, not an article",
            why=f"it is {kind}",
            is_feed=kind.startswith("a news feed"),
        )
    return text


async def fetch_article(fetcher: Fetcher, url: str) -> Article:
    """Fetch `url` and extract its main text. Raises FetchError (any fetch failure) or NoArticleTextError."""
    result = await fetcher.get(url, accept=ARTICLE_ACCEPT)
    html = article_page_text(result)
    article = await asyncio.to_thread(html_to_article, html, result.url)
    if article is None or not article.text.strip():
        why = "it holds nothing but menus, links or scripts"
        raise NoArticleTextError(f"no article text found at {result.url}: {why}", why=why)
    return article


def short_failure(exc: FetchError) -> str:
    """Why a page could not be used, in a few words for a post's footer: "HTTP 404", "timed out"..."""
    if isinstance(exc, HTTPStatusError):
        return f"HTTP {exc.status}"
    if isinstance(exc, NoArticleTextError):
        return "no article text" if exc.is_feed or not exc.why else f"no article text: {exc.why}"
    if isinstance(exc, FetchTimeoutError):
        return "timed out"
    if isinstance(exc, TooLargeError):
        return "too large"
    if isinstance(exc, BlockedAddressError):
        return "not a public address"
    return "unreachable"

