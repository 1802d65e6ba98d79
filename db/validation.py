"""Cleaning and validation of what goes into the store: text caps, keywords, per-server settings.

Pure functions beside the models they guard. Feeds and Discord messages are untrusted, so every
piece of text is made valid UTF-8 without NUL and capped before it is written; a value an admin
types (a setting, a keyword list) is checked here and refused with a one-line
``InvalidSettingError`` the cogs can show as is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from db.models import GUILD_SETTING_NAMES, InvalidSettingError

# Caps on stored text. Feeds are untrusted: a 50 MB title must not reach the database, and
# Discord could not show it anyway. Entry text is kept generously: it feeds the summarizer.
MAX_NAME = 100
MAX_SOURCE_URL = 2048
MAX_ENTRY_URL = 4096
MAX_TITLE = 1000
MAX_ENTRY_TEXT = 500_000
MAX_REASON = 500
MAX_VALIDATOR = 1024  # ETag / Last-Modified
MAX_KEY = 2048
MAX_KEYWORDS = 50
MAX_KEYWORD = 100
MAX_SUMMARY_SENTENCES = 50
MAX_QUOTES = 20
MAX_SNOWFLAKE = 2**63 - 1  # SQLite INTEGER; Discord ids fit

# Bounds for per-server settings (the config file may go lower, e.g. tests poll every 3 s,
# but a server admin must not make the bot hammer a feed).
INTERVAL_MINUTES_RANGE = (1.0, 1440.0)
SENTENCES_RANGE = (1, 10)
MAX_QUOTES_RANGE = (0, 10)

SettingValue = float | int | bool | tuple[str, ...]

#: ``12`` or ``#12``: how a user names a source by its id.
ID_TEXT = re.compile(r"#?\s*(\d{1,19})")
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(value: object, limit: int) -> str:
    """Valid UTF-8, no NUL, at most ``limit`` characters: safe to store and to render."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a broken decode: SQLite would refuse them
        text = _SURROGATES.sub("\ufffd", text)
    return text.replace("\x00", "")


def clean_optional(value: object | None, limit: int) -> str | None:
    if value is None:
        return None
    text = clean_text(value, limit).strip()
    return text or None


def one_line(value: object, limit: int = MAX_REASON) -> str:
    return " ".join(clean_text(value, limit * 4).split())[:limit]


def words(value: object, limit: int) -> str:
    """Text as typed by a user (a name to look up): cleaned, spaces collapsed."""
    return " ".join(clean_text(value, limit).split())


def clean_keywords(keywords: Iterable[str] | str) -> tuple[str, ...]:
    """Strip, collapse spaces, drop empties and case-insensitive duplicates; capped."""
    if isinstance(keywords, str):  # "mars, artemis" as typed in a slash command
        keywords = keywords.split(",")
    seen: set[str] = set()
    cleaned: list[str] = []
    for raw in keywords:
        if not isinstance(raw, str):
            raise InvalidSettingError("keywords must be text")
        keyword = " ".join(clean_text(raw, MAX_KEYWORD * 4).split())
        if len(keyword) > MAX_KEYWORD:
            raise InvalidSettingError(f"a keyword may have at most {MAX_KEYWORD} characters")
        if keyword and keyword.casefold() not in seen:
            seen.add(keyword.casefold())
            cleaned.append(keyword)
    if len(cleaned) > MAX_KEYWORDS:
        raise InvalidSettingError(f"at most {MAX_KEYWORDS} keywords")
    return tuple(cleaned)


def check_id(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SNOWFLAKE:
        raise ValueError(f"{what} must be an integer from 0 to 2^63-1, not {value!r}")
    return value


def _as_number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidSettingError(f"{name} must be a number")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidSettingError(f"{name} must be a number") from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidSettingError(f"{name} must be a number")
    return float(value)


def _as_whole(name: str, value: Any, low: int, high: int) -> int:
    number = _as_number(name, value)
    if number != int(number) or not low <= number <= high:
        raise InvalidSettingError(f"{name} must be a whole number from {low} to {high}")
    return int(number)


_TRUE = {"true", "yes", "on", "1", "enable", "enabled"}
_FALSE = {"false", "no", "off", "0", "disable", "disabled"}


def validate_guild_setting(name: str, value: Any) -> SettingValue:
    """The normalized value of one per-server setting, or ``InvalidSettingError`` (one line)."""
    if name == "interval_minutes":
        low, high = INTERVAL_MINUTES_RANGE
        minutes = _as_number(name, value)
        if not low <= minutes <= high:
            raise InvalidSettingError(f"interval_minutes must be from {low:g} to {high:g}")
        return minutes
    if name == "sentences":
        return _as_whole(name, value, *SENTENCES_RANGE)
    if name == "max_quotes":
        return _as_whole(name, value, *MAX_QUOTES_RANGE)
    if name == "thread_per_article":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise InvalidSettingError("thread_per_article must be true or false")
    if name in ("include_keywords", "exclude_keywords"):
        if not isinstance(value, str | list | tuple):
            raise InvalidSettingError(f"{name} must be a list of keywords")
        return clean_keywords(value)
    raise InvalidSettingError(
        f"unknown setting '{one_line(name, 50)}'; known: {', '.join(GUILD_SETTING_NAMES)}"
    )
