"""Debate condensation: comments in, the main arguments out (DESIGN.md "Debates").

Pipeline (pure, synchronous; callers run `condense` in a worker thread):

1. Bound the work: at most `MAX_COMMENTS` comments (the most replied-to, then the most recent) and
   `MAX_TOTAL_CHARS` characters are condensed, each comment cut to `text.MAX_COMMENT_CHARS`; the result
   says what was cut (`CondenseStats`).
2. Clean every comment (`text.clean_comment_text`: quoted lines in every common style and the lines that
   introduce them, signatures, link-only lines, invisible characters); drop spam (the same text posted
   three or more times) and an author's own repeats.
3. Split comments into sentences; drop noise (greetings, "+1", emoji, links alone) and sentences copied
   from an earlier comment by someone else (a quotation, however it was marked).
4. Vectors (`vectors`): two joined tf-idf views, stems of content words and character 3-5-grams; each
   sentence seen with its neighbours in the comment and, in small threads (up to 150 sentences) where
   three or more people argued, for people who wrote several comments, with their other sentences
   (people keep their side in a debate).
5. Groups (`grouping.rank_groups`): sentences that several voices share, one ranking whatever the caller
   shows, every sentence in at most one group. A member arguing the opposite of its group (a reply that
   opens by disagreeing with a comment in the group, or the same words with the negation flipped) is
   not a supporter; nor is someone else's reply to a comment of the group that does not open by agreeing
   (it answers it: a rebuttal in its parent's words, or another point). A supporter's sentence no group
   took joins their group when close to it (the same person repeating their point).
6. Arguments: a group's claim is its most representative well-formed sentence (`claims`); arguments that
   several people made come first, by distinct named authors, then unnamed comments, then comments.
   When there are fewer of them than the caller shows, the distinct points that one person made fill the
   list (support 1): that person's remaining sentences, a repeated point counted once, a sentence that
   only elaborates the one before it kept with it. Where several people (MANY_VOICES) argued, a person
   already counted for an argument makes no point of their own and anyone else at most one. Noise never
   makes a point.

Comments without an author are not people: they never raise `support`; each argument reports them as
`unnamed`. Everything is deterministic (seeded), and `max_arguments` only cuts the final ranking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from summarizer.debate.bounds import MAX_COMMENTS, MAX_TOTAL_CHARS, CondenseStats, select_comments
from summarizer.debate.claims import choose_claim, claim_shape, is_dangling, normalized
from summarizer.debate.grouping import FIRST_RANKED, MIN_AUTHORS, rank_groups
from summarizer.debate.inputs import ANONYMOUS, Argument, Comment, DebateInputError, coerce_comment, json_kind
from summarizer.debate.text import (
    clean_comment_text,
    has_negation,
    is_noise_sentence,
    normalize_for_match,
    opens_with_agreement,
    opens_with_disagreement,
    split_sentences,
)
from summarizer.debate.vectors import FloatArray, IntArray, SparseRows, sentence_views, with_context

__all__ = [
    "DEFAULT_MAX_ARGUMENTS",
    "MAX_COMMENTS",
    "MAX_TOTAL_CHARS",
    "CondenseStats",
    "Debate",
    "condense",
    "condense_debate",
    "count_authors",
    "count_unnamed",
]

DEFAULT_MAX_ARGUMENTS = 5
# Verbatim copies of one text (comment or sentence) in this many comments are spam, dropped entirely.
SPAM_COPIES = 3
# A sentence of at least this many words found verbatim in an earlier comment by someone else is a
# quotation of it, not a voice of its own (quotes whose ">" marks were lost, pasted excerpts).
QUOTATION_WORDS = 12
# A member whose negation differs from most members' and that is at least this close to one of them says
# the opposite ("X is not Y" among "X is Y"): not a supporter. At most OPPOSED_CHECKED members a side are
# compared.
OPPOSED_SIMILARITY = 0.85
# Each member of a group (of at most LINK_CHECKED members) must be at least this close to a member said
# by someone else.
LINK_SIMILARITY = 0.12
LINK_CHECKED = 400
OPPOSED_CHECKED = 300
# One person's leftover sentence joins an earlier point of theirs at least this close (a repeated point).
SAME_POINT_SIMILARITY = 0.15
# A one-person point whose centroid is this close to a shown argument's or an earlier point's repeats it:
# left out.
POINT_REPEAT_SIMILARITY = 0.12
# Each sentence is seen with this weight of its neighbours (up to CONTEXT_WINDOW sentences either side)
# in the same comment (see `vectors.with_context`).
CONTEXT_WEIGHT = 0.3
CONTEXT_WINDOW = 2
# A person's sentence that no group took, at least this close to the centroid of a group that person
# supports, repeats their point there (see `_join_repeated_points`).
OWN_POINT_SIMILARITY = 0.2
# Each sentence is also seen with this weight of the same person's other sentences (up to
# VOICE_CONTEXT_WINDOW either side in their order).
VOICE_CONTEXT_WEIGHT = 0.3
VOICE_CONTEXT_WINDOW = 3
VOICE_CONTEXT_SENTENCES = 150
# In one comment, a sentence this long starts a point of its own; shorter ones go with it.
POINT_WORDS = 14
# A comment addressing an earlier author by name within its first this many words replies to them.
ADDRESS_WORDS = 4
# A thread where at least this many people made a point is one where several people argued (see
# `_one_voice_points`).
MANY_VOICES = 3
# A one-person point needs a claim at least this well shaped (see `claims.claim_shape`).
POINT_MIN_SHAPE = 0.55


@dataclass(frozen=True, slots=True)
class Debate:
    arguments: list[Argument] = field(default_factory=list)
    stats: CondenseStats = field(default_factory=lambda: CondenseStats(0, 0, 0, 0, 0))


@dataclass(slots=True)
class _Thread:
    """The condensed comments with stable ids and voices, and their usable sentences."""

    comments: list[Comment]
    ids: list[str]
    names: list[str | None]  # display name per comment, None when it has no author
    voices: list[str]  # who said it: a named author's folded name, or the comment itself when unnamed
    disagrees: list[bool]  # the comment opens by disagreeing with what it answers
    agrees: list[bool]  # the comment opens by agreeing with what it answers
    sentence_texts: list[str]
    sentence_comment: list[int]


def _author_name(author: str) -> str | None:
    name = " ".join(author.split())[:100]
    return None if not name or name.casefold() == ANONYMOUS else name


def _voice(author: str, index: int) -> str:
    name = _author_name(author)
    # Comments without an author cannot be told apart: each is its own voice for grouping, but never a
    # person in `support`.
    return f"\0unnamed:{index}" if name is None else name.casefold()


def count_authors(comments: Sequence[Comment]) -> int:
    """Distinct named people among ``comments``, counted as ``condense`` counts support (names compared
    case-insensitively; comments without an author are not people)."""
    return len({name.casefold() for c in comments if (name := _author_name(c.author)) is not None})


def count_unnamed(comments: Sequence[Comment]) -> int:
    """Comments without an author."""
    return sum(1 for c in comments if _author_name(c.author) is None)


# Openers of a guess or an aside rather than a claim ("I thought that was...", "Not sure, but...").
_HEDGED = re.compile(
    r"^\W*(?:i (?:thought|guess|wonder|suppose|was wondering)|not sure|no idea|just (?:curious|wondering)|"
    r"genuinely asking|just my two cents|anyway)\b",
    re.IGNORECASE,
)
_OPENING_NAME = re.compile(r"(@?)([^\W_][\w.-]*)(?=([,:])?)")


def _addressed(comments: list[Comment], ids: list[str], voices: list[str], cleaned: list[str]) -> list[Comment]:
    """The comments, each one without a reply-to that addresses an earlier author by name in its opening
    words ("@kai ...", "kai: ...", "agree with kai", "+1 pix") made a reply to that author's latest
    comment: chat logs and many forums reply by naming, not by threading."""
    latest: dict[str, int] = {}  # a one-word folded author name -> their latest comment so far
    result: list[Comment] = []
    for index, comment in enumerate(comments):
        reply_to = comment.reply_to
        if not reply_to and latest:
            opening = cleaned[index][:80]
            stance = opens_with_agreement(opening) or opens_with_disagreement(opening)
            for position, match in enumerate(_OPENING_NAME.finditer(opening)):
                if position >= ADDRESS_WORDS:
                    break
                target = latest.get(match.group(2).casefold().rstrip(".-"))
                addressed = match.group(1) or (position == 0 and match.group(3)) or stance
                if target is not None and addressed and voices[target] != voices[index]:
                    reply_to = ids[target]
                    break
        result.append(comment if reply_to == comment.reply_to else Comment(comment.author, comment.text, comment.id, reply_to))
        name = voices[index]
        if not name.startswith("\0") and " " not in name:
            latest[name] = index
    return result


def _prepare(comments: list[Comment]) -> _Thread:
    ids = [comment.id if comment.id else f"c{index + 1}" for index, comment in enumerate(comments)]
    names = [_author_name(comment.author) for comment in comments]
    voices = [_voice(comment.author, index) for index, comment in enumerate(comments)]
    cleaned = [clean_comment_text(comment.text) for comment in comments]
    comments = _addressed(comments, ids, voices, cleaned)
    normalized_texts = [normalize_for_match(text) for text in cleaned]

    copies: dict[str, int] = {}
    for text in normalized_texts:
        if text:
            copies[text] = copies.get(text, 0) + 1
    parent_text = {ids[i]: normalized_texts[i] for i in range(len(comments))}

    kept_sentences: list[tuple[int, str, str]] = []
    chatter_questions: set[str] = set()  # ids of comments that only ask a short question
    seen_by_voice: set[tuple[str, str]] = set()
    first_voice_of: dict[str, str] = {}  # sentence key -> the voice that said it first
    for index, comment in enumerate(comments):
        text = normalized_texts[index]
        if not text or copies[text] >= SPAM_COPIES:
            continue
        voice = voices[index]
        if (voice, text) in seen_by_voice:
            continue  # the same author posting the same text again adds nothing
        seen_by_voice.add((voice, text))
        if comment.reply_to in chatter_questions and len(cleaned[index].split()) < POINT_WORDS:
            continue  # a short answer to chatter ("when's the next launch?" "next month, I think")
        if comment.id and cleaned[index].rstrip().endswith("?") and all(
            is_noise_sentence(sentence) for sentence in split_sentences(cleaned[index])
        ):
            chatter_questions.add(comment.id)
        parent = parent_text.get(comment.reply_to) if comment.reply_to else None
        padded_parent = f" {parent} " if parent else ""
        seen_here: dict[str, int] = {}
        sentences = split_sentences(cleaned[index])
        for sentence in sentences:
            key = normalize_for_match(sentence)
            seen_here[key] = seen_here.get(key, 0) + 1
        for sentence in sentences:
            key = normalize_for_match(sentence)
            if not key or seen_here[key] >= SPAM_COPIES:
                continue  # nothing, or a sentence pasted over and over in one comment: spam
            if seen_here[key] < 0:
                continue  # already kept once from this comment
            seen_here[key] = -1
            if padded_parent and f" {key} " in padded_parent:
                continue  # copied from the parent it answers
            first = first_voice_of.setdefault(key, voice)
            if first != voice and len(key.split()) >= QUOTATION_WORDS:
                continue  # quoted from someone else's earlier comment
            if is_noise_sentence(sentence):
                continue
            kept_sentences.append((index, sentence, key))

    sentence_copies: dict[str, int] = {}
    for _, _, key in kept_sentences:
        sentence_copies[key] = sentence_copies.get(key, 0) + 1
    kept = [(index, sentence) for index, sentence, key in kept_sentences if sentence_copies[key] < SPAM_COPIES]
    # A reply takes a side on what it answers, unless that asked a question: "Yes." to "did it slip?" is
    # an answer, not agreement.
    asked = {ids[i] for i, text in enumerate(cleaned) if "?" in text}
    answers = [bool(c.reply_to) and c.reply_to not in asked for c in comments]
    return _Thread(
        comments=comments,
        ids=ids,
        names=names,
        voices=voices,
        disagrees=[answers[i] and opens_with_disagreement(text) for i, text in enumerate(cleaned)],
        agrees=[answers[i] and opens_with_agreement(text) for i, text in enumerate(cleaned)],
        sentence_texts=[sentence for _, sentence in kept],
        sentence_comment=[index for index, _ in kept],
    )


def _supporters(thread: _Thread, rows: SparseRows, members: IntArray) -> tuple[IntArray, IntArray]:
    """(the members that argue for their group, the members that argue against it): replies that open by
    disagreeing with a comment in the group, and members that say the group's words with the negation
    flipped, argue against it. Members close to no other person's member are neither (leftovers)."""
    comment_of = np.asarray(thread.sentence_comment, dtype=np.int64)[members]
    voice_of_id = {thread.ids[int(c)]: thread.voices[int(c)] for c in comment_of}
    keep = np.ones(len(members), dtype=bool)
    answers = np.zeros(len(members), dtype=bool)
    for position, index in enumerate(comment_of):
        comment = thread.comments[int(index)]
        parent_voice = voice_of_id.get(comment.reply_to) if comment.reply_to else None
        if parent_voice is None or parent_voice == thread.voices[int(index)]:
            continue
        if thread.disagrees[int(index)]:
            keep[position] = False
        elif not thread.agrees[int(index)]:
            # Someone else's reply to a comment of the group that does not open by agreeing answers it: a
            # rebuttal in the parent's words, or a different point. In debates it is rarely a supporter.
            answers[position] = True
    if len(members) <= LINK_CHECKED:
        # A shared point is shared: each member must be close to some other person's member. A sentence
        # the clustering put here only because its author also made the group's point elsewhere leaves.
        voice_of = np.array([thread.voices[int(c)] for c in comment_of])
        block = rows.dense_block(members)
        similarity = block @ block.T
        similarity[voice_of[:, None] == voice_of[None, :]] = -1.0
        linked = similarity.max(axis=1) >= LINK_SIMILARITY
    else:
        linked = np.ones(len(members), dtype=bool)
    negated = np.array([has_negation(thread.sentence_texts[int(m)]) for m in members], dtype=bool)
    flagged = int(negated[keep].sum())
    others = int(keep.sum()) - flagged
    if flagged and others and flagged != others:
        minority = np.flatnonzero(keep & (negated == (flagged < others)))[:OPPOSED_CHECKED]
        majority = np.flatnonzero(keep & (negated != (flagged < others)))[:OPPOSED_CHECKED]
        block = rows.dense_block(np.concatenate([members[minority], members[majority]]))
        closest = (block[: len(minority)] @ block[len(minority):].T).max(axis=1)
        keep[minority[closest >= OPPOSED_SIMILARITY]] = False
    return members[keep & linked & ~answers], members[~keep]


