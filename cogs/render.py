"""Rendering results to Discord embeds: pure functions, no I/O.

Everything shown here comes from the outside world (feed titles, article text, comments, user
input), so every string goes through :func:`escape_text` (markdown, masked links, mentions,
control and bidi characters; ``discord.utils.escape_markdown`` is not enough on its own: its
masked-link rule is greedy, so a second link on the same line stays live) and is cut to Discord's limits with an ellipsis; every URL goes
through :func:`safe_url` (http(s) only, else omitted). :func:`fit_total` keeps an embed under
the 6000-character total, which Discord enforces on top of the per-field limits.

The inputs are read through small protocols (attribute names as in ``summarizer`` and
``feeds``) so this module does not depend on how those layers build their objects.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

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

NEWS_COLOUR = discord.Colour(0x1F6FEB)
SUMMARY_COLOUR = discord.Colour(0x2DA44E)
DEBATE_COLOUR = discord.Colour(0x8250DF)
NOTICE_COLOUR = discord.Colour(0xD29922)

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
# Input shapes (read-only attributes, matched structurally)


class QuoteLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def speaker(self) -> str | None: ...


class StatsLike(Protocol):
    @property
    def reduction_pct(self) -> float | None: ...
    @property
    def words_in(self) -> int: ...
    @property
    def words_out(self) -> int: ...


class SummaryLike(Protocol):
    @property
    def title(self) -> str | None: ...
    @property
    def summary(self) -> Sequence[str]: ...
    @property
    def quotes(self) -> Sequence[QuoteLike]: ...
    @property
    def stats(self) -> StatsLike: ...


class EntryLike(Protocol):
    @property
    def title(self) -> str | None: ...
    @property
    def link(self) -> str | None: ...
    @property
    def published(self) -> datetime | None: ...
    @property
    def summary(self) -> str: ...
    @property
    def image_url(self) -> str | None: ...


class PreparedLike(Protocol):
    @property
    def entry(self) -> EntryLike: ...
    @property
    def summary(self) -> SummaryLike | None: ...


class ArgumentLike(Protocol):
    @property
    def claim(self) -> str: ...
    @property
    def support(self) -> int: ...
    @property
    def authors(self) -> Sequence[str]: ...
    @property
    def quotes(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class NewsListItem:
    """One line of ``/news``: what was posted, where it came from and when."""

    title: str
    url: str | None
    source: str
    posted_at: datetime | None = None
    jump_url: str | None = None


@dataclass(frozen=True, slots=True)
class DebateStats:
    """What a debate digest was built from; ``origin`` is a URL or a channel name."""

    comments: int
    authors: int
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One source in ``/sources list``."""

    source_id: int
    name: str
    url: str
    channel_id: int
    enabled: bool = True
    last_error: str | None = None


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


def _add_field(embed: discord.Embed, name: str, value: str, *, inline: bool = False) -> bool:
    """Add a field within the limits; False when the embed already has 25 fields."""
    if len(embed.fields) >= FIELD_COUNT_LIMIT:
        return False
    # Discord rejects an empty name or value; a dash keeps the layout honest.
    embed.add_field(
        name=cut(name, FIELD_NAME_LIMIT) or "—",
        value=cut(value, FIELD_VALUE_LIMIT) or "—",
        inline=inline,
    )
    return True


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _bullets(sentences: Sequence[str], limit: int = DESCRIPTION_LIMIT) -> str:
    lines = [f"• {escape_text(sentence, single_line=True)}" for sentence in sentences]
    return cut("\n".join(line for line in lines if line != "• "), limit)


def _quote_line(quote: QuoteLike) -> str:
    text = escape_text(quote.text, single_line=True)
    speaker = escape_text(quote.speaker, single_line=True) if quote.speaker else ""
    return f"“{text}” — {speaker}" if speaker else f"“{text}”"


def _reduction(stats: StatsLike) -> str:
    if stats.reduction_pct is None:  # a summary saved by an earlier run does not keep it
        return ""
    try:
        percent = round(float(stats.reduction_pct))
    except (TypeError, ValueError, OverflowError):
        return ""
    return f"reduced by {max(0, min(100, percent))}%"


def _add_quote_fields(
    embed: discord.Embed,
    quotes: Sequence[QuoteLike],
    limit: int | None = None,
    *,
    shown: Sequence[str] = (),
) -> None:
    """Quote fields, skipping quotes a summary sentence in ``shown`` already carries word for word."""
    visible = [" ".join(sentence.split()) for sentence in shown]
    fresh = [q for q in quotes if not any(" ".join(q.text.split()) in sentence for sentence in visible)]
    chosen = fresh if limit is None else fresh[: max(0, limit)]
    for quote in chosen:
        text = escape_text(quote.text, single_line=True)
        if not text:
            continue
        name = safe(quote.speaker, FIELD_NAME_LIMIT, single_line=True) if quote.speaker else "Quote"
        if not _add_field(embed, name or "Quote", f"“{text}”"):
            break


