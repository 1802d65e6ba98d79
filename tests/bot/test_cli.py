"""The `spacebrief` command line: contracts of DESIGN.md (flags, JSON, exit codes, one-line errors)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.cli import main
from summarizer import ALGORITHM_NAMES

ARTICLE = """Roscosmos delays Soyuz launch after a leak

Roscosmos said on Friday that the launch of the Soyuz MS-29 crew ship would slip by two weeks. Engineers found a coolant leak in the Progress cargo ship docked at the station. "The crew is safe and the station is operating normally," said Yuri Borisov, the head of Roscosmos. NASA said it was monitoring the situation with its Russian partners. The leak is the third such event on the Russian segment since 2022. "We have a clear plan to find the cause before we fly again," Borisov told reporters in Moscow. The two agencies will meet next week to agree on a new date. Dr. Anna Kikina, a cosmonaut, will stay aboard for an extra month.
"""

SUMMARY_KEYS = {"title", "summary", "quotes", "stats"}
STATS_KEYS = {"sentences_in", "words_in", "words_out", "reduction_pct", "algorithm", "elapsed_ms", "truncated"}


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, timeout=120, check=False
    )


def assert_one_line_error(result: subprocess.CompletedProcess[bytes], code: int = 2) -> str:
    err = result.stderr.decode()
    assert result.returncode == code, err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("spacebrief")
    return err


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE)
    return path


def test_summarize_json_follows_the_schema(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", "--json", "--sentences", "2", str(article)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == SUMMARY_KEYS
    assert data["title"] == "Roscosmos delays Soyuz launch after a leak"
    assert len(data["summary"]) == 2
    assert all(isinstance(s, str) and s in ARTICLE for s in data["summary"])
    assert data["quotes"], "the article has two attributed quotes"
    for quote in data["quotes"]:
        assert set(quote) == {"text", "speaker"}
        assert quote["text"] in ARTICLE
        assert quote["speaker"] == "Yuri Borisov"
    stats = data["stats"]
    assert set(stats) == STATS_KEYS
    assert isinstance(stats["sentences_in"], int) and stats["sentences_in"] >= 8
    assert isinstance(stats["words_in"], int) and isinstance(stats["words_out"], int)
    assert stats["words_out"] < stats["words_in"]
    assert isinstance(stats["reduction_pct"], float)
    assert stats["reduction_pct"] == pytest.approx(100 * (1 - stats["words_out"] / stats["words_in"]), abs=0.1)
    assert stats["algorithm"] == "news"
    assert isinstance(stats["elapsed_ms"], float)


def test_summarize_human_output(article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(article)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Roscosmos delays Soyuz launch after a leak"
    assert sum(line.startswith("• ") for line in lines) == 3
    assert any(line.endswith("— Yuri Borisov") and line.startswith("“") for line in lines)
    assert "reduced by " in lines[-1] and "%" in lines[-1]


@pytest.mark.parametrize("name", ALGORITHM_NAMES)
def test_every_algorithm_is_selectable(name: str, article: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", "--json", "--algorithm", name, str(article)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stats"]["algorithm"] == name
    assert 1 <= len(data["summary"]) <= 3
    assert all(sentence in ARTICLE for sentence in data["summary"])


def test_summarize_reads_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.encode())))
    assert main(["summarize", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Roscosmos delays Soyuz launch after a leak"


def test_non_utf8_text_is_decoded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(ARTICLE.replace("Roscosmos said", "Le CNES a dit: très bien. Roscosmos said").encode("latin-1"))
    assert main(["summarize", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summarize", "--algorithm", "magic", "ARTICLE"], "unknown algorithm"),
        (["summarize", "--sentences", "0", "ARTICLE"], "out of range"),
        (["summarize", "--sentences", "many", "ARTICLE"], "not a whole number"),
        (["summarize", "/no/such/file.txt"], "/no/such/file.txt"),
        (["summarize", "ftp://example.com/a.txt"], "ftp"),
        (["summarize", "http://127.0.0.1:9/article"], "127.0.0.1"),
        (["summarize", "http://[::1]:9/article"], "::1"),
        (["summarize", "http://10.0.0.8/article"], "10.0.0.8"),
        (["summarize"], "SOURCE"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, article: Path) -> None:
    result = run_cli(*[str(article) if arg == "ARTICLE" else arg for arg in args])
    assert message in assert_one_line_error(result)


def test_empty_binary_and_huge_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "no text" in assert_one_line_error(run_cli("summarize", str(empty))).lower()

    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    assert "binary" in assert_one_line_error(run_cli("summarize", str(binary)))

    huge = tmp_path / "huge.txt"
    huge.write_bytes((ARTICLE * (20_000_000 // len(ARTICLE) + 1)).encode()[:20_000_000])
    assert "too large" in assert_one_line_error(run_cli("summarize", str(huge))).lower()


def test_huge_input_under_a_raised_cap_still_answers(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_bytes((ARTICLE * (20_000_000 // len(ARTICLE) + 1)).encode()[:20_000_000])
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nmax_bytes = 30000000\n")
    result = run_cli("summarize", "--json", "--config", str(config), str(huge))
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["summary"]


def test_truncation_is_stated_in_the_json_and_the_human_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = tmp_path / "long.txt"
    long.write_text(ARTICLE + "\n" + "The rocket flew. " * 200_000 + "\n")  # 3.4 MB, one line
    assert main(["summarize", "--json", str(long)]) == 0
    assert json.loads(capsys.readouterr().out)["stats"]["truncated"] is True
    assert main(["summarize", str(long)]) == 0
    out = capsys.readouterr().out
    assert "summarized the first" in out and "of 3.4 MB" in out
    short = tmp_path / "short.txt"
    short.write_text(ARTICLE)
    capsys.readouterr()
    assert main(["summarize", "--json", str(short)]) == 0
    assert json.loads(capsys.readouterr().out)["stats"]["truncated"] is False
    assert main(["summarize", str(short)]) == 0
    assert "summarized the first" not in capsys.readouterr().out


def test_summarize_follows_news_sentences_and_max_quotes_from_the_config(
    tmp_path: Path, article: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[news]\nsentences = 2\nmax_quotes = 0\n")
    assert main(["summarize", "--json", "--config", str(config), str(article)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["summary"]) == 2
    assert data["quotes"] == []  # 0 means no quotes, not the default
    assert main(["summarize", "--json", "--config", str(config), "--sentences", "4", str(article)]) == 0
    assert len(json.loads(capsys.readouterr().out)["summary"]) == 4  # the flag wins over the config
    config.write_text("[news]\nmax_quotes = 1\n")
    assert main(["summarize", "--json", "--config", str(config), str(article)]) == 0
    assert len(json.loads(capsys.readouterr().out)["quotes"]) == 1


def test_bad_config_is_exit_2(tmp_path: Path, article: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[news]\nbackfill = 'three'\n")
    assert "news.backfill" in assert_one_line_error(run_cli("summarize", "--config", str(config), str(article)))


@pytest.fixture
async def page_server() -> AsyncIterator[str]:
    html = (
        "<html><head><title>Soyuz delay</title></head><body><nav>Home | News</nav><article>"
        + "".join(f"<p>{line}</p>" for line in ARTICLE.splitlines()[2:])
        + "</article><footer>Related: other stories</footer></body></html>"
    )

    async def article_page(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    async def missing(request: web.Request) -> web.Response:
        return web.Response(status=404, text="not here")

    # Declared only in the page itself, as many servers do: the HTTP header names no charset, and
    # guessing takes the byte 0xA4 for latin-1's "¤" where ISO-8859-15 means "€".
    latin9 = html.replace("<head>", '<head><meta charset="iso-8859-15">').replace(
        "two weeks", "two weeks, at a cost of €40 million,"
    )

    async def latin9_page(request: web.Request) -> web.Response:
        return web.Response(body=latin9.encode("iso-8859-15"), headers={"Content-Type": "text/html"})

    app = web.Application()
    app.router.add_get("/article", article_page)
    app.router.add_get("/latin9", latin9_page)
    app.router.add_get("/missing", missing)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}"
    await server.close()


async def test_summarize_url_from_a_local_server(page_server: str, tmp_path: Path) -> None:
    import asyncio

    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nallow_private_networks = true\ntimeout_s = 10\n")
    result = await asyncio.to_thread(run_cli, "summarize", "--json", "--config", str(config), f"{page_server}/article")
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["summary"] and all(sentence in ARTICLE for sentence in data["summary"])
    assert not any("Related:" in sentence for sentence in data["summary"])

    missing = await asyncio.to_thread(run_cli, "summarize", "--config", str(config), f"{page_server}/missing")
    assert "404" in assert_one_line_error(missing)

    refused = await asyncio.to_thread(run_cli, "summarize", f"{page_server}/article")
    assert_one_line_error(refused)


async def test_summarize_url_honours_the_pages_meta_charset(page_server: str, tmp_path: Path) -> None:
    import asyncio

    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nallow_private_networks = true\ntimeout_s = 10\n")
    result = await asyncio.to_thread(
        run_cli, "summarize", "--json", "--sentences", "20", "--config", str(config), f"{page_server}/latin9"
    )
    assert result.returncode == 0, result.stderr.decode()
    shown = json.dumps(json.loads(result.stdout), ensure_ascii=False)
    assert "€40 million" in shown
    assert "¤" not in shown


DEBATE = [
    {"author": "ana", "text": "Reusable boosters cut the cost of every launch by a lot.", "id": "1"},
    {"author": "ben", "text": "Reusing boosters makes each launch much cheaper.", "id": "2"},
    {"author": "cho", "text": "Reusable rockets cut launch costs, that is the whole point.", "id": "3"},
    {"author": "dev", "text": "Expendable rockets are simpler and more reliable for heavy payloads.", "id": "4"},
    {"author": "eve", "text": "For heavy payloads an expendable rocket is simpler and more reliable.", "id": "5"},
    {"author": "ana", "text": "lol", "id": "6"},
]


def test_debate_json_follows_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(DEBATE))
    assert main(["debate", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"arguments", "stats"}
    # The contract's keys, and the keys added since (what was condensed and cut, unnamed comments).
    assert set(data["stats"]) == {
        "comments", "authors", "elapsed_ms",
        "unnamed_comments", "comments_condensed", "comments_shortened", "truncated",
    }
    assert data["stats"]["comments"] == 6 and data["stats"]["authors"] == 5
    assert data["stats"]["comments_condensed"] == 6 and data["stats"]["truncated"] is False
    texts = [item["text"] for item in DEBATE]
    for argument in data["arguments"]:
        assert set(argument) == {"claim", "support", "authors", "comment_ids", "quotes", "unnamed"}
        assert any(argument["claim"] in text for text in texts)
        assert argument["support"] == len(set(argument["authors"]))
    assert data["arguments"], "two positions were each argued by several people"


def test_debate_plain_text_and_human_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "thread.txt"
    path.write_text("\n\n".join(f"{item['author']}:\n{item['text']}" for item in DEBATE))
    assert main(["debate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("6 comments from 5 people")
    assert "1. " in out and "people" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"author": "a", "text": "b"}', "list"),
        ("[1, 2", "invalid JSON"),
        ('[{"author": "a"}]', "text"),
    ],
)
def test_debate_bad_input(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "thread.json"
    path.write_text(content)
    assert message in assert_one_line_error(run_cli("debate", str(path)))


def test_debate_zero_comments_is_a_valid_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "thread.json"
    path.write_text("[]")
    assert main(["debate", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["arguments"] == [] and data["stats"]["comments"] == 0


def test_run_without_token_exits_2_with_a_hint(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], capture_output=True, timeout=60, env=env, cwd=tmp_path, check=False
    )
    err = assert_one_line_error(result)
    assert "DISCORD_TOKEN" in err


def test_readme_example_is_the_real_output(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The README shows a `spacebrief summarize` run near the top; it must stay true."""
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    block = readme.split("```console\n", 1)[1].split("```", 1)[0]
    command, _, expected = block.partition("\n")
    assert command.startswith("$ spacebrief summarize ")
    monkeypatch.chdir(root)
    assert main(command.split()[2:]) == 0
    assert capsys.readouterr().out == expected


