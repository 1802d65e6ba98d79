"""Fetcher against local aiohttp servers on 127.0.0.1: statuses, redirects, limits, conditional GET."""

from __future__ import annotations

import asyncio
import email.utils
import functools
import gzip
import ipaddress
import socket
import tracemalloc
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

import feeds.fetch as fetch_module
import feeds.urls as urls_module
from feeds.fetch import (
    USER_AGENT,
    BlockedAddressError,
    Fetcher,
    FetchError,
    FetchLimits,
    FetchTimeoutError,
    HTTPStatusError,
    TooLargeError,
    TooManyRedirectsError,
    UnsupportedSchemeError,
    parse_retry_after,
)
from feeds.parse import parse_feed

LOCAL = FetchLimits(timeout_s=5, max_bytes=1_000_000, allow_private_networks=True)
ETAG = '"feed-v1"'
LAST_MODIFIED = "Tue, 03 Mar 2026 19:30:00 GMT"


BOMB = web.AppKey("bomb", bytes)
SEEN = web.AppKey("seen_request_headers", list)


@functools.cache
def gzip_bomb(inflated_bytes: int) -> bytes:
    """Zeros compressed by gzip: about 1000:1, so small on the wire and huge when inflated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(inflated_bytes >> 20)]
    parts.append(compressor.flush())
    return b"".join(parts)


def make_app(feed: bytes, hits: Counter[str]) -> web.Application:
    routes = web.RouteTableDef()

    @web.middleware
    async def count(request: web.Request, handler):  # type: ignore[no-untyped-def]
        hits[request.path] += 1
        request.app[SEEN][:] = [dict(request.headers)]
        return await handler(request)

    @routes.get("/feed")
    async def feed_route(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == ETAG or request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return web.Response(status=304, headers={"ETag": ETAG})
        return web.Response(
            body=feed,
            content_type="application/rss+xml",
            charset="utf-8",
            headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED},
        )

    def redirect(status: int, location: str):  # type: ignore[no-untyped-def]
        async def handler(request: web.Request) -> web.Response:
            return web.Response(status=status, headers={"Location": location})

        return handler

    app = web.Application(middlewares=[count])
    app.router.add_get("/moved", redirect(301, "/moved2"))
    app.router.add_get("/moved2", redirect(308, "/feed"))
    app.router.add_get("/temp", redirect(302, "/feed"))
    app.router.add_get("/moved-then-temp", redirect(301, "/temp"))
    app.router.add_get("/loop", redirect(302, "/loop"))
    app.router.add_get("/to-ftp", redirect(302, "ftp://127.0.0.1/feed"))
    app.router.add_get("/to-file", redirect(301, "file:///etc/passwd"))
    app.router.add_get("/to-private", redirect(302, "http://10.20.30.40/feed"))
    app.router.add_get("/to-loopback-name", redirect(302, "http://internal.test/feed"))

    @routes.get("/chain/{n}")
    async def chain(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n == 0:
            return web.Response(body=feed, content_type="application/rss+xml")
        return web.Response(status=307, headers={"Location": f"/chain/{n - 1}"})

    @routes.get("/status/{code}")
    async def status(request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        headers = {}
        if "retry" in request.query:
            headers["Retry-After"] = request.query["retry"]
        return web.Response(status=code, text="nope", headers=headers)

    @routes.get("/big-with-length")
    async def big_with_length(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 2_000_000, content_type="text/plain")

    @routes.get("/big-chunked")
    async def big_chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(40):
            await response.write(b"y" * 65536)
        await response.write_eof()
        return response

    @routes.get("/bomb")
    async def bomb(request: web.Request) -> web.Response:
        return web.Response(
            body=request.app[BOMB], headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
        )

    @routes.get("/gzip-feed")
    async def gzip_feed(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(feed), headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
        )

    @routes.get("/gzip-members")
    async def gzip_members(request: web.Request) -> web.Response:
        # Concatenated gzip members are one valid gzip stream (RFC 1952); each must be inflated.
        body = gzip.compress(feed[:1000]) + gzip.compress(feed[1000:])
        return web.Response(body=body, headers={"Content-Encoding": "gzip"})

    @routes.get("/gzip-corrupt")
    async def gzip_corrupt(request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(feed)[:40] + b"garbage" * 10, headers={"Content-Encoding": "gzip"})

    @routes.get("/gzip-truncated")
    async def gzip_truncated(request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(feed)[:-200], headers={"Content-Encoding": "gzip"})

    @routes.get("/deflate-raw")
    async def deflate_raw(request: web.Request) -> web.Response:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        body = compressor.compress(feed) + compressor.flush()
        return web.Response(body=body, headers={"Content-Encoding": "deflate"})

    @routes.get("/brotli")
    async def brotli(request: web.Request) -> web.Response:
        return web.Response(body=b"\x0b\x02\x80hi\x03", headers={"Content-Encoding": "br"})

    @routes.get("/slow-headers")
    async def slow_headers(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.Response(text="late")

    @routes.get("/slow-body")
    async def slow_body(request: web.Request) -> web.StreamResponse:
        # Each chunk arrives well within any per-read timeout; only a whole-fetch deadline stops this.
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(300):
            await response.write(b"<!-- trickle -->")
            await asyncio.sleep(0.1)
        return response

    @routes.get("/echo-headers")
    async def echo_headers(request: web.Request) -> web.Response:
        return web.json_response(dict(request.headers))

    app.add_routes(routes)
    app[BOMB] = gzip_bomb(64 << 20)
    app[SEEN] = []
    return app


@pytest.fixture
async def server(serve, sample_bytes):  # type: ignore[no-untyped-def]
    hits: Counter[str] = Counter()
    feed = sample_bytes("rss20.xml")
    app = make_app(feed, hits)
    base = await serve(app)
    return base, hits, feed, app


async def test_plain_get_returns_body_validators_and_sends_user_agent(server) -> None:  # type: ignore[no-untyped-def]
    base, _, feed, _ = server
    async with Fetcher(LOCAL) as fetcher:
        result = await fetcher.get(base + "/feed")
        echoed = await fetcher.get(base + "/echo-headers")
    assert result.status == 200
    assert result.body == feed
    assert result.etag == ETAG
    assert result.last_modified == LAST_MODIFIED
    assert result.content_type == "application/rss+xml"
    assert result.charset == "utf-8"
    assert result.permanent_url is None
    assert result.url == base + "/feed"
    assert "Artemis II" in result.text()
    assert USER_AGENT.startswith("spacebrief/")
    assert f'"User-Agent": "{USER_AGENT}"' in echoed.text()


async def test_conditional_get_sends_validators_and_handles_304(server) -> None:  # type: ignore[no-untyped-def]
    base, hits, _, app = server
    async with Fetcher(LOCAL) as fetcher:
        first = await fetcher.get(base + "/feed")
        again = await fetcher.get(base + "/feed", etag=first.etag, last_modified=first.last_modified)
    assert app[SEEN][0]["If-None-Match"] == ETAG
    assert app[SEEN][0]["If-Modified-Since"] == LAST_MODIFIED
    assert again.status == 304
    assert again.not_modified
    assert again.body == b""
    assert again.etag == ETAG
    assert again.last_modified == LAST_MODIFIED  # kept from the request when the 304 omits it
    assert hits["/feed"] == 2


async def test_conditional_get_with_only_last_modified(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, app = server
    async with Fetcher(LOCAL) as fetcher:
        result = await fetcher.get(base + "/feed", last_modified=LAST_MODIFIED)
    assert "If-None-Match" not in app[SEEN][0]
    assert result.status == 304


async def test_permanent_redirect_chain_exposes_permanent_url(server) -> None:  # type: ignore[no-untyped-def]
    base, _, feed, _ = server
    async with Fetcher(LOCAL) as fetcher:
        result = await fetcher.get(base + "/moved")
    assert result.status == 200
    assert result.body == feed
    assert result.url == base + "/feed"
    assert result.permanent_url == base + "/feed"


async def test_temporary_redirect_is_not_permanent(server) -> None:  # type: ignore[no-untyped-def]
    base, _, feed, _ = server
    async with Fetcher(LOCAL) as fetcher:
        result = await fetcher.get(base + "/temp")
        mixed = await fetcher.get(base + "/moved-then-temp")
    assert result.body == feed
    assert result.url == base + "/feed"
    assert result.permanent_url is None
    # 301 then 302: the stored URL moves only as far as the permanent part of the chain.
    assert mixed.permanent_url == base + "/temp"
    assert mixed.url == base + "/feed"


async def test_five_redirects_are_followed_six_are_refused(server) -> None:  # type: ignore[no-untyped-def]
    base, hits, feed, _ = server
    async with Fetcher(LOCAL) as fetcher:
        result = await fetcher.get(base + "/chain/5")
        assert result.body == feed
        with pytest.raises(TooManyRedirectsError):
            await fetcher.get(base + "/chain/6")
    assert hits["/chain/0"] == 1  # the sixth hop was never requested


async def test_redirect_loop_is_refused(server) -> None:  # type: ignore[no-untyped-def]
    base, hits, _, _ = server
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(TooManyRedirectsError, match="too many redirects"):
            await fetcher.get(base + "/loop")
    assert hits["/loop"] == 6


@pytest.mark.parametrize("path", ["/to-ftp", "/to-file"])
async def test_redirect_to_other_scheme_is_refused_even_with_private_networks_allowed(server, path) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(UnsupportedSchemeError):
            await fetcher.get(base + path)


async def test_first_url_with_other_scheme_is_refused() -> None:
    async with Fetcher(LOCAL) as fetcher:
        for url in ("file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/", "javascript:alert(1)"):
            with pytest.raises(UnsupportedSchemeError):
                await fetcher.get(url)


class FakeResolver(AbstractResolver):
    """DNS answers from a table: lets tests make a name resolve to any address."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.table[host]
        ]

    async def close(self) -> None:
        return None


