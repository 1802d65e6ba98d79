"""cogs.render: Discord limits on hostile input, escaping, URL filtering, the 6000 total."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import discord
import pytest

from cogs import render
from cogs.render import (
    DebateStats,
    NewsListItem,
    SourceLine,
    debate_embed,
    embed_problems,
    error_text,
    news_embed,
    news_list_embed,
    quotes_embed,
    safe_url,
    settings_embed,
    sources_embed,
    summary_embed,
)
from tests.helpers.markdown import live_brackets


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class Stats:
    reduction_pct: float = 80.0
    words_in: int = 500
    words_out: int = 100


@dataclass(frozen=True)
class Summary:
    title: str | None
    summary: list[str]
    quotes: list[Quote] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)


@dataclass(frozen=True)
class Entry:
    title: str | None
    link: str | None
    published: datetime | None = None
    summary: str = ""
    image_url: str | None = None


@dataclass(frozen=True)
class Prepared:
    entry: Entry
    summary: Summary | None


@dataclass(frozen=True)
class Argument:
    claim: str
    support: int
    authors: list[str]
    quotes: list[str]
    comment_ids: tuple[str, ...] = ()
    unnamed: int = 0


def all_strings(embed: discord.Embed) -> list[str]:
    data = embed.to_dict()
    strings = [data.get("title", ""), data.get("description", "")]
    strings.append(data.get("footer", {}).get("text", ""))
    strings.append(data.get("author", {}).get("name", ""))
    for item in data.get("fields", []):
        strings += [item["name"], item["value"]]
    return [s for s in strings if s]


HUGE = "word " * 5000


def huge_prepared() -> Prepared:
    quotes = [Quote("q" * 3000 + " said", "S" * 400) for _ in range(40)]
    summary = Summary(HUGE, [HUGE] * 20, quotes, Stats(99.4, 10**6, 10))
    entry = Entry(HUGE, "https://example.com/" + "a" * 100, datetime(2026, 1, 2, 3, 4, tzinfo=UTC), HUGE)
    return Prepared(entry, summary)


def test_news_embed_on_huge_input_keeps_every_limit() -> None:
    embed = news_embed(huge_prepared(), "N" * 5000)
    assert embed_problems(embed) == []
    assert len(embed) <= 6000
    assert embed.title is not None and 250 <= len(embed.title) <= 256 and embed.title.endswith("…")
    assert len(embed.fields) <= 25


def test_total_6000_rule_trims_a_full_description_and_25_full_fields() -> None:
    quotes = [Quote("x " * 600, "speaker") for _ in range(25)]
    summary = Summary("t", ["y " * 3000], quotes)
    embed = news_embed(Prepared(Entry("title", "https://e.com/a"), summary), "src")
    # Untrimmed this would be 4096 + 25 * (7 + 1024) characters; Discord rejects > 6000.
    assert len(embed) <= 6000
    assert embed_problems(embed) == []
    assert embed.description and len(embed.description) >= 1024
    assert 1 <= len(embed.fields) < 25


def test_news_embed_contents() -> None:
    published = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    summary = Summary(
        "ignored",
        ["First sentence.", "Second sentence."],
        [Quote("We are go for launch today", "Jane Doe"), Quote("No speaker here at all", None)],
        Stats(reduction_pct=72.6),
    )
    entry = Entry(
        "Artemis II rolls out", "https://nasa.example/a2", published, "teaser", "https://img.example/p.jpg"
    )
    embed = news_embed(Prepared(entry, summary), "NASA")
    assert embed.title == "Artemis II rolls out"
    assert embed.url == "https://nasa.example/a2"
    assert embed.description == "• First sentence.\n• Second sentence."
    assert [(f.name, f.value) for f in embed.fields] == [
        ("Jane Doe", "“We are go for launch today”"),
        ("Quote", "“No speaker here at all”"),
    ]
    assert embed.footer.text == "NASA · reduced by 73%"
    assert embed.timestamp == published
    assert embed.image.url == "https://img.example/p.jpg"


def test_news_embed_max_quotes_and_teaser_fallback() -> None:
    summary = Summary(None, ["One."], [Quote(f"quote number {i} is here", None) for i in range(5)])
    embed = news_embed(Prepared(Entry("t", None), summary), "s", max_quotes=2)
    assert len(embed.fields) == 2
    assert embed.url is None

    bare = news_embed(Prepared(Entry("t", "https://e.com", summary="Feed teaser *text*"), None), "s")
    assert bare.description == "Feed teaser \\*text\\*"
    assert bare.footer.text == "s"
    assert bare.fields == []


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "https://",
        "https://exa mple.com/",
        "https://example.com/\nx",
        "https://example.com/\u202e",
        "",
        None,
        "https://example.com/" + "a" * 3000,
    ],
)
def test_unsafe_urls_are_omitted(url: str | None) -> None:
    assert safe_url(url) is None
    embed = news_embed(Prepared(Entry("t", url, image_url=url), None), "s")
    assert embed.url is None
    assert embed.image.url is None


@pytest.mark.parametrize(
    "mention",
    ["@everyone", "@here", "<@123456789012345678>", "<@!123456789012345678>", "<@&123456789012345678>"],
)
def test_mentions_are_broken_everywhere(mention: str) -> None:
    summary = Summary(mention, [f"Hi {mention}"], [Quote(f"hello {mention} there friend", mention)])
    embeds = [
        news_embed(Prepared(Entry(mention, None, summary=mention), summary), mention),
        summary_embed(summary, None),
        quotes_embed(summary.quotes, None, title=mention),
        debate_embed([Argument(mention, 2, ["a"], [mention])], DebateStats(3, 2, mention)),
        news_list_embed([NewsListItem(mention, None, mention)]),
    ]
    plain = mention.lstrip("<")
    for embed in embeds:
        for text in all_strings(embed):
            assert plain not in text, text
    assert plain not in error_text(f"bad {mention}")


def test_newlines_in_titles_and_names_are_folded() -> None:
    entry = Entry("Line one\nLine two\r\n\tthree", None)
    embed = news_embed(
        Prepared(entry, Summary(None, ["a\nb"], [Quote("x y z w v u", "Dr.\nWho")])), "src\nname"
    )
    assert embed.title == "Line one Line two three"
    assert embed.description == "• a b"
    assert embed.fields[0].name == "Dr. Who"
    assert embed.footer.text is not None and "\n" not in embed.footer.text


def test_an_invisible_title_falls_back_to_visible_text() -> None:
    from cogs.news import thread_name

    assert thread_name("\u200b\u200b") == "Discussion"
    assert thread_name("\u2060Lunar \u200blander") == "Lunar lander"
    embed = news_embed(Prepared(Entry("\u200b\ufeff", "https://e.com/a"), None), "\u200bAgency")
    assert embed.title == "(untitled)"
    assert "\u200b" not in json.dumps(embed.to_dict(), ensure_ascii=False).replace("@\u200b", "")


def test_summary_and_quotes_embeds() -> None:
    summary = Summary(
        "Title", ["S1.", "S2."], [Quote("a quote that is long enough", "Ann")], Stats(66.0, 300, 100)
    )
    embed = summary_embed(summary, "https://example.com/story")
    assert embed.title == "Title" and embed.url == "https://example.com/story"
    assert embed.description == "• S1.\n• S2."
    assert embed.footer.text == "Reduced by 66% · 300 → 100 words"
    quotes = quotes_embed(summary.quotes, "https://example.com/story", title="Title")
    assert quotes.title == "Quotes: Title"
    assert quotes.description == "“a quote that is long enough” — Ann"
    assert "No direct quotations" in (quotes_embed([], None).description or "")


def test_debate_embed_counts_and_quotes() -> None:
    arguments = [
        Argument("Reusable rockets cut costs.", 3, ["a", "b", "c"], ["They really do cut costs", "x"], ("1", "2", "3", "4")),
        Argument("Capsules are safer.", 1, ["d"], [], ("5",)),
        Argument("Abort systems save crews.", 2, ["e", "f"], [], ("6", "7", "8", "9", "10", "11"), unnamed=4),
    ]
    embed = debate_embed(arguments, DebateStats(12, 5, "https://news.example/item?id=1", unnamed=4))
    assert embed.description == "12 comments from 5 people and 4 unnamed comments"
    assert embed.url == "https://news.example/item?id=1"
    assert embed.fields[0].name == "1. Reusable rockets cut costs."
    assert embed.fields[0].value == "4 comments from 3 people\n> “They really do cut costs”"
    assert embed.fields[1].value == "1 comment from 1 person"
    assert embed.fields[2].value == "2 people and 4 unnamed comments (6 comments)"
    assert embed.footer.text is None
    empty = debate_embed([], DebateStats(1, 1, "#general"))
    assert empty.description == "1 comment from 1 person in \\#general\nNo arguments found: the comments hold only greetings, reactions or links."


def test_debate_embed_says_what_the_limits_cut() -> None:
    from summarizer.debate import CondenseStats

    stats = DebateStats.of(CondenseStats(comments=48_113, condensed=2_000, shortened=1, authors=900, unnamed=0), None)
    embed = debate_embed([Argument("Depots first.", 1, ["a"], [], ("c1",))], stats)
    assert embed.footer.text == (
        "Condensed the latest 2,000 of 48,113 comments, the most replied-to kept first; "
        "1 comment was cut to 20,000 characters."
    )


def test_news_list_sources_and_settings_embeds() -> None:
    posted = datetime(2026, 1, 1, tzinfo=UTC)
    items = [NewsListItem(f"Story {i}", f"https://e.com/{i}", "NASA", posted) for i in range(30)]
    embed = news_list_embed(items)
    assert len(embed.fields) == 25 and embed_problems(embed) == []
    assert embed.fields[0].name == "Story 0"
    assert f"<t:{int(posted.timestamp())}:R>" in (embed.fields[0].value or "")
    assert "Nothing has been posted" in (news_list_embed([]).description or "")

    lines = [SourceLine(1, "ESA", "https://esa.example/rss", 42, False, "HTTP 500")]
    listing = sources_embed(lines)
    assert listing.fields[0].name == "#1 ESA"
    assert "<#42> · disabled" in (listing.fields[0].value or "") and "HTTP 500" in (
        listing.fields[0].value or ""
    )

    shown = settings_embed(
        {"sentences": 3, "thread_per_article": False, "include_keywords": ["mars", "@everyone"]}
    )
    values = {f.name: f.value for f in shown.fields}
    assert values == {
        "sentences": "3",
        "thread_per_article": "off",
        "include_keywords": "mars, @\u200beveryone",
    }


def test_disabled_source_text() -> None:
    text = render.disabled_source_text("ESA @everyone", "HTTP 410 gone\n" + "z" * 3000)
    assert "@everyone" not in text and "\n" not in text and len(text) <= 2000
    assert text.startswith("The news source **ESA @\u200beveryone** was disabled: HTTP 410 gone z")
    assert render.disabled_source_text("", None) == (
        "The news source **a source** was disabled: it failed too many times in a row."
    )


ALPHABET = (
    "abc XYZ 123 \n\t\r*_~|`>#-[]()<>@!&\\:/.\"' "
    "\u200b\u202e\u2066\x00\x1b\x7f\u0085\u2028é漢字🚀\U0001f469\u200d\U0001f680\ud800\udfff"
)


def random_text(rng: random.Random, max_len: int) -> str:
    pieces: list[str] = []
    length = rng.randint(0, max_len)
    size = 0
    while size < length:
        roll = rng.random()
        if roll < 0.1:
            piece = rng.choice(
                ["@everyone", "@here", "<@123456789012345678>", "[a](https://x.y)", "**", "https://e.com/a_b"]
            )
        elif roll < 0.2:
            piece = chr(rng.randint(0x20, 0x10FFFF))
        else:
            piece = rng.choice(ALPHABET)
        pieces.append(piece)
        size += len(piece)
    return "".join(pieces)


@pytest.mark.parametrize("seed", range(40))
def test_property_random_unicode_renders_within_limits_and_inert(seed: int) -> None:
    rng = random.Random(seed)
    big = 8000 if seed % 4 == 0 else 300

    def text() -> str:
        return random_text(rng, big)

    quotes = [Quote(text(), text() or None) for _ in range(rng.randint(0, 30))]
    summary = Summary(
        text(), [text() for _ in range(rng.randint(0, 12))], quotes, Stats(rng.uniform(-50, 150))
    )
    entry = Entry(text(), text(), None, text(), text())
    arguments = [
        Argument(text(), rng.randint(1, 9), [text()], [text(), text()]) for _ in range(rng.randint(0, 30))
    ]
    embeds = [
        news_embed(Prepared(entry, summary), text()),
        news_embed(Prepared(entry, None), text()),
        summary_embed(summary, text()),
        quotes_embed(quotes, text(), title=text()),
        debate_embed(arguments, DebateStats(rng.randint(0, 999), rng.randint(0, 99), text())),
        sources_embed(
            [SourceLine(i, text(), text(), i, bool(i % 2), text()) for i in range(rng.randint(0, 30))]
        ),
    ]
    for embed in embeds:
        assert embed_problems(embed) == []
        payload = json.dumps(embed.to_dict(), ensure_ascii=False)
        payload.encode("utf-8")  # no lone surrogates survive
        for value in all_strings(embed):
            assert "@everyone" not in value and "@here" not in value
            assert live_brackets(value) == []
            assert not re.search(r"[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f]", value)
        for url in (embed.url, embed.image.url):
            assert url is None or url.startswith(("http://", "https://"))
    line = error_text(text())
    assert "\n" not in line and len(line) <= 300 and "@everyone" not in line


def test_quotes_already_in_the_summary_are_not_repeated_as_fields() -> None:
    from dataclasses import dataclass, field

    from cogs.render import summary_embed

    @dataclass
    class Q:
        text: str
        speaker: str | None

    @dataclass
    class Stats:
        reduction_pct: float = 50.0
        words_in: int = 100
        words_out: int = 50

    @dataclass
    class S:
        title: str | None
        summary: list[str]
        quotes: list[Q]
        stats: Stats = field(default_factory=Stats)

    summary = S(
        "Gateway",
        ['"We have a clear plan for the station," said Josef Aschbacher, the ESA Director General.'],
        [Q("We have a clear plan for the station", "Josef Aschbacher"), Q("Every partner knows what it must deliver", "Josef Aschbacher")],
    )
    embed = summary_embed(summary, "https://www.esa.int/x").to_dict()
    values = [f["value"] for f in embed.get("fields", [])]
    assert values == ["“Every partner knows what it must deliver”"]


@dataclass(frozen=True)
class Problem:
    entry_id: int = 7
    source_name: str = "Agency"
    title: str = "Leaked @everyone footage"
    url: str | None = "https://x.example/a"
    outcome: str = "failed"
    reason: str = "AutoMod blocked the message (code 200000)"
    attempts: int = 3


def test_a_failed_entry_notice_names_the_entry_and_the_reason_fullest_first() -> None:
    texts = render.delivery_problem_texts(Problem())
    assert len(texts) == 4
    assert "Leaked" in texts[0] and "https://x.example/a" in texts[0] and "AutoMod" in texts[0]
    assert "tried 3 times" in texts[0] and "next entries" in texts[0]
    assert "Leaked" not in texts[2] and "https://x.example/a" in texts[2]
    assert "entry #7" in texts[3] and "Leaked" not in texts[3] and "x.example" not in texts[3]
    assert all("@everyone" not in t and "\n" not in t and len(t) <= 2000 for t in texts)


def test_an_unconfirmed_entry_notice_says_it_was_not_posted_again() -> None:
    [first, *_] = render.delivery_problem_texts(
        Problem(outcome="unconfirmed", reason="I need Read Message History in #news", attempts=0, url=None)
    )
    assert "not posted again" in first and "Read Message History" in first and "tried" not in first
