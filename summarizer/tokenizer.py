"""Sentence and word tokenizing without NLTK data.

sumy's default tokenizer calls NLTK's punkt models, which must be downloaded and which users of the bot
will not have. This module is a rule-based replacement that sumy's parsers and summarizers accept
(`.language`, `.to_sentences`, `.to_words`), tuned for news prose: it survives abbreviations, initials,
decimals, version numbers, ellipses, quotations that close after the full stop, bullet lists, URLs and
e-mail addresses, in English, Russian, French, German and Spanish (other languages get the generic rules).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from itertools import repeat

__all__ = [
    "SUPPORTED_LANGUAGES",
    "Tokenizer",
    "detect_language",
    "split_paragraphs",
    "stop_words_for",
]

# Languages whose sentence rules are tuned here; sumy's stemmers and stop words exist for more.
SUPPORTED_LANGUAGES = ("english", "russian", "french", "german", "spanish")

# --- abbreviations -----------------------------------------------------------------------------------
# Three kinds, because they behave differently at a full stop:
#  * titles precede a name and never end a sentence ("Dr. Smith", "M. Dupont", "Sr. García");
#  * numeric ones precede a number ("No. 5", "Jan. 12", "Fig. 3"): no break when a digit follows;
#  * general ones ("Inc.", "U.S.", "etc.") may end a sentence: break only when the next word is a
#    capitalised common sentence opener ("The", "It"), the same idea as punkt's orthographic heuristic.
# Entries may contain dots and spaces ("т. е.", "z. B."); matching is case-insensitive.
_TITLES: dict[str, tuple[str, ...]] = {
    "common": (
        "mr", "mrs", "ms", "mx", "dr", "prof", "st", "mt", "ft", "gen", "col", "capt", "cpt", "cmdr", "lt",
        "sgt", "maj", "adm", "rep", "sen", "gov", "pres", "rev", "hon", "messrs", "mme", "mmes", "mlle",
        "mlles", "hr", "fr", "frau", "sr", "sra", "srta", "sres", "dña", "dª", "vs", "cf", "e.g", "i.e",
        "viz",
    ),
    "russian": ("г-н", "г-жа", "акад", "проф", "им", "ул", "просп", "пл", "т. е", "т. к", "т. н", "т. ч",
                "напр"),
    "french": ("mm", "me", "mgr", "ste", "pr", "c.-à-d", "càd"),
    "german": ("frl", "hrn", "z. b", "d. h", "vgl", "sog", "bspw", "ggf", "evtl"),
    "spanish": ("sr", "sra", "srta", "dr", "dra", "lic", "ing", "vd", "vds", "excmo", "excma", "p. ej", "ej", "ee"),
}
_NUMERIC: dict[str, tuple[str, ...]] = {
    "common": (
        "no", "nos", "nr", "vol", "vols", "pp", "p", "fig", "figs", "art", "ch", "sec", "sect", "para",
        "op", "ed", "ref", "tab", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec", "approx", "ca", "est", "n", "nº",
    ),
    "russian": ("ст", "стр", "рис", "табл", "гл", "п", "пп", "т", "тт", "янв", "февр", "апр", "авг", "сент",
                "окт", "нояб", "дек", "ок", "св", "около"),
    "french": ("janv", "févr", "avr", "juil", "sept", "déc", "env", "p", "pp", "n°", "no"),
    "german": ("jan", "feb", "märz", "okt", "dez", "abs", "bd", "ca", "nr", "s"),
    "spanish": ("núm", "pág", "págs", "ene", "abr", "ago", "dic", "aprox", "cap"),
}
_GENERAL: dict[str, tuple[str, ...]] = {
    "common": (
        "etc", "e.g", "i.e", "inc", "ltd", "co", "corp", "llc", "plc", "bros", "dept", "univ", "assn",
        "u.s", "u.k", "u.n", "u.s.a", "e.u", "a.m", "p.m", "ph.d", "b.a", "m.a", "b.sc", "m.sc", "jr",
        "esq", "al", "et al", "resp", "min", "max", "avg", "govt", "intl", "natl", "km", "kg",
    ),
    "russian": ("т. д", "т. п", "и др", "и пр", "др", "пр", "тыс", "млн", "млрд",
                "руб", "коп", "г", "гг", "в", "вв", "н. э", "до н. э", "см", "мин", "сек", "ч"),
    "french": ("h", "c.-à-d", "cf", "éd", "av. j.-c", "apr. j.-c", "etc", "env", "càd", "ex", "s.a", "cie"),
    "german": ("u. a", "usw", "bzw", "inkl", "zzgl", "ca", "u. ä", "o. ä", "v. a", "gmbh", "ag", "mio", "mrd", "jh", "jhd",
               "tsd", "str", "dt", "engl", "franz"),
    "spanish": ("etc", "pág", "ee. uu", "s.a", "cía", "av", "avda", "dcha",
                "izq", "izqda", "aprox", "mill", "sres", "ud"),
}


def _abbreviation_pattern(entries: set[str]) -> re.Pattern[str]:
    # Internal dots may or may not be followed by a space ("z.B." and "z. B."), so each dot becomes "\.\s*".
    alternatives = sorted(
        (r"\.\s*".join(re.escape(part.strip()) for part in entry.split(".")) for entry in entries),
        key=len,
        reverse=True,
    )
    # The abbreviation must start the token: preceded by start, whitespace or an opening bracket/quote.
    return re.compile(r"(?:^|(?<=[\s(\[\"'«“‘„]))(?:" + "|".join(alternatives) + r")$", re.IGNORECASE)


def _collect(table: dict[str, tuple[str, ...]], language: str) -> set[str]:
    return set(table["common"]) | set(table.get(language, ()))


@lru_cache(maxsize=32)
def _abbreviation_patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return (
        _abbreviation_pattern(_collect(_TITLES, language)),
        _abbreviation_pattern(_collect(_NUMERIC, language)),
        _abbreviation_pattern(_collect(_GENERAL, language)),
    )


@lru_cache(maxsize=32)
def _abbreviation_last_tokens(language: str) -> frozenset[str]:
    """The last whitespace-separated piece of every abbreviation ("b" of "z. b", "u.s" of "u.s"):
    a cheap test that lets most full stops skip the three regular expressions."""
    entries = _collect(_TITLES, language) | _collect(_NUMERIC, language) | _collect(_GENERAL, language)
    return frozenset(entry.split()[-1].lower() for entry in entries)


# --- stop words ---------------------------------------------------------------------------------------
# sumy ships no Russian list; this is a short list of the most frequent Russian function words.
_RUSSIAN_STOP_WORDS = frozenset(
    """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее её мне
    было вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до
    вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их
    чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
    совсем ним здесь этом один почти мой тем чтобы нее неё сейчас были куда зачем всех никогда можно при
    наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три эту
    моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю
    между это также который которые которая которое которых является году года затем однако поэтому
    кроме сегодня вчера ранее""".split()
)


@lru_cache(maxsize=32)
def stop_words_for(language: str) -> frozenset[str]:
    """sumy's stop words for `language` (our own short list for Russian); empty when none exist."""
    if language == "russian":
        return _RUSSIAN_STOP_WORDS
    # sumy's own lists, read as package data: importing sumy.utils would pull in `requests` (~0.1 s
    # of start-up) for nothing.
    import pkgutil

    try:
        data = pkgutil.get_data("sumy", f"data/stopwords/{language.lower()}.txt")
    except OSError:
        return frozenset()
    if data is None:
        return frozenset()
    return frozenset(line.rstrip().lower() for line in data.decode("utf-8").splitlines() if line.rstrip())


