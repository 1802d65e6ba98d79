"""Reading the clause around a quotation: who the subject is, what follows the quote, what precedes it."""

from __future__ import annotations

import re

from summarizer.attribution.people import _Article, _is_org_like, _simplify, _split_mention
from summarizer.attribution.words import (
    _ABBREVIATION_BEFORE_RE,
    _ABBREVIATION_RE,
    _ACCORDING_TO_RE,
    _ADVERBIAL_LEAD_RE,
    _AFTER_QUOTE_LEAD_RE,
    _AND_BEFORE_VERB_RE,
    _APPOSITION_OPENER_RE,
    _CLAUSE_END_RE,
    _DETERMINERS,
    _INDEFINITE,
    _LISTENER_VERBS,
    _NAME_AFTER_VERB_RE,
    _NAME_RUN_AT_START_RE,
    _NOT_NAME_WORDS,
    _OTHER_PRONOUNS,
    _PARENTHETICAL_RE,
    _PARTICIPLE_RE,
    _PHRASAL_VERBS,
    _PRE_ONLY_VERBS,
    _PREPOSITION_BEFORE_RE,
    _PROGRESSIVE_AUX_RE,
    _PRONOUNS,
    _QUOTE_MARK_RE,
    _ROLE_NOUNS,
    _ROLE_PREMODIFIER_RE,
    _ROLE_SYNONYMS,
    _SENTENCE_BOUNDARY_RE,
    _SENTENCE_SUBJECT_RE,
    _SPEAKING_NOUNS,
    _SPEECH_VERB_RE,
    _SUBJECT_BEFORE_VERB_RE,
    _TIME_OR_PLACE_WORDS,
    _TITLE_AFTER_VERB_RE,
    _WINDOW,
)
from summarizer.quote_marks import QuoteSpan


def _speaker_from_np(article: _Article, phrase: str, at: int) -> tuple[bool, str | None]:
    """(whether `phrase` names a speaker at all, the speaker or None when it is unresolved)."""
    phrase = phrase.strip(" \u00a0,")
    if not phrase:
        return False, None
    if phrase in _PRONOUNS:
        return True, article.resolve_pronoun(phrase, at)
    if phrase in _OTHER_PRONOUNS:
        return True, None
    words = phrase.split()
    if not words:
        return False, None
    if words[0] in {"the", "The"} and len(words) > 1:
        rest = " ".join(words[1:])
        proper = _NAME_RUN_AT_START_RE.match(rest)
        if proper and proper.end() == len(rest) and not _ends_in_role(phrase):
            # "the European Space Agency said": an organisation, named as written;
            # "the Washington Post's Ishaan Tharoor wrote": the person after the possessive.
            if rest.endswith(("'s", "’s", "s'", "s’")):
                return False, None
            tokens, _prefix, _gender = _split_mention(rest)
            return (True, article.canonical_name(tokens, at)) if tokens else (False, None)
    if words[0] in _DETERMINERS or words[0] in _INDEFINITE:
        # "the Roscosmos chief", "a NASA spokesperson": a title, resolved only when definite.
        last = _simplify(words[-1]).lower()
        if last not in _ROLE_NOUNS and last not in _ROLE_SYNONYMS:
            # "the agency said" is an unnamed speaker; "the Senate goes on" is not a speaker.
            return last in _SPEAKING_NOUNS, None
        if words[0] in _INDEFINITE:
            return True, None
        return True, article.resolve_title(" ".join(words[1:]), at)
    match = _NAME_RUN_AT_START_RE.match(phrase)
    if match is None or match.end() != len(phrase):
        return False, None
    if phrase.endswith(("'s", "’s", "s'", "s’")):
        return False, None  # "Nikki Haley's endorsement was ...": not who speaks
    tokens, _prefix, _gender = _split_mention(phrase)
    if not tokens:
        if _prefix:
            return True, article.resolve_title(phrase, at)
        return False, None
    if all(t in _NOT_NAME_WORDS for t in tokens):
        return False, None
    return True, article.canonical_name(tokens, at)


