"""Every file of feedparser's own test corpus through parse_feed: a FeedParseError at worst, never a crash.

The corpus lives outside the repository (../shared/data/feedparser-corpus, research use only) and is
read in place; the test skips when it is absent.
"""

from __future__ import annotations

import concurrent.futures
from collections import Counter
from pathlib import Path

import pytest

from feeds.parse import FeedParseError, parse_feed

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "feedparser-corpus"
# Not a speed assertion: a file that takes this long is stuck (e.g. an expansion or a parser loop).
HANG_SECONDS = 60


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in (".xml", ".json") and p.is_file())


def parse_one(path: Path) -> str:
    try:
        feed = parse_feed(path.read_bytes(), url=f"https://corpus.example/{path.name}")
    except FeedParseError:
        return "refused"
    # Every entry is fully typed plain text, whatever the input looked like.
    for entry in feed.entries:
        assert isinstance(entry.title, str) and isinstance(entry.summary, str)
        assert entry.published is None or entry.published.tzinfo is not None
    return "parsed"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"feedparser corpus not found at {CORPUS}")
def test_whole_corpus_parses_or_is_refused_cleanly() -> None:
    files = corpus_files()
    assert len(files) > 2000
    outcomes: Counter[str] = Counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        for path in files:
            future = pool.submit(parse_one, path)
            try:
                outcomes[future.result(timeout=HANG_SECONDS)] += 1
            except concurrent.futures.TimeoutError:
                pytest.fail(f"parse_feed hung on {path.relative_to(CORPUS)}")
            except Exception as exc:  # anything but FeedParseError is a bug
                pytest.fail(f"{path.relative_to(CORPUS)}: {type(exc).__name__}: {exc}")
    assert outcomes["parsed"] > outcomes["refused"]