# --- language detection ------------------------------------------------------------------------------
# Short, distinctive function-word lists: sumy's full stop-word lists overlap too much between the
# Romance languages to tell them apart reliably.
_MARKERS: dict[str, frozenset[str]] = {
    "english": frozenset("the and of to is was that with for are have has it its this from by which were "
                         "been would will their said they not be at".split()),
    "french": frozenset("le la les des et est une du que qui dans pour pas sur au aux ce cette sont avec "
                        "il elle ont été nous vous mais ou leur".split()),
    "german": frozenset("der die das und ist nicht ein eine den dem des mit sich auf für von zu im auch "
                        "wird sind wurde werden bei dass oder".split()),
    "spanish": frozenset("el la los las y es una del que en por para con no se su al lo como pero más "
                         "sus fue está son ha este esta".split()),
    "italian": frozenset("il lo gli della di che è una per non con sono del nel alla anche questo ha "
                         "dei più ma come".split()),
    "portuguese": frozenset("o os as da do das dos que em um uma não para com é por mais foi são ao "
                            "como mas também pelo pela".split()),
}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


_ALL_MARKERS = frozenset().union(*_MARKERS.values())
# When the lower-cased sample has no letter or digit outside ASCII (English news with "£", dashes
# and curly quotes included), this finds the same tokens as _LETTER_WORD, about twice as fast
# since no Unicode category is looked up per character.
_ASCII_LETTER_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")
_NON_ASCII_CHAR = re.compile(r"[^\x00-\x7f]")


