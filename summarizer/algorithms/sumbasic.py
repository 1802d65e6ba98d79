"""SumBasic (Nenkova & Vanderwende 2005): average word probability with probability squashing for redundancy, through sumy."""

from __future__ import annotations

from summarizer.algorithms._sumy import run_sumy
from summarizer.algorithms.document import Document

__all__ = ["sumbasic"]


def sumbasic(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences sumy's SumBasicSummarizer picks."""
    from sumy.summarizers.sum_basic import SumBasicSummarizer

    summarizer = SumBasicSummarizer(document.stemmer)
    summarizer.stop_words = document.stop_words
    return run_sumy(summarizer, document, count)
