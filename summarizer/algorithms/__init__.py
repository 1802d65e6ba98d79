"""Sentence-selection algorithms, by name. Each takes a prepared Document and a sentence budget and
returns the indices of the chosen sentences in article order, so every algorithm sees exactly the same
sentences and returns them verbatim."""

from __future__ import annotations

from collections.abc import Callable

from summarizer.algorithms.document import Document
from summarizer.algorithms.edmundson import edmundson
from summarizer.algorithms.kl import kl
from summarizer.algorithms.lead3 import lead
from summarizer.algorithms.lexrank import lexrank
from summarizer.algorithms.lsa import lsa
from summarizer.algorithms.luhn import luhn
from summarizer.algorithms.news import news
from summarizer.algorithms.reduction import reduction
from summarizer.algorithms.sumbasic import sumbasic
from summarizer.algorithms.textrank import textrank
from summarizer.errors import UnknownAlgorithmError

__all__ = ["ALGORITHMS", "ALGORITHM_NAMES", "DEFAULT_ALGORITHM", "Algorithm", "Document", "get_algorithm"]

Algorithm = Callable[[Document, int], list[int]]

DEFAULT_ALGORITHM = "news"
ALGORITHMS: dict[str, Algorithm] = {
    "news": news,
    "lexrank": lexrank,
    "textrank": textrank,
    "lsa": lsa,
    "luhn": luhn,
    "edmundson": edmundson,
    "kl": kl,
    "sumbasic": sumbasic,
    "reduction": reduction,
    "lead3": lead,
}
ALGORITHM_NAMES: tuple[str, ...] = tuple(ALGORITHMS)


def get_algorithm(name: str | None) -> tuple[str, Algorithm]:
    """(canonical name, function) for `name`, case and surrounding space ignored; None means the
    default. Raises UnknownAlgorithmError (a ValueError) for anything else."""
    if name is None:
        return DEFAULT_ALGORITHM, ALGORITHMS[DEFAULT_ALGORITHM]
    key = str(name).strip().lower().replace("-", "").replace("_", "")
    if key not in ALGORITHMS:
        raise UnknownAlgorithmError(str(name), ALGORITHM_NAMES)
    return key, ALGORITHMS[key]
