"""Articles: summarize_url (page -> summary, or a one-line refusal) and summarize_entry (feed entries)."""

from __future__ import annotations

import pytest
from aiohttp import web

from feeds.article import NoArticleTextError, summarize_entry, summarize_url
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


async def summary_text(url: str) -> tuple[str | None, str]:
    """The title and every sentence and quote summarize_url keeps of a short page."""
    async with Fetcher(LOCAL) as fetcher:
        summary = await summarize_url(fetcher, url, sentences=10, max_quotes=5)
    return summary.title, " ".join([*summary.summary, *(quote.text for quote in summary.quotes)])


async def test_article_text_is_extracted(site: str) -> None:
    title, text = await summary_text(site + "/hera")
    assert title == "Hera images Deimos"
    assert "Hera spacecraft captured detailed images of the far side of Deimos" in text
    assert "They will help us understand where the Martian moons came from." in text
    assert "Home" not in text  # navigation is not article text


async def test_meta_charset_is_honoured_without_a_header_charset(site: str) -> None:
    _, text = await summary_text(site + "/hera-latin1")
    assert "décennies" in text


async def test_redirected_article(site: str) -> None:
    _, text = await summary_text(site + "/moved")
    assert "Deimos" in text


@pytest.mark.parametrize("path", ["/empty", "/shell", "/image"])
async def test_pages_without_text_raise_no_article_text(site: str, path: str) -> None:
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(NoArticleTextError) as caught:
            await summarize_url(fetcher, site + path)
    assert "no article text" in str(caught.value)
    assert isinstance(caught.value, FetchError)  # callers can catch FetchError for both


async def test_http_errors_pass_through(site: str) -> None:
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(HTTPStatusError) as caught:
            await summarize_url(fetcher, site + "/missing")
    assert caught.value.status == 404


async def test_summarize_url_is_one_fetch_and_one_summary(site: str) -> None:
    calls: list[str] = []

    async def runner(func, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(func.__name__)
        return func(*args, **kwargs)

    async with Fetcher(LOCAL) as fetcher:
        summary = await summarize_url(fetcher, site + "/hera-latin1", sentences=2, max_quotes=1, run_cpu=runner)
    assert calls == ["summarize"]  # extraction and summary: one job for the CPU pool
    assert summary.title == "Hera images Deimos"
    assert len(summary.summary) == 2 and any("Deimos" in sentence for sentence in summary.summary)
    [quote] = summary.quotes
    assert quote.text in ("These are the first close-up images of this side of Deimos in décennies",
                          "They will help us understand where the Martian moons came from.")


@pytest.mark.parametrize(("path", "error"), [("/image", NoArticleTextError), ("/empty", NoArticleTextError),
                                             ("/missing", HTTPStatusError), ("/shell", NoArticleTextError)])
async def test_summarize_url_refuses_what_has_no_article(site: str, path: str, error: type[Exception]) -> None:
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(error) as caught:
            await summarize_url(fetcher, site + path)
    assert "\n" not in str(caught.value)
    if path == "/shell":  # the summarizer found no text: the why users are shown
        assert str(caught.value).startswith(site + path + ": no article text")
        assert caught.value.why == "it holds nothing but menus, links or scripts"  # type: ignore[attr-defined]


async def test_summarize_entry_falls_back_to_the_feed_text(site: str) -> None:
    teaser = "Short teaser about Deimos and the Hera flyby, which continues on the page…"
    async with Fetcher(LOCAL) as fetcher:
        from_page = await summarize_entry(
            fetcher, text=teaser, link=site + "/hera", is_teaser=True, sentences=1, max_quotes=1
        )
        assert from_page.problem is None and from_page.page_problem is None
        assert from_page.summary is not None and from_page.summary.title == "Hera images Deimos"
        fallback = await summarize_entry(
            fetcher, text=teaser, link=site + "/missing", is_teaser=True, sentences=1, max_quotes=1
        )
        assert fallback.problem is not None and "404" in fallback.problem
        assert fallback.page_problem == "HTTP 404"  # what the post says about the page
        assert fallback.summary is not None and fallback.summary.summary == [teaser]
        nothing = await summarize_entry(fetcher, text="  ", link=None, is_teaser=False, sentences=1, max_quotes=1)
        assert nothing.summary is None and nothing.problem is None


RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><item><title>A</title></item></channel></rss>'
NAVIGATION_ONLY = (
    b"<!doctype html><html><head><title>Example</title></head><body><header><a href='/'>Home</a> "
    b"<a href='/news'>News</a></header><nav><ul><li><a href='/about'>About us</a></li><li>"
    b"<a href='/contact'>Contact</a></li></ul></nav></body></html>"
)


@pytest.fixture
async def refusing_site(serve):  # type: ignore[no-untyped-def]
    pages = {
        "/rss": (RSS, "application/rss+xml"),
        "/rss-as-xml": (RSS, "text/xml"),
        "/atom-as-html": (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>', "text/html"),
        "/jsonfeed": (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "application/feed+json"),
        "/json": (b'{"a": 1}', "application/json"),
        "/json-as-text": (b'{"a": 1}', "text/plain"),
        "/problem-json": (b'{"title": "nope"}', "application/problem+json"),
        "/navigation": (NAVIGATION_ONLY, "text/html"),
    }
    app = web.Application()
    for path, (body, content_type) in pages.items():

        async def handler(request: web.Request, body: bytes = body, content_type: str = content_type) -> web.Response:
            return web.Response(body=body, headers={"Content-Type": content_type})

        app.router.add_get(path, handler)
    return await serve(app)


@pytest.mark.parametrize(
    ("path", "why", "is_feed"),
    [
        ("/rss", "it is a news feed (RSS)", True),
        ("/rss-as-xml", "it is a news feed (RSS)", True),
        ("/atom-as-html", "it is a news feed (Atom)", True),
        ("/jsonfeed", "it is a news feed (JSON Feed)", True),
        ("/json", "it is JSON data", False),
        ("/json-as-text", "it is JSON data", False),
        ("/problem-json", "it is JSON data", False),
        ("/navigation", "it holds nothing but menus, links or scripts", False),
    ],
)
async def test_pages_that_are_not_articles_say_why(refusing_site: str, path: str, why: str, is_feed: bool) -> None:
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(NoArticleTextError) as caught:
            await summarize_url(fetcher, refusing_site + path)
    assert caught.value.why == why
    assert caught.value.is_feed is is_feed
    # Refused from the response, or (no text in the HTML) by the summarizer, which names the page.
    assert str(caught.value).startswith(("no article text", f"{refusing_site}{path}: no article text"))
    assert "\n" not in str(caught.value)
