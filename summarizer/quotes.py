"""Direct quotations in an article: where they are, who said them, which ones matter.

`find_quotes(text)` returns every quoted span in article order with exact offsets
(`text[q.start:q.end] == q.text`, the content without its quote marks) and the speaker when
the article says who it is (`summarizer.attribution`). `key_quotes(text, quotes, limit)` joins
the parts of one utterance ("We are ready," he said, "and the rocket is too."), drops
fragments and scare quotes, and ranks the rest.

Everything here is pure, synchronous and linear in the size of the text (one regex pass for
the quote marks, one for capitalised names, and small bounded windows around each quote),
so async callers run it with `asyncio.to_thread`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from summarizer.attribution import attribute_speakers, looks_like_attribution

__all__ = ["MIN_KEY_QUOTE_WORDS", "Quote", "QuoteInputError", "find_quotes", "key_quotes"]

# Quotes shorter than this are fragments or scare quotes ("so-called"), not key quotes.
MIN_KEY_QUOTE_WORDS = 6


class QuoteInputError(ValueError):
    """The input is not text; the message is one line."""


@dataclass(frozen=True)
class Quote:
    """One direct quotation.

    From `find_quotes`: `text == article[start:end]` (no quote marks), `parts` empty, `score` 0.
    From `key_quotes`: `score` set, and `parts` lists the (start, end) of each quoted part; a
    quote interrupted by its attribution ("We are ready," he said, "and ...") is joined, so
    `text` is the joined content and `start`/`end` span from its first part to its last.
    """

    text: str
    speaker: str | None
    start: int
    end: int
    score: float = 0.0
    parts: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, str | None]:
        return {"text": self.text, "speaker": self.speaker}


@dataclass(frozen=True)
class QuoteSpan:
    """A quoted span found by the scanner, before attribution.

    `open_at`/`close_at` are the positions of the quote marks (`close_at` is None when a quote
    runs on into the next paragraph, the convention for multi-paragraph quotes);
    `continues` says this span is the next paragraph of the previous one.
    """

    start: int
    end: int
    open_at: int
    close_at: int | None
    continues: bool = False


# Opening mark -> the marks that may close it.
# Scraped text mixes typographic and straight marks ("“We are ready," he said"), so a
# straight mark may close a curly one and the other way round.
_DOUBLE_CLOSERS: dict[str, str] = {
    '"': '"”',
    "“": "”\"",
    "„": "“”\"",
    "‟": "”",
    "«": "»",
    "»": "«",  # German and Danish »so«
    "「": "」",
    "『": "』",
}
_SINGLE_CLOSERS: dict[str, str] = {
    "‘": "’",
    "‚": "‘’",
    "'": "'",
    "‹": "›",
    "›": "‹",
}
_ALL_MARKS = "\"“”„‟«»「」『』‘’‚'‹›"
_MARK_OR_NEWLINE_RE = re.compile("[" + re.escape(_ALL_MARKS) + "]|\n")
_SPACE = " \t\r\n\u00a0\u2009\u202f\u2002\u2003\u3000"
# Characters after which a quote may open / before which one may close.
_OPEN_AFTER = _SPACE + "([{<—–-/:;,…" + _ALL_MARKS
_CLOSE_BEFORE = _SPACE + ".,;:!?)]}>—–-/…" + _ALL_MARKS
_SENTENCE_END = ".!?…:"
_WORD_RE = re.compile(r"\w+(?:['’\-]\w+)*")
_LETTER_OR_DIGIT_RE = re.compile(r"[^\W_]")


def _can_open(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else "\n"
    after = text[i + 1] if i + 1 < len(text) else "\n"
    if not (before in _OPEN_AFTER or before.isspace()):
        return False
    if after.isspace():
        # French « spaced » and a sloppy “ spaced ”, but never a straight mark before a space.
        return after in " \u00a0\u202f\u2009" and text[i] not in "\"'"
    return True


def _can_close(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else "\n"
    after = text[i + 1] if i + 1 < len(text) else "\n"
    return before not in "\n\r" and (after in _CLOSE_BEFORE or not after.isalnum())


def _paragraph_break(text: str, newline_at: int) -> tuple[bool, int]:
    """Whether the newline at `newline_at` ends a paragraph, and where the next line starts.

    A blank line always does; a single newline does when the line ends a sentence, else it is
    hard-wrapped prose and a quote may go on across it.
    """
    j = newline_at + 1
    n = len(text)
    blank = False
    while j < n and text[j] in _SPACE:
        if text[j] == "\n":
            blank = True
        j += 1
    if blank or j >= n:
        return True, j
    k = newline_at - 1
    while k >= 0 and text[k] in " \t\r\u00a0":
        k -= 1
    ends_sentence = k < 0 or text[k] in _SENTENCE_END or text[k] in _ALL_MARKS
    return ends_sentence or text[j] in _ALL_MARKS, j


def scan_quote_spans(text: str) -> list[QuoteSpan]:
    """Every quoted span in `text`, in order: one pass over the quote marks.

    Double quotes of any script win over single ones (a single-quoted span is only looked for
    outside double quotes, and a double quote opening inside a single-quoted span means that
    "single quote" was an apostrophe). Unbalanced marks are dropped at the paragraph's end,
    except a quote that runs on into a paragraph opening with the same mark.
    """
    spans: list[QuoteSpan] = []
    open_at = -1
    open_mark = ""
    closers = ""
    is_single = False
    continues_next = False  # the span opening next continues the previous paragraph's quote
    skip_until = -1

    def emit(close_at: int | None, content_end: int) -> None:
        nonlocal continues_next
        start = open_at + 1
        end = content_end
        while start < end and text[start].isspace():
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
            end -= 1
        if (
            end > start
            and _LETTER_OR_DIGIT_RE.search(text, start, end)
            and (not is_single or _is_single_quote_content(text, start, end))
        ):
            spans.append(QuoteSpan(start, end, open_at, close_at, continues_next))
        continues_next = False

    for match in _MARK_OR_NEWLINE_RE.finditer(text):
        i = match.start()
        if i < skip_until:
            continue
        mark = match.group()
        if mark == "\n":
            is_break, next_line = _paragraph_break(text, i)
            skip_until = next_line
            if not is_break:
                continue
            if open_at >= 0 and next_line < len(text) and text[next_line] == open_mark:
                # A multi-paragraph quote: each paragraph opens with the mark, only the last closes.
                emit(None, i)
                continues_next = True
            else:
                continues_next = False  # an unclosed mark is dropped with its paragraph
            open_at = -1
            continue
        if open_at >= 0:
            if mark in closers and _can_close(text, i):
                emit(i, i)
                open_at = -1
                continue
            if mark == open_mark and _can_open(text, i) and not is_single:
                # The earlier mark was never closed: start over from this one.
                open_at = i
                continues_next = False
                continue
            if is_single and mark in _DOUBLE_CLOSERS and _can_open(text, i):
                open_at, open_mark, closers, is_single = i, mark, _DOUBLE_CLOSERS[mark], False
                continues_next = False
            continue
        if mark in _DOUBLE_CLOSERS and _can_open(text, i):
            open_at, open_mark, closers, is_single = i, mark, _DOUBLE_CLOSERS[mark], False
        elif mark in _SINGLE_CLOSERS and _can_open(text, i) and not text[i + 1 : i + 2].isdigit():
            open_at, open_mark, closers, is_single = i, mark, _SINGLE_CLOSERS[mark], True
    # A quote still open at the end of the text was never closed: dropped like any other.
    return spans


def _is_single_quote_content(text: str, start: int, end: int) -> bool:
    # 'n' in "rock 'n' roll" and other apostrophe pairs are one short token; a single-quoted
    # quotation has at least two words.
    return len(_WORD_RE.findall(text, start, min(end, start + 200))) >= 2


def find_quotes(text: str) -> list[Quote]:
    """Every direct quotation in `text`, in article order, with its speaker or None."""
    if not isinstance(text, str):
        raise QuoteInputError(f"find_quotes needs text (str), not {type(text).__name__}")
    spans = scan_quote_spans(text)
    speakers = attribute_speakers(text, spans)
    return [
        Quote(text[span.start : span.end], speaker, span.start, span.end)
        for span, speaker in zip(spans, speakers, strict=True)
    ]


# --- ranking -------------------------------------------------------------------------------

_STOPWORDS = frozenset(
    """a an the and or but if then so of to in on at by for with from as is are was were be been
    being it its this that these those he she they we you i me him her them us our your their his
    my not no do does did have has had will would can could should may might must just also than
    there here what which who whom whose when where why how all any some more most very about into
    over after before up down out said says say told""".split()
)


def _join_parts(text: str, group: list[Quote]) -> Quote:
    if len(group) == 1:
        only = group[0]
        return Quote(only.text, only.speaker, only.start, only.end, only.score, ((only.start, only.end),))
    pieces: list[str] = []
    for index, part in enumerate(group):
        piece = part.text
        if index + 1 < len(group) and piece and piece[-1] not in ".!?…:;,—–-":
            # The comma before the attribution was stripped from the content; put it back.
            piece += ","
        pieces.append(piece)
    joined = " ".join(pieces)
    return Quote(
        joined,
        group[0].speaker,
        group[0].start,
        group[-1].end,
        parts=tuple((part.start, part.end) for part in group),
    )


_INTERRUPTION_MAX = 120


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the quote whose content starts at `start` opens a sentence (not a partial quote)."""
    i = start - 1
    while i >= 0 and (text[i] in _SPACE or text[i] in _ALL_MARKS):
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def _is_continuation(text: str, previous: Quote, current: Quote) -> bool:
    """`current` goes on with `previous`: one speaker, and only their attribution between.

    '"We are ready," he said, "and the rocket is too."' and a quote running on into the next
    paragraph are one utterance; 'Nelson called it "tight" but said: "..."' is two.
    """
    if previous.speaker is None or previous.speaker != current.speaker:
        return False
    gap = text[previous.end : current.start]
    if len(gap) > _INTERRUPTION_MAX:
        return False
    core = gap.strip(_SPACE + _ALL_MARKS + ",")
    if not core:
        return "\n" not in gap or _runs_on(text, previous, current)
    if "\n" in core or not _opens_sentence(text, previous.start):
        return False
    return len(_WORD_RE.findall(core)) <= 10 and looks_like_attribution(core)


