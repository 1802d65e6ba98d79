"""`attribute_speakers`: for each quoted span, the person the article says spoke it, or None."""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.attribution.clauses import (
    _after_quote,
    _before_quote,
    _paragraph_start,
    _sentence_floor,
    _speaker_from_np,
    _subject_ending_at,
)
from summarizer.attribution.people import _Article, _is_org_like, _split_mention
from summarizer.attribution.words import (
    _ABBREVIATION_BEFORE_RE,
    _DETERMINERS,
    _END_ATTRIBUTION_RE,
    _NAME_RUN,
    _NAME_RUN_RE,
    _PLACES,
    _PRE_ONLY_VERBS,
    _QUOTE_MARK_RE,
    _SENTENCE_END_RE,
    _SPEECH_VERB_RE,
    _WINDOW,
)
from summarizer.quote_marks import QuoteSpan

# '"..." ― Ana Ruiz' or '"..." - Ana Ruiz, teacher' at the end of the quote's line.
_SIGNATURE_RE = re.compile(rf"[ \u00a0]*[―—–-][ \u00a0]*({_NAME_RUN})[ \u00a0]*(?:,[^\n]{{0,80}})?[ \u00a0.]*$")


def attribute_speakers(text: str, spans: Sequence[QuoteSpan]) -> list[str | None]:
    """The speaker of each span (None when the article does not say, or not clearly)."""
    if not spans:
        return []
    article = _Article(text, [(span.start, span.end) for span in spans])
    speakers: list[str | None] = [None] * len(spans)
    decided = [False] * len(spans)
    paragraph_at = 0
    scanned_to = 0
    for index, span in enumerate(spans):
        previous = spans[index - 1] if index > 0 else None
        # Spans come in order, so the newest line break is searched for only since the last one.
        newline = text.rfind("\n", scanned_to, span.open_at)
        if newline >= 0:
            paragraph_at = newline + 1
        scanned_to = max(scanned_to, span.open_at)
        floor = paragraph_at
        if previous is not None and previous.close_at is not None and previous.close_at >= paragraph_at:
            floor = max(floor, previous.close_at + 1)
        next_open = spans[index + 1].open_at if index + 1 < len(spans) else len(text)
        limit = min(next_open, span.close_at + _WINDOW if span.close_at is not None else 0)
        found, speaker = False, None
        if span.close_at is not None:
            newline = text.find("\n", span.close_at, limit)
            if newline >= 0:
                limit = newline
            signature = _SIGNATURE_RE.match(text, span.close_at + 1, limit)
            if signature is not None:
                # '"We will fly again." ― Ana Ruiz': a quote signed with a dash at the end of its line.
                found, speaker = _speaker_from_np(article, signature.group(1), signature.start(1))
            else:
                found, speaker = _after_quote(article, text, span, limit)
        if not found:
            found, speaker = _before_quote(article, text, span, floor)
        if not found and span.close_at is not None and text[span.end - 1 : span.end] not in ".!?":
            # 'Clinton "drew well" in the 2008 primary, said Paul Beck.': the sentence's speaker.
            found, speaker = _sentence_end_attribution(article, text, span.close_at + 1, limit)
        if not found and span.open_at == paragraph_at and paragraph_at >= 2:
            # A paragraph that opens with the quote after 'Nelson said:' at the end of the last one.
            end = paragraph_at - 1
            while end > 0 and text[end - 1] in " \t\r\n\u00a0":
                end -= 1
            if end > 0 and text[end - 1] == ":":
                pseudo_floor = _paragraph_start(text, end - 1)
                found, speaker = _before_quote_at(article, text, end - 1, pseudo_floor)
            elif (
                end > 0
                and (previous is None or previous.open_at < _paragraph_start(text, end - 1))
                and span.close_at is not None
            ):
                # '..., Jones said.' ends a paragraph with no quote; a bare quote paragraph
                # after it is Jones going on.
                previous_paragraph = _paragraph_start(text, end - 1)
                sentence_at = _sentence_floor(text, end - 1, previous_paragraph)
                found, speaker = _sentence_end_attribution(article, text, sentence_at, end, whole=True)
                if found and speaker is not None:
                    line_end = text.find("\n", span.close_at, span.close_at + 300)
                    rest = text[span.close_at + 1 : line_end if line_end >= 0 else span.close_at + 300]
                    if _names_someone_else(article, rest, speaker) or _SPEECH_VERB_RE.search(rest):
                        found, speaker = False, None
                elif found:
                    found = False
        if not found and previous is not None and decided[index - 1]:
            if span.continues:
                found, speaker = True, speakers[index - 1]
            elif speakers[index - 1] is not None and previous.close_at is not None:
                same_paragraph = previous.open_at >= paragraph_at
                gap = text[previous.close_at + 1 : span.open_at]
                if same_paragraph and not _names_someone_else(article, gap, speakers[index - 1]):
                    found, speaker = True, speakers[index - 1]
                elif (
                    not same_paragraph
                    and span.open_at == paragraph_at
                    and _continues_previous_paragraph(article, text, previous, span, speakers[index - 1])
                ):
                    found, speaker = True, speakers[index - 1]
        speakers[index] = speaker
        decided[index] = found
        # A quote interrupted by its attribution: '"We are ready," he said, "and ...' gives the
        # first part the speaker found after it; a run-on paragraph gives its speaker back.
        if found and speaker is not None and index > 0 and span.continues:
            back = index - 1
            while back >= 0 and speakers[back] is None and not decided[back]:
                speakers[back] = speaker
                decided[back] = True
                if not spans[back].continues:
                    break
                back -= 1
    _give_back_over_run_ons(spans, speakers, decided)
    return [speaker if speaker is None or _plausible_person(speaker, article) else None for speaker in speakers]


