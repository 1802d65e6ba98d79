"""/sources and /settings: run-time permission checks, guild scoping, feed validation, previews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord
import pytest

from db.models import GuildSettings
from db.store import Store
from tests.helpers.bots import CogTestBot
from tests.helpers.discord_fakes import (
    GUILD_ID,
    OTHER_GUILD_ID,
    FakeChannel,
    FakeClock,
    FakeInteraction,
    autocomplete,
    invoke,
)
from tests.helpers.site import LocalSite, RssItem, article_html, rss

ADMIN = discord.Permissions(manage_guild=True, send_messages=True)
# What a server could grant by overriding the command's default permissions: everything but
# Manage Server. The run-time check must still refuse.
NOT_ADMIN = discord.Permissions(
    discord.Permissions.all().value & ~discord.Permissions(manage_guild=True).value
)

STORY = (
    "The European Space Agency said its Jupiter probe completed a flyby of Earth and Moon on Monday. "
    "Engineers used the gravity assist to bend the spacecraft's path toward Venus. "
    "The manoeuvre saved a large amount of propellant compared with a direct transfer. "
    "Mission controllers in Darmstadt confirmed that all instruments were switched off during the pass. "
    "The probe is due to reach Jupiter in 2031 after two more gravity assists."
)


def feed_items(site: LocalSite, count: int, base: datetime) -> list[RssItem]:
    # Links point at the local site: a preview of a teaser fetches the article page.
    return [
        RssItem(
            guid=f"item-{i}",
            title=f"Story number {i}",
            link=site.add(f"/story-{i}", article_html(f"Story number {i}", [STORY])),
            description=f"{STORY} Item {i}.",
            published=base + timedelta(hours=i),
        )
        for i in range(count)
    ]


@pytest.fixture
def feed_url(site: LocalSite) -> str:
    return site.add(
        "/feed.xml",
        rss("Space Agency News", feed_items(site, 5, datetime(2026, 5, 1, tzinfo=UTC))),
        content_type="application/rss+xml",
    )


def admin_interaction(
    bot: CogTestBot, *, guild_id: int | None = GUILD_ID, permissions: discord.Permissions = ADMIN
) -> FakeInteraction:
    channel = bot.add_channel(guild_id or GUILD_ID, name="admin")
    return FakeInteraction(
        bot,
        guild=bot.get_guild(guild_id) if guild_id is not None else None,
        channel=channel,
        permissions=permissions,
    )


async def add_source(bot: CogTestBot, url: str, channel: FakeChannel, **options: object) -> FakeInteraction:
    interaction = admin_interaction(bot, guild_id=channel.guild.id)
    await invoke(bot.tree, interaction, "sources add", url=url, channel=channel, **options)
    return interaction


def test_groups_are_guild_only_with_manage_guild_default(bot: CogTestBot) -> None:
    for name in ("sources", "settings"):
        group = bot.tree.get_command(name)
        assert isinstance(group, discord.app_commands.Group)
        assert group.guild_only is True
        assert group.default_permissions is not None and group.default_permissions.manage_guild
        assert group.default_permissions.value == discord.Permissions(manage_guild=True).value


async def test_sources_add_names_the_source_from_the_feed(
    bot: CogTestBot, store: Store, feed_url: str
) -> None:
    channel = bot.add_channel(GUILD_ID)
    interaction = await add_source(bot, feed_url, channel)
    sent = interaction.only()
    assert sent.ephemeral and sent.kind == "followup"
    [source] = await store.list_sources(GUILD_ID)
    assert (source.name, source.url, source.channel_id, source.kind) == (
        "Space Agency News",
        feed_url,
        channel.channel_id,
        "feed",
    )
    assert sent.text == (
        f"Added source #{source.id} Space Agency News: 5 entries in the feed; "
        f"the newest 3 will be posted in #{channel.name} at the next poll."
    )
    assert await store.list_sources(OTHER_GUILD_ID) == []


async def test_sources_add_with_a_name_and_duplicate(bot: CogTestBot, store: Store, feed_url: str) -> None:
    channel = bot.add_channel(GUILD_ID)
    await add_source(bot, feed_url, channel, name="ESA")
    assert [source.name for source in await store.list_sources(GUILD_ID)] == ["ESA"]
    again = await add_source(bot, feed_url, channel, name="ESA again")
    assert "already watches that feed" in again.ephemeral_line()
    # The same feed on another server is that server's own business.
    elsewhere = await add_source(bot, feed_url, bot.add_channel(OTHER_GUILD_ID))
    assert elsewhere.only().text.startswith("Added source")


@pytest.mark.parametrize(
    ("path", "body", "status", "content_type", "expected"),
    [
        (
            "/page.html",
            "<!doctype html><html><body><p>Hello</p></body></html>",
            200,
            "text/html",
            "does not serve a feed",
        ),
        ("/missing.xml", "nope", 404, "text/plain", "HTTP 404"),
        ("/broken.xml", "<rss><channel><item>", 500, "application/xml", "HTTP 500"),
        ("/empty.xml", "", 200, "application/xml", "does not serve a feed"),
    ],
)
async def test_sources_add_refuses_what_is_not_a_feed(
    bot: CogTestBot,
    store: Store,
    site: LocalSite,
    path: str,
    body: str,
    status: int,
    content_type: str,
    expected: str,
) -> None:
    url = site.add(path, body, status=status, content_type=content_type)
    interaction = await add_source(bot, url, bot.add_channel(GUILD_ID))
    assert expected in interaction.ephemeral_line()
    assert await store.list_sources(GUILD_ID) == []


@pytest.mark.parametrize(
    ("url", "expected"), [("feed.xml", "not a web address"), ("file:///etc/passwd", "not a usable")]
)
async def test_sources_add_bad_urls(bot: CogTestBot, url: str, expected: str) -> None:
    interaction = await add_source(bot, url, bot.add_channel(GUILD_ID))
    assert interaction.only().kind == "response"
    assert expected in interaction.ephemeral_line()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/feed", "http://192.168.1.1/rss", "http://[fd00::1]/feed"]
)
async def test_sources_add_and_test_refuse_private_addresses(
    strict_bot: CogTestBot, store: Store, url: str
) -> None:
    channel = strict_bot.add_channel(GUILD_ID)
    added = await add_source(strict_bot, url, channel)
    assert "private or local network" in added.ephemeral_line()
    tested = admin_interaction(strict_bot)
    await invoke(strict_bot.tree, tested, "sources test", url=url)
    assert "private or local network" in tested.ephemeral_line()
    assert await store.list_sources(GUILD_ID) == []


async def test_sources_add_channel_of_another_server_is_refused(
    bot: CogTestBot, store: Store, feed_url: str
) -> None:
    foreign = bot.add_channel(OTHER_GUILD_ID)
    interaction = admin_interaction(bot)
    await invoke(bot.tree, interaction, "sources add", url=feed_url, channel=foreign)
    assert interaction.ephemeral_line()
    assert await store.list_sources(GUILD_ID) == [] and await store.list_sources(OTHER_GUILD_ID) == []


ADMIN_COMMANDS: list[tuple[str, dict[str, object]]] = [
    ("sources add", {"url": "https://example.com/feed"}),
    ("sources remove", {"source": "#1"}),
    ("sources list", {}),
    ("sources test", {"url": "https://example.com/feed"}),
    ("settings show", {}),
    ("settings set", {"sentences": 5}),
]


@pytest.mark.parametrize(("command", "options"), ADMIN_COMMANDS)
async def test_member_without_manage_server_is_refused_at_run_time(
    bot: CogTestBot, store: Store, clock: FakeClock, command: str, options: dict[str, object]
) -> None:
    source = await store.add_source(GUILD_ID, "https://example.com/feed", "Example", 1, now=clock())
    if command == "sources add":
        options = {**options, "channel": bot.add_channel(GUILD_ID)}
    interaction = admin_interaction(bot, permissions=NOT_ADMIN)
    await invoke(bot.tree, interaction, command, **options)
    assert interaction.ephemeral_line() == "You need the Manage Server permission to use this command."
    assert interaction.only().kind == "response"
    assert [s.id for s in await store.list_sources(GUILD_ID)] == [source.id]
    assert (await store.get_guild_settings(GUILD_ID, GuildSettings())).sentences == 3


@pytest.mark.parametrize(("command", "options"), [c for c in ADMIN_COMMANDS if c[0] != "sources add"])
async def test_admin_commands_outside_a_server(
    bot: CogTestBot, command: str, options: dict[str, object]
) -> None:
    interaction = admin_interaction(bot, guild_id=None)
    await invoke(bot.tree, interaction, command, **options)
    assert interaction.ephemeral_line() == "This command works only in a server."


async def test_sources_remove_is_scoped_to_the_server(
    bot: CogTestBot, store: Store, clock: FakeClock
) -> None:
    mine = await store.add_source(GUILD_ID, "https://a.example/feed", "Mine", 1, now=clock())
    theirs = await store.add_source(OTHER_GUILD_ID, "https://b.example/feed", "Theirs", 2, now=clock())
    for wanted in (f"#{theirs.id}", str(theirs.id), "Theirs", "https://b.example/feed", "nothing"):
        interaction = admin_interaction(bot)
        await invoke(bot.tree, interaction, "sources remove", source=wanted)
        assert "This server has no source called" in interaction.ephemeral_line()
    assert [s.id for s in await store.list_sources(OTHER_GUILD_ID)] == [theirs.id]

    removed = admin_interaction(bot)
    await invoke(bot.tree, removed, "sources remove", source="mine")
    assert removed.only().text == f"Removed source #{mine.id} Mine."
    assert removed.only().ephemeral
    assert await store.list_sources(GUILD_ID) == []


async def test_sources_remove_autocomplete_offers_this_servers_sources(
    bot: CogTestBot, store: Store, clock: FakeClock
) -> None:
    a = await store.add_source(GUILD_ID, "https://a.example/feed", "NASA news", 1, now=clock())
    b = await store.add_source(GUILD_ID, "https://b.example/feed", "ESA news", 1, now=clock())
    await store.add_source(OTHER_GUILD_ID, "https://c.example/feed", "Secret news", 2, now=clock())
    offered = await autocomplete(bot.tree, admin_interaction(bot), "sources remove", "source", "news")
    assert {(choice.name, choice.value) for choice in offered} == {
        (f"NASA news (#{a.id})", f"#{a.id}"),
        (f"ESA news (#{b.id})", f"#{b.id}"),
    }
    narrowed = await autocomplete(bot.tree, admin_interaction(bot), "sources remove", "source", "nasa")
    assert [choice.value for choice in narrowed] == [f"#{a.id}"]
    refused = await autocomplete(
        bot.tree, admin_interaction(bot, permissions=NOT_ADMIN), "sources remove", "source", ""
    )
    assert refused == []


async def test_sources_list_shows_only_this_server(bot: CogTestBot, store: Store, clock: FakeClock) -> None:
    await store.add_source(GUILD_ID, "https://a.example/feed", "Mine", 1, now=clock())
    await store.add_source(OTHER_GUILD_ID, "https://b.example/feed", "Theirs", 2, now=clock())
    interaction = admin_interaction(bot)
    await invoke(bot.tree, interaction, "sources list")
    sent = interaction.only()
    assert sent.ephemeral
    names = [field.name for field in sent.embed.fields]
    assert len(names) == 1 and names[0].endswith(" Mine")


async def test_sources_test_previews_without_recording(
    bot: CogTestBot, store: Store, site: LocalSite, feed_url: str
) -> None:
    interaction = admin_interaction(bot)
    await invoke(bot.tree, interaction, "sources test", url=feed_url)
    sent = interaction.only()
    assert sent.ephemeral and sent.text.startswith("Preview of the next post")
    embed = sent.embed
    assert embed.title == "Story number 4"  # the newest by date
    assert embed.url == site.url("/story-4")
    assert embed.description is not None and embed.description.startswith("• ")
    assert embed.footer.text is not None and embed.footer.text.startswith("Space Agency News")
    assert await store.list_sources(GUILD_ID) == []
    assert await store.pending_entries() == []


async def test_sources_test_empty_feed(bot: CogTestBot, site: LocalSite) -> None:
    url = site.add("/empty.xml", rss("Nothing yet", []), content_type="application/rss+xml")
    interaction = admin_interaction(bot)
    await invoke(bot.tree, interaction, "sources test", url=url)
    assert "no entries yet" in interaction.ephemeral_line()


async def test_settings_show_and_set_are_per_server(bot: CogTestBot) -> None:
    changed = admin_interaction(bot)
    await invoke(
        bot.tree,
        changed,
        "settings set",
        sentences=5,
        include_keywords="Mars, artemis",
        thread_per_article=True,
    )
    sent = changed.only()
    assert sent.ephemeral
    assert sent.text == "Updated: sentences, thread\\_per\\_article, include\\_keywords."
    values = {field.name: field.value for field in sent.embed.fields}
    assert values["sentences"] == "5" and values["thread_per_article"] == "on"
    assert values["include_keywords"] == "Mars, artemis"

    shown_here = admin_interaction(bot)
    await invoke(bot.tree, shown_here, "settings show")
    assert {f.name: f.value for f in shown_here.only().embed.fields}["sentences"] == "5"
    shown_there = admin_interaction(bot, guild_id=OTHER_GUILD_ID)
    await invoke(bot.tree, shown_there, "settings show")
    assert {f.name: f.value for f in shown_there.only().embed.fields}["sentences"] == "3"

    cleared = admin_interaction(bot)
    await invoke(bot.tree, cleared, "settings set", include_keywords="-")
    assert {f.name: f.value for f in cleared.only().embed.fields}["include_keywords"] == "(none)"


async def test_settings_set_bad_values_change_nothing(bot: CogTestBot) -> None:
    interaction = admin_interaction(bot)
    await invoke(bot.tree, interaction, "settings set", sentences=4, interval_minutes=0.5)
    assert "interval_minutes must be from 1 to 1440" in interaction.ephemeral_line().replace("\\_", "_")
    shown = admin_interaction(bot)
    await invoke(bot.tree, shown, "settings show")
    assert {f.name: f.value for f in shown.only().embed.fields}["sentences"] == "3"

    nothing = admin_interaction(bot)
    await invoke(bot.tree, nothing, "settings set")
    assert nothing.ephemeral_line().startswith("Give at least one setting")

    out_of_range = admin_interaction(bot)
    await invoke(bot.tree, out_of_range, "settings set", max_quotes=11)
    assert out_of_range.ephemeral_line() == "max\\_quotes must be between 0 and 10."


async def test_sources_add_refuses_a_channel_the_bot_cannot_post_in(
    bot: CogTestBot, store: Store, feed_url: str, site: LocalSite
) -> None:
    channel = bot.add_channel(GUILD_ID, name="locked")
    channel.bot_permissions = discord.Permissions(view_channel=True, send_messages=True)
    interaction = await add_source(bot, feed_url, channel)
    assert interaction.ephemeral_line() == "I cannot post in #locked: I need Embed Links there."
    assert await store.list_sources(GUILD_ID) == [] and site.hits["/feed.xml"] == 0


async def test_adding_a_disabled_source_again_re_enables_it(bot: CogTestBot, store: Store, feed_url: str) -> None:
    channel = bot.add_channel(GUILD_ID)
    await add_source(bot, feed_url, channel, name="ESA")
    [source] = await store.list_sources(GUILD_ID)
    now = bot.clock()
    await store.record_poll_failure(source.id, now, "HTTP 500", next_poll_at=now, disable_reason="8 failures")
    again = await add_source(bot, feed_url, channel)
    assert again.only().text.startswith(f"Re-enabled source #{source.id} ESA")
    [revived] = await store.list_sources(GUILD_ID)
    assert revived.is_active and revived.consecutive_failures == 0 and revived.disabled_reason is None
