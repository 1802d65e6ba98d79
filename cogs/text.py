"""Text and URLs made safe for Discord, and Discord's embed limits: pure functions, no I/O.

Everything the bot shows comes from the outside world (feed titles, article text, comments, user
input), so every string goes through :func:`escape_text` (markdown, masked links, mentions,
control, format and bidi characters; ``discord.utils.escape_markdown`` is not enough on its own:
its masked-link rule is greedy, so a second link on the same line stays live) and is cut to
Discord's limits with an ellipsis; every URL goes through :func:`safe_url` (http(s) only, else
omitted). :func:`fit_total` keeps an embed under the 6000-character total, which Discord enforces
on top of the per-field limits.
"""

from __future__ import annotations

import re
import unicodedata

import discord
import yarl

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
TOTAL_LIMIT = 6000
MESSAGE_LIMIT = 2000
URL_LIMIT = 2048
# One-line answers stay short so they read as one line in the client.
ERROR_TEXT_LIMIT = 300
ELLIPSIS = "…"

# Characters that change how the text around them is shown without being visible themselves
# (bidi overrides can make a link read backwards); lone surrogates come from broken decodings
# and cannot be encoded as UTF-8 at all.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Markdown, one token at a time: a URL is kept whole (escaping inside it would break the link);
# any character Discord gives a meaning to is escaped wherever it stands; '#', '-', '+' and
# "1." only mean something at the start of a line (headings, subtext, lists), so only there.
_MARKDOWN_TOKEN = re.compile(
    r"(?P<url>https?://[^\s<>\[\]()`\\|*~]+)"
    r"|(?P<char>[\\*_~|`\[\]<>])"
    r"|(?P<line_start>^[ \t]*(?:#+|-|\+|\d+\.(?=\s)))",
    re.MULTILINE,
)
# discord.utils.escape_mentions matches only lower-case names and 17-20 digit ids; this catches
# the rest of what a client might still highlight. A zero-width space after '@' breaks them.
_MENTION = re.compile(r"@(everyone|here|[!&]?[0-9]{15,21})", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Text and URL safety


def clean_text(text: object, *, single_line: bool = False) -> str:
    """Printable text: no control, format (Unicode Cf) or bidi characters, no lone surrogates,
    whitespace tidied.

    Format characters (zero-width spaces, word joiners, BOMs, soft hyphens, tags) are invisible:
    left in, a title of only "\u200b" is an empty-looking embed or thread name. The two joiners
    that shape visible text (ZWJ in emoji sequences, ZWNJ in Persian and Indic words) are kept
    where they join two visible characters.

    ``single_line`` folds every run of whitespace (newlines included) into one space, for
    titles, names and footers, where a newline would either be dropped or break the layout.
    """
    if text is None:
        return ""
    value = text if isinstance(text, str) else str(text)
    value = _SURROGATES.sub("\ufffd", value)
    value = _BIDI_CONTROLS.sub("", value)
    kept: list[str] = []
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if char in "\n\t" or char == " ":
            kept.append(char)
        elif category in ("Cc", "Cs"):
            kept.append(" " if char in "\r\x0b\x0c\x85" else "")
        elif char in "\u2028\u2029":
            kept.append("\n")
        elif category == "Cf":
            if char in _JOINERS and _visible(value, index - 1) and _visible(value, index + 1):
                kept.append(char)
        else:
            kept.append(char)
    value = "".join(kept)
    if single_line:
        return " ".join(value.split())
    lines = [" ".join(line.split()) for line in value.split("\n")]
    # At most one blank line in a row: a wall of newlines is a layout trick, not content.
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return tidy.strip()


_JOINERS = "\u200c\u200d"


def _visible(text: str, index: int) -> bool:
    if not 0 <= index < len(text):
        return False
    char = text[index]
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Zl", "Zp")


def _escape_token(match: re.Match[str]) -> str:
    if match.group("url") is not None:
        return match.group("url")
    char = match.group("char")
    if char is not None:
        return "\\" + char
    marker = match.group("line_start")
    stripped = marker.lstrip(" \t")
    indent = marker[: len(marker) - len(stripped)]
    if stripped.endswith("."):
        # "1. " starts a numbered list; escaping the dot keeps the number as written.
        return indent + stripped[:-1] + "\\."
    return indent + "\\" + stripped


def escape_text(text: object, *, single_line: bool = False) -> str:
    """``clean_text`` plus Discord escaping: markdown, masked links and mentions are inert."""
    value = clean_text(text, single_line=single_line)
    value = _MARKDOWN_TOKEN.sub(_escape_token, value)
    value = discord.utils.escape_mentions(value)
    return _MENTION.sub("@\u200b\\1", value)


def cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters with an ellipsis; never ends in a lone escape."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit == 1:
        return ELLIPSIS
    head = text[: limit - 1].rstrip()
    trailing = len(head) - len(head.rstrip("\\"))
    if trailing % 2:
        # A cut between a backslash and what it escaped would escape the ellipsis instead.
        head = head[:-1]
    return head + ELLIPSIS


def safe(text: object, limit: int, *, single_line: bool = False) -> str:
    """Escaped and cut: the form every outside string takes before it goes into an embed."""
    return cut(escape_text(text, single_line=single_line), limit)


def safe_url(url: object) -> str | None:
    """``url`` when it is a well-formed http(s) URL Discord will accept, else None."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    if not candidate or len(candidate) > URL_LIMIT:
        return None
    if any(char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in candidate):
        return None
    try:
        parsed = yarl.URL(candidate)
    except (ValueError, TypeError, UnicodeError):
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    try:
        encoded = str(parsed)
    except (ValueError, UnicodeError):
        return None
    return encoded if len(encoded) <= URL_LIMIT else None


def one_line(message: object, limit: int = ERROR_TEXT_LIMIT) -> str:
    """``message`` as one escaped line of at most ``limit`` characters (answers, notices)."""
    return safe(message, limit, single_line=True)


def error_text(message: object) -> str:
    """A one-line, escaped error answer for the user; never empty."""
    return one_line(message) or "Something went wrong."


# --------------------------------------------------------------------------------------------
# Limits


def embed_problems(embed: discord.Embed) -> list[str]:
    """Every Discord embed limit ``embed`` breaks (empty when Discord would accept it)."""
    problems: list[str] = []
    data = embed.to_dict()

    def over(name: str, value: str | None, limit: int) -> None:
        if value is not None and len(value) > limit:
            problems.append(f"{name} is {len(value)} characters (limit {limit})")

    over("title", data.get("title"), TITLE_LIMIT)
    over("description", data.get("description"), DESCRIPTION_LIMIT)
    over("footer", data.get("footer", {}).get("text"), FOOTER_LIMIT)
    over("author", data.get("author", {}).get("name"), AUTHOR_LIMIT)
    fields = data.get("fields", [])
    if len(fields) > FIELD_COUNT_LIMIT:
        problems.append(f"{len(fields)} fields (limit {FIELD_COUNT_LIMIT})")
    for index, field in enumerate(fields):
        over(f"field {index} name", field["name"], FIELD_NAME_LIMIT)
        over(f"field {index} value", field["value"], FIELD_VALUE_LIMIT)
        if not field["name"].strip() or not field["value"].strip():
            problems.append(f"field {index} is empty")
    if len(embed) > TOTAL_LIMIT:
        problems.append(f"total is {len(embed)} characters (limit {TOTAL_LIMIT})")
    return problems


def fit_total(embed: discord.Embed) -> discord.Embed:
    """Shrink ``embed`` in place until its total is within 6000 characters; returns it.

    The description gives way first (down to 1024 characters), then trailing fields are
    dropped, then the description again: the summary's opening and the first fields carry
    the most information.
    """
    excess = len(embed) - TOTAL_LIMIT
    if excess <= 0:
        return embed
    description = embed.description or ""
    if len(description) > FIELD_VALUE_LIMIT:
        embed.description = cut(description, max(FIELD_VALUE_LIMIT, len(description) - excess))
    while len(embed) > TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    excess = len(embed) - TOTAL_LIMIT
    if excess > 0 and embed.description:
        embed.description = cut(embed.description, max(0, len(embed.description) - excess)) or None
    excess = len(embed) - TOTAL_LIMIT
    if excess > 0 and embed.footer.text:
        embed.set_footer(text=cut(embed.footer.text, max(1, len(embed.footer.text) - excess)))
    return embed
