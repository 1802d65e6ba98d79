"""The news pipeline for one source: conditional fetch -> parse -> decide -> store; then summarize.

This is the I/O shell around the pure decisions in ``feeds.decide``. It is shared by
``spacebrief preview`` and the bot's news loop, so both see exactly the same entries.
Every failure of a source is caught here and recorded on the source (backoff, disabling);
callers get a ``PollResult`` with a one-line ``error`` instead of an exception.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from db.models import Entry, GuildSettings, NewEntry, Source, StoredQuote
from feeds.article import summarize_entry
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
from feeds.entries import FeedParseError, ParsedFeed
from feeds.fetch import Fetcher, FetchError, FetchResult, HTTPStatusError
from feeds.kinds import kind_of
from feeds.records import records_for
from feeds.shapes import CpuRunner, QuoteLike
from summarizer.summary import Summary

log = logging.getLogger(__name__)


class PollStore(Protocol):
    """The store operations the pipeline uses (``db.Store`` has them; tests may pass a fake).
    Each ``record_poll_*`` returns the source as updated, None when it was removed meanwhile."""

    async def record_poll_not_modified(self, source_id: int, now: datetime, *, next_poll_at: datetime) -> Source | None: ...

    async def record_poll_success(
        self, source_id: int, now: datetime, *, etag: str | None, last_modified: str | None,
        next_poll_at: datetime, new_url: str | None = None,
    ) -> Source | None: ...  # fmt: skip

    async def record_poll_failure(
        self, source_id: int, now: datetime, reason: str, *, next_poll_at: datetime, disable_reason: str | None = None
    ) -> Source | None: ...

    async def has_any_entries(self, source_id: int) -> bool: ...

    async def known_keys(self, source_id: int, keys: Sequence[str]) -> set[str]: ...

    async def add_entries(self, source_id: int, entries: Sequence[NewEntry], now: datetime) -> list[Entry]: ...

    async def pending_entries(self, source_id: int | None = None) -> list[Entry]: ...

    async def save_entry_summary(
        self,
        entry_id: int,
        summary: Sequence[str],
        quotes: Sequence[StoredQuote],
        *,
        article_problem: str | None = None,
    ) -> None: ...


@dataclass(frozen=True)
class PollSettings:
    interval: timedelta
    backfill: int = 3
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()

    @classmethod
    def for_server(cls, server: GuildSettings, *, backfill: int, min_interval_minutes: float) -> PollSettings:
        """A server's settings as poll settings; its interval never goes below the configured one."""
        return cls(
            interval=timedelta(minutes=max(server.interval_minutes, min_interval_minutes)),
            backfill=backfill,
            include_keywords=server.include_keywords,
            exclude_keywords=server.exclude_keywords,
        )


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
    """What a post shows of an entry (the shape ``cogs.render`` reads): the feed's own fields."""

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
    ``problem`` says why (one line) for logs. ``article_problem`` says in a few words why the
    article page of a teaser was not used ("HTTP 404"): the summary is then of the feed's own
    text, and the post says so (DESIGN.md "News delivery")."""

    record: Entry
    entry: EntryView
    summary: Summary | SavedSummary | None
    problem: str | None = None
    article_problem: str | None = None


def entry_view(entry: Entry) -> EntryView:
    teaser = entry.text if len(entry.text) <= 4000 else entry.text[:4000]
    return EntryView(entry.title, entry.url, entry.published, teaser, entry.image_url)


@dataclass(frozen=True)
class FeedDownload:
    """One fetch of a source's feed and its parse: ``result`` and ``parsed`` (None on a 304), or
    the ``error`` that stopped it."""

    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: FetchError | FeedParseError | None = None


#: What makes two sources' fetches the same: request URL, Accept, and the validators sent.
FetchKey = tuple[str, str, str | None, str | None]


def feed_request(source: Source) -> tuple[str, str]:
    """The request URL and Accept header a poll of `source` sends."""
    kind = kind_of(source.kind, source.url)
    return kind.request_url(source.url, last_success_at=source.last_success_at), kind.accept


def validators_of(source: Source) -> tuple[str | None, str | None]:
    """The conditional-GET validators a poll of `source` sends (none for kinds without them)."""
    if not kind_of(source.kind, source.url).conditional:
        return None, None
    return source.etag, source.last_modified


async def download_feed(
    fetcher: Fetcher,
    source: Source,
    *,
    validators: tuple[str | None, str | None] | None = None,
    run_cpu: CpuRunner | None = None,
) -> FeedDownload:
    """Fetch and parse `source`'s feed, sending `validators` (default: the source's own)."""
    kind = kind_of(source.kind, source.url)
    url, accept = feed_request(source)
    etag, last_modified = validators_of(source) if validators is None else validators
    try:
        result = await fetcher.get(url, etag=etag, last_modified=last_modified, accept=accept)
        if result.not_modified:
            return FeedDownload(result)
        parsed = await (run_cpu or asyncio.to_thread)(
            kind.parser, result.body, url=result.url, content_type=result.content_type, charset=result.charset
        )
    except (FetchError, FeedParseError) as exc:
        return FeedDownload(error=exc)
    return FeedDownload(result, parsed)


class SharedFetches:
    """One fetch and parse per feed request in a poll cycle, shared by every source that follows
    that feed (servers adding the same URL each have their own source).

    ``plan(sources)`` first, with the cycle's sources: those sending the same request (URL and
    Accept) share one fetch. It is conditional only when they all hold the same validators (ETag,
    Last-Modified), else unconditional for all of them: a 304 is only ever the answer to the
    validators a source sent, and a 200 is right for everyone. What each source does with the
    answer stays its own: its filters, backfill, known entries, validators, backoff and
    disabling (``poll_source``). A source that was not planned shares only with sources that
    send exactly the same validators.
    """

    def __init__(self, fetcher: Fetcher, *, run_cpu: CpuRunner | None = None) -> None:
        self.fetcher = fetcher
        self.run_cpu = run_cpu
        self._validators: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        self._downloads: dict[FetchKey, asyncio.Task[FeedDownload]] = {}

    def plan(self, sources: Sequence[Source]) -> None:
        groups: dict[tuple[str, str], set[tuple[str | None, str | None]]] = {}
        for source in sources:
            groups.setdefault(feed_request(source), set()).add(validators_of(source))
        for request, held in groups.items():
            self._validators[request] = next(iter(held)) if len(held) == 1 else (None, None)

    async def download(self, source: Source) -> FeedDownload:
        request = feed_request(source)
        own, planned = validators_of(source), self._validators.get(request)
        # The plan's validators, unless this source was not planned and holds others.
        validators = planned if planned is not None and planned in (own, (None, None)) else own
        key: FetchKey = (*request, *validators)
        task = self._downloads.get(key)
        if task is None:
            task = asyncio.create_task(
                download_feed(self.fetcher, source, validators=validators, run_cpu=self.run_cpu),
                name=f"spacebrief-fetch {request[0]}",
            )
            self._downloads[key] = task
        # Shielded: a source cancelled while waiting (a shutdown) leaves the fetch to the others.
        return await asyncio.shield(task)

    @property
    def fetches(self) -> int:
        """How many fetches were started (for logs and tests)."""
        return len(self._downloads)

    def close(self) -> None:
        """Cancel what nobody waits for any more (the end of a cycle cut short)."""
        for task in self._downloads.values():
            task.cancel()
        self._downloads.clear()


async def poll_source(
    source: Source,
    *,
    fetcher: Fetcher,
    store: PollStore,
    now: datetime,
    settings: PollSettings,
    rng: RandomSource | None = None,
    run_cpu: CpuRunner | None = None,
    shared: SharedFetches | None = None,
) -> PollResult:
    """Poll one source once and record the outcome. Never raises for a source's own failure.

    ``new_entries`` are every pending entry of the source (oldest first): those claimed by this
    poll, and any left pending by an earlier run that crashed before posting them. With
    ``shared``, the fetch is shared with the cycle's other sources of the same feed.
    """
    conditional = kind_of(source.kind, source.url).conditional
    if shared is not None:
        download = await shared.download(source)
    else:
        download = await download_feed(fetcher, source, run_cpu=run_cpu)
    error = download.error
    if isinstance(error, HTTPStatusError):
        return await record_failure(
            source, store, now, settings, str(error), rng=rng, status=error.status, retry_after=error.retry_after
        )
    if error is not None:
        return await record_failure(source, store, now, settings, str(error), rng=rng)
    result, parsed = download.result, download.parsed
    assert result is not None
    if parsed is None:  # 304: nothing new since the validators this source sent
        updated = await store.record_poll_not_modified(
            source.id, now, next_poll_at=next_poll_after_success(now, settings.interval)
        )
        pending = await store.pending_entries(source.id)
        return PollResult(updated or source, new_entries=pending, not_modified=True)

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
        etag=result.etag if conditional else None,
        last_modified=result.last_modified if conditional else None,
        next_poll_at=next_poll_after_success(now, settings.interval),
        new_url=result.permanent_url if conditional else None,
    )
    if selection.notice:
        log.warning("source %s: %s", source.name, selection.notice)
    pending = await store.pending_entries(source.id)
    return PollResult(updated or source, new_entries=pending, notice=selection.notice)


async def record_failure(
    source: Source,
    store: PollStore,
    now: datetime,
    settings: PollSettings,
    reason: str,
    *,
    rng: RandomSource | None = None,
    status: int | None = None,
    retry_after: float | None = None,
) -> PollResult:
    """The one failure path of a source: back off (honouring Retry-After), disable after repeated
    failures (410 at once); the source's admins are told by whoever announces disabled sources."""
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
    store: PollStore,
    sentences: int,
    max_quotes: int,
    run_cpu: CpuRunner | None = None,
) -> PreparedEntry:
    """Summarize an entry (fetching the article page when the feed gave a teaser), and save it.

    A summary saved by an earlier attempt is reused, so a restart does not redo the work, with
    why the article page was not used then (the post says so either way).
    The post still goes out when the page cannot be fetched: with the feed's own text, or none.
    """
    view = entry_view(entry)
    if entry.summary is not None:
        saved = SavedSummary(entry.summary, entry.quotes or ())
        return PreparedEntry(entry, view, saved if entry.summary else None, article_problem=entry.article_problem)
    made = await summarize_entry(
        fetcher,
        text=entry.text,
        link=entry.url,
        is_teaser=entry.is_teaser,
        sentences=sentences,
        max_quotes=max_quotes,
        run_cpu=run_cpu,
    )
    result = made.summary
    summary, quotes = (result.summary, result.quotes[:max_quotes]) if result is not None else ([], [])
    await store.save_entry_summary(entry.id, summary, stored_quotes(quotes), article_problem=made.page_problem)
    return PreparedEntry(entry, view, result, made.problem, made.page_problem)


def stored_quotes(quotes: Sequence[QuoteLike]) -> list[StoredQuote]:
    return [StoredQuote(quote.text, quote.speaker) for quote in quotes]


def entry_payload(prepared: PreparedEntry) -> dict[str, Any]:
    """The JSON-able view of a prepared entry (preview's --json line, minus source, channel and embed)."""
    summary = prepared.summary
    return {
        "title": prepared.record.title,
        "url": prepared.record.url or "",
        "summary": list(summary.summary) if summary else [],
        "quotes": [{"text": q.text, "speaker": q.speaker} for q in summary.quotes] if summary else [],
    }
