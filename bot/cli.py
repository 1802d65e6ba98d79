"""The `spacebrief` command line: summarize, debate, preview, run.

Exit codes (DESIGN.md): 0 done, 2 bad input or configuration (one line on stderr), 1 unexpected failure.
Heavy imports happen inside the subcommands so `spacebrief --help` stays instant.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from bot.config import Config, ConfigError, load_config

PROG = "spacebrief"


class UsageError(Exception):
    """Bad input: the message is printed as one line and the exit code is 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints the whole usage block; the contract is one line.
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


#: The names `--algorithm` accepts, for its help text (importing the summarizer to ask would make
#: `--help` slow); tests/bot/test_cli.py checks this against summarizer.ALGORITHM_NAMES.
ALGORITHM_HELP_NAMES = (
    "news", "central", "lead3", "lexrank", "textrank", "lsa", "luhn", "edmundson", "kl", "sumbasic", "reduction",
)  # fmt: skip


def version_text() -> str:
    """`spacebrief --version`: ours, and the two versions that matter when reporting a bug."""
    from importlib import metadata

    def installed(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"{PROG} {installed('spacebrief')} (discord.py {installed('discord.py')}, Python {python})"


def _add_common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Accepted before or after the subcommand; SUPPRESS keeps a subcommand from resetting the top's value.
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=None if top else argparse.SUPPRESS,
        help="TOML configuration file (default: $SPACEBRIEF_CONFIG, else built-in defaults)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="show tracebacks (and for run, debug logs) instead of one-line errors",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Space news for Discord: summaries with key quotes, feed watching, debate condensation.",
    )
    parser.add_argument(
        "--version", action="version", version=version_text(), help="show the version and exit"
    )
    _add_common_options(parser, top=True)
    commands = parser.add_subparsers(
        dest="command",
        metavar="COMMAND",
        parser_class=_Parser,
        help="spacebrief COMMAND --help shows its options",
    )
    commands.required = True

    summarize = commands.add_parser(
        "summarize",
        help="summarize an article (file, - for stdin, or URL)",
        description="Print an extractive summary of an article (sentences taken from it) and its key quotes "
        "with who said them.",
        epilog="exit codes: 0 done, 2 bad input (one line on stderr: no such file, a page without article "
        "text, a feed instead of an article...), 1 unexpected failure",
    )
    _add_common_options(summarize, top=False)
    summarize.add_argument(
        "--json", action="store_true", help="print one JSON object (shape: docs/DESIGN.md)"
    )
    summarize.add_argument(
        "--sentences",
        type=_sentence_count,
        default=None,
        metavar="N",
        help="summary length in sentences, 1-20 (default: [news] sentences of the config, else 3)",
    )
    summarize.add_argument(
        "--algorithm",
        metavar="NAME",
        default=None,
        help=f"{ALGORITHM_HELP_NAMES[0]} (default, ours), {', '.join(ALGORITHM_HELP_NAMES[1:])}",
    )
    summarize.add_argument(
        "source",
        metavar="SOURCE",
        help="a text or HTML file, - to read stdin, or an http(s) URL of an article page",
    )

    debate = commands.add_parser(
        "debate",
        help="condense a comment thread into its main arguments",
        description="Condense a comment thread into its main arguments, how many people made each, and a "
        "quote for each.",
    )
    _add_common_options(debate, top=False)
    debate.add_argument("--json", action="store_true", help="print one JSON object (shape: docs/DESIGN.md)")
    debate.add_argument(
        "--max-arguments",
        type=_argument_count,
        default=5,
        metavar="K",
        help="at most K arguments, 1-25 (default 5)",
    )
    debate.add_argument(
        "source",
        metavar="SOURCE",
        help="a JSON file (a list of {author, text, id?, reply_to?}), a plain-text file (comments separated "
        "by blank lines, an optional first line 'author:'; or a chat log, 'author: text' per line), - for "
        "stdin, or a thread URL (Hacker News, "
        "Reddit, or a page with comments)",
    )

    preview = commands.add_parser(
        "preview",
        help="poll every configured source once and print what would be posted",
        description="Poll every [[sources]] entry of the config file once and print what the bot would post, "
        "without Discord. What it prints is recorded as seen in the configured database.",
    )
    _add_common_options(preview, top=False)
    preview.add_argument("--json", action="store_true", help="one JSON object per line")

    run = commands.add_parser(
        "run",
        help="run the Discord bot",
        description="Run the Discord bot (token from DISCORD_TOKEN); SIGTERM or Ctrl-C stop it cleanly.",
    )
    _add_common_options(run, top=False)
    return parser


