"""KL-Sum (Haghighi & Vanderwende 2009): greedy choice minimising KL divergence to the article's word distribution, through sumy."""

from __future__ import annotations

from summarizer.algorithms._sumy import run_sumy
from summarizer.algorithms.document import Document

__all__ = ["kl"]


def kl(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences sumy's KLSummarizer picks."""
    from sumy.summarizers.kl import KLSummarizer

    summarizer = KLSummarizer(document.stemmer)
    summarizer.stop_words = document.stop_words
    return run_sumy(summarizer, document, count)
