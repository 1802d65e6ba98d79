"""The people an article names: mentions, full names, genders, titles and roles, found in one pass."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from summarizer.attribution.words import (
    _ABBREVIATION_BEFORE_RE,
    _APPOSITION_RE,
    _CLAUSE_END_RE,
    _CLAUSE_SPLIT_RE,
    _CLAUSE_WORDS,
    _COORDINATION_BEFORE_RE,
    _DESCRIPTION_THEN_NAME_RE,
    _DESCRIPTOR_STOPWORDS,
    _DETERMINER_BEFORE_RE,
    _DETERMINER_WORDS,
    _FEMALE_PRONOUN_RE,
    _FEMALE_TITLES,
    _GENERIC_ORG_NOUNS,
    _GROUP_SUFFIXES,
    _INNER_CAPITALISED_RE,
    _INVERTED_VERB_BEFORE_RE,
    _LOWER_WORD_RE,
    _MALE_PRONOUN_RE,
    _MALE_TITLES,
    _NAME_RUN_RE,
    _NAME_THEN_DESCRIPTION_RE,
    _NEXT_WORD_RE,
    _NOT_NAME_WORDS,
    _NOT_VERBS,
    _ORG_WORDS,
    _PLURAL_VERBS,
    _POSSESSIVE_RE,
    _PRONOUN_REACH,
    _PRONOUNS,
    _ROLE_BEFORE_NAME_RE,
    _ROLE_NOUNS,
    _ROLE_SYNONYMS,
    _ROLE_TITLE_WORDS,
    _SENTENCE_BOUNDARY_RE,
    _SENTENCE_OPENERS,
    _SPEECH_VERB_RE,
    _U,
    _ends_with_attribution,
    _looks_like_verb,
)


@dataclass
class _Person:
    name: str
    tokens: tuple[str, ...]
    first_at: int  # where the article first names them
    gender: str | None = None
    descriptors: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    name_tokens: tuple[str, ...]
    prefix_tokens: tuple[str, ...]
    gender: str | None


def _simplify(token: str) -> str:
    token = token.rstrip(".")
    for suffix in ("'s", "’s"):
        if token.endswith(suffix):
            token = token[: -len(suffix)]
    return token


@functools.lru_cache(maxsize=1 << 16)  # names repeat: split each spelling once
def _split_mention(raw: str) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """(name tokens, title/role tokens before the name, gender implied by a title)."""
    tokens = [t for t in re.split(r"[ \u00a0]+", raw) if t]
    # "in the U.S. He says": a new sentence starts inside the run; the name is after it.
    for index in range(len(tokens) - 1, 0, -1):
        if tokens[index] in _NOT_NAME_WORDS and tokens[index - 1].endswith("."):
            tokens = tokens[index:]
            break
    first = 0
    while first < len(tokens) and (tokens[first] in _NOT_NAME_WORDS or _simplify(tokens[first]) in _NOT_NAME_WORDS):
        first += 1
    tokens = tokens[first:]
    last_role = -1
    for index, token in enumerate(tokens):
        if _simplify(token).lower() in _ROLE_TITLE_WORDS:
            last_role = index
        elif index < len(tokens) - 1 and token.endswith(("'s", "’s")):
            last_role = index  # "NBC's Dante Chinni", "NASA's Bill Nelson": the name follows
    prefix = tuple(tokens[: last_role + 1])
    name = [_simplify(t) if i == len(tokens) - 1 else t for i, t in enumerate(tokens[last_role + 1 :])]
    name = [t for t in name if t]
    gender = None
    for token in prefix:
        lowered = _simplify(token).lower()
        if lowered in _MALE_TITLES:
            gender = "m"
        elif lowered in _FEMALE_TITLES:
            gender = "f"
    return tuple(name), prefix, gender


_NOT_KEY_TOKEN_RE = re.compile(rf"{_U}\.(?:{_U}\.)*|Jr\.?|Sr\.?|II|III|IV")


@functools.lru_cache(maxsize=1 << 16)
def _key_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Tokens that identify a person: no initials, no suffixes such as Jr."""
    return tuple(t.lower() for t in tokens if not _NOT_KEY_TOKEN_RE.fullmatch(t))


