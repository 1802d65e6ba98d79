"""read_local: files and stdin under the same size cap as fetches."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

import feeds.fetch as fetch_module
from feeds.fetch import FetchError, TooLargeError, read_local


def test_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "article.html"
    path.write_bytes(b"<p>Launch!</p>")
    assert read_local(str(path), 100) == b"<p>Launch!</p>"
    assert read_local(path, 14) == b"<p>Launch!</p>"  # exactly at the cap


def test_larger_file_is_refused_without_being_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(5 * 1024**3)  # sparse: 5 GiB on paper, nothing on disk

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(fetch_module, "open", no_open, raising=False)
    with pytest.raises(TooLargeError, match="file too large"):
        read_local(str(path), 1024)


def test_stdin_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"z" * 5000)))
    with pytest.raises(TooLargeError):
        read_local("-", 4999)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"comment text")))
    assert read_local("-", 100) == b"comment text"


def test_text_only_stdin_is_read_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Ground control ✓"))
    assert read_local("-", 100) == "Ground control ✓".encode()
    monkeypatch.setattr(sys, "stdin", io.StringIO("x" * 101))
    with pytest.raises(TooLargeError):
        read_local("-", 100)


def test_unbounded_special_file_is_cut_at_the_cap() -> None:
    # /dev/zero reports size 0 and never ends: only the streaming cap stops it.
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this platform")
    with pytest.raises(TooLargeError):
        read_local("/dev/zero", 1_000_000)


@pytest.mark.parametrize(("make", "message"), [("missing", "no such file"), ("dir", "directory")])
def test_unreadable_paths_are_one_line_errors(tmp_path: Path, make: str, message: str) -> None:
    path = tmp_path / "x"
    if make == "dir":
        path.mkdir()
    with pytest.raises(FetchError, match=message) as caught:
        read_local(str(path), 100)
    assert "\n" not in str(caught.value)
