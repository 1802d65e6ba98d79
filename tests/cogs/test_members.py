"""/summarize, /quotes, /news, /debate run through the real CommandTree with spec'd fakes."""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import pytest

from db.models import ConfigSource, NewEntry
from db.store import Store
from tests.helpers.bots import CogTestBot, make_config, start_bot, stop_bot
from tests.helpers.debates import FEW_PEOPLE, REUSE_VS_SAFETY
from tests.helpers.discord_fakes import (
    GUILD_ID,
    OTHER_GUILD_ID,
    FakeClock,
    FakeInteraction,
    autocomplete,
    invoke,
    make_user,
)
from tests.helpers.site import LocalSite, article_html

PARAGRAPHS = [
    "NASA confirmed on Tuesday that the Artemis II crew will fly around the Moon next spring, "
    "the first crewed lunar flight in more than fifty years.",
    '"We are ready to take humanity back to the Moon, and this crew is the right one for it," '
    "said Reid Wiseman, the mission commander, at a briefing in Houston.",
    "The Orion capsule completed its final thermal vacuum tests in Ohio last month, and engineers "
    "reported no anomalies in the heat shield or the life support system.",
    "The Space Launch System core stage arrived at Kennedy Space Center in July and has been "
    "stacked with its twin solid rocket boosters inside the Vehicle Assembly Building.",
    '"Every test has told us the spacecraft is healthy and the launch date holds," '
    "said Amit Kshatriya, who leads the Moon to Mars program office.",
    "Mission planners expect a ten day flight that loops behind the far side of the Moon before "
    "returning to a splashdown in the Pacific Ocean off the coast of San Diego.",
]


def member_interaction(
    bot: CogTestBot, *, guild_id: int | None = GUILD_ID, user: object = None, channel: object = None
) -> FakeInteraction:
    chan = channel if channel is not None else bot.add_channel(guild_id or GUILD_ID, name="general")
    return FakeInteraction(
        bot,
        guild=bot.get_guild(guild_id) if guild_id is not None else None,
        channel=chan,  # type: ignore[arg-type]
        user=user,  # type: ignore[arg-type]
    )


async def test_summarize_posts_a_public_embed_after_deferring(bot: CogTestBot, site: LocalSite) -> None:
    url = site.add("/artemis", article_html("Artemis II crew ready for the Moon", PARAGRAPHS))
    interaction = member_interaction(bot)
    await invoke(bot.tree, interaction, "summarize", url=url, sentences=2)
    assert interaction.response_type is discord.InteractionResponseType.deferred_channel_message
    sent = interaction.only()
    assert sent.kind == "followup" and not sent.ephemeral
    embed = sent.embed
    assert embed.title == "Artemis II crew ready for the Moon"
    assert embed.url == url
    assert embed.description is not None and embed.description.count("• ") == 2
    speakers = {field.name for field in embed.fields}
    assert speakers & {"Reid Wiseman", "Amit Kshatriya"}
    assert embed.footer.text is not None and embed.footer.text.startswith("Reduced by ")


async def test_quotes_lists_key_quotes_with_speakers(bot: CogTestBot, site: LocalSite) -> None:
    url = site.add("/artemis", article_html("Artemis II crew ready for the Moon", PARAGRAPHS))
    interaction = member_interaction(bot)
    await invoke(bot.tree, interaction, "quotes", url=url)
    embed = interaction.only().embed
    assert embed.title == "Quotes: Artemis II crew ready for the Moon"
    assert "— Reid Wiseman" in (embed.description or "")
    assert "— Amit Kshatriya" in (embed.description or "")


@pytest.mark.parametrize("command", ["summarize", "quotes", "debate"])
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "not a web address"),
        ("javascript:alert(1)", "not a web address"),
        ("ftp://example.com/file", "not a usable web address"),
        ("   ", "Please give a web address"),
    ],
)
async def test_not_a_url_is_answered_at_once(
    bot: CogTestBot, site: LocalSite, command: str, url: str, expected: str
) -> None:
    interaction = member_interaction(bot)
    await invoke(bot.tree, interaction, command, url=url)
    # Answered in the response itself: no defer, no public placeholder, nothing fetched.
    assert interaction.only().kind == "response"
    assert expected in interaction.ephemeral_line()
    assert sum(site.hits.values()) == 0


@pytest.mark.parametrize("command", ["summarize", "quotes", "debate"])
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/x", "http://10.1.2.3/", "http://[::1]:8080/", "http://169.254.169.254/latest"]
)
async def test_private_address_is_refused_before_any_request(
    strict_bot: CogTestBot, command: str, url: str
) -> None:
    interaction = member_interaction(strict_bot)
    await invoke(strict_bot.tree, interaction, command, url=url)
    assert interaction.only().kind == "response"
    assert "private or local network" in interaction.ephemeral_line()


