"""TextRank (Mihalcea & Tarau 2004): PageRank over word-overlap similarity between sentences, through sumy."""

from __future__ import annotations

from summarizer.algorithms._sumy import run_sumy
from summarizer.algorithms.document import Document

__all__ = ["textrank"]


def textrank(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences sumy's TextRankSummarizer picks."""
    from sumy.summarizers.text_rank import TextRankSummarizer

    summarizer = TextRankSummarizer(document.stemmer)
    summarizer.stop_words = document.stop_words
    return run_sumy(summarizer, document, count)
