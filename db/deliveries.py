"""Entries Discord would not take: attempts at posting them, and the ones given up (with why).

A pending entry whose post Discord refuses is counted here (``count_delivery_attempt``); the news
loop decides when to stop trying (``give_up_entry``: the entry leaves the pending queue as
``skipped`` with the reason, so its source goes on with the next entries). Given-up entries wait
in ``problems_to_announce`` until the server's admins have been told once.
"""

from __future__ import annotations

from datetime import datetime

from db.base import Queries
from db.models import DeliveryOutcome, DeliveryProblem
from db.rows import ts
from db.validation import one_line


class DeliveryQueries(Queries):
    async def count_delivery_attempt(self, entry_id: int, reason: str, now: datetime) -> int:
        """One more refused attempt at posting a pending entry; the attempts so far (0: not pending)."""
        stamp = ts(now)
        why = one_line(reason) or "refused"
        async with self._db.writing() as tx:
            if await tx.one("SELECT 1 FROM entries WHERE id = ? AND state = 'pending'", (entry_id,)) is None:
                return 0
            await tx.execute(
                """INSERT INTO delivery_problems (entry_id, attempts, reason, updated_at) VALUES (?, 1, ?, ?)
                   ON CONFLICT (entry_id) DO UPDATE SET attempts = delivery_problems.attempts + 1,
                                                        reason = excluded.reason,
                                                        updated_at = excluded.updated_at""",
                (entry_id, why, stamp),
            )
            row = await tx.one("SELECT attempts FROM delivery_problems WHERE entry_id = ?", (entry_id,))
        return int(row[0]) if row is not None else 0

    async def give_up_entry(self, entry_id: int, outcome: DeliveryOutcome, reason: str, now: datetime) -> bool:
        """A pending entry will not be posted: skipped, with the outcome to announce. False if not pending."""
        if outcome not in ("failed", "unconfirmed"):
            raise ValueError(f"no delivery outcome {outcome!r}")
        stamp = ts(now)
        why = one_line(reason) or outcome
        async with self._db.writing() as tx:
            changed = await tx.changes(
                "UPDATE entries SET state = 'skipped', skip_reason = ?, text = '' WHERE id = ? AND state = 'pending'",
                (one_line(f"{outcome}: {why}"), entry_id),
            )
            if not changed:
                return False
            await tx.execute(
                """INSERT INTO delivery_problems (entry_id, attempts, reason, outcome, updated_at)
                   VALUES (?, 0, ?, ?, ?)
                   ON CONFLICT (entry_id) DO UPDATE SET reason = excluded.reason, outcome = excluded.outcome,
                                                        updated_at = excluded.updated_at""",
                (entry_id, why, outcome, stamp),
            )
        return True

    async def problems_to_announce(self) -> list[DeliveryProblem]:
        """Entries given up whose server was not told yet, oldest first."""
        async with self._db.reading() as tx:
            rows = await tx.all(
                """SELECT d.entry_id, d.attempts, d.reason, d.outcome, e.source_id, e.title, e.url,
                          s.name AS source_name, s.guild_id, s.channel_id
                   FROM delivery_problems d
                   JOIN entries e ON e.id = d.entry_id
                   JOIN sources s ON s.id = e.source_id
                   WHERE d.outcome IS NOT NULL AND d.notified = 0
                   ORDER BY d.updated_at, d.entry_id"""
            )
        return [
            DeliveryProblem(
                entry_id=row["entry_id"], source_id=row["source_id"], source_name=row["source_name"],
                guild_id=row["guild_id"], channel_id=row["channel_id"], title=row["title"], url=row["url"],
                outcome=row["outcome"], reason=row["reason"], attempts=row["attempts"],
            )
            for row in rows
        ]

    async def mark_problem_announced(self, entry_id: int) -> bool:
        async with self._db.writing() as tx:
            return await tx.changes(
                "UPDATE delivery_problems SET notified = 1 WHERE entry_id = ? AND notified = 0", (entry_id,)
            )
