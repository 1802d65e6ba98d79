"""README's invite links grant exactly what the bot checks for and uses, View Channel included."""

from __future__ import annotations

import re
from pathlib import Path

import discord

from cogs.admin import POST_PERMISSIONS

README = Path(__file__).resolve().parents[2] / "README.md"
#: What the news loop and /debate need beyond posting: reading history (reconciling after a
#: crash, /debate in a channel) and opening a discussion thread under a post.
NEWS_PERMISSIONS = {"view_channel", "send_messages", "embed_links", "read_message_history", "create_public_threads"}


def invite_permissions() -> list[int]:
    text = README.read_text(encoding="utf-8")
    return [int(value) for value in re.findall(r"permissions=(\d+)", text)]


def granted(value: int) -> set[str]:
    # discord.py names bit 10 "read_messages"; Discord's name is View Channel.
    return {"view_channel" if name == "read_messages" else name for name, on in discord.Permissions(value) if on}


def test_the_invite_link_grants_what_the_bot_needs_and_nothing_more() -> None:
    basic, with_threads = invite_permissions()
    assert basic == 34359823360
    assert granted(basic) == NEWS_PERMISSIONS
    assert {flag for flag, _ in POST_PERMISSIONS} <= granted(basic)
    assert discord.Permissions(basic).view_channel  # 1024: /sources add itself requires it
    assert granted(with_threads) == NEWS_PERMISSIONS | {"send_messages_in_threads"}


def test_the_readme_explains_the_integer() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    basic, _ = invite_permissions()
    parts = re.search(rf"\({basic} = ([^)]*)\)", text)
    assert parts is not None
    assert sum(int(n) for n in re.findall(r"\b(\d+)\b", parts.group(1))) == basic
    assert "View Channel 1024" in parts.group(1)
