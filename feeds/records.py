"""Parsed feed entries -> the records the store keeps (``db.models.NewEntry``).

The conversion lives on the feeds side so that db/ knows nothing of feed shapes: the store
only cleans and caps what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from db.models import NewEntry
from feeds.decide import Selection, canonical_link
from feeds.parse import FeedEntry


def new_entry(
    key: str,
    entry: FeedEntry,
    *,
    state: Literal["pending", "skipped"] = "pending",
    skip_reason: str | None = None,
) -> NewEntry:
    """The record of one parsed entry; its ``text`` is the entry's content, else its summary."""
    return NewEntry(
        key=key,
        title=entry.title or "",
        url=entry.link or None,
        published=entry.published,
        image_url=entry.image_url or None,
        text=entry.content or entry.summary or "",
        is_teaser=bool(entry.is_teaser),
        state=state,
        skip_reason=skip_reason,
        canonical_link=canonical_link(entry.link),
    )


def records_for(selection: Selection[FeedEntry]) -> list[NewEntry]:
    """What a poll records: the skipped entries (seen, never posted) first, then the ones to post."""
    return [
        new_entry(c.key, c.entry, state="skipped", skip_reason=c.skip_reason) for c in selection.to_skip
    ] + [new_entry(c.key, c.entry) for c in selection.to_post]


class CanonicalLinkStore(Protocol):
    async def entries_without_canonical_link(self, limit: int = ...) -> list[tuple[int, str | None]]: ...

    async def set_canonical_links(self, links: Sequence[tuple[int, str | None]]) -> None: ...


async def fill_canonical_links(store: CanonicalLinkStore, *, batch: int = 500) -> int:
    """Give the entries recorded before canonical links were stored theirs (schema 7); returns how
    many. Idempotent: processes sharing a database may run it together."""
    filled = 0
    while rows := await store.entries_without_canonical_link(batch):
        await store.set_canonical_links([(entry_id, canonical_link(url)) for entry_id, url in rows])
        filled += len(rows)
    return filled
