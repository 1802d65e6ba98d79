"""Luhn (1958): clusters of significant (frequent, non-stop) words within a sentence, through sumy."""

from __future__ import annotations

from summarizer.algorithms._sumy import run_sumy
from summarizer.algorithms.document import Document

__all__ = ["luhn"]


def luhn(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences sumy's LuhnSummarizer picks."""
    from sumy.summarizers.luhn import LuhnSummarizer

    summarizer = LuhnSummarizer(document.stemmer)
    summarizer.stop_words = document.stop_words
    return run_sumy(summarizer, document, count)
