"""`spacebrief copy-store`: move a SQLite store into an empty PostgreSQL database, nothing lost.

The copy itself is ``db.transfer`` (one transaction on the target, the source held exclusively);
this adds what the command line decides: which source and target the config names, and whether a
claim left in the source belongs to a process that may still be running.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import DATABASE_URL_VARIABLE, Config
from bot.wiring import dead_local_owners
from db.postgres import is_postgres_url
from db.transfer import CopyReport, SqliteSource, copy_to_postgres


class CopyStoreError(Exception):
    """Bad arguments or a refused copy: one line, exit 2."""


def copy_targets(config: Config, source: str | None, target: str | None) -> tuple[str, str]:
    """(SQLite path, PostgreSQL URL) from the arguments, else from ``[database]``."""
    path = source or config.database.path
    url = target or config.database.url
    if is_postgres_url(path):
        raise CopyStoreError("--from takes a SQLite file; the copy goes from SQLite to PostgreSQL")
    if not url:
        raise CopyStoreError(
            f"no PostgreSQL database to copy into: give --to postgresql://..., or set [database] url "
            f"or {DATABASE_URL_VARIABLE}"
        )
    if not is_postgres_url(url):
        raise CopyStoreError("--to must be a postgresql:// URL")
    return path, url


async def copy_store(
    config: Config,
    *,
    source: str | None = None,
    target: str | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> CopyReport:
    """Copy the SQLite store into PostgreSQL; ``CopyStoreError`` or ``db.transfer``'s errors when not."""
    path, url = copy_targets(config, source, target)
    opened = await SqliteSource.open(path)
    try:
        live = await opened.live_claims(clock())
        dead = set(dead_local_owners({claim.owner for claim in live}))
        if running := [claim for claim in live if claim.owner not in dead]:
            first = running[0]
            raise CopyStoreError(
                f"{path}: {first.what} is claimed by {first.owner} until "
                f"{first.expires_at:%Y-%m-%d %H:%M:%S} UTC, so a bot or preview may still be working on it: "
                "stop it, or wait until then, and run copy-store again"
            )
        return await copy_to_postgres(opened, url)
    finally:
        await opened.close()


def report_lines(report: CopyReport) -> list[str]:
    lines = []
    if report.migrated_from is not None:
        lines.append(f"{report.source}: migrated from schema {report.migrated_from} to {report.schema_version} first")
    lines.append(f"copied {report.source} (schema {report.schema_version}) into {report.target}:")
    width = max(len(table) for table, _ in report.rows)
    lines.extend(f"  {table:<{width}}  {rows:>9,} rows" for table, rows in report.rows)
    lines.append(
        f"done: set [database] url (or {DATABASE_URL_VARIABLE}) to it and start the bot; "
        f"{report.source} is left in place as a backup (the bot no longer uses it)"
    )
    return lines


def print_report(report: CopyReport) -> None:
    sys.stdout.write("\n".join(report_lines(report)) + "\n")
    sys.stdout.flush()
