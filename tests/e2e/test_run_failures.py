"""`spacebrief run` fails in one line: a wrong api_base, an unreachable gateway, an unexpected error;
no voice warnings, no colours in files and pipes (DESIGN.md "Command line", issue 13)."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot import run as run_module
from bot.app import SpacebriefBot
from bot.run import GatewayWatch, http_failure_message, main_run, run_bot, setup_logging
from tests.e2e.conftest import bot_config_data, make_config
from tests.fake_discord import FakeDiscord

REPO = Path(__file__).resolve().parents[2]
NOT_FOUND_PAGE = "<html><head><title>404</title></head><body><h1>Not Found</h1><p>nginx</p></body></html>"


def free_port() -> int:
    with socket.socket() as probe:  # free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def web_server(status: int, page: str) -> TestServer:
    """A web server that is not Discord: every path answers `status` with an HTML page."""

    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, text=page, content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.fixture
async def html_404_server() -> AsyncIterator[TestServer]:
    server = await web_server(404, NOT_FOUND_PAGE)
    try:
        yield server
    finally:
        await server.close()


async def test_api_base_that_answers_a_web_page_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = await web_server(200, "<html><body><h1>Welcome to nginx!</h1></body></html>")
    try:
        base = f"http://127.0.0.1:{server.port}/api/v10"
        config = make_config({
            "discord": {"token": "t", "api_base": base, "gateway_url": f"ws://127.0.0.1:{server.port}/gateway"},
            "database": {"path": str(tmp_path / "bot.sqlite3")},
        })  # fmt: skip
        assert await asyncio.wait_for(run_bot(config, handle_signals=False), 30) == 2
    finally:
        await server.close()
    err = capsys.readouterr().err
    assert err.startswith(f"spacebrief: no Discord API at {base}: the login request did not get Discord's JSON back")
    assert err.endswith("check [discord] api_base\n") and err.count("\n") == 1
    assert "nginx" not in err and "Traceback" not in err


@pytest.fixture
def saved_logging() -> Iterator[None]:
    """setup_logging changes the root logger and discord's; put them back for the next test."""
    names = ["", "discord", *run_module.OWN_LOGGERS]
    saved = {name: (logging.getLogger(name).level, list(logging.getLogger(name).handlers)) for name in names}
    yield
    for name, (level, handlers) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers


async def run_cli(*args: str, env_extra: dict[str, str]) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), **env_extra}
    for name in ("SPACEBRIEF_CONFIG", "SPACEBRIEF_DEBUG", "NO_COLOR"):
        env.pop(name, None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")


async def test_api_base_that_answers_404_is_one_line_and_exit_2(
    html_404_server: TestServer, tmp_path: Path
) -> None:
    base = f"http://127.0.0.1:{html_404_server.port}/api/v10"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[discord]\napi_base = "{base}"\ngateway_url = "ws://127.0.0.1:{html_404_server.port}/gateway"\n'
        f'[database]\npath = "{tmp_path / "bot.sqlite3"}"\n',
        encoding="utf-8",
    )
    code, out, err = await run_cli("run", "--config", str(config), env_extra={"DISCORD_TOKEN": "not-a-token"})
    assert code == 2, err
    assert out == ""
    # The whole of stderr: our line, no traceback, no HTML, no voice warnings, no colour codes.
    assert err == (
        f"spacebrief: no Discord API at {base}: GET /users/@me answered 404 Not Found; "
        "check [discord] api_base (it ends with /api/v10)\n"
    )

    code, _, err = await run_cli("run", "--debug", "--config", str(config), env_extra={"DISCORD_TOKEN": "x"})
    assert code == 2
    assert "Traceback" in err and err.splitlines()[-1].startswith("spacebrief: no Discord API at")
    assert "\x1b[" not in err  # a pipe is not a terminal


async def test_unreachable_gateway_is_one_line_and_exit_1(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bot_config_data(tmp_path, fake_discord, news={"interval_minutes": 60})
    gateway = f"ws://127.0.0.1:{free_port()}/gateway"
    data["discord"]["gateway_url"] = gateway
    config = make_config(data)
    bot = SpacebriefBot(config, guild_ready_timeout=0.05)
    assert await asyncio.wait_for(run_bot(config, bot=bot, handle_signals=False), 30) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"spacebrief: cannot connect to the Discord gateway at {gateway}: "), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert bot.is_closed()