@functools.lru_cache(maxsize=1 << 16)
def _is_person_like(tokens: tuple[str, ...]) -> bool:
    keys = _key_tokens(tokens)
    if len(keys) < 2 or len(keys) > 5:
        return False
    for token in tokens:
        plain = _simplify(token)
        if not plain or plain.lower() in _ORG_WORDS or plain in _NOT_NAME_WORDS:
            return False
        if len(plain) > 1 and plain.isupper():
            return False
    return True


def _is_org_like(tokens: Sequence[str]) -> bool:
    if len(tokens) == 1:
        token = _simplify(tokens[0])
        return len(token) > 1 and (token.isupper() or any(c.isupper() for c in token[1:]))
    return any(_simplify(t).lower() in _ORG_WORDS for t in tokens)


def _descriptor_words(phrase: str) -> set[str]:
    words: set[str] = set()
    for raw in re.findall(r"[^\W\d_][\w'’\-]*", phrase):
        word = _simplify(raw).lower()
        if not word or word in _DESCRIPTOR_STOPWORDS:
            continue
        words.update(_ROLE_SYNONYMS.get(word, (word,)))
    return words


class _Article:
    """Names and descriptions found in one article, for resolving speakers."""

    def __init__(self, text: str, quoted: Sequence[tuple[int, int]] = ()) -> None:
        self.text = text
        # (start, end) of quoted spans: names inside quotes are not antecedents of "he said".
        self._quoted_starts = [start for start, _ in quoted]
        self._quoted = list(quoted)
        self._speaker_starts: list[int] = []
        self._speakers: list[tuple[int, str | None]] = []
        self._title_gender: dict[str, str] = {}
        self._gender_votes: dict[str, list[int]] = {}
        self.people: list[_Person] = []
        self._by_key: dict[tuple[str, ...], _Person] = {}
        self._by_name: dict[str, _Person] = {}
        # person keys by surname and by any of their name tokens, for single-word mentions
        self._by_last: dict[str, set[tuple[str, ...]]] = {}
        self._by_token: dict[str, set[tuple[str, ...]]] = {}
        self.mentions: list[_Mention] = []
        # people by each word the article uses to describe them ("administrator", "nasa")
        self._described: dict[str, list[_Person]] = {}
        # (position, person name or None when ambiguous) of sentence subjects.
        self.subjects: list[tuple[int, str | None]] = []
        self._collect_mentions()
        self._collect_appositions()
        self._collect_subjects()

    # -- names ---------------------------------------------------------------------------

    def _collect_mentions(self) -> None:
        self._runs: list[tuple[int, int]] = []
        for match in _NAME_RUN_RE.finditer(self.text):
            self._runs.append(match.span())
            raw = match.group()
            if self.text.endswith(" of ", 0, match.start()) and raw.count(" ") >= 2:
                # "Secretary of State Jon Husted": the first word ends the office's name.
                raw = raw.split(" ", 1)[1]
            name, prefix, gender = _split_mention(raw)
            if not name:
                continue
            mention = _Mention(match.start(), match.end(), name, prefix, gender)
            self.mentions.append(mention)
            if _is_person_like(name):
                person = self._register(name, match.start())
                if gender and person.gender is None:
                    person.gender = gender
                self._describe(person, _descriptor_words(" ".join(prefix)))
            elif len(name) == 1 and gender:
                known = self.resolve_single(name[0], match.start())
                if known is not None and known.gender is None:
                    known.gender = gender

    def _register(self, tokens: tuple[str, ...], at: int) -> _Person:
        key = _key_tokens(tokens)
        person = self._by_key.get(key)
        if person is None:
            person = _Person(" ".join(tokens), key, at)
            self._by_key[key] = person
            self._by_name.setdefault(person.name, person)
            self.people.append(person)
            self._by_last.setdefault(key[-1], set()).add(key)
            for token in key:
                self._by_token.setdefault(token, set()).add(key)
        return person

    def resolve_single(self, token: str, at: int) -> _Person | None:
        """The one person whose surname (else whose name) is `token`, or None."""
        lowered = _simplify(token).lower()
        by_last = self._by_last.get(lowered)
        if by_last:
            if len(by_last) == 1:
                return self._by_key[next(iter(by_last))]
            # Two people share the surname ("Ted Cruz", later "Heidi Cruz"): news style names the
            # main one first and goes on with the bare surname; the other keeps a first name.
            named = sorted((self._by_key[key] for key in by_last), key=lambda person: person.first_at)
            if named[0].first_at < at and named[1].first_at > at:
                return named[0]
            return None
        anywhere = self._by_token.get(lowered)
        if anywhere and len(anywhere) == 1:
            return self._by_key[next(iter(anywhere))]
        return None

    def canonical_name(self, tokens: tuple[str, ...], at: int) -> str:
        key = _key_tokens(tokens)
        if len(key) >= 2:
            person = self._by_key.get(key)
            if person is not None:
                return person.name
            # "Bill Nelson" written later as "Senator Bill Nelson" or "Clarence W. Nelson".
            return " ".join(tokens)
        if len(key) == 1:
            person = self.resolve_single(tokens[-1], at)
            if person is not None:
                return person.name
        return " ".join(tokens)

    def person_for(self, tokens: tuple[str, ...], at: int) -> _Person | None:
        key = _key_tokens(tokens)
        if len(key) >= 2:
            return self._by_key.get(key)
        if len(key) == 1:
            return self.resolve_single(tokens[-1], at)
        return None

    # -- titles --------------------------------------------------------------------------

    def _collect_appositions(self) -> None:
        text = self.text
        # Each pattern starts at a capitalised run, so try it only there (one pass over the runs).
        for start, end in self._runs:
            after = text[end : end + 2]
            if after[:1] == ",":
                # Bill Nelson, the NASA administrator, ... / Dmitry Rogozin, who heads Roscosmos, ...
                match = _NAME_THEN_DESCRIPTION_RE.match(text, start)
                if match:
                    self._add_description(match.group(1), match.group(2), start)
            elif after[:1] == " " and after[1:2].islower():
                # Roscosmos chief Dmitry Bakanov / SpaceX founder Elon Musk
                match = _ROLE_BEFORE_NAME_RE.match(text, start)
                if match:
                    self._add_description(match.group(2), match.group(1), start)
        # the NASA administrator, Bill Nelson, ...
        for match in _DESCRIPTION_THEN_NAME_RE.finditer(text):
            self._add_description(match.group(2), match.group(1), match.start())

    def _add_description(self, raw_name: str, description: str, at: int) -> None:
        words = _descriptor_words(description)
        lowered = {_simplify(w).lower() for w in description.split()}
        if not (lowered & _ROLE_NOUNS or lowered & {"heads", "leads", "runs", "led"}):
            return
        name, _prefix, _gender = _split_mention(raw_name)
        if not name:
            return
        person = self.person_for(name, at) if not _is_person_like(name) else self._by_key.get(_key_tokens(name))
        if person is not None:
            self._describe(person, words)

    def could_be_name(self, token: str) -> bool:
        """Whether a lone capitalised word that names no known person may still be a name.

        Not a group ("Americans", "Democrats"), an adverb ("Hastily"), or a word the article
        also writes in lower case ("Right now", "Come again").
        """
        plain = _simplify(token)
        if plain.endswith(_GROUP_SUFFIXES):
            return False
        return plain.lower() not in self.lower_words

    def _describe(self, person: _Person, words: set[str]) -> None:
        for word in words - person.descriptors:
            self._described.setdefault(word, []).append(person)
        person.descriptors.update(words)

    def resolve_title(self, phrase: str, at: int) -> str | None:
        """The one named person that `phrase` ("the Roscosmos chief") describes, or None."""
        wanted = _descriptor_words(phrase) - _GENERIC_ORG_NOUNS
        if not wanted:
            return None
        # Only people described by one of the words can fit: look them up, not every person.
        rarest = min(wanted, key=lambda word: len(self._described.get(word, ())))
        fits = [p for p in self._described.get(rarest, ()) if wanted <= p.descriptors]
        if len(fits) == 1:
            return fits[0].name
        return None

    # -- pronouns ------------------------------------------------------------------------

    def _collect_subjects(self) -> None:
        """Names that begin a sentence and are followed by a verb: antecedents of "he said".

        "Pence said Trump will ..." makes Pence the antecedent, not Trump (an embedded clause).
        Each such sentence also votes on the person's gender by the pronouns that follow.
        """
        text = self.text
        for index, mention in enumerate(self.mentions):
            tokens = mention.name_tokens
            if _is_org_like(tokens) and not mention.gender:
                continue
            if self._is_quoted(mention.start):
                continue
            if _POSSESSIVE_RE.match(text, mention.end) or text[mention.start : mention.end].endswith(("'s", "’s")):
                continue
            if _DETERMINER_BEFORE_RE.search(text, max(0, mention.start - 12), mention.start):
                continue
            person = self.person_for(tokens, mention.start)
            if person is None:
                if not (len(_key_tokens(tokens)) == 1 or _is_person_like(tokens)):
                    continue
                if len(tokens) == 1 and not self.could_be_name(tokens[0]):
                    continue
            name = person.name if person is not None else " ".join(tokens)
            if _INVERTED_VERB_BEFORE_RE.search(text, max(0, mention.start - 20), mention.start):
                # '... said Cynthia Pellegrini, a director at ...' names who goes on talking.
                self.subjects.append((mention.start, name))
                continue
            after = text[mention.end : mention.end + 120]
            apposition = _APPOSITION_RE.match(after)
            if apposition:
                after = after[apposition.end() :]
            verb = _NEXT_WORD_RE.match(after)
            if verb is None or verb.group(1) in _NOT_VERBS or verb.group(1) in _PLURAL_VERBS:
                continue
            before = text[max(0, mention.start - 40) : mention.start]
            # "Musk and Rogozin met ...": a later "he" could be either of them.
            coordinated = _COORDINATION_BEFORE_RE.search(before) is not None and index > 0
            if coordinated and self.mentions[index - 1].end >= mention.start - 12:
                self.subjects.append((mention.start, None))
                continue
            if not _looks_like_verb(verb.group(1)):
                continue
            if not _starts_sentence(text, mention.start) and not _ends_with_attribution(after, verb):
                continue
            if mention.gender:
                self._title_gender.setdefault(name, mention.gender)
            self._vote_gender(name, text[mention.end : mention.end + 160])
            self.subjects.append((mention.start, name))
        self._subject_starts = [s[0] for s in self.subjects]

    def _vote_gender(self, name: str, rest: str) -> None:
        clause = _CLAUSE_SPLIT_RE.split(rest, maxsplit=1)[0]
        male = bool(_MALE_PRONOUN_RE.search(clause))
        female = bool(_FEMALE_PRONOUN_RE.search(clause))
        if male != female:
            votes = self._gender_votes.setdefault(name, [0, 0])
            votes[0 if male else 1] += 1

    def gender_of(self, name: str) -> str | None:
        person = self._by_name.get(name)
        if person is not None and person.gender:
            return person.gender
        if name in self._title_gender:
            return self._title_gender[name]
        male, female = self._gender_votes.get(name, (0, 0))
        if male >= 2 * female + 1 and male > female:
            return "m"
        if female >= 2 * male + 1 and female > male:
            return "f"
        return None

    def _is_quoted(self, at: int) -> bool:
        index = bisect.bisect_right(self._quoted_starts, at) - 1
        return index >= 0 and self._quoted[index][0] <= at < self._quoted[index][1]

    def add_subject(self, at: int, name: str) -> None:
        """Record a speaker found by attribution as a pronoun antecedent from `at` on."""
        # Quotes are attributed in article order, so this list grows at its end.
        index = bisect.bisect_left(self._speaker_starts, at)
        self._speaker_starts.insert(index, at)
        self._speakers.insert(index, (at, name))

    def _recent_subjects(self, at: int, count: int) -> list[tuple[int, str | None]]:
        """Up to `count` antecedent candidates before `at`, nearest first."""
        found: list[tuple[int, str | None]] = []
        index = bisect.bisect_left(self._subject_starts, at)
        found.extend(self.subjects[max(0, index - count) : index])
        index = bisect.bisect_left(self._speaker_starts, at)
        found.extend(self._speakers[max(0, index - count) : index])
        found.sort(key=lambda candidate: candidate[0], reverse=True)
        return found[:count]

    def resolve_pronoun(self, pronoun: str, at: int) -> str | None:
        """The person "he"/"she" at `at` refers to: the latest sentence subject that fits.

        A subject of the other gender is passed over only for an earlier one known to fit;
        an ambiguous subject ("Musk and Rogozin") or an unknown one beyond it gives None.
        """
        gender = _PRONOUNS.get(pronoun)
        if gender is None:
            return None
        for rank, (position, name) in enumerate(self._recent_subjects(at, 4)):
            if name is None or at - position > _PRONOUN_REACH:
                return None
            known = self.gender_of(name)
            if known == gender or (known is None and rank == 0):
                return name if self._is_name(name) else None
            if known is None:
                return None
        return None

    def _is_name(self, subject: str) -> bool:
        """A one-word sentence subject is a name only if the article also writes it inside a sentence
        (after a first name, a title, "said" or a comma) and not after "the": "Bombs may not be
        falling" or "Pacific islands are sinking" give no speaker to the "he said" that follows."""
        return " " in subject or subject.isupper() or subject in self._inner_capitalised

    @functools.cached_property
    def _inner_capitalised(self) -> frozenset[str]:
        """Capitalised words the article writes inside a sentence, not after a determiner (one pass)."""
        return frozenset(
            match.group(2)
            for match in _INNER_CAPITALISED_RE.finditer(self.text)
            if match.group(1) is None or match.group(1).lower() not in _DETERMINER_WORDS
        )

    @functools.cached_property
    def lower_words(self) -> frozenset[str]:
        """Every word the article writes in lower case (one pass)."""
        return frozenset(_LOWER_WORD_RE.findall(self.text))