def _runs_on(text: str, previous: Quote, current: Quote) -> bool:
    # A run-on paragraph has no closing mark: only whitespace between its end and the break.
    tail = text[previous.end : current.start]
    line_end = tail.find("\n")
    return line_end >= 0 and tail[:line_end].strip(_SPACE) == "" and text[current.start - 1] in _ALL_MARKS


def _utterances(text: str, quotes: list[Quote]) -> list[Quote]:
    utterances: list[Quote] = []
    group: list[Quote] = []
    for quote in quotes:
        if group and _is_continuation(text, group[-1], quote):
            group.append(quote)
            continue
        if group:
            utterances.append(_join_parts(text, group))
        group = [quote]
    if group:
        utterances.append(_join_parts(text, group))
    return utterances


def key_quotes(text: str, quotes: list[Quote], limit: int) -> list[Quote]:
    """The `limit` most important quotations, best first, each with its `score`.

    Parts of one utterance are joined first; then fragments under `MIN_KEY_QUOTE_WORDS` words
    are dropped. The score favours quotes with a named speaker, complete sentences of a
    readable length, words that the article is about, and an early position; speakers take
    turns so that two voices are heard before one is heard twice.
    """
    if limit <= 0 or not quotes:
        return []
    ordered = sorted(quotes, key=lambda q: (q.start, q.end))
    candidates = [q for q in _utterances(text, ordered) if len(_WORD_RE.findall(q.text)) >= MIN_KEY_QUOTE_WORDS]
    if not candidates:
        return []
    article_words = Counter(
        w for w in (m.group().lower() for m in _WORD_RE.finditer(text, 0, min(len(text), 200_000)))
        if w not in _STOPWORDS and len(w) > 2
    )
    top_terms = {w for w, _ in article_words.most_common(25)}
    length = max(len(text), 1)
    scored: list[Quote] = []
    for quote in candidates:
        words = [w.lower() for w in _WORD_RE.findall(quote.text)]
        count = len(words)
        score = 0.0
        if quote.speaker is not None:
            score += 2.0
        # Readable length: 12-45 words is a quote one can post; very long ones get cut.
        if 12 <= count <= 45:
            score += 1.0
        elif count > 80:
            score -= 1.0
        elif count > 45:
            score -= 0.3
        if quote.text.rstrip()[-1:] in ".!?…" or quote.text[:1].isupper():
            score += 0.5
        content = [w for w in words if w not in _STOPWORDS and len(w) > 2]
        if content:
            score += 2.0 * sum(1 for w in content if w in top_terms) / len(content)
        score += 0.5 * (1.0 - quote.start / length)
        scored.append(replace(quote, score=round(score, 4)))
    scored.sort(key=lambda q: (-q.score, q.start))
    # A quote repeated later in the article (often without its attribution) counts once.
    seen_texts: set[str] = set()
    unique: list[Quote] = []
    for quote in scored:
        normalized = " ".join(_WORD_RE.findall(quote.text.lower()))
        if normalized not in seen_texts:
            seen_texts.add(normalized)
            unique.append(quote)
    scored = unique
    chosen: list[Quote] = []
    voiced: set[str | None] = set()
    for quote in scored:
        if len(chosen) >= limit:
            break
        if quote.speaker not in voiced:
            chosen.append(quote)
            voiced.add(quote.speaker)
    for quote in scored:
        if len(chosen) >= limit:
            break
        if quote not in chosen:
            chosen.append(quote)
    chosen.sort(key=lambda q: (-q.score, q.start))
    return chosen
