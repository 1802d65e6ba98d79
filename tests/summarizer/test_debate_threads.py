"""Debates as people write them (issue 9): small threads get their points, one position is one argument,
claims read alone, quoted text and signatures never count, comments without an author are not people,
and the ranking does not depend on how much of it is shown or on the input format.

Threads come from bench/debate_threads.json, our own labelled space-forum threads (in the repository)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from summarizer.debate import (
    Argument,
    condense,
    condense_debate,
    decode_json_comments,
    parse_plain_comments,
)
from summarizer.debate.text import clean_comment_text
from tests.helpers.debates import FEW_PEOPLE

THREADS = {
    thread["name"]: thread
    for thread in json.loads((Path(__file__).resolve().parents[2] / "bench" / "debate_threads.json").read_text())["threads"]
}


def comments_of(thread: dict[str, Any], *, named: bool = True) -> list[dict[str, str]]:
    keys = ("id", "author", "text", "reply_to") if named else ("id", "text", "reply_to")
    return [{k: c[k] for k in keys if k in c} for c in thread["comments"]]


def majority(thread: dict[str, Any], argument: Argument) -> str:
    labels = {c["id"]: c["positions"] for c in thread["comments"]}
    votes = Counter(p for cid in argument.comment_ids for p in labels[cid])
    return min(votes, key=lambda p: (-votes[p], p))


def test_a_single_author_thread_gives_each_of_their_points() -> None:
    thread = THREADS["single-author-europa"]
    arguments = condense(comments_of(thread))
    assert len(arguments) >= 3, "one reader's four different points must not answer with nothing"
    assert all(a.support == 1 and a.authors == ["icemoon_ivy"] for a in arguments)
    assert len({a.claim for a in arguments}) == len(arguments)


@pytest.mark.parametrize("name", ["single-author-europa", "h2-europa-two-people", "h2-one-author-launch-costs"])
def test_one_or_two_people_making_several_points_get_those_points(name: str) -> None:
    thread = THREADS[name]
    assert len({c["author"] for c in thread["comments"] if c["positions"]}) <= 2
    arguments = condense(comments_of(thread))
    labels = {c["id"]: set(c["positions"]) for c in thread["comments"]}
    made = {p for a in arguments for cid in a.comment_ids for p in labels[cid]}
    assert len(arguments) >= 3 and len(made) >= 3, arguments
    assert all(labels[cid] for a in arguments for cid in a.comment_ids)  # noise makes no point


def test_two_people_and_several_points_shared_point_first() -> None:
    comments = [{"author": author, "text": text} for author, text in FEW_PEOPLE]
    arguments = condense(comments)
    assert len(arguments) >= 4
    first, *rest = arguments
    assert first.support == 2 and first.authors == ["orbitwatcher", "kestrel"]
    assert "propellant" in first.claim
    assert all(a.support == 1 for a in rest)
    assert not any("c7" in a.comment_ids for a in arguments)  # "lol" is noise, never a point
    topics = ["refuel|propellant", "2027|milestone", "billion|SLS", "Gateway|halo", "suits"]
    import re

    for topic in topics[:4]:
        assert any(re.search(topic, a.claim) for a in arguments), topic


def test_one_position_is_one_argument_on_a_clear_thread() -> None:
    thread = THREADS["sls-vs-commercial-28"]
    arguments = condense(comments_of(thread))
    positions = [majority(thread, a) for a in arguments]
    assert len(positions) == len(set(positions)), positions
    assert set(thread["positions"]) <= set(positions)  # all four positions, each once
    cost = next(a for a in arguments if majority(thread, a) == "cost")
    assert arguments[0] is cost  # the most people made it
    # One author repeating himself six times is one person.
    assert cost.authors.count("rocketrick") <= 1


def test_noise_never_joins_an_argument_and_claims_are_never_quotes_or_signatures() -> None:
    for thread in THREADS.values():
        noise = {c["id"] for c in thread["comments"] if not c["positions"]}
        # Each comment's own words: without the quotes and signature it carries.
        own = []
        for comment in thread["comments"]:
            text = " ".join(comment["text"].split())
            for part in comment.get("not_claims", []):
                text = text.replace(" ".join(part.split()), " | ")
            own.append(text)
        for argument in condense(comments_of(thread)):
            assert not noise & set(argument.comment_ids), (thread["name"], argument)
            assert any(argument.claim in text for text in own), (thread["name"], argument.claim)


def test_a_reply_arguing_the_opposite_is_not_a_supporter() -> None:
    thread = THREADS["starship-for-artemis-stance"]
    arguments = condense(comments_of(thread))
    cheaper = next(a for a in arguments if majority(thread, a) == "cheaper")
    assert "k2" not in cheaper.comment_ids and "k9" not in cheaper.comment_ids  # "No, ..." / "I disagree."
    opposite = next(a for a in arguments if majority(thread, a) == "not_ready")
    assert {"k2", "k9"} <= set(opposite.comment_ids) and opposite.support >= 2


def test_a_reply_that_does_not_agree_is_not_a_supporter_of_what_it_answers() -> None:
    comments = [
        {"id": "a", "author": "ann", "text": "Boost the station to a higher orbit and keep it as a monument for future visitors."},
        {"id": "b", "author": "bob", "text": "Boosting the station to a higher orbit and keeping it as a monument is what we owe history."},
        {"id": "c", "author": "cy", "reply_to": "a",
         "text": "Boosting the station to a higher orbit would cost billions in propellant and leave a monument of debris."},
        {"id": "d", "author": "dee", "reply_to": "b",
         "text": "Agreed, keep the station in a higher orbit as a monument for the people who built it."},
    ]
    arguments = condense(comments)
    keep = next(a for a in arguments if "a" in a.comment_ids)
    assert "c" not in keep.comment_ids  # a rebuttal in its parent's words
    assert "d" in keep.comment_ids  # a reply that opens by agreeing supports
    assert not any({"a", "c"} <= set(a.comment_ids) for a in arguments)


def test_questions_link_captions_and_answers_to_chatter_are_noise() -> None:
    from summarizer.debate.text import is_noise_sentence

    assert is_noise_sentence("When is the next launch window?")
    assert is_noise_sentence("Buy cheap telescopes at www.scopes-deal.example")
    assert is_noise_sentence("Video here: https://example.com/watch?v=1")
    assert not is_noise_sentence("The FAA licence took longer than building the rocket.")
    assert is_noise_sentence("Great launch, congrats to the team!")
    assert is_noise_sentence("I made $5,000 this week with my trading signals, check my channel!!")
    assert not is_noise_sentence("SLS is a jobs program!")
    assert is_noise_sentence("lmao imagine the ISS falling on florida")
    comments = [
        {"id": "q", "author": "bob", "text": "when's the first module launching?"},
        {"id": "r", "author": "orbitrix", "reply_to": "q", "text": "2027 with HALO and PPE i think"},
        {"id": "s", "author": "kai", "text": "The Gateway halo orbit adds a docking to every landing and helps nothing."},
        {"id": "t", "author": "pix", "text": "Every extra docking at the Gateway halo orbit adds risk to the landing."},
    ]
    arguments = condense(comments)
    assert arguments and not any({"q", "r"} & set(a.comment_ids) for a in arguments)


def test_a_concession_that_turns_is_not_agreement() -> None:
    from summarizer.debate.text import opens_with_agreement

    assert opens_with_agreement("Agreed, redundancy from a second lander is worth paying for.")
    assert not opens_with_agreement("Agreed that it's late, but a single point of failure is worse.")
    assert not opens_with_agreement("True, but the refuelling is still unproven.")


def test_a_chat_line_addressing_someone_by_name_replies_to_them() -> None:
    chat = parse_plain_comments(
        "kai: every dollar spent on gateway is a dollar not spent on landers\n"
        "lune: a mars ship will spend months in deep space, gateway is the only place to test long stays\n"
        "pix: agree with kai, it's a solution looking for a problem\n"
    )
    arguments = condense(chat)
    assert arguments[0].authors == ["kai", "pix"], arguments
    assert ["lune"] in [a.authors for a in arguments[1:]]


def test_where_many_people_argued_a_person_already_counted_makes_no_point_of_their_own() -> None:
    thread = THREADS["h2-discord-starship-flight-chat"]
    arguments = condense(comments_of(thread))
    shared = [a for a in arguments if a.support >= 2]
    assert shared
    counted = {name for a in shared for name in a.authors}
    singles = [a for a in arguments if a.support == 1]
    assert not any(set(a.authors) & counted for a in singles)
    assert len({a.authors[0] for a in singles}) == len(singles)  # at most one point each


def test_a_fragment_never_names_a_group_that_has_a_full_sentence() -> None:
    comments = [
        {"author": "ann", "text": "Flight-proven matters."},
        {"author": "bob", "text": "Flight-proven matters."},
        {"author": "cy", "text": "Flight-proven hardware matters because the RS-25 engines already flew on the shuttle."},
        {"author": "dee", "text": "Flight-proven engines matter more than price when a crew rides on top."},
    ]
    (argument,) = condense(comments)
    assert len(argument.claim.split()) >= 8, argument.claim
    assert argument.support == 4


def test_the_top_arguments_for_smaller_k_are_a_prefix_of_one_ranking() -> None:
    for thread in THREADS.values():
        full = [(a.claim, a.comment_ids) for a in condense(comments_of(thread), max_arguments=5)]
        for k in (2, 3):
            assert [(a.claim, a.comment_ids) for a in condense(comments_of(thread), max_arguments=k)] == full[:k]


def test_comments_without_an_author_never_raise_support() -> None:
    thread = THREADS["sls-vs-commercial-28"]
    named = condense(comments_of(thread))
    unnamed = condense(comments_of(thread, named=False))
    assert all(a.support == 0 and a.authors == [] for a in unnamed)
    assert all(a.unnamed == len(a.comment_ids) for a in unnamed)
    # Half the comments unnamed: support counts only the named authors among supporters.
    mixed = [c if i % 2 else {k: v for k, v in c.items() if k != "author"} for i, c in enumerate(comments_of(thread))]
    for argument in condense(mixed):
        ids = set(argument.comment_ids)
        named_authors = {c["author"] for c in mixed if c["id"] in ids and "author" in c}
        assert argument.support == len(named_authors)
        assert argument.unnamed == sum(1 for c in mixed if c["id"] in ids and "author" not in c)
    assert named  # the named thread has arguments with support


def test_the_same_thread_gives_the_same_arguments_as_json_plain_text_and_chat_log() -> None:
    thread = THREADS["sls-vs-commercial-28"]
    as_json = decode_json_comments(json.dumps([{"author": c["author"], "text": c["text"]} for c in thread["comments"]]))
    blocks = parse_plain_comments("\n\n".join(f"{c['author']}:\n{c['text']}" for c in thread["comments"]))
    chat = parse_plain_comments("\n".join(f"{c['author']}: {c['text']}" for c in thread["comments"]))
    results = [[(a.claim, a.support, a.comment_ids) for a in condense(form)] for form in (as_json, blocks, chat)]
    assert results[0] == results[1] == results[2]
    assert results[0]


def test_collapsed_line_breaks_give_the_same_arguments() -> None:
    thread = THREADS["forum-commercial-station"]
    reflowed = [
        {**c, "text": "\n\n".join(" ".join(p.split()) for p in c["text"].split("\n\n"))} for c in comments_of(thread)
    ]
    assert [a.claim for a in condense(reflowed)] == [a.claim for a in condense(comments_of(thread))]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("> quoted line\nMy own point about depots stands.", "My own point about depots stands."),
        ("|> quoted\n|> more\nMine.", "Mine."),
        (": quoted in colon style\nMine.", "Mine."),
        ("On Tue, 3 May 1994, Henry <h@example.edu> wrote:\n> quoted\nMine.", "Mine."),
        ("In article <1994May3.1@zoo.toronto.edu>,\n  henry@zoo.toronto.edu (Henry) writes:\n> quoted\nMine.", "Mine."),
        ("Mine.\n\nCheers,\nBob", "Mine."),
        ("Mine.\n\n-- \nBob | Mars Society | bob@example.net", "Mine."),
        ("Mine.\nhttps://example.com/a/link\nbob@example.net", "Mine."),
        ("Mine.\n\nGreg\ngreg@example.org", "Mine."),
        ("Mine.\n\nKen -- \"Per ardua ad astra, but within budget.\"", "Mine."),
        ("Quote from: Dave on 03/03/2025 02:14 pm\nTankers are cheap.\n\nMine.", "Mine."),
        ("Quote from: Dave on 03/03/2025 02:14 pm Tankers are cheap.\n\nMine.", "Mine."),
        ("Originally Posted by Dave\nTankers are cheap.\n\nMine.", "Mine."),
        ("Mine.\n\n-----Original Message-----\nFrom: Dave\nTanker flights are cheap.", "Mine."),
        ("Mine.\n\nPat -- Pat Hollis | phollis@lunarnet.example", "Mine."),
        ("Mary wrote: |> Cheap launch changes |> the economics completely. Mine is here.", "Mine is here."),
    ],
)
def test_quoted_text_and_signatures_in_every_common_style_are_removed(text: str, kept: str) -> None:
    assert clean_comment_text(text) == kept


def test_bounded_input_says_what_was_cut() -> None:
    from summarizer.debate import MAX_COMMENT_CHARS, MAX_COMMENTS

    comments = [{"author": f"u{i % 50}", "text": f"Depot number {i} would cut launch costs."} for i in range(MAX_COMMENTS + 30)]
    comments[0] = {"author": "troll", "text": "Depots are the answer to everything. " * (MAX_COMMENT_CHARS // 20)}
    comments[5] = {"author": "x", "text": "A popular comment about refuelling in orbit.", "id": "hot"}
    comments += [{"author": f"r{i}", "text": "Replying to the hot one.", "reply_to": "hot"} for i in range(3)]
    debate = condense_debate(comments)
    stats = debate.stats
    assert stats.comments == MAX_COMMENTS + 33 and stats.condensed == MAX_COMMENTS
    assert stats.truncated and stats.shortened == 0  # the long one was among the oldest, left out
    kept_ids = {cid for a in debate.arguments for cid in a.comment_ids}
    assert "c1" not in kept_ids


def test_deterministic() -> None:
    thread = THREADS["forum-mars-sample-return"]
    first = condense(comments_of(thread))
    assert all(condense(comments_of(thread)) == first for _ in range(3))
