"""Text hygiene before ranking: what a page carries besides the article is never a summary sentence.

News pages, pasted or extracted by trafilatura, keep their furniture: image captions and credits
("NASA/JPL-Caltech/SwRI This annotated image…", "Photograph: Name/Getty Images"), bylines ("By Jessica
Barnett"), author bios, calls to action ("Don't forget to check out our Space Image of the Day"),
"Scroll down for video", related-story links, sub-headings, tabloid caption labels ("Flying high: …"),
and raw LaTeX from arXiv abstracts. The rules here are generic (no site is special-cased): a sentence
is dropped when it is furniture, a credit glued to the front of a sentence is cut off, and sentences
above the story's dateline ("(CNN) --", "COLORADO SPRINGS (Sputnik) —") are the page's, not the story's.
Pure regex, applied to every algorithm's input alike.
"""

from __future__ import annotations

import re

__all__ = ["clean_sentence", "drop_above_dateline", "is_boilerplate", "is_heading", "starts_with_dateline"]

# Page furniture, matched at the start of a sentence (or as the whole sentence), case-insensitively.
_BOILERPLATE = re.compile(
    r"^\W*(?:(?:image|photo|picture|video|header|top|lead|featured|cover)\s+(?:credit|courtesy|caption)s?\b"
    r"|credits?\s*:|(?:image|photo|photograph|picture|video|watch|listen|audio|graphic|source|caption)\s*:"
    r"|related(?:\s+(?:articles?|stories|content|links?|coverage|posts?|reading|video))?\s*:"
    r"|(?:read|see|find out|learn)\s+(?:more|also)\b|more\s*:|see also\b|also\s+read\b"
    r"|follow\s+(?:us|@|him|her|them|\w+\s+on\s+(?:twitter|x|facebook|instagram))\b"
    r"|subscribe\b|sign\s+up\b|share\s+(?:this|on)\b|click\s+here\b|scroll\s+(?:down|up)\b"
    r"|advertisement\b|sponsored\b|copyright\b|©|\(c\)\s|all rights reserved"
    r"|(?:last\s+)?updated\s*:|published\s*:|posted\s+(?:on|in)\b|editor'?s\s+note\s*:"
    r"|this (?:article|story) (?:was|is) (?:originally|first) published"
    r"|(?:don'?t|do\s+not)\s+(?:forget|miss)\b|(?:be\s+sure\s+to\s+)?check\s+out\s+(?:our|the\s+full)\b"
    r"|still\s+not\s+enough\b|want\s+(?:more|to\s+(?:know|learn|read)\s+more)\b|have\s+a\s+(?:news\s+)?tip\b"
    r"|(?:join|visit)\s+our\b|(?:get|download)\s+(?:our|the)\s+[\w.\s]{0,30}(?:app|newsletter)\b"
    r"|(?:like|find)\s+us\s+on\b|email\s+us\b|keep\s+up\s+with\b|tap\s+here\b|more\s+about\s+the\b)",
    re.IGNORECASE,
)
# "By Jessica Barnett", "By Jane Doe and John Roe, Space.com staff writer | published 2 hours ago".
_BYLINE = re.compile(
    r"^By\s+[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|de|van|von|da|del|la|le)){1,3}"
    r"(?:\s+and\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})?(?P<tail>\s*(?:[,|•–—-].*)?)$"
)
_BYLINE_TAIL_WORDS = frozenset(
    "staff senior science space writer writers reporter reporters editor editors correspondent contributor "
    "contributing producer published updated posted ago hour hours minute minutes day days on at for and the "
    "of in am pm et gmt utc com org net gov uk".split()
)
# Furniture anywhere in a sentence: a caption's "(File)" or "(Photo: …)", "Image caption", an email
# sign-off.
_BOILERPLATE_INSIDE = re.compile(
    r"\((?:file|files|file photo|photo|pictured|image|credit|video)\b[^)]{0,80}\)\s*$|\bimage caption\b"
    r"|\bimage copyright\b|\bgetty images\s*$|\bcaption\s*:",
    re.IGNORECASE,
)
# "Jane Doe is a staff writer for Space.com", "He is co-editor of the book …": the author's bio.
_AUTHOR_BIO = re.compile(
    r"^(?:[A-Z][\w.'’-]+\s+){1,4}(?:is|was|has been)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,4}?"
    r"(?:writer|editor|co-editor|reporter|correspondent|contributor|columnist|journalist|author of|"
    r"producer|blogger)\b"
)
# A credit: names joined by "/" ("NASA/JPL-Caltech/SwRI", "Kevork Djansezian/Getty Images").
_CREDIT = (
    r"(?:(?:[A-Z][\w.&'’-]*\s){0,3}[A-Z][\w.&'’-]*\s?/\s?)+[A-Z][\w.&'’-]*(?:\s[A-Z][\w.&'’-]*){0,2}"
)
_CREDIT_ONLY = re.compile(rf"^\W*(?:(?:image|photo|photograph|picture|credit)s?\s*(?:credit)?\s*:\s*)?{_CREDIT}\W*$",
                          re.IGNORECASE)
