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
# A sentence that can carry a point has at least this many words (links, mentions and numbers aside),
# and a sentence holding a link at least LINK_CAPTION_WORDS.
NOISE_MIN_WORDS = 3
# A question shorter than this asks rather than states (longer ones often argue: "Why should ... when ...?").
QUESTION_WORDS = 15
LINK_CAPTION_WORDS = 6
# Sentences longer than this are split at clause punctuation so a claim stays claim-sized.
MAX_SENTENCE_CHARS = 400

# C0/C1 control characters except tab and newline, zero-width and bidi-override characters (markup
# tricks that hide or reorder text), and lone surrogates (broken decoding) are removed.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ud800-\udfff]"
)
# Lines quoted from another comment: e-mail and Usenet styles (">", "> >", "|>", "|", ": ", "}"), and the
# HTML-escaped ">" some pages leave in text.
_QUOTED_LINE = re.compile(r"^[ \t]*(?:>|&gt;|\|>?(?=[ \t]|$)|\|>|:(?=[ \t]|$)|\}(?=[ \t]|$))")
# The line introducing a quotation: "On Tue, 3 May 1994, X wrote:", "In article <...> x@y.z writes:",
# "X wrote:", "Quoting X:".
_ATTRIBUTION_LINE = re.compile(
    r"^[ \t]*(?:(?:on|in article|in message|in <)\b.{0,300}|.{0,120}\b(?:wrote|writes|said|says))[ \t]*:[ \t]*$"
    r"|^[ \t]*quoting\b.{0,120}:[ \t]*$",
    re.IGNORECASE,
)
# Web forums' quote headers: "Quote from: Dave on 03/03/2025 02:14 pm" (SMF), "Originally Posted by Dave"
# (vBulletin). The quoted words follow unmarked, up to the next blank line (on the same line once line
# breaks are collapsed).
_FORUM_QUOTE_HEADER = re.compile(
    r"^[ \t]*(?:quote from:[ \t]*\S+(?:[ \t]+on[ \t]+[^\n]{0,40}?\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]*[ap]\.?m\.?)?)?"
    r"|originally posted by[ \t]+\S+)",
    re.IGNORECASE,
)
# The rest of an e-mail after this line is the message it answers or forwards.
_ORIGINAL_MESSAGE = re.compile(r"^[ \t]*-{2,}[ \t]*(?:original message|forwarded message)[ \t]*-{2,}[ \t]*$", re.IGNORECASE)
# The first line of an attribution that wraps onto the next one ("In article <...>,").
_ATTRIBUTION_START = re.compile(r"^[ \t]*(?:in article|in message)\b", re.IGNORECASE)
# "-- " is the e-mail/Usenet signature separator; everything after it is the signature.
_SIGNATURE_SEPARATOR = re.compile(r"^[ \t]*(?:--|—|__+|-{3,}|={3,})[ \t]*$")
_INLINE_SIGNATURE = re.compile(r"^[ \t]*-- \S")
# A sign-off name and the "--" block after it, line breaks collapsed: "Ken -- "Per ardua ad astra"".
# The name is one to three capitalised words, and the line is the comment's last.
_COLLAPSED_SIGNATURE = re.compile(r"^[ \t]*(?:[A-Z][^\s.!?]*[ \t]+){0,2}[A-Z][^\s.!?]*[ \t]+--(?:[ \t]+\S|[ \t]*$)")
_SENT_FROM = re.compile(r"^[ \t]*(?:sent from my|get outlook for)\b", re.IGNORECASE)
# A sign-off line that ends the author's own words: "Cheers,", "Regards", "Thanks, Bob", "-- Bob".
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:(?:best|kind|warm)?[ \t]*regards|cheers|thanks|thank you|best|ciao|yours|sincerely|ad astra|"
    r"clear skies|take care)\b[^.!?]{0,40}$|^[ \t]*[-~][ \t]*\w[\w .'-]{0,40}$",
    re.IGNORECASE,
)
# The same attributions and quote marks when line breaks were collapsed into one line ("Mary wrote: |>
# Cheap launch changes |> the economics completely Cheaper launch helps...").
_INLINE_ATTRIBUTION = re.compile(
    r"^[ \t]*(?:(?:on|in article|in message)\b.{0,300}?\b(?:wrote|writes|said)|[^!?:]{0,120}?\b(?:wrote|writes|said))"
    r"[ \t]*:[ \t]*(?=>|&gt;|\|>?[ \t]|:[ \t])",
    re.IGNORECASE,
)
_INLINE_MARK = re.compile(r"(?:^|[ \t])(?:>+|&gt;|\|>|\||:)(?=[ \t])")
_SENTENCE_END = re.compile(r"[.!?](?=[ \t]+[A-Z\"“(]|[ \t]*$)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)[@#]\w+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SOFT_BREAK = re.compile(r"[ \t]*\n(?![ \t]*\n)(?![ \t]*(?:[-*•]|\d{1,2}[.)])[ \t])[ \t]*")
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
    question answer totally absolutely definitely completely really pretty quite sure congrats congratulations
    bravo kudos""".split()
)
# Advertising and channel spam: never a point, whatever else the sentence says.
_SPAM = re.compile(
    r"\b(?:check (?:out )?my (?:channel|profile|page|bio)|subscribe to my|dm me|whats ?app|telegram me|"
    r"trading signals|crypto (?:signals|profits)|forex|onlyfans|click (?:here|the link|my link)|"
    r"free (?:giveaway|nitro)|promo code)\b",
    re.IGNORECASE,
)
# A line that opens by laughing ("lmao imagine the ISS falling on florida") jokes; it does not argue.
_LAUGHTER = re.compile(r"^\W*(?:lol|lmao|lmfao|rofl|haha\w*|hehe\w*|kek)\b", re.IGNORECASE)
# A cheer ("Great launch, congrats to the team!") is an exclamation this short with a chatter word in it.
CHEER_WORDS = 8


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
    another comment (">", "|>", "|", ":" prefixes) and the lines introducing them ("On ... X wrote:",
    "In article <...> X writes:"), lines that are only links or e-mail addresses, and a signature: a
    "-- " block, "Sent from my ...", a sign-off ("Cheers,", "Regards") with the name lines after it, or a
    last short paragraph of name and affiliation lines.
    """
    if len(text) > MAX_COMMENT_CHARS:
        # Cut at the last sentence end (else the last space) before the limit: a sentence cut in the
        # middle is not something the author wrote.
        text = text[:MAX_COMMENT_CHARS]
        end = max(text.rfind(". "), text.rfind("! "), text.rfind("? "), text.rfind("\n"))
        text = text[: end + 1] if end > 0 else text[: max(0, text.rfind(" "))]
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    in_forum_quote = False
    for number, line in enumerate(lines):
        if _SIGNATURE_SEPARATOR.match(line) or _ORIGINAL_MESSAGE.match(line):
            break
        collapsed_signature = bool(_COLLAPSED_SIGNATURE.match(line)) and not any(
            rest.strip() for rest in lines[number + 1 :]
        )
        if (_INLINE_SIGNATURE.match(line) or collapsed_signature) and (
            number == 0 or not lines[number - 1].strip()
        ) and any(kept):
            break  # "-- Name, place" opening a paragraph: a signature whose line breaks were collapsed
        if _FORUM_QUOTE_HEADER.match(line):
            in_forum_quote = True
        elif not line.strip():
            in_forum_quote = False
        if in_forum_quote:
            kept.append("")
            continue
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if (
            _QUOTED_LINE.match(line)
            or _SENT_FROM.match(line)
            or _ATTRIBUTION_LINE.match(line)
            or (_ATTRIBUTION_START.match(line) and _ATTRIBUTION_LINE.match(following))
            or _is_address_only(line)
        ):
            # A removed line becomes a blank line so the text around it never joins into one
            # sentence across the quote.
            kept.append("")
            continue
        kept.append(_without_inline_quote(line))
    return "\n".join(_without_sign_off(kept)).strip()


