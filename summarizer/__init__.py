"""Pure text work: summaries, key quotes with speakers, debate condensation.

No I/O and no discord here; callers run these synchronous functions in a worker thread.
"""

from summarizer.algorithms import ALGORITHM_NAMES, DEFAULT_ALGORITHM
from summarizer.debate import Argument, Comment, DebateInputError, condense
from summarizer.errors import NoTextError, UnknownAlgorithmError
from summarizer.quotes import Quote, find_quotes, key_quotes
from summarizer.summary import Summary, SummaryStats, summarize

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