# A credit glued onto the sentence after it: cut it off, keep the sentence.
_CREDIT_PREFIX = re.compile(
    rf"^(?:(?:image|photo|photograph|picture)s?\s*(?:credit)?\s*:\s*)?{_CREDIT}\s+(?=[A-Z\"“])"
)
_CREDIT_LABEL_PREFIX = re.compile(
    rf"^(?i:image|photo|photograph|picture)s?\s*(?i:credit)?\s*:\s*{_CREDIT}\s+(?=[A-Z\"“])"
)
# Tabloid caption labels: "Flying high: The balloon rose…", "Scene of death: A destroyed graveyard…".
_CAPTION_LABEL = re.compile(r"^[A-Z][\w'’-]*(?:\s+[\w'’-]+){0,3}:\s+[A-Z]")
_SPEECH_VERB = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|wrote|writes|explained|explains|asked|asks|announced|"
    r"declared|stated|noted|tweeted|insisted|warned)\b", re.IGNORECASE)
# A dateline: "(CNN) --", "(Reuters) -", "COLORADO SPRINGS (Sputnik) —", "WASHINGTON —".
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'’-]+(?:[ ,]+[A-Z][A-Za-z.'’-]+){0,4}\s*)?\((?:[A-Z][\w.&' -]{1,30})\)\s*(?:--|—|–|-)\s*"
    r"|^[A-Z][A-Z.'’-]{2,}(?:[ ,]+[A-Z][A-Z.'’-]+){0,3}\s*(?:--|—|–)\s+(?=[A-Z\"“])"
)
# LaTeX math from arXiv abstracts: "$18.6\ M_\odot$" -> "18.6 M☉".
_LATEX_MATH = re.compile(r"\$([^$]{1,200})\$")
_LATEX_SYMBOLS = {
    r"\odot": "☉", r"\sun": "☉", r"\oplus": "⊕", r"\earth": "⊕", r"\sim": "~", r"\approx": "≈",
    r"\pm": "±", r"\times": "×", r"\lesssim": "≲", r"\gtrsim": "≳", r"\leq": "≤", r"\geq": "≥",
    r"\le": "≤", r"\ge": "≥", r"\alpha": "α", r"\beta": "β", r"\gamma": "γ", r"\delta": "δ",
    r"\mu": "μ", r"\sigma": "σ", r"\lambda": "λ", r"\Omega": "Ω", r"\omega": "ω", r"\rm": "",
    r"\mathrm": "", r"\,": " ", r"\ ": " ", r"\;": " ", r"\!": "", r"\%": "%",
}
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+|\\[,;! %]")
_HEADING_END = ".!?…:;\"'”’)»]"


def is_boilerplate(sentence: str) -> bool:
    """Captions, credits, bylines, author bios, "Related:"/"Read more" links and calls to action."""
    if _BOILERPLATE.search(sentence) or _BOILERPLATE_INSIDE.search(sentence):
        return True
    if _AUTHOR_BIO.search(sentence) or _CREDIT_ONLY.search(sentence) or _is_byline(sentence):
        return True
    label = _CAPTION_LABEL.match(sentence)
    if label is not None:
        head = sentence[: label.end()]
        if not _SPEECH_VERB.search(head) and not _DATELINE.match(sentence):
            return True
    return False


def _is_byline(sentence: str) -> bool:
    match = _BYLINE.match(sentence.rstrip(". "))
    if match is None:
        return False
    # After the names only a role, an outlet (capitalised) and a date may follow, not prose.
    tail_words = re.findall(r"[\w'’]+", match.group("tail"))
    return all(word in _BYLINE_TAIL_WORDS for word in tail_words if word[0].islower())


def is_heading(sentence: str) -> bool:
    """A unit with no terminal punctuation and few words: a sub-heading, a headline, a link title."""
    stripped = sentence.rstrip()
    return bool(stripped) and stripped[-1] not in _HEADING_END and len(stripped.split()) <= 14


def starts_with_dateline(sentence: str) -> bool:
    return bool(_DATELINE.match(sentence))


def clean_sentence(sentence: str) -> str:
    """The sentence with a credit glued to its front cut off and LaTeX math made readable."""
    match = _CREDIT_LABEL_PREFIX.match(sentence) or _CREDIT_PREFIX.match(sentence)
    if match is not None and match.end() < len(sentence):
        sentence = sentence[match.end():]
    if "$" in sentence:
        sentence = _LATEX_MATH.sub(_plain_math, sentence)
    return sentence


def _plain_math(match: re.Match[str]) -> str:
    math = match.group(1)
    if not re.search(r"[\\^_{}]", math):
        return match.group(0) if re.fullmatch(r"[\d.,\s]+", math) else math  # "$5" stays money
    math = _LATEX_COMMAND.sub(lambda command: _LATEX_SYMBOLS.get(command.group(0), ""), math)
    math = re.sub(r"[_^]\{([^{}]*)\}", r"\1", math)
    math = re.sub(r"[{}_^]", "", math)
    return re.sub(r"\s+", " ", math).strip()


def drop_above_dateline(sentences: list[str], *, within: int = 6) -> int:
    """How many leading sentences to drop: those above a dateline sentence among the first `within`
    (photo captions and bios that a page puts over "(CNN) -- The story…"). 0 when there is none."""
    for index, sentence in enumerate(sentences[:within]):
        if index and starts_with_dateline(sentence):
            return index
    return 0
