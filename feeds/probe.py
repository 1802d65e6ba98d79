"""Looking at a feed before watching it: `/sources add` probes it, `/sources test` previews its next post.

Nothing here is stored: the probe fetches and parses once, the preview summarizes the newest entry
the way the news loop would (``feeds.article.summarize_entry``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from db.models import SourceKind
from feeds.article import summarize_entry
from feeds.entries import FeedEntry, ParsedFeed
from feeds.fetch import Fetcher
from feeds.kinds import kind_for_url
from feeds.shapes import CpuRunner
from summarizer.summary import Summary

#: Entries a probe of a windowed API asks for (only the newest matters).
PROBE_LIMIT = 5


@dataclass(frozen=True)
class ProbedFeed:
    """A feed fetched and parsed once: what /sources add and /sources test need from it."""

    url: str  # what to store: the permanent URL after a 301/308 (for kinds that follow them), else the URL given
    kind: SourceKind
    feed: ParsedFeed


@dataclass(frozen=True)
class PreviewEntry:
    """An entry that is shown but never stored, with its summary (the shape rendering reads)."""

    entry: FeedEntry
    summary: Summary | None
    article_problem: str | None = None  # why a teaser's article page was not used, in a few words


async def probe_feed(fetcher: Fetcher, url: str, *, run_cpu: CpuRunner | None = None) -> ProbedFeed:
    """Fetch ``url`` once and parse it as the kind of source it is.

    Raises ``FetchError`` or ``FeedParseError`` (one line each) when it cannot be fetched or is not a feed.
    """
    kind = kind_for_url(url)
    result = await fetcher.get(kind.request_url(url, limit=PROBE_LIMIT), accept=kind.accept)
    feed = await (run_cpu or asyncio.to_thread)(
        kind.parser, result.body, url=result.url, content_type=result.content_type, charset=result.charset
    )
    stored = (result.permanent_url or url) if kind.conditional else url
    return ProbedFeed(url=stored, kind=kind.name, feed=feed)


def newest_entry(feed: ParsedFeed) -> FeedEntry | None:
    """The entry the next post would show: the newest by date, else the feed's first."""
    if not feed.entries:
        return None
    dated = [(entry.published, index, entry) for index, entry in enumerate(feed.entries) if entry.published]
    if dated:
        # Ties keep the feed's order (first listed wins), as feeds list newest first.
        return max(dated, key=lambda item: (item[0], -item[1]))[2]
    return feed.entries[0]


async def preview_entry(
    fetcher: Fetcher, entry: FeedEntry, *, sentences: int, max_quotes: int, run_cpu: CpuRunner | None = None
) -> PreviewEntry:
    """``entry`` with the summary the news loop would post it with (None when there is no text)."""
    made = await summarize_entry(
        fetcher,
        text=entry.content or entry.summary or "",
        link=entry.link,
        is_teaser=entry.is_teaser,
        sentences=sentences,
        max_quotes=max_quotes,
        run_cpu=run_cpu,
    )
    return PreviewEntry(entry, made.summary, made.page_problem)