# Capitalised nouns that end the name of a video, a show or an event, never a person's name.
_EVENT_WORDS = frozenset(
    "Speech Video Videos Clip Show Forum Interview Podcast Rally Hearing Debate Conference Summit "
    "Address Briefing Documentary Livestream".split()
)


def _plausible_person(speaker: str, article: _Article) -> bool:
    """Not a common word that opened a sentence ("Others said": the article also writes "others"),
    nor a place ("In New Hampshire, ...")."""
    words = speaker.split()
    if " ".join(words) in _PLACES or (len(words) > 1 and words[-1] in _EVENT_WORDS):
        return False  # a place, or a video, show or event named after someone ("Obama Speech")
    return " " in speaker or speaker.isupper() or speaker.lower() not in article.lower_words


def _give_back_over_run_ons(
    spans: Sequence[QuoteSpan], speakers: list[str | None], decided: list[bool]
) -> None:
    """Multi-paragraph quotes are attributed once; every paragraph gets that speaker."""
    index = len(spans) - 1
    while index > 0:
        if spans[index].continues:
            chain_end = index
            while index > 0 and spans[index].continues:
                index -= 1
            chain = range(index, chain_end + 1)
            named = [speakers[i] for i in chain if decided[i] and speakers[i] is not None]
            if named and all(n == named[0] for n in named):
                for i in chain:
                    if not decided[i]:
                        speakers[i] = named[0]
                        decided[i] = True
        index -= 1


def _sentence_end_attribution(
    article: _Article, text: str, start: int, limit: int, *, whole: bool = False
) -> tuple[bool, str | None]:
    """The speaker named at the end of the sentence that runs from `start` ('..., said X.').

    With `whole`, text[start:limit] is one sentence already; otherwise the sentence ends at the
    first full stop after `start` and must end before `limit` (no other quote in between).
    """
    if whole:
        end = limit
        while end > start and text[end - 1].isspace():
            end -= 1
    else:
        end = -1
        for stop in _SENTENCE_END_RE.finditer(text, start, limit):
            if not _ABBREVIATION_BEFORE_RE.search(text, max(start, stop.start() - 6), stop.start() + 1):
                end = stop.start() + 1
                break
        if end < 0:
            return False, None
    sentence_at = max(start, end - 400)  # the attribution is at the end; bound the regex's work
    sentence = text[sentence_at:end]
    match = _END_ATTRIBUTION_RE.search(sentence)
    if match is None:
        return False, None
    at = sentence_at + match.start()
    if match.group("verb"):
        if match.group("verb") in _PRE_ONLY_VERBS:
            return False, None
        phrase = match.group("inverted")
    else:
        if match.group("verb2") in _PRE_ONLY_VERBS:
            return False, None
        phrase = match.group("subject")
    found, speaker = _speaker_from_np(article, phrase, at)
    if found and speaker is None and match.group("apposition") and phrase.split()[0] in _DETERMINERS:
        # ", said the NASA administrator, Bill Nelson."
        return _speaker_from_np(article, match.group("apposition").strip(" ,"), at)
    return found, speaker


def _before_quote_at(article: _Article, text: str, colon_at: int, floor: int) -> tuple[bool, str | None]:
    start = _sentence_floor(text, colon_at, floor)
    pre = text[start:colon_at]
    verbs = list(_SPEECH_VERB_RE.finditer(pre))
    if not verbs:
        return False, None
    verb = verbs[-1]
    if re.search(r"[\"“”«»]", pre[verb.end() :]):
        return False, None
    return _subject_ending_at(article, pre[: verb.start()], start)


def _continues_previous_paragraph(
    article: _Article, text: str, previous: QuoteSpan, span: QuoteSpan, speaker: str | None
) -> bool:
    """A paragraph that is a bare quote right after a paragraph ending with S's quote is S's.

    '"...," Nelson said.' then a new paragraph '"The crew is ready."': the news convention for
    a speaker who goes on. Only when nothing but that attribution follows the earlier quote,
    and nothing in the new paragraph names anyone else.
    """
    if previous.close_at is None or span.close_at is None:
        return False  # a run-on paragraph is attributed as a whole
    tail = text[previous.close_at + 1 : span.open_at]
    if len(tail) > 160 or "\n" in tail.rstrip() or _QUOTE_MARK_RE.search(tail):
        return False  # only the attribution of the earlier quote, in its own paragraph
    if _names_someone_else(article, tail, speaker):
        return False
    line_end = text.find("\n", span.close_at, span.close_at + 300)
    rest = text[span.close_at + 1 : line_end if line_end >= 0 else span.close_at + 300]
    return not _names_someone_else(article, rest, speaker) and not _SPEECH_VERB_RE.search(rest)


def _names_someone_else(article: _Article, gap: str, speaker: str | None) -> bool:
    """Whether the text between two quotes names a person other than `speaker`."""
    if re.search(r"(?<![\w'’\-])(?:he|she|He|She|they|They)(?![\w'’\-])", gap) and speaker is None:
        return True
    for match in _NAME_RUN_RE.finditer(gap):
        tokens, _prefix, _gender = _split_mention(match.group())
        if not tokens or _is_org_like(tokens):
            continue
        if article.canonical_name(tokens, 0) != speaker:
            return True
    return False


