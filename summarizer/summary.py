"""`summarize`: text or HTML in, title + extractive summary + key quotes + statistics out.

Pure and synchronous (no I/O): callers in async code run it with `asyncio.to_thread`.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from summarizer.algorithms import ALGORITHMS, get_algorithm
from summarizer.algorithms.document import Document, is_boilerplate, join_split_quotations
from summarizer.errors import NavigationOnlyError, NotAnArticleError, NoTextError, UnknownAlgorithmError
from summarizer.html import MAX_HTML_CHARS, html_to_article
from summarizer.textio import data_kind, decode_text, looks_binary, looks_like_html, readable_ratio
from summarizer.tokenizer import Tokenizer, detect_language

__all__ = [
    "MAX_SENTENCES",
    "MAX_TEXT_CHARS",
    "NoTextError",
    "Summary",
    "SummaryStats",
    "UnknownAlgorithmError",
    "prepare_document",
    "summarize",
]

# What is read of a long input. A long feature article is ~60k characters; beyond that the lead and
# body are long over, and the cost of graph algorithms grows with the square of the sentence count.
# Stats count only what was read, so `reduction_pct` stays honest for a truncated input.
MAX_TEXT_CHARS = 100_000
MAX_SENTENCES = 400
MAX_TITLE_CHARS = 300
# Below this share of ordinary characters, the input is binary junk decoded as text.
_MIN_READABLE = 0.85

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ODD_SPACE_CHARS = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_HEADING_MARKS = re.compile(r"^\s*#{1,6}\s+")
_LETTER = re.compile(r"[^\W\d_]")
_WHITESPACE = re.compile(r"\s+")
_LANGUAGE_NAME = re.compile(r"[a-z]{2,20}")
# ISO 639-1 codes of the languages with stemmers and stop words, for callers that pass "en", "fr"...
_LANGUAGE_CODES = {
    "en": "english", "ru": "russian", "fr": "french", "de": "german", "es": "spanish", "it": "italian",
    "pt": "portuguese", "uk": "ukrainian", "nl": "dutch", "sv": "swedish", "cs": "czech", "pl": "polish",
}


@dataclass(frozen=True, slots=True)
class SummaryStats:
    sentences_in: int
    words_in: int
    words_out: int
    reduction_pct: float
    algorithm: str
    elapsed_ms: float
    truncated: bool = False  # the input was longer than what was read (not part of the JSON contract)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences_in": self.sentences_in,
            "words_in": self.words_in,
            "words_out": self.words_out,
            "reduction_pct": self.reduction_pct,
            "algorithm": self.algorithm,
            "elapsed_ms": self.elapsed_ms,
        }


@dataclass(frozen=True, slots=True)
class Summary:
    title: str | None
    summary: list[str]
    quotes: list[Any]  # summarizer.quotes.Quote
    stats: SummaryStats
    language: str = "english"
    image_url: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Exactly the DESIGN.md `summarize --json` object."""
        return {
            "title": self.title,
            "summary": list(self.summary),
            "quotes": [{"text": quote.text, "speaker": quote.speaker} for quote in self.quotes],
            "stats": self.stats.to_dict(),
        }


def summarize(
    text_or_html: str | bytes,
    *,
    sentences: int = 3,
    algorithm: str | None = None,
    language: str | None = None,
    max_quotes: int = 2,
) -> Summary:
    """Summarize an article given as plain text or HTML (detected).

    Raises NoTextError (a ValueError with a one-line message) when there is no article text and
    UnknownAlgorithmError (a ValueError) for an algorithm name not in ALGORITHM_NAMES.
    """
    started = time.perf_counter()
    if isinstance(sentences, bool) or not isinstance(sentences, int) or sentences < 1:
        raise ValueError(f"sentences must be a whole number of at least 1, not {sentences!r}")
    if isinstance(max_quotes, bool) or not isinstance(max_quotes, int) or max_quotes < 0:
        raise ValueError(f"max_quotes must be a whole number of at least 0, not {max_quotes!r}")
    name, select = get_algorithm(algorithm)  # a bad name fails before any work
    text = _as_text(text_or_html)
    kind = data_kind(text)
    if kind is not None:  # a feed's entries or a JSON document summarized as one article would be nonsense
        raise NotAnArticleError(kind, is_feed=kind.startswith("a news feed"))

    title: str | None = None
    image_url: str | None = None
    html_cut = False
    if looks_like_html(text):
        html_cut = len(text) > MAX_HTML_CHARS
        article = html_to_article(text)
        if article is None:
            raise NavigationOnlyError("no article text in the HTML: nothing but menus, links or scripts")
        title, body, image_url = article.title, article.text, article.image_url
    else:
        body = text
    body, truncated = _clean_and_cap(body)
    truncated = truncated or html_cut
    if title is None:
        title, body = _split_title_line(body)
    if not _LETTER.search(body):
        raise NoTextError("no text to summarize")

    lang = _language_name(language) if language is not None and language.strip() else detect_language(body)
    if title is not None:
        title = _WHITESPACE.sub(" ", title).strip()[:MAX_TITLE_CHARS] or None
    document, read_all = prepare_document(body, title=title, language=lang)
    truncated = truncated or not read_all
    if not document.sentences:
        raise NoTextError("no article text to summarize (only captions, credits or links)")

    budget = min(sentences, len(document.sentences))
    chosen = select(document, budget)
    if not chosen:
        # Some sumy methods choose nothing when no sentence has a content word ("It is. It was.");
        # a reader still gets the opening sentences, and stats say which method produced them.
        name, chosen = "lead3", ALGORITHMS["lead3"](document, budget)
    summary = [document.sentences[index] for index in chosen]
    quotes = _key_quotes(body, max_quotes)

    words_in = sum(len(words) for words in document.words)
    words_out = sum(len(document.words[index]) for index in chosen)
    reduction = round(100.0 * (1.0 - words_out / words_in), 1) if words_in else 0.0
    stats = SummaryStats(
        sentences_in=len(document.sentences),
        words_in=words_in,
        words_out=words_out,
        reduction_pct=reduction,
        algorithm=name,
        elapsed_ms=round((time.perf_counter() - started) * 1000.0, 3),
        truncated=truncated,
    )
    return Summary(title=title, summary=summary, quotes=quotes, stats=stats, language=lang,
                   image_url=image_url)


