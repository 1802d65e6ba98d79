"""Summary quality benchmark: ROUGE of every algorithm on both news dev sets, all in one run.

    .venv/bin/python bench/summary_quality.py [--set bbc_dev|human_dev|both] [--half first|second]
        [--methods news,lead3,lexrank] [--limit N] [--data DIR] [--sentences N] [--repeat R]

Sets (DIR/news_summaries/, DIR defaults to ../shared/data next to the repository; research data, read
in place, never copied):
- bbc_dev: 500 BBC articles whose references are machine-picked extracts (~40% of each article);
- human_dev: 508 articles whose references people wrote (subsets summeval, newsroom, writers,
  inshorts; `all_references` where an article has several).
Halves (tune on one, check on the other): bbc_dev's first/last 250 articles; human_dev's first/last
half of each source subset, so both halves hold every kind of reference.

Every method gets the same input (the headline as a first line when the set has one, a blank line,
then the article) through `summarize(...)`, the same sentence budget (3 by default: LEAD-3 is the
first 3 sentences) and the same splitting, and is timed end to end (quotes off for all) on the same
articles, interleaved per article so machine noise hits all methods alike, after one untimed warm-up
pass (imports and the stem memo warm, as in a running bot); each timing is the best of --repeat runs.

ROUGE-1/2/L F1 (rouge-score 0.1.2, Porter stemming; summary and reference sentences joined by
newlines). Multi-reference: an article with several references scores the **mean** over its
references (the crowd summaries of one article vary a lot; the max would reward the method that
happens to match one writer). Prints one table per set, per source subset, the default's ratio to
LEAD-3 and LexRank, and milliseconds per article.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from summarizer.algorithms import ALGORITHM_NAMES, DEFAULT_ALGORITHM  # noqa: E402
from summarizer.summary import summarize  # noqa: E402

SETS = ("bbc_dev", "human_dev")
METRICS = ("rouge1", "rouge2", "rougeL")
LABELS = ("ROUGE-1", "ROUGE-2", "ROUGE-L")
# Our rankers besides the default (not sumy's, so not in "best sumy algorithm").
OURS = ("central", DEFAULT_ALGORITHM)
# Baseline first, the sumy algorithms, ours last.
METHODS = ("lead3", *(name for name in ALGORITHM_NAMES if name not in ("lead3", *OURS)), *OURS)
# Per-article comparison: how often the default beats each of these by more than WIN_MARGIN ROUGE-1.
HEAD_TO_HEAD = ("lead3", "lexrank", "central")
WIN_MARGIN = 0.01

Scores = dict[str, dict[str, float]]


def half_of(rows: list[dict[str, Any]], half: str | None) -> list[dict[str, Any]]:
    """The first or second half of every source subset, in file order (all rows when half is None)."""
    if half is None:
        return rows
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_source[row.get("source", "")].append(row)
    keep: set[int] = set()
    for group in by_source.values():
        cut = len(group) // 2
        chosen = group[:cut] if half == "first" else group[cut:]
        keep.update(id(row) for row in chosen)
    return [row for row in rows if id(row) in keep]


def load_articles(path: Path, limit: int | None, half: str | None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = half_of(rows, half)
    return rows[:limit] if limit else rows


def source_text(article: dict[str, Any]) -> str:
    title = article.get("title")
    return f"{title}\n\n{article['text']}" if title else article["text"]


def references(article: dict[str, Any]) -> list[str]:
    many = article.get("all_references") or [article["reference"]]
    return ["\n".join(reference) for reference in many if reference]


def run(articles: list[dict[str, Any]], methods: tuple[str, ...], budget: int, repeat: int
        ) -> dict[str, Scores]:
    """{subset ("all" and each source): {method: {metric or "ms": mean}}}."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    rows: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(
        lambda: {m: {k: [] for k in (*METRICS, "ms")} for m in methods})
    # Untimed warm-up pass: imports, compiled patterns and the per-language stem memo are filled the
    # way they are in a running bot, so no method pays for them on behalf of the others.
    for article in articles:
        summarize(source_text(article), algorithm=DEFAULT_ALGORITHM, max_quotes=0)
    for article in articles:
        source = source_text(article)
        refs = references(article)
        for method in methods:
            # Best of `repeat` runs (timeit's rule): other processes only ever add time.
            elapsed = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                result = summarize(source, sentences=budget, algorithm=method, max_quotes=0)
                elapsed = min(elapsed, (time.perf_counter() - started) * 1000.0)
            candidate = "\n".join(result.summary)
            per_ref = [scorer.score(reference, candidate) for reference in refs]
            subsets = ["all", article["source"]] if article.get("source") else ["all"]
            for subset in subsets:
                target = rows[subset][method]
                for metric in METRICS:
                    target[metric].append(statistics.fmean(score[metric].fmeasure for score in per_ref))
                target["ms"].append(elapsed)
    # Per-article ROUGE-1 lists, in article order, for the head-to-head counts ("ms" is dropped).
    head = {subset: {m: per[m]["rouge1"] for m in methods} for subset, per in rows.items()}
    wins = {subset: {other: _head_to_head(by_method[DEFAULT_ALGORITHM], by_method[other])
                     for other in HEAD_TO_HEAD if other in by_method and DEFAULT_ALGORITHM in by_method}
            for subset, by_method in head.items()}
    means = {subset: {m: {k: statistics.fmean(v) for k, v in per.items()} for m, per in by_method.items()}
             for subset, by_method in rows.items()}
    for subset, counts in wins.items():
        for other, (better, worse, level) in counts.items():
            means[subset][DEFAULT_ALGORITHM][f"vs {other}"] = better
            means[subset][DEFAULT_ALGORITHM][f"lost to {other}"] = worse
            means[subset][DEFAULT_ALGORITHM][f"level with {other}"] = level
    return means


