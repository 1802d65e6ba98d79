"""Text hygiene for debate condensation: cleaning comments, splitting them into claim-sized sentences,
and telling noise (greetings, "+1", links alone, emoji, signatures) from sentences that can carry a point.

Everything here is pure and synchronous; `summarizer.debate.pipeline` builds on it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from summarizer.tokenizer import Tokenizer

__all__ = [
    "MAX_COMMENT_CHARS",
    "MAX_SENTENCE_CHARS",
    "clean_comment_text",
    "content_words",
    "is_noise_sentence",
    "normalize_for_match",
    "plain_words",
    "split_sentences",
    "stem",
]

# A comment longer than this is cut before any work: it bounds the time one hostile 5 MB comment can
# cost (about 200 sentences), and no forum comment that makes a point needs more.
MAX_COMMENT_CHARS = 20_000
# Sentences longer than this are split at clause punctuation so a claim stays claim-sized.
MAX_SENTENCE_CHARS = 400

# C0/C1 control characters except tab and newline, zero-width and bidi-override characters (markup
# tricks that hide or reorder text), and lone surrogates (broken decoding) are removed.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ud800-\udfff]"
)
_QUOTED_LINE = re.compile(r"^[ \t]*(?:>|&gt;)")
# "-- " is the e-mail/Usenet signature separator; everything after it is the signature.
_SIGNATURE_SEPARATOR = re.compile(r"^[ \t]*(?:--|—|__+)[ \t]*$")
_SENT_FROM = re.compile(r"^[ \t]*(?:sent from my|get outlook for)\b", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)[@#]\w+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_CLAUSE_BREAK = re.compile(r"(?<=[;:])\s+")
_NON_WORD = re.compile(r"[\W_]+")

# Words that carry no argument of their own: greetings, reactions, agreement and talk about the thread.
# A sentence needs at least two content words outside this list (and outside the stop words) to count.
_CHATTER = frozenset(
    """hi hello hey hiya howdy yo greetings thanks thank thx ty cheers regards welcome bye lol lmao lmfao rofl
    haha hahaha heh hehe omg wow whoa yay meh ugh hmm hm ok okay k yes yeah yep yup nope nah agree agreed
    disagree disagreed exactly indeed true false correct wrong right great nice cool awesome amazing
    excellent fantastic brilliant interesting fascinating good bad terrible lovely love like liked likes
    best worst article post posts posted comment comments thread reply replies share sharing shared read
    reading link links source sources wrote write says said point points upvote upvoted downvote bump
    edit edited update updated man dude guys folks everyone everybody sir ma'am lady ladies gentlemen
    question answer totally absolutely definitely completely really pretty quite sure""".split()
)


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    return Tokenizer("english")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from summarizer.tokenizer import stop_words_for

    return stop_words_for("english")


@lru_cache(maxsize=1)
def _stemmer() -> object:
    from sumy.nlp.stemmers import Stemmer

    return Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The English stem of a lower-case word (sumy's Snowball stemmer), cached: debates repeat words."""
    stemmer = _stemmer()
    return str(stemmer(word))  # type: ignore[operator]


def clean_comment_text(text: str) -> str:
    """The part of a comment that is the author's own words.

    Cuts the text to `MAX_COMMENT_CHARS`, removes invisible and control characters, lines quoted from
    another comment (starting with ">"), and a trailing signature ("-- " block, "Sent from my ...").
    """
    text = text[:MAX_COMMENT_CHARS]
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []
    for line in text.split("\n"):
        if _SIGNATURE_SEPARATOR.match(line):
            break
        if _QUOTED_LINE.match(line) or _SENT_FROM.match(line):
            # A quoted line is replaced by a blank line so the text around it never joins into one
            # sentence across the quote.
            kept.append("")
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def split_sentences(text: str) -> list[str]:
    """Claim-sized sentences of cleaned comment text, each verbatim up to whitespace.

    Over-long sentences are split after ";" or ":" so a claim stays readable; a piece is still verbatim.
    """
    sentences: list[str] = []
    for sentence in _tokenizer().to_sentences(text):
        if len(sentence) <= MAX_SENTENCE_CHARS:
            sentences.append(sentence)
            continue
        sentences.extend(piece for piece in _CLAUSE_BREAK.split(sentence) if piece.strip())
    return sentences


def plain_words(sentence: str) -> list[str]:
    """Lower-case words of a sentence, stop words included ("not" and "no" carry stance), without URLs,
    mentions or numbers."""
    stripped = _MENTION.sub(" ", _URL.sub(" ", sentence))
    return [match.group().lower().replace("’", "'") for match in _WORD.finditer(stripped)]


def content_words(sentence: str) -> list[str]:
    """Lower-case words of a sentence that may carry meaning: no URLs, mentions, stop words or numbers."""
    stripped = _MENTION.sub(" ", _URL.sub(" ", sentence))
    stop_words = _stop_words()
    words = []
    for match in _WORD.finditer(stripped):
        word = match.group().lower().replace("’", "'")
        if len(word) > 1 and word not in stop_words:
            words.append(word)
    return words


def is_noise_sentence(sentence: str) -> bool:
    """True for sentences that cannot state a point on their own.

    Rule: after removing links, mentions and emoji, a sentence needs at least three words, and at least
    two of them must be content words that are not chatter ("thanks", "agree", "lol", "great post").
    Greetings, "+1", "this", emoji-only and link-only lines all fail it.
    """
    stripped = _MENTION.sub(" ", _URL.sub(" ", sentence))
    all_words = _WORD.findall(stripped)
    if len(all_words) < 3:
        return True
    meaningful = [word for word in content_words(sentence) if word not in _CHATTER]
    return len(meaningful) < 2


def normalize_for_match(text: str) -> str:
    """Case-folded words joined by single spaces: the form used to detect copies and quotations."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())
