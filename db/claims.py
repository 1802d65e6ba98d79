"""Claims: how several processes sharing one database poll each source once and post each entry once.

A due source is *claimed* for one poll (``claim_sources``): the claim names its owner (one running
process) and expires, and recording the poll's outcome (``record_poll_*``) releases it. A process
that dies mid-poll leaves a claim that simply expires; then the source is due again for whoever
holds it next. On PostgreSQL the claiming ``SELECT`` takes ``FOR UPDATE SKIP LOCKED``, so two
processes claiming at the same moment divide the rows between them instead of waiting; SQLite has
one writer at a time, which gives the same guarantee.

An (entry, channel) post is claimed before the message is sent (``claim_post``) and the claim is
dropped when the post is recorded (``mark_posted``) or given up (``mark_skipped``). The answer
says what the caller may do: ``"first"`` (nobody tried: send), ``"retry"`` (an earlier attempt
was cut short, by this process or one that died: the message may be in the channel, so look for
it in the channel's history before sending), or None (posted already, not pending any more, or
another live process is on it: leave it). A crash therefore leaves the entry for reconciliation,
never for a blind repost by another process.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from db.base import Queries
from db.models import Source
from db.rows import source_from_row, ts
from db.validation import check_id, one_line

PostClaim = Literal["first", "retry"]

MAX_OWNER = 200


def _owner(owner: str) -> str:
    cleaned = one_line(owner, MAX_OWNER)
    if not cleaned:
        raise ValueError("a claim needs an owner")
    return cleaned


def _lease(lease: timedelta) -> float:
    seconds = lease.total_seconds()
    if seconds <= 0:
        raise ValueError("a claim's lease must be positive")
    return seconds


class ClaimQueries(Queries):
    """Source and post claims with an owner and an expiry (see the module docstring)."""

    async def claim_sources(
        self,
        source_ids: Sequence[int],
        *,
        owner: str,
        now: datetime,
        lease: timedelta,
        due_only: bool = True,
    ) -> list[Source]:
        """Claim those of ``source_ids`` that are active, unclaimed (or whose claim expired) and,
        with ``due_only``, due; returns them (most overdue first) with the claim recorded."""
        ids = sorted({check_id(source_id, "source_id") for source_id in source_ids})
        if not ids:
            return []
        stamp = ts(now)
        due = "AND (next_poll_at IS NULL OR next_poll_at <= ?)" if due_only else ""
        claimed: list[Source] = []
        async with self._db.writing() as tx:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = await tx.all(
                    f"""UPDATE sources SET claimed_by = ?, claim_expires_at = ?
                        WHERE id IN (
                            SELECT id FROM sources
                            WHERE id IN ({",".join("?" * len(chunk))}) AND state = 'active'
                              AND (claim_expires_at IS NULL OR claim_expires_at <= ?) {due}
                            {self._db.skip_locked})
                        RETURNING *""",
                    (_owner(owner), stamp + _lease(lease), *chunk, stamp, *((stamp,) if due_only else ())),
                )
                claimed.extend(source_from_row(row) for row in rows)
        return sorted(claimed, key=lambda s: (s.next_poll_at.timestamp() if s.next_poll_at else 0.0, s.id))

    async def release_source(self, source_id: int, *, owner: str) -> bool:
        """Give up a claim without polling (shutting down); False when ``owner`` did not hold it."""
        async with self._db.writing() as tx:
            return await tx.changes(
                "UPDATE sources SET claimed_by = NULL, claim_expires_at = NULL WHERE id = ? AND claimed_by = ?",
                (source_id, _owner(owner)),
            )

    async def claim_post(
        self, entry_id: int, channel_id: int, *, owner: str, now: datetime, lease: timedelta
    ) -> PostClaim | None:
        """Claim posting a pending entry to a channel, before sending (see the module docstring)."""
        check_id(channel_id, "channel_id")
        who, stamp, expires = _owner(owner), ts(now), ts(now) + _lease(lease)
        async with self._db.writing() as tx:
            # Lock the entry row first (a no-op write takes the lock on both databases): a post
            # being recorded by another process commits before this reads the state, so a post
            # recorded a moment ago is never claimed afresh.
            pending = await tx.one(
                "UPDATE entries SET state = state WHERE id = ? AND state = 'pending' RETURNING id", (entry_id,)
            )
            if pending is None:
                return None
            if await tx.one("SELECT 1 FROM posts WHERE entry_id = ? AND channel_id = ?", (entry_id, channel_id)):
                return None
            first = await tx.one(
                """INSERT INTO post_claims (entry_id, channel_id, owner, claimed_at, expires_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (entry_id, channel_id) DO NOTHING
                   RETURNING attempts""",
                (entry_id, channel_id, who, stamp, expires),
            )
            if first is not None:
                return "first"
            again = await tx.one(
                """UPDATE post_claims SET owner = ?, attempts = attempts + 1, claimed_at = ?, expires_at = ?
                   WHERE entry_id = ? AND channel_id = ? AND (owner = ? OR expires_at <= ?)
                   RETURNING attempts""",
                (who, stamp, expires, entry_id, channel_id, who, stamp),
            )
        return "retry" if again is not None else None

    async def release_claims(self, *, owner: str, now: datetime) -> int:
        """At a clean shutdown: free this owner's source claims, and let its post claims expire now.

        A post claim is kept (expired, not deleted): the message may have gone out just before
        the shutdown, so whoever posts the entry next still looks for it first. Returns how many
        claims were released.
        """
        return await self.expire_claims([owner], now=now)

    async def claim_owners(self) -> set[str]:
        """Every owner that holds a claim, live or expired (to find the ones that died)."""
        async with self._db.reading() as tx:
            rows = await tx.all(
                """SELECT claimed_by FROM sources WHERE claimed_by IS NOT NULL
                   UNION SELECT owner FROM post_claims"""
            )
        return {str(row[0]) for row in rows}

    async def expire_claims(self, owners: Sequence[str], *, now: datetime) -> int:
        """End the claims of owners known to be gone, as ``release_claims`` does for one; the count."""
        who = sorted({_owner(owner) for owner in owners})
        if not who:
            return 0
        stamp, marks = ts(now), ",".join("?" * len(who))
        async with self._db.writing() as tx:
            sources = await tx.all(
                f"""UPDATE sources SET claimed_by = NULL, claim_expires_at = NULL
                    WHERE claimed_by IN ({marks}) RETURNING id""",
                who,
            )
            posts = await tx.all(
                f"""UPDATE post_claims SET expires_at = ?
                    WHERE owner IN ({marks}) AND expires_at > ? RETURNING entry_id""",
                (stamp, *who, stamp),
            )
        return len(sources) + len(posts)
