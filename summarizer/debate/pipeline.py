"""Debate condensation: comments in, the main arguments out (DESIGN.md "Debates").

Pipeline (pure, synchronous; callers run `condense` in a worker thread):

1. Clean every comment: cut it to 20,000 characters, drop lines quoted with ">", signatures, invisible
   characters; drop spam (the same text posted three or more times) and an author's own repeats.
2. Split comments into claim-sized sentences; drop sentences a reply copied verbatim from its parent,
   and noise (greetings, "+1", "this", emoji, links alone: see `debate_text.is_noise_sentence`).
3. Represent sentences as two joined tf-idf views (numpy, sparse rows): stems of content words, and
   character 3-5-grams of the words (`debate_vectors.sentence_rows`).
4. Group sentences that make the same point. Large inputs are first cut into blocks of at most
   `BLOCK_SIZE` similar sentences by bisecting spherical 2-means (O(n log n)). Inside a block, exact
   cosine similarities form a k-nearest-neighbour graph, and spectral clustering partitions it
   (`debate_cluster`): into at least max_arguments groups (what the caller will show), more when the
   graph has more nearly separate parts, so that distinct points are never mixed to fill the quota;
   k-means on the spectral embedding is seeded k-means++-style over dense, multi-author regions, best
   of several restarts. A sentence far from its group's centroid relative to the group's own cohesion
   leaves it. Groups found in different blocks whose centroids are close merge (the same point).
5. Choose the groups to show: greedily by distinct authors, discounted by similarity to groups already
   chosen. Then let them take in leftover sentences close enough to their centroid (per group: at least
   `ABSORB_SIMILARITY` and `ABSORB_RELATIVE` x the group's cohesion). Every step after the blocks is
   O(non-zeros x groups), so the whole is O(n log n) in the number of sentences.
6. A group is an argument only if at least two distinct authors support it (`MIN_AUTHORS`): one person
   repeating a point is one voice, and one voice is an opinion, not a main argument. Its claim is the
   member sentence, verbatim (whitespace collapsed), that stands for the group: closest to the group's
   centroid minus closeness to the whole debate's centroid (a sentence restating the motion is close to
   every group), with a small penalty for sentences outside 5-25 words or ending in "?", plus its
   typicality (the share of its nearest sentences among all shown groups that are in its own group, so
   a sentence mixing two groups loses), minus its closeness to the claims already chosen for groups
   shown before it (shown claims should say different things). Its quotes are
   one or two other sentences from *other* authors than the claim's, one per author. Arguments are
   ordered by distinct authors, then by supporting comments.

Thresholds were tuned on the ArgKP *train* split only (bench/debate_quality.py), and checked against
synthetic space debates (bench/debate_speed.py: honest support, no point mixed into another).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from summarizer.debate_cluster import spectral_groups
from summarizer.debate_text import (
    clean_comment_text,
    is_noise_sentence,
    normalize_for_match,
    split_sentences,
)
from summarizer.debate_vectors import FloatArray, IntArray, SparseRows, sentence_views

__all__ = [
    "DEFAULT_MAX_ARGUMENTS",
    "Argument",
    "Comment",
    "DebateInputError",
    "condense",
    "count_authors",
    "parse_comments",
    "parse_plain_comments",
]

DEFAULT_MAX_ARGUMENTS = 5
MIN_AUTHORS = 2
# Comments beyond this many are ignored (the first ones are kept): bounds memory and time.
MAX_COMMENTS = 100_000
# Verbatim copies of one text (comment or sentence) in this many comments are spam, dropped entirely.
SPAM_COPIES = 3
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
# Weight of closeness to the whole debate's centroid against a claim (see `_to_argument`).
GENERIC_PENALTY = 1.0
# Weight of a claim's shape (5-25 words, a statement rather than a question; see `_claim_quality`).
CLAIM_SHAPE_PENALTY = 0.2
# Weight of a claim's typicality: the share of its nearest neighbours, among the sentences of all shown
# groups, that belong to its own group (see `_typicality`).
CLAIM_TYPICAL_WEIGHT = 0.5
# Nearest neighbours counted for typicality.
CLAIM_TYPICAL_NEIGHBOURS = 5
# Typicality is only computed for this many best candidates of a group (the rest cannot win).
CLAIM_CANDIDATES = 30
# Weight of a claim's closeness to the claims already chosen for other shown groups (see `_claim_row`).
CLAIM_REDUNDANCY = 1.5
# Cosine similarity between two groups' centroids for them to be one argument.
MERGE_SIMILARITY = 0.7
# Lowest cosine similarity between a sentence and a group's centroid for the sentence to join it.
ABSORB_SIMILARITY = 0.2
# Groups considered for the final ranking, as a multiple of max_arguments (at least HEADS_MIN).
HEADS_PER_ARGUMENT = 4
# How strongly similarity to an already chosen head discounts a candidate's support (0: plain ranking).
DIVERSITY = 3.0
# Absorption threshold relative to a head's cohesion (median similarity of its seeds to their centroid).
ABSORB_RELATIVE = 0.5
# Rounds of centroid refinement after the shown groups are chosen.
REFINE_ROUNDS = 3
HEADS_MIN = 20
ANONYMOUS = "anonymous"


class DebateInputError(ValueError):
    """Debate input that is not a list of comments; `str()` is one line naming the problem."""


@dataclass(frozen=True, slots=True)
class Comment:
    author: str
    text: str
    id: str | None = None
    reply_to: str | None = None

    def to_dict(self) -> dict[str, str]:
        data = {"author": self.author, "text": self.text}
        if self.id is not None:
            data["id"] = self.id
        if self.reply_to is not None:
            data["reply_to"] = self.reply_to
        return data


@dataclass(frozen=True, slots=True)
class Argument:
    claim: str
    support: int
    authors: list[str] = field(default_factory=list)
    comment_ids: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "support": self.support,
            "authors": list(self.authors),
            "comment_ids": list(self.comment_ids),
            "quotes": list(self.quotes),
        }


# --- input ---------------------------------------------------------------------------------------------

def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _optional_id(item: Mapping[str, Any], key: str, number: int) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DebateInputError(f"comment {number}: '{key}' must be a string, got {_json_kind(value)}")
    return str(value)


def _comment_from_mapping(item: Mapping[str, Any], number: int, *, require_author: bool) -> Comment:
    for key in ("author", "text"):
        if key not in item:
            if key == "author" and not require_author:
                continue
            raise DebateInputError(f"comment {number}: missing '{key}'")
        if not isinstance(item[key], str):
            raise DebateInputError(f"comment {number}: '{key}' must be a string, got {_json_kind(item[key])}")
    return Comment(
        author=item.get("author", ANONYMOUS),
        text=item["text"],
        id=_optional_id(item, "id", number),
        reply_to=_optional_id(item, "reply_to", number),
    )


def parse_comments(data: object) -> list[Comment]:
    """Validate decoded JSON: a list of objects with string "author" and "text" (optional "id",
    "reply_to"; integers are accepted there and turned into strings). Raises `DebateInputError`."""
    if not isinstance(data, list):
        raise DebateInputError(f"expected a list of comments, got {_json_kind(data)}")
    comments: list[Comment] = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise DebateInputError(f"comment {number}: expected an object, got {_json_kind(item)}")
        comments.append(_comment_from_mapping(item, number, require_author=True))
    return comments


def parse_plain_comments(text: str) -> list[Comment]:
    """Comments separated by blank lines. A first line of the form `name:` (alone on its line, at most
    64 characters) names the author; otherwise the author is "anonymous". A block that is only such a
    line names the author of the next block."""
    comments: list[Comment] = []
    pending_author: str | None = None
    blocks: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    for lines in blocks:
        if not lines:
            continue
        first = lines[0].strip()
        author = pending_author
        if first.endswith(":") and 1 < len(first) <= 65 and ":" not in first[:-1] and "://" not in first:
            author = first[:-1].strip() or None
            lines = lines[1:]
        body = "\n".join(lines).strip()
        if not body:
            pending_author = author
            continue
        pending_author = None
        comments.append(Comment(author=author or ANONYMOUS, text=body))
    return comments


def _coerce_comment(item: object, number: int) -> Comment:
    if isinstance(item, Comment):
        return item
    if isinstance(item, Mapping):
        # Python callers may leave the author out (anonymous); the JSON contract requires it.
        return _comment_from_mapping(item, number, require_author=False)
    author = getattr(item, "author", None)
    text = getattr(item, "text", None)
    if not isinstance(text, str):
        raise DebateInputError(f"comment {number}: 'text' must be a string, got {_json_kind(text)}")
    raw_id = getattr(item, "id", None)
    raw_reply = getattr(item, "reply_to", None)
    return Comment(
        author=author if isinstance(author, str) else ANONYMOUS,
        text=text,
        id=None if raw_id is None else str(raw_id),
        reply_to=None if raw_reply is None else str(raw_reply),
    )


# --- sentences -----------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Thread:
    """The comments with stable ids and author keys, and their usable sentences."""

    comments: list[Comment]
    ids: list[str]
    author_names: list[str]  # display name per comment
    author_keys: list[str]  # identity per comment ("anonymous" comments are each their own person)
    sentence_texts: list[str]
    sentence_comment: list[int]


def _author_identity(author: str, index: int) -> tuple[str, str]:
    name = " ".join(author.split())[:100]
    if not name or name.casefold() == ANONYMOUS:
        # Anonymous comments cannot be told apart, so each counts as its own person: merging them all
        # into one voice would make every plain-text debate without names argument-free.
        return f"{ANONYMOUS} (c{index + 1})", f"\0anonymous:{index}"
    return name, name.casefold()


def count_authors(comments: Sequence[Comment]) -> int:
    """Distinct people among ``comments``, counted as ``condense`` counts support.

    Names are compared case-insensitively; anonymous comments are each their own person.
    """
    return len({_author_identity(comment.author, index)[1] for index, comment in enumerate(comments)})


def _prepare(comments: list[Comment]) -> _Thread:
    ids = [comment.id if comment.id else f"c{index + 1}" for index, comment in enumerate(comments)]
    names_keys = [_author_identity(comment.author, index) for index, comment in enumerate(comments)]
    cleaned = [clean_comment_text(comment.text) for comment in comments]
    normalized = [normalize_for_match(text) for text in cleaned]

    copies: dict[str, int] = {}
    for text in normalized:
        if text:
            copies[text] = copies.get(text, 0) + 1
    parent_text = {comment.id: normalized[index] for index, comment in enumerate(comments) if comment.id}

    kept_sentences: list[tuple[int, str, str]] = []
    seen_by_author: set[tuple[str, str]] = set()
    for index, comment in enumerate(comments):
        text = normalized[index]
        if not text or copies[text] >= SPAM_COPIES:
            continue
        author_key = names_keys[index][1]
        if (author_key, text) in seen_by_author:
            continue  # the same author posting the same text again adds nothing
        seen_by_author.add((author_key, text))
        parent = parent_text.get(comment.reply_to) if comment.reply_to else None
        padded_parent = f" {parent} " if parent else ""
        seen_here: set[str] = set()
        for sentence in split_sentences(cleaned[index]):
            key = normalize_for_match(sentence)
            if not key or key in seen_here:
                continue
            seen_here.add(key)
            if padded_parent and f" {key} " in padded_parent:
                continue  # copied from the parent it answers
            if is_noise_sentence(sentence):
                continue
            kept_sentences.append((index, sentence, key))

    sentence_copies: dict[str, int] = {}
    for _, _, key in kept_sentences:
        sentence_copies[key] = sentence_copies.get(key, 0) + 1
    kept = [(index, sentence) for index, sentence, key in kept_sentences if sentence_copies[key] < SPAM_COPIES]
    return _Thread(
        comments=comments,
        ids=ids,
        author_names=[name for name, _ in names_keys],
        author_keys=[key for _, key in names_keys],
        sentence_texts=[sentence for _, sentence in kept],
        sentence_comment=[index for index, _ in kept],
    )


# --- grouping ------------------------------------------------------------------------------------------

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


# --- arguments -----------------------------------------------------------------------------------------

def _claim_quality(sentence: str) -> float:
    words = len(sentence.split())
    if words < 5:
        factor = 0.6 + 0.08 * words
    elif words <= 25:
        factor = 1.0
    else:
        factor = math.sqrt(25 / words)
    if sentence.rstrip().endswith("?"):
        factor *= 0.7  # a question raises a point rather than stating it
    return factor


def _typicality(rows: SparseRows, candidates: IntArray, members: IntArray, pool: IntArray) -> FloatArray:
    """For each candidate (a row of `members`): the share of its CLAIM_TYPICAL_NEIGHBOURS nearest
    sentences in `pool` (all shown groups' sentences, itself excluded) that are in `members`.

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
    weights = rows.data[pool_positions[kept]]
    kept_rows = pool_row[kept]
    kept_columns = shared[kept]
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


def _claim_row(
    thread: _Thread,
    rows: SparseRows,
    members: IntArray,
    generic: FloatArray,
    pool: IntArray,
    earlier_claims: Sequence[int],
) -> int:
    """The sentence (a row of `members`) that stands for its group as the claim."""
    centrality = rows.dot(members, _normalized(rows.sum_rows(members)))
    # The claim stands for its group, not for the whole debate: a sentence that restates the motion is
    # close to every group's centroid, so closeness to the debate's centroid counts against it.
    scores = centrality - GENERIC_PENALTY * rows.dot(members, generic)
    # The shape penalty is subtracted, not multiplied: a score can be negative, and a factor under 1
    # would then favour the badly shaped sentence.
    scores = scores - CLAIM_SHAPE_PENALTY * (
        1.0 - np.array([_claim_quality(thread.sentence_texts[int(m)]) for m in members], dtype=np.float64)
    )
    # Shown claims should say different things: a group that overlaps an earlier shown one should be
    # named by the sentence that sets it apart, not by the one it shares.
    if earlier_claims:
        block = rows.dense_block(np.concatenate([members, np.asarray(earlier_claims, dtype=np.int64)]))
        scores = scores - CLAIM_REDUNDANCY * (block[: len(members)] @ block[len(members):].T).max(axis=1)
    # A sentence typical of its group has its own nearest neighbours inside the group; one close to the
    # centroid only because it mixes two groups' words has them partly in another group.
    if len(pool) > len(members):
        top = np.argsort(-scores, kind="stable")[:CLAIM_CANDIDATES]
        scores[top] += CLAIM_TYPICAL_WEIGHT * _typicality(rows, members[top], members, pool)
    best = max(range(len(members)), key=lambda i: (float(scores[i]), -int(members[i])))
    return int(members[best])


def _distinct_authors(thread: _Thread, members: IntArray) -> int:
    return len({thread.author_keys[thread.sentence_comment[int(m)]] for m in members})


def _to_argument(thread: _Thread, rows: SparseRows, members: IntArray, claim_row: int) -> Argument | None:
    sentence_comment = np.asarray(thread.sentence_comment, dtype=np.int64)
    comment_indexes = sorted({int(index) for index in sentence_comment[members]})
    authors: list[str] = []
    author_keys: set[str] = set()
    for index in comment_indexes:
        if thread.author_keys[index] not in author_keys:
            author_keys.add(thread.author_keys[index])
            authors.append(thread.author_names[index])
    if len(author_keys) < MIN_AUTHORS:
        return None
    centrality = rows.dot(members, _normalized(rows.sum_rows(members)))
    claim = thread.sentence_texts[claim_row]
    claim_author = thread.author_keys[thread.sentence_comment[claim_row]]
    claim_key = normalize_for_match(claim)
    quotes: list[str] = []
    quoted_authors = {claim_author}
    by_centrality = sorted(range(len(members)), key=lambda i: (-centrality[i], int(members[i])))
    for i in by_centrality:
        row = int(members[i])
        author = thread.author_keys[thread.sentence_comment[row]]
        text = thread.sentence_texts[row]
        if author in quoted_authors or normalize_for_match(text) == claim_key:
            continue
        quoted_authors.add(author)
        quotes.append(text)
        if len(quotes) == 2:
            break
    return Argument(
        claim=claim,
        support=len(author_keys),
        authors=authors,
        comment_ids=[thread.ids[index] for index in comment_indexes],
        quotes=quotes,
    )


def condense(comments: Iterable[object], *, max_arguments: int | None = None) -> list[Argument]:
    """The main arguments of a debate, most supported first (at most `max_arguments`, default 5).

    `comments` holds `Comment`s, mappings or objects with `author`, `text` and optional `id` and
    `reply_to`. Comments without an id are named by their 1-based position ("c12"). Pure and
    synchronous: call it with `asyncio.to_thread` from async code. Raises `DebateInputError` (one line)
    for an item without text or a bad `max_arguments`; noise-only or tiny debates give `[]`.
    """
    limit = DEFAULT_MAX_ARGUMENTS if max_arguments is None else max_arguments
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise DebateInputError(f"max_arguments must be a positive integer, got {max_arguments!r}")
    if isinstance(comments, str | bytes | Mapping):
        raise DebateInputError(f"expected a list of comments, got {_json_kind(comments)}")
    items: list[Comment] = []
    for number, item in enumerate(comments, start=1):
        if number > MAX_COMMENTS:
            break
        items.append(_coerce_comment(item, number))
    thread = _prepare(items)
    if len(thread.sentence_texts) < MIN_AUTHORS:
        return []
    stem_rows, rows = sentence_views(thread.sentence_texts)
    author_index: dict[str, int] = {}
    authors = np.fromiter(
        (author_index.setdefault(thread.author_keys[c], len(author_index)) for c in thread.sentence_comment),
        dtype=np.int64,
        count=len(thread.sentence_comment),
    )
    head_count = max(HEADS_MIN, HEADS_PER_ARGUMENT * limit)
    # Rank the groups as found, keep the best `limit` with enough authors, and only then let them absorb
    # leftover sentences, so that nothing is absorbed into a group that is not shown.
    candidates: list[tuple[int, _Group]] = []
    for head in _heads(rows, stem_rows, authors, head_count, limit):
        support = _distinct_authors(thread, head.rows())
        if support >= MIN_AUTHORS:
            candidates.append((support, head))
    shown = _diverse(candidates, limit)
    _absorb(rows, shown)
    arguments: list[tuple[tuple[int, int, int], Argument]] = []
    generic = _normalized(rows.sum_rows(np.arange(rows.n_rows, dtype=np.int64)))
    shown_rows = [head.rows() for head in shown]
    pool = np.unique(np.concatenate(shown_rows)) if shown_rows else np.zeros(0, dtype=np.int64)
    claims: list[int] = []
    # Claims are chosen in the order the groups were picked (most support first), each kept apart from
    # the claims before it.
    for members in shown_rows:
        if _distinct_authors(thread, members) < MIN_AUTHORS:
            continue
        claim_row = _claim_row(thread, rows, members, generic, pool, claims)
        argument = _to_argument(thread, rows, members, claim_row)
        if argument is not None:
            claims.append(claim_row)
            arguments.append((_rank_key(thread, argument, members), argument))
    arguments.sort(key=lambda pair: pair[0])
    return [argument for _, argument in arguments]


def _rank_key(thread: _Thread, argument: Argument, members: IntArray) -> tuple[int, int, int]:
    first = min(thread.sentence_comment[int(m)] for m in members)
    return (-argument.support, -len(argument.comment_ids), first)
