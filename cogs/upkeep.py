"""What the news loop does besides posting: notices to a server's admins, and debate digests.

Not an extension: ``cogs.news`` runs these after each iteration's posts, through ``Notices`` (a
disabled source, an entry Discord refused for good or that went unconfirmed: each told once) and
``Digests`` (the main arguments of a discussion thread opened under a post, once it is old and busy
enough).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import discord

from cogs import render
from cogs.shared import (
    NO_MENTIONS,
    POST_IN_CHANNEL,
    POST_IN_THREAD,
    READ_HISTORY,
    CogBot,
    comments_from_messages,
    lacking,
    my_permissions,
    need_text,
)
from db.models import DeliveryProblem, Source, ThreadRecord
from summarizer.debate import condense_debate

log = logging.getLogger(__name__)

#: Messages of a thread read for its digest.
DIGEST_HISTORY = 500
DIGEST_MAX_ARGUMENTS = 5
#: A thread that has not reached the comment threshold this long after it became due is
#: dropped from the digest queue, so old quiet threads are not re-read forever.
DIGEST_GIVE_UP = timedelta(days=7)
#: Iterations a thread's digest is tried while the bot may not read or post there, then given up.
MAX_DIGEST_ATTEMPTS = 3
#: Discord's refusals that come back the same on every retry (JSON error codes), and how the
#: admins' notice names them.
PERMANENT_REFUSALS = {
    200000: "AutoMod blocked the message",
    240000: "Discord's harmful-link filter blocked the message",
    50035: "Discord refused the message as invalid",
}


@dataclass
class IterationReport:
    """What one iteration did (for logs, tests and benchmarks)."""

    polled: int = 0
    posted: int = 0
    reconciled: int = 0
    failed_sources: list[str] = field(default_factory=list)
    notices: int = 0
    digests: int = 0


def refusal(exc: discord.HTTPException) -> str | None:
    """Why Discord refused a post for good, or None when a retry may succeed."""
    meaning = PERMANENT_REFUSALS.get(exc.code)
    if meaning is None:
        return None
    detail = render.clean_text(exc.text, single_line=True)
    return f"{meaning} (code {exc.code}{': ' + detail[:200] if detail else ''})"


async def find_channel(bot: CogBot, channel_id: int) -> Any | None:
    """The channel to post in, from the cache or the API; None when it is gone or hidden."""
    channel = bot.get_channel(channel_id)
    if channel is not None:
        return channel
    try:
        return await bot.fetch_channel(channel_id)
    except (discord.NotFound, discord.Forbidden, discord.InvalidData):
        return None


class Notices:
    """Tells a server's admins, once, what they need to act on."""

    def __init__(self, bot: CogBot) -> None:
        self.bot = bot

    # ---- disabled sources --------------------------------------------------------------------

    async def announce_disabled_sources(self, report: IterationReport) -> None:
        """Tell each server once that one of its sources was disabled, and why."""
        for source in await self.bot.store.disabled_unnotified_sources():
            target = await self._notice_channel(source)
            if target is None:
                log.warning("news: source %s (#%d) disabled; no channel to tell", source.name, source.id)
                await self.bot.store.mark_disabled_notified(source.id)
                continue
            text = render.disabled_source_text(source.name, source.disabled_reason or source.last_error)
            try:
                await target.send(text, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException as exc:
                log.warning("news: cannot announce disabled source %s: %s", source.name, exc)
                if isinstance(exc, discord.Forbidden | discord.NotFound):
                    await self.bot.store.mark_disabled_notified(source.id)
                continue
            await self.bot.store.mark_disabled_notified(source.id)
            report.notices += 1

    async def _notice_channel(self, source: Source | DeliveryProblem) -> Any | None:
        channel = await find_channel(self.bot, source.channel_id) if source.channel_id else None
        if channel is not None and hasattr(channel, "send") and not lacking(channel, POST_IN_CHANNEL[:2]):
            return channel
        guild = self.bot.get_guild(source.guild_id) if source.guild_id else None
        if guild is None and channel is not None:
            guild = getattr(channel, "guild", None)  # a config-file source: its channel's server
        return guild.system_channel if guild is not None else None

    # ---- entries given up ----------------------------------------------------------------------

    async def announce_delivery_problems(self, report: IterationReport) -> None:
        """Tell each server once about an entry Discord refused for good, or that went unconfirmed."""
        for problem in await self.bot.store.problems_to_announce():
            target = await self._notice_channel(problem)
            if target is None:
                log.warning("news: entry %d %s (%s); no channel to tell", problem.entry_id, problem.outcome, problem.reason)
                outcome = "refused"
            else:
                outcome = await self._send_notice(target, render.delivery_problem_texts(problem))
            if outcome == "retry":
                continue  # a passing failure (5xx, rate limit): the next iteration tries again
            if outcome == "sent":
                report.notices += 1
            await self.bot.store.mark_problem_announced(problem.entry_id)

    async def _send_notice(self, target: Any, texts: list[str]) -> Literal["sent", "refused", "retry"]:
        """Send the first of ``texts`` Discord accepts: the fuller ones name the entry's title and link,
        which the same AutoMod rule that refused the post may refuse again."""
        where = getattr(target, "id", "?")
        for text in texts:
            try:
                await target.send(text, allowed_mentions=NO_MENTIONS)
                return "sent"
            except (discord.Forbidden, discord.NotFound) as exc:
                log.warning("news: cannot send a notice in channel %s: %s", where, exc)
                return "refused"
            except discord.HTTPException as exc:
                if refusal(exc) is None:
                    log.warning("news: notice in channel %s failed, will try again: %s", where, exc)
                    return "retry"
        log.warning("news: every form of a notice was refused in channel %s", where)
        return "refused"


class Digests:
    """Posts the main arguments in discussion threads opened under news posts."""

    def __init__(self, bot: CogBot) -> None:
        self.bot = bot

    # ---- debate digests ----------------------------------------------------------------------

    async def post_due_digests(self, report: IterationReport) -> None:
        """Post the main arguments in each discussion thread that is old and busy enough, once."""
        news = self.bot.options
        now = self.bot.clock()
        due = await self.bot.store.threads_due_for_digest(now, timedelta(hours=news.digest_after_hours))
        if not due:
            return
        if not self.bot.intents.message_content:
            return  # without message content every comment reads as empty
        for record in due:
            try:
                if await self.post_digest(record, now, news.digest_min_comments, news.digest_after_hours):
                    report.digests += 1
            except Exception:
                log.exception("news: digest for thread %s failed", record.thread_id)

    async def post_digest(
        self, record: ThreadRecord, now: datetime, min_comments: int, after_hours: float
    ) -> bool:
        thread = await find_channel(self.bot, record.thread_id)
        if thread is None or not hasattr(thread, "history"):
            await self.bot.store.mark_digest_posted(record.thread_id, now)  # the thread is gone
            return False
        missing = lacking(thread, READ_HISTORY + POST_IN_THREAD[1:])
        if getattr(thread, "locked", False) and not getattr(my_permissions(thread), "manage_threads", False):
            missing.append("Manage Threads (the thread is locked)")
        if missing:
            # Checked before reading and condensing: an unreadable thread reads as empty.
            await self._digest_failed(record, now, need_text(missing, thread))
            return False
        messages = [message async for message in thread.history(limit=DIGEST_HISTORY)]
        comments = comments_from_messages(messages)
        if len(comments) < min_comments:
            if now - record.created_at > timedelta(hours=after_hours) + DIGEST_GIVE_UP:
                await self.bot.store.mark_digest_posted(record.thread_id, now)
            return False
        debate = await self.bot.cpu.run(condense_debate, comments, max_arguments=DIGEST_MAX_ARGUMENTS)
        stats = render.DebateStats.of(debate.stats, record.url)
        try:
            await thread.send(embed=render.debate_embed(debate.arguments, stats), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            await self._digest_failed(record, now, f"Discord refused it ({exc.status}, code {exc.code})")
            return False
        await self.bot.store.mark_digest_posted(record.thread_id, now)
        return True

    async def _digest_failed(self, record: ThreadRecord, now: datetime, reason: str) -> None:
        """One more failed attempt at a digest; given up (with a log line) after a few."""
        attempts = await self.bot.store.count_digest_attempt(record.thread_id)
        if attempts >= MAX_DIGEST_ATTEMPTS:
            await self.bot.store.mark_digest_posted(record.thread_id, now)
            log.warning("news: digest for thread %s given up after %d attempts: %s", record.thread_id, attempts, reason)
        else:
            log.warning("news: digest for thread %s not posted (attempt %d of %d): %s",
                        record.thread_id, attempts, MAX_DIGEST_ATTEMPTS, reason)