def detect_language(text: str) -> str:
    """The sumy language name of `text` ("english", "russian", ...); "english" when there is no evidence.

    Cyrillic script decides Russian (Ukrainian when its own letters appear); Latin-script languages are
    told apart by counting distinctive function words in the first few thousand characters.
    """
    sample = text[:1500].lower()
    # A regex word character is str.isalnum() or "_"; "_" is ASCII.
    ascii_words = sample.isascii() or not any(map(str.isalnum, _NON_ASCII_CHAR.findall(sample)))
    found = (_ASCII_LETTER_WORD if ascii_words else _LETTER_WORD).findall(sample)
    if not found:
        return "english"
    if not ascii_words and _CYRILLIC.search(sample):  # Cyrillic letters are non-ASCII word characters
        letters = sum(map(len, found))
        cyrillic = len(_CYRILLIC.findall(sample))
        if cyrillic > letters / 2:
            ukrainian = len(_UKRAINIAN_LETTERS.findall(sample))
            return "ukrainian" if ukrainian > cyrillic / 100 else "russian"
    # Only marker words are counted: most tokens are not one, and a smaller Counter is built faster.
    words = Counter(filter(_ALL_MARKERS.__contains__, found))
    best, best_hits = "english", 0
    for language, markers in _MARKERS.items():
        hits = sum(map(words.get, markers, repeat(0)))
        if hits > best_hits:
            best, best_hits = language, hits
    return best


# --- paragraphs and bullets --------------------------------------------------------------------------
_BULLET = re.compile(r"^\s*(?:[-*•·‣◦▪–—]|\(?\d{1,3}[.)]|\(?[a-zA-Z][)])\s+")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_TERMINAL = ".!?…:;"
# Words a heading does not end on, in the supported languages; a line ending on one was wrapped.
_WRAP_ENDINGS = frozenset(
    "a an the of at in on to for and or but with by from as is are was were that this "
    "le la les des du de et à au aux en un une "
    "der die das des dem den und oder im am zu mit von ein eine "
    "el los las del y o con por para en un una "
    "и в во на с со к по из за от для что как".split()
)


def _is_heading_line(line: str, next_line: str, width: int = 0) -> bool:
    """A line without final punctuation, followed by a capitalised line: a heading, a headline, a
    related-story link, a dateline or a caption, and so its own unit. A line that starts in lower case
    or ends on a function word ("at the") is prose wrapped short, and so is one as long as the
    paragraph's longest line `width` (hard-wrapped text breaks wherever the width runs out)."""
    stripped = line.strip()
    if not stripped or stripped[-1] in _TERMINAL + ",-–—":
        return False
    nxt = next_line.lstrip()
    if not nxt or not (nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in "\"“‘'(") or stripped[0].islower():
        return False
    words = stripped.split()
    if words[-1].lower() in _WRAP_ENDINGS:
        return False
    if len(stripped) <= 60 and len(words) <= 10:
        return True
    if len(words) <= 25 and _title_case_share(words) >= 0.6:
        return True  # "Russia Plans at Least 30 Space Launches in 2017 - Roscosmos"
    return width > 0 and len(stripped) < 0.7 * width