# --------------------------------------------------------------------------------------------
# Embeds


def news_embed(prepared: PreparedLike, source_name: str, *, max_quotes: int | None = None) -> discord.Embed:
    """A news post: title linked to the entry, summary bullets, key quotes, source and time.

    Falls back to the feed's own teaser when there is no summary (e.g. the article had no
    extractable text). ``max_quotes`` caps the quote fields (None: every quote given).
    """
    entry = prepared.entry
    summary = prepared.summary
    title = safe(entry.title, TITLE_LIMIT, single_line=True) or "(untitled)"
    embed = discord.Embed(title=title, url=safe_url(entry.link), colour=NEWS_COLOUR)
    if summary is not None and any(sentence.strip() for sentence in summary.summary):
        embed.description = _bullets(summary.summary) or None
    else:
        embed.description = safe(entry.summary, DESCRIPTION_LIMIT) or None
    if summary is not None:
        _add_quote_fields(embed, summary.quotes, max_quotes, shown=summary.summary)
    footer_parts = [escape_text(source_name, single_line=True) or "news"]
    # A teaser whose article page failed (a 404...) is still posted, but says what it is.
    article_problem = escape_text(getattr(prepared, "article_problem", None) or "", single_line=True)
    if article_problem:
        used = "summary of the feed's teaser" if summary is not None else "the feed's teaser"
        footer_parts.append(f"article page unavailable ({article_problem}): {used}")
    elif summary is not None:
        reduction = _reduction(summary.stats)
        if reduction:
            footer_parts.append(reduction)
    embed.set_footer(text=cut(" · ".join(footer_parts), FOOTER_LIMIT))
    embed.timestamp = _aware(entry.published)
    image = safe_url(entry.image_url)
    if image is not None:
        embed.set_image(url=image)
    return fit_total(embed)


def summary_embed(
    summary: SummaryLike, url: str | None, *, title: str | None = None, max_quotes: int | None = None
) -> discord.Embed:
    """``/summarize``: title, extractive summary, key quotes with speakers, "reduced by N%".

    ``title`` (the page's own title, when known) wins over the title the summarizer guessed.
    """
    link = safe_url(url)
    heading = safe(title, TITLE_LIMIT, single_line=True) or safe(summary.title, TITLE_LIMIT, single_line=True)
    title = heading or (safe(link, TITLE_LIMIT, single_line=True) if link else "Summary")
    embed = discord.Embed(title=title, url=link, colour=SUMMARY_COLOUR)
    embed.description = _bullets(summary.summary) or "No sentences to show."
    _add_quote_fields(embed, summary.quotes, max_quotes, shown=summary.summary)
    stats = summary.stats
    footer = _reduction(stats)
    try:
        words = f"{int(stats.words_in)} → {int(stats.words_out)} words"
    except (TypeError, ValueError):
        words = ""
    text = " · ".join(part for part in (footer.capitalize(), words) if part)
    if text:
        embed.set_footer(text=cut(text, FOOTER_LIMIT))
    return fit_total(embed)


def quotes_embed(quotes: Sequence[QuoteLike], url: str | None, *, title: str | None = None) -> discord.Embed:
    """``/quotes``: the article's key quotes with their speakers, in order."""
    link = safe_url(url)
    heading = safe(title, TITLE_LIMIT - 8, single_line=True)
    embed = discord.Embed(
        title=f"Quotes: {heading}" if heading else "Key quotes",
        url=link,
        colour=SUMMARY_COLOUR,
    )
    lines = [_quote_line(quote) for quote in quotes if clean_text(quote.text, single_line=True)]
    embed.description = (
        cut("\n\n".join(lines), DESCRIPTION_LIMIT) if lines else "No direct quotations found in this article."
    )
    return fit_total(embed)


def news_list_embed(items: Sequence[NewsListItem]) -> discord.Embed:
    """``/news``: the latest posted items, newest first, one field each."""
    embed = discord.Embed(title="Latest news", colour=NEWS_COLOUR)
    if not items:
        embed.description = "Nothing has been posted on this server yet."
        return embed
    for item in items:
        lines = []
        source = escape_text(item.source, single_line=True)
        posted = _aware(item.posted_at)
        when = f" · <t:{int(posted.timestamp())}:R>" if posted is not None else ""
        lines.append(f"{source}{when}")
        link = safe_url(item.url)
        if link:
            lines.append(f"<{link}>")
        jump = safe_url(item.jump_url)
        if jump:
            lines.append(f"[post]({jump})")
        if not _add_field(
            embed, safe(item.title, FIELD_NAME_LIMIT, single_line=True) or "(untitled)", "\n".join(lines)
        ):
            break
    return fit_total(embed)


