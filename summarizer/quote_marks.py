"""Quote marks: where each quotation opens and closes, before anyone asks who said it.

`scan_quote_spans(text)` makes one pass over the quote marks of every script and returns the quoted
spans in order (`QuoteSpan`): straight and typographic marks mixed, apostrophes told apart from
single quotes, unbalanced marks dropped at the end of their paragraph, and a quotation that runs on
into a paragraph opening with the same mark (the convention for long quotes) marked as continuing.
Both `summarizer.quotes` and `summarizer.attribution` build on it; it imports neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ALL_MARKS", "SENTENCE_END", "SPACE", "WORD_RE", "QuoteSpan", "scan_quote_spans"]


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
ALL_MARKS = "\"“”„‟«»「」『』‘’‚'‹›"
_MARK_OR_NEWLINE_RE = re.compile("[" + re.escape(ALL_MARKS) + "]|\n")
SPACE = " \t\r\n\u00a0\u2009\u202f\u2002\u2003\u3000"
# Characters after which a quote may open / before which one may close.
_OPEN_AFTER = SPACE + "([{<—–-/:;,…" + ALL_MARKS
_CLOSE_BEFORE = SPACE + ".,;:!?)]}>—–-/…" + ALL_MARKS
SENTENCE_END = ".!?…:"
WORD_RE = re.compile(r"\w+(?:['’\-]\w+)*")
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
    while j < n and text[j] in SPACE:
        if text[j] == "\n":
            blank = True
        j += 1
    if blank or j >= n:
        return True, j
    k = newline_at - 1
    while k >= 0 and text[k] in " \t\r\u00a0":
        k -= 1
    ends_sentence = k < 0 or text[k] in SENTENCE_END or text[k] in ALL_MARKS
    return ends_sentence or text[j] in ALL_MARKS, j


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
    return len(WORD_RE.findall(text, start, min(end, start + 200))) >= 2
