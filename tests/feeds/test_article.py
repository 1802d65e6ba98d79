"""fetch_article: page fetched through the Fetcher, text extracted in a worker thread."""

from __future__ import annotations

import pytest
from aiohttp import web

from feeds.article import NoArticleTextError, fetch_article
from feeds.fetch import Fetcher, FetchError, FetchLimits, HTTPStatusError

LOCAL = FetchLimits(timeout_s=10, allow_private_networks=True)


@pytest.fixture
async def site(serve, sample_bytes):  # type: ignore[no-untyped-def]
    article = sample_bytes("article.html")

    def page(body: bytes, content_type: str):  # type: ignore[no-untyped-def]
        async def handler(request: web.Request) -> web.Response:
            return web.Response(body=body, headers={"Content-Type": content_type})

        return handler

    app = web.Application()
    app.router.add_get("/hera", page(article, "text/html; charset=utf-8"))
    app.router.add_get("/hera-latin1", page(
        article.decode().replace("utf-8", "iso-8859-1").replace("decades", "décennies").encode("latin-1"),
        "text/html",
    ))
    app.router.add_get("/empty", page(b"   ", "text/html"))
    app.router.add_get("/shell", page(b"<html><head><script src='app.js'></script></head><body></body></html>",
                                      "text/html"))
    app.router.add_get("/image", page(b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png"))

    async def moved(request: web.Request) -> web.Response:
        return web.Response(status=301, headers={"Location": "/hera"})

    app.router.add_get("/moved", moved)
    return await serve(app)


async def test_article_text_is_extracted(site: str) -> None:
    async with Fetcher(LOCAL) as fetcher:
        article = await fetch_article(fetcher, site + "/hera")
    assert article.title == "Hera images Deimos"
    assert "Hera spacecraft captured detailed images of the far side of Deimos" in article.text
    assert '"They will help us understand where the Martian moons came from."' in article.text
    assert "Home" not in article.text  # navigation is not article text


async def test_meta_charset_is_honoured_without_a_header_charset(site: str) -> None:
    async with Fetcher(LOCAL) as fetcher:
        article = await fetch_article(fetcher, site + "/hera-latin1")
    assert "décennies" in article.text


async def test_redirected_article(site: str) -> None:
    async with Fetcher(LOCAL) as fetcher:
        article = await fetch_article(fetcher, site + "/moved")
    assert "Deimos" in article.text


@pytest.mark.parametrize("path", ["/empty", "/shell", "/image"])
async def test_pages_without_text_raise_no_article_text(site: str, path: str) -> None:
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(NoArticleTextError) as caught:
            await fetch_article(fetcher, site + path)
    assert "no article text" in str(caught.value)
    assert isinstance(caught.value, FetchError)  # callers can catch FetchError for both


async def test_http_errors_pass_through(site: str) -> None:
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(HTTPStatusError) as caught:
            await fetch_article(fetcher, site + "/missing")
    assert caught.value.status == 404
