"""Sparse tf-idf vectors for debate sentences, numpy only.

A sentence is seen two ways, each a sublinear-tf, smoothed-idf, L2-normalised tf-idf vector: the stems of
its content words, and the character 3- to 5-grams of those words (padded with a space at each end, like
scikit-learn's "char_wb"), which lets "killing" meet "kill" and "discriminatory" meet "discrimination"
even where the stemmer keeps them apart. The two views are joined side by side with equal weight and the
result is L2-normalised again, so a cosine is the mean of the two views' cosines.

Rows are stored CSR-style (`indptr`, `indices`, `data`) so that every operation the clustering needs
costs O(non-zeros): a dot product of all rows with one or a few dense vectors, the sum of a subset of
rows, and the densification of a small block of rows over that block's own columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from summarizer.debate.text import content_words, plain_words, stem

__all__ = [
    "SparseRows",
    "char_ngrams",
    "char_rows",
    "join_views",
    "sentence_char_terms",
    "sentence_rows",
    "sentence_terms",
    "sentence_views",
    "text_similarity",
    "tfidf_rows",
]

# Character n-gram lengths of the second view.
CHAR_NGRAM_SIZES = (3, 4, 5)
# Weight of the character view against the stem view (1.0: equal).
CHAR_VIEW_WEIGHT = 1.0
CHAR_ALL_WORDS = True

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def sentence_terms(sentence: str) -> list[str]:
    """The terms a sentence is compared by: stems of its content words."""
    return [stem(word) for word in content_words(sentence)]


@lru_cache(maxsize=200_000)
def char_ngrams(word: str) -> tuple[str, ...]:
    """Character n-grams of one lower-case word padded with spaces (cached: debates repeat words)."""
    padded = f" {word} "
    return tuple(
        padded[start : start + size]
        for size in CHAR_NGRAM_SIZES
        for start in range(len(padded) - size + 1)
    )


def sentence_char_terms(sentence: str) -> list[str]:
    """The character view of a sentence: the n-grams of its content words."""
    terms: list[str] = []
    for word in (plain_words(sentence) if CHAR_ALL_WORDS else content_words(sentence)):
        terms.extend(char_ngrams(word))
    return terms


@dataclass(frozen=True, slots=True)
class SparseRows:
    """Rows of a sparse matrix in CSR layout; each non-empty row is L2-normalised."""

    indptr: IntArray
    indices: IntArray
    data: FloatArray
    n_cols: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def nnz_positions(self, rows: IntArray) -> tuple[IntArray, IntArray]:
        """For a subset of rows: the positions of their non-zeros in `indices`/`data`, and for each
        position the index (0..len(rows)-1) of its row within the subset."""
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        total = int(lengths.sum())
        local_row = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
        # Position k of row r is starts[r] + (k - first position of r in the flat output).
        offsets = np.cumsum(lengths) - lengths
        positions = np.arange(total, dtype=np.int64) - np.repeat(offsets, lengths) + np.repeat(starts, lengths)
        return positions, local_row

    def dot(self, rows: IntArray, dense: FloatArray) -> FloatArray:
        """Dot products of the given rows with dense column vector(s): shape (len(rows),) for a vector
        of length n_cols, (len(rows), k) for an (n_cols, k) matrix."""
        positions, local_row = self.nnz_positions(rows)
        weights = self.data[positions]
        columns = self.indices[positions]
        if dense.ndim == 1:
            sums = np.bincount(local_row, weights=weights * dense[columns], minlength=len(rows))
            return np.asarray(sums, dtype=np.float64)
        # One bincount per column: far faster than np.add.at over an (nnz, k) array.
        out = np.empty((len(rows), dense.shape[1]), dtype=np.float64)
        for column in range(dense.shape[1]):
            out[:, column] = np.bincount(local_row, weights=weights * dense[columns, column], minlength=len(rows))
        return out

    def sum_rows(self, rows: IntArray) -> FloatArray:
        """The dense sum of the given rows (length n_cols)."""
        positions, _ = self.nnz_positions(rows)
        sums = np.bincount(self.indices[positions], weights=self.data[positions], minlength=self.n_cols)
        return np.asarray(sums, dtype=np.float64)

    def dense_block(self, rows: IntArray) -> FloatArray:
        """The given rows as a dense matrix over only the columns they use (for exact block similarity)."""
        positions, local_row = self.nnz_positions(rows)
        columns = self.indices[positions]
        used, local_col = np.unique(columns, return_inverse=True)
        # bincount over flat cells: much faster than np.add.at, and each (row, column) occurs once anyway.
        flat = np.bincount(local_row * len(used) + local_col, weights=self.data[positions], minlength=len(rows) * len(used))
        return np.asarray(flat, dtype=np.float64).reshape(len(rows), len(used))


def tfidf_rows(term_lists: Sequence[Sequence[str]]) -> SparseRows:
    """Sublinear-tf, smoothed-idf, L2-normalised vectors of term lists (one row per list).

    idf is computed over these rows only, so words common in this debate ("Mars" in a Mars debate)
    weigh little and the words that tell points apart weigh most.
    """
    vocabulary: dict[str, int] = {}
    n_rows = len(term_lists)
    lengths = np.fromiter((len(terms) for terms in term_lists), dtype=np.int64, count=n_rows)
    columns = np.fromiter(
        (vocabulary.setdefault(term, len(vocabulary)) for terms in term_lists for term in terms),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    row_of_term = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    return _tfidf_from_pairs(row_of_term, columns, n_rows, len(vocabulary))


def _tfidf_from_pairs(row_of_term: IntArray, columns: IntArray, n_rows: int, n_cols: int) -> SparseRows:
    """tf-idf rows from one (row, column) pair per term occurrence."""
    width = max(1, n_cols)
    # One key per (row, column): unique keys come out sorted by row, then column, which is CSR order.
    keys, tf = np.unique(row_of_term * width + columns, return_counts=True)
    rows_of_entry = keys // width
    indices = (keys % width).astype(np.int64)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows_of_entry, minlength=n_rows), out=indptr[1:])
    df = np.bincount(indices, minlength=n_cols).astype(np.float64)
    idf = np.log((1.0 + n_rows) / (1.0 + df)) + 1.0
    data = (1.0 + np.log(tf.astype(np.float64))) * idf[indices]
    norms = np.sqrt(np.bincount(rows_of_entry, weights=data * data, minlength=n_rows))
    norms[norms == 0] = 1.0
    data /= norms[rows_of_entry]
    return SparseRows(indptr=indptr, indices=indices, data=data, n_cols=n_cols)


def char_rows(word_lists: Sequence[Sequence[str]]) -> SparseRows:
    """tf-idf rows of the character n-grams of each list's words (what `sentence_char_terms` gives),
    built per distinct word rather than per n-gram occurrence: a debate repeats its words, and this
    keeps the Python work proportional to words, not to the ten times more n-grams."""
    words: dict[str, int] = {}
    n_rows = len(word_lists)
    lengths = np.fromiter((len(items) for items in word_lists), dtype=np.int64, count=n_rows)
    tokens = np.fromiter(
        (words.setdefault(word, len(words)) for items in word_lists for word in items),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    vocabulary: dict[str, int] = {}
    gram_lists = [char_ngrams(word) for word in words]
    gram_counts = np.fromiter((len(grams) for grams in gram_lists), dtype=np.int64, count=len(gram_lists))
    gram_ids = np.fromiter(
        (vocabulary.setdefault(gram, len(vocabulary)) for grams in gram_lists for gram in grams),
        dtype=np.int64,
        count=int(gram_counts.sum()),
    )
    gram_starts = np.cumsum(gram_counts) - gram_counts
    # Every token contributes its word's n-grams: gather them with the CSR range trick.
    per_token = gram_counts[tokens]
    offsets = np.cumsum(per_token) - per_token
    positions = np.arange(int(per_token.sum()), dtype=np.int64) - np.repeat(offsets, per_token)
    positions += np.repeat(gram_starts[tokens], per_token)
    token_rows = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    return _tfidf_from_pairs(np.repeat(token_rows, per_token), gram_ids[positions], n_rows, len(vocabulary))


def join_views(first: SparseRows, second: SparseRows, second_weight: float = 1.0) -> SparseRows:
    """Two views of the same rows side by side (the second's columns after the first's), weighted and
    L2-normalised again. With both views normalised, the joined cosine is their weighted mean cosine."""
    if first.n_rows != second.n_rows:
        raise ValueError("views must have the same rows")
    n_rows = first.n_rows
    lengths = np.diff(first.indptr) + np.diff(second.indptr)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    first_lengths = np.diff(first.indptr)
    row_of_first = np.repeat(np.arange(n_rows, dtype=np.int64), first_lengths)
    row_of_second = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(second.indptr))
    # Each entry's place in the joined rows (a row's first-view entries, then its second-view ones),
    # computed rather than sorted for: linear however large the debate.
    to_first = np.arange(len(first.indices), dtype=np.int64) - first.indptr[row_of_first] + indptr[row_of_first]
    to_second = (np.arange(len(second.indices), dtype=np.int64) - second.indptr[row_of_second]
                 + indptr[row_of_second] + first_lengths[row_of_second])
    indices = np.empty(int(indptr[-1]), dtype=np.int64)
    data = np.empty(int(indptr[-1]), dtype=np.float64)
    row_of = np.empty(int(indptr[-1]), dtype=np.int64)
    indices[to_first], indices[to_second] = first.indices, second.indices + first.n_cols
    data[to_first], data[to_second] = first.data, second.data * math.sqrt(second_weight)
    row_of[to_first], row_of[to_second] = row_of_first, row_of_second
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=n_rows))
    norms[norms == 0] = 1.0
    data = data / norms[row_of]
    return SparseRows(indptr=indptr, indices=indices, data=data, n_cols=first.n_cols + second.n_cols)


def sentence_views(sentences: Sequence[str]) -> tuple[SparseRows, SparseRows]:
    """(stem view alone, stem and character views joined). The stem view has a tenth of the non-zeros:
    good enough, and cheaper, for coarse work such as cutting a large debate into blocks."""
    stems = tfidf_rows([sentence_terms(text) for text in sentences])
    if CHAR_VIEW_WEIGHT <= 0:
        return stems, stems
    chars = char_rows([plain_words(text) if CHAR_ALL_WORDS else content_words(text) for text in sentences])
    return stems, join_views(stems, chars, CHAR_VIEW_WEIGHT)


def sentence_rows(sentences: Sequence[str]) -> SparseRows:
    """The vectors `condense` compares sentences by: stem view and character view joined."""
    return sentence_views(sentences)[1]


def text_similarity(texts_a: Sequence[str], texts_b: Sequence[str]) -> FloatArray:
    """Cosine similarity (len(a) x len(b)) of two lists of texts in one tf-idf space built from both:
    the same representation `condense` groups sentences by. Meant for small lists (evaluation)."""
    rows = sentence_rows([*texts_a, *texts_b])
    block = rows.dense_block(np.arange(rows.n_rows, dtype=np.int64))
    a, b = block[: len(texts_a)], block[len(texts_a) :]
    result: FloatArray = a @ b.T
    return result


def with_context(rows: SparseRows, comment_of: IntArray, weight: float, window: int) -> SparseRows:
    """Each row plus `weight` x the mean of the rows of up to `window` sentences before and after it in the
    same comment, L2-normalised again. A sentence of a long post that carries little of its own ("I
    remain unconvinced.") then leans towards the point its post makes, instead of joining whichever
    group shares its one content word. Rows of one-sentence comments are unchanged. O(non-zeros x
    window)."""
    n_rows = rows.n_rows
    if weight <= 0 or window <= 0 or n_rows < 2:
        return rows
    sources: list[IntArray] = []
    targets: list[IntArray] = []
    everything = np.arange(n_rows, dtype=np.int64)
    for offset in range(1, window + 1):
        for sign in (-1, 1):
            other = everything + sign * offset
            valid = (other >= 0) & (other < n_rows)
            same = np.zeros(n_rows, dtype=bool)
            same[valid] = comment_of[other[valid]] == comment_of[valid]
            sources.append(other[same])
            targets.append(everything[same])
    source = np.concatenate(sources)
    target = np.concatenate(targets)
    if not len(source):
        return rows
    neighbours = np.bincount(target, minlength=n_rows).astype(np.float64)
    positions, local = rows.nnz_positions(source)
    # Every row's own entries first (already in CSR order), then its neighbours' scaled ones. A stable
    # sort by (row, column) keeps CSR order and, for a cell several entries share, their input order,
    # so each cell's sum is the same as adding them in that order. Timsort finds the sorted runs this
    # layout is made of, which keeps the sort near linear on large debates.
    own_rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(rows.indptr))
    entry_rows = np.concatenate([own_rows, target[local]])
    entry_cols = np.concatenate([rows.indices, rows.indices[positions]])
    entry_data = np.concatenate([rows.data, rows.data[positions] * weight / neighbours[target[local]]])
    width = max(1, rows.n_cols)
    keys = entry_rows * width + entry_cols
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    cell = np.cumsum(first) - 1
    data = np.bincount(cell, weights=entry_data[order], minlength=int(cell[-1]) + 1 if len(cell) else 0)
    keys = keys[first]
    row_of = keys // width
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of, minlength=n_rows), out=indptr[1:])
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=n_rows))
    # Rows without neighbours keep their values exactly (they were unit length already).
    norms[(norms == 0) | (neighbours == 0)] = 1.0
    return SparseRows(indptr=indptr, indices=(keys % width).astype(np.int64), data=data / norms[row_of], n_cols=rows.n_cols)