async def test_name_resolving_to_a_private_address_is_refused_by_the_fetcher(strict_bot: CogTestBot) -> None:
    interaction = member_interaction(strict_bot)
    await invoke(strict_bot.tree, interaction, "summarize", url="http://localhost:9/")
    # check_url cannot judge a name; the Fetcher's guard does, after the defer.
    assert interaction.response_type is discord.InteractionResponseType.deferred_channel_message
    assert "private or local network" in interaction.ephemeral_line()


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [
        (404, "gone", "text/html", "HTTP 404"),
        (500, "oops", "text/html", "HTTP 500"),
        (
            200,
            "<html><body><script>app()</script></body></html>",
            "text/html",
            "could not find any article text",
        ),
        (200, b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png", "could not find any article text"),
        (
            200,
            "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
            "text/html",
            "could not find any article text on that page: it holds nothing but menus, links or scripts.",
        ),
        (200, '{"a": 1}', "application/json", "could not find any article text on that page: it is JSON data."),
        (
            200,
            '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
            "text/xml",
            "That address is a news feed, not an article: /sources test shows what it would post.",
        ),
    ],
)
async def test_fetch_failures_are_one_ephemeral_line(
    bot: CogTestBot, site: LocalSite, status: int, body: str | bytes, content_type: str, expected: str
) -> None:
    url = site.add("/page", body, status=status, content_type=content_type)
    for command in ("summarize", "quotes"):
        interaction = member_interaction(bot)
        await invoke(bot.tree, interaction, command, url=url)
        assert expected in interaction.ephemeral_line()


async def test_sentences_out_of_range_is_refused(bot: CogTestBot, site: LocalSite) -> None:
    url = site.add("/artemis", article_html("t", PARAGRAPHS))
    interaction = member_interaction(bot)
    await invoke(bot.tree, interaction, "summarize", url=url, sentences=11)
    assert interaction.ephemeral_line() == "sentences must be between 1 and 10."
    assert site.hits["/artemis"] == 0


async def test_cooldown_is_per_user_and_says_how_long(bot: CogTestBot) -> None:
    user = make_user()
    for _ in range(2):
        first = member_interaction(bot, user=user)
        await invoke(bot.tree, first, "summarize", url="not a url")
        assert "not a web address" in first.ephemeral_line()
    third = member_interaction(bot, user=user)
    await invoke(bot.tree, third, "summarize", url="not a url")
    line = third.ephemeral_line()
    assert line.startswith("Slow down") and line.endswith(" s.")
    seconds = int(line.rsplit(" ", 2)[-2])
    assert 1 <= seconds <= 30
    # Another member is not slowed down by the first one.
    other = member_interaction(bot)
    await invoke(bot.tree, other, "summarize", url="not a url")
    assert "not a web address" in other.ephemeral_line()


async def post_entry(
    store: Store, guild_id: int, source_name: str, title: str, url: str, clock: FakeClock
) -> None:
    sources = {source.name: source for source in await store.list_sources(guild_id)}
    source = sources.get(source_name) or await store.add_source(
        guild_id, f"https://{source_name.lower()}.example/feed", source_name, 42, now=clock()
    )
    [entry] = await store.add_entries(
        source.id, [NewEntry(key=url, title=title, url=url, published=clock())], clock()
    )
    clock.advance(minutes=1)
    await store.mark_posted(entry.id, 42, 10_000 + entry.id, clock())


async def test_news_lists_this_servers_posts_only(bot: CogTestBot, store: Store, clock: FakeClock) -> None:
    await post_entry(store, GUILD_ID, "NASA", "Artemis update", "https://nasa.example/a", clock)
    await post_entry(store, GUILD_ID, "ESA", "Ariane 6 flies", "https://esa.example/b", clock)
    await post_entry(store, OTHER_GUILD_ID, "Secret", "Other server news", "https://x.example/c", clock)

    interaction = member_interaction(bot)
    await invoke(bot.tree, interaction, "news")
    embed = interaction.only().embed
    assert not interaction.only().ephemeral
    assert [field.name for field in embed.fields] == ["Ariane 6 flies", "Artemis update"]

    only_nasa = member_interaction(bot)
    await invoke(bot.tree, only_nasa, "news", count=1, source="nasa")
    assert [field.name for field in only_nasa.only().embed.fields] == ["Artemis update"]