async def test_gateway_failures_after_the_first_ready_are_left_to_discord_py(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once connected, a lost gateway is an outage to ride out (discord.py reconnects), not an exit.
    bot = SpacebriefBot(make_config(bot_config_data(tmp_path, fake_discord)), guild_ready_timeout=0.05)
    watch = GatewayWatch(bot)
    record = logging.LogRecord(
        "discord.client", logging.ERROR, __file__, 1, "Attempting a reconnect in %.2fs", (1.0,), None
    )
    record.exc_info = (OSError, OSError("connection refused"), None)
    fresh = GatewayWatch(bot)
    monkeypatch.setattr(bot, "is_ready", lambda: True)  # as after READY
    assert watch.filter(record) is True and watch.error is None and not watch.failed.is_set()
    monkeypatch.setattr(bot, "is_ready", lambda: False)
    assert watch.filter(record) is True  # once ready, always: a later failure is an outage
    assert fresh.filter(record) is False and isinstance(fresh.error, OSError) and fresh.failed.is_set()
    assert GatewayWatch(bot, debug=True).filter(record) is True  # --debug keeps the traceback


class FakeResponse:
    def __init__(self, status: int, reason: str, url: str, method: str = "GET") -> None:
        self.status, self.reason, self.url, self.method = status, reason, url, method


def test_http_failures_never_show_an_html_page() -> None:
    base = "http://example.test/api/v10"
    html = discord.HTTPException(
        FakeResponse(500, "Internal Server Error", f"{base}/applications/1/commands"), NOT_FOUND_PAGE
    )  # type: ignore[arg-type]
    message, code = http_failure_message(html, base)
    assert (message, code) == (
        "spacebrief: Discord answered 500 Internal Server Error to GET /applications/1/commands",
        1,
    )
    missing = discord.HTTPException(FakeResponse(403, "Forbidden", f"{base}/applications/1/guilds/5/commands", "PUT"),  # type: ignore[arg-type]
                                    {"code": 50001, "message": "Missing Access"})  # fmt: skip
    message, code = http_failure_message(missing, base)
    assert (
        message
        == "spacebrief: Discord answered 403 Forbidden to PUT /applications/1/guilds/5/commands: Missing Access"
    )
    assert code == 1


def test_unexpected_failure_is_one_line_unless_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], saved_logging: None
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("something\nspanning lines")

    monkeypatch.setattr(run_module, "run_bot", broken)
    config = make_config({"discord": {"token": "t"}})
    assert main_run(config) == 1
    err = capsys.readouterr().err
    assert (
        err
        == "spacebrief: unexpected failure: RuntimeError: something spanning lines (--debug shows where)\n"
    )
    assert main_run(config, debug=True) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.endswith(
        "spacebrief: unexpected failure: RuntimeError: something spanning lines\n"
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "coloured"), [(io.StringIO(), False), (Terminal(), True)])
def test_colours_only_on_a_terminal(
    stream: io.StringIO, coloured: bool, monkeypatch: pytest.MonkeyPatch, saved_logging: None
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    setup_logging(stream=stream)
    logging.getLogger("bot.run").warning("hello")
    logging.getLogger("discord.client").info("chatter")  # discord.py's INFO lines stay out
    text = stream.getvalue()
    assert "hello" in text and "chatter" not in text
    assert ("\x1b[" in text) is coloured


def test_no_color_turns_colours_off_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, saved_logging: None
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    stream = Terminal()
    setup_logging(stream=stream)
    logging.getLogger("bot.run").warning("hello")
    assert "hello" in stream.getvalue() and "\x1b[" not in stream.getvalue()


def test_no_voice_warnings(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    with caplog.at_level(logging.WARNING, logger="discord"):
        SpacebriefBot(make_config({}))
    assert not [r for r in caplog.records if "voice" in r.getMessage()]
