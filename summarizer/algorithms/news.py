"""`news`, the default: the article's lead, read the way a news reader reads it.

News is written as an inverted pyramid: the event first, then what a reader needs to place it, then
background. On summaries written by people (human_dev: CNN/DailyMail highlights and crowd summaries,
Newsroom, freelance writers, Inshorts editors) the first sentences are what those people kept, and
every "central" or learned alternative we measured lost to them (docs/benchmarks.md, issue 8). What
makes the lead a good summary is what comes before ranking: text hygiene (`summarizer.hygiene`) drops
captions, credits, bylines, bios, calls to action, sub-headings and the page furniture above a
dateline, so that the lead is the story's lead, not the page's.

Then, in article order, a sentence is skipped when it cannot stand in a summary:
- it begins inside a quotation (`It is ready," he said.`: the rest of someone's words), while whole
  sentences remain;
- it repeats a sentence already taken (content-word cosine >= NEAR_DUPLICATE: wire copy that restates
  its first sentence).
No stemming and no sumy: the default path imports nothing heavy, so a cold process answers fast.
"""

from __future__ import annotations

import math
from collections import Counter

from summarizer.algorithms.document import Document, candidates_of

__all__ = ["NEAR_DUPLICATE", "news"]

# Content-word cosine above which two sentences say the same thing.
NEAR_DUPLICATE = 0.8


def _content_words(document: Document, index: int) -> Counter[str]:
    stop = document.stop_words
    return Counter(
        lowered for lowered in (word.lower() for word in document.words[index])
        if len(lowered) > 1 and lowered not in stop
    )


def _cosine(left: Counter[str], right: Counter[str]) -> float:
    dot = sum(count * right[word] for word, count in left.items() if word in right)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(c * c for c in left.values()) * sum(c * c for c in right.values()))
    return dot / norm


def news(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences the news ranker picks."""
    total = len(document.sentences)
    if count <= 0 or total == 0:
        return []
    candidates = candidates_of(document, count)
    bags = {index: _content_words(document, index) for index in candidates}
    chosen: list[int] = []
    repeats: list[int] = []
    for index in candidates:
        if len(chosen) == count:
            break
        if any(_cosine(bags[index], bags[other]) >= NEAR_DUPLICATE for other in chosen):
            repeats.append(index)
            continue
        chosen.append(index)
    if len(chosen) < count:  # an article that says one thing over and over still fills the budget
        chosen += repeats[: count - len(chosen)]
    return sorted(chosen)