def _bounded_int(low: int, high: int) -> Any:
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range ({low}-{high})")
        return value

    return convert


_sentence_count = _bounded_int(1, 20)
_argument_count = _bounded_int(1, 25)


def _is_url(source: str) -> bool:
    return "://" in source[:16]


def _fetch_limits(config: Config) -> Any:
    from bot.wiring import fetch_limits

    return fetch_limits(config)


def _read_local_text(source: str, config: Config) -> str:
    from feeds.fetch import FetchError, read_local
    from summarizer.textio import decode_text, looks_binary

    try:
        data = read_local(source, config.fetch.max_bytes)
    except FetchError as exc:
        raise UsageError(str(exc)) from None
    if looks_binary(data):
        raise UsageError(f"{_display(source)} looks like a binary file, not text or HTML")
    return decode_text(data)


#: Where to send someone who gave `summarize` a feed: the tools made for feeds.
FEED_HINT = (
    "to see what spacebrief would post from a feed, add it as a [[sources]] url in a config file and run "
    "`spacebrief preview --config FILE` (in Discord: /sources test)"
)


async def _summarize_url(url: str, config: Config, **options: Any) -> Any:
    """``feeds.article.summarize_url``: the same fetch, decoding and refusals as the bot's."""
    from feeds.article import NoArticleTextError, summarize_url
    from feeds.fetch import Fetcher, FetchError

    try:
        async with Fetcher(_fetch_limits(config)) as fetcher:
            return await summarize_url(fetcher, url, **options)
    except NoArticleTextError as exc:
        raise UsageError(f"{exc}; {FEED_HINT}" if exc.is_feed else str(exc)) from None
    except FetchError as exc:
        raise UsageError(str(exc)) from None


def _display(source: str) -> str:
    return "stdin" if source == "-" else source


def _summarize(args: argparse.Namespace, config: Config) -> int:
    from summarizer.errors import NotAnArticleError, NoTextError, UnknownAlgorithmError
    from summarizer.summary import summarize

    options: dict[str, Any] = {
        "sentences": args.sentences or config.news.sentences,
        "algorithm": args.algorithm,
        "max_quotes": config.news.max_quotes,
    }
    try:
        if _is_url(args.source):
            result = asyncio.run(_summarize_url(args.source, config, **options))
        else:
            result = summarize(_read_local_text(args.source, config), **options)
    except UnknownAlgorithmError as exc:
        raise UsageError(str(exc)) from None
    except NotAnArticleError as exc:
        hint = f"; {FEED_HINT}" if exc.is_feed else ""
        raise UsageError(f"{_display(args.source)}: {exc}{hint}") from None
    except NoTextError as exc:
        raise UsageError(f"{_display(args.source)}: {exc}") from None
    if args.json:
        _print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    lines: list[str] = []
    if result.title:
        lines.append(result.title)
        lines.append("")
    lines.extend(f"• {sentence}" for sentence in result.summary)
    # A quote a summary sentence already shows word for word is not repeated (the JSON keeps it).
    shown = [" ".join(sentence.split()) for sentence in result.summary]
    extra = [q for q in result.quotes if not any(" ".join(q.text.split()) in s for s in shown)]
    if extra:
        lines.append("")
        for quote in extra:
            speaker = quote.speaker or "unattributed"
            lines.append(f"“{quote.text}” — {speaker}")
    lines.append("")
    lines.append(f"reduced by {result.stats.reduction_pct:.0f}% ({result.stats.words_in} → {result.stats.words_out} words)")
    if result.stats.truncated:
        lines.append(f"summarized {result.stats.read_description()} of {_size(result.stats.chars_in)}")
    _print("\n".join(lines))
    return 0