def _starts_sentence(text: str, at: int) -> bool:
    """Whether a name at `at` is the subject of its sentence, not of a clause inside it."""
    window_start = max(0, at - 150)
    prefix = text[window_start:at]
    last = 0
    for match in _SENTENCE_BOUNDARY_RE.finditer(prefix):
        if not _ABBREVIATION_BEFORE_RE.search(prefix, max(0, match.start() - 6), match.start() + 1):
            last = match.end()
    newline = prefix.rfind("\n")
    if newline >= 0:
        last = max(last, newline + 1)
    elif window_start > 0 and last == 0:
        return False
    lead = prefix[last:].strip(" \t\u00a0")
    if not lead or lead in _SENTENCE_OPENERS:
        return True
    if lead[-1] in "”\"»’" or lead.endswith((",”", ",\"")):
        return True  # '"...," Nelson said' — the speaker of the quote before
    if lead.endswith(",") and len(lead.split()) <= 15:
        # "On Sunday, Nelson said" — an introductory phrase, unless it reports ("Pence said that,")
        return not _SPEECH_VERB_RE.search(lead) and " that " not in f" {lead} "
    words = lead.split()
    if (
        len(words) <= 6
        and lead[0].isupper()
        and "," not in lead
        and words[-1].lower() not in _NOT_VERBS  # "a former aide to Sen. Ted Cruz": an object
        and not any(w.lower() in _CLAUSE_WORDS for w in words)
    ):
        # "Democratic presidential front-runner Hillary Clinton stretched ...": a description.
        return not _SPEECH_VERB_RE.search(lead) and not _CLAUSE_END_RE.search(lead)
    return False