def _voices_of(thread: _Thread, members: IntArray) -> set[str]:
    return {thread.voices[thread.sentence_comment[int(m)]] for m in members}


def _to_argument(thread: _Thread, rows: SparseRows, members: IntArray, claim_row: int) -> Argument:
    comment_indexes = sorted({thread.sentence_comment[int(m)] for m in members})
    authors: list[str] = []
    seen: set[str] = set()
    unnamed = 0
    for index in comment_indexes:
        name = thread.names[index]
        if name is None:
            unnamed += 1
        elif thread.voices[index] not in seen:
            seen.add(thread.voices[index])
            authors.append(name)
    centrality = rows.dot(members, normalized(rows.sum_rows(members)))
    claim = thread.sentence_texts[claim_row]
    claim_voice = thread.voices[thread.sentence_comment[claim_row]]
    claim_key = normalize_for_match(claim)
    single_voice = len(_voices_of(thread, members)) == 1
    quotes: list[str] = []
    quoted_voices = set() if single_voice else {claim_voice}
    for i in sorted(range(len(members)), key=lambda i: (-centrality[i], int(members[i]))):
        row = int(members[i])
        voice = thread.voices[thread.sentence_comment[row]]
        text = thread.sentence_texts[row]
        if voice in quoted_voices or normalize_for_match(text) == claim_key:
            continue
        quoted_voices.add(voice)
        quotes.append(text)
        if len(quotes) == (1 if single_voice else 2):
            break
    return Argument(
        claim=claim,
        support=len(authors),
        authors=authors,
        comment_ids=[thread.ids[index] for index in comment_indexes],
        quotes=quotes,
        unnamed=unnamed,
    )


