"""Claims (db.claims) on both backends: one poll per due source, one post per (entry, channel)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from db import NewEntry, Store

from .conftest import NOW

LEASE = timedelta(minutes=5)


async def add_sources(store: Store, count: int) -> list[int]:
    return [
        (await store.add_source(1, f"https://feeds{n}.example/rss", f"Feed {n}", 9, now=NOW)).id
        for n in range(count)
    ]


async def pending_entry(store: Store, source_id: int, key: str = "k1") -> int:
    [entry] = await store.add_entries(source_id, [NewEntry(key, "Title", f"https://x.example/{key}", None)], NOW)
    return entry.id


async def test_a_due_source_is_claimed_once_until_its_poll_is_recorded(store: Store) -> None:
    [source_id] = await add_sources(store, 1)
    [claimed] = await store.claim_sources([source_id], owner="a", now=NOW, lease=LEASE)
    assert claimed.id == source_id
    assert await store.claim_sources([source_id], owner="b", now=NOW, lease=LEASE) == []
    await store.record_poll_success(
        source_id, NOW, etag=None, last_modified=None, next_poll_at=NOW + timedelta(minutes=15)
    )
    # Released, but no longer due; due again at its next poll time, for anyone.
    assert await store.claim_sources([source_id], owner="b", now=NOW, lease=LEASE) == []
    later = NOW + timedelta(minutes=15)
    assert [s.id for s in await store.claim_sources([source_id], owner="b", now=later, lease=LEASE)] == [source_id]


async def test_a_claim_of_a_process_that_died_expires(store: Store) -> None:
    [source_id] = await add_sources(store, 1)
    await store.claim_sources([source_id], owner="dead", now=NOW, lease=LEASE)
    assert await store.claim_sources([source_id], owner="b", now=NOW + LEASE / 2, lease=LEASE) == []
    [again] = await store.claim_sources([source_id], owner="b", now=NOW + LEASE, lease=LEASE)
    assert again.id == source_id


async def test_failures_and_not_modified_release_the_claim_too(store: Store) -> None:
    first, second = await add_sources(store, 2)
    await store.claim_sources([first, second], owner="a", now=NOW, lease=LEASE)
    await store.record_poll_failure(first, NOW, "boom", next_poll_at=NOW)
    await store.record_poll_not_modified(second, NOW, next_poll_at=NOW)
    assert len(await store.claim_sources([first, second], owner="b", now=NOW, lease=LEASE)) == 2


async def test_release_and_shutdown_free_the_sources_of_one_owner(store: Store) -> None:
    first, second = await add_sources(store, 2)
    await store.claim_sources([first], owner="a", now=NOW, lease=LEASE)
    await store.claim_sources([second], owner="b", now=NOW, lease=LEASE)
    assert not await store.release_source(first, owner="b")
    assert await store.release_claims(owner="a", now=NOW) == 1
    assert [s.id for s in await store.claim_sources([first, second], owner="c", now=NOW, lease=LEASE)] == [first]


async def test_concurrent_claimers_divide_the_due_sources(store: Store, store_target: str) -> None:
    ids = await add_sources(store, 60)
    async with Store.open(store_target) as other:

        async def claim(by: Store, owner: str) -> list[int]:
            got: list[int] = []
            for start in range(0, len(ids), 10):
                got += [s.id for s in await by.claim_sources(ids[start:], owner=owner, now=NOW, lease=LEASE)]
            return got

        first, second = await asyncio.gather(claim(store, "a"), claim(other, "b"))
    assert sorted(first + second) == sorted(ids)  # every source claimed, none twice


async def test_a_post_is_claimed_first_then_retried_only_after_the_claim_expires(store: Store) -> None:
    [source_id] = await add_sources(store, 1)
    entry_id = await pending_entry(store, source_id)
    assert await store.claim_post(entry_id, 5, owner="a", now=NOW, lease=LEASE) == "first"
    # Another process must not send while the first may be sending...
    assert await store.claim_post(entry_id, 5, owner="b", now=NOW, lease=LEASE) is None
    # ...another channel is another post...
    assert await store.claim_post(entry_id, 6, owner="b", now=NOW, lease=LEASE) == "first"
    # ...the owner itself may retry (after a failed send), and so may anyone once the claim expired:
    # either way the message may be out already, so the answer says "look first".
    assert await store.claim_post(entry_id, 5, owner="a", now=NOW, lease=LEASE) == "retry"
    assert await store.claim_post(entry_id, 5, owner="b", now=NOW + LEASE, lease=LEASE) == "retry"


async def test_a_recorded_or_skipped_post_cannot_be_claimed_again(store: Store) -> None:
    [source_id] = await add_sources(store, 1)
    posted, skipped = await pending_entry(store, source_id, "p"), await pending_entry(store, source_id, "s")
    assert await store.claim_post(posted, 5, owner="a", now=NOW, lease=LEASE) == "first"
    await store.mark_posted(posted, 5, 777, NOW)
    assert await store.claim_post(posted, 5, owner="b", now=NOW + LEASE, lease=LEASE) is None
    assert await store.claim_post(skipped, 5, owner="a", now=NOW, lease=LEASE) == "first"
    await store.mark_skipped(skipped, "channel gone")
    assert await store.claim_post(skipped, 5, owner="b", now=NOW + LEASE, lease=LEASE) is None
    assert await store.claim_post(424242, 5, owner="b", now=NOW, lease=LEASE) is None


async def test_a_clean_shutdown_leaves_its_post_claims_to_be_reconciled_at_once(store: Store) -> None:
    [source_id] = await add_sources(store, 1)
    entry_id = await pending_entry(store, source_id)
    assert await store.claim_post(entry_id, 5, owner="a", now=NOW, lease=LEASE) == "first"
    assert await store.release_claims(owner="a", now=NOW) == 1
    assert await store.claim_post(entry_id, 5, owner="b", now=NOW, lease=LEASE) == "retry"


async def test_concurrent_post_claims_let_exactly_one_process_send(store: Store, store_target: str) -> None:
    [source_id] = await add_sources(store, 1)
    entry_ids = [await pending_entry(store, source_id, f"k{n}") for n in range(20)]
    async with Store.open(store_target) as other:
        answers = await asyncio.gather(
            *(
                by.claim_post(entry_id, 5, owner=owner, now=NOW, lease=LEASE)
                for entry_id in entry_ids
                for by, owner in ((store, "a"), (other, "b"))
            )
        )
    assert sorted(map(str, answers)) == sorted(["first", "None"] * 20)


async def test_a_post_recorded_meanwhile_is_never_claimed_afresh(store: Store, store_target: str) -> None:
    # Two processes each claim and record every post: a claim racing a record must see "posted".
    [source_id] = await add_sources(store, 1)
    entry_ids = [await pending_entry(store, source_id, f"k{n}") for n in range(60)]
    async with Store.open(store_target) as other:

        async def post(by: Store, owner: str, entry_id: int) -> int:
            if await by.claim_post(entry_id, 5, owner=owner, now=NOW, lease=LEASE) is None:
                return 0
            await by.mark_posted(entry_id, 5, entry_id + 1000, NOW)
            return 1

        wins = await asyncio.gather(
            *(post(store, "a", entry_id) for entry_id in entry_ids),
            *(post(other, "b", entry_id) for entry_id in reversed(entry_ids)),
        )
    assert sum(wins) == len(entry_ids)
