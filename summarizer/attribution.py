"""Who said each quotation: attribution patterns, names, pronouns and titles.

Pure heuristics over bounded windows around each quote, plus one pass over the text for
capitalised names. The rule everywhere is caution: a speaker is given only when a pattern
names one; an unresolvable pronoun, an indefinite "a NASA spokesperson" or a title that fits
two people gives None rather than a guess.

Patterns (X is a name, a pronoun or a title such as "the Roscosmos chief"):
  after the quote:  "...," X said / "...," said X, the head of Y / "...," X told reporters /
                    "...," according to X / "...," SpaceX launch director X said
  before the quote: X said: "..." / X told reporters: "..." / According to X, "..." /
                    X said the rocket was "..." / X went on, saying "..." / X is telling ... "..." /
                    X docked and says the station was "..."
  around it:        a partial quote in a sentence that ends ", said X." / a bare quote paragraph
                    after "X said:" or after a paragraph ending ", X said."
  continuations:    a quote interrupted by its attribution, a multi-paragraph quote, the next
                    quote in the same paragraph, and a bare quote paragraph right after X's.
Pronouns ("he said") go back to the latest sentence subject (not a name inside a clause or a
quote), skipping one of the other gender only for an earlier one known to fit; a gender is
learned from titles (Mr., Ms.) and from the pronouns in the person's own sentences.
Names are reported as the article gives them in full: a later "Nelson" or "Mr. Nelson"
becomes the "Bill Nelson" named in the article when exactly one such person is named.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.quotes import QuoteSpan

__all__ = ["attribute_speakers", "looks_like_attribution"]


def _char_class(predicate: Callable[[str], bool]) -> str:
    """A regex character class body of every BMP character for which `predicate(ch)` holds.

    Python's `re` has no \\p{Lu}; this spells "any upper-case letter" out once at import.
    """
    ranges: list[str] = []
    start = -1
    previous = -2
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        if predicate(ch):
            if code != previous + 1:
                if start >= 0:
                    ranges.append(_range(start, previous))
                start = code
            previous = code
    if start >= 0:
        ranges.append(_range(start, previous))
    return "".join(ranges)


def _range(first: int, last: int) -> str:
    if first == last:
        return re.escape(chr(first))
    return f"{re.escape(chr(first))}-{re.escape(chr(last))}"


_UPPER = _char_class(lambda ch: ch.isupper() or ch.istitle())
_U = f"[{_UPPER}]"

_TITLE_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Mx|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Cmdr|Adm|Maj|Prof|Pres|Rev|Hon|Sr|Jr|St"
)
_MALE_TITLES = frozenset({"mr", "sir", "lord", "king", "prince", "father", "brother", "congressman"})
_FEMALE_TITLES = frozenset(
    {"mrs", "ms", "miss", "dame", "lady", "queen", "princess", "sister", "congresswoman"}
)
# One capitalised word (O'Neill, Jean-Luc, SpaceX), an initial, or an abbreviated title.
_NAME_UNIT = (
    rf"(?:(?:{_TITLE_ABBREVIATIONS})\.|{_U}\.(?:{_U}\.)*|{_U}[^\W_]*(?:['’\-][^\W_]+)*)"
)
_CONNECTOR = r"(?:de|da|del|della|der|den|van|von|bin|ibn|al|el|la|le|di|du|dos|das)"
_NAME_RUN = rf"{_NAME_UNIT}(?:[ \u00a0](?:{_CONNECTOR}[ \u00a0])?{_NAME_UNIT}){{0,7}}"  # a name has few words
_NAME_RUN_RE = re.compile(rf"(?<![\w'’\-]){_NAME_RUN}")
_NAME_RUN_AT_END_RE = re.compile(rf"(?<![\w'’\-.])({_NAME_RUN})$")
_NAME_RUN_AT_START_RE = re.compile(rf"^({_NAME_RUN})")

# Capitalised words that start sentences or clauses and are not names.
_NOT_NAME_WORDS = frozenset(
    """The A An But And Or Nor So Yet In On At For From By With Without After Before When While If
    As Since Although Though Because Meanwhile However Still Also Then Now Today Yesterday
    Tomorrow Tonight Last Next This That These Those Its It His Her Their Our My Your He She They
    We I You There Here What Who Whom Whose Why How Where Which Asked Speaking According Said
    Says Earlier Later Under Over During Despite Among Between Of To Not No Yes Even Only Just
    Both Each Every All Some Many Most Several Such One Two Three First Second Former Dear Oh Well
    Like Unlike Instead Indeed Thus Therefore Perhaps Maybe Once Again Asked Told Added Although
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Read Watch Follow Photo Image Credit
    Update Updated Editor Note Related See Click Sign Subscribe Share Source Sources Officials
    Other Another Any Few Much Mission Launch Our Thanks Thank Please Let Get Can Could Will Would
    Should Do Does Did Is Are Was Were Has Have Had Might Must Shall Don't Didn't Isn't It's
    That's There's Here's Everybody Everyone Nobody Someone Somebody Anyone Nothing Something
    Everything Hello Hi People Men Women Hours Days Weeks Months Years Minutes""".split()
)
_ROLE_TITLE_WORDS = frozenset(
    w.lower()
    for w in """President Vice Senator Representative Governor Administrator Deputy Associate
    Director Chief Executive Officer CEO CFO COO CTO Secretary Minister Prime Chancellor Chairman
    Chairwoman Chair Commander Astronaut Cosmonaut Professor General Colonel Captain Admiral
    Lieutenant Sergeant Major Judge Justice Speaker Mayor Spokesman Spokeswoman Spokesperson
    Manager Founder Co-founder Head Leader King Queen Prince Princess Pope Sheriff Attorney
    Ambassador Sister Brother Father Saint Lord Lady Sir Dame Candidate Nominee Engineer Scientist
    Director-General Minority Majority Whip Chairperson Congressman Congresswoman Councilman
    Councilwoman Detective Officer Agent Trooper Coach Anchor Host Correspondent Editor Author
    Dr Mr Mrs Ms Mx Miss Sen Rep Gov Gen Lt Col Sgt Capt Cmdr Adm Maj Prof Pres Rev Hon
    Former Acting Interim Senior Junior Lead Principal Flight Mission Project Program Station
    Democratic Republican Democrat GOP Independent U.S. US UK EU""".split()
)
_ORG_WORDS = frozenset(
    w.lower()
    for w in """Agency Administration Space Center Centre University Institute Laboratory
    Laboratories Lab PAC Pac Station Force Corporation Corp Corp. Inc Inc. Ltd Ltd. LLC Company Co. Committee Council
    House Senate Congress Party News Post Times Journal Press Department Office Program Programme
    Telescope Observatory Foundation Association Society Union Group Network Airlines Systems
    Technologies Aerospace Industries Services Bank Court Ministry Government Republic Kingdom
    States Nations Federation Street Avenue Road City County Island Islands Ocean Sea River
    Mountain Lake Valley Bay Beach Park Museum Hospital School College Academy Club Team Magazine
    Radio TV Television Channel Review Daily Weekly Tribune Herald Guardian Gazette Monitor
    Commission Bureau Service Authority Organization Organisation Army Navy Guard Police
    Campaign Movement Church Cathedral Temple Mosque Alliance Coalition Fund Trust Institution Rocket Spacecraft Capsule
    Satellite Base Airport Port Range Coast North South East West Northern Southern Eastern
    Western Central National International Global American European Russian Chinese Japanese
    Indian Twitter Facebook Instagram YouTube Google Reuters Associated Politico Fox CNN BBC""".split()
)

_SPEECH_VERBS = (
    "said|says|say|told|tells|tell|added|adds|asked|asks|explained|explains|noted|notes|wrote|"
    "writes|stated|states|declared|declares|announced|announces|tweeted|tweets|posted|insisted|"
    "insists|argued|argues|replied|replies|responded|responds|continued|continues|recalled|"
    "recalls|remarked|remarks|warned|warns|claimed|claims|joked|jokes|quipped|quips|acknowledged|"
    "acknowledges|admitted|admits|conceded|concedes|cautioned|cautions|emphasized|emphasised|"
    "emphasizes|emphasises|stressed|stresses|suggested|suggests|observed|observes|commented|"
    "comments|predicted|predicts|promised|promises|vowed|vows|concluded|concludes|boasted|"
    "boasts|complained|complains|countered|counters|shouted|shouts|yelled|exclaimed|whispered|"
    "lamented|laments|mused|muses|agreed|agrees|confirmed|confirms|reported|reports|urged|urges|"
    "wondered|wonders|testified|testifies|texted|emailed|assured|assures|recounted|recounts|"
    "conceded|reiterated|reiterates|pointed out|points out|went on|goes on|chimed in|put it|"
    "summed up|explained|marveled|marvelled|pledged|pledges|boomed|snapped|retorted|"
    "proclaimed|proclaims|maintained|maintains|contended|contends|asserted|asserts|"
    "added|describes|described|called|calls|dubbed|labeled|labelled|branded|"
    "referred to|refers to|mocked|mocks|praised|praises|criticized|criticised|blasted|slammed|"
    "accused|accuses|hailed|hails|thanked|thanks|speaks|spoke|read|repeated|repeats|opined|"
    "decried|decries|bemoaned|bemoans|worried|worries|blamed|blames|dismissed|dismisses|derided|"
    "derides|denounced|denounces|touted|touts|ridiculed|ridicules|lauded|lauds|lambasted|"
    "condemned|condemns|characterized|characterised|barked|scoffed|scoffs|sniped|groused|fumed|"
    "cracked|gushed|raved|deadpanned|fired back|shot back|hit back|wrote back|interjected|"
    # a few reporting verbs of other languages, for quotes in „…“, «…» and »…«
    "sagte|sagt|erklärte|erklärt|betonte|betont|a dit|a déclaré|a expliqué|a ajouté|a affirmé|"
    "a souligné|déclare|explique|ajoute|dijo|afirmó|explicó|declaró|añadió|señaló|disse|"
    "ha detto|ha dichiarato|сказал|сказала|заявил|заявила|отметил|отметила"
)
# Verbs that introduce a *following* quote only when they are the reporting verb of the
# sentence (X called it "..."), not after a quote ("..." called X would be nonsense).
_PRE_ONLY_VERBS = frozenset(
    "describes described called calls dubbed labeled labelled branded referred to refers to "
    "mocked mocks praised praises criticized criticised blasted slammed accused accuses hailed "
    "hails thanked thanks read decried decries bemoaned bemoans worried worries blamed blames "
    "dismissed dismisses derided derides denounced denounces touted touts ridiculed ridicules "
    "lauded lauds lambasted condemned condemns characterized characterised".split()
)
_LISTENER_VERBS = frozenset("told tells tell asked asks urged urges assured assures".split())
_PHRASAL_VERBS = frozenset({"goes on", "went on", "put it"})
_SPEECH_VERB_RE = re.compile(rf"(?<![\w'’\-])(?:{_SPEECH_VERBS})(?![\w'’\-])")
_AUXILIARY = (
    r"(?:(?:also|later|then|previously|once|again|has|had|have|would|will|did|does|"
    r"[^\W\d_]+ly),?\s+){0,2}"
)
_PRONOUNS = {"he": "m", "she": "f", "He": "m", "She": "f"}
_OTHER_PRONOUNS = frozenset({"I", "we", "We", "they", "They", "it", "It", "you", "You", "who"})
_DETERMINERS = frozenset({"the", "a", "an", "its", "his", "her", "their", "our", "The", "A", "An"})
_INDEFINITE = frozenset({"a", "an", "A", "An", "one", "One", "another", "Another", "some", "Some"})

# Role nouns that make a noun phrase a title ("the Roscosmos chief"), mapped to what they
# count as when a title is matched against what the article said about a person.
_ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "chief": ("head",),
    "head": ("head",),
    "heads": ("head",),
    "leads": ("head",),
    "led": ("head",),
    "runs": ("head",),
    "boss": ("head",),
    "leader": ("head",),
    "director": ("head", "director"),
    "director-general": ("head", "director"),
    "ceo": ("head", "ceo"),
    "founder": ("founder",),
    "co-founder": ("founder",),
    "administrator": ("head", "administrator"),
    "chairman": ("head", "chair"),
    "chairwoman": ("head", "chair"),
    "chair": ("head", "chair"),
    "president": ("president",),
    "spokesman": ("spokesperson",),
    "spokeswoman": ("spokesperson",),
    "spokesperson": ("spokesperson",),
}
_ROLE_NOUNS = frozenset(
    """chief head boss leader director director-general ceo founder co-founder administrator
    chairman chairwoman chair president spokesman spokeswoman spokesperson commander astronaut
    cosmonaut manager scientist engineer minister secretary official officer executive senator
    governor mayor professor researcher analyst expert lawmaker candidate nominee businessman
    businesswoman billionaire entrepreneur speaker general deputy physicist astronomer pilot
    investigator representative congressman congresswoman ambassador envoy adviser advisor aide
    strategist pollster attorney lawyer prosecutor judge secretary-general premier chancellor
    host anchor correspondent author economist historian veteran colonel captain admiral""".split()
)
# Unnamed speakers that are not people: attributed, but to no name.
_SPEAKING_NOUNS = frozenset(
    """agency company firm statement report release ministry department administration campaign
    committee office group organization organisation team source sources officials people
    union government spokespeople newspaper paper magazine network channel station website
    study survey poll letter memo email tweet post ad advertisement lawsuit complaint filing
    document documents court panel board council commission police army military navy force
    white house kremlin embassy consulate mission center centre lab laboratory university
    institute observatory startup operator contractor manufacturer customer partner critics
    supporters residents voters witnesses experts analysts scientists engineers astronauts""".split()
)
_GENERIC_ORG_NOUNS = frozenset(
    "agency company firm organisation organization administration corporation startup "
    "space agency's company's firm's".split()
)
_DESCRIPTOR_STOPWORDS = frozenset(
    "the a an of and for at in on to its his her their who which is was has had current new "
    "then now also 's ’s".split()
)

_ABBREVIATION_RE = re.compile(rf"(?<![\w'’\-])(?:(?:{_TITLE_ABBREVIATIONS})\.|(?:{_U}\.)+)")
_ABBREVIATION_BEFORE_RE = re.compile(rf"(?<![\w'’\-])(?:(?:{_TITLE_ABBREVIATIONS})|{_U})\.$")
_PARENTHETICAL_RE = re.compile(r"\([^()\n]{0,40}\)")
_CLAUSE_END_RE = re.compile(r"[.!?;:\"“”«»\n]")
_NAME_THEN_DESCRIPTION_RE = re.compile(
    rf"(?<![\w'’\-])({_NAME_RUN}),[ \u00a0]+((?:the|a|an|who|its|his|her|{_U}[\w'’\-]*)"
    r"[^,.;:!?\"“”«»\n]{1,90}?)[ \u00a0]*(?=[,.;:!?\n]|$)"
)
_DESCRIPTION_THEN_NAME_RE = re.compile(
    rf"(?<![\w'’\-])(?:the|The)[ \u00a0]+([^,.;:!?\"“”«»\n]{{2,80}}?),[ \u00a0]+({_NAME_RUN})(?=[,.;:!?\n]|$)"
)
_ROLE_BEFORE_NAME_RE = re.compile(
    rf"(?<![\w'’\-])((?:{_NAME_UNIT}[ \u00a0]){{1,3}}(?:[a-z][\w\-]*[ \u00a0]){{0,1}}"
    rf"(?:{'|'.join(sorted(_ROLE_NOUNS, key=len, reverse=True))}))[ \u00a0]+({_NAME_RUN})"
)
# A sentence ends at . ! ? before a capital (or digit): "Cruz (Tex.) has said" goes on.
_SENTENCE_BOUNDARY_RE = re.compile(rf"[.!?…](?:[\"”’»)\]]*)\s+(?=[\"“„«‘'(\[]?(?:{_U}|\d))")
_WINDOW = 240
_PRONOUN_REACH = 1500


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
        self._lower_words: frozenset[str] | None = None  # built on first need
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
            name, prefix, gender = _split_mention(match.group())
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
            return self._by_key[next(iter(by_last))] if len(by_last) == 1 else None
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
        if self._lower_words is None:
            self._lower_words = frozenset(_LOWER_WORD_RE.findall(self.text))
        return plain.lower() not in self._lower_words

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
                return name
            if known is None:
                return None
        return None


def _ends_with_attribution(after: str, verb: re.Match[str]) -> bool:
    """'... had imperiled our troops, Biden said.': the name is who says the sentence."""
    return bool(_SPEECH_VERB_RE.fullmatch(verb.group(1)) and _ATTRIBUTION_END_RE.match(after, verb.end()))


_ATTRIBUTION_END_RE = re.compile(r"[ \u00a0]*(?:on \w+day[ \u00a0]*)?[.,;]")


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


_CLAUSE_WORDS = frozenset(
    "that when while after before because if as although though since whether who which where "
    "and or but so than".split()
)


_SENTENCE_OPENERS = frozenset("But And So Yet Still Then Now Meanwhile However, Also, Later, Instead, ".split())
_LOWER_WORD_RE = re.compile(r"(?<![\w'’\-])[a-z][a-z\-]*(?![\w'’\-])")
_GROUP_SUFFIXES = ("ans", "ians", "inos", "anos", "ese", "ists", "ites", "crats", "cans", "ly")
_INVERTED_VERB_BEFORE_RE = re.compile(r"(?<![\w'’\-])(?:said|says|added|adds|asked|wrote|writes|noted|explained)[ \u00a0]+$")
_APPOSITION_RE = re.compile(r",[^,.;:!?\"“”\n]{1,90},")
_NEXT_WORD_RE = re.compile(r"[ \u00a0]+([a-z][\w'’\-]*)")
_COORDINATION_BEFORE_RE = re.compile(r"(?:\band|\bor|&)[ \u00a0]+$")
_CLAUSE_SPLIT_RE = re.compile(r"[.!?;\"“”«»\n]")
_MALE_PRONOUN_RE = re.compile(r"(?<![\w'’\-])(?:he|his|him|himself)(?![\w'’\-])")
_FEMALE_PRONOUN_RE = re.compile(r"(?<![\w'’\-])(?:she|her|hers|herself)(?![\w'’\-])")


_POSSESSIVE_RE = re.compile(r"['’]s?(?!\w)")
_DETERMINER_BEFORE_RE = re.compile(r"(?<![\w'’\-])(?:the|a|an|The|A|An|his|her|their|its|our)[ \u00a0]+$")
_COMMON_VERBS = frozenset(
    """is was has had will would can could did does may might must should shall said says
    told tells added asked wrote writes wants wanted went goes got gets made makes took takes
    called calls came comes gave gives knows knew thinks thought believes believed argued argues
    spoke speaks announced announces explained noted urged hopes hoped plans planned insisted
    also then now later still never already again just repeatedly recently once met went took
    gave made came saw got won lost led ran wrote began left held sent brought felt kept put set
    let found became sat stood flew built bought chose drew drove fell fought grew hit knew meant
    paid quit rose shot slept sold spent struck swore taught threw understood wore hid""".split()
)
_PLURAL_VERBS = frozenset("are were have do don't aren't weren't".split())


def _looks_like_verb(word: str) -> bool:
    """Whether the word after a name can be its verb ("Nelson said", not "Nelson on")."""
    if word in _PLURAL_VERBS or word in _NOT_VERBS:
        return False
    if word in _COMMON_VERBS or word.endswith("ly"):
        return True
    return word.endswith(("ed", "es", "s")) and not word.endswith(("ss", "us", "is"))


_NOT_VERBS = frozenset(
    """the a an of in on at to for from by with as and or but nor that this these those is's
    who which whose where when while after before during since about into onto over under
    through across against between among than via per de la i you we they he she it me him her
    them us my your our their his its aboard and or""".split()
)


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


_SUBJECT_BEFORE_VERB_RE = re.compile(
    rf"(?:(?P<pronoun>(?<![\w'’\-])(?:he|she|He|She|I|we|We|they|They|it|It))"
    rf"|(?P<title>(?<![\w'’\-])(?:the|The|a|A|an|An)[ \u00a0]+(?:[\w'’.\-]+[ \u00a0]+){{0,4}}?[\w'’\-]+)"
    rf"|(?P<name>(?<![\w'’\-]){_NAME_RUN}))"
    r"(?P<parenthetical>[ \u00a0]\([^()\n]{1,30}\))?"  # Gov. John Kasich (R-Ohio) said
    rf"(?P<apposition>,[ \u00a0]+[^,;:!?\"“”«»\n]{{1,100}},)?(?P<comma>,)?[ \u00a0]+{_AUXILIARY}$"
)


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


_PREPOSITION_BEFORE_RE = re.compile(
    r"(?<![\w'’\-])(?:in|at|of|from|to|for|with|by|near|outside|inside|on|about)[ \u00a0]+$"
)
# The name that opens an apposition running up to the end of the window: "Seaman, who ... , ".
_APPOSITION_OPENER_RE = re.compile(
    rf"(?:^|(?<=[.;:!?] )|(?<=^[ \u00a0]))({_NAME_RUN}),[ \u00a0]+[^;:!?\"“”«»\n]{{1,160}}?,[ \u00a0]+$"
)
_AFTER_QUOTE_LEAD_RE = re.compile(r"^[\s\u00a0,.!?;:…—–\-)\]]*")
_ACCORDING_TO_RE = re.compile(r"(?<![\w'’\-])(?:[Aa]ccording to|[Ss]elon|[Ss]egún|[Ll]aut)[ \u00a0]+")
_NAME_AFTER_VERB_RE = re.compile(
    rf"^[ \u00a0]+(?P<np>(?:(?:the|a|an)[ \u00a0]+(?:[\w'’.\-]+[ \u00a0]+){{0,4}}?[\w'’\-]+)|{_NAME_RUN})"
    r"(?P<apposition>,[ \u00a0]+[^,.;:!?\"“”«»\n]{1,100})?"
)


# "said the NASA flight director, ..." — a title up to the punctuation after it.
_TITLE_AFTER_VERB_RE = re.compile(
    r"^[ \u00a0]+(?P<np>(?:the|a|an)(?:[ \u00a0]+[\w'’.\-]+){1,5})"
    r"(?P<apposition>,[ \u00a0]+[^,.;:!?\"“”«»\n]{1,100})?(?=[,.;:!?\n]|$)"
)


_TIME_OR_PLACE_WORDS = frozenset(
    "on in at during after before last this yesterday today tonight earlier later when while".split()
)


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


_ROLE_PREMODIFIER_RE = re.compile(rf"(?:{_NAME_UNIT}[ \u00a0]){{0,3}}(?:[a-z][\w\-]*[ \u00a0]){{1,3}}")


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


_AND_BEFORE_VERB_RE = re.compile(r"(?<![\w'’\-])and[ \u00a0]+(?:also[ \u00a0]+)?$")


_PARTICIPLE_RE = re.compile(
    r"(?<![\w'’\-])(?:saying|telling|calling|noting|writing|adding|arguing|asking|explaining|insisting|"
    r"describing|labeling|labelling|tweeting|declaring|warning|claiming|stating|quipping|joking|"
    r"vowing|promising|urging|dubbing|branding|referring to|suggesting|predicting|recalling|"
    r"posting|pointing out|acknowledging|admitting|boasting|complaining|responding|replying|"
    r"attacking|hammering|blasting|slamming|praising|criticizing|criticising|mocking|accusing|"
    r"lamenting|decrying|dismissing|blaming|touting|predicting|adding that|announcing)(?![\w'’\-])"
)
_QUOTE_MARK_RE = re.compile(r"[\"“”„«»]")
_PROGRESSIVE_AUX_RE = re.compile(r"[ \u00a0](?:is|was|are|were|has been|had been|have been)[ \u00a0]+$")
_ADVERBIAL_LEAD_RE = re.compile(r"(?:,|\bby|\bafter|\bbefore|\bwhile|\bwhen|\bin)[ \u00a0]+$")
_SENTENCE_SUBJECT_RE = re.compile(
    rf"[ \u00a0]*(?:(?:But|And|So|Yet|Then|Still|Meanwhile|However|Later),?[ \u00a0]+)?"
    rf"(?:[^,.;:!?\"“”«»\n]{{1,40}},[ \u00a0]+)?"  # "Hours later, Trump ..."
    rf"(?:(?P<pronoun>He|She|he|she)|(?P<name>{_NAME_RUN}))(?:,[^,.;:!?\"“”\n]{{1,90}},)?[ \u00a0]+{_AUXILIARY}[a-z]"
)


def looks_like_attribution(clause: str) -> bool:
    """Whether a short clause between two quotes attributes them ("he said", "according to X")."""
    return bool(_SPEECH_VERB_RE.search(clause) or _ACCORDING_TO_RE.search(clause))


def _paragraph_start(text: str, at: int) -> int:
    index = text.rfind("\n", 0, at)
    return index + 1


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
    return speakers


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


_END_ATTRIBUTION_RE = re.compile(
    rf",[ \u00a0]+(?:(?P<verb>{_SPEECH_VERBS})[ \u00a0]+(?P<inverted>[^,.;:!?\"“”«»\n]{{1,60}}?)"
    rf"|(?P<subject>[^,.;:!?\"“”«»\n]{{1,60}}?)[ \u00a0]+(?P<verb2>{_SPEECH_VERBS}))"
    r"(?:[ \u00a0]+(?:on|last|this|in|at|after|before|during|following|while|when|as)[ \u00a0]+[\w ’'\-]{1,40})?"
    r"(?P<apposition>,[^.;:!?\"“”«»\n]{1,100})?[.!?]?$"
)


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


_SENTENCE_END_RE = re.compile(r"[.!?](?=[\s\"”’»)]|$)")


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