def debate_embed(arguments: Sequence[ArgumentLike], stats: DebateStats) -> discord.Embed:
    """``/debate`` and thread digests: the main arguments, their support and a quote each."""
    people = "person" if stats.authors == 1 else "people"
    comments = "comment" if stats.comments == 1 else "comments"
    embed = discord.Embed(title="Main arguments", colour=DEBATE_COLOUR)
    origin_url = safe_url(stats.origin)
    if origin_url:
        embed.url = origin_url
    header = f"{stats.comments} {comments}, {stats.authors} {people}"
    if stats.origin and not origin_url:
        header += f" in {escape_text(stats.origin, single_line=True)}"
    if not arguments:
        header += "\nNo clear arguments yet."
    embed.description = cut(header, DESCRIPTION_LIMIT)
    for index, argument in enumerate(arguments, start=1):
        backers = "person" if argument.support == 1 else "people"
        name = f"{index}. {escape_text(argument.claim, single_line=True)}"
        value_lines = [f"Supported by {argument.support} {backers}"]
        for quote in list(argument.quotes)[:1]:
            text = escape_text(quote, single_line=True)
            if text:
                value_lines.append(f"> “{cut(text, FIELD_VALUE_LIMIT - 80)}”")
        if not _add_field(embed, name, "\n".join(value_lines)):
            break
    return fit_total(embed)


def sources_embed(sources: Sequence[SourceLine]) -> discord.Embed:
    """``/sources list``: this server's sources, their channel and state."""
    embed = discord.Embed(title="Sources", colour=NOTICE_COLOUR)
    if not sources:
        embed.description = "No sources yet: add one with /sources add."
        return embed
    for line in sources:
        state = "enabled" if line.enabled else "disabled"
        value = f"<#{line.channel_id}> · {state}" if line.channel_id else state
        link = safe_url(line.url)
        if link:
            value += f"\n<{link}>"
        if line.last_error:
            value += f"\nLast error: {escape_text(line.last_error, single_line=True)}"
        name = f"#{line.source_id} {escape_text(line.name, single_line=True)}"
        if not _add_field(embed, name, value):
            break
    if len(sources) > FIELD_COUNT_LIMIT:
        embed.set_footer(text=f"showing {FIELD_COUNT_LIMIT} of {len(sources)}")
    return fit_total(embed)


def settings_embed(settings: dict[str, object]) -> discord.Embed:
    """``/settings show``: one inline field per setting."""
    embed = discord.Embed(title="Settings", colour=NOTICE_COLOUR)
    for key, value in settings.items():
        if isinstance(value, list | tuple):
            shown = ", ".join(escape_text(item, single_line=True) for item in value) or "(none)"
        elif isinstance(value, bool):
            shown = "on" if value else "off"
        else:
            shown = escape_text(value, single_line=True) or "(none)"
        # The keys are ours (setting names), shown as typed in /settings set.
        if not _add_field(embed, key, shown, inline=True):
            break
    return fit_total(embed)


class DeliveryProblemLike(Protocol):
    """An entry given up (``db.models.DeliveryProblem``)."""

    @property
    def entry_id(self) -> int: ...
    @property
    def source_name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def outcome(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def attempts(self) -> int: ...


def delivery_problem_texts(problem: DeliveryProblemLike) -> list[str]:
    """The one-time notice about an entry given up, fullest first, each within the message limit.

    A post AutoMod refused for a word in its title (or a link) may see its notice refused for the
    same reason: the later forms leave out the title, then the link, and name the entry by number.
    """
    source = cut(escape_text(problem.source_name, single_line=True), 200) or "a source"
    title = cut(escape_text(problem.title, single_line=True), 300)
    link = safe_url(problem.url)
    because = cut(escape_text(problem.reason, single_line=True), 600).rstrip(".") or "Discord refused it"
    if problem.outcome == "unconfirmed":
        tail = f"I could not confirm whether it was posted before a restart: {because}. It was not posted again."
    else:
        tries = f" (tried {problem.attempts} times)" if problem.attempts > 1 else ""
        tail = f"I could not post it: {because}{tries}. The source goes on with its next entries."
    names = []
    if title and link:
        names.append(f"**{title}** (<{link}>)")
    if title:
        names.append(f"**{title}**")
    if link:
        names.append(f"<{link}>")
    names.append(f"entry #{problem.entry_id}")
    return [cut(f"News from **{source}**: {name}. {tail}", MESSAGE_LIMIT) for name in dict.fromkeys(names)]


def disabled_source_text(source_name: str, reason: str | None) -> str:
    """The one-time notice that a source was disabled, within the 2000-character message limit."""
    name = cut(escape_text(source_name, single_line=True), 200) or "a source"
    because = cut(escape_text(reason, single_line=True), 600) or "it failed too many times in a row"
    return cut(f"The news source **{name}** was disabled: {because.rstrip('.')}.", MESSAGE_LIMIT)
