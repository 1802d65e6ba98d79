"""The news loop: poll due sources, summarize new entries, post them, open discussion threads.

One iteration (:meth:`NewsCog.run_once`, also called by tests and benchmarks by hand):

1. every due source with a channel is polled through ``feeds.poller.poll_source`` (which claims
   new entries as ``pending`` and records failures, backoff and disabling on the source);
2. each pending entry is claimed for its channel (``Store.claim_post``: processes sharing one
   database never send the same post), then reconciled when an earlier attempt was cut short (a
   crash between sending and ``mark_posted`` leaves a message the store does not know: it is
   found in the channel's recent history and recorded, not sent again), else summarized in a worker thread (``prepare_entry``), rendered, sent with
   no mentions allowed, and marked posted with the message id; with ``thread_per_article`` a
   thread is opened on the post and recorded for its debate digest;
3. sources disabled after repeated failures, and entries Discord refused for good, are announced
   once to their server (``cogs.upkeep.Notices``);
4. threads old enough with enough comments get their debate digest, once (``cogs.upkeep.Digests``).

Each source is handled inside its own ``try``: one bad source never stops the others, and the
loop body catches everything else too, because an exception escaping a ``tasks.loop`` ends it
for good.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
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
    guild_settings,
    lacking,
    need_text,
)
from cogs.upkeep import Digests, IterationReport, Notices, find_channel, holds_server, refusal
from db.models import Entry, GuildSettings, Source
from feeds.decide import DUPLICATE_SKIP_REASON, canonical_link
from feeds.poller import SharedFetches, poll_source, prepare_entry, record_failure

log = logging.getLogger(__name__)

#: Recent messages searched for our own post of a pending entry (DESIGN: reconcile, then send).
RECONCILE_HISTORY = 50
#: Sources polled at once (each fetch is I/O; parsing and summaries run in worker threads).
POLL_CONCURRENCY = 8
THREAD_NAME_LIMIT = 100
#: A post Discord refuses for good (``cogs.upkeep.refusal``) is tried this many times in all (an
#: admin may change the rule meanwhile), then given up: the source goes on with its next entries.
MAX_POST_ATTEMPTS = 3


def thread_name(title: str) -> str:
    """A thread name from an entry title: one line, 1-100 characters."""
    name = render.clean_text(title, single_line=True)
    return render.cut(name, THREAD_NAME_LIMIT) or "Discussion"


#: ``find_existing_post``'s answer when the history could not be read.
Unreadable: Any = object()


@dataclass(frozen=True)
class PostTarget:
    """Where a source's entries go this iteration: its channel, that channel's server and settings."""

    source: Source
    channel: Any
    guild_id: int
    settings: GuildSettings


class NewsCog(commands.Cog):
    def __init__(self, bot: CogBot) -> None:
        self.bot = bot
        self._gate = asyncio.Semaphore(POLL_CONCURRENCY)
        self._channel_locks: dict[int, asyncio.Lock] = {}
        self.notices = Notices(bot)
        self.digests = Digests(bot)

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
        due = [s for s in await self.bot.store.due_sources(now) if s.channel_id and self.holds(s)]
        # Processes sharing one database each poll a due source only once they have claimed it.
        sources = await self.bot.store.claim_sources(
            [source.id for source in due], owner=self.bot.instance_id, now=now, lease=self.bot.claim_lease
        )
        # Servers following the same feed each have a source: one fetch per feed this cycle.
        shared = SharedFetches(self.bot.fetcher, run_cpu=self.bot.cpu.run)
        shared.plan(sources)
        try:
            await asyncio.gather(*(self._guarded_source(source, now, report, shared) for source in sources))
        finally:
            shared.close()
        steps = (self.notices.announce_disabled_sources, self.notices.announce_delivery_problems, self.digests.post_due_digests)
        for step in steps:
            try:
                await step(report)
            except Exception:
                log.exception("news: %s failed", step.__name__)
        return report

    async def _guarded_source(
        self, source: Source, now: datetime, report: IterationReport, shared: SharedFetches | None = None
    ) -> None:
        async with self._gate:
            if self._stopping():
                return
            try:
                await self.process_source(source, now, report, shared)
            except Exception as exc:
                report.failed_sources.append(source.name)
                log.exception("news: source %s (#%d) failed: %s", source.name, source.id, exc)

    def holds(self, source: Source) -> bool:
        """Whether this process posts for the source: its server is on one of our shards."""
        return holds_server(self.bot, source.guild_id, source.channel_id)

    def _stopping(self) -> bool:
        shutting_down = getattr(self.bot, "shutting_down", None)
        return bool(shutting_down is not None and shutting_down.is_set())

    # ---- one source ------------------------------------------------------------------------

    async def process_source(
        self, source: Source, now: datetime, report: IterationReport, shared: SharedFetches | None = None
    ) -> None:
        channel = await find_channel(self.bot, source.channel_id)
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
            shared=shared,
        )
        report.polled += 1
        if result.error:
            report.failed_sources.append(source.name)
            log.warning("news: source %s (#%d): %s", source.name, source.id, result.error)
        for entry in result.new_entries:
            if self._stopping():
                return
            if not await self.deliver(PostTarget(source, channel, guild_id, settings), entry, report):
                # Keep the feed's order: what follows waits for the next iteration.
                return

    async def deliver(self, target: PostTarget, entry: Entry, report: IterationReport) -> bool:
        """Post one pending entry (or record the post a crash left behind). False: stop this source."""
        source, channel, guild_id, settings = target.source, target.channel, target.guild_id, target.settings
        claim = await self.bot.store.claim_post(
            entry.id, channel.id, owner=self.bot.instance_id, now=self.bot.clock(), lease=self.bot.claim_lease
        )
        if claim is None:
            # Posted meanwhile, or another process is sending it now: keep the feed's order.
            return False
        if claim == "retry":
            # An earlier attempt was cut short (a crash, a shutdown, a failed send): it may have sent.
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
        if await self.skip_if_posted_before(target, entry):
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
            if await self.skip_if_posted_before(target, entry):
                return True
            return await self.send_post(target, entry, embed, report)

    async def skip_if_posted_before(self, target: PostTarget, entry: Entry) -> bool:
        """Skip `entry` when this channel ever got the same article (same canonical link) from
        another source (DESIGN.md "News delivery"). True when skipped."""
        link = entry.canonical_link or canonical_link(entry.url)
        if link is None:
            return False
        source, channel_id = target.source, target.channel.id
        if not await self.bot.store.article_posted_in_channel(target.guild_id, channel_id, link):
            return False
        await self.bot.store.mark_skipped(entry.id, DUPLICATE_SKIP_REASON)
        log.info("news: %s: entry %d already posted in channel %s from another source", source.name, entry.id, channel_id)
        return True

    async def send_post(self, target: PostTarget, entry: Entry, embed: discord.Embed, report: IterationReport) -> bool:
        """Send the rendered post and record it. False: stop this source for this iteration."""
        source, channel = target.source, target.channel
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
            entry.id, channel.id, message.id, self.bot.clock(), guild_id=target.guild_id
        )
        report.posted += 1
        if target.settings.thread_per_article and post is not None:
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

async def setup(bot: CogBot) -> None:
    await bot.add_cog(NewsCog(bot))
