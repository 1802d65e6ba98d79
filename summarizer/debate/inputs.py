"""Debate input: the comment and argument records, and validation of what callers hand in (decoded JSON,
plain text, mappings or objects). Every problem is a `DebateInputError` whose `str()` is one line."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ANONYMOUS",
    "Argument",
    "Comment",
    "DebateInputError",
    "coerce_comment",
    "decode_json_comments",
    "json_kind",
    "parse_comments",
    "parse_plain_comments",
]

ANONYMOUS = "anonymous"
# JSON input nested deeper than this is refused before decoding (a list of comment objects needs 2).
MAX_JSON_DEPTH = 64
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


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
    # Supporting comments without an author: they never count in `support` (they are not people).
    unnamed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "support": self.support,
            "authors": list(self.authors),
            "comment_ids": list(self.comment_ids),
            "quotes": list(self.quotes),
            "unnamed": self.unnamed,
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
        if key == "author" and item.get("author", "") is None:
            continue  # an explicit null: a comment without an author
        if key not in item:
            if key == "author" and not require_author:
                continue
            raise DebateInputError(f"comment {number}: missing '{key}'")
        if not isinstance(item[key], str):
            raise DebateInputError(f"comment {number}: '{key}' must be a string, got {json_kind(item[key])}")
    return Comment(
        author=item.get("author") or ANONYMOUS,
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


# "alice: text" on one line: a chat log. The name is short (at most four words, 40 characters), not a
# URL scheme, and followed by text.
_CHAT_LINE = re.compile(r"^[ \t]*(?P<name>[^\s:<>\[\]][^:<>\[\]\n]{0,39}?)[ \t]*:[ \t]+(?P<text>\S.*)$")
# A chat log has at least this many such lines, and they are at least this share of its non-empty lines.
CHAT_MIN_LINES = 2
CHAT_MIN_SHARE = 0.5


def _chat_name(line: str) -> tuple[str, str] | None:
    match = _CHAT_LINE.match(line)
    if match is None:
        return None
    name = match.group("name").strip()
    if len(name.split()) > 4 or name.lower() in {"http", "https", "ftp", "mailto"}:
        return None
    return name, match.group("text").strip()


def parse_plain_comments(text: str) -> list[Comment]:
    """Comments from plain text, in either of two forms.

    A chat log, "alice: text" one per line (recognised when at least half the non-empty lines, and at
    least two, have that form): each such line is a comment by that author, and a line without a name
    continues the comment before it. Otherwise, comments separated by blank lines: a first line of the
    form `name:` (alone on its line, at most 64 characters) names the author, and a block that is only
    such a line names the author of the next block; a comment without a name has no author."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    filled = [line for line in lines if line.strip()]
    named = [_chat_name(line) for line in filled]
    if sum(1 for n in named if n) >= max(CHAT_MIN_LINES, CHAT_MIN_SHARE * len(filled)):
        return _chat_comments(filled, named)
    return _block_comments(lines)


def _chat_comments(lines: list[str], named: list[tuple[str, str] | None]) -> list[Comment]:
    entries: list[tuple[str, list[str]]] = []
    for line, name in zip(lines, named, strict=True):
        if name is not None:
            entries.append((name[0], [name[1]]))
        elif entries:
            entries[-1][1].append(line.strip())
        else:
            entries.append((ANONYMOUS, [line.strip()]))
    return [Comment(author=author, text="\n".join(body)) for author, body in entries]


def _block_comments(lines: list[str]) -> list[Comment]:
    comments: list[Comment] = []
    pending_author: str | None = None
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    for block in blocks:
        if not block:
            continue
        first = block[0].strip()
        author = pending_author
        if first.endswith(":") and 1 < len(first) <= 65 and ":" not in first[:-1] and "://" not in first:
            author = first[:-1].strip() or None
            block = block[1:]
        body = "\n".join(block).strip()
        if not body:
            pending_author = author
            continue
        pending_author = None
        comments.append(Comment(author=author or ANONYMOUS, text=body))
    return comments


def decode_json_comments(text: str) -> list[Comment]:
    """Comments from JSON text (see `parse_comments`). Nesting deeper than MAX_JSON_DEPTH is refused
    before decoding, and every decoding error is a one-line `DebateInputError`."""
    depth = _json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise DebateInputError(f"invalid JSON: nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DebateInputError(f"invalid JSON (line {exc.lineno}: {exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise DebateInputError(f"invalid JSON ({type(exc).__name__})") from None
    return parse_comments(data)


def _json_depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings: a linear scan with regular expressions, so that a
    hostile 100,000-deep document never reaches the recursive decoder."""
    depth = deepest = 0
    # Strings (with their escapes) are skipped whole; only brackets outside them count.
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


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