async def test_news_unknown_or_other_servers_source(bot: CogTestBot, store: Store, clock: FakeClock) -> None:
    await post_entry(store, OTHER_GUILD_ID, "Secret", "Other server news", "https://x.example/c", clock)
    [secret] = await store.list_sources(OTHER_GUILD_ID)
    for wanted in ("nope", "Secret", f"#{secret.id}"):
        interaction = member_interaction(bot)
        await invoke(bot.tree, interaction, "news", source=wanted)
        assert "Nothing has been posted on this server from a source called" in interaction.ephemeral_line()


async def test_news_outside_a_server_and_count_bounds(bot: CogTestBot) -> None:
    direct = member_interaction(bot, guild_id=None)
    await invoke(bot.tree, direct, "news")
    assert direct.ephemeral_line() == "This command works only in a server."
    too_many = member_interaction(bot)
    await invoke(bot.tree, too_many, "news", count=11)
    assert too_many.ephemeral_line() == "count must be between 1 and 10."


async def test_unexpected_error_shows_an_id_that_is_in_the_log(
    bot: CogTestBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.store, "latest_posted", broken)
    interaction = member_interaction(bot)
    with caplog.at_level(logging.ERROR, logger="cogs.errors"):
        await invoke(bot.tree, interaction, "news")
    line = interaction.ephemeral_line()
    assert line.startswith("Something went wrong (error ") and "database on fire" not in line
    error_id = line.split("(error ", 1)[1][:8]
    assert len(error_id) == 8 and int(error_id, 16) >= 0
    [record] = [r for r in caplog.records if error_id in r.getMessage()]
    assert record.exc_info is not None and "database on fire" in str(record.exc_info[1])
    assert "/news" in record.getMessage()


async def test_debate_reads_the_channel_skipping_bots(bot: CogTestBot) -> None:
    channel = bot.add_channel(GUILD_ID, name="launch-talk")
    people = [make_user(name=f"p{i}") for i in range(6)]
    lines = REUSE_VS_SAFETY
    for index, text in enumerate(lines):
        channel.add_history(people[index % len(people)], text)
    channel.add_history(bot.fake_user, "@everyone a bot message that must be ignored " * 3)
    channel.add_history(make_user(bot=True), "another bot that must be ignored entirely")
    interaction = member_interaction(bot, channel=channel)
    await invoke(bot.tree, interaction, "debate", max_arguments=3)
    sent = interaction.only()
    assert sent.kind == "followup" and not sent.ephemeral
    embed = sent.embed
    assert embed.description is not None
    assert embed.description.startswith(f"{len(lines)} comments from 6 people in \\#launch-talk")
    assert 1 <= len(embed.fields) <= 3


async def test_debate_needs_the_message_content_intent(
    tmp_path: Path, store: Store, clock: FakeClock
) -> None:
    blind = await start_bot(make_config(tmp_path, message_content=False), store, clock)
    try:
        interaction = member_interaction(blind)
        await invoke(blind.tree, interaction, "debate")
        line = interaction.ephemeral_line()
        assert "message-content intent" in line
        assert interaction.only().kind == "response"
    finally:
        await stop_bot(blind)


async def test_debate_history_forbidden_is_one_line(bot: CogTestBot) -> None:
    channel = bot.add_channel(GUILD_ID)
    response = type("R", (), {"status": 403, "reason": "Forbidden"})()
    channel.history_error = discord.Forbidden(response, {"code": 50001, "message": "Missing Access"})  # type: ignore[arg-type]
    interaction = member_interaction(bot, channel=channel)
    await invoke(bot.tree, interaction, "debate")
    assert interaction.ephemeral_line() == "I am not allowed to read this channel's history."


async def test_debate_max_arguments_bounds(bot: CogTestBot) -> None:
    interaction = member_interaction(bot)
    await invoke(bot.tree, interaction, "debate", max_arguments=0)
    assert interaction.ephemeral_line() == "max\\_arguments must be between 1 and 10."


async def test_news_source_autocomplete_offers_only_this_servers_sources(
    bot: CogTestBot, store: Store, clock: FakeClock
) -> None:
    here = bot.add_channel(GUILD_ID)
    there = bot.add_channel(OTHER_GUILD_ID)
    await store.add_source(GUILD_ID, "https://a.example/feed", "NASA news", here.channel_id, now=clock())
    await store.add_source(
        OTHER_GUILD_ID, "https://b.example/feed", "Secret news", there.channel_id, now=clock()
    )
    await store.sync_config_sources(
        [
            ConfigSource("Config news here", "https://c.example/feed", here.channel_id),
            ConfigSource("Config news there", "https://d.example/feed", there.channel_id),
        ],
        now=clock(),
    )
    offered = await autocomplete(bot.tree, member_interaction(bot), "news", "source", "NEWS")
    assert sorted(choice.value for choice in offered) == ["Config news here", "NASA news"]


