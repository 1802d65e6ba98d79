"""Debate condensation quality on IBM ArgKP-2021 (KPA 2021 shared task), against a tf-idf + k-means baseline.

For every topic and stance, the arguments are the comments (author = arg_id, so each is a distinct
person) and `condense(..., max_arguments=K)` runs with K = the number of gold key points there.

Metrics (each macro-averaged over topic+stance):
  coverage  share of gold key points that the claim of one of our K arguments stands for (the claim's own
            argument is labelled with that key point)
  purity    share of the comment ids in each output argument whose gold key point is the argument's
            majority key point (pooled over the arguments of one topic+stance)
  grouped   share of all labelled arguments (those with a matching key point) that end up in an output
            argument whose majority key point is theirs
  duplication share of output arguments whose majority key point an earlier output already had (each
            gold key point should appear at most once)
  mAP       track 1 of the shared task, strict and relaxed, with our tf-idf similarity between an
            argument and a key point as the match score (the official metric reimplemented)
Baseline: scikit-learn TfidfVectorizer(stop_words="english") + KMeans(k=K, n_init=10, random_state=0);
claim = the member closest to the centroid; its mAP uses the same plain tf-idf cosine.

Usage: .venv/bin/python bench/debate_quality.py [--split dev|train] [--data DIR] [--set NAME=VALUE ...]
       [--seeds 1 2 3 2026]   (min / mean over clustering seeds, both methods)
       [--half a|b]           (every other topic, both stances together: tune on one half, check on the other)
       [--by-k]               (coverage and grouped per number of gold key points, both methods)
       [--diagnose tailored|merge-oracle]
(--set overrides a tuning constant of the summarizer.debate modules for experiments, e.g. --set NEIGHBOURS=7).
--diagnose measures what a change of structure could gain, never a way to run spacebrief: `tailored`
splits each block into K groups, knowing K (what the grouping did before it was made independent of K);
`merge-oracle` merges the ranked groups whose members' majority gold key point is the same (a perfect
"same position" merge, which only the labels can do).
The data is read-only research data in ../shared/data/keypoints; nothing of it is copied.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import average_precision_score

from summarizer import debate
from summarizer.debate import claims, grouping, pipeline, spectral, vectors
from summarizer.debate.vectors import text_similarity

# k-means seed of the baseline (--seeds varies it with ours).
BASELINE_SEED = 0
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "keypoints"


@dataclass
class TopicStance:
    topic: str
    stance: str
    arg_ids: list[str]
    arg_texts: list[str]
    kp_ids: list[str]
    kp_texts: list[str]


@dataclass
class Output:
    """One output argument: the arg_id its claim came from, and the arg_ids of its members."""

    claim_arg: str
    members: list[str]


def load(data_dir: Path, split: str) -> tuple[list[TopicStance], dict[tuple[str, str], int]]:
    def rows(name: str) -> list[dict[str, str]]:
        with open(data_dir / f"{name}_{split}.csv", newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    groups: dict[tuple[str, str], TopicStance] = {}
    for row in rows("arguments"):
        key = (row["topic"], row["stance"])
        group = groups.setdefault(key, TopicStance(row["topic"], row["stance"], [], [], [], []))
        group.arg_ids.append(row["arg_id"])
        group.arg_texts.append(row["argument"])
    for row in rows("key_points"):
        group = groups[(row["topic"], row["stance"])]
        group.kp_ids.append(row["key_point_id"])
        group.kp_texts.append(row["key_point"])
    labels = {(row["arg_id"], row["key_point_id"]): int(row["label"]) for row in rows("labels")}
    ordered = [groups[key] for key in sorted(groups)]
    return [group for group in ordered if group.kp_ids], labels


def gold_key_points(group: TopicStance, labels: dict[tuple[str, str], int]) -> dict[str, set[str]]:
    return {
        arg: {kp for kp in group.kp_ids if labels.get((arg, kp)) == 1}
        for arg in group.arg_ids
    }


# --diagnose: None, "tailored" or "merge-oracle" (see the module docstring).
DIAGNOSIS: str | None = None


@contextmanager
def _diagnosis(group: TopicStance, gold: dict[str, set[str]]) -> Iterator[None]:
    """Run `condense` under a --diagnose structure for one topic+stance (restored afterwards)."""
    if DIAGNOSIS == "tailored":
        default = grouping.GROUPING_ARGUMENTS
        grouping.GROUPING_ARGUMENTS = len(group.kp_ids)
        try:
            yield
        finally:
            grouping.GROUPING_ARGUMENTS = default
        return
    if DIAGNOSIS != "merge-oracle":
        yield
        return
    prepare, rank = pipeline._prepare, pipeline.rank_groups
    seen: list[Any] = []

    def capture(comments: list[Any]) -> Any:
        seen.append(prepare(comments))
        return seen[-1]

    def merged(rows: Any, coarse: Any, voices: np.ndarray) -> list[np.ndarray]:
        thread = seen[-1]
        out: list[np.ndarray] = []
        home: dict[str, int] = {}
        for members in rank(rows, coarse, voices):
            votes = Counter(kp for m in members for kp in gold[thread.ids[thread.sentence_comment[int(m)]]])
            majority = min(votes, key=lambda kp: (-votes[kp], kp)) if votes else None
            if majority is not None and majority in home:
                out[home[majority]] = np.union1d(out[home[majority]], members)
                continue
            if majority is not None:
                home[majority] = len(out)
            out.append(members)
        return out

    pipeline._prepare, pipeline.rank_groups = capture, merged
    try:
        yield
    finally:
        pipeline._prepare, pipeline.rank_groups = prepare, rank


def ours(group: TopicStance, gold: dict[str, set[str]] | None = None) -> list[Output]:
    if DIAGNOSIS is not None and gold is not None:
        with _diagnosis(group, gold):
            return ours(group)
    comments = [
        {"author": arg, "text": text, "id": arg} for arg, text in zip(group.arg_ids, group.arg_texts, strict=True)
    ]
    text_of = dict(zip(group.arg_ids, group.arg_texts, strict=True))
    outputs = []
    for argument in debate.condense(comments, max_arguments=len(group.kp_ids)):
        claim_arg = next(
            arg for arg in argument.comment_ids if argument.claim in " ".join(text_of[arg].split())
        )
        outputs.append(Output(claim_arg=claim_arg, members=list(argument.comment_ids)))
    return outputs


def baseline(group: TopicStance, gold: dict[str, set[str]] | None = None) -> list[Output]:
    vectors = TfidfVectorizer(stop_words="english").fit_transform(group.arg_texts)
    k = min(len(group.kp_ids), len(group.arg_texts))
    model = KMeans(n_clusters=k, n_init=10, random_state=BASELINE_SEED).fit(vectors)
    outputs = []
    for cluster in range(k):
        members = np.flatnonzero(model.labels_ == cluster)
        if len(members) == 0:
            continue
        distances = np.asarray(
            ((vectors[members].toarray() - model.cluster_centers_[cluster]) ** 2).sum(axis=1)
        )
        claim = members[int(np.argmin(distances))]
        outputs.append(Output(group.arg_ids[claim], [group.arg_ids[m] for m in members]))
    return outputs


def cluster_scores(
    group: TopicStance, gold: dict[str, set[str]], outputs: list[Output]
) -> tuple[float, float, float, float]:
    covered = set().union(*(gold[output.claim_arg] for output in outputs)) if outputs else set()
    coverage = len(covered & set(group.kp_ids)) / len(group.kp_ids)
    pure = total = repeats = 0
    well_grouped: set[str] = set()
    majorities: set[str] = set()
    for output in outputs:
        votes = Counter(kp for arg in output.members for kp in gold[arg])
        if not votes:
            total += len(output.members)
            continue
        majority = min(votes, key=lambda kp: (-votes[kp], kp))
        repeats += majority in majorities
        majorities.add(majority)
        for arg in output.members:
            total += 1
            if majority in gold[arg]:
                pure += 1
                well_grouped.add(arg)
    purity = pure / total if total else 0.0
    labelled = [arg for arg in group.arg_ids if gold[arg]]
    grouped = len(well_grouped & set(labelled)) / len(labelled) if labelled else 0.0
    duplication = repeats / len(outputs) if outputs else 0.0
    return coverage, purity, grouped, duplication


def average_precision_track1(
    group: TopicStance, labels: dict[tuple[str, str], int], similarity: np.ndarray, relaxed: bool
) -> float:
    """The official track-1 AP of one topic+stance: each argument's best key point, top half by score."""
    best = similarity.argmax(axis=1)
    pairs = []
    for row, arg in enumerate(group.arg_ids):
        kp = group.kp_ids[int(best[row])]
        label = labels.get((arg, kp))
        pairs.append((float(similarity[row, best[row]]), (1 if relaxed else 0) if label is None else label))
    pairs.sort(key=lambda pair: -pair[0])
    kept = pairs[: int(len(pairs) * 0.5)]
    truth = [label for _, label in kept]
    if not any(truth):
        return 0.0
    return float(average_precision_score(truth, [score for score, _ in kept]))