@pytest.fixture
def loopback_counts_as_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend only 127.0.0.1 is public, so the default (guarded) config can reach the test server
    and we can watch the guard refuse the *redirect* targets."""
    real = urls_module.is_public_address

    def fake(ip: object) -> bool:
        return str(ip).strip("[]") == "127.0.0.1" or real(ip)  # type: ignore[arg-type]

    monkeypatch.setattr(urls_module, "is_public_address", fake)


@pytest.mark.usefixtures("loopback_counts_as_public")
async def test_redirect_to_private_address_is_refused_with_default_config(server) -> None:  # type: ignore[no-untyped-def]
    base, hits, feed, _ = server
    resolver = FakeResolver({"internal.test": ["10.1.2.3", "192.168.0.7"]})
    async with Fetcher(FetchLimits(timeout_s=5), inner_resolver=resolver) as fetcher:
        assert (await fetcher.get(base + "/temp")).body == feed  # the guard lets the "public" server through
        with pytest.raises(BlockedAddressError, match=r"10\.20\.30\.40"):
            await fetcher.get(base + "/to-private")
        with pytest.raises(BlockedAddressError, match=r"internal\.test"):
            await fetcher.get(base + "/to-loopback-name")
    assert hits["/to-private"] == 1 and hits["/to-loopback-name"] == 1


@pytest.mark.usefixtures("loopback_counts_as_public")
async def test_resolver_keeps_only_public_addresses(server) -> None:  # type: ignore[no-untyped-def]
    base, _, feed, _ = server
    port = base.rsplit(":", 1)[1]
    resolver = FakeResolver({"feeds.test": ["10.0.0.9", "127.0.0.1"], "rebind.test": ["169.254.169.254"]})
    async with Fetcher(FetchLimits(timeout_s=5), inner_resolver=resolver) as fetcher:
        result = await fetcher.get(f"http://feeds.test:{port}/feed")
        assert result.body == feed
        with pytest.raises(BlockedAddressError, match=r"169\.254\.169\.254"):
            await fetcher.get(f"http://rebind.test:{port}/feed")


async def test_gone_is_flagged(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.get(base + "/status/410")
    assert caught.value.status == 410
    assert caught.value.gone
    assert "410" in str(caught.value)


async def test_retry_after_in_seconds(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.get(base + "/status/429?retry=120")
    assert caught.value.status == 429
    assert caught.value.retry_after == 120.0
    assert not caught.value.gone


async def test_retry_after_as_http_date(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=600), usegmt=True)
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.get(base + "/status/503?retry=" + when)
    assert caught.value.status == 503
    assert caught.value.retry_after is not None
    assert 540 <= caught.value.retry_after <= 600


def test_parse_retry_after_forms() -> None:
    now = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert parse_retry_after("30", now=now) == 30.0
    assert parse_retry_after("Tue, 03 Mar 2026 12:01:30 GMT", now=now) == 90.0
    assert parse_retry_after("Tue, 03 Mar 2026 11:00:00 GMT", now=now) == 0.0  # in the past
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after("-5", now=now) is None
    assert parse_retry_after(None) is None


async def test_server_error_and_retry_after_ignored_elsewhere(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.get(base + "/status/500?retry=10")
        with pytest.raises(HTTPStatusError) as not_found:
            await fetcher.get(base + "/nowhere")
    assert caught.value.status == 500
    assert caught.value.retry_after is None
    assert not_found.value.status == 404


async def test_slow_headers_time_out(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    async with Fetcher(FetchLimits(timeout_s=0.5, allow_private_networks=True)) as fetcher:
        with pytest.raises(FetchTimeoutError, match="timed out"):
            await fetcher.get(base + "/slow-headers")


async def test_trickling_body_hits_the_whole_fetch_deadline(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    async with Fetcher(FetchLimits(timeout_s=0.8, allow_private_networks=True)) as fetcher:
        with pytest.raises(FetchTimeoutError):
            await fetcher.get(base + "/slow-body")


async def test_oversized_body_with_content_length_is_refused(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(TooLargeError, match="2000000 bytes declared"):
            await fetcher.get(base + "/big-with-length")


async def test_oversized_chunked_body_is_refused(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(TooLargeError, match="more than 1000000 bytes"):
            await fetcher.get(base + "/big-chunked")
        # At the cap exactly it passes: 40 * 65536 = 2621440 bytes.
    roomy = FetchLimits(timeout_s=5, max_bytes=40 * 65536, allow_private_networks=True)
    async with Fetcher(roomy) as fetcher:
        assert len((await fetcher.get(base + "/big-chunked")).body) == 40 * 65536


async def test_gzip_bomb_is_cut_at_the_cap_without_inflating(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, app = server
    assert len(app[BOMB]) < 200_000  # small on the wire, 64 MiB inflated
    async with Fetcher(LOCAL) as fetcher:
        tracemalloc.start()
        try:
            with pytest.raises(TooLargeError):
                await fetcher.get(base + "/bomb")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # Inflating it all would take 64 MiB; the cap is 1 MB, so a few MB of peak is the budget.
    assert peak < 8 * 1024 * 1024, peak


async def test_gzip_and_raw_deflate_bodies_are_decoded(server) -> None:  # type: ignore[no-untyped-def]
    base, _, feed, _ = server
    async with Fetcher(LOCAL) as fetcher:
        assert (await fetcher.get(base + "/gzip-feed")).body == feed
        assert (await fetcher.get(base + "/deflate-raw")).body == feed
        assert (await fetcher.get(base + "/gzip-members")).body == feed
        with pytest.raises(FetchError, match="corrupt gzip body"):
            await fetcher.get(base + "/gzip-corrupt")
        with pytest.raises(FetchError, match="corrupt gzip body: truncated"):
            await fetcher.get(base + "/gzip-truncated")
        with pytest.raises(FetchError, match="unsupported content encoding"):
            await fetcher.get(base + "/brotli")


async def test_fetched_feed_parses(server) -> None:  # type: ignore[no-untyped-def]
    base, _, _, _ = server
    async with Fetcher(LOCAL) as fetcher:
        result = await fetcher.get(base + "/gzip-feed")
    parsed = await asyncio.to_thread(parse_feed, result.body, url=result.url, content_type=result.content_type)
    assert [e.guid for e in parsed.entries][:1] == ["orbital-notes-4411"]


async def test_connection_refused_is_a_one_line_fetch_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        async with Fetcher(LOCAL) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.get(f"http://127.0.0.1:{port}/")
    assert "\n" not in str(caught.value)
    assert "cannot connect" in str(caught.value)


def test_error_messages_are_one_line() -> None:
    error = HTTPStatusError(404, url="http://x.example/\nInjected: header\r\n")
    assert "\n" not in str(error) and "\r" not in str(error)
    assert str(FetchError("a\nb")) == "a b"


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        FetchLimits(timeout_s=0)
    with pytest.raises(ValueError):
        FetchLimits(max_bytes=0)


def test_ipaddress_sanity_for_the_loopback_fixture() -> None:
    # The fixture above relies on 127.0.0.1 being refused without it.
    assert not fetch_module.is_public_address(ipaddress.ip_address("127.0.0.1"))
