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
from summarizer.algorithms.document import Document, join_split_quotations, open_quotation
from summarizer.errors import NavigationOnlyError, NotAnArticleError, NoTextError, UnknownAlgorithmError
from summarizer.html import MAX_HTML_CHARS, html_to_article
from summarizer.hygiene import clean_sentence, drop_above_dateline, is_boilerplate, is_heading
from summarizer.textio import data_kind, decode_text, looks_binary, looks_like_html, readable_ratio
from summarizer.tokenizer import Tokenizer, detect_language

__all__ = [
    "MAX_SENTENCES",
    "MAX_TEXT_CHARS",
    "NoTextError",
    "ReadArticle",
    "Summary",
    "SummaryStats",
    "UnknownAlgorithmError",
    "prepare_document",
    "read_article",
    "summarize",
    "summarize_document",
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
_OPENING_QUOTES = "\"“«„"
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
    truncated: bool = False  # the input was longer than what was read (MAX_TEXT_CHARS, MAX_SENTENCES)
    chars_read: int = 0  # characters of article text read
    sentences_capped: bool = False  # reading stopped at MAX_SENTENCES
    chars_in: int = 0  # characters of the input as given (text, or HTML before extraction)

    def read_description(self) -> str:
        """What was read of a truncated input, for people: "the first 100,000 characters"."""
        if self.sentences_capped:
            return f"the first {MAX_SENTENCES:,} sentences"
        return f"the first {self.chars_read:,} characters"

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences_in": self.sentences_in,
            "words_in": self.words_in,
            "words_out": self.words_out,
            "reduction_pct": self.reduction_pct,
            "algorithm": self.algorithm,
            "elapsed_ms": self.elapsed_ms,
            "truncated": self.truncated,
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
    if isinstance(sentences, bool) or not isinstance(sentences, int) or sentences < 1:
        raise ValueError(f"sentences must be a whole number of at least 1, not {sentences!r}")
    if isinstance(max_quotes, bool) or not isinstance(max_quotes, int) or max_quotes < 0:
        raise ValueError(f"max_quotes must be a whole number of at least 0, not {max_quotes!r}")
    name, select = get_algorithm(algorithm)  # a bad name fails before any work
    # One-off imports happen before the clock starts: elapsed_ms measures the summary.
    _import_for(name, text_or_html, quotes=max_quotes > 0)
    started = time.perf_counter()
    article = read_article(text_or_html, language=language)
    document, body = article.document, article.body
    budget = min(sentences, len(document.sentences))
    chosen = select(document, budget)
    if not chosen:
        # Some sumy methods choose nothing when no sentence has a content word ("It is. It was.");
        # a reader still gets the opening sentences, and stats say which method produced them.
        name, chosen = "lead3", ALGORITHMS["lead3"](document, budget)
    summary = [document.sentences[index] for index in chosen]
    quotes = _key_quotes(body, max_quotes, shown=summary)

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
        truncated=article.truncated,
        chars_read=article.chars_read,
        sentences_capped=article.sentences_capped,
        chars_in=article.chars_in,
    )
    return Summary(title=article.title, summary=summary, quotes=quotes, stats=stats,
                   language=document.language, image_url=article.image_url)


@dataclass(frozen=True, slots=True)
class ReadArticle:
    """An input read and cleaned, ready to rank: what `summarize` works from."""

    title: str | None
    body: str
    document: Document
    image_url: str | None
    truncated: bool  # part of the input was not read (see MAX_TEXT_CHARS, MAX_SENTENCES)
    chars_read: int  # characters of article text read
    sentences_capped: bool  # reading stopped at MAX_SENTENCES
    chars_in: int  # characters of the input as given


def read_article(text_or_html: str | bytes, *, language: str | None = None) -> ReadArticle:
    """Text or HTML to a prepared Document (title found, hygiene applied, long input capped).

    Raises NoTextError when there is no article text."""
    text = _as_text(text_or_html)
    kind = data_kind(text)
    if kind is not None:  # a feed's entries or a JSON document summarized as one article would be nonsense
        raise NotAnArticleError(kind, is_feed=kind.startswith("a news feed"))
    title: str | None = None
    image_url: str | None = None
    html_cut = False
    if looks_like_html(text):
        html_cut = len(text) > MAX_HTML_CHARS
        extracted = html_to_article(text)
        if extracted is None:
            raise NavigationOnlyError("no article text in the HTML: nothing but menus, links or scripts")
        title, body, image_url = extracted.title, extracted.text, extracted.image_url
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
    if not document.sentences:
        raise NoTextError("no article text to summarize (only captions, credits or links)")
    return ReadArticle(title=title, body=body, document=document, image_url=image_url,
                       truncated=truncated or not read_all, chars_read=len(body), sentences_capped=not read_all,
                       chars_in=len(text))


