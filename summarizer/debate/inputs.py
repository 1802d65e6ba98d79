"""Debate input: the comment and argument records, and validation of what callers hand in (decoded JSON,
plain text, mappings or objects). Every problem is a `DebateInputError` whose `str()` is one line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ANONYMOUS",
    "Argument",
    "Comment",
    "DebateInputError",
    "coerce_comment",
    "json_kind",
    "parse_comments",
    "parse_plain_comments",
]

ANONYMOUS = "anonymous"


class DebateInputError(ValueError):
    """Debate input that is not a list of comments; `str()` is one line naming the problem."""


@dataclass(frozen=True, slots=True)
class Comment:
    author: str
    text: str
    id: str | None = None
    reply_to: str | None = None

    def to_dict(self) -> dict[str, str]:
        data = {"author": self.author, "text": self.text}
        if self.id is not None:
            data["id"] = self.id
        if self.reply_to is not None:
            data["reply_to"] = self.reply_to
        return data


@dataclass(frozen=True, slots=True)
class Argument:
    claim: str
    support: int
    authors: list[str] = field(default_factory=list)
    comment_ids: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "support": self.support,
            "authors": list(self.authors),
            "comment_ids": list(self.comment_ids),
            "quotes": list(self.quotes),
        }


def json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _optional_id(item: Mapping[str, Any], key: str, number: int) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DebateInputError(f"comment {number}: '{key}' must be a string, got {json_kind(value)}")
    return str(value)


def _comment_from_mapping(item: Mapping[str, Any], number: int, *, require_author: bool) -> Comment:
    for key in ("author", "text"):
        if key not in item:
            if key == "author" and not require_author:
                continue
            raise DebateInputError(f"comment {number}: missing '{key}'")
        if not isinstance(item[key], str):
            raise DebateInputError(f"comment {number}: '{key}' must be a string, got {json_kind(item[key])}")
    return Comment(
        author=item.get("author", ANONYMOUS),
        text=item["text"],
        id=_optional_id(item, "id", number),
        reply_to=_optional_id(item, "reply_to", number),
    )


def parse_comments(data: object) -> list[Comment]:
    """Validate decoded JSON: a list of objects with string "author" and "text" (optional "id",
    "reply_to"; integers are accepted there and turned into strings). Raises `DebateInputError`."""
    if not isinstance(data, list):
        raise DebateInputError(f"expected a list of comments, got {json_kind(data)}")
    comments: list[Comment] = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise DebateInputError(f"comment {number}: expected an object, got {json_kind(item)}")
        comments.append(_comment_from_mapping(item, number, require_author=True))
    return comments


def parse_plain_comments(text: str) -> list[Comment]:
    """Comments separated by blank lines. A first line of the form `name:` (alone on its line, at most
    64 characters) names the author; otherwise the author is "anonymous". A block that is only such a
    line names the author of the next block."""
    comments: list[Comment] = []
    pending_author: str | None = None
    blocks: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    for lines in blocks:
        if not lines:
            continue
        first = lines[0].strip()
        author = pending_author
        if first.endswith(":") and 1 < len(first) <= 65 and ":" not in first[:-1] and "://" not in first:
            author = first[:-1].strip() or None
            lines = lines[1:]
        body = "\n".join(lines).strip()
        if not body:
            pending_author = author
            continue
        pending_author = None
        comments.append(Comment(author=author or ANONYMOUS, text=body))
    return comments


def coerce_comment(item: object, number: int) -> Comment:
    if isinstance(item, Comment):
        return item
    if isinstance(item, Mapping):
        # Python callers may leave the author out (anonymous); the JSON contract requires it.
        return _comment_from_mapping(item, number, require_author=False)
    author = getattr(item, "author", None)
    text = getattr(item, "text", None)
    if not isinstance(text, str):
        raise DebateInputError(f"comment {number}: 'text' must be a string, got {json_kind(text)}")
    raw_id = getattr(item, "id", None)
    raw_reply = getattr(item, "reply_to", None)
    return Comment(
        author=author if isinstance(author, str) else ANONYMOUS,
        text=text,
        id=None if raw_id is None else str(raw_id),
        reply_to=None if raw_reply is None else str(raw_reply),
    )
