"""Parsed feed entries -> the records the store keeps (``db.models.NewEntry``).

The conversion lives on the feeds side so that db/ knows nothing of feed shapes: the store
only cleans and caps what it is given.
"""

from __future__ import annotations

from typing import Literal

from db.models import NewEntry
from feeds.decide import Selection
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
    )


def records_for(selection: Selection[FeedEntry]) -> list[NewEntry]:
    """What a poll records: the skipped entries (seen, never posted) first, then the ones to post."""
    return [
        new_entry(c.key, c.entry, state="skipped", skip_reason=c.skip_reason) for c in selection.to_skip
    ] + [new_entry(c.key, c.entry) for c in selection.to_post]
