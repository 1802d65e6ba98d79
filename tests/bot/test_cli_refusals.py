"""`spacebrief summarize` refuses what is not an article, in one line with exit 2, and reads
Latin-1 and Windows-1252 right (issue 13: honest refusals, charsets)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.cli import FEED_HINT, main

ARTICLE = (
    "Le CNES et l’ESA ont confirmé vendredi le lancement d’Ariane 6 depuis Kourou. "
    "« C’est une étape majeure pour l’Europe », a déclaré Philippe Baptiste, le président du CNES. "
    "Les ingénieurs ont vérifié le moteur Vulcain pendant deux semaines. "
    "Le lanceur emportera un satellite météorologique et trois petits satellites. "
    "Le prochain vol est prévu à l’automne, selon l’agence. "
    "Les équipes de Kourou se préparent déjà à cette nouvelle campagne."
)
RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
    "<item><title>One</title><description>The first rocket flew on Monday.</description></item>"
    "<item><title>Two</title><description>The second probe reached Mars.</description></item>"
    "</channel></rss>"
)
NAVIGATION_ONLY = "<html><body><nav>Home</nav></body></html>"


def page(body: bytes, content_type: str, status: int = 200) -> web.RequestHandler:  # type: ignore[type-arg]
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, status=status, headers={"Content-Type": content_type})

    return handler


@pytest.fixture
async def site() -> AsyncIterator[str]:
    app = web.Application()
    html = (
        f"<html><head><title>Ariane 6</title></head><body><article><p>{ARTICLE}</p></article></body></html>"
    )
    app.router.add_get("/latin1", page(html.replace("’", "'").encode("latin-1"), "text/html"))
    app.router.add_get(
        "/cp1252-labelled-latin1", page(html.encode("cp1252"), "text/html; charset=ISO-8859-1")
    )
    app.router.add_get("/feed", page(RSS.encode(), "application/rss+xml"))
    app.router.add_get("/feed-as-xml", page(RSS.encode(), "text/xml"))
    app.router.add_get("/json", page(b'{"a": 1}', "application/json"))
    app.router.add_get("/navigation", page(NAVIGATION_ONLY.encode(), "text/html"))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}"
    await server.close()


@pytest.fixture
def local_config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nallow_private_networks = true\ntimeout_s = 10\n", encoding="utf-8")
    return config


async def summarize(*args: str) -> int:
    # main() runs its own event loop: give it a thread, so this test's loop keeps serving the site.
    return await asyncio.to_thread(main, ["summarize", *args])


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/navigation",
            "URL/navigation: no article text in the HTML: nothing but menus, links or scripts",
        ),
        ("/json", "no article text: URL/json is JSON data, not an article"),
        ("/feed", "no article text: URL/feed is a news feed (RSS), not an article; " + FEED_HINT),
        (
            "/feed-as-xml",
            "no article text: URL/feed-as-xml is a news feed (RSS), not an article; " + FEED_HINT,
        ),
    ],
)
async def test_urls_without_article_text_are_refused_in_one_line(
    site: str, local_config: Path, path: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await summarize("--config", str(local_config), site + path) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "spacebrief: " + expected.replace("URL", site) + "\n"


def test_the_feed_hint_points_to_the_feed_tools() -> None:
    assert "spacebrief preview" in FEED_HINT and "/sources test" in FEED_HINT


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "nav.html",
            NAVIGATION_ONLY,
            "nav.html: no article text in the HTML: nothing but menus, links or scripts",
        ),
        ("data.json", '{"a": 1}', "data.json: no article text: the input is JSON data, not an article"),
        (
            "feed.xml",
            RSS,
            f"feed.xml: no article text: the input is a news feed (RSS), not an article; {FEED_HINT}",
        ),
    ],
)
def test_files_without_article_text_are_refused_in_one_line(
    name: str, content: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(content, encoding="utf-8")
    assert main(["summarize", name]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"spacebrief: {expected}\n")


@pytest.mark.parametrize("path", ["/latin1", "/cp1252-labelled-latin1"])
async def test_latin1_and_windows_1252_pages_decode_right(
    site: str, local_config: Path, path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await summarize("--json", "--config", str(local_config), site + path) == 0
    data = json.loads(capsys.readouterr().out)
    text = " ".join(data["summary"])
    assert "é" in text and "ď" not in text and "Ã" not in text and "\ufffd" not in text
    if path == "/cp1252-labelled-latin1":
        assert (
            "’" in text
        )  # 0x92 in a page labelled Latin-1 is windows-1252's apostrophe, as browsers read it


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_and_windows_1252_files_decode_right(
    encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ARTICLE if encoding == "cp1252" else ARTICLE.replace("’", "'")
    path = tmp_path / "article.txt"
    path.write_bytes(("Ariane 6 : feu vert\n\n" + text).encode(encoding))
    assert main(["summarize", "--json", "--sentences", "6", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Ariane 6 : feu vert"
    summary = " ".join(data["summary"])
    for word in ("confirmé", "déclaré", "président", "ingénieurs", "vérifié", "prévu", "équipes"):
        assert word in summary
    assert "ď" not in summary and "Ã" not in summary and "\ufffd" not in summary
    # The quotation is in a summary sentence here, so it is not repeated as a key quote (issue 8).
    assert ("C’est une étape majeure pour l’Europe" if encoding == "cp1252" else
            "C'est une étape majeure pour l'Europe") in summary  # fmt: skip
    assert data["quotes"] == []