def _subject_ending_at(article: _Article, window: str, window_at: int) -> tuple[bool, str | None]:
    """The subject of a speech verb that starts right after `window`."""
    match = _SUBJECT_BEFORE_VERB_RE.search(window)
    if match is None:
        return False, None
    at = window_at + match.start()
    apposition = match.group("apposition")
    if match.group("pronoun"):
        return _speaker_from_np(article, match.group("pronoun"), at)
    # "... working with Priorities USA, a super PAC, said": a name after a preposition is not
    # the subject; it sits inside an apposition of the real one.
    inside_apposition = _PREPOSITION_BEFORE_RE.search(window, max(0, match.start() - 12), match.start()) is not None
    if match.group("title"):
        title = match.group("title")
        ends_in_role = _ends_in_role(title)
        if apposition and ends_in_role:
            # "the NASA administrator, Bill Nelson, said"
            inner = apposition.strip(" ,\u00a0")
            found, speaker = _speaker_from_np(article, inner, at)
            if found and speaker is not None:
                return True, speaker
        if not (apposition or match.group("comma")) or ends_in_role:
            return _speaker_from_np(article, title, at)
        inside_apposition = True  # "..., outside the state capital, Sacramento, said"
    name = match.group("name")
    if inside_apposition or (match.group("comma") and not match.group("parenthetical") and not apposition):
        # "Michael Seaman, who lives outside the capital, Sacramento, said": the name before
        # the verb closes an apposition; the speaker is the name that opened it.
        opener = _APPOSITION_OPENER_RE.search(window)
        if opener is None:
            return True, None
        return _speaker_from_np(article, opener.group(1), window_at + opener.start(1))
    # "Speaking on Monday, Nelson": the name run starts after the last clause comma.
    return _speaker_from_np(article, name, at + (len(match.group()) - len(match.group().lstrip())))


def _ends_in_role(phrase: str) -> bool:
    last = _simplify(phrase.split()[-1]).lower()
    return last in _ROLE_NOUNS or last in _ROLE_SYNONYMS


def _np_after(article: _Article, text: str, at: int) -> tuple[bool, str | None]:
    """The speaker named after an inverted verb or "according to": "said Bill Nelson, the ...". """
    title = _TITLE_AFTER_VERB_RE.match(text)
    if title is not None and not _ends_in_role(title.group("np")):
        # "said the NASA administrator on Monday": the title ends at its role noun.
        words = title.group("np").split()
        for cut in range(len(words) - 1, 1, -1):
            if _ends_in_role(" ".join(words[:cut])) and words[cut] in _TIME_OR_PLACE_WORDS:
                return _speaker_from_np(article, " ".join(words[:cut]), at)
    match = title if title is not None and _ends_in_role(title.group("np")) else _NAME_AFTER_VERB_RE.match(text)
    if match is None:
        return False, None
    phrase = match.group("np")
    # "said the NASA administrator, Bill Nelson" names the person in the apposition.
    if phrase.split()[0] in _DETERMINERS and match.group("apposition"):
        inner = match.group("apposition").strip(" ,\u00a0")
        name_match = _NAME_RUN_AT_START_RE.match(inner)
        if name_match and name_match.end() == len(inner):
            found, speaker = _speaker_from_np(article, inner, at)
            if found and speaker is not None:
                return True, speaker
    tail = text[match.end("np") :]
    if tail[:1].isalpha() or (tail[:1] == " " and tail[1:2].isupper()):
        return False, None
    return _speaker_from_np(article, phrase, at)


def _after_quote(article: _Article, text: str, span: QuoteSpan, limit: int) -> tuple[bool, str | None]:
    """Attribution right after the closing mark: '," Nelson said' / '," said Nelson'."""
    if span.close_at is None:
        return False, None
    post_at = span.close_at + 1
    post = text[post_at:limit]
    lead = _AFTER_QUOTE_LEAD_RE.match(post)
    skip = lead.end() if lead else 0
    rest = post[skip:]
    rest_at = post_at + skip
    # The content ends a sentence when its last character (or one trimmed after it) is . or !
    content_ends_sentence = any(ch in ".!" for ch in text[span.end - 1 : span.close_at])
    if "\n" in post[:skip]:
        return False, None
    according = _ACCORDING_TO_RE.match(rest)
    if according:
        return _np_after(article, rest[according.end() - 1 :], rest_at + according.end())
    verb = _SPEECH_VERB_RE.match(rest)
    if verb and verb.group() not in _PRE_ONLY_VERBS:
        return _np_after(article, rest[verb.end() :], rest_at + verb.end())
    # "X said" with X within the first few words after the quote.
    for verb in _SPEECH_VERB_RE.finditer(rest, 0, min(len(rest), 160)):
        if verb.group() in _PRE_ONLY_VERBS:
            continue
        head = rest[: verb.start()]
        if _CLAUSE_END_RE.search(_PARENTHETICAL_RE.sub("", _ABBREVIATION_RE.sub("", head))):
            return False, None
        subject = _SUBJECT_BEFORE_VERB_RE.search(head)
        if subject is None:
            return False, None
        if subject.start() != 0 and not _is_role_premodifier(head[: subject.start()]):
            return False, None  # '"..." regarding his links while Sanders suggests': not the speaker
        found, speaker = _subject_ending_at(article, head, rest_at)
        if not found:
            return False, None
        start_of_subject = rest_at
        if content_ends_sentence and not _ends_soon(rest[verb.end() :]):
            # '"We are ready." Nelson said the next day that ...' reports a new sentence.
            return False, None
        if speaker is not None:
            article.add_subject(start_of_subject, speaker)
        return True, speaker
    return False, None