def summarize_document(text_or_html: str | bytes, *, language: str | None = None) -> Document:
    """The Document every algorithm would rank for this input (for benchmarks and training)."""
    return read_article(text_or_html, language=language).document


def prepare_document(body: str, *, title: str | None, language: str) -> tuple[Document, bool]:
    """Split `body` into the Document every algorithm ranks: boilerplate and repeated sentences
    dropped, at most MAX_SENTENCES kept. Returns the document and whether all of `body` was used."""
    tokenizer = Tokenizer(language)
    sentences: list[str] = []
    paragraphs: list[int] = []
    headings: list[tuple[int, str, int]] = []  # kept aside: used only when there is nothing else
    seen: set[str] = set()
    continued: set[int] = set()
    read_all = True
    quotation_open = False
    for number, paragraph in enumerate(tokenizer.paragraph_sentences(body)):
        carries_on = quotation_open and paragraph[0][:1] in _OPENING_QUOTES
        quotation_open = open_quotation(" ".join(paragraph))
        for raw in join_split_quotations(paragraph):
            if len(sentences) >= MAX_SENTENCES:
                read_all = False
                break
            if is_boilerplate(raw):
                continue
            sentence = clean_sentence(raw)
            key = sentence.casefold()
            if key in seen or not _LETTER.search(sentence) or is_boilerplate(sentence):
                continue
            seen.add(key)
            if is_heading(sentence):
                headings.append((len(sentences), sentence, number))
                continue
            if carries_on:
                continued.add(len(sentences))
            sentences.append(sentence)
            paragraphs.append(number)
        if not read_all:
            break
    if not sentences and headings:
        # A text made only of unpunctuated lines (a list of headlines): those lines are its sentences.
        sentences = [sentence for _, sentence, _ in headings]
        paragraphs = [number for _, _, number in headings]
    # Captions and bios a page puts above the story's dateline ("(CNN) -- ...") are not the story.
    skip = drop_above_dateline(sentences)
    sentences, paragraphs = sentences[skip:], paragraphs[skip:]
    continued_after_skip = frozenset(index - skip for index in continued if index >= skip)
    document = Document(
        sentences=tuple(sentences), paragraphs=tuple(paragraphs), title=title, language=language,
        tokenizer=tokenizer, continued=continued_after_skip,
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
    """The title of pasted text: the first line that reads as a headline (short, prose after it),
    skipping captions and credits a page puts above it (those lines are dropped with it). Without
    one there is no title and the body is unchanged."""
    rest = body.lstrip()
    for _ in range(_MAX_LINES_ABOVE_TITLE + 1):
        line, newline, rest = rest.partition("\n")
        line = _HEADING_MARKS.sub("", line).strip()
        rest = rest.lstrip()
        if not newline or not rest or not _LETTER.search(rest):
            return None, body
        if line and _reads_as_headline(line):
            return line, rest
        if line and not (is_boilerplate(line) or clean_sentence(line) != line):
            return None, body  # prose, not a caption: the text has no headline line
    return None, body


# Captions and credits a page may put above its headline.
_MAX_LINES_ABOVE_TITLE = 3


def _reads_as_headline(line: str) -> bool:
    """Short, with letters, and either without final punctuation or written in title case
    ("Europa Clipper Is Ready for Launch.")."""
    words = line.split()
    if len(line) > 150 or len(words) > 20 or not _LETTER.search(line) or is_boilerplate(line):
        return False
    if line[-1] not in ".!?…,;:":
        return True
    return line[-1] in ".!?" and len(words) <= 15 and _title_case(words)


def _title_case(words: list[str]) -> bool:
    long_words = [word for word in words if len(word) > 3 and word[0].isalpha()]
    return len(long_words) >= 2 and all(word[0].isupper() for word in long_words)


def _import_for(algorithm: str, text_or_html: str | bytes, *, quotes: bool) -> None:
    """Import what this call will need (once per process; a no-op afterwards)."""
    if quotes:
        import summarizer.quotes  # noqa: F401
    if algorithm not in ("news", "lead3"):
        import sumy.nlp.stemmers  # noqa: F401  (NLTK: about a second, the first time)
    if isinstance(text_or_html, str) and looks_like_html(text_or_html):
        import trafilatura  # noqa: F401


def _key_quotes(body: str, limit: int, *, shown: list[str]) -> list[Any]:
    """The `limit` key quotes, leaving out any that a summary sentence already shows word for word
    (a reader would see it twice) and taking the next best instead."""
    if limit <= 0:
        return []
    from summarizer.quotes import PART_JOINER, find_quotes, key_quotes

    shown_plain = [" ".join(sentence.split()) for sentence in shown]
    kept: list[Any] = []
    for quote in key_quotes(body, find_quotes(body), limit + len(shown)):
        if any(part in sentence for part in quote.text.split(PART_JOINER) for sentence in shown_plain):
            continue
        kept.append(quote)
        if len(kept) == limit:
            break
    return kept