def prepare_document(body: str, *, title: str | None, language: str) -> tuple[Document, bool]:
    """Split `body` into the Document every algorithm ranks: boilerplate and repeated sentences
    dropped, at most MAX_SENTENCES kept. Returns the document and whether all of `body` was used."""
    tokenizer = Tokenizer(language)
    sentences: list[str] = []
    paragraphs: list[int] = []
    seen: set[str] = set()
    read_all = True
    for number, paragraph in enumerate(tokenizer.paragraph_sentences(body)):
        for sentence in join_split_quotations(paragraph):
            if len(sentences) >= MAX_SENTENCES:
                read_all = False
                break
            key = sentence.casefold()
            if key in seen or is_boilerplate(sentence) or not _LETTER.search(sentence):
                continue
            seen.add(key)
            sentences.append(sentence)
            paragraphs.append(number)
        if not read_all:
            break
    document = Document(
        sentences=tuple(sentences), paragraphs=tuple(paragraphs), title=title, language=language,
        tokenizer=tokenizer,
    )
    return document, read_all


def _language_name(language: str) -> str:
    """A sumy language name from a name or an ISO code ("English", "de"); ValueError otherwise."""
    name = language.strip().lower()
    name = _LANGUAGE_CODES.get(name, name)
    if not _LANGUAGE_NAME.fullmatch(name):
        raise ValueError(f"unknown language {language[:40]!r}: give a name such as 'english' or a code such as 'en'")
    return name


def _as_text(value: str | bytes) -> str:
    if isinstance(value, bytes | bytearray):
        data = bytes(value)
        if looks_binary(data):
            raise NoTextError("input looks like binary data, not text")
        return decode_text(data)
    if not isinstance(value, str):
        raise TypeError(f"summarize() takes text or bytes, not {type(value).__name__}")
    return value


def _clean_and_cap(text: str) -> tuple[str, bool]:
    """Normalised text (no control or invisible characters, plain spaces), cut at a paragraph or
    sentence end near MAX_TEXT_CHARS. Raises NoTextError for empty input and binary junk."""
    truncated = len(text) > MAX_TEXT_CHARS
    if truncated:
        head = text[:MAX_TEXT_CHARS]
        cut = max(head.rfind("\n"), head.rfind(". "))
        text = head[: cut + 1] if cut > MAX_TEXT_CHARS // 2 else head
    if not text.strip():
        raise NoTextError("no text to summarize: the input is empty")
    if readable_ratio(text) < _MIN_READABLE:
        raise NoTextError("input looks like binary data, not text")
    # Each rewrite only when needed: a clean article (the usual case) is scanned, not copied.
    # ASCII text is already NFC and holds no invisible or exotic space characters.
    ascii_only = text.isascii()
    if not ascii_only and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL_CHARS.search(text):
        text = _CONTROL_CHARS.sub(" ", text)
    if not ascii_only and _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    if "  " in text or "\t" in text or (not ascii_only and _ODD_SPACE_CHARS.search(text)):
        text = _SPACES.sub(" ", text)
    if not text.strip():
        raise NoTextError("no text to summarize: the input is empty")
    return text, truncated


def _split_title_line(body: str) -> tuple[str | None, str]:
    """A first line that reads as a headline (short, no final punctuation, prose after it) becomes
    the title; otherwise there is no title and the body is unchanged."""
    stripped = body.lstrip()
    line, newline, rest = stripped.partition("\n")
    line = _HEADING_MARKS.sub("", line).strip()
    if not newline or not rest.strip() or not line:
        return None, body
    if len(line) > 150 or len(line.split()) > 20 or line[-1] in ".!?…,;:" or not _LETTER.search(line):
        return None, body
    if not _LETTER.search(rest):
        return None, body
    return line, rest


def _key_quotes(body: str, limit: int) -> list[Any]:
    if limit <= 0:
        return []
    from summarizer.quotes import find_quotes, key_quotes

    return list(key_quotes(body, find_quotes(body), limit))
