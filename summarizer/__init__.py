"""Pure text work: summaries, key quotes with speakers, debate condensation.

No I/O and no discord here; callers run these synchronous functions in a worker thread.

The public names load on first use (PEP 562): `spacebrief summarize` needs neither the debate
pipeline nor numpy, and a cold process should not pay for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.algorithms import ALGORITHM_NAMES, DEFAULT_ALGORITHM
    from summarizer.debate import Argument, Comment, DebateInputError, condense
    from summarizer.errors import NoTextError, UnknownAlgorithmError
    from summarizer.quotes import Quote, find_quotes, key_quotes
    from summarizer.summary import Summary, SummaryStats, summarize

# Public name -> the module that defines it.
_EXPORTS = {
    "ALGORITHM_NAMES": "summarizer.algorithms",
    "DEFAULT_ALGORITHM": "summarizer.algorithms",
    "Argument": "summarizer.debate",
    "Comment": "summarizer.debate",
    "DebateInputError": "summarizer.debate",
    "condense": "summarizer.debate",
    "NoTextError": "summarizer.errors",
    "UnknownAlgorithmError": "summarizer.errors",
    "Quote": "summarizer.quotes",
    "find_quotes": "summarizer.quotes",
    "key_quotes": "summarizer.quotes",
    "Summary": "summarizer.summary",
    "SummaryStats": "summarizer.summary",
    "summarize": "summarizer.summary",
}

__all__ = [
    "ALGORITHM_NAMES",
    "DEFAULT_ALGORITHM",
    "Argument",
    "Comment",
    "DebateInputError",
    "NoTextError",
    "Quote",
    "Summary",
    "SummaryStats",
    "UnknownAlgorithmError",
    "condense",
    "find_quotes",
    "key_quotes",
    "summarize",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
