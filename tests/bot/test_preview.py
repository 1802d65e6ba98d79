"""`spacebrief preview`: one poll of every configured source, dedup across runs, failures per source."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.config import Config, parse_config
from bot.preview import run_preview

BASE_TIME = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

ARTICLE = (
    "The European Space Agency confirmed on Monday that its Mars orbiter completed a burn of "
    "twelve minutes. Engineers in Darmstadt watched the telemetry arrive after a delay of nine "
    "minutes. \"The spacecraft is healthy and on course for its new orbit,\" said Elsa Montagnon, "
    "the flight director. The manoeuvre lowers the orbit by two hundred kilometres. Scientists expect "
    "sharper images of the polar caps from the new altitude. The next burn is planned for March."
)


@dataclass
class FeedSite:
    """A local news site: RSS feeds whose items the test changes between polls."""

    items: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)

    def add(self, feed: str, number: int, *, published: datetime | None = None) -> None:
        moment = published or BASE_TIME + timedelta(hours=number)
        self.items.setdefault(feed, []).insert(
            0,
            {
                "guid": f"urn:{feed}:{number}",
                "title": f"{feed} story {number}",
                "link": f"https://example.org/{feed}/{number}",
                "date": format_datetime(moment),
                "body": f"Story {number}. " + ARTICLE,
            },
        )

    def rss(self, feed: str) -> bytes:
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
            f"<title>{feed}</title><link>https://example.org/{feed}</link><description>d</description>",
        ]
        for item in self.items.get(feed, []):
            parts.append(
                "<item>"
                f"<guid isPermaLink=\"false\">{item['guid']}</guid><title>{escape(item['title'])}</title>"
                f"<link>{item['link']}</link><pubDate>{item['date']}</pubDate>"
                f"<description>{escape(item['body'][:60])}</description>"
                f"<content:encoded>{escape('<p>' + item['body'] + '</p>')}</content:encoded>"
                "</item>"
            )
        parts.append("</channel></rss>")
        return "".join(parts).encode()

    def app(self) -> web.Application:
        async def handle(request: web.Request) -> web.Response:
            feed = request.match_info["feed"]
            if feed in self.broken:
                return web.Response(status=500, text="oops")
            return web.Response(body=self.rss(feed), content_type="application/rss+xml")

        app = web.Application()
        app.router.add_get("/{feed}.xml", handle)
        return app


@pytest.fixture
async def site() -> AsyncIterator[tuple[FeedSite, str]]:
    feeds = FeedSite()
    server = TestServer(feeds.app(), host="127.0.0.1", port=0)
    await server.start_server()
    yield feeds, f"http://127.0.0.1:{server.port}"
    await server.close()


def make_config(base: str, db: Path, feeds: list[str], **news: object) -> Config:
    return parse_config(
        {
            "database": {"path": str(db)},
            "fetch": {"allow_private_networks": True, "timeout_s": 5},
            "news": {"backfill": 3, **news},
            "sources": [
                {"name": f"Feed {feed}", "url": f"{base}/{feed}.xml", "channel_id": 1000 + index}
                for index, feed in enumerate(feeds)
            ],
        }
    )


async def preview(config: Config, *, now: datetime = BASE_TIME) -> tuple[list[dict[str, object]], str]:
    out, err = io.StringIO(), io.StringIO()
    code = await run_preview(config, as_json=True, out=out, err=err, now=now)
    assert code == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return lines, err.getvalue()


async def test_second_preview_prints_nothing_and_one_new_item_prints_once(
    site: tuple[FeedSite, str], tmp_path: Path
) -> None:
    feeds, base = site
    for number in range(1, 3):
        feeds.add("esa", number)
    config = make_config(base, tmp_path / "db.sqlite3", ["esa"])

    first, err = await preview(config)
    assert err == ""
    assert [line["title"] for line in first] == ["esa story 1", "esa story 2"]  # oldest first
    line = first[0]
    assert set(line) == {"source", "channel", "title", "url", "summary", "quotes", "embed"}
    assert line["source"] == "Feed esa" and line["channel"] == "1000"
    assert line["url"] == "https://example.org/esa/1"
    summary = line["summary"]
    assert isinstance(summary, list) and summary and all(s in "Story 1. " + ARTICLE for s in summary)
    assert line["quotes"] == [
        {"text": "The spacecraft is healthy and on course for its new orbit", "speaker": "Elsa Montagnon"}
    ]
    embed = line["embed"]
    assert isinstance(embed, dict)
    assert embed["title"] == "esa story 1" and embed["url"] == "https://example.org/esa/1"

    again, _ = await preview(config, now=BASE_TIME + timedelta(hours=1))
    assert again == []

    feeds.add("esa", 3)
    third, _ = await preview(config, now=BASE_TIME + timedelta(hours=2))
    assert [line["title"] for line in third] == ["esa story 3"]


async def test_bumped_dates_repost_nothing(site: tuple[FeedSite, str], tmp_path: Path) -> None:
    feeds, base = site
    for number in range(1, 4):
        feeds.add("nasa", number)
    config = make_config(base, tmp_path / "db.sqlite3", ["nasa"])
    assert len((await preview(config))[0]) == 3
    for item in feeds.items["nasa"]:
        item["date"] = format_datetime(BASE_TIME + timedelta(days=30))
        item["title"] += " (updated)"
    assert (await preview(config, now=BASE_TIME + timedelta(hours=1)))[0] == []


async def test_new_source_with_fifty_items_yields_backfill_oldest_first(
    site: tuple[FeedSite, str], tmp_path: Path
) -> None:
    feeds, base = site
    for number in range(1, 51):
        feeds.add("jaxa", number)
    config = make_config(base, tmp_path / "db.sqlite3", ["jaxa"], backfill=3)
    lines, _ = await preview(config)
    assert [line["title"] for line in lines] == ["jaxa story 48", "jaxa story 49", "jaxa story 50"]
    assert (await preview(config, now=BASE_TIME + timedelta(hours=1)))[0] == []


async def test_backfill_zero_posts_nothing_from_the_past(site: tuple[FeedSite, str], tmp_path: Path) -> None:
    feeds, base = site
    for number in range(1, 6):
        feeds.add("ukspace", number)
    config = make_config(base, tmp_path / "db.sqlite3", ["ukspace"], backfill=0)
    assert (await preview(config))[0] == []
    feeds.add("ukspace", 6)
    lines, _ = await preview(config, now=BASE_TIME + timedelta(hours=1))
    assert [line["title"] for line in lines] == ["ukspace story 6"]


async def test_failing_source_is_one_stderr_line_and_others_go_on(
    site: tuple[FeedSite, str], tmp_path: Path
) -> None:
    feeds, base = site
    feeds.add("good", 1)
    feeds.broken.add("bad")
    config = make_config(base, tmp_path / "db.sqlite3", ["bad", "good"])
    lines, err = await preview(config)
    assert [line["title"] for line in lines] == ["good story 1"]
    assert err.count("\n") == 1
    assert err.startswith("source Feed bad: ") and "500" in err


async def test_human_output_and_keyword_filters(site: tuple[FeedSite, str], tmp_path: Path) -> None:
    feeds, base = site
    feeds.add("tass", 1)
    feeds.add("tass", 2)
    feeds.items["tass"][0]["title"] = "Football results"
    config = make_config(base, tmp_path / "db.sqlite3", ["tass"], exclude_keywords=["football"])
    out = io.StringIO()
    assert await run_preview(config, out=out, err=io.StringIO(), now=BASE_TIME) == 0
    text = out.getvalue()
    assert "[Feed tass] tass story 1" in text
    assert "Football" not in text
    assert "“The spacecraft is healthy and on course for its new orbit” — Elsa Montagnon" in text
    assert text.rstrip().endswith("1 new entry from 1 source")


async def test_database_keeps_what_was_seen(site: tuple[FeedSite, str], tmp_path: Path) -> None:
    feeds, base = site
    feeds.add("esa", 1)
    db = tmp_path / "db.sqlite3"
    await preview(make_config(base, db, ["esa"]))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        states = conn.execute("SELECT state FROM entries").fetchall()
    assert states == [("skipped",)]


async def test_entries_without_title_or_link_print_no_empty_lines(
    site: tuple[FeedSite, str], tmp_path: Path
) -> None:
    feeds, base = site
    feeds.add("bare", 1)
    feeds.add("bare", 2)
    feeds.items["bare"][0].update(title="", link="")
    feeds.items["bare"][1].update(title="Multi\nline   title")
    config = make_config(base, tmp_path / "db.sqlite3", ["bare"])
    out = io.StringIO()
    assert await run_preview(config, out=out, err=io.StringIO(), now=BASE_TIME) == 0
    lines = out.getvalue().splitlines()
    assert [line for line in lines if not line.strip()] == []
    assert "[Feed bare] (untitled)" in lines
    assert "[Feed bare] Multi line title" in lines
    assert lines[-1] == "2 new entries from 1 source"


@pytest.mark.parametrize("with_file", [False, True])
def test_preview_without_sources_says_how_to_add_one_and_creates_no_database(
    with_file: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SPACEBRIEF_CONFIG", raising=False)
    args = ["preview"]
    if with_file:
        (tmp_path / "config.toml").write_text("[news]\nsentences = 2\n", encoding="utf-8")
        args += ["--config", "config.toml"]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "[[sources]]" in captured.err and "--config FILE" in captured.err and "config.example.toml" in captured.err
    assert sorted(path.name for path in tmp_path.iterdir()) == (["config.toml"] if with_file else [])


async def test_one_article_from_two_sources_is_shown_once_per_channel(
    site: tuple[FeedSite, str], tmp_path: Path
) -> None:
    feeds, base = site
    for feed in ("agency", "aggregator", "elsewhere"):
        feeds.add(feed, 1)
    # The aggregator carries the agency's article under its own guid, with tracking parameters.
    feeds.items["aggregator"][0]["link"] = "http://www.example.org/agency/1/?utm_source=aggregator"
    feeds.items["elsewhere"][0]["link"] = "https://example.org/agency/1"
    config = parse_config(
        {
            "database": {"path": str(tmp_path / "db.sqlite3")},
            "fetch": {"allow_private_networks": True, "timeout_s": 5},
            "sources": [
                {"name": "Agency", "url": f"{base}/agency.xml", "channel_id": 7},
                {"name": "Aggregator", "url": f"{base}/aggregator.xml", "channel_id": 7},
                {"name": "Elsewhere", "url": f"{base}/elsewhere.xml", "channel_id": 8},
            ],
        }
    )
    lines, _ = await preview(config)
    by_channel = sorted((line["channel"], line["source"]) for line in lines)
    assert [channel for channel, _ in by_channel] == ["7", "8"]  # once in channel 7, once in channel 8
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        reasons = [row[0] for row in conn.execute("SELECT skip_reason FROM entries ORDER BY id")]
    assert sorted(reasons).count("the same article (same link) came from another source for this channel") == 1
    assert (await preview(config, now=BASE_TIME + timedelta(hours=1)))[0] == []  # neither comes back