def test_version_names_the_program_and_its_versions() -> None:
    from importlib import metadata

    result = run_cli("--version")
    assert result.returncode == 0
    line = result.stdout.decode()
    assert line.startswith(f"spacebrief {metadata.version('spacebrief')} (discord.py {metadata.version('discord.py')}, ")
    assert line.count("\n") == 1


def test_every_argument_has_help_and_algorithms_are_listed() -> None:
    import argparse

    from bot.cli import ALGORITHM_HELP_NAMES, build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    parsers = {"spacebrief": parser, **subparsers.choices}
    for name, each in parsers.items():
        for action in each._actions:
            assert action.help and action.help != argparse.SUPPRESS, f"{name}: {action.dest} has no help"
    assert set(subparsers.choices) == {"summarize", "debate", "preview", "run"}
    assert sorted(ALGORITHM_HELP_NAMES) == sorted(ALGORITHM_NAMES)  # the help lists exactly what summarize takes
    text = " ".join(subparsers.choices["summarize"].format_help().split())
    assert "SOURCE a text or HTML file, - to read stdin, or an http(s) URL" in text
    assert all(algorithm in text for algorithm in ALGORITHM_NAMES)


def test_debug_shows_the_traceback_of_an_unexpected_error(
    article: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import summarizer.summary

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.delenv("SPACEBRIEF_DEBUG", raising=False)
    monkeypatch.setattr(summarizer.summary, "summarize", broken)
    assert main(["summarize", str(article)]) == 1
    assert capsys.readouterr().err == "spacebrief: unexpected error: RuntimeError: boom (--debug shows where)\n"
    with pytest.raises(RuntimeError, match="boom"):
        main(["summarize", "--debug", str(article)])
    with pytest.raises(RuntimeError, match="boom"):
        main(["--debug", "summarize", str(article)])


def test_debate_deeply_nested_json_is_one_line_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    err = assert_one_line_error(run_cli("debate", str(path)))
    assert "nested more than" in err


def test_debate_plurals_and_unnamed_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps([{"author": "ana", "text": DEBATE[0]["text"]}]))
    assert main(["debate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 comment from 1 person; 1 main argument\n")
    assert "   1 comment from 1 person\n" in out
    path.write_text(json.dumps([{"author": None, "text": item["text"]} for item in DEBATE[:3]]))
    assert main(["debate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 comments, none with an author; 1 main argument\n")
    assert "   3 unnamed comments\n" in out


def test_debate_chat_log_plain_text_gives_the_json_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    as_json = tmp_path / "thread.json"
    as_json.write_text(json.dumps([{"author": d["author"], "text": d["text"]} for d in DEBATE]))
    chat = tmp_path / "thread.txt"
    chat.write_text("\n".join(f"{d['author']}: {d['text']}" for d in DEBATE))
    outputs = []
    for path in (as_json, chat):
        assert main(["debate", "--json", str(path)]) == 0
        data = json.loads(capsys.readouterr().out)
        outputs.append([(a["claim"], a["support"], a["comment_ids"]) for a in data["arguments"]])
    assert outputs[0] == outputs[1] and outputs[0]


def test_debate_where_few_people_argued_gives_their_points(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers.debates import FEW_PEOPLE

    path = tmp_path / "artemis.txt"
    path.write_text("\n\n".join(f"{author}:\n{text}" for author, text in FEW_PEOPLE))
    assert main(["debate", "--json", str(path)]) == 0
    arguments = json.loads(capsys.readouterr().out)["arguments"]
    assert len(arguments) >= 4  # one reader's separate points, not "no argument was made by more than one person"
    assert arguments[0]["support"] == 2 and all(a["support"] == 1 for a in arguments[1:])
    assert main(["debate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("7 comments from 2 people") and "1 person" in out


def test_debate_of_14_mb_finishes_and_says_what_it_cut(tmp_path: Path) -> None:
    # Bounded work (issue 13): 14 MB of comments, under the default 15 MiB cap. How fast, and in how much
    # memory, is measured in bench/debate_speed.py --bounds; here only that it finished and said so.
    sentence = "Reusable boosters make every launch cheaper than expendable rockets ever could. "
    comments = [{"author": f"u{i % 3000}", "text": sentence * (1 + i % 5), "id": str(i)} for i in range(50_000)]
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(comments))
    assert 13_000_000 < path.stat().st_size < 15_000_000
    result = run_cli("debate", "--json", str(path))
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)["stats"]
    assert stats["comments"] == 50_000 and stats["truncated"] is True
    assert stats["comments_condensed"] < 50_000
    human = run_cli("debate", str(path))
    assert human.returncode == 0
    assert "Note: condensed the latest " in human.stdout.decode() and " of 50,000 comments" in human.stdout.decode()
