"""Debate quality on our own labelled space-forum threads (bench/debate_threads.json), against tf-idf +
k-means on the same threads.

Every comment is labelled with the positions its own sentences make ([] for noise); forum-length posts
map sentences to positions and list text (quotes, signatures) that must never be a claim. For each
thread, `condense(comments)` runs with the default max_arguments (5), and over all threads:

  purity        share of the comment ids of each argument whose labels include the argument's majority
                position (pooled over every argument of every thread; a noise comment is never pure)
  split         share of threads where one gold position is the majority of two or more arguments
  duplication   share of output arguments whose majority position an earlier argument already had
  found         share of gold positions named by some argument: its majority position, and its claim
                is a sentence labelled with it
  noise         noise comments counted in any argument (must be 0)
  bad claims    claims taken from quoted text or a signature (must be 0), and claims under 5 words
  formats       threads whose arguments (claim, support) are the same from JSON and from the same text with
                its line breaks collapsed inside paragraphs; for threads of one-paragraph comments, also
                from plain text (`author:` blocks) and a chat log (`author: text` lines)
  prefixes      threads where the top arguments for K = 2 and 3 are the first of K = 5
  forum strays  in threads with forum-length posts (10 lines or more): supporting comments not labelled with
                their argument's majority position (must be 0: every supporter has a sentence making the point)
  no-author     threads where, with every author removed, some argument still has support above 0 (must be 0)
Seeds: the clustering seed (`summarizer.debate.spectral.RANDOM_SEED`) and the baseline's k-means seed
take 4 values; min / mean are printed. Baseline: TfidfVectorizer(stop_words="english") + KMeans with k =
min(5, comments) over whole comments, support = distinct authors, claim = the member nearest the
centroid, ranked by support.

Usage: .venv/bin/python bench/debate_threads.py [--seeds 1 2 3 2026] [--data FILE] [--split all|tuning|heldout|heldout2|heldout3] [--show]
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from summarizer.debate import condense, spectral

DEFAULT_DATA = Path(__file__).resolve().parent / "debate_threads.json"
# A comment of this many lines or more is a forum-length post.
FORUM_LINES = 10


@dataclass
class Output:
    claim: str
    comment_ids: list[str]
    support: int


def collapsed(text: str) -> str:
    return " ".join(text.split())


def ours(thread: dict[str, Any], max_arguments: int = 5) -> list[Output]:
    comments = [{k: c[k] for k in ("id", "author", "text", "reply_to") if k in c} for c in thread["comments"]]
    return [Output(a.claim, list(a.comment_ids), a.support) for a in condense(comments, max_arguments=max_arguments)]


def baseline(thread: dict[str, Any], seed: int) -> list[Output]:
    comments = thread["comments"]
    texts = [c["text"] for c in comments]
    vectors = TfidfVectorizer(stop_words="english").fit_transform(texts)
    k = min(5, len(texts))
    model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(vectors)
    outputs = []
    for cluster in range(k):
        members = np.flatnonzero(model.labels_ == cluster)
        if not len(members):
            continue
        distances = ((vectors[members].toarray() - model.cluster_centers_[cluster]) ** 2).sum(axis=1)
        claim = collapsed(texts[members[int(np.argmin(distances))]])
        ids = [comments[m]["id"] for m in members]
        outputs.append(Output(claim, ids, len({comments[m]["author"] for m in members})))
    outputs.sort(key=lambda o: (-o.support, -len(o.comment_ids)))
    return outputs


def claim_label(thread: dict[str, Any], claim: str) -> str | None:
    for comment in thread["comments"]:
        text = collapsed(comment["text"])
        if claim not in text and collapsed(claim) not in text:
            continue
        for sentence, position in comment.get("sentences", {}).items():
            if sentence in claim or claim in sentence:
                return str(position)
        if len(comment["positions"]) == 1:
            return str(comment["positions"][0])
    return None


def own_text(comment: dict[str, Any], forbidden: list[str]) -> str:
    text = collapsed(comment["text"])
    for part in forbidden:
        text = text.replace(part, " | ")
    return text


def scores(thread: dict[str, Any], outputs: Sequence[Output]) -> dict[str, float]:
    labels = {c["id"]: set(c["positions"]) for c in thread["comments"]}
    pure = total = noise = bad = short = strays = 0
    forum = any(len(c["text"].strip().splitlines()) >= FORUM_LINES for c in thread["comments"])
    majorities: list[str | None] = []
    found: set[str] = set()
    forbidden = {c["id"]: [collapsed(t) for t in c.get("not_claims", [])] for c in thread["comments"]}
    for output in outputs:
        votes = Counter(p for cid in output.comment_ids for p in labels[cid])
        named = claim_label(thread, output.claim)
        # Ties (a post making two points) go to the position the claim states.
        majority = min(votes, key=lambda p: (-votes[p], p != named, p)) if votes else None
        majorities.append(majority)
        for cid in output.comment_ids:
            total += 1
            pure += majority in labels[cid]
            strays += forum and majority not in labels[cid]
            noise += not labels[cid]
        if majority is not None and named == majority:
            found.add(majority)
        # A claim must be the author's own words somewhere: not only inside quoted text or a signature.
        own = [own_text(c, forbidden[c["id"]]) for c in thread["comments"]]
        bad += not any(output.claim in text for text in own)
        short += len(output.claim.split()) < 5
    counted = Counter(m for m in majorities if m is not None)
    return {
        "pure": pure, "total": total, "noise": noise, "strays": strays, "bad_claims": bad, "short_claims": short,
        "split": float(any(n > 1 for n in counted.values())),
        "duplicates": sum(n - 1 for n in counted.values()), "arguments": len(outputs),
        "found": len(found), "positions": len(thread["positions"]),
    }


def unwrapped(thread: dict[str, Any]) -> list[dict[str, str]]:
    """The comments with the line breaks inside each paragraph collapsed (a reflowed copy)."""
    return [
        {"id": c["id"], "author": c["author"], "text": "\n\n".join(collapsed(p) for p in c["text"].split("\n\n"))}
        for c in thread["comments"]
    ]


def as_plain_text(thread: dict[str, Any], chat: bool) -> list[dict[str, str]]:
    """The comments through the plain-text forms: `author:` blocks separated by blank lines, or a chat log
    with one `author: text` line per comment (only for comments of one paragraph)."""
    from summarizer.debate import parse_plain_comments

    if chat:
        text = "\n".join(f"{c['author']}: {collapsed(c['text'])}" for c in thread["comments"])
    else:
        text = "\n\n".join(f"{c['author']}:\n{c['text']}" for c in thread["comments"])
    parsed = parse_plain_comments(text)
    return [{"author": p.author, "text": p.text, "id": c["id"]} for p, c in zip(parsed, thread["comments"], strict=True)]


def formats_agree(thread: dict[str, Any]) -> bool:
    def key(comments: list[dict[str, str]]) -> list[tuple[str, int]]:
        return [(a.claim, a.support) for a in condense(comments)]

    reference = key([{k: c[k] for k in ("id", "author", "text")} for c in thread["comments"]])
    forms = [unwrapped(thread)]
    if all("\n\n" not in c["text"].strip() for c in thread["comments"]):
        # Blank lines separate comments in plain text, so only one-paragraph comments survive it.
        forms += [as_plain_text(thread, chat=False), as_plain_text(thread, chat=True)]
    return all(key(form) == reference for form in forms)


def prefixes_hold(thread: dict[str, Any]) -> bool:
    full = [(o.claim, o.comment_ids) for o in ours(thread, 5)]
    return all([(o.claim, o.comment_ids) for o in ours(thread, k)] == full[:k] for k in (2, 3))


def unnamed_support(thread: dict[str, Any]) -> bool:
    """True when the thread's comments, every author removed, still give an argument support above 0."""
    comments = [{k: c[k] for k in ("id", "text", "reply_to") if k in c} for c in thread["comments"]]
    return any(a.support > 0 for a in condense(comments))


