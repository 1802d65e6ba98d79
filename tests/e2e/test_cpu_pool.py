"""bot.app.CpuPool: the heavy pure functions in worker processes, same results as in-process."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import CpuPool, CpuWorkerError
from feeds.parse import parse_feed
from summarizer.debate import Comment, condense
from summarizer.errors import NoTextError

REPO = Path(__file__).resolve().parents[2]
POOL_PARENT = Path(__file__).with_name("pool_parent.py")
ORPHAN_WAIT_S = 60.0
PR_GET_PDEATHSIG = 2

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


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for init to reap it has exited)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def descendants(root: int) -> set[int]:
    """Every process below `root`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc (Linux)")
def test_workers_exit_when_their_bot_is_sigkilled() -> None:
    # A real parent with a real pool; only the parent is killed, as the OOM killer or `kill -9`
    # would. Its workers, the fork server and the resource tracker must all go by themselves.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    parent = subprocess.Popen(
        [sys.executable, str(POOL_PARENT)], cwd=REPO, env=env, stdout=subprocess.PIPE, start_new_session=True
    )
    started: set[int] = set()
    try:
        assert parent.stdout is not None
        workers = set(json.loads(parent.stdout.readline() or "[]"))
        assert len(workers) == 2, "the parent did not report two warm workers"
        started = descendants(parent.pid)
        assert workers <= started
        parent.send_signal(signal.SIGKILL)  # the parent only, not its process group
        parent.wait()
        deadline = time.monotonic() + ORPHAN_WAIT_S  # an upper bound: the loop ends when they are gone
        while any(running(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in started if running(pid)], "processes outlived their SIGKILLed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for pid in started:  # never leave strays behind, even when the test failed
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def worker_death_signal() -> int:
    """The parent-death signal of the calling process (prctl PR_GET_PDEATHSIG)."""
    value = ctypes.c_int(0)
    assert ctypes.CDLL(None, use_errno=True).prctl(PR_GET_PDEATHSIG, ctypes.byref(value), 0, 0, 0) == 0
    return value.value


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
async def test_workers_die_with_the_fork_server_that_forked_them(pool: CpuPool) -> None:
    assert await pool.run(worker_death_signal) == signal.SIGKILL
