"""Reading escaped Discord markdown back, for tests that check nothing stays live."""

from __future__ import annotations


def is_escaped(text: str, index: int) -> bool:
    """True when the character at ``index`` is preceded by an odd run of backslashes."""
    run = 0
    while index - run - 1 >= 0 and text[index - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def live_brackets(text: str) -> list[int]:
    return [i for i, char in enumerate(text) if char in "[]" and not is_escaped(text, i)]
