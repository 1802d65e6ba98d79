"""The prepared article every algorithm ranks: sentences in order, their paragraphs, title, language."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from summarizer.hygiene import is_boilerplate
from summarizer.tokenizer import Tokenizer, stop_words_for

__all__ = ["DOUBLE_QUOTES", "Document", "candidates_of", "continues_quotation", "cosine", "is_boilerplate", "join_split_quotations", "make_stemmer", "open_quotation"]


# Snowball stemming is the single largest cost of a summary; news vocabulary repeats, so one memo per
# language, shared by every summary in the process, makes it nearly free. Bounded: cleared when full.
_STEM_CACHE_LIMIT = 200_000


@lru_cache(maxsize=64)
def make_stemmer(language: str) -> Callable[[str], str]:
    """sumy's stemmer for `language` (lower-casing only when there is none), memoised per word."""
    from sumy.nlp.stemmers import Stemmer, null_stemmer

    try:
        stem: Callable[[str], str] = Stemmer(language)
    except LookupError:
        stem = null_stemmer
    cache: dict[str, str] = {}

    def cached(word: str) -> str:
        result = cache.get(word)
        if result is None:
            if len(cache) >= _STEM_CACHE_LIMIT:
                cache.clear()
            result = cache[word] = stem(word.lower())
        return result

    return cached


@dataclass(frozen=True)
class Document:
    """An article ready to rank. `sentences` are verbatim (whitespace collapsed) and in article order;
    `paragraphs[i]` is the paragraph number of sentence i, so a lead sentence is recognisable."""

    sentences: tuple[str, ...]
    paragraphs: tuple[int, ...]
    title: str | None
    language: str
    tokenizer: Tokenizer
    # Sentences of a paragraph that carries on a quotation left open at the end of the previous one
    # (the convention for long quotes): someone's words without their speaker.
    continued: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if len(self.sentences) != len(self.paragraphs):
            raise ValueError("sentences and paragraphs differ in length")

    @cached_property
    def stop_words(self) -> frozenset[str]:
        return stop_words_for(self.language)

    @cached_property
    def stemmer(self) -> Callable[[str], str]:
        return make_stemmer(self.language)

    @cached_property
    def words(self) -> tuple[tuple[str, ...], ...]:
        return tuple(self.tokenizer.to_words(sentence) for sentence in self.sentences)

    def content_terms_of(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """Stems of the words that carry content: stop words and bare numbers left out."""
        stop = self.stop_words
        stem = self.stemmer
        return tuple(
            stem(word) for word in words if word.lower() not in stop and len(word) > 1
        )

    @cached_property
    def terms(self) -> tuple[tuple[str, ...], ...]:
        return tuple(self.content_terms_of(words) for words in self.words)

    @cached_property
    def title_terms(self) -> frozenset[str]:
        if not self.title:
            return frozenset()
        return frozenset(self.content_terms_of(self.tokenizer.to_words(self.title)))


def cosine(left: Counter[str], right: Counter[str]) -> float:
    """Cosine similarity of two bags of terms (0.0 when either is empty)."""
    if not left or not right:
        return 0.0
    if len(left) > len(right):
        left, right = right, left
    dot = sum(count * right.get(term, 0) for term, count in left.items())
    if dot == 0:
        return 0.0
    norm = math.sqrt(sum(c * c for c in left.values())) * math.sqrt(sum(c * c for c in right.values()))
    return dot / norm


DOUBLE_QUOTES = re.compile(r"[\"“”«»„]")
# A quotation spanning more sentences than this is more likely an unmatched mark than a speech.
_MAX_QUOTED_SENTENCES = 5


def open_quotation(sentence: str) -> bool:
    """True when a double quotation opened in `sentence` is still open at its end (or one closes
    that was not opened): an odd number of straight marks, or unequal curly/guillemet pairs."""
    marks = DOUBLE_QUOTES.findall(sentence)
    opening = sum(1 for mark in marks if mark in "“«„")
    closing = sum(1 for mark in marks if mark in "”»")
    straight = sum(1 for mark in marks if mark == '"')
    return opening != closing or straight % 2 == 1


def continues_quotation(sentence: str) -> bool:
    """True when the sentence's first quotation mark closes a quotation begun before it
    (`It is ready," he said.`): the sentence starts in the middle of someone's words."""
    match = DOUBLE_QUOTES.search(sentence)
    if match is None:
        return False
    mark, start = match.group(), match.start()
    if mark in "”»":
        return True
    if mark in "“«„":
        return False
    before = sentence[start - 1] if start > 0 else " "
    return not (before.isspace() or before in "([{—–-:")


def join_split_quotations(sentences: tuple[str, ...]) -> list[str]:
    """Sentences of one paragraph with each multi-sentence quotation joined into one unit, so that no
    algorithm can return half a quote (`He said: "We will fly.` without the rest)."""
    if not any(DOUBLE_QUOTES.search(sentence) for sentence in sentences):
        return list(sentences)  # the usual paragraph: no quotation at all
    units: list[str] = []
    pending: list[str] = []
    for sentence in sentences:
        pending.append(sentence)
        if not open_quotation(" ".join(pending)) or len(pending) >= _MAX_QUOTED_SENTENCES:
            units.append(" ".join(pending) if len(pending) > 1 else sentence)
            pending = []
    if pending:
        # The quotation runs on into the next paragraph (the convention for long quotes): keep the
        # sentences as they are rather than swallow the paragraph.
        units.extend(pending) if len(pending) > 1 else units.append(pending[0])
    return units


def candidates_of(document: Document, count: int) -> list[int]:
    """The sentences that may stand in a summary, in article order: no boilerplate, and no sentence
    that carries on someone else's quotation while enough whole sentences remain for `count`."""
    candidates = [index for index, sentence in enumerate(document.sentences) if not is_boilerplate(sentence)]
    whole = [index for index in candidates
             if index not in document.continued and not continues_quotation(document.sentences[index])]
    return whole if len(whole) >= min(count, len(candidates)) else candidates
