"""Sentence-selection algorithms, by name. Each takes a prepared Document and a sentence budget and
returns the indices of the chosen sentences in article order, so every algorithm sees exactly the same
sentences and returns them verbatim."""

from __future__ import annotations

from collections.abc import Callable

# Modules, not their functions, so that `summarizer.algorithms.news` stays the module.
from summarizer.algorithms import (
    central,
    edmundson,
    kl,
    lead3,
    lexrank,
    lsa,
    luhn,
    news,
    reduction,
    sumbasic,
    textrank,
)
from summarizer.algorithms.document import Document
from summarizer.errors import UnknownAlgorithmError

__all__ = ["ALGORITHMS", "ALGORITHM_NAMES", "DEFAULT_ALGORITHM", "Algorithm", "Document", "get_algorithm"]

Algorithm = Callable[[Document, int], list[int]]

DEFAULT_ALGORITHM = "news"
ALGORITHMS: dict[str, Algorithm] = {
    "news": news.news,
    "lexrank": lexrank.lexrank,
    "textrank": textrank.textrank,
    "lsa": lsa.lsa,
    "luhn": luhn.luhn,
    "edmundson": edmundson.edmundson,
    "kl": kl.kl,
    "sumbasic": sumbasic.sumbasic,
    "reduction": reduction.reduction,
    "lead3": lead3.lead,
    "central": central.central,
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
