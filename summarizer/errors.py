"""Errors the summarizer raises for bad input: ValueErrors whose str() is one line for the user."""

from __future__ import annotations

__all__ = ["NoTextError", "UnknownAlgorithmError"]


class NoTextError(ValueError):
    """The input has no article text to summarize (empty, whitespace, binary junk, empty HTML)."""


class UnknownAlgorithmError(ValueError):
    """The algorithm name is not one of ALGORITHM_NAMES."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        shown = name if len(name) <= 40 else name[:40] + "…"
        super().__init__(f"unknown algorithm {shown!r}; choose one of: {', '.join(known)}")
