"""The bot process object: ``SpacebriefBot`` wires config, store, fetcher and the cogs together.

``setup_hook`` (run by discord.py after login, before the gateway connects) opens the store and
the fetcher, syncs the config file's sources into the store, loads the ``cogs.*`` extensions and
syncs the slash commands, but only when their JSON changed since the last sync for that scope
(Discord rate-limits command syncs hard, and a restart should not re-sync). The last synced hash
lives in the store (``command_syncs``, SQLite and PostgreSQL alike); with an unchanged hash one
GET still checks that Discord lists the same commands (they may have been removed elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import hashlib
import importlib
import json
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import discord
import yarl
from discord.ext import commands

from bot.config import Config, DiscordSettings
from bot.wiring import (
    claim_owner,
    cog_options,
    config_sources,
    dead_local_owners,
    default_settings,
    fetch_limits,
    poll_settings,
)
from cogs.shared import CogBot
from db.models import GuildSettings
from db.store import Store
from feeds.fetch import Fetcher
from feeds.poller import PollSettings
from feeds.records import fill_canonical_links

_log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: Extensions loaded in setup_hook, in this order (errors last: it installs the tree's error handler).
EXTENSIONS: tuple[str, ...] = ("cogs.news", "cogs.members", "cogs.admin", "cogs.errors")

_MEMORY_DATABASES = {"", ":memory:"}

#: Worker threads behind asyncio.to_thread. CPU work (summaries, debates, feed parsing) holds the
#: GIL, and every extra runnable thread makes the event loop wait longer to get it back (asyncio's
#: default is CPUs + 4; see docs/benchmarks.md, issue 4). DNS look-ups share this pool, so it
#: stays above 2 to keep a long condense from stalling them.
WORKER_THREADS = 4

#: Worker processes of SpacebriefBot.cpu (CpuPool): each holds its own copy of the text tools.
CPU_PROCESSES = 2

#: Third-party modules the summarizer imports on first use. Importing ~1,300 modules compiles and
#: holds the import lock and the GIL for a few hundred ms; doing it at start-up keeps that stall
#: off the first /summarize or /debate (measured in bench/loop_lag.py).
LAZY_TEXT_MODULES: tuple[str, ...] = ("sumy.nlp.stemmers", "sumy.utils", "trafilatura", "charset_normalizer")

#: Imported once by the fork server that starts the CPU worker processes.
CPU_PRELOAD: tuple[str, ...] = ("summarizer", "feeds.parse", "feeds.snapi", *LAZY_TEXT_MODULES)


def use_worker_threads(loop: asyncio.AbstractEventLoop, count: int = WORKER_THREADS) -> None:
    """Give `loop` a bounded default executor (the one asyncio.to_thread uses)."""
    loop.set_default_executor(ThreadPoolExecutor(max_workers=count, thread_name_prefix="spacebrief-worker"))


def warm_up_text_tools() -> None:
    """Import the summarizer's lazily imported dependencies now (synchronous; run it in a thread)."""
    for name in LAZY_TEXT_MODULES:
        importlib.import_module(name)


#: A short article a worker summarizes once when the pool is warmed: its regexes compile, its stop
#: words load and every lazy import happens before the first real post.
WARM_UP_ARTICLE = (
    "Probe reaches orbit\n\nThe probe reached orbit on Monday, the agency said. "
    '"Everything worked," said the flight director, Ana Ruiz. Engineers will check the data this week.'
)


def warm_worker() -> int:
    """Run in each worker by CpuPool.warm: the imports and one small summary (returns the pid)."""
    from summarizer import summarize

    warm_up_text_tools()
    summarize(WARM_UP_ARTICLE)
    time.sleep(0.05)  # stay busy a moment, so that the next warm-up task goes to another worker
    return os.getpid()


#: prctl(2) option: the signal the kernel sends a process when its parent dies (Linux).
PR_SET_PDEATHSIG = 1

#: The status a CPU worker exits with when it outlived the bot (a SIGKILLed bot runs no clean-up).
ORPHANED_WORKER_EXIT = 70


