"""Rendering results to Discord embeds and messages: pure functions, no I/O.

Every outside string is escaped and cut, every URL checked, every embed fitted to Discord's limits
through ``cogs.text`` (whose names are re-exported here, so ``render.safe`` and the like keep working).

The inputs are read through small protocols (attribute names as in ``summarizer`` and
``feeds``) so this module does not depend on how those layers build their objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import discord

from cogs.text import (
    AUTHOR_LIMIT,
    DESCRIPTION_LIMIT,
    ELLIPSIS,
    ERROR_TEXT_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_LIMIT,
    TITLE_LIMIT,
    TOTAL_LIMIT,
    URL_LIMIT,
    clean_text,
    cut,
    embed_problems,
    error_text,
    escape_text,
    fit_total,
    one_line,
    safe,
    safe_url,
)
from feeds.shapes import QuoteLike, ShownEntry
from summarizer.debate.bounds import CondenseStats
from summarizer.debate.wording import NO_ARGUMENTS, cut_note, support_phrase, thread_phrase

__all__ = [
    "AUTHOR_LIMIT",
    "DEBATE_COLOUR",
    "DESCRIPTION_LIMIT",
    "ELLIPSIS",
    "ERROR_TEXT_LIMIT",
    "FIELD_COUNT_LIMIT",
    "FIELD_NAME_LIMIT",
    "FIELD_VALUE_LIMIT",
    "FOOTER_LIMIT",
    "MESSAGE_LIMIT",
    "NEWS_COLOUR",
    "NOTICE_COLOUR",
    "SUMMARY_COLOUR",
    "TITLE_LIMIT",
    "TOTAL_LIMIT",
    "URL_LIMIT",
    "DebateStats",
    "NewsListItem",
    "SourceLine",
    "clean_text",
    "cut",
    "debate_embed",
    "disabled_source_text",
    "embed_problems",
    "error_text",
    "escape_text",
    "fit_total",
    "news_embed",
    "news_list_embed",
    "one_line",
    "quotes_embed",
    "safe",
    "safe_url",
    "settings_embed",
    "sources_embed",
    "summary_embed",
]

NEWS_COLOUR = discord.Colour(0x1F6FEB)
SUMMARY_COLOUR = discord.Colour(0x2DA44E)
DEBATE_COLOUR = discord.Colour(0x8250DF)
NOTICE_COLOUR = discord.Colour(0xD29922)

# --------------------------------------------------------------------------------------------
# Input shapes (read-only attributes, matched structurally)


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


class PreparedLike(Protocol):
    @property
    def entry(self) -> ShownEntry: ...
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
    def comment_ids(self) -> Sequence[str]: ...
    @property
    def quotes(self) -> Sequence[str]: ...
    @property
    def unnamed(self) -> int: ...


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
    unnamed: int = 0  # comments without an author (never counted as people)
    cut: str | None = None  # what the debate limits left out, said to the reader

    @classmethod
    def of(cls, condensed: CondenseStats, origin: str | None) -> DebateStats:
        """The stats of a `summarizer.debate.condense_debate` result, shown for ``origin``."""
        return cls(
            comments=condensed.comments,
            authors=condensed.authors,
            origin=origin,
            unnamed=condensed.unnamed,
            cut=cut_note(condensed.comments, condensed.condensed, condensed.shortened),
        )


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One source in ``/sources list``."""

    source_id: int
    name: str
    url: str
    channel_id: int
    enabled: bool = True
    last_error: str | None = None


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
    """``/debate`` and thread digests: the main arguments, who made them and a quote each; the footer
    says what the debate limits left out of a very large thread."""
    embed = discord.Embed(title="Main arguments", colour=DEBATE_COLOUR)
    origin_url = safe_url(stats.origin)
    if origin_url:
        embed.url = origin_url
    header = thread_phrase(stats.comments, stats.authors, stats.unnamed)
    if stats.origin and not origin_url:
        header += f" in {escape_text(stats.origin, single_line=True)}"
    if not arguments:
        header += f"\n{NO_ARGUMENTS if stats.comments else 'No comments yet.'}"
    embed.description = cut(header, DESCRIPTION_LIMIT)
    for index, argument in enumerate(arguments, start=1):
        name = f"{index}. {escape_text(argument.claim, single_line=True)}"
        value_lines = [support_phrase(len(argument.comment_ids), argument.support, argument.unnamed)]
        for quote in list(argument.quotes)[:1]:
            text = escape_text(quote, single_line=True)
            if text:
                value_lines.append(f"> “{cut(text, FIELD_VALUE_LIMIT - 80)}”")
        if not _add_field(embed, name, "\n".join(value_lines)):
            break
    if stats.cut:
        embed.set_footer(text=cut(stats.cut[:1].upper() + stats.cut[1:] + ".", FOOTER_LIMIT))
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
