"""Summary quality benchmark: ROUGE of every algorithm against the news dev set, all in one run.

    .venv/bin/python bench/summary_quality.py [--limit N] [--data DIR] [--sentences N] [--repeat R]
                                               [--half first|second]

Reads DIR/news_summaries/bbc_dev.jsonl ({"id", "title", "text", "reference": [sentences]}; DIR defaults
to ../shared/data next to the repository). Every method gets the same input (the headline as a first
line, then the article) through `summarize(...)`, the same sentence budget (3 by default: LEAD-3 is the
first 3 sentences), and is timed end to end (splitting, ranking; quotes off for all) on the same
articles, interleaved per article so machine noise hits all methods alike, after one untimed warm-up
pass (the stem memo and imports warm, as in a running bot); each timing is the best of --repeat runs. Prints ROUGE-1/2/L F1
(rouge-score, Porter stemming), milliseconds per article, and the default's ratios to LEAD-3 and LexRank.
The data is research-only: it is read in place, never copied.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from summarizer.algorithms import ALGORITHM_NAMES, DEFAULT_ALGORITHM  # noqa: E402
from summarizer.summary import summarize  # noqa: E402

DATA_FILE = Path("news_summaries") / "bbc_dev.jsonl"
METRICS = ("rouge1", "rouge2", "rougeL")
# Baseline first, the sumy algorithms, ours last.
METHODS = ("lead3", *(name for name in ALGORITHM_NAMES if name not in ("lead3", DEFAULT_ALGORITHM)),
           DEFAULT_ALGORITHM)


def load_articles(path: Path, limit: int | None, half: str | None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if half == "first":
        rows = rows[: len(rows) // 2]
    elif half == "second":
        rows = rows[len(rows) // 2 :]
    return rows[:limit] if limit else rows


def run(articles: list[dict[str, Any]], budget: int, repeat: int = 3) -> dict[str, dict[str, float]]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    scores: dict[str, dict[str, list[float]]] = {m: {k: [] for k in (*METRICS, "ms")} for m in METHODS}
    # Untimed warm-up pass: imports, compiled patterns and the per-language stem memo are filled the
    # way they are in a running bot, so no method pays for them on behalf of the others.
    for article in articles:
        summarize(f"{article['title']}\n\n{article['text']}", algorithm=DEFAULT_ALGORITHM, max_quotes=0)
    for article in articles:
        source = f"{article['title']}\n\n{article['text']}"
        reference = "\n".join(article["reference"])
        for method in METHODS:
            # Best of `repeat` runs (timeit's rule): other processes only ever add time.
            elapsed = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                result = summarize(source, sentences=budget, algorithm=method, max_quotes=0)
                elapsed = min(elapsed, (time.perf_counter() - started) * 1000.0)
            rouge = scorer.score(reference, "\n".join(result.summary))
            for metric in METRICS:
                scores[method][metric].append(rouge[metric].fmeasure)
            scores[method]["ms"].append(elapsed)
    return {m: {k: statistics.fmean(v) for k, v in per.items()} for m, per in scores.items()}


def report(results: dict[str, dict[str, float]], budget: int, count: int, repeat: int) -> str:
    lines = [
        f"Budget: {budget} sentences per summary; {count} articles; time = mean over articles of the "
        f"best of {repeat} runs of summarize() (quotes off).",
        "",
        "| method | ROUGE-1 F1 | ROUGE-2 F1 | ROUGE-L F1 | ms/article |",
        "|---|---|---|---|---|",
    ]
    for method in METHODS:
        row = results[method]
        label = f"**{method}** (default)" if method == DEFAULT_ALGORITHM else method
        lines.append(f"| {label} | {row['rouge1']:.4f} | {row['rouge2']:.4f} | {row['rougeL']:.4f} "
                     f"| {row['ms']:.2f} |")
    ours, lead, lexrank = results[DEFAULT_ALGORITHM], results["lead3"], results["lexrank"]
    lines.append("")
    for metric, label in zip(METRICS, ("ROUGE-1", "ROUGE-2", "ROUGE-L"), strict=True):
        lines.append(f"{DEFAULT_ALGORITHM}/lead3 {label}: {ours[metric] / lead[metric]:.3f}   "
                     f"{DEFAULT_ALGORITHM}/lexrank {label}: {ours[metric] / lexrank[metric]:.3f}")
    lines.append(f"speed: lexrank ms / {DEFAULT_ALGORITHM} ms = {lexrank['ms'] / ours['ms']:.2f}x   "
                 f"lead3 ms / {DEFAULT_ALGORITHM} ms = {lead['ms'] / ours['ms']:.2f}x")
    best_sumy = max((m for m in METHODS if m not in ("lead3", DEFAULT_ALGORITHM)),
                    key=lambda m: results[m]["rouge1"])
    lines.append(f"best sumy algorithm on ROUGE-1: {best_sumy} ({results[best_sumy]['rouge1']:.4f})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data",
                        help="data directory holding news_summaries/bbc_dev.jsonl")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--sentences", type=int, default=3, help="sentence budget for every method")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per article and method (best kept)")
    parser.add_argument("--half", choices=("first", "second"), default=None,
                        help="only the first or second half of the file (tune on one, verify on the other)")
    args = parser.parse_args(argv)
    path = args.data / DATA_FILE
    if not path.is_file():
        print(f"summary_quality: no data at {path} (pass --data DIR holding {DATA_FILE})", file=sys.stderr)
        return 2
    if (args.limit is not None and args.limit < 1) or args.sentences < 1 or args.repeat < 1:
        print("summary_quality: --limit, --sentences and --repeat must be at least 1", file=sys.stderr)
        return 2
    articles = load_articles(path, args.limit, args.half)
    if not articles:
        print(f"summary_quality: no articles in {path}", file=sys.stderr)
        return 2
    results = run(articles, args.sentences, args.repeat)
    print(report(results, args.sentences, len(articles), args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