def _without_inline_quote(line: str) -> str:
    """A line that opens with a quotation whose line breaks were collapsed: the attribution and the
    quoted words are dropped, up to the end of the sentence that holds the last quote mark."""
    attribution = _INLINE_ATTRIBUTION.match(line)
    rest = line[attribution.end():] if attribution else line
    if not _QUOTED_LINE.match(rest):
        return line
    marks = list(_INLINE_MARK.finditer(rest))
    end = _SENTENCE_END.search(rest, marks[-1].end()) if marks else None
    return rest[end.end():].strip() if end else ""


def _is_address_only(line: str) -> bool:
    """A line that is only links and e-mail addresses (and punctuation): a signature or a bare link."""
    if not _URL.search(line) and not _EMAIL.search(line):
        return False
    rest = _EMAIL.sub(" ", _URL.sub(" ", line))
    return len(_WORD.findall(rest)) < 3


def _without_sign_off(lines: list[str]) -> list[str]:
    """The lines without a trailing sign-off: a closing line such as "Cheers," and the short name lines
    after it, or a last paragraph of at most three short lines none of which ends a sentence (a name,
    an affiliation)."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    for index in range(max(0, end - 4), end):
        if _SIGN_OFF.match(lines[index]) and all(len(line.split()) <= 6 for line in lines[index + 1 : end]):
            return lines[:index]
    start = end
    while start and lines[start - 1].strip():
        start -= 1
    tail = [line.strip() for line in lines[start:end]]
    if any(line.strip() for line in lines[:start]) and 0 < len(tail) <= 3 and all(len(line.split()) <= 6 and not line.endswith((".", "!", "?")) for line in tail):
        return lines[:start]
    return lines[:end]


def split_sentences(text: str) -> list[str]:
    """Claim-sized sentences of cleaned comment text, each verbatim up to whitespace.

    Over-long sentences are split after ";" or ":" so a claim stays readable; a piece is still verbatim.
    """
    # Lines of one paragraph are joined first: hard-wrapped forum text and the same text with its line
    # breaks collapsed must give the same sentences. Blank lines still end a sentence, and so does a
    # line break before a list item.
    text = _SOFT_BREAK.sub(" ", text)
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

    Rule: after removing links, mentions and emoji, a sentence needs at least NOISE_MIN_WORDS words (more
    next to a link), and at least two of them must be content words that are not chatter ("thanks",
    "agree", "lol", "great post"); a question under QUESTION_WORDS words asks rather than states (the
    statements around a rhetorical question carry its point). Greetings, "+1", "this", emoji-only and
    link-only lines, links with a caption, short questions, short cheers ("Great launch, congrats!"), lines
    that open by laughing ("lmao imagine…") and advertising ("check my channel") all fail it.
    """
    stripped = _MENTION.sub(" ", _URL.sub(" ", sentence))
    all_words = _WORD.findall(stripped)
    if len(all_words) < NOISE_MIN_WORDS:
        return True
    if len(all_words) < LINK_CAPTION_WORDS and _URL.search(sentence):
        return True  # a link with a caption ("Buy cheap telescopes at www...", "video here: https://...")
    if _SPAM.search(sentence) or _LAUGHTER.match(sentence):
        return True
    if (len(all_words) < CHEER_WORDS and sentence.rstrip().endswith("!")
            and any(word.lower() in _CHATTER for word in all_words)):
        return True
    if len(all_words) < QUESTION_WORDS and sentence.rstrip().endswith("?"):
        return True  # a question asks; the point, if any, is in the sentences around it
    meaningful = [word for word in content_words(sentence) if word not in _CHATTER]
    return len(meaningful) < 2


