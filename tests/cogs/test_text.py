"""cogs.text: escaping, cutting and URL filtering of outside text, and Discord's embed limits."""

from __future__ import annotations

import discord
import pytest

from cogs.text import clean_text, cut, embed_problems, error_text, escape_text, safe_url
from tests.helpers.markdown import live_brackets


def test_embed_problems_reports_what_discord_would_reject() -> None:
    embed = discord.Embed(title="t" * 300, description="d" * 5000)
    for _ in range(26):
        embed.add_field(name="n", value="v" * 1000)
    problems = " | ".join(embed_problems(embed))
    assert "title" in problems and "description" in problems and "26 fields" in problems
    assert "total" in problems


def test_safe_urls_pass_encoded() -> None:
    assert safe_url(" https://example.com/a?b=1 ") == "https://example.com/a?b=1"
    assert safe_url("HTTP://Example.com/ä") == "http://example.com/%C3%A4"


def test_markdown_is_escaped() -> None:
    assert escape_text("**bold** __u__ ~~s~~ ||spoiler|| `code`") == (
        "\\*\\*bold\\*\\* \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| \\`code\\`"
    )
    assert escape_text("# Heading\n-# small\n> quote\n- item\n1. first") == (
        "\\# Heading\n\\-# small\n\\> quote\n\\- item\n1\\. first"
    )
    # Ordinary punctuation in the middle of a line stays readable.
    assert escape_text("Falcon 9 #42 - 3.5 t") == "Falcon 9 #42 - 3.5 t"


def test_masked_links_are_inert_even_several_per_line() -> None:
    # discord.utils.escape_markdown alone leaves the second link live (its rule is greedy).
    text = "[free nitro](https://evil.example) and [docs](https://evil.example/2) \\[x](y)"
    escaped = escape_text(text)
    assert live_brackets(escaped) == []
    assert "https://evil.example" in escaped


def test_urls_in_text_are_kept_whole() -> None:
    assert escape_text("see https://example.com/a_b*c") == "see https://example.com/a_b\\*c"
    assert escape_text("see https://example.com/a_b_c.html") == "see https://example.com/a_b_c.html"


def test_control_bidi_and_surrogates_are_removed() -> None:
    text = "a\x00b\u202ec\ud800d\x1b[31m"
    assert escape_text(text) == "ab" + "c\ufffdd\\[31m"
    # And the result encodes as UTF-8, as the HTTP body must.
    escape_text(text).encode("utf-8")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\u200b\u200b", ""),
        ("Moon\u200b landing\u2060\ufeff", "Moon landing"),
        ("soft\u00adhyphen", "softhyphen"),
        ("\u200dedge\u200d", "edge"),
        ("tag\U000e0041", "tag"),
        # Joiners that shape visible text stay: emoji sequences, Persian words.
        ("\U0001f468\u200d\U0001f469", "\U0001f468\u200d\U0001f469"),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
    ],
)
def test_invisible_format_characters_are_removed(raw: str, shown: str) -> None:
    assert clean_text(raw, single_line=True) == shown


def test_cut_never_leaves_a_dangling_escape() -> None:
    for limit in range(1, 12):
        result = cut("ab\\*\\*\\*\\*\\*\\*", limit)
        assert len(result) <= limit
        body = result.removesuffix("…")
        trailing = len(body) - len(body.rstrip("\\"))
        assert trailing % 2 == 0


def test_error_text_is_one_short_line() -> None:
    line = error_text("first\nsecond **x** " + "y" * 5000)
    assert "\n" not in line
    assert len(line) <= 300
    assert line.startswith("first second \\*\\*x\\*\\*")
    assert error_text("") == "Something went wrong."
