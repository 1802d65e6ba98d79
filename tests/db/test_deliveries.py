"""Refused posts: attempts counted per pending entry, entries given up with their reason, each
announced once; digest attempts per thread."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db import NewEntry, Store

from .conftest import NOW
from .test_settings_threads import GUILD_A, post_something


async def pending(store: Store, *keys: str) -> list[int]:
    source = await store.add_source(GUILD_A, "https://feeds.example/rss", "Agency", 10, now=NOW)
    entries = await store.add_entries(
        source.id, [NewEntry(key, f"Story {key}", f"https://x.example/{key}", None) for key in keys], NOW
    )
    return [entry.id for entry in entries]


async def test_attempts_are_counted_while_pending(store: Store) -> None:
    first, second = await pending(store, "a", "b")
    assert await store.count_delivery_attempt(first, "400 code 200000: blocked", NOW) == 1
    assert await store.count_delivery_attempt(first, "400 code 200000: blocked", NOW) == 2
    assert await store.count_delivery_attempt(second, "500", NOW) == 1
    assert [e.id for e in await store.pending_entries()] == [first, second]  # still pending
    assert await store.problems_to_announce() == []  # nothing given up yet


async def test_a_given_up_entry_leaves_the_queue_and_is_announced_once(store: Store) -> None:
    first, second = await pending(store, "a", "b")
    await store.count_delivery_attempt(first, "blocked", NOW)
    await store.count_delivery_attempt(first, "blocked", NOW)
    assert await store.give_up_entry(first, "failed", "AutoMod blocked the message\n(code 200000)", NOW)
    assert [e.id for e in await store.pending_entries()] == [second]  # the source goes on
    entry = await store.get_entry(first)
    assert entry is not None and entry.state == "skipped" and entry.skip_reason is not None
    assert entry.skip_reason.startswith("failed: AutoMod blocked")
    [problem] = await store.problems_to_announce()
    assert (problem.entry_id, problem.outcome, problem.attempts) == (first, "failed", 2)
    assert (problem.title, problem.url, problem.source_name, problem.guild_id, problem.channel_id) == (
        "Story a", "https://x.example/a", "Agency", GUILD_A, 10,
    )
    assert "\n" not in problem.reason
    assert await store.mark_problem_announced(first) is True
    assert await store.mark_problem_announced(first) is False
    assert await store.problems_to_announce() == []
    # No longer pending: neither another attempt nor another give-up applies.
    assert await store.count_delivery_attempt(first, "again", NOW) == 0
    assert await store.give_up_entry(first, "failed", "again", NOW) is False


async def test_unconfirmed_needs_no_attempts(store: Store) -> None:
    [only] = await pending(store, "a")
    assert await store.give_up_entry(only, "unconfirmed", "cannot read the channel's history", NOW)
    [problem] = await store.problems_to_announce()
    assert (problem.outcome, problem.attempts) == ("unconfirmed", 0)
    with pytest.raises(ValueError, match="outcome"):
        await store.give_up_entry(only, "lost", "x", NOW)  # type: ignore[arg-type]


async def test_problems_go_with_their_source(store: Store) -> None:
    [only] = await pending(store, "a")
    await store.give_up_entry(only, "failed", "blocked", NOW)
    [source] = await store.list_sources(GUILD_A)
    assert await store.remove_source(GUILD_A, source.id)
    assert await store.problems_to_announce() == []


async def test_digest_attempts_are_counted_per_thread(store: Store) -> None:
    post = await post_something(store)
    await store.record_thread(post.id, 501, NOW)
    assert await store.count_digest_attempt(501) == 1
    assert await store.count_digest_attempt(501) == 2
    assert await store.count_digest_attempt(999) == 0
    [thread] = await store.threads_due_for_digest(NOW + timedelta(days=2), timedelta(hours=1))
    assert thread.digest_attempts == 2
