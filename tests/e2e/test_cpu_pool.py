"""bot.app.CpuPool: the heavy pure functions in worker processes, same results as in-process."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bot.app import CpuPool, CpuWorkerError
from feeds.parse import parse_feed
from summarizer.debate import Comment, condense
from summarizer.errors import NoTextError

RSS = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title>'
    b"<link>https://example.org/</link><description>d</description>"
    b"<item><guid>g1</guid><title>First launch</title><link>https://example.org/1</link>"
    b"<description>One.</description></item>"
    b"<item><guid>g2</guid><title>Second launch</title><link>https://example.org/2</link>"
    b"<description>Two.</description></item></channel></rss>"
)

DEBATE = [
    Comment("ana", "Reusable boosters cut launch costs because the first stage flies again within weeks.", "1"),
    Comment("ben", "Reusing boosters made launches cheaper, the first stage flies again and again.", "2"),
    Comment("cy", "A lunar base should come before any crewed Mars mission, the Moon is three days away.", "3"),
    Comment("dee", "The Moon first: a base there is three days away, Mars is months away.", "4"),
    Comment("eve", "lol", "5"),
]


@pytest.fixture(scope="module")
def pool() -> Iterator[CpuPool]:
    # One pool for the module: a worker's start-up (importing the text tools) takes seconds.
    cpu = CpuPool(workers=1)
    try:
        yield cpu
    finally:
        cpu.close()


async def test_results_match_the_in_process_call(pool: CpuPool) -> None:
    remote = await pool.run(condense, DEBATE, max_arguments=3)
    assert [a.to_dict() for a in remote] == [a.to_dict() for a in condense(DEBATE, max_arguments=3)]
    feed = await pool.run(parse_feed, RSS, url="https://example.org/feed")
    assert [e.title for e in feed.entries] == ["First launch", "Second launch"]


async def test_work_runs_in_another_process(pool: CpuPool) -> None:
    assert await pool.run(os.getpid) != os.getpid()


async def test_exceptions_arrive_with_their_type(pool: CpuPool) -> None:
    from summarizer.summary import summarize

    with pytest.raises(NoTextError):
        await pool.run(summarize, "   ")


async def test_a_dead_worker_is_one_error_and_the_next_call_works(pool: CpuPool) -> None:
    with pytest.raises(CpuWorkerError, match="worker process died"):
        await pool.run(os._exit, 3)
    assert await pool.run(len, "still working") == len("still working")


async def test_closed_pool_refuses_work() -> None:
    cpu = CpuPool(workers=1)
    cpu.close()
    with pytest.raises(RuntimeError, match="closed"):
        await cpu.run(sum, [1])


async def test_warming_starts_every_worker_before_real_work() -> None:
    cpu = CpuPool(workers=2)
    try:
        assert cpu.started == 0
        warmed = await cpu.warm()
        assert cpu.started == 2  # both workers up (each imported the text tools as it started)
        assert warmed and os.getpid() not in warmed
        # Real work lands on a running worker: no new process is started for it.
        assert await cpu.run(os.getpid) != os.getpid()
        assert cpu.started == 2
    finally:
        cpu.close()
