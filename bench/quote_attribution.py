"""Quote finding and speaker attribution against PolNeAR (direct quotes), plus a speed check.

    .venv/bin/python bench/quote_attribution.py [--data DIR] [--split dev|train|both]
        [--errors N] [--speed-mb MB]

Data: ../shared/data/quotes/polnear_{dev,train}.jsonl (research use only, not in the repo).
Each line: {"text", "quotes": [{"quote", "speaker", "direct", "quote_spans", "speaker_spans", ...}]}.

Scoring (gold = attributions with `direct: true`; spans are [start, end) offsets):
- quote recall: gold direct quotes that at least one of our quotes overlaps;
  quote precision: our quotes that overlap a gold attribution (PolNeAR annotates attributed
  content only, so titles and scare quotes count against us); both also for quotes of 6+ words.
- gold speakers: cut at the first comma or parenthesis. A phrase that starts with a capitalised
  word ("Trump", "Mr. Obama", "NASA") is a name. A he/she/him/his/her/who gold speaker is
  resolved to the nearest preceding gold speaker (of any attribution in the article) that is a
  name, when one is within 1,500 characters and the two nearest such names do not disagree
  while being closer together than the pronoun is to the nearer (else it is ambiguous and
  excluded). Other gold speakers ("a source", "the mayor", "I", "they", "it", none) are
  excluded from speaker scoring; the counts are printed.
- names match by normalised tokens (lower-case, titles such as Mr./President/Sen. and initials
  dropped): equal token sets, or one a subset of the other when the smaller one is
  unambiguous in that article (no two different longer names among the article's gold
  speakers contain it): "Trump" matches "Donald Trump" unless "Eric Trump" also speaks there.
  For the same reason a gold short name shared by two gold speakers ("Clinton" where Bill and
  Hillary Clinton both speak) is excluded from speaker scoring (counted separately).
- speaker precision: our quotes with a speaker that overlap a scored gold quote, whose speaker
  matches that gold quote's; speaker recall: scored gold quotes that an overlapping quote of
  ours attributes to the matching speaker.
- strict (the person, not a shared word): a predicted speaker must also be a part of the gold
  speaker's full name (the longest name of that person among the article's gold speakers and
  capitalised name runs, when there is exactly one) and must fit no other gold speaker of the
  article: "Michelle Obama" for Barack Obama's words is wrong even where the gold says "Obama",
  and so is "Clinton" where Bill and Hillary Clinton both speak. Strict precision and recall use
  this match on the same scored quotes. The old "strict" figure (also counting as wrong every name
  we give where the gold speaker is not a name) is printed as "named on unnamed gold".
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.quotes import MIN_KEY_QUOTE_WORDS, Quote, find_quotes
from summarizer.tokenizer import stop_words_for

STOP_WORDS = stop_words_for("english")

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "quotes"
PRONOUNS = frozenset({"he", "she", "him", "his", "her", "who", "himself", "herself"})
TITLES = frozenset(
    """mr mrs ms miss dr sen rep gov gen lt col sgt capt president vice senator representative
    governor administrator chief director secretary minister chairman chairwoman former
    sir dame lord lady rev prof professor judge justice speaker mayor jr sr ii iii iv""".split()
)
PRONOUN_REACH = 1500
WORD_RE = re.compile(r"\w+(?:['’\-]\w+)*")


def name_tokens(name: str) -> frozenset[str]:
    tokens = []
    for raw in re.findall(r"[^\W\d_][\w'’\-]*\.?", name):
        token = raw.rstrip(".").lower()
        for suffix in ("'s", "’s"):
            if token.endswith(suffix):
                token = token[: -len(suffix)]
        if token and token not in TITLES and not (len(raw) == 2 and raw.endswith(".")) and len(token) > 1:
            tokens.append(token)
    return frozenset(tokens)


def gold_name(speaker: str) -> str | None:
    """The name a gold speaker phrase gives, or None when it is not a name."""
    phrase = re.split(r"[,(]", speaker, maxsplit=1)[0].strip()
    if not phrase or not phrase[0].isupper():
        return None
    first = phrase.split()[0]
    if first in {"The", "A", "An", "He", "She", "I", "We", "They", "It", "His", "Her", "Who", "This"}:
        return None
    if re.search(r"['’]s\s+[a-z]", phrase):  # "Trump's campaign": not the person
        return None
    return phrase if name_tokens(phrase) else None


@dataclass
class Tally:
    articles: int = 0
    gold_direct: int = 0
    gold_found: int = 0
    predicted: int = 0
    predicted_matched: int = 0
    predicted_long: int = 0
    predicted_long_matched: int = 0
    gold_scored: int = 0
    gold_speaker_correct: int = 0
    predicted_speakers_scored: int = 0
    predicted_speakers_correct: int = 0
    predicted_speakers_unscored: int = 0
    gold_speaker_correct_strict: int = 0
    predicted_speakers_correct_strict: int = 0
    predicted_named_on_unnamed_gold: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(a: int, b: int) -> str:
        return f"{a / b:.3f} ({a}/{b})" if b else "n/a"


def overlaps(spans: list[list[int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def is_ambiguous(short: frozenset[str], inventory: set[frozenset[str]]) -> bool:
    """Whether two different people of the article (neither name containing the other) share `short`."""
    supersets = [name for name in inventory if short < name]
    return any(not (a <= b or b <= a) for a in supersets for b in supersets)


def names_match(predicted: str, gold: str, inventory: set[frozenset[str]]) -> bool:
    p, g = name_tokens(predicted), name_tokens(gold)
    if not p or not g:
        return False
    if p == g:
        return True
    if not (p <= g or g <= p):
        return False
    return not is_ambiguous(p if len(p) < len(g) else g, inventory)


# Capitalised runs of two to four words: the full names an article gives ("Barack Obama").
NAME_RUN_RE = re.compile(r"\b[A-Z][\w'’\-]*[a-z][\w'’\-]*(?:[ \u00a0]+(?:[A-Z]\.[ \u00a0]+)?[A-Z][\w'’\-]*[a-z][\w'’\-]*){1,3}")
NOT_PERSON_WORDS = frozenset(
    """administration campaign house department party foundation university center centre committee
    senate congress news times post street school county state states city group inc corp company
    court church hall airport station club league association council agency bank""".split()
)


def text_names(text: str) -> Counter[tuple[str, ...]]:
    """How often each person-like name run occurs in the article, as ordered tokens (titles dropped)."""
    names: Counter[tuple[str, ...]] = Counter()
    for run in NAME_RUN_RE.findall(text):
        flat = tuple(next(iter(t)) for t in (name_tokens(word) for word in run.split()) if t)
        while flat and (flat[0] in OPENER_WORDS or flat[0] in STOP_WORDS or flat[0] in NOT_PERSON_WORDS):  # "But Devine said": the sentence's first word
            flat = flat[1:]
        if len(flat) >= 2 and not set(flat) & NOT_PERSON_WORDS:
            names[flat] += 1
    return names


OPENER_WORDS = frozenset(
    """but and the a an when if as in on at while after before then so yet or for with by from to of
    that this these those he she it they we you his her their our its said says asked told
    meanwhile however also still now later earlier today yesterday last next during since""".split()
)
CONNECTORS = frozenset("de da del della der den van von bin ibn al el la le di du dos das".split())


def ordered_name(phrase: str) -> tuple[str, ...]:
    """A name's words in order, titles and lower-case words (but connectors) dropped:
    "McConnell aides" -> ("mcconnell",), "Mayor Bill de Blasio" -> ("bill", "de", "blasio")."""
    words = (word for word in phrase.split() if word[:1].isupper() or word in CONNECTORS)
    return tuple(next(iter(tokens)) for tokens in (name_tokens(word) for word in words) if tokens)


def person_tokens(phrase: str) -> frozenset[str]:
    return frozenset(ordered_name(phrase))


def candidates_for(gold: frozenset[str], people: set[tuple[str, ...]],
                   names: Counter[tuple[str, ...]]) -> tuple[frozenset[str], set[frozenset[str]]]:
    """(the gold speaker's full name, the other people the article names who share a word of it).

    The full name is the one fullest gold speaker name containing `gold`, else the one fullest
    name run of the text ending in one of its words ("Donald Trump" for "Trump"), else, when
    several, the most frequent if it is at least twice as frequent as the next; else `gold`."""
    # Only names whose last word is one of the gold name's: "Sanders spokesman Michael Briggs" is
    # not a fuller name of Sanders.
    runs = Counter({frozenset(run): count for run, count in names.items() if run[-1] in gold})
    heads = {frozenset(name) for name in people if name[-1] in gold}
    person = gold
    for pool in ({name for name in heads if gold < name}, {name for name in runs if gold < name}):
        maximal = [name for name in pool if not any(name < other for other in pool)]
        if len(maximal) == 1:
            person = maximal[0]
            break
        if len(maximal) > 1 and all(name in runs for name in maximal):
            ranked = sorted(maximal, key=lambda name: -runs[name])
            if runs[ranked[0]] >= 2 * runs[ranked[1]]:
                person = ranked[0]
                break
    floor = max(runs.get(person, 1), 1) / 2
    others = {name for name in heads | {n for n in runs if runs[n] >= floor}
              if not (name <= person or person <= name)}
    return person, others


def names_match_strict(predicted: str, gold: str, people: set[tuple[str, ...]],
                       names: Counter[tuple[str, ...]]) -> bool:
    """The predicted speaker is the gold speaker's person: part of their full name, and no other's."""
    p, g = name_tokens(predicted), person_tokens(gold) or name_tokens(gold)
    if not p or not g or not (p <= g or g <= p):
        return False
    person, others = candidates_for(g, people, names)
    if not p <= person:
        return False  # "Michelle Obama" for the Obama whose words these are
    return not any(p <= other for other in others)


def gold_people(article: dict) -> set[tuple[str, ...]]:
    """The gold speakers of the article as people (name words only, in order)."""
    names = (gold_name(a["speaker"]) for a in article["quotes"] if a.get("speaker"))
    return {tokens for tokens in (ordered_name(name) for name in names if name) if tokens}


def gold_inventory(article: dict) -> set[frozenset[str]]:
    """The names of every gold speaker in the article (all attributions, not only quotes)."""
    names = (gold_name(a["speaker"]) for a in article["quotes"] if a.get("speaker"))
    return {name_tokens(name) for name in names if name}


def resolve_gold_speakers(article: dict) -> list[tuple[dict, str | None, str]]:
    """(gold direct quote, resolved gold name or None, category) for each direct quote."""
    named_mentions: list[tuple[int, str]] = []
    for attribution in article["quotes"]:
        speaker = attribution.get("speaker")
        if speaker and attribution["speaker_spans"]:
            name = gold_name(speaker)
            if name:
                named_mentions.append((attribution["speaker_spans"][0][0], name))
    named_mentions.sort()
    inventory = gold_inventory(article)
    resolved: list[tuple[dict, str | None, str]] = []
    for attribution in article["quotes"]:
        if not attribution["direct"]:
            continue
        speaker = attribution.get("speaker")
        if not speaker:
            resolved.append((attribution, None, "no gold speaker"))
            continue
        name = gold_name(speaker)
        if name:
            if is_ambiguous(name_tokens(name), inventory):
                # "Clinton" where Bill and Hillary Clinton both speak: no way to check a full name.
                resolved.append((attribution, None, "short name of two gold speakers"))
            else:
                resolved.append((attribution, name, "named"))
            continue
        if speaker.strip().lower() in PRONOUNS and attribution["speaker_spans"]:
            at = attribution["speaker_spans"][0][0]
            before = [(pos, n) for pos, n in named_mentions if pos < at]
            if before and at - before[-1][0] <= PRONOUN_REACH:
                nearest_at, nearest = before[-1]
                if len(before) >= 2:
                    other_at, other = before[-2]
                    if name_tokens(other) != name_tokens(nearest) and nearest_at - other_at < at - nearest_at:
                        resolved.append((attribution, None, "pronoun, ambiguous"))
                        continue
                if is_ambiguous(name_tokens(nearest), inventory):
                    resolved.append((attribution, None, "short name of two gold speakers"))
                else:
                    resolved.append((attribution, nearest, "pronoun, resolved"))
                continue
            resolved.append((attribution, None, "pronoun, unresolved"))
            continue
        resolved.append((attribution, None, "not a name (a source, the mayor, I, they, ...)"))
    return resolved


def score_article(article: dict, quotes: list[Quote], tally: Tally, keep_errors: int) -> None:
    text = article["text"]
    gold = resolve_gold_speakers(article)
    tally.articles += 1
    inventory = gold_inventory(article)
    names = text_names(text)
    people = gold_people(article)
    all_spans = [a["quote_spans"] for a in article["quotes"]]
    for quote in quotes:
        tally.predicted += 1
        hit = any(overlaps(spans, quote.start, quote.end) for spans in all_spans)
        tally.predicted_matched += hit
        if len(WORD_RE.findall(quote.text)) >= MIN_KEY_QUOTE_WORDS:
            tally.predicted_long += 1
            tally.predicted_long_matched += hit
    for attribution, name, category in gold:
        tally.gold_direct += 1
        ours = [q for q in quotes if overlaps(attribution["quote_spans"], q.start, q.end)]
        tally.gold_found += bool(ours)
        if name is None:
            tally.excluded[category] += 1
            continue
        tally.gold_scored += 1
        if any(q.speaker and names_match_strict(q.speaker, name, people, names) for q in ours):
            tally.gold_speaker_correct_strict += 1
        if any(q.speaker and names_match(q.speaker, name, inventory) for q in ours):
            tally.gold_speaker_correct += 1
        elif len(tally.errors) < keep_errors:
            s = attribution["quote_spans"][0][0]
            got = [q.speaker for q in ours] or "no quote"
            tally.errors.append(f"MISS gold={name!r} ours={got} :: {text[max(0, s - 60): s + 100]!r}")
    for quote in quotes:
        if quote.speaker is None:
            continue
        matching = [
            (a, n, c) for a, n, c in gold if overlaps(a["quote_spans"], quote.start, quote.end)
        ]
        scored = [(a, n) for a, n, _ in matching if n is not None]
        if not scored:
            tally.predicted_speakers_unscored += 1
            if matching and all(c.startswith("not a name") for _, _, c in matching):
                tally.predicted_named_on_unnamed_gold += 1
            continue
        tally.predicted_speakers_scored += 1
        if any(names_match_strict(quote.speaker, n, people, names) for _, n in scored):
            tally.predicted_speakers_correct_strict += 1
        if any(names_match(quote.speaker, n, inventory) for _, n in scored):
            tally.predicted_speakers_correct += 1
        elif len(tally.errors) < keep_errors:
            names = [n for _, n in scored]
            tally.errors.append(
                f"WRONG ours={quote.speaker!r} gold={names} :: "
                f"{text[max(0, quote.start - 80): quote.end + 60]!r}"
            )


def run_split(path: Path, keep_errors: int) -> tuple[Tally, float, int]:
    tally = Tally()
    elapsed = 0.0
    chars = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            article = json.loads(line)
            began = time.perf_counter()
            quotes = find_quotes(article["text"])
            elapsed += time.perf_counter() - began
            chars += len(article["text"])
            score_article(article, quotes, tally, keep_errors)
    return tally, elapsed, chars


def report(split: str, tally: Tally, elapsed: float, chars: int) -> None:
    r = Tally.ratio
    print(f"== {split}: {tally.articles} articles, {tally.gold_direct} gold direct quotes")
    print(f"quote recall                {r(tally.gold_found, tally.gold_direct)}")
    print(f"quote precision (all)       {r(tally.predicted_matched, tally.predicted)}")
    print(f"quote precision (6+ words)  {r(tally.predicted_long_matched, tally.predicted_long)}")
    print(f"speaker precision, strict   {r(tally.predicted_speakers_correct_strict, tally.predicted_speakers_scored)}")
    print(f"speaker recall, strict      {r(tally.gold_speaker_correct_strict, tally.gold_scored)}")
    print(f"speaker precision, lenient  {r(tally.predicted_speakers_correct, tally.predicted_speakers_scored)}")
    print(f"speaker recall, lenient     {r(tally.gold_speaker_correct, tally.gold_scored)}")
    unnamed_total = tally.predicted_speakers_scored + tally.predicted_named_on_unnamed_gold
    print(f"speaker precision, lenient, named on unnamed gold counted wrong "
          f"{r(tally.predicted_speakers_correct, unnamed_total)}")
    print(f"  gold speakers scored: {tally.gold_scored}; excluded: {dict(tally.excluded)}")
    print(f"  our speakers on quotes without a scored gold speaker (not scored): {tally.predicted_speakers_unscored}")
    print(f"  find_quotes time: {elapsed * 1000:.0f} ms for {chars / 1e6:.2f} M chars")


def time_against_baseline(label: str, text: str) -> None:
    """find_quotes on one big text vs. one `\\w+` regex pass over it, in the same process."""
    began = time.perf_counter()
    words = sum(1 for _ in re.finditer(r"\w+", text))
    base_s = time.perf_counter() - began
    began = time.perf_counter()
    quotes = find_quotes(text)
    ours_s = time.perf_counter() - began
    print(
        f"== speed, {label}: {len(text) / 1e6:.1f} M chars, {words} words, {len(quotes)} quotes: "
        f"find_quotes {ours_s:.2f} s, a \\w+ regex pass {base_s:.2f} s: ratio {ours_s / base_s:.1f}x"
    )


def speed_check(megabytes: float, data: Path) -> None:
    """Large inputs: a synthetic article packed with quotes, and the corpus as one text."""
    paragraph = (
        '"We are ready to fly, and the rocket is ready too," said Bill Nelson, the NASA '
        "administrator. The agency's rock 'n' roll crew met ESA officials. "
        "According to Jim Bridenstine, \u201cthe Moon is the next step for all of us.\u201d "
        "He added: \u201cMars comes after that, and we will get there together.\u201d An unbalanced \" mark.\n\n"
    )
    time_against_baseline("synthetic, dense quotes", paragraph * max(1, int(megabytes * 1e6 / len(paragraph))))
    # Real news prose: every train article joined into one text, repeated to the same size.
    if not (data / "polnear_train.jsonl").is_file():
        print("== speed, PolNeAR train as one text: skipped (no polnear_train.jsonl)")
        return
    with (data / "polnear_train.jsonl").open(encoding="utf-8") as handle:
        corpus = "\n\n".join(json.loads(line)["text"] for line in handle if line.strip())
    time_against_baseline("PolNeAR train as one text", corpus * max(1, round(megabytes * 1e6 / len(corpus))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory of polnear_*.jsonl")
    parser.add_argument("--split", choices=["dev", "train", "both"], default="dev")
    parser.add_argument("--errors", type=int, default=0, help="print up to N misattributions")
    parser.add_argument("--speed-mb", type=float, default=0.0, help="also time a synthetic text of MB")
    args = parser.parse_args(argv)
    splits = ["dev", "train"] if args.split == "both" else [args.split]
    for split in splits:
        path = args.data / f"polnear_{split}.jsonl"
        if not path.is_file():
            print(f"quote_attribution: no data at {path} (PolNeAR is research data kept outside the repo)",
                  file=sys.stderr)
            return 2
    for split in splits:
        tally, elapsed, chars = run_split(args.data / f"polnear_{split}.jsonl", args.errors)
        report(split, tally, elapsed, chars)
        for line in tally.errors:
            print("  " + line)
    if args.speed_mb > 0:
        speed_check(args.speed_mb, args.data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
