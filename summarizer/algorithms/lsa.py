"""LSA (Steinberger & Ježek 2004): sentences scored by the strongest latent topics of an SVD, through sumy."""

from __future__ import annotations

from summarizer.algorithms._sumy import run_sumy
from summarizer.algorithms.document import Document

__all__ = ["lsa"]


def lsa(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences sumy's LsaSummarizer picks."""
    from sumy.summarizers.lsa import LsaSummarizer

    summarizer = LsaSummarizer(document.stemmer)
    summarizer.stop_words = document.stop_words
    return run_sumy(summarizer, document, count)
