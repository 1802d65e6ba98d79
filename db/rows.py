"""Row mapping, in one place: database values <-> the typed rows of ``db.models``.

Times are stored as REAL Unix seconds (UTC); keyword lists, summaries and quotes as JSON text.
Reading is forgiving (a damaged JSON column reads as empty, an absurd time as None) so one bad
row never breaks a listing; writing is strict (a naive ``now`` is a bug in the caller).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

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


Converter = Callable[[Any], Any]
T = TypeVar("T")


def _from_row(cls: type[T], row: Row, *, prefix: str = "", **convert: Converter | tuple[str, Converter]) -> T:
    """A model from a row whose columns are named like its fields (after ``prefix``).

    ``convert`` maps a field to how its column is read: a function, or ``(column, function)`` when
    the column has another name. Other fields are taken as stored.
    """
    values: dict[str, Any] = {}
    for spec in fields(cast(Any, cls)):
        how = convert.get(spec.name)
        column, read = how if isinstance(how, tuple) else (spec.name, how)
        raw = row[prefix + column]
        values[spec.name] = read(raw) if read is not None else raw
    return cls(**values)


def source_from_row(row: Row) -> Source:
    keywords = keywords_from_json
    return _from_row(
        Source, row, include_keywords=keywords, exclude_keywords=keywords, disabled_notified=bool,
        created_at=dt_required, next_poll_at=dt, last_polled_at=dt, last_success_at=dt,
    )  # fmt: skip


ENTRY_COLUMNS = (
    "id, source_id, key, title, url, published, image_url, text, is_teaser, state, skip_reason, "
    "summary_json, quotes_json, created_at, article_problem, canonical_link"
)
#: The same columns qualified by the ``e`` alias, for joins.
ENTRY_COLUMNS_E = ", ".join(f"e.{column.strip()}" for column in ENTRY_COLUMNS.split(","))


def entry_from_row(row: Row) -> Entry:
    return _from_row(
        Entry, row, published=dt, is_teaser=bool, created_at=dt_required,
        summary=("summary_json", _strings), quotes=("quotes_json", quotes_from_json),
        canonical_link=lambda value: value or None,
    )  # fmt: skip


def post_from_row(row: Row, prefix: str = "") -> Post:
    return _from_row(Post, row, prefix=prefix, posted_at=dt_required)


def thread_from_row(row: Row) -> ThreadRecord:
    return _from_row(
        ThreadRecord, row, created_at=dt_required, digest_posted=bool, digest_posted_at=dt,
        digest_attempts=lambda value: int(value or 0),
    )  # fmt: skip
