"""Debate condensation speed on synthetic space-debate threads, and how it grows with thread size.

Comments are generated from templates with a fixed seed: a few dozen points about crewed Mars and Moon
missions, launch costs, depots, Starship, SLS, each in several phrasings with varying fillers; about a
fifth of comments are noise ("+1", greetings, links); some are multi-sentence or quote a parent; the
authors follow a long-tailed distribution (a few people post a lot). Each size is timed as the best of
`--repeat` runs of `condense(comments)` in this process, and the growth ratios are printed:
the contract is 2,000 comments in under 2 s, and 10x the comments in under 15x the time.

The comment caps (`MAX_COMMENTS`, `MAX_TOTAL_CHARS`) are lifted for the growth measurement, so that
20,000 comments are really condensed. `--bounds` instead measures the capped path on 14 MB of comments
through the command line, as a user runs it: wall time and peak memory of the process
(`spacebrief debate FILE`, JSON and plain text), against the contract of under 10 s and 500 MB.

Usage: .venv/bin/python bench/debate_speed.py [--sizes 200 2000 20000] [--repeat 3] [--bounds]
"""

from __future__ import annotations

import argparse
import random
import time

from summarizer.debate import bounds, condense

SUBJECTS = ["Mars", "the Moon", "Venus", "Europa", "Titan", "the asteroid belt", "Ceres", "Phobos"]
VEHICLES = ["Starship", "SLS", "New Glenn", "Falcon Heavy", "Ariane 6", "Long March 9", "Neutron"]
POINTS = [
    "A base on {s} would be far cheaper to supply if propellant depots existed in orbit.",
    "Sending humans to {s} before we test closed-loop life support is reckless.",
    "{v} will only be cheap if the booster is reused dozens of times without refurbishment.",
    "Radiation on the way to {s} is the problem nobody has solved, not the rocket.",
    "Robotic missions to {s} return more science per dollar than crewed ones.",
    "The cost per kilogram to orbit on {v} decides whether any of this happens.",
    "In-situ resource utilisation on {s} is the only way a colony pays for itself.",
    "Planetary protection rules make sample return from {s} slower than it needs to be.",
    "A crewed flyby of {s} is a stunt unless it prepares a landing.",
    "{v} has slipped so many times that its schedule means nothing.",
    "Nuclear thermal propulsion would cut the trip to {s} by months.",
    "Commercial stations will replace the ISS only if NASA stays an anchor customer.",
    "Space debris in low orbit will ground launches long before we reach {s}.",
    "The heat shield of {v} has to survive reentry at interplanetary speeds.",
    "International partners will leave if the program keeps changing its goals for {s}.",
    "Lunar water ice can be split into oxygen and hydrogen for rocket fuel.",
]
PHRASINGS = [
    "{p}",
    "Honestly, {pl}",
    "I keep saying it: {pl}",
    "{p} That's the whole debate in one line.",
    "Look, {pl} Everything else is noise.",
    "My view: {pl}",
]
NOISE = ["+1", "lol", "This.", "Great thread, thanks!", "🚀🚀🚀", "https://example.com/launch-schedule",
         "Hi all, first time posting here.", "Agreed.", "Same here", "Following.", "Nice."]
OFF_TOPIC = [
    "Did anyone catch the launch stream last night, the camera views were incredible.",
    "I watched it from the beach with my kids and the sonic booms were loud.",
    "Which telescope would you recommend for a beginner on a budget?",
    "The livestream audio kept cutting out for me around max-q.",
    "We drove four hours to see the launch and it was scrubbed for weather.",
]


CLAUSES = [
    "as the {year} review showed", "and the {n} test firings back it up", "whatever {name} says",
    "if you read the {year} budget request", "according to the GAO report from {year}",
    "judging by the {n} days of testing", "and that was true in {year} too", "based on the {n} flights so far",
    "unless the budget grows by {n} percent", "which {name} pointed out in {year}", "at least until {year}",
    "for roughly {n} billion dollars", "as {name} argued back in {year}", "which was obvious by {year}",
    "after {n} years of following this",
]
NAMES = ["Zubrin", "Musk", "Bridenstine", "Nelson", "Isaacman", "Sagan", "von Braun", "Korolev"]


def vary(sentence: str, rng: random.Random) -> str:
    """Real people rarely repeat each other word for word: add a clause and small changes."""
    clause = rng.choice(CLAUSES).format(year=rng.randint(1960, 2040), n=rng.randint(2, 999), name=rng.choice(NAMES))
    return f"{sentence[:-1]}, {clause}."


def lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


def synthetic_thread(count: int, seed: int = 2026) -> list[dict[str, str]]:
    return labelled_thread(count, seed)[0]