def _is_role_premodifier(words: str) -> bool:
    """'Sanders campaign manager ' before 'Jeff Weaver said': a description, not a clause."""
    if not _ROLE_PREMODIFIER_RE.fullmatch(words):
        return False
    return any(_simplify(w).lower() in _ROLE_NOUNS for w in words.split())


def _ends_soon(rest: str) -> bool:
    clause = re.split(r"[.!?;]", rest, maxsplit=1)[0]
    return " that " not in f" {clause} " and len(clause.split()) <= 10


def _sentence_floor(text: str, at: int, floor: int) -> int:
    """Where the sentence holding position `at` starts (not before `floor`)."""
    window_start = max(floor, at - _WINDOW)
    last = window_start
    for match in _SENTENCE_BOUNDARY_RE.finditer(text, window_start, at):
        if _ABBREVIATION_BEFORE_RE.search(text, max(window_start, match.start() - 6), match.start() + 1):
            continue  # "Mr. Nelson", "George W. Bush": not a sentence end
        last = match.end()
    return last


def _before_quote(article: _Article, text: str, span: QuoteSpan, floor: int) -> tuple[bool, str | None]:
    """Attribution before the opening mark in the same sentence: 'Nelson said: "'."""
    start = _sentence_floor(text, span.open_at, floor)
    pre = text[start : span.open_at]
    if not pre.strip():
        return False, None
    according = None
    for match in _ACCORDING_TO_RE.finditer(pre):
        according = match
    verbs = list(_SPEECH_VERB_RE.finditer(pre))
    if according is not None and (not verbs or verbs[-1].start() < according.start()):
        found, speaker = _np_after(article, pre[according.end() - 1 :], start + according.end())
        if found:
            return found, speaker
    for verb in reversed(verbs):
        between = pre[verb.end() :]
        if re.search(r"[\"“”«»]", between):
            break
        if verb.group() in _PHRASAL_VERBS:
            subject = _SUBJECT_BEFORE_VERB_RE.search(pre, 0, verb.start())
            if subject is None or subject.group("title"):
                continue  # "He went on: ..." reports; "the Senate goes on recess" does not
        found, speaker = _subject_ending_at(article, pre[: verb.start()], start)
        if not found and _AND_BEFORE_VERB_RE.search(pre, 0, verb.start()):
            # "Reid caucused in Nevada and says he voted "...": the sentence's subject says it.
            found, speaker = _sentence_subject(article, pre, start)
        if found:
            if speaker is not None:
                article.add_subject(start + verb.start() - 1, speaker)
            return True, speaker
        if verb.group() in _LISTENER_VERBS or verb.group() in _PRE_ONLY_VERBS:
            continue  # "Priebus later told Fox News: ..." — Fox News listens
        # "said Nelson:" (inverted, before the quote)
        found, speaker = _np_after(article, pre[verb.end() :], start + verb.end())
        if found and re.fullmatch(r"[^.!?]*[:,]\s*", pre[verb.end() :]):
            return True, speaker
    return _participle_speaker(article, text, pre, start, verbs[-1].end() if verbs else 0)


def _participle_speaker(article: _Article, text: str, pre: str, start: int, after: int) -> tuple[bool, str | None]:
    """'Trump is telling a town hall that ... "' and 'Obama went on, saying "...' and the like."""
    participle = None
    for match in _PARTICIPLE_RE.finditer(pre, after):
        participle = match
    if participle is None or _QUOTE_MARK_RE.search(pre, participle.end()):
        return False, None
    head = pre[: participle.start()]
    progressive = _PROGRESSIVE_AUX_RE.search(head)
    if progressive:
        # "Trump is telling": the subject stands right before the auxiliary.
        return _subject_ending_at(article, head[: progressive.start() + 1], start)
    if not _ADVERBIAL_LEAD_RE.search(head):
        return False, None
    # "Obama punctuated his list by saying": the subject of the sentence says it.
    return _sentence_subject(article, pre, start)


def _sentence_subject(article: _Article, sentence: str, start: int) -> tuple[bool, str | None]:
    subject = _SENTENCE_SUBJECT_RE.match(sentence)
    if subject is None:
        return False, None
    if subject.group("pronoun"):
        pronoun = subject.group("pronoun")
        return True, article.resolve_pronoun(pronoun[0].upper() + pronoun[1:], start + subject.start("pronoun"))
    tokens, _prefix, _gender = _split_mention(subject.group("name"))
    if not tokens or (_is_org_like(tokens) and len(tokens) > 1):
        return False, None
    if len(tokens) == 1 and article.person_for(tokens, start) is None and not article.could_be_name(tokens[0]):
        return False, None
    return True, article.canonical_name(tokens, start)


def looks_like_attribution(clause: str) -> bool:
    """Whether a short clause between two quotes attributes them ("he said", "according to X")."""
    return bool(_SPEECH_VERB_RE.search(clause) or _ACCORDING_TO_RE.search(clause))


def _paragraph_start(text: str, at: int) -> int:
    index = text.rfind("\n", 0, at)
    return index + 1


