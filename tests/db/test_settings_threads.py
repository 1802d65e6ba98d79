"""Per-server settings (validated overrides over caller defaults) and debate-digest threads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from db import GuildSettings, InvalidSettingError, NewEntry, Post, Store

from .conftest import NOW, raw_sql

GUILD_A, GUILD_B = 111, 222
DEFAULTS = GuildSettings(interval_minutes=15.0, sentences=3, max_quotes=2)


async def test_defaults_come_from_the_caller(store: Store) -> None:
    assert await store.get_guild_settings(GUILD_A, DEFAULTS) == DEFAULTS
    custom = GuildSettings(interval_minutes=30.0, sentences=5, include_keywords=("mars",))
    assert await store.get_guild_settings(GUILD_A, custom) == custom


async def test_overrides_apply_per_guild(store: Store) -> None:
    assert await store.set_guild_setting(GUILD_A, "sentences", 5, now=NOW) == 5
    assert await store.set_guild_setting(GUILD_A, "thread_per_article", "on", now=NOW) is True
    assert await store.set_guild_setting(GUILD_A, "include_keywords", "Mars, artemis,, MARS ", now=NOW) == (
        "Mars",
        "artemis",
    )
    assert await store.set_guild_setting(GUILD_A, "interval_minutes", 30, now=NOW) == 30.0
    mine = await store.get_guild_settings(GUILD_A, DEFAULTS)
    assert mine == GuildSettings(
        interval_minutes=30.0, sentences=5, max_quotes=2, thread_per_article=True, include_keywords=("Mars", "artemis")
    )
    assert await store.get_guild_settings(GUILD_B, DEFAULTS) == DEFAULTS
    await store.set_guild_setting(GUILD_A, "sentences", 7, now=NOW)
    assert (await store.get_guild_settings(GUILD_A, DEFAULTS)).sentences == 7


async def test_reset_returns_to_the_default(store: Store) -> None:
    await store.set_guild_setting(GUILD_A, "max_quotes", 0, now=NOW)
    assert (await store.get_guild_settings(GUILD_A, DEFAULTS)).max_quotes == 0
    assert await store.reset_guild_setting(GUILD_A, "max_quotes") is True
    assert await store.reset_guild_setting(GUILD_A, "max_quotes") is False
    assert (await store.get_guild_settings(GUILD_A, DEFAULTS)).max_quotes == 2


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("sentences", 0, "from 1 to 10"),
        ("sentences", 11, "from 1 to 10"),
        ("sentences", 2.5, "whole number"),
        ("sentences", True, "number"),
        ("max_quotes", -1, "from 0 to 10"),
        ("interval_minutes", 0.5, "interval_minutes"),
        ("interval_minutes", float("inf"), "number"),
        ("interval_minutes", "soon", "number"),
        ("thread_per_article", "maybe", "true or false"),
        ("include_keywords", 5, "list of keywords"),
        ("exclude_keywords", ["x" * 101], "at most 100"),
        ("exclude_keywords", [f"k{i}" for i in range(51)], "at most 50"),
        ("backfill", 3, "unknown setting"),
        ("sentences\n; DROP TABLE sources", 3, "unknown setting"),
    ],
)
async def test_invalid_values_are_one_line_errors_and_store_nothing(
    store: Store, name: str, value: Any, message: str
) -> None:
    with pytest.raises(InvalidSettingError, match=message) as caught:
        await store.set_guild_setting(GUILD_A, name, value, now=NOW)
    assert "\n" not in str(caught.value)
    assert await store.get_guild_settings(GUILD_A, DEFAULTS) == DEFAULTS


async def test_a_corrupted_stored_value_falls_back_to_the_default(store: Store, store_target: str) -> None:
    await store.set_guild_setting(GUILD_A, "sentences", 4, now=NOW)
    await store.set_guild_setting(GUILD_A, "max_quotes", 1, now=NOW)
    await raw_sql(store_target, "UPDATE guild_settings SET value = '{not json' WHERE name = 'sentences'")
    await raw_sql(
        store_target,
        "INSERT INTO guild_settings (guild_id, name, value, updated_at) VALUES (?, 'retired', '1', 0)",
        (GUILD_A,),
    )
    settings = await store.get_guild_settings(GUILD_A, DEFAULTS)
    assert (settings.sentences, settings.max_quotes) == (3, 1)


async def post_something(store: Store, key: str = "a", guild: int = GUILD_A, channel: int = 10) -> Post:
    source = await store.find_source_by_name_or_id(guild, "X") or await store.add_source(
        guild, "https://x.example/rss", "X", channel, now=NOW
    )
    [entry] = await store.add_entries(source.id, [NewEntry(key, f"Story {key}", f"https://x.example/{key}", None)], NOW)
    post = await store.mark_posted(entry.id, channel, 1000 + entry.id, NOW)
    assert post is not None
    return post


async def test_threads_become_due_for_a_digest_after_the_delay(store: Store) -> None:
    early = await post_something(store, "a")
    late = await post_something(store, "b")
    first = await store.record_thread(early.id, 501, NOW)
    second = await store.record_thread(late.id, 502, NOW + timedelta(hours=2))
    assert first is not None and second is not None
    assert (first.thread_id, first.post_id, first.entry_id, first.guild_id, first.channel_id) == (
        501,
        early.id,
        early.entry_id,
        GUILD_A,
        10,
    )
    assert (first.title, first.url, first.digest_posted) == ("Story a", "https://x.example/a", False)

    day = timedelta(hours=24)
    assert await store.threads_due_for_digest(NOW + timedelta(hours=23), day) == []
    assert [t.thread_id for t in await store.threads_due_for_digest(NOW + day, day)] == [501]
    assert [t.thread_id for t in await store.threads_due_for_digest(NOW + 2 * day, day)] == [501, 502]

    assert await store.mark_digest_posted(501, NOW + day) is True
    assert [t.thread_id for t in await store.threads_due_for_digest(NOW + 2 * day, day)] == [502]
    assert await store.mark_digest_posted(999, NOW) is False


async def test_record_thread_is_idempotent_and_needs_a_post(store: Store) -> None:
    post = await post_something(store)
    first = await store.record_thread(post.id, 77, NOW)
    again = await store.record_thread(post.id, 77, NOW + timedelta(hours=1))
    assert first == again
    assert await store.record_thread(post.id + 50, 78, NOW) is None


async def test_threads_go_with_their_source(store: Store) -> None:
    post = await post_something(store)
    await store.record_thread(post.id, 77, NOW)
    source = await store.find_source_by_name_or_id(GUILD_A, "X")
    assert source is not None
    await store.remove_source(GUILD_A, source.id)
    assert await store.threads_due_for_digest(NOW + timedelta(days=9), timedelta(0)) == []
