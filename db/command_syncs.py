"""The slash command set last synced to Discord, per scope, so a restart with the same commands
does not sync again (Discord rate-limits command syncs hard)."""

from __future__ import annotations

from datetime import datetime

from db.base import Queries
from db.rows import ts


class CommandSyncQueries(Queries):
    async def synced_commands_hash(self, scope: str) -> str | None:
        """The digest of the commands last synced to ``scope`` (None: never, or unknown)."""
        async with self._db.reading() as tx:
            row = await tx.one("SELECT digest FROM command_syncs WHERE scope = ?", (scope,))
        return str(row["digest"]) if row is not None else None

    async def record_commands_sync(self, scope: str, digest: str, *, now: datetime) -> None:
        """Remember that the commands with this digest were synced to ``scope``."""
        async with self._db.writing() as tx:
            await tx.execute(
                """INSERT INTO command_syncs (scope, digest, synced_at) VALUES (?, ?, ?)
                   ON CONFLICT (scope) DO UPDATE SET digest = excluded.digest, synced_at = excluded.synced_at""",
                (scope, digest, ts(now)),
            )