async def test_debate_on_an_empty_channel_is_one_line(bot: CogTestBot) -> None:
    channel = bot.add_channel(GUILD_ID)
    channel.add_history(bot.fake_user, "only the bot spoke here")
    interaction = member_interaction(bot, channel=channel)
    await invoke(bot.tree, interaction, "debate")
    assert interaction.ephemeral_line().startswith("I found no comments to condense here")


def comment_page(comments: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<div class="comment" data-author="{author}"><div class="comment-content"><p>{text}</p></div></div>'
        for author, text in comments
    )
    return f"<!doctype html><html><head><title>Launch debate</title></head><body><article><h1>Post</h1><p>{BODY_TEXT}</p></article><section id='comments'>{items}</section></body></html>"


BODY_TEXT = "The agency announced a new launch schedule for next year's crewed missions to orbit."


async def test_debate_with_a_url_reads_the_pages_comments(bot: CogTestBot, site: LocalSite) -> None:
    people = ["ann", "bob", "cy", "dee", "eve"]
    lines = REUSE_VS_SAFETY
    url = site.add("/post", comment_page([(people[i % 5], text) for i, text in enumerate(lines)]))
    interaction = member_interaction(bot)
    await invoke(bot.tree, interaction, "debate", url=url, max_arguments=2)
    sent = interaction.only()
    assert sent.kind == "followup" and not sent.ephemeral
    assert sent.embed.url == url
    assert (sent.embed.description or "").startswith(f"{len(lines)} comments from 5 people")
    assert 1 <= len(sent.embed.fields) <= 2

    bare = site.add(
        "/bare", "<html><body><article><p>No comments on this page at all.</p></article></body></html>"
    )
    nothing = member_interaction(bot)
    await invoke(bot.tree, nothing, "debate", url=bare)
    assert nothing.ephemeral_line()


@pytest.mark.parametrize(
    "url",
    [
        "http://exa mple.com/",
        "http://\x00evil/",
        "https://" + "a" * 5000 + ".com/",
        "http://[::1",
        "https://例え.テスト/記事",
        "http://user@:80/",
        "https://example.com/%ZZ",
        "\u202ehttps://example.com",
    ],
)
async def test_odd_urls_get_a_clear_line_never_an_error_id(bot: CogTestBot, url: str) -> None:
    interaction = member_interaction(bot)
    await invoke(bot.tree, interaction, "summarize", url=url)
    line = interaction.ephemeral_line()
    assert line and not line.startswith("Something went wrong"), line
    assert len(line) <= 300


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"comments": "not a list"}', "application/json"),
        ("{broken json", "application/json"),
        (
            "<html><body><div id='disqus_thread'></div>"
            "<script src='https://example.disqus.com/embed.js'></script></body></html>",
            "text/html",
        ),
    ],
)
async def test_debate_url_without_readable_comments_is_one_line(
    bot: CogTestBot, site: LocalSite, body: str, content_type: str
) -> None:
    url = site.add("/thread", body, content_type=content_type)
    interaction = member_interaction(bot)
    await invoke(bot.tree, interaction, "debate", url=url)
    line = interaction.ephemeral_line()
    assert line.startswith(("I could not read comments there", "I found no comments")), line


async def test_debate_in_a_thread_where_few_people_argued_gives_their_points(bot: CogTestBot) -> None:
    thread = bot.add_channel(GUILD_ID, name="artemis-iii-lander")
    people = {name: make_user(name=name) for name in {author for author, _ in FEW_PEOPLE}}
    for author, text in FEW_PEOPLE:
        thread.add_history(people[author], text)
    interaction = member_interaction(bot, channel=thread)
    await invoke(bot.tree, interaction, "debate")
    embed = interaction.only().embed
    assert (embed.description or "").startswith("7 comments from 2 people")
    assert len(embed.fields) >= 3  # one reader's separate points, not "no clear arguments"
    assert (embed.fields[0].value or "").startswith("2 comments from 2 people")  # the refuelling point
    assert all((field.value or "").startswith("1 comment from 1 person") for field in embed.fields[1:])


async def test_debate_url_on_a_page_where_few_people_argued_gives_their_points(bot: CogTestBot, site: LocalSite) -> None:
    url = site.add("/artemis", comment_page(list(FEW_PEOPLE)))
    interaction = member_interaction(bot)
    await invoke(bot.tree, interaction, "debate", url=url)
    embed = interaction.only().embed
    assert (embed.description or "").startswith("7 comments from 2 people")
    assert len(embed.fields) >= 3
