"""`central`: the sentences that cover what the whole article is about, wherever they stand.

For text that is not written as an inverted pyramid (features, press releases, reports), and for
extract-style summaries: on bbc_dev, whose references are machine-picked extracts of ~40% of each
article, it scores ROUGE-1 0.62 against LexRank's 0.50 and LEAD-3's 0.45; on human_dev, whose
references people wrote, the lead wins in 373 of 508 articles, which is why `news` is the default
(docs/benchmarks.md, issue 8).

Two standard steps:
1. **Centrality** (the similarity graph of Reduction and TextRank): a sentence's score is the sum over
   other sentences of shared content stems c_i(t) * c_j(t) / (log len_i + log len_j). The central
   share of the article (CENTRAL_SHARE of its sentences, near-duplicates counted once) plus the
   headline form a *pseudo-reference*.
2. **Coverage** (in the spirit of Lin & Bilmes 2011): sentences are added greedily to maximise the
   clipped unigram F1 between the summary and that pseudo-reference. Clipping makes a repeat worth
   nothing; F1 makes a long, thin sentence cost precision and a fragment bring too little recall; on
   equal gain the earlier sentence wins.

The same candidates as `news`: no boilerplate, no sentence that carries on someone else's quotation
while whole sentences remain. Pure Python over stem counts; sentences are returned in article order.
"""

from __future__ import annotations

import math
from collections import Counter

from summarizer.algorithms.document import Document, candidates_of, cosine

__all__ = ["CENTRAL_SHARE", "NEAR_DUPLICATE", "central", "centrality", "cover"]

# Share of the article's sentences in the pseudo-reference: enough to hold the article's main
# threads, few enough to leave out background and colour.
CENTRAL_SHARE = 0.3
# Content-stem cosine above which two sentences say the same thing.
NEAR_DUPLICATE = 0.8


def centrality(terms: list[Counter[str]]) -> list[float]:
    """Each sentence's degree in the content-overlap graph, scaled to [0, 1]."""
    logs = [math.log(max(sum(bag.values()), 1)) for bag in terms]
    degrees = [0.0] * len(terms)
    for i, left in enumerate(terms):
        for j in range(i + 1, len(terms)):
            right = terms[j]
            small, large = (left, right) if len(left) <= len(right) else (right, left)
            overlap = sum(count * large[term] for term, count in small.items() if term in large)
            norm = logs[i] + logs[j]
            # Two one-word sentences have norm 0: their overlap is no evidence either way.
            if overlap and norm > 0:
                degrees[i] += overlap / norm
                degrees[j] += overlap / norm
    top = max(degrees, default=0.0)
    return [degree / top for degree in degrees] if top > 0 else degrees


def central(document: Document, count: int) -> list[int]:
    """Indices, in article order, of the `count` sentences that best cover the article's centre."""
    if count <= 0 or not document.sentences:
        return []
    candidates = candidates_of(document, count)
    if len(candidates) <= count:
        return sorted(candidates)
    return cover(document, count, candidates)


def cover(document: Document, count: int, candidates: list[int], chosen: tuple[int, ...] = ()) -> list[int]:
    """`chosen` plus sentences of `candidates` added greedily until there are `count`, each the one
    that best covers the pseudo-reference; in article order. (bench/summary_tradeoff.py calls it with
    the lead sentence already chosen and the candidates cut to the first few.)"""
    total = len(document.sentences)
    terms = [Counter(sentence_terms) for sentence_terms in document.terms]
    scores = centrality(terms)
    reference_size = max(count, round(CENTRAL_SHARE * total))
    taken: list[int] = []
    # The reference is the whole article's centre, whatever the pool the picks come from.
    for index in sorted(candidates_of(document, count), key=lambda index: (-scores[index], index)):
        if len(taken) == reference_size:
            break
        if all(cosine(terms[index], terms[other]) < NEAR_DUPLICATE for other in taken):
            taken.append(index)

    stem = document.stemmer
    # Every word counts for coverage (a reader reads function words too); content stems only for
    # centrality, where stop words would link every sentence to every other.
    words = [Counter(stem(word) for word in sentence_words) for sentence_words in document.words]
    reference: Counter[str] = Counter()
    for index in taken:
        reference.update(words[index])
    if document.title:
        # The headline is the editor's own summary: its words join the reference.
        reference.update(stem(word) for word in document.tokenizer.to_words(document.title))
    reference_total = sum(reference.values())

    picked: list[int] = []
    summary: Counter[str] = Counter()
    summary_size = 0
    matched = 0
    for index in chosen:
        matched += sum(min(n, max(0, reference[term] - summary[term])) for term, n in words[index].items())
        summary.update(words[index])
        summary_size += sum(words[index].values())
        picked.append(index)
    while len(picked) < count:
        best, best_f1 = -1, -1.0
        for index in candidates:
            if index in picked:
                continue
            gain = sum(min(n, reference[term] - summary[term]) for term, n in words[index].items()
                       if reference[term] > summary[term])
            f1 = 2.0 * (matched + gain) / (summary_size + sum(words[index].values()) + reference_total)
            if f1 > best_f1:  # strictly greater: on equal gain the earlier sentence wins
                best, best_f1 = index, f1
        if best < 0:
            break
        picked.append(best)
        matched += sum(min(n, max(0, reference[term] - summary[term])) for term, n in words[best].items())
        summary.update(words[best])
        summary_size += sum(words[best].values())
    return sorted(picked)
