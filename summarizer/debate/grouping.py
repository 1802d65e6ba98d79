"""Grouping debate sentences that make the same point: large debates are cut into blocks of similar
sentences, each block is partitioned by spectral clustering (`spectral`), groups of different blocks that
make one point merge, the shown groups are picked for support and diversity, and then absorb close
leftover sentences. Everything is O(n log n) in the number of sentences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from summarizer.debate.spectral import spectral_groups
from summarizer.debate.vectors import FloatArray, IntArray, SparseRows

MIN_AUTHORS = 2
# Exact similarities are computed inside blocks of at most this many sentences.
BLOCK_SIZE = 600
# Cosine similarity below which two sentences are not linked at all in a block's graph.
EDGE_SIMILARITY = 0.05
# Each sentence's links in a block's graph: its this many most similar sentences.
NEIGHBOURS = 10
# A block is split into at least max_arguments groups, more (up to this multiple of it) when the graph
# has more nearly separate parts: eigenvalues of its normalised affinity of at least SEPARATED_EIGENVALUE.
GROUPS_PER_ARGUMENT = 4.0
SEPARATED_EIGENVALUE = 0.8
# ... but a block is only forced into as many groups as it has this many linked sentences per group: a
# handful of sentences making one point must not be cut into max_arguments pieces.
FORCED_GROUP_SIZE = 2 * MIN_AUTHORS
# A sentence stays in its spectral group only this close to the group's centroid.
MEMBER_SIMILARITY = 0.0
# ... and at least this share of the median closeness of the group's members to that centroid.
MEMBER_RELATIVE = 0.5
# Cosine similarity between two groups' centroids for them to be one argument.
MERGE_SIMILARITY = 0.7
# Lowest cosine similarity between a sentence and a group's centroid for the sentence to join it.
ABSORB_SIMILARITY = 0.2
# How strongly similarity to an already chosen head discounts a candidate's support (0: plain ranking).
DIVERSITY = 3.0
# Absorption threshold relative to a head's cohesion (median similarity of its seeds to their centroid).
ABSORB_RELATIVE = 0.5
# Rounds of centroid refinement after the shown groups are chosen.
REFINE_ROUNDS = 3


def _normalized(vector: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _bisect(rows: SparseRows, block: IntArray) -> tuple[IntArray, IntArray]:
    """Split a block of rows in two by spherical 2-means; falls back to a median cut when one side
    would be under a fifth of the block, so the recursion depth stays logarithmic."""
    first = block[0]
    sims_first = rows.dot(block, rows.sum_rows(np.array([first], dtype=np.int64)))
    second = block[int(np.argmin(sims_first))]
    centre_a = rows.sum_rows(np.array([first], dtype=np.int64))
    centre_b = rows.sum_rows(np.array([second], dtype=np.int64))
    side = np.zeros(len(block), dtype=bool)
    for _ in range(5):
        difference = rows.dot(block, centre_a - centre_b)
        side = difference >= 0
        if side.all() or not side.any():
            break
        centre_a = _normalized(rows.sum_rows(block[side]))
        centre_b = _normalized(rows.sum_rows(block[~side]))
    smaller = min(int(side.sum()), len(block) - int(side.sum()))
    if smaller < len(block) // 5:
        order = np.argsort(-rows.dot(block, centre_a - centre_b), kind="stable")
        half = len(block) // 2
        return block[order[:half]], block[order[half:]]
    return block[side], block[~side]


def _blocks(rows: SparseRows) -> list[IntArray]:
    pending = [np.arange(rows.n_rows, dtype=np.int64)]
    blocks: list[IntArray] = []
    while pending:
        block = pending.pop()
        if len(block) <= BLOCK_SIZE:
            blocks.append(block)
        else:
            pending.extend(_bisect(rows, block))
    return blocks


def _groups_in_block(rows: SparseRows, block: IntArray, authors: IntArray, limit: int) -> list[IntArray]:
    """Spectral grouping with exact similarities inside one block (see `debate_cluster`)."""
    dense = rows.dense_block(block)
    # Single precision halves the one big product (block x character n-grams); cosines need no more.
    single = dense.astype(np.float32)
    similarity = (single @ single.T).astype(np.float64)
    np.fill_diagonal(similarity, 0.0)
    # Below this floor two sentences share only incidental words: no edge, so a sentence like no other
    # stays out of every group instead of being forced into the nearest one.
    similarity[similarity < EDGE_SIMILARITY] = 0.0
    block_authors = authors[block]
    # Density for seeding counts only other authors' sentences: a point repeated by its own author
    # is one voice and should not attract a seed.
    others = np.where(block_authors[:, None] != block_authors[None, :], similarity, 0.0)
    neighbours = min(NEIGHBOURS, max(1, len(block) - 1))
    density = -np.partition(-others, neighbours - 1, axis=1)[:, :neighbours].sum(axis=1) if len(block) > 1 else np.zeros(1)
    groups = []
    for members in spectral_groups(
        similarity,
        density,
        neighbours=NEIGHBOURS,
        low=limit,
        high=int(GROUPS_PER_ARGUMENT * limit),
        separated=SEPARATED_EIGENVALUE,
        min_group_size=FORCED_GROUP_SIZE,
    ):
        centre = _normalized(dense[members].sum(axis=0))
        closeness = dense[members] @ centre
        # Relative to the group's own cohesion: a tight group of near-identical phrasings sheds a
        # sentence that only shares a clause with it, while a loose group of paraphrases keeps its
        # loosely worded members.
        floor = max(MEMBER_SIMILARITY, MEMBER_RELATIVE * float(np.median(closeness)))
        cohesive = members[closeness >= floor]
        if len(np.unique(block_authors[cohesive])) >= MIN_AUTHORS:
            groups.append(block[cohesive])
    return groups


@dataclass(slots=True)
class _Group:
    members: list[IntArray]
    centre: FloatArray  # dense sum of member rows (not normalised)

    def rows(self) -> IntArray:
        return np.unique(np.concatenate(self.members))


def _sparse_sum(rows: SparseRows, members: IntArray) -> tuple[IntArray, FloatArray]:
    """The sum of some rows as (columns, values): O(non-zeros), never O(vocabulary)."""
    positions, _ = rows.nnz_positions(members)
    columns, inverse = np.unique(rows.indices[positions], return_inverse=True)
    values = np.bincount(inverse, weights=rows.data[positions], minlength=len(columns))
    return columns, np.asarray(values, dtype=np.float64)


def _heads(rows: SparseRows, coarse: SparseRows, authors: IntArray, head_count: int, limit: int) -> list[_Group]:
    """Groups of sentences found in blocks (cut by the `coarse` vectors), the biggest first, with groups
    of different blocks that make the same point merged."""
    seeds: list[tuple[int, IntArray]] = []
    for number, block in enumerate(_blocks(coarse)):
        seeds.extend((number, members) for members in _groups_in_block(rows, block, authors, limit))
    seeds.sort(key=lambda seed: (-len(np.unique(authors[seed[1]])), -len(seed[1]), int(seed[1].min())))

    # The biggest groups become heads; a later group from another block whose centroid is close to a
    # head's joins it (the same point found in two blocks). Groups of one block never merge: the block's
    # clustering compared them exactly and kept them apart. Smaller groups beyond head_count are dropped
    # here and their sentences may still be absorbed later.
    heads: list[_Group] = []
    head_blocks: list[set[int]] = []
    head_units = np.zeros((rows.n_cols, head_count), dtype=np.float64)
    for number, members in seeds:
        columns, values = _sparse_sum(rows, members)
        if heads:
            norm = max(float(np.linalg.norm(values)), 1e-12)
            similarities = (values @ head_units[columns, : len(heads)]) / norm
            for index, blocks in enumerate(head_blocks):
                if number in blocks:
                    similarities[index] = -np.inf
            best = int(np.argmax(similarities))
            if similarities[best] >= MERGE_SIMILARITY:
                head = heads[best]
                head_blocks[best].add(number)
                head.members.append(members)
                head.centre[columns] += values
                # The head's unit vector stays its first group's: a growing centroid turns generic
                # and would chain ever more groups into one.
                continue
        if len(heads) < head_count:
            centre = np.zeros(rows.n_cols, dtype=np.float64)
            centre[columns] = values
            heads.append(_Group(members=[members], centre=centre))
            head_blocks.append({number})
            head_units[:, len(heads) - 1] = _normalized(centre)
    return heads


def _diverse(candidates: list[tuple[int, _Group]], limit: int) -> list[_Group]:
    """Pick `limit` groups, greedily, by support discounted by similarity to the groups already picked
    (maximal marginal relevance): two groups making nearly the same point should not both be shown
    while a distinct point with a little less support is left out."""
    if not candidates:
        return []
    units = np.column_stack([_normalized(group.centre) for _, group in candidates])
    support = np.array([float(count) for count, _ in candidates])
    closest = np.zeros(len(candidates))
    chosen: list[int] = []
    while len(chosen) < min(limit, len(candidates)):
        score = support * (1.0 - DIVERSITY * np.clip(closest, 0.0, 1.0))
        score[chosen] = -np.inf
        pick = int(np.argmax(score))
        chosen.append(pick)
        closest = np.maximum(closest, units[:, pick] @ units)
    return [candidates[index][1] for index in chosen]


def _absorb(rows: SparseRows, heads: list[_Group]) -> None:
    """Spherical k-means refinement seeded by the heads, with an outlier threshold per head: every
    sentence joins the head whose centroid it is closest to, when close enough; centroids are then
    recomputed. O(non-zeros x heads) per round. A head's seed sentences always stay in it.

    The threshold adapts to the head: at least ABSORB_SIMILARITY, and at least ABSORB_RELATIVE times the
    median similarity of the head's own seed sentences to their centroid. A tight group (near-identical
    phrasings) then only takes sentences about as close as its own members, while a loose group of
    paraphrases can take loosely worded support."""
    if not heads:
        return
    seeds = [head.rows() for head in heads]
    thresholds = np.array([
        max(ABSORB_SIMILARITY, ABSORB_RELATIVE * float(np.median(rows.dot(members, _normalized(head.centre)))))
        for members, head in zip(seeds, heads, strict=True)
    ])
    everything = np.arange(rows.n_rows, dtype=np.int64)
    for _ in range(REFINE_ROUNDS):
        units = np.column_stack([_normalized(head.centre) for head in heads])
        similarities = rows.dot(everything, units)
        best = np.argmax(similarities, axis=1)
        close = similarities[everything, best] >= thresholds[best]
        for index, head in enumerate(heads):
            joined = everything[close & (best == index)]
            head.members = [seeds[index], joined]
            head.centre = rows.sum_rows(head.rows())