def sklearn_similarity(args: Sequence[str], kps: Sequence[str]) -> np.ndarray:
    vectorizer = TfidfVectorizer(stop_words="english").fit([*args, *kps])
    return (vectorizer.transform(args) @ vectorizer.transform(kps).T).toarray()


def evaluate(
    groups: list[TopicStance],
    labels: dict[tuple[str, str], int],
    method: Callable[[TopicStance, dict[str, set[str]]], list[Output]],
    similarity: Callable[[Sequence[str], Sequence[str]], np.ndarray],
    per_group: dict[str, list[float]] | None = None,
) -> dict[str, float]:
    totals: dict[str, list[float]] = defaultdict(list)
    started = time.perf_counter()
    for group in groups:
        gold = gold_key_points(group, labels)
        coverage, purity, grouped, duplication = cluster_scores(group, gold, method(group, gold))
        totals["coverage"].append(coverage)
        totals["purity"].append(purity)
        totals["grouped"].append(grouped)
        totals["duplication"].append(duplication)
        scores = similarity(group.arg_texts, group.kp_texts)
        totals["mAP strict"].append(average_precision_track1(group, labels, scores, relaxed=False))
        totals["mAP relaxed"].append(average_precision_track1(group, labels, scores, relaxed=True))
    if per_group is not None:
        per_group.update(totals)
    result = {name: float(np.mean(values)) for name, values in totals.items()}
    result["seconds"] = time.perf_counter() - started
    return result


