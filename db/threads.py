"""Discussion threads opened under news posts, and whether their debate digest was posted."""

from __future__ import annotations

from datetime import datetime, timedelta

from db.base import Queries
from db.models import ThreadRecord
from db.rows import thread_from_row, ts
from db.validation import check_id

_THREAD_SELECT = """
    SELECT t.id, t.thread_id, t.post_id, t.created_at, t.digest_posted, t.digest_posted_at, t.digest_attempts,
           p.entry_id, p.guild_id, p.channel_id, e.title, e.url
    FROM threads t JOIN posts p ON p.id = t.post_id JOIN entries e ON e.id = p.entry_id
"""


class ThreadQueries(Queries):
    async def record_thread(self, post_id: int, thread_id: int, now: datetime) -> ThreadRecord | None:
        """Remember a discussion thread opened under a post (idempotent per thread).

        None when the post no longer exists (its source was removed meanwhile).
        """
        check_id(thread_id, "thread_id")
        stamp = ts(now)
        async with self._db.writing() as tx:
            if await tx.one("SELECT 1 FROM posts WHERE id = ?", (post_id,)) is None:
                return None
            await tx.execute(
                "INSERT INTO threads (thread_id, post_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (thread_id, post_id, stamp),
            )
            row = await tx.one(f"{_THREAD_SELECT} WHERE t.thread_id = ?", (thread_id,))
        return thread_from_row(row) if row is not None else None

    async def threads_due_for_digest(self, now: datetime, after: timedelta) -> list[ThreadRecord]:
        """Threads without a digest that were opened at least ``after`` before ``now``, oldest first."""
        cutoff = ts(now) - after.total_seconds()
        async with self._db.reading() as tx:
            rows = await tx.all(
                f"{_THREAD_SELECT} WHERE t.digest_posted = 0 AND t.created_at <= ? ORDER BY t.created_at, t.id",
                (cutoff,),
            )
        return [thread_from_row(row) for row in rows]

    async def mark_digest_posted(self, thread_id: int, now: datetime) -> bool:
        """False when the thread is unknown."""
        stamp = ts(now)
        async with self._db.writing() as tx:
            return await tx.changes(
                "UPDATE threads SET digest_posted = 1, digest_posted_at = ? WHERE thread_id = ?",
                (stamp, thread_id),
            )

    async def count_digest_attempt(self, thread_id: int) -> int:
        """One more failed attempt at a thread's digest; the attempts so far (0: unknown thread)."""
        async with self._db.writing() as tx:
            await tx.execute(
                "UPDATE threads SET digest_attempts = digest_attempts + 1 WHERE thread_id = ?", (thread_id,)
            )
            row = await tx.one("SELECT digest_attempts FROM threads WHERE thread_id = ?", (thread_id,))
        return int(row[0]) if row is not None else 0
