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

from collections import Counter
from dataclasses import dataclass, replace

from summarizer.attribution import attribute_speakers, looks_like_attribution
from summarizer.quote_marks import ALL_MARKS, SENTENCE_END, SPACE, WORD_RE, scan_quote_spans

__all__ = ["MIN_KEY_QUOTE_WORDS", "PART_JOINER", "Quote", "QuoteInputError", "find_quotes", "key_quotes"]

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
    `text` is its parts, each verbatim with whitespace normalised, joined by PART_JOINER (" … "),
    and `start`/`end` span from its first part to its last.
    """

    text: str
    speaker: str | None
    start: int
    end: int
    score: float = 0.0
    parts: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, str | None]:
        return {"text": self.text, "speaker": self.speaker}


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


# The parts of one quotation interrupted by its attribution ("We are ready," he said, "and the
# rocket is too.") are shown verbatim with an ellipsis between them: glued with a comma they would
# read as one sentence the speaker never said that way.
PART_JOINER = " … "


def _plain(text: str) -> str:
    """Whitespace normalised: hard line breaks and runs of spaces become one space."""
    return " ".join(text.split())


def _join_parts(text: str, group: list[Quote]) -> Quote:
    if len(group) == 1:
        only = group[0]
        return Quote(_plain(only.text), only.speaker, only.start, only.end, only.score, ((only.start, only.end),))
    return Quote(
        PART_JOINER.join(_plain(part.text) for part in group),
        group[0].speaker,
        group[0].start,
        group[-1].end,
        parts=tuple((part.start, part.end) for part in group),
    )


_INTERRUPTION_MAX = 120


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the quote whose content starts at `start` opens a sentence (not a partial quote)."""
    i = start - 1
    while i >= 0 and (text[i] in SPACE or text[i] in ALL_MARKS):
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in SENTENCE_END


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
    core = gap.strip(SPACE + ALL_MARKS + ",")
    if not core:
        return "\n" not in gap or _runs_on(text, previous, current)
    if "\n" in core or not _opens_sentence(text, previous.start):
        return False
    return len(WORD_RE.findall(core)) <= 10 and looks_like_attribution(core)


def _runs_on(text: str, previous: Quote, current: Quote) -> bool:
    # A run-on paragraph has no closing mark: only whitespace between its end and the break.
    tail = text[previous.end : current.start]
    line_end = tail.find("\n")
    return line_end >= 0 and tail[:line_end].strip(SPACE) == "" and text[current.start - 1] in ALL_MARKS


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
    candidates = [q for q in _utterances(text, ordered) if len(WORD_RE.findall(q.text)) >= MIN_KEY_QUOTE_WORDS]
    if not candidates:
        return []
    article_words = Counter(
        w for w in (m.group().lower() for m in WORD_RE.finditer(text, 0, min(len(text), 200_000)))
        if w not in _STOPWORDS and len(w) > 2
    )
    top_terms = {w for w, _ in article_words.most_common(25)}
    length = max(len(text), 1)
    scored: list[Quote] = []
    for quote in candidates:
        words = [w.lower() for w in WORD_RE.findall(quote.text)]
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
        normalized = " ".join(WORD_RE.findall(quote.text.lower()))
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
