"""`spacebrief run` against the fake Discord: login, command sync, restarts, exit codes, signals."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import SpacebriefBot, build_intents, commands_hash, point_at_discord
from bot.config import Config, DiscordSettings
from bot.run import BAD_TOKEN_MESSAGE, NO_CONTENT_INTENT_MESSAGE, NO_TOKEN_MESSAGE, run_bot, stop_on_signals
from db import NewEntry, Store
from tests.db.conftest import raw_sql
from tests.e2e.conftest import RunningBot, bot_config_data, make_config, now_utc
from tests.fake_discord import FakeDiscord

REPO = Path(__file__).resolve().parents[2]
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_MESSAGE_CONTENT = 1 << 15
CONTRACT_COMMANDS = {"summarize", "quotes", "news", "debate", "sources", "settings"}


def synced_names(fake: FakeDiscord, index: int) -> set[str]:
    return {c["name"] for c in fake.command_syncs[index].commands}


# ---- pure pieces ----------------------------------------------------------------------------------


def test_intents_are_minimal_and_content_follows_the_config() -> None:
    with_content = build_intents(DiscordSettings(message_content=True))
    without = build_intents(DiscordSettings(message_content=False))
    assert with_content.value == INTENT_GUILDS | INTENT_GUILD_MESSAGES | INTENT_MESSAGE_CONTENT
    assert without.value == INTENT_GUILDS | INTENT_GUILD_MESSAGES


def test_commands_hash_ignores_key_order_and_sees_changes() -> None:
    one = [{"name": "news", "description": "latest", "options": [{"name": "count", "type": 4}]}]
    reordered = [{"options": [{"type": 4, "name": "count"}], "description": "latest", "name": "news"}]
    changed = [{"name": "news", "description": "latest!", "options": [{"name": "count", "type": 4}]}]
    assert commands_hash(one) == commands_hash(reordered)
    assert commands_hash(one) != commands_hash(changed)


def test_endpoints_must_have_the_right_schemes() -> None:
    with pytest.raises(ValueError, match="api_base"):
        point_at_discord("ftp://example.com/api/v10", "ws://example.com")
    with pytest.raises(ValueError, match="gateway_url"):
        point_at_discord("http://example.com/api/v10", "http://example.com")
    with pytest.raises(ValueError, match=r"/api/v10"):
        point_at_discord("https://discord.com", "wss://gateway.discord.gg")
    point_at_discord("http://127.0.0.1:9/api/v10/", "ws://127.0.0.1:9/gw")
    assert discord.http.Route.BASE == "http://127.0.0.1:9/api/v10"
    assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:9/api/v10/users/@me"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY.with_query(v=10)) == "ws://127.0.0.1:9/gw?v=10"


# ---- exit codes -----------------------------------------------------------------------------------


async def test_no_token_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert await run_bot(Config(), handle_signals=False) == 2
    err = capsys.readouterr().err
    assert err == NO_TOKEN_MESSAGE + "\n"
    assert "DISCORD_TOKEN" in err and "https://discord.com/developers/applications" in err


async def test_bad_endpoint_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    config = make_config({"discord": {"token": "x", "api_base": "discord.com/api/v10"}})
    assert await run_bot(config, handle_signals=False) == 2
    assert capsys.readouterr().err.count("\n") == 1


async def test_rejected_token_is_one_line_and_exit_2(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bot_config_data(tmp_path, fake_discord)
    data["discord"]["token"] = "wrong-token"
    config = make_config(data)
    bot = SpacebriefBot(config, guild_ready_timeout=0.05)
    assert await asyncio.wait_for(run_bot(config, bot=bot, handle_signals=False), 10) == 2
    err = capsys.readouterr().err
    assert err == BAD_TOKEN_MESSAGE + "\n"
    assert "wrong-token" not in err
    assert fake_discord.command_syncs == []


# ---- login, sync, restart -------------------------------------------------------------------------


async def test_login_syncs_commands_once_and_a_restart_does_not_resync(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    config = make_config(bot_config_data(tmp_path, fake_discord))
    async with RunningBot(config) as first:
        assert first.bot.user is not None and first.bot.user.id == fake_discord.bot.id
        assert [g.id for g in first.bot.guilds] == [fake_discord.guilds[0].id]
        assert len(fake_discord.command_syncs) == 1
        assert fake_discord.command_syncs[0].guild_id is None  # no dev guild: global
        assert CONTRACT_COMMANDS <= synced_names(fake_discord, 0)
        assert fake_discord.identifies[-1]["intents"] & INTENT_MESSAGE_CONTENT
        assert first.bot.synced_scopes == [f"{fake_discord.application_id}:global"]
    assert await first.stop() == 0
    assert len(fake_discord.identifies) == 1

    async with RunningBot(config) as second:
        assert second.bot.synced_scopes == []
    assert await second.stop() == 0
    assert len(fake_discord.identifies) == 2
    assert len(fake_discord.command_syncs) == 1  # same commands: no second sync

    # A dev guild is a new scope: one sync there, instant, and the global set is left alone.
    guild_id = fake_discord.guilds[0].id
    dev_config = make_config(bot_config_data(tmp_path, fake_discord, dev_guild_id=guild_id))
    async with RunningBot(dev_config):
        # The guild copy is what the member runs now, and the bot answers it.
        interaction = await fake_discord.run_command("news", {"count": 1})
        await fake_discord.wait_for(lambda: interaction.answered, within=10, what="/news in the dev guild")
    assert [s.guild_id for s in fake_discord.command_syncs] == [None, guild_id]
    assert synced_names(fake_discord, 1) == synced_names(fake_discord, 0)
    assert interaction.rejected_callbacks == []


async def test_a_restart_on_postgresql_does_not_resync(fake_discord: FakeDiscord, tmp_path: Path, pg_url: str) -> None:
    data = bot_config_data(tmp_path, fake_discord)
    data["database"] = {"url": pg_url}
    config = make_config(data)
    scope = f"{fake_discord.application_id}:global"
    async with RunningBot(config) as first:
        assert first.bot.store.backend == "postgresql"
        assert first.bot.synced_scopes == [scope]
    async with RunningBot(config) as second:
        assert second.bot.synced_scopes == []
    assert len(fake_discord.command_syncs) == 1
    async with Store.open(pg_url) as store:
        assert await store.synced_commands_hash(scope) == commands_hash(fake_discord.command_syncs[0].commands)


async def test_changed_commands_are_synced_again(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    config = make_config(bot_config_data(tmp_path, fake_discord))
    async with RunningBot(config):
        pass
    scope = f"{fake_discord.application_id}:global"
    async with Store.open(config.database.path) as store:
        assert await store.synced_commands_hash(scope) is not None
        await store.record_commands_sync(scope, "a command set from an older version", now=now_utc())
    async with RunningBot(config) as restarted:
        assert restarted.bot.synced_scopes == [scope]
    assert len(fake_discord.command_syncs) == 2


async def test_the_hash_file_of_older_versions_is_taken_into_the_store(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    config = make_config(bot_config_data(tmp_path, fake_discord))
    async with RunningBot(config):
        pass
    scope = f"{fake_discord.application_id}:global"
    async with Store.open(config.database.path) as store:
        digest = await store.synced_commands_hash(scope)
        await raw_sql(config.database.path, "DELETE FROM command_syncs")
        assert await store.synced_commands_hash(scope) is None
    # What a version before the store remembered syncs left beside the database.
    legacy = tmp_path / "spacebrief.sqlite3.sync-hash"
    legacy.write_text(json.dumps({scope: digest, "42:guild:7": "elsewhere"}), encoding="utf-8")
    async with RunningBot(config) as upgraded:
        assert upgraded.bot.synced_scopes == []  # the file said these commands were synced
    assert len(fake_discord.command_syncs) == 1
    assert not legacy.exists()
    async with Store.open(config.database.path) as store:
        assert await store.synced_commands_hash("42:guild:7") == "elsewhere"
    # An unreadable file is dropped: it only costs one sync.
    await raw_sql(config.database.path, "DELETE FROM command_syncs")
    legacy.write_text("{not json", encoding="utf-8")
    async with RunningBot(config) as again:
        assert again.bot.synced_scopes == [scope]
    assert not legacy.exists()


async def test_without_message_content_the_intent_is_not_requested(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    data = bot_config_data(tmp_path, fake_discord)
    data["discord"]["message_content"] = False
    async with RunningBot(make_config(data)):
        pass
    assert fake_discord.identifies[-1]["intents"] == INTENT_GUILDS | INTENT_GUILD_MESSAGES


async def test_config_sources_are_in_the_store_on_start(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    sources = [{"name": "Agency feed", "url": "http://127.0.0.1:9/feed.xml", "channel_id": 810000000000000001}]
    config = make_config(bot_config_data(tmp_path, fake_discord, sources=sources, news={"interval_minutes": 60}))
    async with RunningBot(config) as running:
        stored = await running.bot.store.list_all_sources()
        assert [(s.name, s.url, s.channel_id) for s in stored] == [
            ("Agency feed", "http://127.0.0.1:9/feed.xml", 810000000000000001)
        ]


async def test_entries_from_before_canonical_links_get_theirs_at_start(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    config = make_config(bot_config_data(tmp_path, fake_discord, news={"interval_minutes": 60}))
    async with Store.open(config.database.path) as store:
        source = await store.add_source(1, "https://agency.example/feed", "Agency", 0, now=now_utc())
        await store.add_entries(source.id, [NewEntry("k", "Old story", "https://www.agency.example/a?utm_source=x", None)], now_utc())
    # As an older version left it: recorded before canonical links were stored.
    await raw_sql(config.database.path, "UPDATE entries SET canonical_link = NULL")
    async with RunningBot(config) as running:
        [entry] = await running.bot.store.pending_entries(source.id)
        assert entry.canonical_link == "//agency.example/a"


# ---- the real process ------------------------------------------------------------------------------


def write_config(path: Path, data: dict[str, Any]) -> Path:
    lines: list[str] = []
    for section in ("discord", "database", "fetch", "news"):
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in data[section].items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_signal_shuts_the_process_down_cleanly(
    fake_discord: FakeDiscord, tmp_path: Path, signum: signal.Signals
) -> None:
    data = bot_config_data(tmp_path, fake_discord, news={"interval_minutes": 60})
    config_file = write_config(tmp_path / "config.toml", data)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DISCORD_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config_file),
        cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_discord.wait_for(
            lambda: fake_discord.ready.is_set() or process.returncode is not None, within=30, what="READY"
        )
        if process.returncode is not None:
            _, early = await process.communicate()
            raise AssertionError(f"the bot exited with {process.returncode}: {early.decode(errors='replace')}")
        assert len(fake_discord.command_syncs) == 1
        process.send_signal(signum)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode(errors="replace")
    assert process.returncode == 0, log
    assert fake_discord.token not in log + stdout.decode(errors="replace")
    assert "Traceback" not in log


async def test_unusable_database_is_one_line_and_exit_2(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bot_config_data(tmp_path, fake_discord)
    data["database"]["path"] = str(tmp_path / "missing-directory" / "bot.sqlite3")
    config = make_config(data)
    bot = SpacebriefBot(config, guild_ready_timeout=0.05)
    assert await asyncio.wait_for(run_bot(config, bot=bot, handle_signals=False), 15) == 2
    err = capsys.readouterr().err
    assert err.startswith("spacebrief: database ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert fake_discord.command_syncs == []


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.05, 0.3])
async def test_stop_during_start_up_is_still_a_clean_exit(
    fake_discord: FakeDiscord, tmp_path: Path, delay: float, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(bot_config_data(tmp_path, fake_discord, news={"interval_minutes": 60}))
    stop = asyncio.Event()
    bot = SpacebriefBot(config, guild_ready_timeout=0.05)
    run = asyncio.create_task(run_bot(config, bot=bot, stop=stop, handle_signals=False))
    await asyncio.sleep(delay)
    stop.set()
    assert await asyncio.wait_for(run, 15) == 0
    assert capsys.readouterr().err == ""
    assert bot.is_closed()
    assert dict(bot.extensions) == {} and dict(bot.cogs) == {}  # no news loop left running
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert [t for t in leftover if "news" in repr(t).lower()] == []


async def test_message_content_not_enabled_in_the_portal_is_one_line_and_exit_2(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_discord.message_content_allowed = False
    config = make_config(bot_config_data(tmp_path, fake_discord, news={"interval_minutes": 60}))
    bot = SpacebriefBot(config, guild_ready_timeout=0.05)
    assert await asyncio.wait_for(run_bot(config, bot=bot, handle_signals=False), 15) == 2
    err = capsys.readouterr().err
    assert err == NO_CONTENT_INTENT_MESSAGE + "\n"
    assert bot.is_closed() and dict(bot.cogs) == {}

    # The way out the message names: the same server, the intent off in the config.
    data = bot_config_data(tmp_path, fake_discord, news={"interval_minutes": 60})
    data["discord"]["message_content"] = False
    async with RunningBot(make_config(data)) as running:
        assert running.bot.is_ready()


async def test_first_signal_stops_and_hands_the_next_one_back() -> None:
    previous = signal.getsignal(signal.SIGTERM)
    stop = asyncio.Event()
    with stop_on_signals(stop):
        assert signal.getsignal(signal.SIGTERM) is not previous  # ours while running
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(stop.wait(), 5)
        # Handed back at once: a second SIGTERM during a stuck shutdown would not be swallowed.
        assert signal.getsignal(signal.SIGTERM) == previous
    assert signal.getsignal(signal.SIGTERM) == previous


async def test_unreachable_discord_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = make_config({
        "discord": {"token": "t", "api_base": f"http://127.0.0.1:{port}/api/v10",
                    "gateway_url": f"ws://127.0.0.1:{port}/gateway"},
        "database": {"path": str(tmp_path / "bot.sqlite3")},
    })
    assert await asyncio.wait_for(run_bot(config, handle_signals=False), 15) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"spacebrief: cannot reach Discord at http://127.0.0.1:{port}/api/v10") and err.count("\n") == 1


async def test_commands_removed_from_discord_are_synced_again(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    config = make_config(bot_config_data(tmp_path, fake_discord, news={"interval_minutes": 60}))
    async with RunningBot(config):
        pass
    fake_discord.commands.clear()  # deleted elsewhere: the local hash still says "synced"
    async with RunningBot(config) as restarted:
        assert restarted.bot.synced_scopes == [f"{fake_discord.application_id}:global"]
    assert len(fake_discord.command_syncs) == 2
    assert CONTRACT_COMMANDS <= {c["name"] for c in fake_discord.commands[None]}
