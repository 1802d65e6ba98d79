"""`spacebrief run`: start the bot, stop it cleanly on SIGTERM/SIGINT.

Exit codes (DESIGN.md): 0 after a clean shutdown; 2 for a missing or rejected token, a bad
``[discord]`` setting (including an ``api_base`` where no Discord API answers) or an unusable
database; 1 when Discord cannot be reached (API or gateway) or for an unexpected failure. Every
failure is one line on stderr; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
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

#: Our loggers; `--debug` lowers them to DEBUG. discord.py's stay at WARNING unless debugging.
OWN_LOGGERS = ("bot", "cogs", "feeds", "db", "summarizer")
_LOG_FORMAT = "[{asctime}] [{levelname:<8}] {name}: {message}"
_LOG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
#: What discord.py logs (with a traceback) each time a connection to the gateway fails and it retries.
_RECONNECT_MESSAGES = ("Attempting a reconnect", "Failed to connect for shard_id")
_MAX_SHOWN_BODY = 160


def _fail(message: str) -> None:
    # One line whatever the exception text holds (aiohttp and sqlite messages can span lines).
    print(" ".join(message.split()), file=sys.stderr, flush=True)


def setup_logging(*, debug: bool = False, stream: Any = None) -> None:
    """Log to stderr; colours only when it is a terminal (and NO_COLOR is unset).

    discord.py's own set-up also colours output inside Docker, whatever the stream, which puts
    ANSI codes into files and pipes; so the formatter is chosen here.
    """
    stream = stream if stream is not None else sys.stderr
    colour = bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")
    formatter = (
        discord.utils.MISSING if colour else logging.Formatter(_LOG_FORMAT, _LOG_DATE_FORMAT, style="{")
    )
    discord.utils.setup_logging(
        handler=logging.StreamHandler(stream), formatter=formatter, level=logging.INFO, root=True
    )
    logging.getLogger("discord").setLevel(logging.INFO if debug else logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.INFO)


class GatewayWatch(logging.Filter):
    """Turns a failed first connection to the gateway into an answer instead of an endless retry.

    Before the bot was ever ready, discord.py meets an unreachable gateway by logging a traceback
    and retrying forever. Until the first READY this filter (on discord.py's loggers) records the
    error, sets `failed`, and keeps the traceback out of the log unless `debug`. After the first
    READY it lets everything through: a running bot should ride out Discord's outages.
    """

    LOGGERS = ("discord.client", "discord.shard")

    def __init__(self, bot: discord.Client, *, debug: bool = False) -> None:
        super().__init__()
        self.bot = bot
        self.debug = debug
        self.error: BaseException | None = None
        self.failed = asyncio.Event()
        self._was_ready = False

    def filter(self, record: logging.LogRecord) -> bool:
        self._was_ready = self._was_ready or self.bot.is_ready()
        if self._was_ready or not record.exc_info or not str(record.msg).startswith(_RECONNECT_MESSAGES):
            return True
        if self.error is None:
            self.error = record.exc_info[1]
            self.failed.set()
        return self.debug

    @contextlib.contextmanager
    def installed(self) -> Iterator[GatewayWatch]:
        loggers = [logging.getLogger(name) for name in self.LOGGERS]
        for logger in loggers:
            logger.addFilter(self)
        try:
            yield self
        finally:
            for logger in loggers:
                logger.removeFilter(self)


def describe_error(exc: BaseException) -> str:
    """An exception as one short line: its message, or its type when it has none."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def http_failure_message(exc: discord.HTTPException, api_base: str) -> tuple[str, int]:
    """(one line, exit code) for an HTTP error from Discord's API during start-up.

    A 404 means nothing at `api_base` speaks Discord's API: configuration, exit 2. The body is
    shown only when it is Discord's JSON message, never an HTML error page.
    """
    response = exc.response
    method = getattr(response, "method", "") or ""
    url = str(getattr(response, "url", "") or "")
    path = url[len(api_base.rstrip("/")) :] if url.startswith(api_base.rstrip("/")) else url
    reason = getattr(response, "reason", None) or ""
    status = f"{exc.status} {reason}".strip()
    request = f"{method} {path}".strip() or "a request"
    if exc.status == 404 and exc.code == 0:
        return (
            f"spacebrief: no Discord API at {api_base}: {request} answered {status}; "
            "check [discord] api_base (it ends with /api/v10)",
            2,
        )
    detail = " ".join((exc.text or "").split())
    if detail.startswith("<") or not detail:
        detail = ""
    elif len(detail) > _MAX_SHOWN_BODY:
        detail = detail[: _MAX_SHOWN_BODY - 1] + "…"
    return f"spacebrief: Discord answered {status} to {request}{': ' + detail if detail else ''}", 1


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
    debug: bool = False,
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

    async def announce_ready() -> None:
        servers = len(bot.guilds)
        _log.info("connected to Discord as %s (%d server%s)", bot.user, servers, "" if servers == 1 else "s")

    bot.add_listener(announce_ready, "on_ready")
    watch = GatewayWatch(bot, debug=debug)
    with stop_on_signals(stop) if handle_signals else contextlib.nullcontext(), watch.installed():
        async with bot:
            runner = asyncio.create_task(bot.start(token), name="spacebrief-bot")
            stopper = asyncio.create_task(stop.wait(), name="spacebrief-stop")
            gateway_failed = asyncio.create_task(watch.failed.wait(), name="spacebrief-gateway-watch")
            await asyncio.wait({runner, stopper, gateway_failed}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            gateway_failed.cancel()
            if not runner.done():
                _log.info("shutting down")
                await bot.close()
                try:
                    await runner
                except Exception:
                    # Closing mid-login or mid-connect fails whatever request was in flight;
                    # the shutdown was asked for, so that is still a clean exit.
                    _log.debug("start-up interrupted by the shutdown", exc_info=True)
                if watch.error is not None and not stop.is_set():
                    reason = describe_error(watch.error)
                    _fail(
                        f"spacebrief: cannot connect to the Discord gateway at {config.discord.gateway_url}: {reason}"
                    )
                    return 1
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
            except discord.HTTPException as exc:  # e.g. a 404 from an api_base that is not Discord's API
                message, code = http_failure_message(exc, config.discord.api_base)
                if debug:
                    _log.error("Discord's API refused a start-up request", exc_info=True)
                _fail(message)
                return code
            except (TypeError, KeyError, ValueError) as exc:
                if bot.user is not None:  # logged in: not a bad answer to the login, a real failure
                    raise
                # Something at api_base answered the login with a success that is not Discord's
                # JSON (a web page, another API): discord.py then fails reading it.
                if debug:
                    _log.error("the login answer could not be read", exc_info=True)
                _fail(
                    f"spacebrief: no Discord API at {config.discord.api_base}: the login request did not get "
                    f"Discord's JSON back ({describe_error(exc)}); check [discord] api_base"
                )
                return 2
            except StoreError as exc:  # not a usable database, or one from a newer version
                _fail(f"spacebrief: database {config.database.path}: {exc}")
                return 2
            except (aiohttp.ClientConnectionError, OSError) as exc:
                _fail(f"spacebrief: cannot reach Discord at {config.discord.api_base}: {exc}")
                return 1
    return 0


def main_run(config: Config, *, debug: bool = False) -> int:
    """The CLI's `run` entry (synchronous): logging, the event loop, the exit code."""
    if config.discord_token() is None:
        _fail(NO_TOKEN_MESSAGE)
        return 2
    setup_logging(debug=debug)
    try:
        return asyncio.run(run_bot(config, debug=debug))
    except KeyboardInterrupt:  # a second Ctrl-C: the clean shutdown was cut short
        _fail("spacebrief: interrupted during shutdown")
        return 130
    except Exception as exc:
        if debug:
            _log.error("unexpected failure", exc_info=True)
        hint = "" if debug else " (--debug shows where)"
        _fail(f"spacebrief: unexpected failure: {type(exc).__name__}: {describe_error(exc)}{hint}")
        return 1
