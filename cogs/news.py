"""The news loop: poll due sources, summarize new entries, post them, open discussion threads.

One iteration (:meth:`NewsCog.run_once`, also called by tests and benchmarks by hand):

1. every due source with a channel is polled through ``feeds.poller.poll_source`` (which claims
   new entries as ``pending`` and records failures, backoff and disabling on the source);
2. each pending entry is reconciled first (a crash between sending and ``mark_posted`` leaves a
   message the store does not know: it is found in the channel's recent history and recorded,
   not sent again), else summarized in a worker thread (``prepare_entry``), rendered, sent with
   no mentions allowed, and marked posted with the message id; with ``thread_per_article`` a
   thread is opened on the post and recorded for its debate digest;
3. sources disabled after repeated failures are announced once to their server;
4. threads old enough with enough comments get their debate digest, once.

Each source is handled inside its own ``try``: one bad source never stops the others, and the
loop body catches everything else too, because an exception escaping a ``tasks.loop`` ends it
for good.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import discord
from discord.ext import commands, tasks

from cogs import render
from cogs.shared import (
    NO_MENTIONS,
    POST_IN_CHANNEL,
    POST_IN_THREAD,
    READ_HISTORY,
    CogBot,
    comments_from_messages,
    guild_settings,
    lacking,
    my_permissions,
    need_text,
)
from db.models import DeliveryProblem, Entry, GuildSettings, Source, ThreadRecord
from feeds.decide import DUPLICATE_SKIP_REASON, posted_before
from feeds.poller import poll_source, prepare_entry, record_failure
from summarizer.debate import condense_debate

log = logging.getLogger(__name__)

#: Recent messages searched for our own post of a pending entry (DESIGN: reconcile, then send).
RECONCILE_HISTORY = 50
#: Sources polled at once (each fetch is I/O; parsing and summaries run in worker threads).
POLL_CONCURRENCY = 8
#: Messages of a thread read for its digest.
DIGEST_HISTORY = 500
DIGEST_MAX_ARGUMENTS = 5
#: A thread that has not reached the comment threshold this long after it became due is
#: dropped from the digest queue, so old quiet threads are not re-read forever.
DIGEST_GIVE_UP = timedelta(days=7)
THREAD_NAME_LIMIT = 100
#: Entries claimed by this iteration carry its ``now`` as created_at (up to storage rounding);
#: anything older was left pending by an earlier run and is reconciled before sending.
CLAIM_TOLERANCE = timedelta(seconds=1)
#: A new entry is compared with what its channel got this far back: one article arriving from
#: several sources (an agency's feed, an aggregator, the Spaceflight News API) is posted once.
DUPLICATE_WINDOW = timedelta(days=30)
#: Discord's refusals that come back the same on every retry (JSON error codes), and how the
#: admins' notice names them. The post is tried this many times in all (an admin may change the
#: rule meanwhile), then given up: the source goes on with its next entries.
PERMANENT_REFUSALS = {
    200000: "AutoMod blocked the message",
    240000: "Discord's harmful-link filter blocked the message",
    50035: "Discord refused the message as invalid",
}
MAX_POST_ATTEMPTS = 3
#: Iterations a thread's digest is tried while the bot may not read or post there, then given up.
MAX_DIGEST_ATTEMPTS = 3

def refusal(exc: discord.HTTPException) -> str | None:
    """Why Discord refused a post for good, or None when a retry may succeed."""
    meaning = PERMANENT_REFUSALS.get(exc.code)
    if meaning is None:
        return None
    detail = render.clean_text(exc.text, single_line=True)
    return f"{meaning} (code {exc.code}{': ' + detail[:200] if detail else ''})"


def thread_name(title: str) -> str:
    """A thread name from an entry title: one line, 1-100 characters."""
    name = render.clean_text(title, single_line=True)
    return render.cut(name, THREAD_NAME_LIMIT) or "Discussion"


#: ``find_existing_post``'s answer when the history could not be read.
Unreadable: Any = object()


@dataclass
class IterationReport:
    """What one iteration did (for logs, tests and benchmarks)."""

    polled: int = 0
    posted: int = 0
    reconciled: int = 0
    failed_sources: list[str] = field(default_factory=list)
    notices: int = 0
    digests: int = 0


class NewsCog(commands.Cog):
    def __init__(self, bot: CogBot) -> None:
        self.bot = bot
        self._gate = asyncio.Semaphore(POLL_CONCURRENCY)
        self._channel_locks: dict[int, asyncio.Lock] = {}

    async def cog_load(self) -> None:
        self.news_loop.change_interval(minutes=self.bot.options.interval_minutes)
        self.news_loop.start()

    async def cog_unload(self) -> None:
        # A post cut short here stays pending and is reconciled on the next start.
        self.news_loop.cancel()

    # ---- the loop --------------------------------------------------------------------------

    @tasks.loop(minutes=15)
    async def news_loop(self) -> None:
        try:
            report = await self.run_once()
        except Exception:
            log.exception("news loop iteration failed; trying again next time")
            return
        if report.polled or report.failed_sources:
            log.info(
                "news: polled %d, posted %d, reconciled %d, failed %d, notices %d, digests %d",
                report.polled,
                report.posted,
                report.reconciled,
                len(report.failed_sources),
                report.notices,
                report.digests,
            )

    @news_loop.before_loop
    async def before_news_loop(self) -> None:
        await self.bot.wait_until_ready()

    async def run_once(self) -> IterationReport:
        """One pass: poll due sources and post, announce disabled sources, post due digests."""
        report = IterationReport()
        now = self.bot.clock()
        sources = [source for source in await self.bot.store.due_sources(now) if source.channel_id]
        await asyncio.gather(*(self._guarded_source(source, now, report) for source in sources))
        for step in (self.announce_disabled_sources, self.announce_delivery_problems, self.post_due_digests):
            try:
                await step(report)
            except Exception:
                log.exception("news: %s failed", step.__name__)
        return report

    async def _guarded_source(self, source: Source, now: datetime, report: IterationReport) -> None:
        async with self._gate:
            if self._stopping():
                return
            try:
                await self.process_source(source, now, report)
            except Exception as exc:
                report.failed_sources.append(source.name)
                log.exception("news: source %s (#%d) failed: %s", source.name, source.id, exc)

    def _stopping(self) -> bool:
        shutting_down = getattr(self.bot, "shutting_down", None)
        return bool(shutting_down is not None and shutting_down.is_set())

    # ---- one source ------------------------------------------------------------------------

    async def _channel(self, channel_id: int) -> Any | None:
        """The channel to post in, from the cache or the API; None when it is gone or hidden."""
        channel = self.bot.get_channel(channel_id)
        if channel is not None:
            return channel
        try:
            return await self.bot.fetch_channel(channel_id)
        except (discord.NotFound, discord.Forbidden, discord.InvalidData):
            return None

    async def process_source(self, source: Source, now: datetime, report: IterationReport) -> None:
        channel = await self._channel(source.channel_id)
        unusable: str | None = None
        if channel is None or not hasattr(channel, "send"):
            unusable = f"channel {source.channel_id} is gone or I cannot see it"
        elif missing := lacking(channel, POST_IN_THREAD if isinstance(channel, discord.Thread) else POST_IN_CHANNEL):
            unusable = f"{need_text(missing, channel)} to post there"
        if unusable is not None:
            # Not polled (claiming entries would only strand them as pending), but counted as a
            # failure: it backs off, and after repeated failures it is disabled with a notice.
            reason = unusable
            report.failed_sources.append(source.name)
            log.warning("news: source %s (#%d): %s", source.name, source.id, reason)
            own = await guild_settings(self.bot, source.guild_id)
            await record_failure(source, self.bot.store, now, self.bot.poll_settings(own), reason)
            return
        # Posts follow the settings of the server they go to; polling, those of the source's
        # owner (the defaults for config-file sources). Usually the same server: read once.
        guild_id = getattr(getattr(channel, "guild", None), "id", None) or source.guild_id
        settings = await guild_settings(self.bot, guild_id)
        own = settings if guild_id == source.guild_id else await guild_settings(self.bot, source.guild_id)
        result = await poll_source(
            source,
            fetcher=self.bot.fetcher,
            store=self.bot.store,
            now=now,
            settings=self.bot.poll_settings(own),
            run_cpu=self.bot.cpu.run,
        )
        report.polled += 1
        if result.error:
            report.failed_sources.append(source.name)
            log.warning("news: source %s (#%d): %s", source.name, source.id, result.error)
        for entry in result.new_entries:
            if self._stopping():
                return
            if not await self.deliver(source, entry, channel, guild_id, settings, now, report):
                # Keep the feed's order: what follows waits for the next iteration.
                return

    async def deliver(
        self,
        source: Source,
        entry: Entry,
        channel: Any,
        guild_id: int,
        settings: GuildSettings,
        now: datetime,
        report: IterationReport,
    ) -> bool:
        """Post one pending entry (or record the post a crash left behind). False: stop this source."""
        if entry.created_at < now - CLAIM_TOLERANCE:
            # Claimed by an earlier iteration and still pending: we may have sent it and crashed.
            unreadable = lacking(channel, READ_HISTORY)
            existing = None if unreadable else await self.find_existing_post(channel, entry)
            if unreadable or existing is Unreadable:
                # Sending again could post it twice: record it as unconfirmed, tell the admins once.
                missing = unreadable or ["Read Message History"]
                reason = f"{need_text(missing, channel)} to check whether it was already posted before a restart"
                await self.bot.store.give_up_entry(entry.id, "unconfirmed", reason, self.bot.clock())
                log.warning("news: %s: entry %d unconfirmed, not posted again: %s", source.name, entry.id, reason)
                return True
            if existing is not None:
                post = await self.bot.store.mark_posted(
                    entry.id, channel.id, existing.id, self.bot.clock(), guild_id=guild_id
                )
                report.reconciled += 1
                if settings.thread_per_article and post is not None and existing.thread is None:
                    # The crash may also have come before the discussion thread was opened.
                    await self.open_thread(existing, entry, post.id)
                return True
        if await self.skip_if_posted_before(source, entry, channel.id, guild_id, now):
            return True  # before the article page is fetched for nothing
        prepared = await prepare_entry(
            entry,
            fetcher=self.bot.fetcher,
            store=self.bot.store,
            sentences=settings.sentences,
            max_quotes=settings.max_quotes,
            run_cpu=self.bot.cpu.run,
        )
        embed = render.news_embed(prepared, source.name, max_quotes=settings.max_quotes)
        # One channel's posts go out one at a time, so two sources bringing the same article
        # cannot both pass the check below before either is recorded.
        async with self._channel_locks.setdefault(channel.id, asyncio.Lock()):
            if await self.skip_if_posted_before(source, entry, channel.id, guild_id, now):
                return True
            return await self.send_post(source, entry, channel, guild_id, settings, embed, report)

    async def skip_if_posted_before(
        self, source: Source, entry: Entry, channel_id: int, guild_id: int, now: datetime
    ) -> bool:
        """Skip `entry` when this channel already got the same article (same canonical link) from
        another source within DUPLICATE_WINDOW (DESIGN.md "News delivery"). True when skipped."""
        if not entry.url:
            return False
        links = await self.bot.store.posted_links(guild_id, channel_id, now - DUPLICATE_WINDOW)
        if not posted_before(entry.url, links):
            return False
        await self.bot.store.mark_skipped(entry.id, DUPLICATE_SKIP_REASON)
        log.info("news: %s: entry %d already posted in channel %s from another source", source.name, entry.id, channel_id)
        return True

    async def send_post(
        self,
        source: Source,
        entry: Entry,
        channel: Any,
        guild_id: int,
        settings: GuildSettings,
        embed: discord.Embed,
        report: IterationReport,
    ) -> bool:
        """Send the rendered post and record it. False: stop this source for this iteration."""
        try:
            message = await channel.send(embed=embed, allowed_mentions=NO_MENTIONS)
        except (discord.Forbidden, discord.NotFound) as exc:
            # The channel refuses us (permissions changed since the check) or is gone: this entry is
            # given up and announced; the next iteration's check holds the source back instead.
            reason = f"Discord refused the post in channel {channel.id} ({exc.status}, code {exc.code})"
            await self.bot.store.give_up_entry(entry.id, "failed", reason, self.bot.clock())
            log.warning("news: %s: cannot post in channel %s: %s", source.name, channel.id, exc)
            return False
        except discord.HTTPException as exc:
            return await self.refused(source, entry, exc)
        post = await self.bot.store.mark_posted(
            entry.id, channel.id, message.id, self.bot.clock(), guild_id=guild_id
        )
        report.posted += 1
        if settings.thread_per_article and post is not None:
            await self.open_thread(message, entry, post.id)
        return True

    async def refused(self, source: Source, entry: Entry, exc: discord.HTTPException) -> bool:
        """A send Discord answered with an error: retry later, or give the entry up. True: go on."""
        reason = refusal(exc)
        if reason is None:
            log.warning("news: %s: send failed (%s); entry %d stays pending", source.name, exc.status, entry.id)
            return False  # keep the feed's order: what follows waits for the next iteration
        attempts = await self.bot.store.count_delivery_attempt(entry.id, reason, self.bot.clock())
        if attempts >= MAX_POST_ATTEMPTS:
            await self.bot.store.give_up_entry(entry.id, "failed", reason, self.bot.clock())
            log.warning("news: %s: entry %d given up after %d attempts: %s", source.name, entry.id, attempts, reason)
        else:
            log.warning("news: %s: entry %d refused (attempt %d of %d): %s",
                        source.name, entry.id, attempts, MAX_POST_ATTEMPTS, reason)
        # The same refusal would come back at once: the entries after it go ahead meanwhile.
        return True

    async def find_existing_post(self, channel: Any, entry: Entry) -> Any | None:
        """Our own message for ``entry`` among the channel's recent messages, if there is one.

        ``Unreadable`` when Discord refused to show the history (the caller must not send again).
        """
        me = self.bot.user
        if me is None:
            return Unreadable
        wanted_url = render.safe_url(entry.url)
        wanted_title = render.safe(entry.title, render.TITLE_LIMIT, single_line=True) or "(untitled)"
        try:
            async for message in channel.history(limit=RECONCILE_HISTORY):
                if message.author.id != me.id:
                    continue
                for embed in message.embeds:
                    if wanted_url is not None and embed.url == wanted_url:
                        return message
                    if wanted_url is None and embed.url is None and embed.title == wanted_title:
                        return message
        except discord.HTTPException as exc:
            log.warning("news: cannot read history of channel %s to reconcile: %s", channel.id, exc)
            return Unreadable
        return None

    async def open_thread(self, message: Any, entry: Entry, post_id: int) -> None:
        try:
            thread = await message.create_thread(name=thread_name(entry.title))
        except discord.HTTPException as exc:
            log.warning("news: cannot open a thread on message %s: %s", message.id, exc)
            return
        await self.bot.store.record_thread(post_id, thread.id, self.bot.clock())

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
        channel = await self._channel(source.channel_id) if source.channel_id else None
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
            elif await self._send_notice(target, render.delivery_problem_texts(problem)):
                report.notices += 1
            await self.bot.store.mark_problem_announced(problem.entry_id)

    async def _send_notice(self, target: Any, texts: list[str]) -> bool:
        """Send the first of ``texts`` Discord accepts: the fuller ones name the entry's title and link,
        which the same AutoMod rule that refused the post may refuse again."""
        for text in texts:
            try:
                await target.send(text, allowed_mentions=NO_MENTIONS)
                return True
            except discord.HTTPException as exc:
                if refusal(exc) is None:
                    log.warning("news: cannot send a notice in channel %s: %s", getattr(target, "id", "?"), exc)
                    return False
        log.warning("news: every form of a notice was refused in channel %s", getattr(target, "id", "?"))
        return False

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
        thread = await self._channel(record.thread_id)
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


async def setup(bot: CogBot) -> None:
    await bot.add_cog(NewsCog(bot))
