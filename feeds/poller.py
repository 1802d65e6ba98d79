"""The news pipeline for one source: conditional fetch -> parse -> decide -> store; then summarize.

This is the I/O shell around the pure decisions in ``feeds.decide``. It is shared by
``spacebrief preview`` and the bot's news loop, so both see exactly the same entries.
Every failure of a source is caught here and recorded on the source (backoff, disabling);
callers get a ``PollResult`` with a one-line ``error`` instead of an exception.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from db.models import Entry, Source, StoredQuote
from db.store import Store
from feeds.article import fetch_article
from feeds.decide import (
    KeywordFilter,
    KeywordRule,
    RandomSource,
    decide_failure,
    default_rng,
    entry_key,
    next_poll_after_success,
    select_new,
)
from feeds.fetch import Fetcher, FetchError, HTTPStatusError
from feeds.parse import FeedParseError, ParsedFeed, parse_feed
from feeds.records import records_for
from feeds.snapi import is_snapi_url, parse_snapi, snapi_request_url
from summarizer.errors import NoTextError
from summarizer.summary import Summary, summarize

log = logging.getLogger(__name__)

#: How CPU-heavy pure functions (feed parsing, summaries) are run off the event loop: by default
#: a worker thread; the bot passes its process pool (``SpacebriefBot.cpu.run``), which keeps the
#: loop's lag low under load (docs/benchmarks.md). The function must be picklable for a pool.
CpuRunner = Callable[..., Awaitable[Any]]

#: SNAPI is asked for entries published since the last success minus this overlap, so an
#: article indexed late (published_at in the past) is still seen; keys dedupe the overlap.
SNAPI_OVERLAP = timedelta(hours=6)
SNAPI_PAGE = 30

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class PollSettings:
    interval: timedelta
    backfill: int = 3
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()


@dataclass
class PollResult:
    source: Source
    new_entries: list[Entry] = field(default_factory=list)
    error: str | None = None
    disabled: bool = False
    not_modified: bool = False
    notice: str | None = None


@dataclass(frozen=True)
class EntryView:
    """What a post shows of an entry (the shape ``bot.render`` reads): the feed's own fields."""

    title: str
    link: str | None
    published: datetime | None
    summary: str
    image_url: str | None


@dataclass(frozen=True)
class SavedStats:
    reduction_pct: float | None
    words_in: int = 0
    words_out: int = 0


@dataclass(frozen=True)
class SavedSummary:
    """A summary saved with the entry by an earlier attempt (the reduction is not kept)."""

    summary: tuple[str, ...]
    quotes: tuple[StoredQuote, ...]
    title: str | None = None
    stats: SavedStats = SavedStats(None)


@dataclass(frozen=True)
class PreparedEntry:
    """An entry ready to render. ``summary`` is None when no text could be summarized;
    ``problem`` says why (one line) for logs."""

    record: Entry
    entry: EntryView
    summary: Summary | SavedSummary | None
    problem: str | None = None


def entry_view(entry: Entry) -> EntryView:
    teaser = entry.text if len(entry.text) <= 4000 else entry.text[:4000]
    return EntryView(entry.title, entry.url, entry.published, teaser, entry.image_url)


def _request_url(source: Source) -> str:
    if source.kind == "snapi" or is_snapi_url(source.url):
        since = source.last_success_at - SNAPI_OVERLAP if source.last_success_at else None
        return snapi_request_url(source.url, since=since, limit=SNAPI_PAGE)
    return source.url


def _parse(body: bytes, *, url: str, content_type: str | None, charset: str | None, snapi: bool) -> ParsedFeed:
    if snapi:
        return parse_snapi(body, url=url)
    return parse_feed(body, url=url, content_type=content_type, charset=charset)