def by_key_points(groups: list[TopicStance], runs: dict[str, list[dict[str, list[float]]]]) -> None:
    """Coverage and grouped (means over the runs) for the topic+stances of each number of key points K:
    a grouping that does not depend on K shows only its first K groups, so small K tells most."""
    print(f"per K (mean over runs)  {'coverage ours / base':>22}{'grouped ours / base':>22}")
    for k in sorted({len(group.kp_ids) for group in groups}):
        where = [i for i, group in enumerate(groups) if len(group.kp_ids) == k]

        def mean(method: str, metric: str, where: list[int] = where) -> float:
            return float(np.mean([run[metric][i] for run in runs[method] for i in where]))

        print(f"K={k:<2} ({len(where):>2} topic+stances){mean('ours', 'coverage'):>12.3f} / {mean('base', 'coverage'):.3f}"
              f"{mean('ours', 'grouped'):>15.3f} / {mean('base', 'grouped'):.3f}")


def seeds_table(
    groups: list[TopicStance], labels: dict[tuple[str, str], int], seeds: list[int], per_k: bool = False
) -> int:
    """Both methods at each seed; min / mean per metric, and our margin at the worst seed of each."""
    global BASELINE_SEED
    default = spectral.RANDOM_SEED
    runs: dict[str, list[dict[str, float]]] = {"ours": [], "base": []}
    per_group: dict[str, list[dict[str, list[float]]]] = {"ours": [], "base": []}
    for seed in seeds:
        spectral.RANDOM_SEED = BASELINE_SEED = seed
        per_group["ours"].append({})
        per_group["base"].append({})
        runs["ours"].append(evaluate(groups, labels, ours, text_similarity, per_group["ours"][-1]))
        runs["base"].append(evaluate(groups, labels, baseline, sklearn_similarity, per_group["base"][-1]))
    spectral.RANDOM_SEED, BASELINE_SEED = default, 0
    print(f"seeds {seeds}")
    print(f"{'metric':<14}{'spacebrief min/mean':>22}{'tfidf+kmeans min/mean':>24}{'margin (min-min)':>18}")
    for name in ("coverage", "purity", "grouped", "duplication"):
        ours_values = [run[name] for run in runs["ours"]]
        base_values = [run[name] for run in runs["base"]]
        print(f"{name:<14}{min(ours_values):>11.3f} / {sum(ours_values) / len(seeds):.3f}"
              f"{min(base_values):>13.3f} / {sum(base_values) / len(seeds):.3f}"
              f"{min(ours_values) - min(base_values):>+18.3f}")
    if per_k:
        by_key_points(groups, per_group)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="clustering seeds (ours: spectral.RANDOM_SEED; baseline: k-means random_state); min / mean")
    parser.add_argument("--half", choices=("a", "b"), default=None,
                        help="every other topic of the sorted list (a: 1st, 3rd, ...; b: 2nd, 4th, ...), both stances")
    parser.add_argument("--by-k", action="store_true", help="coverage and grouped per number of gold key points")
    parser.add_argument("--diagnose", choices=("tailored", "merge-oracle"), default=None,
                        help="measure a structure spacebrief cannot use (knows K / the gold labels); see the docstring")
    args = parser.parse_args(argv)
    global DIAGNOSIS
    DIAGNOSIS = args.diagnose
    if not (args.data / f"arguments_{args.split}.csv").is_file():
        print(f"ArgKP data not found in {args.data}; nothing to measure", file=sys.stderr)
        return 2
    for assignment in args.set:
        name, _, value = assignment.partition("=")
        # A constant imported by name into another module (pipeline's FIRST_RANKED) is set in both.
        modules = [m for m in (pipeline, grouping, claims, spectral, vectors) if hasattr(m, name)]
        if not modules:
            parser.error(f"no tuning constant {name} in summarizer.debate")
        for module in modules:
            setattr(module, name, type(getattr(module, name))(value))
    groups, labels = load(args.data, args.split)
    if args.half:
        topics = sorted({group.topic for group in groups})
        chosen = set(topics[0 if args.half == "a" else 1 :: 2])
        groups = [group for group in groups if group.topic in chosen]
    n_args = sum(len(group.arg_ids) for group in groups)
    half = f" half {args.half}" if args.half else ""
    print(f"ArgKP {args.split}{half}: {len(groups)} topic+stance groups, {n_args} arguments"
          + (f" (diagnosis: {args.diagnose})" if args.diagnose else ""))
    if args.seeds:
        return seeds_table(groups, labels, args.seeds, per_k=args.by_k)
    ours_groups: dict[str, list[float]] = {}
    base_groups: dict[str, list[float]] = {}
    ours_result = evaluate(groups, labels, ours, text_similarity, ours_groups)
    base_result = evaluate(groups, labels, baseline, sklearn_similarity, base_groups)
    print(f"{'metric':<14}{'spacebrief':>12}{'tfidf+kmeans':>14}{'ratio':>8}")
    for name in ("coverage", "purity", "grouped", "duplication", "mAP strict", "mAP relaxed", "seconds"):
        ratio = ours_result[name] / base_result[name] if base_result[name] else float("nan")
        print(f"{name:<14}{ours_result[name]:>12.3f}{base_result[name]:>14.3f}{ratio:>8.2f}")
    print("per topic+stance, spacebrief vs baseline:")
    for name in ("coverage", "purity", "grouped"):
        pairs = list(zip(ours_groups[name], base_groups[name], strict=True))
        wins = sum(o > b + 1e-9 for o, b in pairs)
        losses = sum(o < b - 1e-9 for o, b in pairs)
        print(f"  {name:<10} {wins} wins, {losses} losses, {len(pairs) - wins - losses} ties")
    if args.by_k:
        by_key_points(groups, {"ours": [ours_groups], "base": [base_groups]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