def normalize_for_match(text: str) -> str:
    """Case-folded words joined by single spaces: the form used to detect copies and quotations."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


# Stance: "not", "never", "no", "n't" and the like flip what a sentence says about its subject.
_NEGATION = re.compile(
    r"\b(?:not|no|never|nothing|nobody|none|neither|nor|cannot|without|hardly)\b|n['’]t\b", re.IGNORECASE
)
# A reply that opens like this argues against what it answers.
_DISAGREEMENT = re.compile(
    r"^\W*(?:no\b|nope\b|nah\b|wrong\b|not really\b|not true\b|not so\b|nonsense\b|rubbish\b|bs\b|"
    r"i (?:strongly |completely |totally )?disagree\b|disagree\b|i don['’]t (?:think|buy|agree)\b|"
    r"that['’]?s (?:not|wrong|false|nonsense)\b|this is (?:not|wrong)\b|that is (?:not|wrong)\b|"
    r"(?:actually|sorry|well),? (?:no|that['’]?s not)\b|hardly\b|false\b|incorrect\b|untrue\b|"
    r"quite the opposite|on the contrary)",
    re.IGNORECASE,
)


def has_negation(sentence: str) -> bool:
    """True when the sentence carries a negation ("not", "never", "isn't", "no"); two of them ("without
    depots, no mission...") cancel out."""
    return len(_NEGATION.findall(sentence)) % 2 == 1


def opens_with_disagreement(text: str) -> bool:
    """True when a comment opens by disagreeing ("No,", "Wrong.", "I disagree", "That's not true")."""
    return bool(_DISAGREEMENT.match(text))


_AGREEMENT = re.compile(
    r"^\W*(?:exactly|agreed|i agree|agree|seconded|yes|yep|yeah|absolutely|indeed|true|this|same here|"
    r"well said|good point|spot on|\+1|i'm with you|i am with you)\b",
    re.IGNORECASE,
)


# "Agreed that it's late, but...", "True, but...": a concession that turns to another point.
_CONCESSION = re.compile(r"^[^.!?]{0,60}?\bbut\b", re.IGNORECASE)


def opens_with_agreement(text: str) -> bool:
    """True when a comment opens by agreeing ("Exactly.", "Agreed,", "Seconded."), not by conceding a
    point to turn to another ("Agreed that it's late, but ...")."""
    return bool(_AGREEMENT.match(text)) and not _CONCESSION.match(text) and not opens_with_disagreement(text)
