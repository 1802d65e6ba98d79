"""The shapes several layers read, declared once: structural types (``Protocol``), no behaviour.

``feeds.entries.FeedEntry`` is both a ``FeedEntryLike`` and a ``ShownEntry``; ``summarizer.Quote`` and
``db.models.StoredQuote`` are ``QuoteLike``; the poller's ``EntryView`` is a ``ShownEntry``. Decisions (``feeds.decide``) and
rendering read entries and quotes through these, so they do not care which layer built them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

#: How CPU-heavy pure functions (feed parsing, summaries) are run off the event loop: by default
#: a worker thread (``asyncio.to_thread``); the bot passes its process pool (``cpu.run``), which
#: keeps the loop responsive under load. The function must be picklable for a pool.
CpuRunner = Callable[..., Awaitable[Any]]


class QuoteLike(Protocol):
    """A quotation and who said it (None when the article does not say)."""

    @property
    def text(self) -> str: ...

    @property
    def speaker(self) -> str | None: ...


class _EntryBasics(Protocol):
    @property
    def title(self) -> str | None: ...

    @property
    def link(self) -> str | None: ...

    @property
    def published(self) -> datetime | None: ...

    @property
    def summary(self) -> str | None: ...


class ShownEntry(_EntryBasics, Protocol):
    """What a post shows of an entry: the feed's own fields."""

    @property
    def image_url(self) -> str | None: ...


class FeedEntryLike(_EntryBasics, Protocol):
    """What decisions read of a parsed entry: its identity and its text."""

    @property
    def guid(self) -> str | None: ...

    @property
    def content(self) -> str | None: ...
