"""`spacebrief run`: start the bot, stop it cleanly on SIGTERM/SIGINT.

Exit codes (DESIGN.md): 0 after a clean shutdown, 2 for a missing or rejected token, a bad
``[discord]`` setting or an unusable database (one line on stderr), 1 for an unexpected failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import aiohttp
import discord

from bot.app import SpacebriefBot, point_at_discord, use_worker_threads
from bot.config import Config
from db.models import StoreError

_log = logging.getLogger(__name__)

NO_TOKEN_MESSAGE = (
    "spacebrief: no Discord token: create a bot at https://discord.com/developers/applications "
    "and set DISCORD_TOKEN (see README)"
)
BAD_TOKEN_MESSAGE = "spacebrief: Discord rejected the token (401 Unauthorized): check DISCORD_TOKEN"
NO_CONTENT_INTENT_MESSAGE = (
    "spacebrief: the message content intent is not enabled for this bot: enable it in the developer "
    "portal (Bot > Privileged Gateway Intents) or set [discord] message_content = false"
)


SignalHandler = Callable[[int, FrameType | None], Any] | int | None


def _fail(message: str) -> None:
    # One line whatever the exception text holds (aiohttp and sqlite messages can span lines).
    print(" ".join(message.split()), file=sys.stderr, flush=True)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """The first SIGTERM or SIGINT sets `stop`; a second one acts as if we were not there.

    After the first signal the previous handlers are back, so if the clean shutdown hangs, a
    second Ctrl-C raises KeyboardInterrupt and a second SIGTERM terminates the process.
    """
    loop = asyncio.get_running_loop()
    installed: list[tuple[signal.Signals, SignalHandler]] = []

    def restore() -> None:
        while installed:
            signum, previous = installed.pop()
            loop.remove_signal_handler(signum)
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)

    def first_signal(signum: signal.Signals) -> None:
        _log.info("%s: shutting down cleanly (send it again to stop at once)", signum.name)
        stop.set()
        restore()

    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        try:
            loop.add_signal_handler(signum, first_signal, signum)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            continue
        installed.append((signum, previous))
    try:
        yield
    finally:
        restore()


async def run_bot(
    config: Config,
    *,
    bot: SpacebriefBot | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> int:
    """Run the bot until `stop` is set (or SIGTERM/SIGINT); returns the exit code.

    Tests pass their own `bot` (a fake clock, a short guild_ready_timeout), a `stop` event, and
    ``handle_signals=False`` when they run inside pytest's loop.
    """
    token = config.discord_token()
    if token is None:
        _fail(NO_TOKEN_MESSAGE)
        return 2
    try:
        point_at_discord(config.discord.api_base, config.discord.gateway_url)
    except ValueError as exc:
        _fail(f"spacebrief: {exc}")
        return 2
    stop = stop or asyncio.Event()
    use_worker_threads(asyncio.get_running_loop())
    bot = bot or SpacebriefBot(config)
    with stop_on_signals(stop) if handle_signals else contextlib.nullcontext():
        async with bot:
            runner = asyncio.create_task(bot.start(token), name="spacebrief-bot")
            stopper = asyncio.create_task(stop.wait(), name="spacebrief-stop")
            await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not runner.done():
                _log.info("shutting down")
                await bot.close()
                try:
                    await runner
                except Exception:
                    # Closing mid-login or mid-connect fails whatever request was in flight;
                    # the shutdown was asked for, so that is still a clean exit.
                    _log.debug("start-up interrupted by the shutdown", exc_info=True)
                return 0
            try:
                await runner
            except discord.LoginFailure:
                _fail(BAD_TOKEN_MESSAGE)
                return 2
            except discord.PrivilegedIntentsRequired:
                _fail(NO_CONTENT_INTENT_MESSAGE)
                return 2
            except discord.ConnectionClosed as exc:
                if exc.code == 4004:  # the gateway refused the token
                    _fail(BAD_TOKEN_MESSAGE)
                    return 2
                _fail(f"spacebrief: Discord closed the connection (code {exc.code}): {exc.reason or 'no reason'}")
                return 1
            except StoreError as exc:  # not a usable database, or one from a newer version
                _fail(f"spacebrief: database {config.database.path}: {exc}")
                return 2
            except (aiohttp.ClientConnectionError, OSError) as exc:
                _fail(f"spacebrief: cannot reach Discord at {config.discord.api_base}: {exc}")
                return 1
    return 0


def main_run(config: Config) -> int:
    """The CLI's `run` entry (synchronous): logging, the event loop, the exit code."""
    if config.discord_token() is None:
        _fail(NO_TOKEN_MESSAGE)
        return 2
    discord.utils.setup_logging(level=logging.INFO, root=True)
    try:
        return asyncio.run(run_bot(config))
    except KeyboardInterrupt:  # a second Ctrl-C: the clean shutdown was cut short
        _fail("spacebrief: interrupted during shutdown")
        return 130
    except Exception as exc:
        _log.error("unexpected failure", exc_info=True)
        _fail(f"spacebrief: unexpected failure: {type(exc).__name__}: {exc}")
        return 1
