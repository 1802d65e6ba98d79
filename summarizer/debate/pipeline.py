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
from dataclasses import dataclass

import numpy as np

from summarizer.debate.grouping import MIN_AUTHORS, _absorb, _diverse, _Group, _heads, _normalized
from summarizer.debate.inputs import ANONYMOUS, Argument, Comment, DebateInputError, coerce_comment, json_kind
from summarizer.debate.text import (
    clean_comment_text,
    is_noise_sentence,
    normalize_for_match,
    split_sentences,
)
from summarizer.debate.vectors import FloatArray, IntArray, SparseRows, sentence_views

__all__ = ["DEFAULT_MAX_ARGUMENTS", "condense", "count_authors"]

DEFAULT_MAX_ARGUMENTS = 5
# Comments beyond this many are ignored (the first ones are kept): bounds memory and time.
MAX_COMMENTS = 100_000
# Verbatim copies of one text (comment or sentence) in this many comments are spam, dropped entirely.
SPAM_COPIES = 3
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
# Groups considered for the final ranking, as a multiple of max_arguments (at least HEADS_MIN).
HEADS_PER_ARGUMENT = 4
HEADS_MIN = 20


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
        raise DebateInputError(f"expected a list of comments, got {json_kind(comments)}")
    items: list[Comment] = []
    for number, item in enumerate(comments, start=1):
        if number > MAX_COMMENTS:
            break
        items.append(coerce_comment(item, number))
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
