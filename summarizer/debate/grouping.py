"""Grouping debate sentences that make the same point: large debates are cut into blocks of similar
sentences, each block is partitioned by spectral clustering (`spectral`), groups of different blocks that
make one point merge, the groups are ranked for support and diversity, and then absorb close leftover
sentences. Everything is O(n log n) in the number of sentences.

Nothing here depends on how many arguments the caller will show: `rank_groups` gives one ranking, and
`max_arguments` only cuts it (the top 2 are the first two of the top 5). Every sentence belongs to at
most one group, so a comment supports several arguments only through different sentences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from summarizer.debate.spectral import spectral_groups
from summarizer.debate.vectors import FloatArray, IntArray, SparseRows

MIN_AUTHORS = 2
# Blocks are split into at least this many groups (more when the graph has more separate parts): the
# grouping is the same whatever max_arguments the caller asks for.
GROUPING_ARGUMENTS = 5
# Groups kept from the blocks (the biggest), and groups ranked and allowed to absorb leftover sentences.
HEAD_COUNT = 40
RANKED_GROUPS = 25
# The first this many ranked groups take in leftover sentences first (competing only with each other);
# the groups after them share what is left. A ranked group never loses sentences to a later one.
FIRST_RANKED = 5
# Two ranked groups whose centroids are at least this alike state one position: the smaller joins the
# bigger.
DUPLICATE_SIMILARITY = 0.6
# Exact similarities are computed inside blocks of at most this many sentences.
BLOCK_SIZE = 600
# Cosine similarity below which two sentences are not linked at all in a block's graph.
EDGE_SIMILARITY = 0.05
# Each sentence's links in a block's graph: its this many most similar sentences.
NEIGHBOURS = 10
# A block is split into at least GROUPING_ARGUMENTS groups, more (up to this multiple of it) when the graph
# has more nearly separate parts: eigenvalues of its normalised affinity of at least SEPARATED_EIGENVALUE.
GROUPS_PER_ARGUMENT = 4.0
SEPARATED_EIGENVALUE = 0.7
# ... but a block is only forced into as many groups as it has this many linked sentences per group: a
# handful of sentences making one point must not be cut into many pieces.
FORCED_GROUP_SIZE = MIN_AUTHORS + 1
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


def _groups_in_block(rows: SparseRows, block: IntArray, authors: IntArray) -> list[IntArray]:
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
        low=GROUPING_ARGUMENTS,
        high=int(GROUPS_PER_ARGUMENT * GROUPING_ARGUMENTS),
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


def _heads(rows: SparseRows, coarse: SparseRows, authors: IntArray, head_count: int) -> list[_Group]:
    """Groups of sentences found in blocks (cut by the `coarse` vectors), the biggest first, with groups
    of different blocks that make the same point merged."""
    seeds: list[tuple[int, IntArray]] = []
    for number, block in enumerate(_blocks(coarse)):
        seeds.extend((number, members) for members in _groups_in_block(rows, block, authors))
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
    """Rank groups greedily by support discounted by similarity to the groups already picked (maximal
    marginal relevance), and keep the first `limit`: two groups making nearly the same point should not
    both be ranked high while a distinct point with a little less support is left out. The order of the
    first k picks does not depend on `limit`."""
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


def _absorb(rows: SparseRows, heads: list[_Group], taken: IntArray | None = None, rounds: int = REFINE_ROUNDS) -> None:
    """Spherical k-means refinement seeded by the heads, with an outlier threshold per head: every
    sentence that is no head's seed joins the head whose centroid it is closest to, when close enough;
    centroids are then recomputed. O(non-zeros x heads) per round. A head's seed sentences always stay
    in it and join no other head.

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
    free = np.ones(rows.n_rows, dtype=bool)
    if taken is not None:
        free[taken] = False
    for members in seeds:
        free[members] = False
    everything = np.flatnonzero(free).astype(np.int64)
    for _ in range(rounds):
        units = np.column_stack([_normalized(head.centre) for head in heads])
        similarities = rows.dot(everything, units)
        best = np.argmax(similarities, axis=1)
        close = similarities[np.arange(len(everything)), best] >= thresholds[best]
        for index, head in enumerate(heads):
            joined = everything[close & (best == index)]
            head.members = [seeds[index], joined]
            head.centre = rows.sum_rows(head.rows())


def _merge_duplicates(rows: SparseRows, groups: list[_Group], authors: IntArray) -> list[_Group]:
    """Groups in order of voices, a group close to a bigger one (centroids at least DUPLICATE_SIMILARITY
    alike) merged into it: one position, one argument."""
    ordered = sorted(groups, key=lambda g: (-len(np.unique(authors[g.rows()])), -len(g.rows()), int(g.rows().min())))
    kept: list[_Group] = []
    units: list[FloatArray] = []
    for group in ordered:
        unit = _normalized(group.centre)
        if units:
            similarities = np.array([float(unit @ other) for other in units])
            best = int(np.argmax(similarities))
            if similarities[best] >= DUPLICATE_SIMILARITY:
                kept[best].members.extend(group.members)
                kept[best].centre = kept[best].centre + group.centre
                continue
        kept.append(_Group(members=list(group.members), centre=group.centre.copy()))
        units.append(unit)
    return kept


def rank_groups(rows: SparseRows, coarse: SparseRows, voices: IntArray) -> list[IntArray]:
    """Disjoint groups of sentence rows that at least MIN_AUTHORS voices share, best first.

    `rows` are the sentence vectors, `coarse` cheaper ones to cut large debates into blocks, `voices`
    one id per sentence (who said it). The ranking is the same whatever the caller shows of it."""
    candidates = [
        (len(np.unique(voices[head.rows()])), head)
        for head in _merge_duplicates(rows, _heads(rows, coarse, voices, HEAD_COUNT), voices)
    ]
    candidates = [(support, head) for support, head in candidates if support >= MIN_AUTHORS]
    ranked = _diverse(candidates, RANKED_GROUPS)
    first, rest = ranked[:FIRST_RANKED], ranked[FIRST_RANKED:]
    _absorb(rows, first, taken=np.concatenate([head.rows() for head in rest]) if rest else None)
    if rest:
        # One round for the lower-ranked groups: they share what the first left, and are rarely shown.
        _absorb(rows, rest, taken=np.concatenate([head.rows() for head in first]), rounds=1)
    return [head.rows() for head in ranked]
