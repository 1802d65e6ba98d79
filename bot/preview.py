"""`spacebrief preview`: one poll of every configured source, printing what would be posted.

It uses the same pipeline as the bot (``feeds.poller``) and the same embed (``cogs.render``), and
records what it printed as seen in the configured database, so the next run prints only what is
new. Each line is written and flushed *before* its entry is recorded: a crash can repeat an
item, never lose one.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.config import Config
from bot.wiring import config_sources, fetch_limits, poll_settings
from cogs.render import news_embed
from db.models import Source, StoreError
from db.store import Store
from feeds.decide import DUPLICATE_SKIP_REASON, posted_before
from feeds.fetch import Fetcher
from feeds.poller import PreparedEntry, entry_payload, poll_source, prepare_entry

#: Sources polled at once; each parse and summary runs in a worker thread.
CONCURRENCY = 8
PREVIEW_SKIP_REASON = "shown by spacebrief preview"


class PreviewError(Exception):
    """Bad configuration or database: one line, exit 2."""


NO_SOURCES_MESSAGE = (
    "nothing to preview: the configuration lists no sources; add a [[sources]] table with name and url "
    "to a config file (see config.example.toml) and pass it with --config FILE"
)


def _line(text: str | None) -> str:
    """Feed text on one line (titles and sentences may hold newlines); "" when there is nothing."""
    return " ".join((text or "").split())


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 source", "2 sources", "0 entries" ."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def _human(source: Source, prepared: PreparedEntry) -> str:
    payload = entry_payload(prepared)
    # An entry may lack a title or a link: no empty lines for them.
    lines = [f"[{source.name}] {_line(payload['title']) or '(untitled)'}"]
    if _line(payload["url"]):
        lines.append(f"  {_line(payload['url'])}")
    lines.extend(f"  • {_line(sentence)}" for sentence in payload["summary"] if _line(sentence))
    for quote in payload["quotes"]:
        lines.append(f"  “{_line(quote['text'])}” — {_line(quote['speaker']) or 'unattributed'}")
    if prepared.article_problem:
        lines.append(f"  (article page unavailable: {prepared.article_problem}; this is the feed's teaser)")
    if source.channel_id:
        lines.append(f"  -> channel {source.channel_id}")
    return "\n".join(lines) + "\n"


def _json_line(source: Source, prepared: PreparedEntry, embed: dict[str, Any]) -> str:
    payload = entry_payload(prepared)
    line = {
        "source": source.name,
        "channel": str(source.channel_id) if source.channel_id else None,
        "title": payload["title"],
        "url": payload["url"],
        "summary": payload["summary"],
        "quotes": payload["quotes"],
        "embed": embed,
    }
    return json.dumps(line, ensure_ascii=False) + "\n"


async def run_preview(
    config: Config,
    *,
    as_json: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
    now: datetime | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    moment = now or datetime.now(UTC)
    if not config.sources:
        # Checked before the store opens: without sources there is nothing to record, and no
        # database file should appear in the current directory.
        raise PreviewError(NO_SOURCES_MESSAGE)
    try:
        store = await Store.open(config.database.path)
    except (StoreError, OSError) as exc:
        raise PreviewError(f"database {config.database.path}: {exc}") from None
    try:
        await store.sync_config_sources(config_sources(config), now=moment)
        sources = [s for s in await store.list_sources(0) if s.is_active]
        settings = poll_settings(config)
        gate = asyncio.Semaphore(CONCURRENCY)
        shown = failed = 0
        # One writer for stdout: lines from concurrent sources never interleave.
        write_lock = asyncio.Lock()
        # Links shown per channel: one article from two sources is shown once, as the bot posts it.
        shown_links: dict[int, list[str]] = {}
        async with Fetcher(fetch_limits(config)) as fetcher:

            async def one(source: Source) -> None:
                nonlocal shown, failed
                async with gate:
                    result = await poll_source(source, fetcher=fetcher, store=store, now=moment, settings=settings)
                    if result.error:
                        failed += 1
                        async with write_lock:
                            err.write(f"source {source.name}: {result.error}\n")
                            err.flush()
                    for entry in result.new_entries:
                        if posted_before(entry.url, shown_links.get(source.channel_id, ())):
                            await store.mark_skipped(entry.id, DUPLICATE_SKIP_REASON)
                            continue
                        prepared = await prepare_entry(
                            entry,
                            fetcher=fetcher,
                            store=store,
                            sentences=config.news.sentences,
                            max_quotes=config.news.max_quotes,
                        )
                        embed = news_embed(prepared, source.name, max_quotes=config.news.max_quotes).to_dict()
                        text = _json_line(source, prepared, dict(embed)) if as_json else _human(source, prepared)
                        async with write_lock:
                            links = shown_links.setdefault(source.channel_id, [])
                            duplicate = posted_before(entry.url, links)  # another source got there first
                            if not duplicate:
                                out.write(text)
                                out.flush()
                                links.extend([entry.url] if entry.url else [])
                        await store.mark_skipped(entry.id, DUPLICATE_SKIP_REASON if duplicate else PREVIEW_SKIP_REASON)
                        if not duplicate:
                            shown += 1

            await asyncio.gather(*(one(source) for source in sources))
        if not as_json:
            failures = f", {failed} failed" if failed else ""
            out.write(
                f"{plural(shown, 'new entry', 'new entries')} from {plural(len(sources), 'source')}{failures}\n"
            )
            out.flush()
    finally:
        await store.close()
    return 0
