"""Row mapping, in one place: database values <-> the typed rows of ``db.models``.

Times are stored as REAL Unix seconds (UTC); keyword lists, summaries and quotes as JSON text.
Reading is forgiving (a damaged JSON column reads as empty, an absurd time as None) so one bad
row never breaks a listing; writing is strict (a naive ``now`` is a bug in the caller).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from db.base import Row
from db.models import Entry, Post, Source, StoredQuote, ThreadRecord
from db.validation import MAX_QUOTES, MAX_SUMMARY_SENTENCES, clean_keywords, clean_optional, clean_text

# ---- times -----------------------------------------------------------------------------------


def ts(moment: datetime, what: str = "now") -> float:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return moment.timestamp()


def published_ts(moment: datetime | None) -> float | None:
    """Feed dates: naive ones are taken as UTC (feeds are sloppy); absurd ones are dropped."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.timestamp()
    except (OverflowError, ValueError, OSError):
        return None


def dt(value: float | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def dt_required(value: float) -> datetime:
    moment = dt(value)
    return moment if moment is not None else datetime.fromtimestamp(0, UTC)


# ---- JSON columns ----------------------------------------------------------------------------


def keywords_json(keywords: Iterable[str]) -> str:
    return json.dumps(list(clean_keywords(keywords)), ensure_ascii=False)


def setting_json(value: object) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def summary_json(summary: Sequence[str]) -> str:
    return json.dumps(
        [clean_text(sentence, 10_000) for sentence in list(summary)[:MAX_SUMMARY_SENTENCES]],
        ensure_ascii=False,
    )


def quotes_json(quotes: Sequence[StoredQuote]) -> str:
    return json.dumps(
        [
            {"text": clean_text(quote.text, 10_000), "speaker": clean_optional(quote.speaker, 500)}
            for quote in list(quotes)[:MAX_QUOTES]
        ],
        ensure_ascii=False,
    )


def _json_list(text: str | None) -> list[Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def _strings(text: str | None) -> tuple[str, ...] | None:
    value = _json_list(text)
    return None if value is None else tuple(item for item in value if isinstance(item, str))


def keywords_from_json(text: str | None) -> tuple[str, ...]:
    return _strings(text or "[]") or ()


def quotes_from_json(text: str | None) -> tuple[StoredQuote, ...] | None:
    value = _json_list(text)
    if value is None:
        return None
    quotes: list[StoredQuote] = []
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            speaker = item.get("speaker")
            quotes.append(StoredQuote(item["text"], speaker if isinstance(speaker, str) else None))
    return tuple(quotes)


# ---- rows ------------------------------------------------------------------------------------


def source_from_row(row: Row) -> Source:
    return Source(
        id=row["id"],
        guild_id=row["guild_id"],
        url=row["url"],
        name=row["name"],
        channel_id=row["channel_id"],
        kind=row["kind"],
        include_keywords=keywords_from_json(row["include_keywords"]),
        exclude_keywords=keywords_from_json(row["exclude_keywords"]),
        state=row["state"],
        consecutive_failures=row["consecutive_failures"],
        last_error=row["last_error"],
        next_poll_at=dt(row["next_poll_at"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        disabled_reason=row["disabled_reason"],
        disabled_notified=bool(row["disabled_notified"]),
        created_at=dt_required(row["created_at"]),
        last_polled_at=dt(row["last_polled_at"]),
        last_success_at=dt(row["last_success_at"]),
    )


ENTRY_COLUMNS = (
    "id, source_id, key, title, url, published, image_url, text, is_teaser, state, skip_reason, "
    "summary_json, quotes_json, created_at"
)
#: The same columns qualified by the ``e`` alias, for joins.
ENTRY_COLUMNS_E = ", ".join(f"e.{column.strip()}" for column in ENTRY_COLUMNS.split(","))


def entry_from_row(row: Row) -> Entry:
    return Entry(
        id=row["id"],
        source_id=row["source_id"],
        key=row["key"],
        title=row["title"],
        url=row["url"],
        published=dt(row["published"]),
        image_url=row["image_url"],
        text=row["text"],
        is_teaser=bool(row["is_teaser"]),
        state=row["state"],
        skip_reason=row["skip_reason"],
        summary=_strings(row["summary_json"]),
        quotes=quotes_from_json(row["quotes_json"]),
        created_at=dt_required(row["created_at"]),
    )


def post_from_row(row: Row, prefix: str = "") -> Post:
    return Post(
        id=row[f"{prefix}id"],
        entry_id=row[f"{prefix}entry_id"],
        guild_id=row[f"{prefix}guild_id"],
        channel_id=row[f"{prefix}channel_id"],
        message_id=row[f"{prefix}message_id"],
        posted_at=dt_required(row[f"{prefix}posted_at"]),
    )


def thread_from_row(row: Row) -> ThreadRecord:
    return ThreadRecord(
        id=row["id"],
        thread_id=row["thread_id"],
        post_id=row["post_id"],
        entry_id=row["entry_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        title=row["title"],
        url=row["url"],
        created_at=dt_required(row["created_at"]),
        digest_posted=bool(row["digest_posted"]),
        digest_posted_at=dt(row["digest_posted_at"]),
        digest_attempts=int(row["digest_attempts"] or 0),
    )
