"""Articles on the web: fetch a page, refuse what is not an article, extract its text, summarize it.

`summarize_url` is the one way spacebrief summarizes a URL (the CLI, /summarize, /quotes, /sources test
and the news poller all use it): the page is fetched through the shared Fetcher (same limits and
address guard), decoded honouring its charset declarations, refused when it is not an article, and
summarized (extraction included) off the event loop. `summarize_entry` is what a feed entry gets: the
article page when the feed carries only a teaser, else (or when the page fails) the feed's own text.
`article_page_text` holds the refusals every caller shares: a feed, JSON, an image or an empty page is
not an article, and says so in one line (DESIGN.md "Edges of the contract").
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from feeds.fetch import (
    BlockedAddressError,
    Fetcher,
    FetchError,
    FetchResult,
    FetchTimeoutError,
    HTTPStatusError,
    TooLargeError,
)
from feeds.shapes import CpuRunner
from summarizer.errors import NavigationOnlyError, NoTextError
from summarizer.summary import Summary, summarize
from summarizer.textio import data_kind, decode_text

__all__ = [
    "ARTICLE_ACCEPT",
    "EntrySummary",
    "NoArticleTextError",
    "article_page_text",
    "fetch_page",
    "page_text",
    "short_failure",
    "summarize_entry",
    "summarize_url",
]

log = logging.getLogger(__name__)

#: Why a page whose extracted text is only its navigation is no article, in a few words.
NAVIGATION_ONLY = "it holds nothing but menus, links or scripts"

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


async def fetch_page(fetcher: Fetcher, url: str) -> tuple[str, str]:
    """The page at `url` as text, and its final URL (after redirects).

    Raises FetchError (any fetch failure) or NoArticleTextError (not a page that can hold an article).
    """
    result = await fetcher.get(url, accept=ARTICLE_ACCEPT)
    return article_page_text(result), result.url


async def summarize_url(
    fetcher: Fetcher,
    url: str,
    *,
    sentences: int = 3,
    max_quotes: int = 2,
    algorithm: str | None = None,
    run_cpu: CpuRunner | None = None,
) -> Summary:
    """Fetch the article at `url` and summarize it (title, key sentences, key quotes).

    Raises FetchError, NoArticleTextError (a FetchError: not an article, or no article text in it;
    the message starts with `url` when the summarizer found no text) or UnknownAlgorithmError.
    """
    html, _ = await fetch_page(fetcher, url)
    try:
        summary: Summary = await (run_cpu or asyncio.to_thread)(
            summarize, html, sentences=sentences, algorithm=algorithm, max_quotes=max_quotes
        )
    except NoTextError as exc:
        why = NAVIGATION_ONLY if isinstance(exc, NavigationOnlyError) else None
        raise NoArticleTextError(f"{url}: {exc}", why=why) from None
    return summary


@dataclass(frozen=True)
class EntrySummary:
    """What a feed entry is posted with. ``summary`` is None when no text could be summarized;
    ``problem`` says why, or why the article page was not used (one line, for logs);
    ``page_problem`` is set when a teaser's article page failed, in a few words for the post."""

    summary: Summary | None
    problem: str | None = None
    page_problem: str | None = None


async def summarize_entry(
    fetcher: Fetcher,
    *,
    text: str,
    link: str | None,
    is_teaser: bool,
    sentences: int,
    max_quotes: int,
    run_cpu: CpuRunner | None = None,
) -> EntrySummary:
    """The summary of a feed entry: of its article page when the feed gave a teaser, else (or when
    the page fails) of the feed's own `text`."""
    problem = page_problem = None
    if is_teaser and link:
        try:
            summary = await summarize_url(fetcher, link, sentences=sentences, max_quotes=max_quotes, run_cpu=run_cpu)
            return EntrySummary(summary)
        except FetchError as exc:
            problem, page_problem = str(exc), short_failure(exc)
            log.warning("%s: article page not used, summarizing the feed's teaser: %s", link, exc)
    if not text.strip():
        return EntrySummary(None, problem, page_problem)
    try:
        summary = await (run_cpu or asyncio.to_thread)(summarize, text, sentences=sentences, max_quotes=max_quotes)
    except NoTextError as exc:
        return EntrySummary(None, problem or str(exc), page_problem)
    return EntrySummary(summary, problem, page_problem)


def short_failure(exc: FetchError) -> str:
    """Why a page could not be used, in a few words for a post's footer: "HTTP 404", "timed out"..."""
    if isinstance(exc, HTTPStatusError):
        return f"HTTP {exc.status}"
    if isinstance(exc, NoArticleTextError):
        return "no article text" if exc.is_feed or not exc.why else f"no article text: {exc.why}"
    words = {FetchTimeoutError: "timed out", TooLargeError: "too large", BlockedAddressError: "not a public address"}
    return next((text for kind, text in words.items() if isinstance(exc, kind)), "unreachable")

