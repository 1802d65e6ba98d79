"""Bounded work for any debate: which comments are condensed when a thread is larger than the limits,
and what the answer says was left out (issue 13). Every entry point goes through `condense`, so the CLI,
`/debate` and thread digests share these limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from summarizer.debate.inputs import Comment
from summarizer.debate.text import MAX_COMMENT_CHARS

__all__ = ["MAX_COMMENTS", "MAX_TOTAL_CHARS", "CondenseStats", "select_comments"]

# At most this many comments are condensed (the most replied-to, then the most recent): bounds time and
# memory whatever the input. The answer says how many were left out.
MAX_COMMENTS = 2_000
# ... and at most this many characters of them in all (after each is cut to MAX_COMMENT_CHARS).
MAX_TOTAL_CHARS = 1_000_000


@dataclass(frozen=True, slots=True)
class CondenseStats:
    """What was condensed: comments given, how many were condensed (the rest cut by `MAX_COMMENTS` or
    `MAX_TOTAL_CHARS`), how many of those were shortened to `MAX_COMMENT_CHARS`, distinct named authors
    and comments without an author among the comments given."""

    comments: int
    condensed: int
    shortened: int
    authors: int
    unnamed: int

    @property
    def truncated(self) -> bool:
        return self.condensed < self.comments or self.shortened > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "comments": self.comments,
            "authors": self.authors,
            "unnamed_comments": self.unnamed,
            "comments_condensed": self.condensed,
            "comments_shortened": self.shortened,
            "truncated": self.truncated,
        }


def select_comments(comments: list[Comment]) -> tuple[list[int], int]:
    """(indexes of the comments to condense, in input order; how many of them are shortened): the most
    replied-to first, then the most recent (the last in input order), within MAX_COMMENTS and
    MAX_TOTAL_CHARS."""
    lengths = [min(len(c.text), MAX_COMMENT_CHARS) for c in comments]
    shortened = sum(1 for c in comments if len(c.text) > MAX_COMMENT_CHARS)
    if len(comments) <= MAX_COMMENTS and sum(lengths) <= MAX_TOTAL_CHARS:
        return list(range(len(comments))), shortened
    replies: dict[str, int] = {}
    for comment in comments:
        if comment.reply_to is not None:
            replies[comment.reply_to] = replies.get(comment.reply_to, 0) + 1
    order = sorted(
        range(len(comments)), key=lambda i: (-replies.get(comments[i].id or "", 0) if comments[i].id else 0, -i)
    )
    kept: list[int] = []
    budget = MAX_TOTAL_CHARS
    for index in order:
        if len(kept) == MAX_COMMENTS:
            break
        if lengths[index] <= budget:
            kept.append(index)
            budget -= lengths[index]
    kept.sort()
    return kept, sum(1 for i in kept if len(comments[i].text) > MAX_COMMENT_CHARS)