def summarise(threads: list[dict[str, Any]], method: Callable[[dict[str, Any]], list[Output]]) -> dict[str, float]:
    totals: Counter[str] = Counter()
    for thread in threads:
        totals.update(scores(thread, method(thread)))
    return {
        "purity": totals["pure"] / max(1, totals["total"]),
        "split": totals["split"] / len(threads),
        "duplication": totals["duplicates"] / max(1, totals["arguments"]),
        "found": totals["found"] / totals["positions"],
        "noise": totals["noise"],
        "forum strays": totals["strays"],
        "bad claims": totals["bad_claims"],
        "short claims": totals["short_claims"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 2026])
    parser.add_argument("--show", action="store_true", help="print each thread's arguments")
    parser.add_argument("--split", choices=("all", "tuning", "heldout", "heldout2", "heldout3"), default="all",
                        help="tuning: the threads the settings were chosen on; heldout, heldout2, heldout3: written afterwards "
                             "(heldout2, heldout3: committed before the code was first run on them)")
    args = parser.parse_args(argv)
    every = json.loads(args.data.read_text(encoding="utf-8"))["threads"]
    if args.split != "all":
        every = [t for t in every if t.get("split", "tuning") == args.split]
    threads = every
    print(f"{len(threads)} threads, {sum(len(t['comments']) for t in threads)} comments, "
          f"{sum(len(t['positions']) for t in threads)} gold positions")
    default_seed = spectral.RANDOM_SEED
    runs: dict[str, list[dict[str, float]]] = {"spacebrief": [], "tfidf+kmeans": []}
    for seed in args.seeds:
        spectral.RANDOM_SEED = seed
        runs["spacebrief"].append(summarise(threads, ours))
        runs["tfidf+kmeans"].append(summarise(threads, lambda t, s=seed: baseline(t, s)))
    spectral.RANDOM_SEED = default_seed
    print(f"{'metric':<14}{'spacebrief min/mean':>22}{'tfidf+kmeans min/mean':>24}")
    for name in runs["spacebrief"][0]:
        cells = []
        for method in runs:
            values = [run[name] for run in runs[method]]
            cells.append(f"{min(values):.3f} / {statistics.mean(values):.3f}")
        print(f"{name:<14}{cells[0]:>22}{cells[1]:>24}")
    agree = sum(formats_agree(t) for t in threads)
    prefix = sum(prefixes_hold(t) for t in threads)
    unnamed = sum(unnamed_support(t) for t in threads)
    print(f"formats agree: {agree}/{len(threads)} threads; K=2,3 prefixes of K=5: {prefix}/{len(threads)} threads; "
          f"support from comments without an author: {unnamed}/{len(threads)} threads")
    if args.show:
        for thread in threads:
            print(f"\n{thread['name']}")
            labels = {c["id"]: c["positions"] for c in thread["comments"]}
            for output in ours(thread):
                print(f"  [{output.support}] {output.claim}")
                print(f"      {[(cid, labels[cid]) for cid in output.comment_ids]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
