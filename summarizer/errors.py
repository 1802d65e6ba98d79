"""Errors the summarizer raises for bad input: ValueErrors whose str() is one line for the user."""

from __future__ import annotations

__all__ = ["NavigationOnlyError", "NoTextError", "NotAnArticleError", "UnknownAlgorithmError"]


class NoTextError(ValueError):
    """The input has no article text to summarize (empty, whitespace, binary junk, empty HTML)."""


class NavigationOnlyError(NoTextError):
    """HTML whose only text is its menus, links or scripts: a page, but no article on it."""


class NotAnArticleError(NoTextError):
    """The input is data, not an article: a news feed (`is_feed`) or JSON. `kind` says which,
    e.g. "a news feed (RSS)" or "JSON data"."""

    def __init__(self, kind: str, *, is_feed: bool) -> None:
        self.kind = kind
        self.is_feed = is_feed
        super().__init__(f"no article text: the input is {kind}, not an article")


class UnknownAlgorithmError(ValueError):
    """The algorithm name is not one of ALGORITHM_NAMES."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        shown = name if len(name) <= 40 else name[:40] + "…"
        super().__init__(f"unknown algorithm {shown!r}; choose one of: {', '.join(known)}")
