"""`news`, the default: a news-aware extractive ranker.

News is written as an inverted pyramid: the lead carries the facts, later paragraphs add detail,
background and quotes. A good 3-sentence extract is therefore mostly lead, plus the sentences that
best cover what the article (and its headline) is about, without repeating each other. Each
sentence gets

    score = (POSITION * position + CENTRALITY * centrality + TITLE * title_overlap) * length * form

- position: 1 / sqrt(1 + index), plus a smaller bonus for opening a paragraph (journalists put a
  paragraph's point first);
- centrality: cosine between the sentence's content stems and the rest of the article's;
- title_overlap: share of the headline's content stems the sentence contains;
- length: very short sentences (captions, sign-offs, fragments) are damped, very long ones too;
- form: quote fragments (an unbalanced quotation mark: a quote cut across sentences) and sentences
  that open with a dangling connective or a bare quotation are damped; boilerplate is never chosen.

Sentences are picked greedily by score minus REDUNDANCY times their similarity to those already
picked (maximal marginal relevance), then returned in article order. Pure Python over term bags:
no matrix, no iteration to convergence, so it costs a few milliseconds per article.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from summarizer.algorithms.document import Document, cosine, is_boilerplate

__all__ = ["NewsWeights", "is_quote_fragment", "news", "score_sentences"]


@dataclass(frozen=True, slots=True)
class NewsWeights:
    position: float = 1.0
    paragraph_lead: float = 0.2
    centrality: float = 1.0
    title: float = 0.5
    redundancy: float = 0.5
    short_words: int = 10  # below this many words a sentence is damped in proportion
    long_words: int = 55  # above this many words it is damped in proportion
    quote_fragment: float = 0.3  # multiplier for a sentence with an unbalanced quotation mark
    quotation: float = 0.5  # multiplier for a sentence that opens with a quotation (quotes are listed apart)
    dangling_opener: float = 0.8  # multiplier for "But ...", "He added ..." without their antecedent


DEFAULT_WEIGHTS = NewsWeights()

_DOUBLE_QUOTES = re.compile(r"[\"“”«»„]")
_OPENING_QUOTE = re.compile(r"^[\"“«„']")
# Sentence openers that lean on the previous sentence; out of context they read as fragments.
_DANGLING = frozenset(
    "but and or so also however meanwhile yet still nevertheless moreover furthermore this these that those "
    "he she they it his her their its".split()
)


def is_quote_fragment(sentence: str) -> bool:
    """A sentence holding part of a quotation: an odd number of double quotation marks, i.e. the
    quote opened in an earlier sentence or closes in a later one."""
    marks = _DOUBLE_QUOTES.findall(sentence)
    opening = sum(1 for mark in marks if mark in "“«„")
    closing = sum(1 for mark in marks if mark in "”»")
    straight = sum(1 for mark in marks if mark == '"')
    if opening or closing:
        return opening != closing or straight % 2 == 1
    return straight % 2 == 1


def _overlap_degree(document: Document) -> list[float]:
    """Each sentence's summed word overlap with every other sentence, scaled to [0, 1].

    This is the sentence's degree in the similarity graph of Reduction and TextRank: the overlap of
    sentences i and j is sum over terms of c_i(t) * c_j(t), divided by log len_i + log len_j (long
    sentences share more words by chance). One sparse-free matrix product: M @ M.T over term counts.
    """
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    for row, terms in enumerate(document.terms):
        for term in terms:
            rows.append(row)
            columns.append(vocabulary.setdefault(term, len(vocabulary)))
    count = len(document.terms)
    if not vocabulary or count < 2:
        return [1.0 if terms else 0.0 for terms in document.terms]
    matrix = np.zeros((count, len(vocabulary)), dtype=np.float64)
    np.add.at(matrix, (np.asarray(rows), np.asarray(columns)), 1.0)
    overlap = matrix @ matrix.T
    np.fill_diagonal(overlap, 0.0)
    lengths = matrix.sum(axis=1)
    log_lengths = np.log(np.maximum(lengths, 1.0))
    norm = log_lengths[:, None] + log_lengths[None, :]
    # Two one-word sentences have norm 0; their overlap carries no evidence either way.
    weights = np.divide(overlap, norm, out=np.zeros_like(overlap), where=norm > 0)
    degrees = weights.sum(axis=1)
    top = float(degrees.max())
    return [float(value) / top for value in degrees] if top > 0 else [0.0] * count


def score_sentences(document: Document, weights: NewsWeights = DEFAULT_WEIGHTS) -> list[float]:
    """The relevance score of every sentence (0.0 for boilerplate), before redundancy."""
    centralities = _overlap_degree(document)
    title_terms = document.title_terms
    scores: list[float] = []
    previous_paragraph: int | None = None
    for index, (sentence, words, terms) in enumerate(
        zip(document.sentences, document.words, document.terms, strict=True)
    ):
        opens_paragraph = document.paragraphs[index] != previous_paragraph
        previous_paragraph = document.paragraphs[index]
        if is_boilerplate(sentence) or not terms:
            scores.append(0.0)
            continue
        title_overlap = len(title_terms.intersection(terms)) / len(title_terms) if title_terms else 0.0
        position = 1.0 / math.sqrt(1.0 + index) + (weights.paragraph_lead if opens_paragraph else 0.0)
        relevance = (
            weights.position * position
            + weights.centrality * centralities[index]
            + weights.title * title_overlap
        )
        word_count = len(words)
        length = 1.0
        if word_count < weights.short_words:
            length = word_count / weights.short_words
        elif word_count > weights.long_words:
            length = weights.long_words / word_count
        form = 1.0
        if is_quote_fragment(sentence):
            form *= weights.quote_fragment
        elif _OPENING_QUOTE.match(sentence):
            form *= weights.quotation
        first_word = words[0].lower() if words else ""
        if first_word in _DANGLING and index > 0:
            form *= weights.dangling_opener
        scores.append(relevance * length * form)
    return scores


def news(document: Document, count: int, weights: NewsWeights = DEFAULT_WEIGHTS) -> list[int]:
    """Indices, in article order, of the `count` sentences the news ranker picks."""
    if count <= 0 or not document.sentences:
        return []
    scores = score_sentences(document, weights)
    bags = [Counter(terms) for terms in document.terms]
    candidates = [index for index, score in enumerate(scores) if score > 0.0]
    picked: list[int] = []
    while candidates and len(picked) < count:
        best_index, best_value = -1, -math.inf
        for index in candidates:
            overlap = max((cosine(bags[index], bags[chosen]) for chosen in picked), default=0.0)
            value = scores[index] - weights.redundancy * overlap * scores[index]
            if value > best_value:
                best_index, best_value = index, value
        picked.append(best_index)
        candidates.remove(best_index)
    return sorted(picked)
