"""A local web site on 127.0.0.1 serving fixed pages: feeds, articles, errors (no network)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from aiohttp import web


@dataclass
class Page:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class LocalSite:
    """``site.add(path, ...)`` then ``site.url(path)``; ``site.hits[path]`` counts requests.

    A page added with an ``ETag`` header answers a request carrying that ETag in
    ``If-None-Match`` with 304 (counted in ``site.not_modified[path]``), as web servers do."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self._runner: web.AppRunner | None = None
        self.base = ""

    def add(
        self,
        path: str,
        body: str | bytes,
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.pages[path] = Page(data, status, content_type, dict(headers or {}))
        return self.url(path)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.path_qs if request.path_qs in self.pages else request.path
        self.hits[path] += 1
        page = self.pages.get(path)
        if page is None:
            return web.Response(status=404, text="not found")
        etag = page.headers.get("ETag")
        if page.status == 200 and etag is not None and request.headers.get("If-None-Match") == etag:
            self.not_modified[path] += 1
            return web.Response(status=304, headers={"ETag": etag})
        response = web.Response(status=page.status, body=page.body, headers=page.headers)
        response.headers["Content-Type"] = page.content_type
        return response

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets = site._server.sockets if site._server is not None else []  # type: ignore[union-attr]
        port = sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def article_html(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)
    return (
        f"<!doctype html><html><head><title>{escape(title)}</title></head>"
        f"<body><article><h1>{escape(title)}</h1>{body}</article></body></html>"
    )


@dataclass
class RssItem:
    guid: str
    title: str
    link: str
    description: str
    published: datetime


def rss(title: str, items: list[RssItem]) -> str:
    rendered = "".join(
        "<item>"
        f'<guid isPermaLink="false">{escape(item.guid)}</guid>'
        f"<title>{escape(item.title)}</title>"
        f"<link>{escape(item.link)}</link>"
        f"<description>{escape(item.description)}</description>"
        f"<pubDate>{format_datetime(item.published)}</pubDate>"
        "</item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://example.org/</link>"
        f"<description>test feed</description>{rendered}</channel></rss>"
    )