def labelled_thread(count: int, seed: int = 2026) -> tuple[list[dict[str, str]], dict[str, set[int]]]:
    """The synthetic thread, and for each comment id the points (indexes into POINTS) it makes."""
    rng = random.Random(seed)
    points_of: dict[str, set[int]] = {}
    people = [f"user{i}" for i in range(max(3, count // 3))]
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(people))]
    comments: list[dict[str, str]] = []
    for index in range(count):
        roll = rng.random()
        if roll < 0.2:
            text = rng.choice(NOISE)
        elif roll < 0.3:
            text = vary(rng.choice(OFF_TOPIC), rng)
        else:
            pieces = []
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                point_index = rng.randrange(len(POINTS))
                points_of.setdefault(f"m{index}", set()).add(point_index)
                point = vary(POINTS[point_index].format(s=rng.choice(SUBJECTS), v=rng.choice(VEHICLES)), rng)
                pieces.append(rng.choice(PHRASINGS).format(p=point, pl=lower_first(point)))
            text = " ".join(pieces)
        comment = {"id": f"m{index}", "author": rng.choices(people, weights)[0], "text": text}
        if comments and rng.random() < 0.3:
            parent = rng.choice(comments[-50:])
            comment["reply_to"] = parent["id"]
            if rng.random() < 0.3:
                comment["text"] = f"> {parent['text']}\n{text}"
        comments.append(comment)
    return comments, points_of


def honesty(count: int, seed: int = 2026) -> tuple[float, int, int]:
    """How honest support is on a labelled synthetic thread: over all output arguments, the share of
    supporting comments that make the argument's majority point (pooled), the number of arguments, and
    how many arguments have a majority point that another argument already has (duplicates)."""
    comments, points_of = labelled_thread(count, seed)
    making = total = duplicates = 0
    majorities: set[int] = set()
    arguments = condense(comments)
    for argument in arguments:
        votes: dict[int, int] = {}
        for comment_id in argument.comment_ids:
            for point in points_of.get(comment_id, ()):
                votes[point] = votes.get(point, 0) + 1
        total += len(argument.comment_ids)
        if not votes:
            continue
        majority = min(votes, key=lambda point: (-votes[point], point))
        making += votes[majority]
        duplicates += majority in majorities
        majorities.add(majority)
    return (making / total if total else 0.0), len(arguments), duplicates


def kept_sentences(comments: list[dict[str, str]]) -> int:
    """Sentences that survive cleaning, noise and spam filtering (diagnostic: the real workload)."""
    from summarizer.debate.inputs import coerce_comment as _coerce_comment
    from summarizer.debate.pipeline import _prepare

    return len(_prepare([_coerce_comment(c, i) for i, c in enumerate(comments, 1)]).sentence_texts)


def best_time(comments: list[dict[str, str]], repeat: int) -> tuple[float, int]:
    best = float("inf")
    found = 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = len(condense(comments))
        best = min(best, time.perf_counter() - started)
    return best, found


def measure_bounds(megabytes: float = 14.0) -> None:
    """14 MB of comments through `spacebrief debate`, JSON and plain text: seconds and peak memory."""
    import json
    import os
    import resource
    import subprocess
    import sys
    import tempfile

    comments: list[dict[str, str]] = []
    size = 0
    seed = 0
    while size < megabytes * 1_000_000:
        for comment in synthetic_thread(2000, seed=seed):
            comment["id"] = f"{seed}-{comment['id']}"
            if "reply_to" in comment:
                comment["reply_to"] = f"{seed}-{comment['reply_to']}"
            comments.append(comment)
            size += len(comment["text"]) + 60
        seed += 1
    with tempfile.TemporaryDirectory() as folder:
        as_json = os.path.join(folder, "thread.json")
        as_text = os.path.join(folder, "thread.txt")
        with open(as_json, "w", encoding="utf-8") as handle:
            json.dump(comments, handle)
        with open(as_text, "w", encoding="utf-8") as handle:
            handle.write("\n\n".join(f"{c['author']}:\n{c['text']}" for c in comments))
        for path in (as_json, as_text):
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "bot", "debate", path], capture_output=True, check=False)
            seconds = time.perf_counter() - started
            peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
            note = next((line for line in result.stdout.decode().splitlines() if line.startswith("Note:")), "")
            print(f"{os.path.basename(path)}: {os.path.getsize(path) / 1e6:.1f} MB, {len(comments):,} comments, "
                  f"exit {result.returncode}, {seconds:.2f} s, peak {peak_mb:.0f} MB; {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bounds", action="store_true", help="14 MB through the CLI: time and peak memory")
    args = parser.parse_args(argv)
    if args.bounds:
        measure_bounds()
        return 0
    bounds.MAX_COMMENTS = bounds.MAX_TOTAL_CHARS = 10**9  # measure growth, not the caps
    condense(synthetic_thread(50, seed=1))  # warm caches (stemmer, stop words, regexes) outside the timing
    print(f"{'comments':>9}{'sentences':>10}{'seconds':>10}{'arguments':>11}{'x time vs previous':>20}{'x comments':>12}")
    previous: tuple[int, float] | None = None
    for size in args.sizes:
        comments = synthetic_thread(size)
        seconds, found = best_time(comments, args.repeat if size <= 2000 else 1)
        growth = f"{seconds / previous[1]:.2f}" if previous else "-"
        scale = f"{size / previous[0]:.0f}" if previous else "-"
        print(f"{size:>9}{kept_sentences(comments):>10}{seconds:>10.3f}{found:>11}{growth:>20}{scale:>12}")
        previous = (size, seconds)
    print("\nhonest support: share of an argument's comments that make its majority point (pooled)")
    for size in args.sizes:
        share, found, duplicates = honesty(size)
        print(f"{size:>9} comments: {share:.2f} over {found} arguments, {duplicates} repeating a point")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