def _title_case_share(words: list[str]) -> float:
    """Share of a line's words, function words aside, that start with a capital or a digit."""
    content = [word for word in words if word.lower() not in _WRAP_ENDINGS and word[:1].isalnum()]
    if not content:
        return 0.0
    return sum(1 for word in content if word[0].isupper() or word[0].isdigit()) / len(content)


def split_paragraphs(text: str) -> list[list[str]]:
    """Blocks of text in order: paragraphs split at blank lines, then at bullet items and heading lines.

    Each block is a list of lines already joined where a line was only hard-wrapped; every block is
    later split into sentences on its own, so a bullet item or a heading never merges with prose.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[str]] = []
    for paragraph in _BLANK_LINE.split(text):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        units: list[str] = []
        current: list[str] = []
        width = max(len(line.strip()) for line in lines)
        for index, line in enumerate(lines):
            next_line = lines[index + 1] if index + 1 < len(lines) else ""
            if _BULLET.match(line) and current:
                units.append(" ".join(current))
                current = []
            current.append(line.strip())
            if _is_heading_line(line, next_line, width) or (next_line and _BULLET.match(next_line)):
                units.append(" ".join(current))
                current = []
        if current:
            units.append(" ".join(current))
        blocks.append(units)
    return blocks


# --- sentences ---------------------------------------------------------------------------------------
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
# Same matches as r"(?:\.{2,}|…|[.!?]+)[\"'»”’)\]]*(?=\s)" (a run of .!? or one "…"), written to
# start with a character class so that the regex engine skips ahead to the next candidate character
# in C instead of trying the pattern at every position (about 5x faster on news text).
_BOUNDARY = re.compile(r"[.!?…](?:(?<=…)|(?<=[.!?])[.!?]*+)[\"'»”’)\]]*+(?=\s)")
_WHITESPACE = re.compile(r"\s+")
_NEXT_TOKEN = re.compile(r"\S+")
_OPENERS = "\"'«“‘„([¿¡"


@lru_cache(maxsize=32)
def _sentence_openers(language: str) -> frozenset[str]:
    # Capitalised stop words are the usual first words of a sentence ("The", "It", "Le", "Der").
    return stop_words_for(language) | _MARKERS.get(language, frozenset())


# Sentences glued without a space by a careless copy ("renewable sources.The Delhi commission"): a
# lower-case word, its full stop (and closing quote), then a capitalised word. "U.S.The" (capitals
# before the stop) and "Space.com" (lower case after) stay whole.
_GLUED = re.compile(r"(?<=[a-z][a-z][.!?])[\"”’]?(?=[A-Z][a-z])")


def _split_glued(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for match in _GLUED.finditer(text, start, end):
        cut = match.end()
        if text[start:cut].strip():
            yield start, cut
        start = cut
    if text[start:end].strip():
        yield start, end


class Tokenizer:
    """sumy-compatible tokenizer (`language`, `to_sentences`, `to_words`) that needs no NLTK data."""

    _WORD = re.compile(
        r"https?://\S+[^\s.,;:!?)\]\"'»”’]"  # URLs whole, without trailing punctuation
        r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
        r"|\w+(?:[-'’.]\w+)*",  # words, with inner hyphens, apostrophes and dots (v1.2, U.S, don't)
    )
    # r"\w+(?:[-'’.]\w+)*" (the greedy path always succeeds, so possessive repeats find the same
    # words), led by a plain class so that the engine skips to the next word character in C.
    _PLAIN_WORD = re.compile(r"\w\w*+(?:[-'’.]\w++)*+")

    def __init__(self, language: str = "english") -> None:
        self._language = language.lower()
        self._titles, self._numeric, self._general = _abbreviation_patterns(self._language)
        self._abbreviation_ends = _abbreviation_last_tokens(self._language)
        self._openers = _sentence_openers(self._language)

    @property
    def language(self) -> str:
        return self._language

    def to_sentences(self, text: str) -> tuple[str, ...]:
        """Sentences of `text` in order, whitespace collapsed; bullets and headings are sentences too."""
        sentences: list[str] = []
        for block in split_paragraphs(text):
            for unit in block:
                sentences.extend(self._split_unit(unit))
        return tuple(sentences)

    def paragraph_sentences(self, text: str) -> list[tuple[str, ...]]:
        """Sentences grouped by paragraph (blank-line separated blocks), in order; empty ones dropped."""
        paragraphs: list[tuple[str, ...]] = []
        for block in split_paragraphs(text):
            sentences = tuple(sentence for unit in block for sentence in self._split_unit(unit))
            if sentences:
                paragraphs.append(sentences)
        return paragraphs

    def iter_sentence_spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) offsets of the sentences of one paragraph of running text."""
        start = 0
        for match in _BOUNDARY.finditer(text):
            end = match.end()
            if self._is_boundary(text, match.start(), match.group(), end):
                if text[start:end].strip():
                    yield from _split_glued(text, start, end)
                start = end
        if text[start:].strip():
            yield from _split_glued(text, start, len(text))

    def _split_unit(self, unit: str) -> Iterator[str]:
        for start, end in self.iter_sentence_spans(unit):
            sentence = unit[start:end]
            # Only a double space or a non-printable character (tabs, newlines and every other
            # whitespace but " " are non-printable) can need collapsing; most sentences have neither.
            if "  " in sentence or not sentence.isprintable():
                sentence = _WHITESPACE.sub(" ", sentence)
            sentence = sentence.strip()
            if sentence:
                yield sentence

    def _is_boundary(self, text: str, punct_start: int, punct: str, end: int) -> bool:
        next_match = _NEXT_TOKEN.search(text, end)
        if next_match is None:
            return True
        next_token = next_match.group()
        first = next_token.lstrip(_OPENERS)[:1]
        starts_upper = first.isupper() or first.isdigit() or next_token[0] in _OPENERS
        if not starts_upper:
            # "etc. and", "e.g. the", "Why?" he asked, "so on... and": no new sentence.
            return False
        if not punct.startswith(".") or punct.startswith(".."):
            return True  # ! ? … and "..." before a capital end the sentence
        before = text[max(0, punct_start - 40) : punct_start]
        word = before.rsplit(None, 1)[-1] if before.strip() else ""
        word = word.lstrip(_OPENERS)
        if word.lower() in self._abbreviation_ends:
            if self._titles.search(before):
                return False
            if self._numeric.search(before) and first.isdigit():
                return False
            if self._general.search(before) or self._numeric.search(before):
                # An abbreviation that can end a sentence: trust it only before a common sentence opener.
                return next_token.strip(_OPENERS + ",;:").lower() in self._openers
        if self._language == "german" and word.isdigit() and len(word) <= 2:
            # German ordinals ("am 3. Oktober") look like a number ending a sentence.
            return next_token.strip(_OPENERS + ",;:").lower() in self._openers
        if len(word) == 1 and word.isalpha():
            # Initials ("J. R. R. Tolkien", "M. Dupont") and one-letter pieces of "z. B.", "т. е.".
            return False
        return True

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """Words of a sentence: letters/digits with inner hyphens, apostrophes and dots; URLs and
        e-mail addresses as single words; punctuation dropped."""
        if "@" in sentence or "http" in sentence:
            return tuple(self._WORD.findall(sentence))
        # Without "@" or "http" neither the e-mail nor the URL branch can match, and the plain word
        # pattern finds the same words without trying them at every position.
        return tuple(self._PLAIN_WORD.findall(sentence))
