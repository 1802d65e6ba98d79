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

import math
from itertools import chain

import numpy as np

from summarizer.algorithms.document import Document, continues_quotation, is_boilerplate, stem_vocabulary

__all__ = ["CENTRAL_SHARE", "centrality", "news"]

# Share of the article's sentences that make up the pseudo-reference. A third: enough to hold the
# article's main threads, few enough to leave out background and colour.
CENTRAL_SHARE = 0.3
# Content-word cosine above which two sentences say the same thing.
NEAR_DUPLICATE = 0.8


def _count_matrices(document: Document) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-sentence stem counts, sentences as rows: (all words, content words only, the stem id of
    each all-words column, sorted).

    ROUGE-like coverage counts every word (function words are part of what a reader reads); the
    similarity graph counts only content stems (stop words would link every sentence to every other).
    Stemming and classifying go through the language's shared memo; the counting is numpy's.
    """
    vocabulary = stem_vocabulary(document.language)
    every_word = list(chain.from_iterable(document.words))
    total = len(every_word)
    # One lookup per word: its code is stem id * 2 + 1 for a content word. Once the memo is warm
    # every word is known, so new words are learnt only when a lookup fails.
    try:
        codes = np.fromiter(map(vocabulary.code.__getitem__, every_word), dtype=np.intp, count=total)
    except KeyError:
        vocabulary.learn(every_word)
        codes = np.fromiter(map(vocabulary.code.__getitem__, every_word), dtype=np.intp, count=total)
    stem_ids = codes >> 1
    # np.unique(stem_ids, return_inverse=True) by hand: its general machinery costs more than the
    # sort itself on a few hundred words.
    order = np.argsort(stem_ids, kind="stable")
    ordered = stem_ids[order]
    starts = np.empty(total, dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    column_ids = ordered[starts]
    cells = np.empty(total, dtype=np.intp)
    cells[order] = np.cumsum(starts) - 1
    count = len(document.words)
    width = max(len(column_ids), 1)
    rows = np.repeat(np.arange(count, dtype=np.intp), [len(words) for words in document.words])
    # Integer counts: sums and clipping on them are exact.
    words = np.bincount(rows * width + cells, minlength=count * width).reshape(count, width)
    # A stem is a content column when any of its words is a content word (columns in sorted order).
    content_columns = np.zeros(width, dtype=bool)
    content_columns[cells[(codes & 1).astype(bool)]] = True
    content = words[:, content_columns]
    return words, content, column_ids


def _shared_products(content: np.ndarray) -> np.ndarray:
    """content @ content.T, exactly, for a sentences x stems count matrix.

    Off the diagonal only stems found in two or more sentences count (about a fifth of the columns
    in news), so the product runs on those; the diagonal is each row's sum of squares. Integer
    counts through einsum's own loops: exact, and no BLAS, whose worker threads cost more than these
    small products on a busy two-core machine (float64 BLAS made the ranking twice as slow in place).
    """
    shared = content[:, np.count_nonzero(content, axis=0) > 1]
    products = np.einsum("ik,jk->ij", shared, shared)
    np.fill_diagonal(products, np.einsum("ij,ij->i", content, content))
    return products


def centrality(products: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each sentence's degree in the word-overlap graph, scaled to [0, 1].

    `products[i, j]` = sum_t c_i(t) * c_j(t) over content stems and `lengths[i]` = content words of
    sentence i. overlap(i, j) = products[i, j] / (log len_i + log len_j), i != j: the similarity of
    sumy's Reduction and of TextRank, from one matrix product instead of a double loop.
    """
    overlap = products.astype(np.float64)
    np.fill_diagonal(overlap, 0.0)
    log_lengths = np.log(np.maximum(lengths, 1))
    norm = log_lengths[:, None] + log_lengths[None, :]
    # Two one-word sentences have norm 0; their overlap is no evidence either way.
    degrees = (overlap / np.where(norm > 0, norm, np.inf)).sum(axis=1)
    top = float(degrees.max()) if len(degrees) else 0.0
    return degrees / top if top > 0 else np.zeros_like(degrees)


def _distinct(products: np.ndarray, ranked: list[int], limit: int) -> list[int]:
    """The first `limit` of `ranked` with near-duplicates (content cosine >= NEAR_DUPLICATE to one
    already taken) skipped: a story repeated in other words must not count twice in the reference,
    or covering it twice would look like coverage."""
    # Only the cosines against sentences already taken are needed, a few dozen of the n*n, so they
    # are computed one by one in Python floats (the same IEEE operations numpy would do).
    rows = products.tolist()
    norms = [math.sqrt(row[index]) for index, row in enumerate(rows)]
    taken: list[int] = []
    for index in ranked:
        if len(taken) == limit:
            break
        row, norm = rows[index], norms[index]
        if all(row[other] / max(norm * norms[other], 1e-12) < NEAR_DUPLICATE for other in taken):
            taken.append(index)
    return taken


def news(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences the news ranker picks."""
    total = len(document.sentences)
    if count <= 0 or total == 0:
        return []
    words, content, column_ids = _count_matrices(document)
    content_lengths = content.sum(axis=1)
    has_content = (content_lengths > 0).tolist()
    candidates = [index for index, sentence in enumerate(document.sentences) if not is_boilerplate(sentence)]
    with_content = [index for index in candidates if has_content[index]]
    if with_content:  # an article of nothing but stop words still gets a summary
        candidates = with_content
    whole = [index for index in candidates if not continues_quotation(document.sentences[index])]
    if len(whole) >= min(count, len(candidates)):
        candidates = whole
    if len(candidates) <= count:
        return sorted(candidates)

    products = _shared_products(content)
    scores = centrality(products, content_lengths).tolist()
    central_count = max(count, round(CENTRAL_SHARE * total))
    ranked = sorted(candidates, key=lambda index: (-scores[index], index))
    central = _distinct(products, ranked, central_count)
    reference = words[central].sum(axis=0)
    if document.title:
        # The headline is the editor's own summary: its words join the reference (new ones dropped,
        # since no sentence could cover them anyway).
        vocabulary = stem_vocabulary(document.language)
        title_words = document.tokenizer.to_words(document.title)
        vocabulary.learn(title_words)
        title_ids = np.fromiter(map(vocabulary.stem_id.__getitem__, title_words), dtype=np.intp)
        at = np.searchsorted(column_ids, title_ids)
        known = (at < len(column_ids)) & (column_ids[np.minimum(at, len(column_ids) - 1)] == title_ids)
        np.add.at(reference, at[known], 1)
    # Only words of the reference can be matched; the others count through the sentence sizes.
    useful = reference > 0
    reference = reference[useful]
    reference_size = float(reference.sum())
    pool_words = words[candidates][:, useful]
    pool_sizes = words[candidates].sum(axis=1).astype(np.float64)

    summary = np.zeros_like(reference)
    summary_size = 0.0
    chosen: list[int] = []
    available = np.ones(len(candidates), dtype=bool)
    while len(chosen) < min(count, len(candidates)):
        # Clipped overlap with the reference if each candidate were added (ROUGE-1's numerator).
        matched = np.minimum(summary + pool_words, reference).sum(axis=1)
        f1 = 2.0 * matched / (summary_size + pool_sizes + reference_size)
        f1[~available] = -1.0
        best = int(np.argmax(f1))  # the first maximum: on equal gain the earlier sentence wins
        available[best] = False
        chosen.append(candidates[best])
        summary += pool_words[best]
        summary_size += pool_sizes[best]
    return sorted(chosen)