def kill_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Have the kernel send `sig` to this process when its parent dies (Linux only; False elsewhere).

    The parent here is the process that forked this one: for CpuPool's workers that is the fork
    server, not the bot, so this alone does not end them with the bot (see exit_with_bot)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def exit_with_bot() -> bool:
    """Exit this worker process as soon as the process that started it (the bot) is gone.

    A SIGKILLed bot closes nothing: its workers would wait for tasks forever, and the fork
    server that forked them stays up for as long as they do. multiprocessing gives every worker
    a sentinel of its creator (``parent_process()``, the read end of a pipe only the bot holds
    open), which the kernel closes when the bot dies, however it dies. A daemon thread waits on
    it: no polling, no pid reuse. Returns False when this process was not started by
    multiprocessing (nothing to watch).
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return False

    def wait_for_the_bot() -> None:
        parent.join()  # returns when the sentinel pipe reaches EOF
        os._exit(ORPHANED_WORKER_EXIT)

    threading.Thread(target=wait_for_the_bot, name="spacebrief-parent-watch", daemon=True).start()
    return True


def start_cpu_worker() -> None:
    """CpuPool's worker initializer: end with the bot, then import the text tools.

    Two guards: the kernel's parent-death signal, for the fork server that forked the worker
    (the executor counts a worker whose fork server died as dead, so it should be), and the
    bot's sentinel, which ends the worker when the bot itself dies, on every platform.
    """
    kill_with_parent()
    exit_with_bot()
    warm_up_text_tools()


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_intents(settings: DiscordSettings) -> discord.Intents:
    """Minimal intents: guilds and guild messages; message content only when configured.

    Message content is privileged (it must also be enabled in the developer portal); only
    ``/debate`` on a channel needs it.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = settings.message_content
    return intents


def point_at_discord(api_base: str, gateway_url: str) -> None:
    """Aim discord.py's REST and gateway clients at `api_base` / `gateway_url`.

    discord.py reads these two class attributes process-wide: ``Route.BASE`` (it must include
    ``/api/v10``; interaction callbacks and webhooks use it too) and
    ``DiscordWebSocket.DEFAULT_GATEWAY`` (a ``yarl.URL``: discord.py calls ``.with_query`` on it).
    They must be set before login. Raises ValueError (one line) for a URL of the wrong scheme.
    """
    try:
        api = yarl.URL(api_base.strip())
        gateway = yarl.URL(gateway_url.strip())
    except (ValueError, TypeError) as exc:
        raise ValueError(f"[discord] api_base/gateway_url: not a URL: {exc}") from None
    if api.scheme not in ("http", "https") or not api.host:
        raise ValueError(f"[discord] api_base must be an http(s) URL, got {api_base!r}")
    if not re.search(r"/api/v\d+/?$", api.path):
        # Without the version path every request 404s and login fails with a confusing error.
        raise ValueError(f"[discord] api_base must end with the API version path (/api/v10), got {api_base!r}")
    if gateway.scheme not in ("ws", "wss") or not gateway.host:
        raise ValueError(f"[discord] gateway_url must be a ws(s) URL, got {gateway_url!r}")
    discord.http.Route.BASE = str(api).rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


