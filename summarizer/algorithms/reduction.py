"""Reduction: sentences weighted by their similarity to all others (graph degree), through sumy."""

from __future__ import annotations

from summarizer.algorithms._sumy import run_sumy
from summarizer.algorithms.document import Document

__all__ = ["reduction"]


def reduction(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences sumy's ReductionSummarizer picks."""
    from sumy.summarizers.reduction import ReductionSummarizer

    summarizer = ReductionSummarizer(document.stemmer)
    summarizer.stop_words = document.stop_words
    return run_sumy(summarizer, document, count)
