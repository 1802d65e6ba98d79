"""LexRank (Erkan & Radev 2004): sentence centrality in a graph of cosine similarities, through sumy."""

from __future__ import annotations

from summarizer.algorithms._sumy import run_sumy
from summarizer.algorithms.document import Document

__all__ = ["lexrank"]


def lexrank(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences sumy's LexRankSummarizer picks."""
    from sumy.summarizers.lex_rank import LexRankSummarizer

    summarizer = LexRankSummarizer(document.stemmer)
    summarizer.stop_words = document.stop_words
    return run_sumy(summarizer, document, count)