def commands_hash(payload: Sequence[dict[str, Any]]) -> str:
    """A stable digest of a command set as Discord would receive it (key order ignored)."""
    canonical = json.dumps(list(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def legacy_sync_hash_file(database_path: str) -> Path | None:
    """Where spacebrief kept the synced command hashes before the store did: a JSON file beside
    the SQLite database (None for a database in memory or on PostgreSQL, which never had one)."""
    if not database_path or database_path in _MEMORY_DATABASES or database_path.startswith("file::memory:"):
        return None
    database = Path(database_path)
    return database.with_name(database.name + ".sync-hash")


def read_legacy_sync_hashes(path: Path) -> dict[str, str]:
    """The scopes and hashes of an old sync-hash file ({} when missing or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(scope): digest for scope, digest in data.items() if isinstance(digest, str)}


async def import_legacy_sync_hashes(store: Store, database_path: str, *, now: datetime) -> int:
    """Move the hashes of an old ``<database>.sync-hash`` file into the store, then delete the
    file, so an upgrade does not cost a sync. Returns how many scopes were taken; an unreadable
    file is dropped (the cost: one sync)."""
    path = legacy_sync_hash_file(database_path)
    if path is None or not await asyncio.to_thread(path.exists):
        return 0
    taken = 0
    for scope, digest in (await asyncio.to_thread(read_legacy_sync_hashes, path)).items():
        if await store.synced_commands_hash(scope) is None:
            await store.record_commands_sync(scope, digest, now=now)
            taken += 1
    await asyncio.to_thread(path.unlink, missing_ok=True)
    return taken


class CpuWorkerError(RuntimeError):
    """A worker process died mid-task (killed, or out of memory on a huge input); one line."""


class CpuPool:
    """Worker processes for the CPU-heavy pure functions: condense, summarize, parse_feed.

    Threads keep the event loop waiting for the GIL under a long debate or many feed polls;
    processes do not (the measured lag is in docs/benchmarks.md, bench/loop_lag.py). The pool starts
    on first use, with ``forkserver`` so workers never inherit the bot's threads or sockets, and
    each worker imports the text tools once. `func` must be a module-level function and its
    arguments and result picklable (comments, bytes, str and the result dataclasses are).
    Workers exit on their own when the bot dies, even by SIGKILL (``start_cpu_worker``).
    """

    def __init__(self, workers: int = CPU_PROCESSES) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False

    def _ensure(self) -> ProcessPoolExecutor:
        if self._closed:
            raise RuntimeError("the CPU pool is closed")
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            # Workers fork from a server that already imported the text tools: each starts in
            # milliseconds instead of re-importing sumy, trafilatura and NLTK.
            context.set_forkserver_preload(list(CPU_PRELOAD))
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=start_cpu_worker,
            )
        return self._pool

    async def run(self, func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``func(*args, **kwargs)`` in a worker process; its exceptions are raised here."""
        pool = self._ensure()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(pool, functools.partial(func, *args, **kwargs))
        except BrokenProcessPool:
            # A dead worker breaks the whole pool: start a fresh one on the next call.
            if self._pool is pool:
                self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise CpuWorkerError("a worker process died during the task (was the input too large?)") from None

    async def warm(self) -> set[int]:
        """Start every worker (each imports the text tools as it starts) and run one small summary
        in them before real work arrives; returns the process ids that ran it. Tasks submitted
        together start one worker each."""
        return set(await asyncio.gather(*(self.run(warm_worker) for _ in range(self.workers))))

    @property
    def started(self) -> int:
        """How many worker processes are running."""
        return len(self._pool._processes or {}) if self._pool is not None else 0

    def close(self) -> None:
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class StartUpAborted(Exception):
    """close() was called while setup_hook was still running; start-up stopped and was undone."""


def shard_options(settings: DiscordSettings) -> dict[str, Any]:
    """``AutoShardedBot``'s shard arguments: none (Discord's recommendation), or the configured ones."""
    options: dict[str, Any] = {}
    if settings.shard_count is not None:
        options["shard_count"] = settings.shard_count
    if settings.shard_ids is not None:
        options["shard_ids"] = list(settings.shard_ids)
    return options


class SpacebriefBot(commands.AutoShardedBot):
    """The spacebrief Discord client. Attributes used by the cogs:

    ``config`` (the loaded Config), ``store`` (db.store.Store, open from setup_hook until close),
    ``fetcher`` (feeds.fetch.Fetcher, likewise), ``clock`` (UTC-aware "now"; tests inject a fake),
    ``shutting_down`` (set when close() begins: loops stop taking new work and let the current
    post finish or release it), ``cpu`` (a CpuPool: ``await bot.cpu.run(condense, comments)``
    keeps the event loop responsive where ``asyncio.to_thread`` cannot; opt-in, started lazily).

    It is an ``AutoShardedBot``: without ``[discord] shard_count`` it runs as many shards as
    Discord recommends (one for a small bot); with ``shard_count`` and ``shard_ids`` it runs only
    those shards, so several processes share one bot (README "Running at scale").
    """

    store: Store
    fetcher: Fetcher

    def __init__(
        self,
        config: Config,
        *,
        clock: Callable[[], datetime] = utc_now,
        extensions: Sequence[str] = EXTENSIONS,
        **options: Any,
    ) -> None:
        # spacebrief never joins voice: without this discord.py warns at every start that PyNaCl and
        # davey (its voice dependencies) are missing.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            # Slash commands only; a prefix is required by commands.Bot, a mention never needs content.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=build_intents(config.discord),
            allowed_mentions=discord.AllowedMentions.none(),
            **shard_options(config.discord),
            **options,
        )
        self.config = config
        self.options = cog_options(config)
        self.server_defaults = default_settings(config)
        self.clock = clock
        self.extensions_to_load: tuple[str, ...] = tuple(extensions)
        # Who holds this process's claims in a shared database (db.claims): unique per run.
        self.instance_id = claim_owner("bot")
        self.claim_lease = timedelta(seconds=config.database.claim_timeout_s)
        self.synced_scopes: list[str] = []  # scopes synced by this process (for logs and tests)
        self.shutting_down = asyncio.Event()
        self.cpu = CpuPool()  # opt-in alternative to asyncio.to_thread for heavy pure functions
        self._cpu_warm_up: asyncio.Task[None] | None = None
        self._resources = AsyncExitStack()

    def poll_settings(self, server: GuildSettings) -> PollSettings:
        """How a source is polled under a server's settings (``bot.wiring.poll_settings``)."""
        return poll_settings(self.config, server)

    async def setup_hook(self) -> None:
        """Open the store and fetcher, sync config sources, load the cogs, sync commands.

        A shutdown requested meanwhile (SIGTERM during start-up) has already run close(), which
        could not release what is opened after it: each step checks, and undoes what it did.
        """
        try:
            self.store = await self._resources.enter_async_context(Store.open(self.config.database.target))
            self._stop_if_closing()
            self.fetcher = await self._resources.enter_async_context(Fetcher(fetch_limits(self.config)))
            if self.store.backend == "sqlite":
                await import_legacy_sync_hashes(self.store, self.config.database.target, now=self.clock())
            if filled := await fill_canonical_links(self.store):
                # Entries recorded before canonical links were stored: duplicates are checked by them.
                _log.info("canonical links filled in for %d older entries", filled)
            sources = await self.store.sync_config_sources(config_sources(self.config), now=self.clock())
            # Claims of processes that died on this machine (a killed bot or preview) are taken
            # over at once; those of other machines expire after [database] claim_timeout_s.
            await self.store.expire_claims(dead_local_owners(await self.store.claim_owners()), now=self.clock())
            _log.info("config sources synced: %d", len(sources))
            await asyncio.to_thread(warm_up_text_tools)
            if any(source.channel_id for source in await self.store.list_all_sources()):
                # Something will be posted: the CPU workers warm up meanwhile, not on the first post.
                self._cpu_warm_up = asyncio.create_task(self._warm_cpu(), name="spacebrief-cpu-warm-up")
            for extension in self.extensions_to_load:
                self._stop_if_closing()
                await self.load_extension(extension)
            self._stop_if_closing()
            shard_ids = self.config.discord.shard_ids
            if shard_ids is None or 0 in shard_ids:
                await self.sync_commands_if_changed()
            else:
                # Commands belong to the application, not to a shard: one process syncs them.
                _log.info("slash commands are synced by the process that runs shard 0")
        except StartUpAborted:
            await self._undo_start_up()
            raise
        except BaseException:
            if self.shutting_down.is_set():
                await self._undo_start_up()
            raise

    async def launch_shards(self) -> None:
        # discord.py takes the gateway URL from GET /gateway/bot when it asks for the shard count;
        # asking here first keeps the configured [discord] gateway_url in force either way.
        if self.shard_count is None and not self.is_closed():
            self.shard_count, _, _ = await self.http.get_bot_gateway()
            _log.info("Discord recommends %d shard(s)", self.shard_count)
        await super().launch_shards()

    async def launch_shard(self, gateway: yarl.URL, shard_id: int, *, initial: bool = False) -> None:
        # discord.py retries a failed shard connection forever, by calling this again: once the
        # bot is closing (a shutdown, or an unreachable gateway at start-up) it must stop.
        if self.is_closed():
            return
        await super().launch_shard(gateway, shard_id, initial=initial)

    def holds_guild(self, guild_id: int) -> bool:
        """Whether this process runs the shard of that server (so it alone posts there)."""
        return self.config.discord.holds_guild(guild_id)

    def runs_every_shard(self) -> bool:
        return self.config.discord.runs_every_shard()

    def _stop_if_closing(self) -> None:
        if self.shutting_down.is_set():
            raise StartUpAborted("shutdown requested during start-up")

    async def _undo_start_up(self) -> None:
        # Extensions first (their loops use the store), then the store and fetcher.
        for extension in tuple(self.extensions):
            with contextlib.suppress(Exception):
                await self.unload_extension(extension)
        await self._resources.aclose()

    def sync_scope(self) -> discord.Object | None:
        """Where commands go: the dev guild when set (instant), else global (None)."""
        guild_id = self.config.discord.dev_guild_id
        return discord.Object(id=guild_id) if guild_id else None

    def command_payload(self, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
        """The JSON ``tree.sync`` would send for this scope (no translator is installed)."""
        return [command.to_dict(self.tree) for command in self.tree._get_all_commands(guild=guild)]

    async def sync_commands_if_changed(self) -> bool:
        """Sync the command tree to its scope unless the same commands were synced before.

        Returns True when a sync happened. A refused sync (missing access to the dev guild, an
        invalid command) is logged and retried on the next start rather than stopping the bot.
        """
        guild = self.sync_scope()
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        scope = f"{self.application_id}:{'guild:' + str(guild.id) if guild else 'global'}"
        payload = self.command_payload(guild)
        digest = commands_hash(payload)
        if await self.store.synced_commands_hash(scope) == digest:
            if await self._remote_commands_match(payload, guild):
                _log.info("slash commands unchanged (%s); not syncing", scope)
                return False
            _log.info("slash commands on Discord differ from the last sync (%s); syncing again", scope)
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:
            _log.error("slash command sync failed (%s): %s %s", scope, exc.status, exc.text)
            return False
        await self.store.record_commands_sync(scope, digest, now=self.clock())
        self.synced_scopes.append(scope)
        _log.info("synced %d slash commands (%s)", len(synced), scope)
        return True

    async def _remote_commands_match(
        self, payload: Sequence[dict[str, Any]], guild: discord.abc.Snowflake | None
    ) -> bool:
        """Whether Discord still has the commands we last synced (by name and type).

        One GET per start catches commands deleted or replaced from elsewhere (another process
        with the same token, a manual clean-up), which the local hash cannot know about.
        """
        try:
            remote = await self.tree.fetch_commands(guild=guild)
        except discord.HTTPException as exc:
            _log.warning("cannot list the synced slash commands: %s %s", exc.status, exc.text)
            return True  # unknown: trust the hash rather than re-sync on every error
        there = sorted((command.name, command.type.value) for command in remote)
        ours = sorted((str(command["name"]), int(command.get("type", 1))) for command in payload)
        return there == ours

    async def _warm_cpu(self) -> None:
        try:
            workers = await self.cpu.warm()
        except Exception:  # the first real task starts the pool again and reports a real failure
            _log.warning("warming the CPU workers failed", exc_info=True)
        else:
            _log.info("CPU workers warm: %d", len(workers))

    async def close(self) -> None:
        self.shutting_down.set()
        if self._cpu_warm_up is not None:
            self._cpu_warm_up.cancel()
        try:
            # commands.Bot.close unloads the extensions first (their loops stop there), then
            # closes the gateway and HTTP session; the store and fetcher outlive the cogs.
            await super().close()
        finally:
            self.cpu.close()
            await self._release_claims()
            await self._resources.aclose()

    async def _release_claims(self) -> None:
        """Let another process (or our next start) take over at once what this one had claimed."""
        store: Store | None = getattr(self, "store", None)
        if store is None:
            return
        try:
            released = await store.release_claims(owner=self.instance_id, now=self.clock())
        except Exception as exc:  # closing anyway: the claims expire by themselves
            _log.warning("could not release this process's claims: %s", exc)
            return
        if released:
            _log.info("released %d claim(s) for other processes", released)


def as_cog_bot(bot: SpacebriefBot) -> CogBot:
    """The bot as the cogs type it; mypy checks here that ``SpacebriefBot`` is a ``CogBot``."""
    return bot
