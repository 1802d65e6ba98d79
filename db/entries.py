"""Entries (what a source published, by key) and posts (the messages sent for them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from db.base import Queries
from db.models import CONFIG_GUILD_ID, Entry, NewEntry, Post, PostedItem, StoredQuote
from db.rows import (
    ENTRY_COLUMNS,
    ENTRY_COLUMNS_E,
    entry_from_row,
    post_from_row,
    published_ts,
    quotes_json,
    summary_json,
    ts,
)
from db.validation import (
    ID_TEXT,
    MAX_ENTRY_TEXT,
    MAX_ENTRY_URL,
    MAX_KEY,
    MAX_REASON,
    MAX_TITLE,
    check_id,
    clean_optional,
    clean_text,
    one_line,
    words,
)

#: Rows per statement where a list of values is bound: SQLite limits the number of parameters.
CHUNK = 500


def _placeholders(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _entry_row(source_id: int, entry: NewEntry, stamp: float) -> tuple[Any, ...]:
    if not entry.key or len(entry.key) > MAX_KEY:
        raise ValueError(f"entry key must have 1 to {MAX_KEY} characters")
    if entry.state not in ("pending", "skipped"):
        raise ValueError(f"a new entry is pending or skipped, not {entry.state!r}")
    return (
        source_id,
        clean_text(entry.key, MAX_KEY),
        one_line(entry.title, MAX_TITLE),
        clean_optional(entry.url, MAX_ENTRY_URL),
        published_ts(entry.published),
        clean_optional(entry.image_url, MAX_ENTRY_URL),
        # Skipped entries are kept for their key only: no need for their text.
        clean_text(entry.text, MAX_ENTRY_TEXT) if entry.state == "pending" else "",
        int(entry.is_teaser),
        entry.state,
        clean_optional(entry.skip_reason, MAX_REASON),
        stamp,
        stored_canonical_link(entry.canonical_link),
    )


def stored_canonical_link(link: str | None) -> str:
    """How a canonical link is stored and looked up: capped, '' for none (NULL means not yet known)."""
    return clean_text(link, MAX_ENTRY_URL) if link else ""


class EntryQueries(Queries):
    """Recording entries once per key, claiming them (pending), and posting them."""

    async def known_keys(self, source_id: int, keys: Sequence[str]) -> set[str]:
        """The subset of ``keys`` already recorded for the source (any state)."""
        wanted = list(dict.fromkeys(keys))
        known: set[str] = set()
        async with self._db.reading() as tx:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                rows = await tx.all(
                    f"SELECT key FROM entries WHERE source_id = ? AND key IN ({_placeholders(chunk)})",
                    (source_id, *chunk),
                )
                known.update(row[0] for row in rows)
        return known

    async def has_any_entries(self, source_id: int) -> bool:
        async with self._db.reading() as tx:
            row = await tx.one("SELECT 1 FROM entries WHERE source_id = ? LIMIT 1", (source_id,))
        return row is not None

    async def add_entries(self, source_id: int, entries: Sequence[NewEntry], now: datetime) -> list[Entry]:
        """Record entries in one transaction, in the given order; keys already there are ignored.

        Returns the entries actually inserted (pending and skipped), in order; an empty list
        when the source was removed meanwhile.
        """
        stamp = ts(now)
        rows = [_entry_row(source_id, entry, stamp) for entry in entries]
        inserted_ids: list[int] = []
        async with self._db.writing() as tx:
            if await tx.one("SELECT 1 FROM sources WHERE id = ?", (source_id,)) is None:
                return []
            for row in rows:
                entry_id = await tx.insert(
                    """INSERT INTO entries (source_id, key, title, url, published, image_url, text,
                                            is_teaser, state, skip_reason, created_at, canonical_link)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (source_id, key) DO NOTHING""",
                    row,
                )
                if entry_id is not None:
                    inserted_ids.append(entry_id)
            found: dict[int, Entry] = {}
            for start in range(0, len(inserted_ids), CHUNK):
                chunk = inserted_ids[start : start + CHUNK]
                for found_row in await tx.all(
                    f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id IN ({_placeholders(chunk)})", chunk
                ):
                    found[found_row["id"]] = entry_from_row(found_row)
        return [found[entry_id] for entry_id in inserted_ids if entry_id in found]

    async def pending_entries(self, source_id: int | None = None) -> list[Entry]:
        """Entries claimed but not yet posted, in the order they were recorded (oldest first)."""
        async with self._db.reading() as tx:
            if source_id is None:
                rows = await tx.all(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE state = 'pending' ORDER BY id")
            else:
                rows = await tx.all(
                    f"SELECT {ENTRY_COLUMNS} FROM entries WHERE state = 'pending' AND source_id = ? ORDER BY id",
                    (source_id,),
                )
        return [entry_from_row(row) for row in rows]

    async def get_entry(self, entry_id: int) -> Entry | None:
        async with self._db.reading() as tx:
            row = await tx.one(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        return entry_from_row(row) if row is not None else None

    async def save_entry_summary(
        self,
        entry_id: int,
        summary: Sequence[str],
        quotes: Sequence[StoredQuote],
        *,
        article_problem: str | None = None,
    ) -> None:
        """Keep the summary and key quotes with the entry (so a retry after a crash reuses them),
        and ``article_problem``: why a teaser's article page was not used, which the post says."""
        problem = (one_line(article_problem) or None) if article_problem else None
        values = (summary_json(summary), quotes_json(quotes), problem, entry_id)
        async with self._db.writing() as tx:
            await tx.execute(
                "UPDATE entries SET summary_json = ?, quotes_json = ?, article_problem = ? WHERE id = ?", values
            )

    async def mark_posted(
        self,
        entry_id: int,
        channel_id: int,
        message_id: int,
        now: datetime,
        *,
        guild_id: int | None = None,
    ) -> Post | None:
        """Entry -> posted, and a post row (idempotent per entry + channel: the first post is kept).

        ``guild_id`` is the server of ``channel_id``; it defaults to the source's guild, so pass it
        for config-file sources (guild 0) so that ``/news`` in that server finds the post.
        None when the entry was removed meanwhile (its source deleted).
        """
        check_id(channel_id, "channel_id")
        check_id(message_id, "message_id")
        if guild_id is not None:
            check_id(guild_id, "guild_id")
        stamp = ts(now)
        async with self._db.writing() as tx:
            row = await tx.one(
                "SELECT s.guild_id FROM entries e JOIN sources s ON s.id = e.source_id WHERE e.id = ?",
                (entry_id,),
            )
            if row is None:
                return None
            post_guild = guild_id if guild_id is not None else int(row[0])
            # The entry row is written (locked) first, as db.claims.claim_post does: one lock order.
            # The feed text is only the summarizer's input; once posted it is dead weight
            # (tens of kB per entry, forever), so it is dropped. The summary stays.
            await tx.execute(
                "UPDATE entries SET state = 'posted', skip_reason = NULL, text = '' WHERE id = ?", (entry_id,)
            )
            await tx.execute(
                """INSERT INTO posts (entry_id, guild_id, channel_id, message_id, posted_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (entry_id, channel_id) DO NOTHING""",
                (entry_id, post_guild, channel_id, message_id, stamp),
            )
            # Recorded: the claim taken before sending (db.claims) has done its work.
            await tx.execute(
                "DELETE FROM post_claims WHERE entry_id = ? AND channel_id = ?", (entry_id, channel_id)
            )
            post_row = await tx.one(
                "SELECT * FROM posts WHERE entry_id = ? AND channel_id = ?", (entry_id, channel_id)
            )
        return post_from_row(post_row) if post_row is not None else None

    async def mark_skipped(self, entry_id: int, reason: str) -> bool:
        """A pending entry that will not be posted (e.g. its channel is gone); False if not pending."""
        async with self._db.writing() as tx:
            # The entry row first, then its claims: the order claim_post locks them in (the
            # opposite order deadlocks against a concurrent claim on PostgreSQL).
            skipped = await tx.changes(
                "UPDATE entries SET state = 'skipped', skip_reason = ?, text = '' WHERE id = ? AND state = 'pending'",
                (one_line(reason) or "skipped", entry_id),
            )
            await tx.execute("DELETE FROM post_claims WHERE entry_id = ?", (entry_id,))
            return skipped

    async def article_posted_in_channel(self, guild_id: int, channel_id: int, canonical_link: str) -> bool:
        """Whether an entry with this canonical link, from any source, was ever posted in
        ``channel_id`` (of ``guild_id``): one article is posted once per channel."""
        link = stored_canonical_link(canonical_link)
        if not link:
            return False
        async with self._db.reading() as tx:
            row = await tx.one(
                """SELECT 1 FROM entries e JOIN posts p ON p.entry_id = e.id
                   WHERE e.canonical_link = ? AND p.channel_id = ? AND p.guild_id = ? LIMIT 1""",
                (link, channel_id, guild_id),
            )
        return row is not None

    async def entries_without_canonical_link(self, limit: int = CHUNK) -> list[tuple[int, str | None]]:
        """(id, link) of entries recorded before canonical links were stored, oldest first."""
        async with self._db.reading() as tx:
            rows = await tx.all(
                "SELECT id, url FROM entries WHERE canonical_link IS NULL ORDER BY id LIMIT ?", (max(1, int(limit)),)
            )
        return [(int(row[0]), row[1]) for row in rows]

    async def set_canonical_links(self, links: Sequence[tuple[int, str | None]]) -> None:
        """Store the canonical links of entries (None: the entry has none)."""
        async with self._db.writing() as tx:
            for entry_id, link in links:
                await tx.execute(
                    "UPDATE entries SET canonical_link = ? WHERE id = ?", (stored_canonical_link(link), entry_id)
                )

    async def latest_posted(self, guild_id: int, limit: int, source: str | None = None) -> list[PostedItem]:
        """The newest posts in ``guild_id`` (one per entry, newest first), optionally of one source.

        ``source`` is a source id (``12`` / ``#12``) or name (case-insensitive). Config-file
        sources count when their posts went to this server.
        """
        limit = max(1, min(int(limit), 100))
        filters = ""
        params: list[Any] = [guild_id]
        async with self._db.reading() as tx:
            if source is not None and (wanted := words(source, 400)):
                # Names are matched in Python: SQLite's lower() folds ASCII only.
                match = ID_TEXT.fullmatch(wanted)
                wanted_id = int(match.group(1)) if match else None
                candidates = await tx.all(
                    "SELECT id, name FROM sources WHERE guild_id IN (?, ?)", (guild_id, CONFIG_GUILD_ID)
                )
                source_ids = [
                    row["id"]
                    for row in candidates
                    if row["id"] == wanted_id or row["name"].casefold() == wanted.casefold()
                ]
                if not source_ids:
                    return []
                filters = f"AND s.id IN ({_placeholders(source_ids)})"
                params += source_ids
            params.append(limit)
            rows = await tx.all(
                f"""SELECT {ENTRY_COLUMNS_E}, s.name AS source_name,
                           p.id AS p_id, p.entry_id AS p_entry_id, p.guild_id AS p_guild_id,
                           p.channel_id AS p_channel_id, p.message_id AS p_message_id,
                           p.posted_at AS p_posted_at
                    FROM posts p
                    JOIN entries e ON e.id = p.entry_id
                    JOIN sources s ON s.id = e.source_id
                    WHERE p.guild_id = ?
                      AND p.id = (SELECT max(p2.id) FROM posts p2
                                  WHERE p2.entry_id = p.entry_id AND p2.guild_id = p.guild_id)
                      {filters}
                    ORDER BY p.posted_at DESC, p.id DESC
                    LIMIT ?""",
                params,
            )
        return [
            PostedItem(entry=entry_from_row(row), post=post_from_row(row, "p_"), source_name=row["source_name"])
            for row in rows
        ]