def _head_to_head(ours: list[float], other: list[float]) -> tuple[int, int, int]:
    """(articles where ours is ahead by more than WIN_MARGIN, behind by more, within it)."""
    better = sum(a - b > WIN_MARGIN for a, b in zip(ours, other, strict=True))
    worse = sum(b - a > WIN_MARGIN for a, b in zip(ours, other, strict=True))
    return better, worse, len(ours) - better - worse


def table(results: Scores, methods: tuple[str, ...]) -> list[str]:
    lines = ["| method | ROUGE-1 F1 | ROUGE-2 F1 | ROUGE-L F1 | ms/article |", "|---|---|---|---|---|"]
    for method in methods:
        row = results[method]
        label = f"**{method}** (default)" if method == DEFAULT_ALGORITHM else method
        lines.append(f"| {label} | {row['rouge1']:.4f} | {row['rouge2']:.4f} | {row['rougeL']:.4f} "
                     f"| {row['ms']:.2f} |")
    return lines


def ratios(results: Scores, methods: tuple[str, ...]) -> list[str]:
    lines: list[str] = []
    ours = results.get(DEFAULT_ALGORITHM)
    if ours is None:
        return lines
    for baseline in ("lead3", "lexrank"):
        if baseline in results:
            other = results[baseline]
            lines.append(f"{DEFAULT_ALGORITHM}/{baseline}: " + "   ".join(
                f"{label} {ours[metric] / other[metric]:.3f}"
                for metric, label in zip(METRICS, LABELS, strict=True)))
    sumy = [m for m in methods if m not in ("lead3", *OURS)]
    if sumy:
        best = max(sumy, key=lambda m: results[m]["rouge1"])
        lines.append(f"best sumy algorithm on ROUGE-1: {best} ({results[best]['rouge1']:.4f}); "
                     f"{DEFAULT_ALGORITHM} {ours['rouge1']:.4f}")
    if "lexrank" in results:
        lines.append(f"speed: lexrank ms / {DEFAULT_ALGORITHM} ms = {results['lexrank']['ms'] / ours['ms']:.2f}x")
    for rival in HEAD_TO_HEAD:
        if f"vs {rival}" in ours:
            lines.append(f"per article, ROUGE-1 margin {WIN_MARGIN}: {DEFAULT_ALGORITHM} ahead of {rival} in "
                         f"{int(ours[f'vs {rival}'])}, behind in {int(ours[f'lost to {rival}'])}, "
                         f"level in {int(ours[f'level with {rival}'])}")
    return lines


def report(name: str, results: dict[str, Scores], methods: tuple[str, ...], budget: int, count: int,
           repeat: int, half: str | None) -> str:
    scope = f"{half} half, " if half else ""
    lines = [f"## {name}: {scope}{count} articles, budget {budget} sentences; time = mean over articles "
             f"of the best of {repeat} runs of summarize() (quotes off); multi-reference: mean", ""]
    lines += table(results["all"], methods)
    lines += ["", *ratios(results["all"], methods)]
    subsets = sorted(subset for subset in results if subset != "all")
    if len(subsets) > 1:
        for subset in subsets:
            lines += ["", f"### {name} / {subset}", "", *table(results[subset], methods),
                      "", *ratios(results[subset], methods)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data",
                        help="data directory holding news_summaries/{bbc_dev,human_dev}.jsonl")
    parser.add_argument("--set", dest="which", choices=(*SETS, "both"), default="both",
                        help="which dev set to score (default both)")
    parser.add_argument("--methods", default=None,
                        help=f"comma-separated algorithms (default all: {','.join(METHODS)})")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles of each set")
    parser.add_argument("--sentences", type=int, default=3, help="sentence budget for every method")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per article and method (best kept)")
    parser.add_argument("--half", choices=("first", "second"), default=None,
                        help="only the first or second half (of each source subset): tune on one, check on the other")
    args = parser.parse_args(argv)
    if (args.limit is not None and args.limit < 1) or args.sentences < 1 or args.repeat < 1:
        print("summary_quality: --limit, --sentences and --repeat must be at least 1", file=sys.stderr)
        return 2
    methods = METHODS
    if args.methods:
        wanted = [name.strip() for name in args.methods.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in METHODS]
        if unknown or not wanted:
            print(f"summary_quality: unknown method(s) {', '.join(unknown) or '(none)'}; "
                  f"choose from {', '.join(METHODS)}", file=sys.stderr)
            return 2
        methods = tuple(name for name in METHODS if name in wanted)
    names = SETS if args.which == "both" else (args.which,)
    outputs = []
    for name in names:
        path = args.data / "news_summaries" / f"{name}.jsonl"
        if not path.is_file():
            print(f"summary_quality: no data at {path} (pass --data DIR holding news_summaries/{name}.jsonl)",
                  file=sys.stderr)
            return 2
        articles = load_articles(path, args.limit, args.half)
        if not articles:
            print(f"summary_quality: no articles in {path}", file=sys.stderr)
            return 2
        results = run(articles, methods, args.sentences, args.repeat)
        outputs.append(report(name, results, methods, args.sentences, len(articles), args.repeat, args.half))
        print(outputs[-1], flush=True)
        print(flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
