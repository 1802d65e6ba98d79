"""Choosing the sentence that names a group (its claim) and the quotes shown with it.

A claim is a member sentence, verbatim (whitespace collapsed), that a reader can take alone: it stands for
its group (close to the group's centroid, not to the whole debate's), it is typical of the group (its
nearest sentences are in the group, so a sentence mixing two groups loses), it says something other than
the claims ranked before it, and it has the shape of a claim: a complete statement of 8-35 words, not a
question, not opening on a reference to something said before ("That's why...", "This is it.").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from summarizer.debate.vectors import FloatArray, IntArray, SparseRows

__all__ = ["choose_claim", "claim_shape", "is_complete", "is_dangling", "normalized", "typicality"]

# Weight of closeness to the whole debate's centroid against a claim.
GENERIC_PENALTY = 1.0
# Weight of a claim's shape (see `claim_shape`), subtracted as weight x (1 - shape).
CLAIM_SHAPE_PENALTY = 0.3
# Weight of a claim's typicality among the ranked groups' sentences (see `typicality`).
CLAIM_TYPICAL_WEIGHT = 0.5
# Nearest neighbours counted for typicality.
CLAIM_TYPICAL_NEIGHBOURS = 5
# Typicality is only computed for this many best candidates of a group (the rest cannot win).
CLAIM_CANDIDATES = 30
# Weight of a claim's closeness to the claims already chosen for groups ranked before it.
CLAIM_REDUNDANCY = 1.5
# A fragment: fewer words than this, or a dangling opener, never names a group that has a longer sentence.
FRAGMENT_WORDS = 5
# A claim's preferred length in words.
CLAIM_MIN_WORDS = 8
CLAIM_MAX_WORDS = 35

# Openers that point back at something said before: the sentence cannot be read alone.
_DANGLING = re.compile(
    r"^\W*(?:that|this|these|those|it|its|they|them|their|he|she|his|her|which|such|same|yes|yeah|no|nope|"
    r"exactly|agreed|right)(?:'s|’s|'re|’re)?\b",
    re.IGNORECASE,
)
# Openers that join the sentence to the one before it but leave it readable ("And at four billion a
# launch, ..."): a small penalty, never excluded.
_CONJOINED = re.compile(r"^\W*(?:so|but|and|or|also|plus|then|thus|hence|oh|still|again)\b", re.IGNORECASE)
# Words that give a reason or a consequence: a claim with one argues rather than asserts.
_REASON = re.compile(
    r"\b(?:because|since|so|therefore|means|otherwise|unless|if|would|will|cannot|can't|won't|instead|"
    r"than|only|costs?|risk)\b",
    re.IGNORECASE,
)


def normalized(vector: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def is_dangling(sentence: str) -> bool:
    """True when the sentence opens on a reference to an earlier one ("That's why", "It", "But")."""
    return bool(_DANGLING.match(sentence))


def claim_shape(sentence: str) -> float:
    """How well a sentence reads as a claim on its own, in (0, 1]: 1 for a statement of 8-35 words that
    gives a reason; less for fragments, rambling sentences, questions and dangling references."""
    words = len(sentence.split())
    if words < CLAIM_MIN_WORDS:
        factor = 0.3 + 0.6 * words / CLAIM_MIN_WORDS
    elif words <= CLAIM_MAX_WORDS:
        factor = 1.0
    else:
        factor = math.sqrt(CLAIM_MAX_WORDS / words)
    if sentence.rstrip().endswith("?"):
        factor *= 0.7  # a question raises a point rather than stating it
    if is_dangling(sentence):
        factor *= 0.6
    elif _CONJOINED.match(sentence):
        factor *= 0.85
    if not _REASON.search(sentence):
        factor *= 0.9
    return factor


def typicality(rows: SparseRows, candidates: IntArray, members: IntArray, pool: IntArray) -> FloatArray:
    """For each candidate (a row of `members`): the share of its CLAIM_TYPICAL_NEIGHBOURS nearest
    sentences in `pool` (all ranked groups' sentences, itself excluded) that are in `members`.

    O(non-zeros of the pool on the candidates' columns x candidates): the candidates are made dense over
    only the columns they use, so nothing is ever O(pool x vocabulary)."""
    positions, local_row = rows.nnz_positions(candidates)
    used, local_col = np.unique(rows.indices[positions], return_inverse=True)
    candidate_block = np.zeros((len(used), len(candidates)), dtype=np.float64)
    candidate_block[local_col, local_row] = rows.data[positions]
    column_of = np.full(rows.n_cols, -1, dtype=np.int64)
    column_of[used] = np.arange(len(used), dtype=np.int64)
    pool_positions, pool_row = rows.nnz_positions(pool)
    shared = column_of[rows.indices[pool_positions]]
    kept = shared >= 0
    # The pool made dense over the candidates' columns only: one matrix product gives every similarity.
    weights = rows.data[pool_positions[kept]]
    kept_rows = pool_row[kept]
    kept_columns = shared[kept]
    # One bincount per candidate: memory O(non-zeros), never O(pool x columns).
    similarities = np.empty((len(candidates), len(pool)), dtype=np.float64)
    for index in range(len(candidates)):
        similarities[index] = np.bincount(
            kept_rows, weights=weights * candidate_block[kept_columns, index], minlength=len(pool)
        )
    similarities[pool[None, :] == candidates[:, None]] = -np.inf
    neighbours = min(CLAIM_TYPICAL_NEIGHBOURS, len(pool) - 1)
    if neighbours < 1:
        return np.ones(len(candidates), dtype=np.float64)
    nearest = np.argpartition(-similarities, neighbours - 1, axis=1)[:, :neighbours]
    inside = np.isin(pool, members)
    return np.asarray(inside[nearest].mean(axis=1), dtype=np.float64)


def choose_claim(
    sentences: Sequence[str],
    rows: SparseRows,
    members: IntArray,
    generic: FloatArray,
    pool: IntArray,
    earlier_claims: Sequence[int],
    voices: IntArray | None = None,
) -> int:
    """The sentence (a row of `members`; `sentences` holds every row's text) that names its group.

    `voices` (who said each row) balances the group's centroid: every voice weighs the same, so one
    author repeating a phrasing six times does not make it the group's claim."""
    centrality = rows.dot(members, normalized(_balanced_sum(rows, members, voices)))
    # The claim stands for its group, not for the whole debate: a sentence that restates the motion is
    # close to every group's centroid, so closeness to the debate's centroid counts against it.
    scores = centrality - GENERIC_PENALTY * rows.dot(members, generic)
    # The shape penalty is subtracted, not multiplied: a score can be negative, and a factor under 1
    # would then favour the badly shaped sentence.
    shapes = np.array([claim_shape(sentences[int(m)]) for m in members], dtype=np.float64)
    scores = scores - CLAIM_SHAPE_PENALTY * (1.0 - shapes)
    # Ranked claims should say different things: a group that overlaps an earlier one should be named by
    # the sentence that sets it apart, not by the one it shares.
    if earlier_claims:
        block = rows.dense_block(np.concatenate([members, np.asarray(earlier_claims, dtype=np.int64)]))
        scores = scores - CLAIM_REDUNDANCY * (block[: len(members)] @ block[len(members):].T).max(axis=1)
    # A sentence typical of its group has its own nearest neighbours inside the group; one close to the
    # centroid only because it mixes two groups' words has them partly in another group.
    if len(pool) > len(members):
        top = np.argsort(-scores, kind="stable")[:CLAIM_CANDIDATES]
        scores[top] += CLAIM_TYPICAL_WEIGHT * typicality(rows, members[top], members, pool)
    # A reader must be able to take the claim alone: while the group has a complete sentence, a fragment
    # ("Flight-proven matters.") or a sentence leaning on an earlier one ("That's why it fails.") loses.
    complete = np.array([is_complete(sentences[int(m)]) for m in members], dtype=bool)
    if complete.any():
        scores = np.where(complete, scores, -np.inf)
    best = max(range(len(members)), key=lambda i: (float(scores[i]), -int(members[i])))
    return int(members[best])


def _balanced_sum(rows: SparseRows, members: IntArray, voices: IntArray | None) -> FloatArray:
    if voices is None:
        return rows.sum_rows(members)
    _, inverse, counts = np.unique(voices[members], return_inverse=True, return_counts=True)
    positions, local = rows.nnz_positions(members)
    weights = rows.data[positions] / counts[inverse][local]
    return np.asarray(np.bincount(rows.indices[positions], weights=weights, minlength=rows.n_cols), dtype=np.float64)


def is_complete(sentence: str) -> bool:
    """A sentence that can be read alone: at least FRAGMENT_WORDS words, not opening on a reference."""
    return len(sentence.split()) >= FRAGMENT_WORDS and not is_dangling(sentence)
