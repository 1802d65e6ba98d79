"""summarizer.debate: condensation rules, noise, voices, verbatim claims, input validation."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from summarizer.debate import (
    Argument,
    Comment,
    DebateInputError,
    claims,
    condense,
    grouping,
    parse_comments,
    parse_plain_comments,
    pipeline,
)
from summarizer.debate.text import clean_comment_text, is_noise_sentence
from summarizer.debate.vectors import sentence_views

KEYPOINTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "keypoints"

# Two points, each made by several people in different words.
MOON_FIRST = [
    ("ann", "The Moon is only three days away, so a lunar base is far cheaper to supply than Mars."),
    ("bob", "Supplying a base on the Moon is cheaper because it is three days away instead of months."),
    ("cat", "A lunar base is cheaper to supply since resupply flights take three days, not months."),
]
DEPOTS = [
    ("dan", "Orbital propellant depots are the real enabler for any deep space mission."),
    ("eve", "Without propellant depots in orbit, no deep space mission will ever be affordable."),
]
NOISE = ["+1", "lol", "this", "Thanks for sharing!", "Great post, totally agree.", "👍🚀🔥",
         "https://example.com/some/link", "Hi everyone!", "Hello all, nice thread.", "Same.", "This!!!",
         "Agreed 100%", "lmao", "^ this", "@bob yes"]


def as_comments(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"author": author, "text": text} for author, text in pairs]


def collapsed(text: str) -> str:
    return " ".join(text.split())


def assert_verbatim(argument: Argument, comments: list[dict[str, str]]) -> None:
    """The claim and every quote are sentences of supporting comments, word for word."""
    by_id = {comment.get("id", f"c{index + 1}"): comment for index, comment in enumerate(comments)}
    supporting = [collapsed(by_id[comment_id]["text"]) for comment_id in argument.comment_ids]
    assert any(argument.claim in text for text in supporting), argument.claim
    for quote in argument.quotes:
        assert any(quote in text for text in supporting), quote


def test_finds_the_points_and_orders_them_by_support() -> None:
    comments = as_comments(MOON_FIRST + DEPOTS)
    arguments = condense(comments)
    assert [a.support for a in arguments] == [3, 2]
    moon, depots = arguments
    assert moon.authors == ["ann", "bob", "cat"] and moon.comment_ids == ["c1", "c2", "c3"]
    assert depots.authors == ["dan", "eve"] and depots.comment_ids == ["c4", "c5"]
    for argument in arguments:
        assert_verbatim(argument, comments)
        assert 1 <= len(argument.quotes) <= 2
    assert argument.to_dict() == {
        "claim": depots.claim, "support": 2, "authors": ["dan", "eve"], "comment_ids": ["c4", "c5"],
        "quotes": depots.quotes, "unnamed": 0,
    }


def test_quotes_come_from_other_authors_than_the_claim() -> None:
    comments = as_comments(MOON_FIRST)
    (argument,) = condense(comments)
    author_of = {collapsed(c["text"]): c["author"] for c in comments}
    claim_author = next(author for text, author in author_of.items() if argument.claim in text)
    quote_authors = [next(a for text, a in author_of.items() if quote in text) for quote in argument.quotes]
    assert claim_author not in quote_authors
    assert len(set(quote_authors)) == len(quote_authors)


def test_claim_is_verbatim_even_with_messy_whitespace_and_markup() -> None:
    comments = as_comments([
        ("ann", "Well.\n\nThe Moon is   only three days away, so a lunar base\nis far cheaper to supply than Mars."),
        ("bob", "<b>Supplying</b> a base on the Moon is cheaper because it is three days away instead of months."),
        ("cat", "A lunar base is cheaper to supply since resupply takes three days, not months. Cheers"),
    ])
    (argument,) = condense(comments)
    assert_verbatim(argument, comments)


def test_noise_never_forms_an_argument() -> None:
    # Fifteen different people posting only noise: nothing to condense.
    comments = [{"author": f"user{i}", "text": text} for i, text in enumerate(NOISE)]
    assert condense(comments) == []
    # Noise mixed into a real debate adds no support and never becomes a claim or a quote.
    mixed = as_comments(MOON_FIRST) + comments
    (argument,) = condense(mixed)
    assert argument.authors == ["ann", "bob", "cat"]
    assert all(not is_noise_sentence(text) for text in [argument.claim, *argument.quotes])


@pytest.mark.parametrize("sentence", [*NOISE, "", "   ", "-- ", "Sent from my iPhone", "ok ok ok ok"])
def test_noise_sentences(sentence: str) -> None:
    assert is_noise_sentence(sentence)


def test_one_author_repeating_a_point_is_one_voice() -> None:
    alice = [
        "A lunar base is cheaper to supply because the Moon is three days away.",
        "The Moon is three days away so supplying a lunar base is cheaper.",
        "Cheaper supply is the point: a lunar base is only three days away.",
        "Again, a base on the Moon is cheaper to supply, three days away.",
        "Supplying the lunar base is cheaper, the Moon being three days away.",
    ] * 2  # ten comments
    comments = [{"author": "alice", "text": text} for text in alice]
    # One voice, however loud, is one point made by one person: one argument, support 1.
    (alone,) = condense(comments)
    assert alone.support == 1 and alone.authors == ["alice"] and len(alone.comment_ids) == 5
    comments.append({"author": "bob", "text": "Supplying a base on the Moon is cheaper since it is three days away."})
    (argument,) = condense(comments)
    assert argument.support == 2
    assert argument.authors == ["alice", "bob"]
    assert "c11" in argument.comment_ids and len(argument.comment_ids) >= 2


def test_author_names_are_compared_case_insensitively() -> None:
    comments = as_comments([(author.upper() if i % 2 else author, text) for i, (author, text) in enumerate(MOON_FIRST)])
    comments.append({"author": "ANN", "text": MOON_FIRST[1][1].replace("three days", "3 days")})
    (argument,) = condense(comments)
    assert argument.support == 3


def test_spam_copies_are_dropped() -> None:
    spam = "Get cheap launch tickets at rocket-deals dot com, best prices on orbit today."
    comments = [{"author": f"bot{i}", "text": spam} for i in range(6)] + as_comments(DEPOTS)
    arguments = condense(comments)
    assert [a.authors for a in arguments] == [["dan", "eve"]]


def test_quoted_parent_text_is_not_support() -> None:
    parent = {"id": "p1", "author": "ann", "text": MOON_FIRST[0][1]}
    # Bob quotes Ann with ">" and Cat copies her sentence verbatim; neither adds words of their own.
    quoting = {"id": "r1", "author": "bob", "reply_to": "p1", "text": f"> {MOON_FIRST[0][1]}\nNope."}
    copying = {"id": "r2", "author": "cat", "reply_to": "p1", "text": f"{MOON_FIRST[0][1]} Nope."}
    (alone,) = condense([parent, quoting, copying])
    assert alone.comment_ids == ["p1"] and alone.support == 1
    # The same words in a comment that does not reply to Ann are a voice of their own.
    independent = {"id": "r3", "author": "dan", "text": MOON_FIRST[1][1]}
    (argument,) = condense([parent, quoting, copying, independent])
    assert argument.comment_ids == ["p1", "r3"]


def test_signature_is_not_part_of_the_comment() -> None:
    assert clean_comment_text("Depots matter.\n-- \nJohn Smith, Mars Society") == "Depots matter."
    assert clean_comment_text("Depots matter.\nSent from my iPhone") == "Depots matter."
    assert clean_comment_text("> quoted\nmine") == "mine"


def test_ids_are_kept_or_given_by_position() -> None:
    comments = as_comments(MOON_FIRST)
    comments[1]["id"] = "discord-1234"
    (argument,) = condense(comments)
    assert argument.comment_ids == ["c1", "discord-1234", "c3"]


def test_max_arguments() -> None:
    comments = as_comments(MOON_FIRST + DEPOTS)
    assert len(condense(comments, max_arguments=1)) == 1
    assert condense(comments, max_arguments=1)[0].support == 3
    for bad in (0, -1, True, 2.5):
        with pytest.raises(DebateInputError, match="max_arguments"):
            condense(comments, max_arguments=bad)  # type: ignore[arg-type]


def test_edge_inputs() -> None:
    assert condense([]) == []
    (alone,) = condense(as_comments(MOON_FIRST[:1]))  # one comment: one person's point
    assert alone.support == 1 and alone.claim == MOON_FIRST[0][1]
    with pytest.raises(DebateInputError, match="expected a list of comments, got an object"):
        condense({"author": "a", "text": "b"})  # type: ignore[arg-type]
    with pytest.raises(DebateInputError, match="comment 2: missing 'text'"):
        condense([{"author": "a", "text": "b"}, {"author": "b"}])


def test_huge_comment_is_cut() -> None:
    # 5 MB in one comment: only the first MAX_COMMENT_CHARS are read, so a point made after them
    # cannot count, and the work stays bounded.
    filler = "Rockets are loud and bright in the evening sky over the coast. " * 90_000
    comments = [
        {"author": "troll", "text": filler + DEPOTS[0][1]},
        {"author": "eve", "text": DEPOTS[1][1]},
    ]
    assert len(comments[0]["text"]) > 5_000_000
    # The troll's one sentence pasted 90,000 times is spam; the depots point after it is never read.
    (argument,) = condense(comments)
    assert argument.comment_ids == ["c2"] and argument.support == 1


def test_hostile_text_does_not_break() -> None:
    weird = ["\x00\x01\x02", "\ud800 broken surrogate", "‮reversed‬ text here", "a" * 50_000,
             "<script>alert(1)</script>", "\u200b" * 1000, "🚀" * 10_000, "\n\n\n", ">>> > >"]
    comments = [{"author": f"u{i}", "text": text} for i, text in enumerate(weird)] + as_comments(DEPOTS)
    arguments = condense(comments)
    assert [a.authors for a in arguments] == [["dan", "eve"]]


def test_accepts_comment_objects_mappings_and_attribute_objects() -> None:
    @dataclass
    class Message:
        author: str
        text: str
        id: int

    mixed: list[object] = [
        Comment(author="ann", text=MOON_FIRST[0][1]),
        {"text": MOON_FIRST[1][1]},  # a Python caller may omit the author: anonymous
        Message(author="cat", text=MOON_FIRST[2][1], id=77),
    ]
    (argument,) = condense(mixed)
    assert argument.comment_ids == ["c1", "c2", "77"]
    assert argument.authors == ["ann", "cat"]  # a comment without an author is not a person
    assert argument.support == 2 and argument.unnamed == 1


def test_blocks_for_large_inputs_still_find_the_points(monkeypatch: pytest.MonkeyPatch) -> None:
    # Force the blocked path (bisecting into blocks, then merging across them) on a small debate.
    monkeypatch.setattr(grouping, "BLOCK_SIZE", 4)
    rng = random.Random(7)
    pairs = MOON_FIRST + DEPOTS + [
        ("fay", "Propellant depots in orbit make every deep space mission affordable."),
        ("gus", "The Moon is three days away, which makes a lunar base cheaper to supply."),
    ]
    filler = [
        ("x0", "My grandmother grows tomatoes in her greenhouse every summer."),
        ("x1", "The football final went to penalties after extra time."),
        ("x2", "Jazz records sound warmer on vinyl than on streaming services."),
        ("x3", "Sourdough bread needs a starter that is fed daily with flour."),
        ("x4", "Chess openings reward memorisation less than club players think."),
    ]
    combined = pairs + filler
    rng.shuffle(combined)
    arguments = condense(as_comments(combined))
    several = [a for a in arguments if a.support > 1]
    assert sorted(sorted(a.authors) for a in several) == [["ann", "bob", "cat", "gus"], ["dan", "eve", "fay"]]
    assert arguments[:2] == sorted(several, key=lambda a: -a.support)  # several people's points first


def test_parse_comments_validation() -> None:
    comments = parse_comments([{"author": "a", "text": "t", "id": 5, "reply_to": "4"}])
    assert comments == [Comment(author="a", text="t", id="5", reply_to="4")]
    cases = [
        ({"a": 1}, "expected a list of comments, got an object"),
        ("text", "expected a list of comments, got a string"),
        (None, "expected a list of comments, got null"),
        ([{"author": "a", "text": "t"}, {"author": "b", "text": "t"}, {"author": "c"}], "comment 3: missing 'text'"),
        ([{"text": "t"}], "comment 1: missing 'author'"),
        ([{"author": 5, "text": "t"}], "comment 1: 'author' must be a string, got a number"),
        ([["a", "t"]], "comment 1: expected an object, got a list"),
        ([{"author": "a", "text": "t", "id": {"x": 1}}], "comment 1: 'id' must be a string, got an object"),
    ]
    for data, message in cases:
        with pytest.raises(DebateInputError) as caught:
            parse_comments(data)
        assert str(caught.value) == message
        assert "\n" not in str(caught.value)


def test_parse_plain_comments() -> None:
    text = "alice:\nMars first.\nSecond line.\n\nThe Moon first.\n\n  \nbob:\n\nDepots first.\n\nnote: not an author line\n"
    comments = parse_plain_comments(text)
    assert [(c.author, c.text) for c in comments] == [
        ("alice", "Mars first.\nSecond line."),
        ("anonymous", "The Moon first."),
        ("bob", "Depots first."),  # an author line alone names the next block's author
        ("anonymous", "note: not an author line"),
    ]
    assert parse_plain_comments("") == []


def test_unnamed_comments_are_not_people() -> None:
    text = "\n\n".join(text for _, text in MOON_FIRST)
    (argument,) = condense(parse_plain_comments(text))
    # Three comments without an author may be one reader: no support, three unnamed comments.
    assert argument.support == 0 and argument.authors == [] and argument.unnamed == 3
    named = parse_plain_comments("zed:\n" + MOON_FIRST[0][1]) + parse_plain_comments(text)[1:]
    (argument,) = condense(named)
    assert argument.support == 1 and argument.unnamed == 2


@pytest.mark.skipif(not (KEYPOINTS / "arguments_dev.csv").is_file(),
                    reason="ArgKP data (../shared/data/keypoints) is not available")
def test_argkp_topic_gives_verbatim_claims_from_distinct_authors() -> None:
    with open(KEYPOINTS / "arguments_dev.csv", newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["stance"] == "1"][:150]
    comments = [{"author": row["arg_id"], "text": row["argument"], "id": row["arg_id"]} for row in rows]
    arguments = condense(comments, max_arguments=5)
    assert len(arguments) == 5
    for argument in arguments:
        assert argument.support == len(argument.comment_ids) >= 2  # one comment per author here
        assert_verbatim(argument, comments)


def test_count_authors_matches_how_support_is_counted() -> None:
    from summarizer.debate import Comment, count_authors

    comments = [
        Comment("Ana", "one"),
        Comment("ana", "two"),
        Comment("anonymous", "three"),
        Comment("", "four"),
        Comment("Ben", "five"),
    ]
    assert count_authors(comments) == 2  # Ana once and Ben; comments without an author are not people


# --- grouping internals (summarizer.debate_cluster, summarizer.debate_vectors) ---------------------------

def _block_affinity(labels: list[int], seed: int = 3) -> Any:
    import numpy as np

    rng = np.random.default_rng(seed)
    label_array = np.array(labels)
    size = len(labels)
    same = label_array[:, None] == label_array[None, :]
    affinity = np.where(same, 0.5 + 0.5 * rng.random((size, size)), 0.03 * rng.random((size, size)))
    affinity = (affinity + affinity.T) / 2
    np.fill_diagonal(affinity, 0.0)
    return affinity


def test_leading_eigenpairs_match_a_direct_solver() -> None:
    import numpy as np

    from summarizer.debate.spectral import leading_eigenpairs, spectral_embedding

    affinity = _block_affinity([index % 9 for index in range(200)])
    values, vectors = spectral_embedding(affinity, 9)  # 200 rows: the iterative path
    degree = affinity.sum(axis=1)
    normalised = affinity / np.sqrt(degree)[:, None] / np.sqrt(degree)[None, :]
    exact_values, exact_vectors = np.linalg.eigh(normalised)
    assert np.allclose(values, exact_values[::-1][:9], atol=1e-3)
    # Same leading subspace: projecting the exact vectors onto ours loses nothing.
    projection = vectors.T @ exact_vectors[:, ::-1][:, :9]
    assert np.allclose(np.linalg.svd(projection, compute_uv=False), 1.0, atol=1e-3)
    small_values, _ = leading_eigenpairs(normalised[:40, :40], 3)  # direct path
    assert np.allclose(small_values, np.linalg.eigh(normalised[:40, :40])[0][::-1][:3])


def test_group_count_follows_separate_parts_within_bounds() -> None:
    import numpy as np

    from summarizer.debate.spectral import choose_group_count

    eigenvalues = np.array([1.0, 0.99, 0.97, 0.9, 0.5, 0.4, 0.3, 0.2])
    assert choose_group_count(eigenvalues, low=2, high=6, separated=0.8) == 4  # four nearly cut-off parts
    assert choose_group_count(eigenvalues, low=5, high=6, separated=0.8) == 5  # never fewer than shown
    assert choose_group_count(eigenvalues, low=1, high=3, separated=0.8) == 3  # never more than allowed


def test_spectral_groups_recover_separate_points_and_leave_unlinked_rows_out() -> None:
    import numpy as np

    from summarizer.debate.spectral import spectral_groups

    labels = [index % 6 for index in range(90)]
    similarity = _block_affinity(labels)
    similarity[89, :] = similarity[:, 89] = 0.0  # a sentence like no other
    groups = spectral_groups(
        similarity, similarity.sum(axis=1), neighbours=10, low=2, high=12, separated=0.8, min_group_size=4
    )
    assert 89 not in np.concatenate(groups)
    found = sorted(sorted({labels[int(row)] for row in group}) for group in groups)
    assert found == [[label] for label in range(6)]  # six points, none mixed, though only two were asked


def test_character_view_links_words_the_stemmer_keeps_apart() -> None:
    import numpy as np

    from summarizer.debate import vectors as debate_vectors
    from summarizer.debate.vectors import join_views, sentence_rows, tfidf_rows

    pair = ["Discriminatory policies hurt applicants", "Discrimination rules punish candidates"]
    stems_only = tfidf_rows([debate_vectors.sentence_terms(text) for text in pair])
    block = stems_only.dense_block(np.arange(2, dtype=np.int64))
    assert float(block[0] @ block[1]) == 0.0  # no stem in common
    joined = sentence_rows(pair).dense_block(np.arange(2, dtype=np.int64))
    assert float(joined[0] @ joined[1]) > 0.05
    # Joining two normalised views with equal weight averages their cosines.
    first = tfidf_rows([["a", "b"], ["a"]])
    second = tfidf_rows([["x"], ["x", "y"]])
    both = join_views(first, second).dense_block(np.arange(2, dtype=np.int64))
    cos_first = 1 / np.sqrt(2)
    assert np.isclose(both[0] @ both[1], (cos_first + cos_first) / 2, atol=0.2)
    assert np.allclose(np.linalg.norm(both, axis=1), 1.0)


def test_more_separate_points_than_shown_are_not_mixed_to_fill_the_quota() -> None:
    # Eight distinct points, five or six people each; only two arguments asked for. Forcing the sentences into
    # two groups would inflate support with comments making other points.
    topics = [
        "propellant depots in orbit", "closed loop life support", "radiation shielding for crews",
        "reusable boosters without refurbishment", "lunar water ice mining", "nuclear thermal propulsion",
        "planetary protection rules", "space debris removal",
    ]
    phrasings = ["{t}.", "It is all about {t}!", "{t}, definitely.", "So: {t}, and that is it."]
    comments = []
    for point, topic in enumerate(topics):
        for person in range(5 + (point < 2)):
            comments.append({
                "author": f"p{point}_{person}",
                "text": phrasings[(person + point) % len(phrasings)].format(t=topic),
                "id": f"{point}:{person}",
            })
    arguments = condense(comments, max_arguments=2)
    assert len(arguments) == 2
    for argument in arguments:
        assert len({comment_id.split(":")[0] for comment_id in argument.comment_ids}) == 1
    assert sorted(argument.support for argument in arguments) == [6, 6]  # the two best-supported points


def test_character_rows_built_per_word_equal_rows_built_per_ngram() -> None:
    import numpy as np

    from summarizer.debate.vectors import char_rows, plain_words, sentence_char_terms, tfidf_rows

    texts = ["Killing is murder, plain and simple.", "the kill count", "", "murder MURDER is wrong", "ünïcode wörds"]
    fast = char_rows([plain_words(text) for text in texts]).dense_block(np.arange(len(texts), dtype=np.int64))
    slow = tfidf_rows([sentence_char_terms(text) for text in texts]).dense_block(
        np.arange(len(texts), dtype=np.int64)
    )
    assert np.allclose(fast @ fast.T, slow @ slow.T)


# --- claim choice: typicality and redundancy -------------------------------------------------------------

def _claim_fixture() -> tuple[Any, Any, Any]:
    texts = [
        "rockets are too expensive to launch every week",  # 0: group A
        "launching rockets every week is too expensive",  # 1: group A
        "weekly rocket launches cost far too much money",  # 2: group A
        "rockets are too expensive and pollute the upper atmosphere",  # 3: group A, mixes B's words
        "rocket exhaust pollutes the upper atmosphere badly",  # 4: group B
        "launch exhaust pollutes the atmosphere",  # 5: group B
        "the upper atmosphere is polluted by rocket exhaust",  # 6: group B
    ]
    _, rows = sentence_views(texts)
    group_a = np.array([0, 1, 2, 3], dtype=np.int64)
    pool = np.arange(len(texts), dtype=np.int64)
    return texts, rows, (group_a, pool)


def test_typicality_is_lower_for_a_sentence_mixing_two_groups() -> None:
    _, rows, (group_a, pool) = _claim_fixture()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(claims, "CLAIM_TYPICAL_NEIGHBOURS", 3)
        shares = claims.typicality(rows, group_a, group_a, pool)
    # Sentence 3's nearest neighbours include group B's sentences; the others' are all in group A.
    assert shares[3] < shares[0]
    assert shares[0] == pytest.approx(1.0)
    assert all(0.0 <= share <= 1.0 for share in shares)


def test_typicality_does_not_count_the_sentence_as_its_own_neighbour() -> None:
    _, rows, _ = _claim_fixture()
    members = np.array([0, 1], dtype=np.int64)
    pool = np.array([0, 1, 4], dtype=np.int64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(claims, "CLAIM_TYPICAL_NEIGHBOURS", 2)
        shares = claims.typicality(rows, members, members, pool)
    # Each candidate's two neighbours are the other group-A sentence and sentence 4 of group B.
    assert list(shares) == [0.5, 0.5]


def test_claim_avoids_repeating_an_earlier_claim() -> None:
    texts = [
        "a moon base would train crews for mars",
        "a moon base would train crews for mars",
        "crews for mars could train on a moon base first",
        "lunar ice could be mined for rocket fuel",
        "mining lunar ice would give us rocket fuel",
    ]
    thread = pipeline._prepare([Comment(author=f"u{i}", text=text) for i, text in enumerate(texts)])
    _, rows = sentence_views(thread.sentence_texts)
    members = np.arange(rows.n_rows, dtype=np.int64)
    generic = np.zeros(rows.n_cols)
    pool = members
    first = claims.choose_claim(thread.sentence_texts, rows, members, generic, pool, [])
    assert "moon base" in thread.sentence_texts[first]
    # With the moon-base sentence already a claim of an earlier group, this group names its other point.
    second = claims.choose_claim(thread.sentence_texts, rows, members, generic, pool, [first])
    assert "lunar ice" in thread.sentence_texts[second]
