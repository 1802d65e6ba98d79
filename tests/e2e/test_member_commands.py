"""Members' slash commands end to end: a member runs the command in the fake Discord, the real bot
answers through Discord's interaction endpoints, and the fake checks every answer against
Discord's limits and the 3-second rule."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    LAUNCH_PARAGRAPHS,
    FeedServer,
    RunningBot,
    article_html,
    bot_config_data,
    make_config,
)
from tests.fake_discord import FakeDiscord, FakeInteraction, RecordedMessage

CHAT_CHANNEL = 810000000000000002


@pytest.fixture
async def running(fake_discord: FakeDiscord, feed_server: FeedServer, tmp_path: Path) -> AsyncIterator[RunningBot]:
    feed_server.pages["/launch"] = article_html("Heavy rocket sends lander to the Moon", LAUNCH_PARAGRAPHS)
    config = make_config(bot_config_data(tmp_path, fake_discord, news={"interval_minutes": 60}))
    async with RunningBot(config) as bot:
        yield bot


def answer_text(message: RecordedMessage) -> str:
    """Everything a member can read in an answer (content and embeds), as one string."""
    return message.content + json.dumps(message.embeds, ensure_ascii=False)


async def answered(fake: FakeDiscord, interaction: FakeInteraction) -> list[RecordedMessage]:
    await fake.wait_for(lambda: interaction.answered, within=15, what=f"/{interaction.name} to be answered")
    messages = interaction.answer_messages()
    for message in messages:
        assert message.allowed_mentions == {"parse": []}, message.payload
    assert interaction.rejected_callbacks == []
    assert [r for r in fake.rejected if r[1] != 429] == []  # nothing Discord would refuse
    return messages


async def test_summarize_defers_then_answers_with_the_summary(
    running: RunningBot, fake_discord: FakeDiscord, feed_server: FeedServer
) -> None:
    interaction = await fake_discord.run_command("summarize", {"url": feed_server.url("/launch"), "sentences": 2})
    messages = await answered(fake_discord, interaction)
    assert interaction.deferred and not interaction.ephemeral
    [answer] = messages
    [embed] = answer.embeds
    assert "Heavy rocket sends lander to the Moon" in embed["title"]
    text = answer_text(answer)
    kept = [p for p in LAUNCH_PARAGRAPHS if p.split(",")[0].strip('"') in text]
    assert 1 <= len(kept) <= 4, text  # an extract of the article, not all of it
    assert "/launch" in feed_server.hits[-1]


async def test_quotes_names_the_speaker(running: RunningBot, fake_discord: FakeDiscord, feed_server: FeedServer) -> None:
    interaction = await fake_discord.run_command("quotes", {"url": feed_server.url("/launch")})
    [answer] = await answered(fake_discord, interaction)
    assert interaction.deferred
    text = answer_text(answer)
    assert "upgraded engines can handle a full cargo" in text
    assert "Dana Ortiz" in text


async def test_debate_condenses_the_channel(running: RunningBot, fake_discord: FakeDiscord) -> None:
    guild = fake_discord.guilds[0]
    speakers = guild.members
    lines = [
        (0, "Reusable boosters cut launch costs because the first stage flies again within weeks."),
        (1, "Reusing boosters is what made launches cheaper, the first stage flies again and again."),
        (0, "A lunar base should come before any crewed Mars mission, the Moon is only three days away."),
        (1, "The Moon first: a base there is three days away, Mars is months away."),
        (1, "lol"),
    ]
    for who, text in lines:
        fake_discord.seed_message(CHAT_CHANNEL, speakers[who], text)
    interaction = await fake_discord.run_command("debate", {}, channel_id=CHAT_CHANNEL)
    [answer] = await answered(fake_discord, interaction)
    assert interaction.deferred
    text = answer_text(answer).lower()
    assert "reusable boosters cut launch costs" in text and "lunar base should come before" in text, text
    assert "lol" not in text  # noise is not an argument


async def test_debate_where_one_person_made_several_points_gives_them(
    running: RunningBot, fake_discord: FakeDiscord
) -> None:
    speaker = fake_discord.guilds[0].members[0]
    lines = [
        "Starship needs ten to fifteen tanker flights in orbit before it can leave for the Moon, and nobody "
        "has ever transferred cryogenic propellant at that scale.",
        "A crewed landing in 2027 will not happen, because every milestone of this programme has slipped "
        "by at least a year so far.",
        "Gateway adds another vehicle, another docking and another budget line without making the "
        "landing itself any easier.",
        "lol",
    ]
    for text in lines:
        fake_discord.seed_message(CHAT_CHANNEL, speaker, text)
    interaction = await fake_discord.run_command("debate", {}, channel_id=CHAT_CHANNEL)
    [answer] = await answered(fake_discord, interaction)
    [embed] = answer.embeds
    assert embed["description"].startswith("4 comments from 1 person")
    assert len(embed["fields"]) == 3, embed  # three different points, not "no clear arguments"
    assert all(field["value"].startswith("1 comment from 1 person") for field in embed["fields"])


async def test_bad_url_is_an_ephemeral_one_line_error(running: RunningBot, fake_discord: FakeDiscord) -> None:
    interaction = await fake_discord.run_command("summarize", {"url": "ftp://example.com/file"})
    [answer] = await answered(fake_discord, interaction)
    assert interaction.ephemeral and not interaction.deferred
    text = answer.content or " ".join(str(e.get("description", "")) for e in answer.embeds)
    assert text and "\n" not in text.strip()


async def test_news_before_anything_was_posted(running: RunningBot, fake_discord: FakeDiscord) -> None:
    interaction = await fake_discord.run_command("news", {"count": 3})
    [answer] = await answered(fake_discord, interaction)
    assert answer.embeds or answer.content


async def test_a_slow_page_is_still_answered_because_the_bot_defers_first(
    running: RunningBot, fake_discord: FakeDiscord, feed_server: FeedServer
) -> None:
    feed_server.pages["/slow"] = feed_server.pages["/launch"]
    feed_server.delays["/slow"] = fake_discord.interaction_deadline_s + 0.5  # past Discord's 3 s
    interaction = await fake_discord.run_command("summarize", {"url": feed_server.url("/slow")})
    [answer] = await answered(fake_discord, interaction)
    assert interaction.deferred
    assert "Heavy rocket sends lander to the Moon" in answer.embeds[0]["title"]


async def test_debate_without_message_content_says_so_in_one_line(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    data = bot_config_data(tmp_path, fake_discord, news={"interval_minutes": 60})
    data["discord"]["message_content"] = False
    async with RunningBot(make_config(data)):
        fake_discord.seed_message(CHAT_CHANNEL, fake_discord.guilds[0].members[0], "Reusable boosters win.")
        interaction = await fake_discord.run_command("debate", {}, channel_id=CHAT_CHANNEL)
        [answer] = await answered(fake_discord, interaction)
    assert interaction.ephemeral and not interaction.deferred
    text = answer.content or " ".join(str(e.get("description", "")) for e in answer.embeds)
    assert "message" in text.lower() and "content" in text.lower()
    assert "\n" not in text.strip()


async def test_an_error_after_a_public_defer_is_answered_ephemerally(
    running: RunningBot, fake_discord: FakeDiscord, feed_server: FeedServer
) -> None:
    """The page 404s after the bot deferred: the "thinking" placeholder goes, the error is only for the member."""
    interaction = await fake_discord.run_command("summarize", {"url": feed_server.url("/no-such-page")})
    await fake_discord.wait_for(lambda: bool(interaction.followups), within=15, what="the error follow-up")
    assert interaction.deferred and interaction.original_deleted
    [error] = interaction.followups
    assert error.flags & 64, "the error must be ephemeral"
    assert error.allowed_mentions == {"parse": []}
    assert "404" in error.content and "\n" not in error.content.strip()
    channel = fake_discord.messages.get(interaction.channel_id, [])
    assert all(message.id != error.id for message in channel)