def _size(count: int) -> str:
    """A size for people: "5.4 MB", "312 KB" (characters of text, a byte each in ASCII)."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    return f"{max(count // 1000, 1)} KB"


def _load_debate_comments(args: argparse.Namespace, config: Config) -> list[Any]:
    from summarizer.debate import DebateInputError, decode_json_comments, parse_plain_comments

    if _is_url(args.source):
        return asyncio.run(_fetch_comments(args.source, config))
    text = _read_local_text(args.source, config)
    stripped = text.lstrip("\ufeff \t\r\n")
    try:
        if stripped.startswith(("[", "{")) or args.source.lower().endswith(".json"):
            return decode_json_comments(stripped)
        return parse_plain_comments(text)
    except DebateInputError as exc:
        raise UsageError(f"{_display(args.source)}: {exc}") from None


async def _fetch_comments(url: str, config: Config) -> list[Any]:
    from feeds.comments import CommentsUnavailableError, fetch_comments
    from feeds.fetch import Fetcher, FetchError

    try:
        async with Fetcher(_fetch_limits(config)) as fetcher:
            return await fetch_comments(fetcher, url)
    except (FetchError, CommentsUnavailableError) as exc:
        raise UsageError(str(exc)) from None


def _debate(args: argparse.Namespace, config: Config) -> int:
    import time

    from summarizer.debate import (
        NO_ARGUMENTS,
        condense_debate,
        count_phrase,
        cut_note,
        support_phrase,
        thread_phrase,
    )

    comments = _load_debate_comments(args, config)
    started = time.perf_counter()
    debate = condense_debate(comments, max_arguments=args.max_arguments)
    elapsed_ms = (time.perf_counter() - started) * 1000
    arguments, stats = debate.arguments, debate.stats
    if args.json:
        payload = {
            "arguments": [argument.to_dict() for argument in arguments],
            "stats": {**stats.to_dict(), "elapsed_ms": round(elapsed_ms, 2)},
        }
        _print(json.dumps(payload, ensure_ascii=False))
        return 0
    header = f"{thread_phrase(stats.comments, stats.authors, stats.unnamed)}; {count_phrase(len(arguments), 'main argument')}"
    lines = [header]
    note = cut_note(stats.comments, stats.condensed, stats.shortened)
    if note:
        lines.append(f"Note: {note}.")
    lines.append("")
    if not arguments and stats.comments:
        lines.append(NO_ARGUMENTS)
    for number, argument in enumerate(arguments, 1):
        lines.append(f"{number}. {argument.claim}")
        lines.append(f"   {support_phrase(len(argument.comment_ids), argument.support, argument.unnamed)}")
        for quote in argument.quotes[:1]:
            lines.append(f"   “{quote}”")
        lines.append("")
    _print("\n".join(lines).rstrip())
    return 0


def _preview(args: argparse.Namespace, config: Config) -> int:
    from bot.preview import PreviewError, run_preview

    try:
        return asyncio.run(run_preview(config, as_json=args.json))
    except PreviewError as exc:
        raise UsageError(str(exc)) from None


def _run(args: argparse.Namespace, config: Config) -> int:
    from bot.run import main_run

    return main_run(config, debug=args.debug)


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


_COMMANDS = {"summarize": _summarize, "debate": _debate, "preview": _preview, "run": _run}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.debug = args.debug or bool(os.environ.get("SPACEBRIEF_DEBUG"))
    try:
        config = load_config(args.config)
        return _COMMANDS[args.command](args, config)
    except (ConfigError, UsageError) as exc:
        sys.stderr.write(f"{PROG}: {_one_line(str(exc))}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing left to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last line of defence: one line, exit 1
        if args.debug or os.environ.get("SPACEBRIEF_DEBUG"):
            raise
        sys.stderr.write(
            f"{PROG}: unexpected error: {_one_line(f'{type(exc).__name__}: {exc}')} (--debug shows where)\n"
        )
        return 1


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
