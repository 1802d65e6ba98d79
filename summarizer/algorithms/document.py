"""The prepared article every algorithm ranks: sentences in order, their paragraphs, title, language."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import filterfalse

from summarizer.tokenizer import Tokenizer, stop_words_for

__all__ = ["Document", "continues_quotation", "cosine", "is_boilerplate", "join_split_quotations", "make_stemmer", "open_quotation", "stem_vocabulary"]


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


class StemVocabulary:
    """Per-language memo shared by all summaries: each word's stem id and whether it is a content
    word (not a stop word, longer than one character). Words with the same stem share an id.

    Only ever grows (thread-safe under the GIL: an entry is complete before its word appears);
    `stem_vocabulary` swaps in a fresh one when it gets too big."""

    def __init__(self, language: str) -> None:
        self._stem = make_stemmer(language)
        self._stop_words = stop_words_for(language)
        self._stem_ids: dict[str, int] = {}
        self.content: dict[str, bool] = {}
        self.stem_id: dict[str, int] = {}
        # stem id * 2 + 1 for a content word: both facts from one lookup.
        self.code: dict[str, int] = {}  # written last: a word present here is fully known

    def __len__(self) -> int:
        return len(self.code)

    def learn(self, words: Iterable[str]) -> None:
        # Filtering in C first: after warm-up nearly every word is known and no set is built.
        for word in set(filterfalse(self.code.__contains__, words)):
            stem_id = self._stem_ids.setdefault(self._stem(word), len(self._stem_ids))
            is_content = len(word) > 1 and word.lower() not in self._stop_words
            self.content[word] = is_content
            self.stem_id[word] = stem_id
            self.code[word] = stem_id * 2 + is_content


_VOCABULARIES: dict[str, StemVocabulary] = {}


def stem_vocabulary(language: str) -> StemVocabulary:
    vocabulary = _VOCABULARIES.get(language)
    if vocabulary is None or len(vocabulary) >= _STEM_CACHE_LIMIT:
        vocabulary = _VOCABULARIES[language] = StemVocabulary(language)
    return vocabulary


@dataclass(frozen=True)
class Document:
    """An article ready to rank. `sentences` are verbatim (whitespace collapsed) and in article order;
    `paragraphs[i]` is the paragraph number of sentence i, so a lead sentence is recognisable."""

    sentences: tuple[str, ...]
    paragraphs: tuple[int, ...]
    title: str | None
    language: str
    tokenizer: Tokenizer

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


# Page furniture that survives extraction: credits, cross-links, calls to action. Matched at the start
# of a sentence (or as the whole sentence), case-insensitively.
_BOILERPLATE = re.compile(
    r"^\W*(?:(?:image|photo|picture|video|header|top|lead|featured|cover)\s+(?:credit|courtesy|caption)s?\b"
    r"|credits?\s*:|(?:image|photo|picture|video|watch|listen|audio|graphic|source)\s*:"
    r"|related(?:\s+(?:articles?|stories|content|links?|coverage|posts?|reading))?\s*:"
    r"|(?:read|see|find out|learn)\s+(?:more|also)\b|more\s*:|see also\b|also\s+read\b"
    r"|follow\s+(?:us|@)|subscribe\b|sign\s+up\b|share\s+(?:this|on)\b|click\s+here\b"
    r"|advertisement\b|sponsored\b|copyright\b|©|all rights reserved"
    r"|(?:last\s+)?updated\s*:|published\s*:|posted\s+(?:on|in)\b|editor'?s\s+note\s*:"
    r"|this (?:article|story) (?:was|is) (?:originally|first) published)",
    re.IGNORECASE,
)


def is_boilerplate(sentence: str) -> bool:
    """Captions, credits, "Related:"/"Read more" links and calls to action, not article prose."""
    return bool(_BOILERPLATE.search(sentence))


_DOUBLE_QUOTES = re.compile(r"[\"“”«»„]")
# A quotation spanning more sentences than this is more likely an unmatched mark than a speech.
_MAX_QUOTED_SENTENCES = 5


def open_quotation(sentence: str) -> bool:
    """True when a double quotation opened in `sentence` is still open at its end (or one closes
    that was not opened): an odd number of straight marks, or unequal curly/guillemet pairs."""
    marks = _DOUBLE_QUOTES.findall(sentence)
    opening = sum(1 for mark in marks if mark in "“«„")
    closing = sum(1 for mark in marks if mark in "”»")
    straight = sum(1 for mark in marks if mark == '"')
    return opening != closing or straight % 2 == 1


def continues_quotation(sentence: str) -> bool:
    """True when the sentence's first quotation mark closes a quotation begun before it
    (`It is ready," he said.`): the sentence starts in the middle of someone's words."""
    match = _DOUBLE_QUOTES.search(sentence)
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
    if not any(_DOUBLE_QUOTES.search(sentence) for sentence in sentences):
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
