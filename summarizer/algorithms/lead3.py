"""LEAD: the first sentences of the article, the classic news baseline ("lead3" at the default budget)."""

from __future__ import annotations

from summarizer.algorithms.document import Document

__all__ = ["lead"]


def lead(document: Document, count: int) -> list[int]:
    """The first `count` sentences (LEAD-3 with the default budget of 3)."""
    return list(range(min(max(count, 0), len(document.sentences))))
