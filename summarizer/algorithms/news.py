"""`news`, the default: centrality to find what the article is about, coverage to say it in N sentences.

Two steps, both standard in extractive summarization:

1. **Centrality** (Reduction/TextRank's similarity graph): sentence i's score is its degree, the sum
   over other sentences j of shared content words c_i(t)*c_j(t) / (log len_i + log len_j). The
   central third of the article (CENTRAL_SHARE of its sentences, ties to the earlier one) plus the
   headline form a *pseudo-reference*: the content a reader should come away with.
2. **Coverage** (in the spirit of Lin & Bilmes 2011): sentences are added greedily to maximise the
   unigram F1 between the summary and that pseudo-reference, with counts clipped. Clipping makes a
   second sentence repeating the first worth nothing (redundancy); F1 makes a long, thin sentence
   cost precision and a short fragment bring too little recall (length); on equal gain the earlier
   sentence wins (position: news puts facts first).

News hygiene: boilerplate (credits, "Related:", calls to action) is never a candidate, and neither
is a quote fragment (a sentence whose quotation opens or closes in another sentence) while whole
sentences remain; `summarize` already joins multi-sentence quotations into one unit.
Pure Python plus one small numpy product: a few milliseconds per article. Sentences are returned in
article order.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

from summarizer.algorithms.document import Document, continues_quotation, is_boilerplate

__all__ = ["CENTRAL_SHARE", "centrality", "news"]

# Share of the article's sentences that make up the pseudo-reference. A third: enough to hold the
# article's main threads, few enough to leave out background and colour.
CENTRAL_SHARE = 0.3
# Content-word cosine above which two sentences say the same thing.
NEAR_DUPLICATE = 0.8


def _count_matrices(document: Document) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Per-sentence stem counts, sentences as rows: (all words, content words only, the column of
    each stem).

    ROUGE-like coverage counts every word (function words are part of what a reader reads); the
    similarity graph counts only content stems (stop words would link every sentence to every other).
    Each distinct word is stemmed and classified once; the counting itself is numpy's.
    """
    stem = document.stemmer
    stop_words = document.stop_words
    columns: dict[str, int] = {}
    column_of_word: dict[str, int] = {}
    content_columns: set[int] = set()
    every_word = list(chain.from_iterable(document.words))
    for word in dict.fromkeys(every_word):
        column = columns.setdefault(stem(word), len(columns))
        column_of_word[word] = column
        if len(word) > 1 and word.lower() not in stop_words:
            content_columns.add(column)
    count = len(document.words)
    width = max(len(columns), 1)
    rows = np.repeat(np.arange(count, dtype=np.intp), [len(words) for words in document.words])
    cells = np.fromiter(map(column_of_word.__getitem__, every_word), dtype=np.intp, count=len(every_word))
    # Integer counts: their products stay exact and, unlike float matrices, do not go through BLAS,
    # whose thread start-up costs more than these small products on a busy machine.
    words = np.bincount(rows * width + cells, minlength=count * width).reshape(count, width)
    content = words[:, np.fromiter(sorted(content_columns), dtype=np.intp, count=len(content_columns))]
    return words, content, columns


def centrality(content: np.ndarray) -> np.ndarray:
    """Each sentence's degree in the word-overlap graph, scaled to [0, 1].

    `content` holds content-stem counts, one row per sentence. overlap(i, j) = sum_t c_i(t) * c_j(t)
    / (log len_i + log len_j): the similarity of sumy's Reduction and of TextRank, computed as one
    matrix product instead of a double loop over sentence pairs.
    """
    overlap = (content @ content.T).astype(np.float64)
    np.fill_diagonal(overlap, 0.0)
    log_lengths = np.log(np.maximum(content.sum(axis=1), 1.0))
    norm = log_lengths[:, None] + log_lengths[None, :]
    # Two one-word sentences have norm 0; their overlap is no evidence either way.
    weighted = overlap / np.where(norm > 0, norm, np.inf)
    degrees = weighted.sum(axis=1)
    top = float(degrees.max()) if len(degrees) else 0.0
    return degrees / top if top > 0 else np.zeros_like(degrees)


def _distinct(content: np.ndarray, ranked: list[int], limit: int) -> list[int]:
    """The first `limit` of `ranked` with near-duplicates (content cosine >= NEAR_DUPLICATE to one
    already taken) skipped: a story repeated in other words must not count twice in the reference,
    or covering it twice would look like coverage."""
    norms = np.sqrt((content * content).sum(axis=1))
    taken: list[int] = []
    for index in ranked:
        if len(taken) == limit:
            break
        if taken and norms[index] > 0:
            similarity = (content[taken] @ content[index]) / (norms[taken] * norms[index] + 1e-12)
            if float(similarity.max()) >= NEAR_DUPLICATE:
                continue
        taken.append(index)
    return taken


def news(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences the news ranker picks."""
    total = len(document.sentences)
    if count <= 0 or total == 0:
        return []
    words, content, columns = _count_matrices(document)
    candidates = [index for index, sentence in enumerate(document.sentences) if not is_boilerplate(sentence)]
    has_content = np.count_nonzero(content, axis=1) > 0
    with_content = [index for index in candidates if has_content[index]]
    if with_content:  # an article of nothing but stop words still gets a summary
        candidates = with_content
    whole = [index for index in candidates if not continues_quotation(document.sentences[index])]
    if len(whole) >= min(count, len(candidates)):
        candidates = whole
    if len(candidates) <= count:
        return sorted(candidates)

    scores = centrality(content)
    central_count = max(count, round(CENTRAL_SHARE * total))
    central = _distinct(content, sorted(candidates, key=lambda index: (-scores[index], index)), central_count)
    reference = words[central].sum(axis=0)
    if document.title:
        # The headline is the editor's own summary: its words join the reference (new ones dropped,
        # since no sentence could cover them anyway).
        for word in document.tokenizer.to_words(document.title):
            column = columns.get(document.stemmer(word))
            if column is not None:
                reference[column] += 1
    reference_size = float(reference.sum())

    pool = np.asarray(candidates, dtype=np.intp)
    pool_words = words[pool]
    pool_sizes = pool_words.sum(axis=1)
    summary = np.zeros_like(reference)
    chosen: list[int] = []
    available = np.ones(len(pool), dtype=bool)
    while available.any() and len(chosen) < count:
        # Clipped overlap with the reference if each candidate were added (ROUGE-1's numerator).
        matched = np.minimum(summary[None, :] + pool_words, reference[None, :]).sum(axis=1)
        f1 = 2.0 * matched / (summary.sum() + pool_sizes + reference_size)
        f1[~available] = -1.0
        best = int(np.argmax(f1))  # the first maximum: on equal gain the earlier sentence wins
        available[best] = False
        chosen.append(int(pool[best]))
        summary += pool_words[best]
    return sorted(chosen)