async def poll_source(
    source: Source,
    *,
    fetcher: Fetcher,
    store: Store,
    now: datetime,
    settings: PollSettings,
    rng: RandomSource | None = None,
    run_cpu: CpuRunner | None = None,
) -> PollResult:
    """Poll one source once and record the outcome. Never raises for a source's own failure.

    ``new_entries`` are every pending entry of the source (oldest first): those claimed by this
    poll, and any left pending by an earlier run that crashed before posting them.
    """
    snapi = source.kind == "snapi" or is_snapi_url(source.url)
    try:
        if snapi:
            # SNAPI does not do conditional GET; the published_at_gte window keeps it small.
            result = await fetcher.get(_request_url(source), accept="application/json")
        else:
            result = await fetcher.get(
                source.url, etag=source.etag, last_modified=source.last_modified, accept=FEED_ACCEPT
            )
        if result.not_modified:
            updated = await store.record_poll_not_modified(
                source.id, now, next_poll_at=next_poll_after_success(now, settings.interval)
            )
            pending = await store.pending_entries(source.id)
            return PollResult(updated or source, new_entries=pending, not_modified=True)
        parsed = await (run_cpu or asyncio.to_thread)(
            _parse,
            result.body,
            url=result.url,
            content_type=result.content_type,
            charset=result.charset,
            snapi=snapi,
        )
    except HTTPStatusError as exc:
        return await _record_failure(source, store, now, settings, str(exc), rng, exc.status, exc.retry_after)
    except (FetchError, FeedParseError) as exc:
        return await _record_failure(source, store, now, settings, str(exc), rng, None, None)

    first_poll = not await store.has_any_entries(source.id)
    known = await store.known_keys(source.id, [entry_key(entry) for entry in parsed.entries])
    filters = KeywordFilter.of(
        KeywordRule(source.include_keywords, source.exclude_keywords),
        KeywordRule(settings.include_keywords, settings.exclude_keywords),
    )
    selection = select_new(
        parsed.entries, known_keys=known, first_poll=first_poll, backfill=settings.backfill, filters=filters
    )
    records = records_for(selection)
    if records:
        await store.add_entries(source.id, records, now)
    updated = await store.record_poll_success(
        source.id,
        now,
        etag=None if snapi else result.etag,
        last_modified=None if snapi else result.last_modified,
        next_poll_at=next_poll_after_success(now, settings.interval),
        new_url=None if snapi else result.permanent_url,
    )
    if selection.notice:
        log.warning("source %s: %s", source.name, selection.notice)
    pending = await store.pending_entries(source.id)
    return PollResult(updated or source, new_entries=pending, notice=selection.notice)


async def _record_failure(
    source: Source,
    store: Store,
    now: datetime,
    settings: PollSettings,
    reason: str,
    rng: RandomSource | None,
    status: int | None,
    retry_after: float | None,
) -> PollResult:
    outcome = decide_failure(
        source.consecutive_failures,
        now,
        reason,
        interval=settings.interval,
        rng=rng or default_rng(),
        status=status,
        retry_after=retry_after,
    )
    updated = await store.record_poll_failure(
        source.id, now, reason, next_poll_at=outcome.next_poll_at, disable_reason=outcome.disable_reason
    )
    return PollResult(
        updated or source,
        error=reason,
        disabled=outcome.disable_reason is not None,
    )


async def prepare_entry(
    entry: Entry,
    *,
    fetcher: Fetcher,
    store: Store,
    sentences: int,
    max_quotes: int,
    run_cpu: CpuRunner | None = None,
) -> PreparedEntry:
    """Summarize an entry (fetching the article page when the feed gave a teaser), and save it.

    A summary saved by an earlier attempt is reused, so a restart does not redo the work.
    The post still goes out when the page cannot be fetched: with the feed's own text, or none.
    """
    view = entry_view(entry)
    if entry.summary is not None:
        saved = SavedSummary(entry.summary, entry.quotes or ())
        return PreparedEntry(entry, view, saved if entry.summary else None)
    text = entry.text
    problem: str | None = None
    if entry.is_teaser and entry.url:
        try:
            article = await fetch_article(fetcher, entry.url)
            text = article.text
        except FetchError as exc:
            problem = str(exc)
            log.info("entry %s: article page not used: %s", entry.id, exc)
    result: Summary | None = None
    if text.strip():
        try:
            result = await (run_cpu or asyncio.to_thread)(
                summarize, text, sentences=sentences, max_quotes=max_quotes
            )
        except NoTextError as exc:
            problem = problem or str(exc)
    if result is not None:
        await store.save_entry_summary(entry.id, result.summary, result.quotes[:max_quotes])
    else:
        await store.save_entry_summary(entry.id, [], [])
    return PreparedEntry(entry, view, result, problem)


def entry_payload(prepared: PreparedEntry) -> dict[str, Any]:
    """The JSON-able view of a prepared entry (preview's --json line, minus source, channel and embed)."""
    summary = prepared.summary
    return {
        "title": prepared.record.title,
        "url": prepared.record.url or "",
        "summary": list(summary.summary) if summary else [],
        "quotes": [{"text": q.text, "speaker": q.speaker} for q in summary.quotes] if summary else [],
    }
