"""Edmundson (1969): cue words, title words and location, through sumy."""

from __future__ import annotations

from collections import Counter

from summarizer.algorithms._sumy import run_sumy
from summarizer.algorithms.document import Document

__all__ = ["STIGMA_WORDS", "edmundson"]

# Cue method's negative words: the vocabulary of page furniture rather than of news.
STIGMA_WORDS = (
    "credit", "credits", "related", "subscribe", "newsletter", "advertisement", "click", "copyright",
    "cookie", "cookies", "share", "follow", "photo", "image", "caption",
)


def edmundson(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences sumy's EdmundsonSummarizer picks.

    Edmundson needs bonus words: the title's words when there is a title, else the article's ten most
    frequent content words (Luhn's significant words), which is what the cue method approximates.
    """
    from sumy.summarizers.edmundson import EdmundsonSummarizer

    summarizer = EdmundsonSummarizer(document.stemmer)
    title_words = [
        word for word in document.tokenizer.to_words(document.title or "")
        if word.lower() not in document.stop_words
    ]
    if title_words:
        bonus_words = title_words
    else:
        frequent = Counter(
            word.lower() for words in document.words for word in words if word.lower() not in document.stop_words
        )
        bonus_words = [word for word, _ in frequent.most_common(10)] or ["news"]
    summarizer.bonus_words = bonus_words
    summarizer.stigma_words = STIGMA_WORDS
    summarizer.null_words = document.stop_words
    return run_sumy(summarizer, document, count, with_title=True)