def _reordered(rows: SparseRows, order: IntArray) -> SparseRows:
    """The rows taken in `order` (a permutation)."""
    positions, local = rows.nnz_positions(order)
    indptr = np.zeros(len(order) + 1, dtype=np.int64)
    np.cumsum(np.bincount(local, minlength=len(order)), out=indptr[1:])
    sort = np.argsort(local, kind="stable")
    return SparseRows(indptr=indptr, indices=rows.indices[positions][sort], data=rows.data[positions][sort], n_cols=rows.n_cols)


def _with_voice_context(rows: SparseRows, voices: IntArray, comment_of: IntArray) -> SparseRows:
    """Each row leaning towards the other sentences of the same person (people keep their side in a
    debate): `with_context` over the rows ordered by voice."""
    # Only people who wrote several comments: a one-comment person's sentences already see each other.
    pairs = np.unique(voices * (int(comment_of.max()) + 1) + comment_of) if len(voices) else voices
    comments_per_voice = np.bincount(pairs // (int(comment_of.max()) + 1 if len(voices) else 1))
    several = comments_per_voice[voices] > 1
    voices = np.where(several, voices, -1 - np.arange(len(voices), dtype=np.int64))
    order = np.argsort(voices, kind="stable").astype(np.int64)
    smoothed = with_context(_reordered(rows, order), voices[order], VOICE_CONTEXT_WEIGHT, VOICE_CONTEXT_WINDOW)
    return _reordered(smoothed, np.argsort(order, kind="stable").astype(np.int64))


def _answers(thread: _Thread, comment: int, group_ids: set[str]) -> bool:
    """True when the comment is someone else's reply to a comment of the group that does not open by
    agreeing (see `_supporters`)."""
    reply_to = thread.comments[comment].reply_to
    return bool(reply_to) and reply_to in group_ids and not thread.agrees[comment]


def _join_repeated_points(thread: _Thread, rows: SparseRows, groups: list[IntArray]) -> list[IntArray]:
    """Each group with the sentences no group took that a supporter of it said again: a person's
    sentence at least OWN_POINT_SIMILARITY alike to the centroid of a group that person supports (the
    closest such group) repeats that person's point there. Support is unchanged (the same people); one
    person's repeated point no longer comes back as a one-person argument of its own."""
    if not groups:
        return groups
    taken = np.zeros(rows.n_rows, dtype=bool)
    for members in groups:
        taken[members] = True
    free = np.flatnonzero(~taken)
    if not len(free):
        return groups
    free_voices = np.array([thread.voices[thread.sentence_comment[int(r)]] for r in free])
    best = np.full(len(free), OWN_POINT_SIMILARITY, dtype=np.float64)
    home = np.full(len(free), -1, dtype=np.int64)
    for index, members in enumerate(groups):
        voices = _voices_of(thread, members)
        group_ids = {thread.ids[thread.sentence_comment[int(m)]] for m in members}
        candidates = np.flatnonzero(np.isin(free_voices, list(voices)))
        candidates = np.array(
            [c for c in candidates if not _answers(thread, thread.sentence_comment[int(free[c])], group_ids)],
            dtype=np.int64,
        )
        if not len(candidates):
            continue
        similarities = rows.dot(free[candidates], normalized(rows.sum_rows(members)))
        closer = similarities >= best[candidates]
        best[candidates[closer]] = similarities[closer]
        home[candidates[closer]] = index
    return [
        np.union1d(members, free[home == index]) if (home == index).any() else members
        for index, members in enumerate(groups)
    ]


def _one_voice_points(
    thread: _Thread, rows: SparseRows, groups: list[IntArray], wanted: int
) -> list[tuple[IntArray, int]]:
    """Up to `wanted` (members, claim row) points made by one voice each, from the sentences no group
    took: a voice's sentence joins its earlier point when close to it (a repeat) or when it only
    elaborates the sentence before it in the same comment; points that repeat a shown claim or an
    earlier point, and points without a well-shaped claim, are left out."""
    taken = np.zeros(rows.n_rows, dtype=bool)
    shown_of_comment: dict[int, FloatArray] = {}
    for members in groups:
        taken[members] = True
        unit = normalized(rows.sum_rows(members))
        for row in members:
            shown_of_comment.setdefault(thread.sentence_comment[int(row)], unit)
    texts = thread.sentence_texts
    # Within a comment, a sentence of at least POINT_WORDS words starts a point; shorter ones (an
    # introduction, an aside, a consequence) go with the nearest such sentence before them, else after.
    pieces: list[list[int]] = []
    current_comment = -1
    pending: list[int] = []
    for row in (int(r) for r in np.flatnonzero(~taken)):
        comment = thread.sentence_comment[row]
        home = shown_of_comment.get(comment)
        if home is not None:
            continue  # a comment already counted for a shown argument: the rest of it introduces or elaborates
        if comment != current_comment:
            if pending:
                (pieces[-1].extend(pending) if pieces and thread.sentence_comment[pieces[-1][0]] == current_comment
                 else pieces.append(pending))
            current_comment, pending = comment, []
        if len(texts[row].split()) >= POINT_WORDS and not is_dangling(texts[row]):
            pieces.append([*pending, row])
            pending = []
        elif pieces and thread.sentence_comment[pieces[-1][0]] == comment:
            pieces[-1].append(row)
        else:
            pending.append(row)
    if pending:
        (pieces[-1].extend(pending) if pieces and thread.sentence_comment[pieces[-1][0]] == current_comment
         else pieces.append(pending))
    # A voice's piece joins that voice's earlier point when close to it: the same point repeated.
    points: list[list[int]] = []
    by_voice: dict[str, list[int]] = {}
    for piece in pieces:
        mine = by_voice.setdefault(thread.voices[thread.sentence_comment[piece[0]]], [])
        target = -1
        if mine:
            units = np.column_stack([normalized(rows.sum_rows(np.asarray(points[p], dtype=np.int64))) for p in mine])
            similarities = rows.dot(np.asarray(piece, dtype=np.int64), units).max(axis=0)
            best = int(np.argmax(similarities))
            if similarities[best] >= SAME_POINT_SIMILARITY:
                target = mine[best]
        if target < 0:
            mine.append(len(points))
            points.append([])
        points[target].extend(piece)
    # A reply that opens by agreeing ("Exactly.", "Seconded.") makes its parent's point: one point, two people.
    point_of_comment = {thread.sentence_comment[row]: index for index, rows_ in enumerate(points) for row in rows_}
    index_of_id = {comment_id: index for index, comment_id in enumerate(thread.ids)}
    for index, members_list in enumerate(points):
        comment = thread.sentence_comment[members_list[0]]
        parent = index_of_id.get(thread.comments[comment].reply_to or "")
        target = point_of_comment.get(parent, -1) if parent is not None and thread.agrees[comment] else -1
        if 0 <= target != index and points[target]:
            points[target].extend(members_list)
            members_list.clear()
    points = [members_list for members_list in points if members_list]

    candidates: list[tuple[tuple[int, int, float, int], IntArray, int]] = []
    for members_list in points:
        members_list.sort()
        members = np.asarray(members_list, dtype=np.int64)
        # The sentence that started a point (a long one) names it, unless none did.
        claim_row = max(members_list, key=lambda r: (len(texts[r].split()) >= POINT_WORDS, claim_shape(texts[r]), -r))
        shape = claim_shape(texts[claim_row])
        if shape < POINT_MIN_SHAPE or _HEDGED.match(texts[claim_row]):
            continue  # one person's point must read as a claim, not a guess or an aside
        comments = len({thread.sentence_comment[r] for r in members_list})
        people = len({thread.voices[thread.sentence_comment[r]] for r in members_list})
        candidates.append(((-people, -comments, -shape, members_list[0]), members, claim_row))
    candidates.sort(key=lambda item: item[0])
    chosen: list[tuple[IntArray, int]] = []
    earlier = [normalized(rows.sum_rows(members)) for members in groups]
    # Where several people argued, one person's leftovers are the tail of the debate, and mostly their
    # shared point said again in other words: a person already counted for an argument makes no point of
    # their own, and anyone else makes at most one.
    many = len(set(thread.voices[c] for c in thread.sentence_comment)) >= MANY_VOICES
    spoken: set[str] = set().union(*(_voices_of(thread, members) for members in groups)) if many else set()
    for _, members, claim_row in candidates:
        if len(chosen) == wanted:
            break
        point_voices = _voices_of(thread, members)
        if point_voices & spoken:
            continue
        centre = normalized(rows.sum_rows(members))
        if earlier and max(float(centre @ other) for other in earlier) >= POINT_REPEAT_SIMILARITY:
            continue  # the same point as a shown argument or an earlier point
        chosen.append((members, claim_row))
        earlier.append(centre)
        if many:
            spoken |= point_voices
    return chosen


def _rank_key(thread: _Thread, argument: Argument, members: IntArray) -> tuple[int, int, int, int]:
    first = min(thread.sentence_comment[int(m)] for m in members)
    return (-argument.support, -argument.unnamed, -len(argument.comment_ids), first)


def condense_debate(comments: Iterable[object], *, max_arguments: int | None = None) -> Debate:
    """`condense`, with what was condensed: the arguments and `CondenseStats` (comments given, condensed,
    shortened; named authors, unnamed comments)."""
    limit = DEFAULT_MAX_ARGUMENTS if max_arguments is None else max_arguments
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise DebateInputError(f"max_arguments must be a positive integer, got {max_arguments!r}")
    if isinstance(comments, str | bytes | Mapping):
        raise DebateInputError(f"expected a list of comments, got {json_kind(comments)}")
    items = [coerce_comment(item, number) for number, item in enumerate(comments, start=1)]
    kept, shortened = select_comments(items)
    stats = CondenseStats(
        comments=len(items), condensed=len(kept), shortened=shortened,
        authors=count_authors(items), unnamed=count_unnamed(items),
    )
    if len(kept) < len(items):
        # Ids given by position stay those of the whole input.
        items = [item if item.id else Comment(item.author, item.text, f"c{index + 1}", item.reply_to)
                 for index, item in enumerate(items)]
    thread = _prepare([items[index] for index in kept])
    if not thread.sentence_texts:
        return Debate([], stats)
    # One BLAS thread: the products here are small, and OpenBLAS's threads contending with other work on
    # a shared machine made them several times slower (2,000 comments: 1.2 s alone, 3-6 s under load).
    with threadpool_limits(limits=1, user_api="blas"):
        return Debate(_arguments(thread, limit), stats)


def _arguments(thread: _Thread, limit: int) -> list[Argument]:
    stem_rows, own_rows = sentence_views(thread.sentence_texts)
    context_rows = with_context(own_rows, np.asarray(thread.sentence_comment, dtype=np.int64), CONTEXT_WEIGHT, CONTEXT_WINDOW)
    voice_index: dict[str, int] = {}
    voices = np.fromiter(
        (voice_index.setdefault(thread.voices[c], len(voice_index)) for c in thread.sentence_comment),
        dtype=np.int64,
        count=len(thread.sentence_comment),
    )
    # Grouping sees each sentence with its comment and (where several people argued) its author around it; whether a leftover sentence
    # repeats its author's point is judged on its own comment only (the author's context would make every
    # sentence of theirs look like their point).
    comment_of = np.asarray(thread.sentence_comment, dtype=np.int64)
    # Only where several people argued: one or two people talking make several points each.
    # And only in small threads (up to VOICE_CONTEXT_SENTENCES), where a sentence's own words are thin
    # evidence; in big ones they are enough, and the author's context would make every row denser.
    small = len(comment_of) <= VOICE_CONTEXT_SENTENCES
    many = len(voice_index) >= MANY_VOICES
    use_voices = small and many and VOICE_CONTEXT_WEIGHT > 0
    rows = _with_voice_context(context_rows, voices, comment_of) if use_voices else context_rows
    groups: list[IntArray] = []
    for members in rank_groups(rows, stem_rows, voices):
        supporting, opposing = _supporters(thread, rows, members)
        # Several people arguing against a group make the opposite position: an argument of its own.
        groups.extend(g for g in (supporting, opposing) if len(_voices_of(thread, g)) >= MIN_AUTHORS)
    groups = _join_repeated_points(thread, context_rows, groups)
    generic = normalized(rows.sum_rows(np.arange(rows.n_rows, dtype=np.int64)))
    first = groups[:FIRST_RANKED]
    pool = np.unique(np.concatenate(first)) if first else np.zeros(0, dtype=np.int64)
    claims: list[int] = []
    ranked: list[tuple[tuple[int, int, int, int], Argument]] = []
    # Claims are chosen in the order the groups were ranked, each kept apart from the claims before it.
    for members in groups:
        # Typicality (how much a candidate's neighbours lie in its own group) is weighed for the groups
        # ranked first, where a claim mixing two groups would mislead most; it costs a product with the pool.
        typical_pool = pool if len(claims) < FIRST_RANKED else members
        claim_row = choose_claim(thread.sentence_texts, rows, members, generic, typical_pool, claims, voices)
        claims.append(claim_row)
        argument = _to_argument(thread, rows, members, claim_row)
        ranked.append((_rank_key(thread, argument, members), argument))
    ranked.sort(key=lambda pair: pair[0])
    arguments = [argument for _, argument in ranked[:limit]]
    if len(arguments) < limit:
        for members, claim_row in _one_voice_points(thread, own_rows, groups, limit - len(arguments)):
            arguments.append(_to_argument(thread, rows, members, claim_row))
    return arguments


def condense(comments: Iterable[object], *, max_arguments: int | None = None) -> list[Argument]:
    """The main arguments of a debate, best first (at most `max_arguments`, default 5).

    `comments` holds `Comment`s, mappings or objects with `author`, `text` and optional `id` and
    `reply_to`. Comments without an id are named by their 1-based position ("c12"). Pure and
    synchronous: call it with `asyncio.to_thread` from async code. Raises `DebateInputError` (one line)
    for an item without text or a bad `max_arguments`; noise-only debates give `[]`.
    """
    return condense_debate(comments, max_arguments=max_arguments).arguments
