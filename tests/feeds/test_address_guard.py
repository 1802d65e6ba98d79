"""The address guard: which addresses are public, and that refusals happen with the default config."""

from __future__ import annotations

import socket
from collections import Counter

import pytest
from aiohttp import web

from feeds.fetch import (
    BlockedAddressError,
    Fetcher,
    FetchLimits,
    GuardedResolver,
    UnsupportedSchemeError,
    check_url,
    is_public_address,
)

REFUSED = [
    # IPv4
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local (cloud metadata)"),
    ("100.64.0.1", "CGNAT"),
    ("100.127.255.254", "CGNAT"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "this network"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.1", "benchmarking"),
    ("192.0.2.10", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("192.0.0.8", "IETF protocol assignments"),
    ("192.88.99.1", "6to4 relay anycast"),
    # IPv6
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local with zone"),
    ("fc00::1", "unique local"),
    ("fd12:3456:789a::1", "unique local"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("ff0e::1", "global-scope multicast"),
    ("2001:db8::1", "documentation"),
    ("100::1", "discard"),
    ("::127.0.0.1", "IPv4-compatible (deprecated)"),
    # IPv6 forms judged by the IPv4 inside
    ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
    ("::ffff:10.0.0.1", "IPv4-mapped private"),
    ("::ffff:169.254.169.254", "IPv4-mapped link-local"),
    ("64:ff9b::127.0.0.1", "NAT64 loopback"),
    ("64:ff9b::a00:1", "NAT64 private"),
    ("64:ff9b:1::808:808", "local-use NAT64"),
    ("2002:7f00:1::1", "6to4 of 127.0.0.1"),
    ("2002:c0a8:101::1", "6to4 of 192.168.1.1"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo, client 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo, client 10.0.0.1"),
    ("2001:0:7f00:1:8000:63bf:f7f7:f7f7", "Teredo, server 127.0.0.1"),
    # junk
    ("not an address", "unparsable"),
    ("", "empty"),
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",  # mapped, judged by 8.8.8.8
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "2001:0:4136:e378:8000:63bf:f7f7:f7f7",  # Teredo: server 65.54.227.120, client 8.8.8.8
]


@pytest.mark.parametrize(("address", "why"), REFUSED)
def test_non_public_addresses_are_refused(address: str, why: str) -> None:
    assert not is_public_address(address), why


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public_address(address)


def test_is_public_address_accepts_ip_objects_and_brackets() -> None:
    import ipaddress

    assert not is_public_address(ipaddress.ip_address("10.1.1.1"))
    assert is_public_address(ipaddress.ip_address("8.8.4.4"))
    assert not is_public_address("[::1]")


ODD_LOOPBACK_SPELLINGS = ["2130706433", "0177.0.0.1", "127.1", "0x7f.1", "0x7f000001", "017700000001", "127.0.1"]


@pytest.mark.parametrize("host", ODD_LOOPBACK_SPELLINGS)
def test_check_url_refuses_odd_loopback_spellings(host: str) -> None:
    with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1"):
        check_url(f"http://{host}/feed")


@pytest.mark.parametrize("host", ODD_LOOPBACK_SPELLINGS)
async def test_resolver_refuses_what_getaddrinfo_makes_of_odd_spellings(host: str) -> None:
    # Through the real getaddrinfo, not our pre-check: the connect-time guard holds on its own.
    resolver = GuardedResolver()
    try:
        with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1"):
            await resolver.resolve(host, 80, socket.AF_INET)
    finally:
        await resolver.close()


async def test_resolver_refuses_localhost_and_allows_it_when_opened() -> None:
    guarded = GuardedResolver()
    opened = GuardedResolver(allow_private_networks=True)
    try:
        with pytest.raises(BlockedAddressError):
            await guarded.resolve("localhost", 80, socket.AF_INET)
        answers = await opened.resolve("localhost", 80, socket.AF_INET)
        assert any(a["host"] == "127.0.0.1" for a in answers)
    finally:
        await guarded.close()
        await opened.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "https://169.254.169.254/latest/meta-data/",
        "http://[fe80::1%25eth0]/",
        "http://10.0.0.1:8080/feed",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::]/",
    ],
)
def test_check_url_refuses_literal_private_hosts(url: str) -> None:
    with pytest.raises(BlockedAddressError):
        check_url(url)
    assert check_url(url, allow_private=True)  # opened for LAN/tests


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://ftp.example.org/", "data:text/plain,hi", "gopher://x/"])
def test_allowing_private_networks_never_opens_other_schemes(url: str) -> None:
    with pytest.raises(UnsupportedSchemeError):
        check_url(url, allow_private=True)


def test_check_url_normalises_and_keeps_public_urls() -> None:
    assert check_url("  https://www.nasa.gov/feed/ ") == "https://www.nasa.gov/feed/"
    assert check_url("HTTP://8.8.8.8/rss") == "http://8.8.8.8/rss"


def _ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def _counting_app(hits: Counter[str]) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        hits[request.path] += 1
        return web.Response(text="<rss version='2.0'><channel><title>t</title></channel></rss>")

    app = web.Application()
    app.router.add_get("/feed", handler)
    return app


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        pytest.param(
            "::1",
            marks=pytest.mark.skipif(not _ipv6_loopback_available(), reason="no IPv6 loopback on this machine"),
        ),
    ],
)
async def test_real_connections_to_loopback_are_refused_by_default(serve, host: str) -> None:  # type: ignore[no-untyped-def]
    hits: Counter[str] = Counter()
    base = await serve(_counting_app(hits), host=host)
    port = base.rsplit(":", 1)[1]
    async with Fetcher(FetchLimits(timeout_s=5)) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.get(base + "/feed")
        if host == "127.0.0.1":
            # Names and odd spellings that land on the same server are refused too.
            for alias in ("localhost", "2130706433", "0177.0.0.1", "127.1", "0x7f.1"):
                with pytest.raises(BlockedAddressError):
                    await fetcher.get(f"http://{alias}:{port}/feed")
        else:
            with pytest.raises(BlockedAddressError):
                await fetcher.get(f"http://[::ffff:127.0.0.1]:{port}/feed")
    assert hits["/feed"] == 0
    # The same server is reachable once private networks are allowed: the refusals above were the guard.
    async with Fetcher(FetchLimits(timeout_s=5, allow_private_networks=True)) as fetcher:
        assert (await fetcher.get(base + "/feed")).status == 200
    assert hits["/feed"] == 1
