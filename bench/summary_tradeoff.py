"""Why no one ranker meets issue 8 on both dev sets: the lead against the article's centre, per article.

    .venv/bin/python bench/summary_tradeoff.py [--half first|second] [--limit N] [--data DIR]

For every article of bbc_dev and human_dev (same input and ROUGE as bench/summary_quality.py), it
scores LEAD-3, LexRank, `news` (the lead after hygiene), `central` (centrality + coverage over the
whole article) and the blends between them: the lead sentence, then coverage picks from the first
P candidate sentences (P = 4, 5, 6, 8). It prints
1. each method's ROUGE-1/2/L per set, and the two issue-8 margins side by side: human_dev minus
   LEAD-3 and bbc_dev minus LexRank (both must be >= 0 on all three measures);
2. per article, whether `news` or `central` is ahead by more than 0.01 ROUGE-1;
3. the medians of article features (sentences, words, mean sentence length, the first sentence's
   centrality) among the articles each one wins, set by set: if some feature told the two kinds of
   article apart inside a set, a router on it could serve both; these show whether one does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from summary_quality import SETS, load_articles, references, source_text  # noqa: E402

from summarizer.algorithms import central, get_algorithm  # noqa: E402
from summarizer.algorithms.document import Document, candidates_of  # noqa: E402
from summarizer.summary import summarize_document  # noqa: E402

BUDGET = 3
POOLS = (4, 5, 6, 8)
MARGIN = 0.01
METRICS = ("rouge1", "rouge2", "rougeL")


def picks(document: Document) -> dict[str, list[int]]:
    """Every method's sentence indices for one article."""
    out = {name: get_algorithm(name)[1](document, BUDGET) for name in ("lead3", "lexrank", "news", "central")}
    candidates = candidates_of(document, BUDGET)
    for pool in POOLS:
        if len(candidates) <= BUDGET:
            out[f"lead 1 + cover first {pool}"] = sorted(candidates)
        else:
            out[f"lead 1 + cover first {pool}"] = central.cover(
                document, BUDGET, candidates[1:pool], chosen=(candidates[0],))
    return out


def features(document: Document) -> dict[str, float]:
    terms = [Counter(sentence_terms) for sentence_terms in document.terms]
    scores = central.centrality(terms)
    candidates = candidates_of(document, BUDGET)
    words = [len(sentence.split()) for sentence in document.sentences]
    return {
        "sentences": len(document.sentences),
        "words": sum(words),
        "words per sentence": statistics.fmean(words) if words else 0.0,
        "first sentence centrality": scores[candidates[0]] if candidates else 0.0,
    }


def run(articles: list[dict[str, Any]]) -> tuple[dict[str, dict[str, float]], list[tuple[float, float, dict[str, float]]]]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    totals: dict[str, dict[str, list[float]]] = defaultdict(lambda: {m: [] for m in METRICS})
    per_article: list[tuple[float, float, dict[str, float]]] = []
    for article in articles:
        document = summarize_document(source_text(article))
        refs = references(article)
        rouge1: dict[str, float] = {}
        for method, indices in picks(document).items():
            candidate = "\n".join(document.sentences[index] for index in sorted(indices))
            scores = [scorer.score(reference, candidate) for reference in refs]
            for metric in METRICS:
                totals[method][metric].append(statistics.fmean(s[metric].fmeasure for s in scores))
            rouge1[method] = totals[method]["rouge1"][-1]
        per_article.append((rouge1["news"], rouge1["central"], features(document)))
    means = {method: {m: statistics.fmean(v) for m, v in by_metric.items()} for method, by_metric in totals.items()}
    return means, per_article


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--half", choices=("first", "second"), default=None)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    results = {}
    for name in SETS:
        path = args.data / "news_summaries" / f"{name}.jsonl"
        if not path.is_file():
            print(f"summary_tradeoff: no data at {path} (pass --data DIR)", file=sys.stderr)
            return 2
        results[name] = run(load_articles(path, args.limit, args.half))
    human, bbc = results["human_dev"][0], results["bbc_dev"][0]
    print(f"## Issue 8 margins ({args.half or 'whole'} sets; ROUGE-1 / ROUGE-2 / ROUGE-L)\n")
    print("| method | human_dev | human − LEAD-3 | bbc_dev | bbc − LexRank |")
    print("|---|---|---|---|---|")
    for method in human:
        def fmt(row: dict[str, float]) -> str:
            return " / ".join(f"{row[m]:.4f}" for m in METRICS)

        def diff(row: dict[str, float], base: dict[str, float]) -> str:
            return " / ".join(f"{row[m] - base[m]:+.4f}" for m in METRICS)

        print(f"| {method} | {fmt(human[method])} | {diff(human[method], human['lead3'])} "
              f"| {fmt(bbc[method])} | {diff(bbc[method], bbc['lexrank'])} |")
    for name in SETS:
        per_article = results[name][1]
        news_wins = [f for n, c, f in per_article if n - c > MARGIN]
        central_wins = [f for n, c, f in per_article if c - n > MARGIN]
        print(f"\n## {name}: news ahead in {len(news_wins)} articles, central ahead in {len(central_wins)}, "
              f"level in {len(per_article) - len(news_wins) - len(central_wins)} (ROUGE-1 margin {MARGIN})")
        print("| feature (median) | where news wins | where central wins |")
        print("|---|---|---|")
        for feature in per_article[0][2] if per_article else ():
            left = statistics.median(f[feature] for f in news_wins) if news_wins else float("nan")
            right = statistics.median(f[feature] for f in central_wins) if central_wins else float("nan")
            print(f"| {feature} | {left:.2f} | {right:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
