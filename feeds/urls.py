"""What may be fetched, and how a fetch fails: URL checks, the address guard, the fetch errors.

The guard refuses every address that is not globally routable (DESIGN.md "Edges of the contract"):
``check_url`` before a request (schemes, literal IPs in any spelling getaddrinfo accepts), and
``GuardedResolver`` at connect time, so a name that resolves (or rebinds) to a private address is
refused too. Every error is a ``FetchError`` whose ``str()`` is one line, safe to show to a user.
"""

from __future__ import annotations

import ipaddress
import socket

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

ALLOWED_SCHEMES = frozenset({"http", "https"})
_MAX_MESSAGE_URL = 200


# --------------------------------------------------------------------------------------------------
# Errors


class FetchError(Exception):
    """Any failure to fetch; `str()` is a single line meant for users and logs."""

    def __init__(self, reason: str) -> None:
        self.reason = one_line(reason)
        super().__init__(self.reason)


class BlockedAddressError(FetchError):
    """The host is (or resolves only to) an address that is not globally routable."""


class UnsupportedSchemeError(FetchError):
    """A URL (first or redirected) whose scheme is not http or https."""


class TooLargeError(FetchError):
    """The body (decompressed) or the local file is larger than `max_bytes`."""


class FetchTimeoutError(FetchError):
    """The whole fetch took longer than `timeout_s`."""


class TooManyRedirectsError(FetchError):
    """More than `MAX_REDIRECTS` redirects (a loop ends here too)."""


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx/5xx, or a 3xx we cannot follow)."""

    def __init__(self, status: int, retry_after: float | None = None, *, url: str | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        self.url = url
        where = f" from {short_url(url)}" if url else ""
        message = f"HTTP {status}{where}"
        if status == 410:
            message += " (gone)"
        if retry_after is not None:
            message += f" (retry after {retry_after:.0f} s)"
        super().__init__(message)

    @property
    def gone(self) -> bool:
        """410 Gone: the source should be disabled, not retried."""
        return self.status == 410


def one_line(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(cleaned.split()) or "fetch failed"


def short_url(url: str) -> str:
    text = one_line(url)
    return text if len(text) <= _MAX_MESSAGE_URL else text[: _MAX_MESSAGE_URL - 1] + "…"


# --------------------------------------------------------------------------------------------------
# The address guard

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges ipaddress.is_global misses on some Python versions (3.11's tables are older than 3.13's).
_EXTRA_NON_GLOBAL_V4 = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # CGNAT
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # TEST-NET-1
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "240.0.0.0/4",  # reserved, includes 255.255.255.255
    )
)
_EXTRA_NON_GLOBAL_V6 = tuple(
    ipaddress.ip_network(n)
    for n in (
        "::/8",  # unspecified, loopback, IPv4-compatible (deprecated) and other reserved forms
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215): any IPv4 inside, so never trusted
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (Teredo is judged before this check)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (RFC 9637)
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
    )
)
_NAT64_WKP = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address stands for (mapped, NAT64, 6to4, Teredo), empty when none."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip in _NAT64_WKP:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        server, client = ip.teredo
        return [server, client]
    return []


def _is_public_v4(ip: ipaddress.IPv4Address) -> bool:
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback:
        return False
    return not any(ip in net for net in _EXTRA_NON_GLOBAL_V4)


def is_public_address(ip: str | IPAddress) -> bool:
    """True only for a globally routable unicast address.

    IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16) and Teredo (2001::/32)
    addresses are judged by the IPv4 address inside. Anything unparsable is not public.
    """
    if isinstance(ip, str):
        try:
            ip = ipaddress.ip_address(ip.strip("[]"))
        except ValueError:
            return False
    if isinstance(ip, ipaddress.IPv4Address):
        return _is_public_v4(ip)
    embedded = _embedded_ipv4(ip)
    if embedded:
        return all(_is_public_v4(v4) for v4 in embedded)
    if (
        not ip.is_global
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_site_local
    ):
        return False
    bare = ipaddress.IPv6Address(int(ip))  # drop any %scope so network membership works
    return not any(bare in net for net in _EXTRA_NON_GLOBAL_V6)


def _literal_ip(host: str) -> IPAddress | None:
    """The address a host names without DNS: an IP literal, or an IPv4 spelling getaddrinfo accepts.

    inet_aton is what getaddrinfo applies to numeric hosts, so `2130706433`, `0177.0.0.1`, `127.1` and
    `0x7f.1` all become 127.0.0.1 here, exactly as they would at connect time.
    """
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if bare and all(ch in "0123456789abcdefxABCDEFX." for ch in bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


class GuardedResolver(AbstractResolver):
    """Wraps a resolver and keeps only public addresses, so the guard holds at connect time.

    The inner resolver defaults to aiohttp's ThreadedResolver (getaddrinfo), which is what turns odd
    spellings such as `2130706433`, `0177.0.0.1`, `127.1` or `0x7f.1` into 127.0.0.1 — and that is refused.
    """

    def __init__(self, *, allow_private_networks: bool = False, inner: AbstractResolver | None = None) -> None:
        self._inner = inner if inner is not None else aiohttp.ThreadedResolver()
        self._allow_private = allow_private_networks

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if self._allow_private:
            return results
        public = [r for r in results if is_public_address(r["host"])]
        if not public:
            shown = results[0]["host"] if results else "nothing"
            raise BlockedAddressError(f"refused: {host} resolves to a non-public address ({shown})")
        return public

    async def close(self) -> None:
        await self._inner.close()


def check_url(url: str, allow_private: bool = False) -> str:
    """Validate a URL before fetching it (scheme, host, literal IP); returns it normalised.

    Host names are not resolved here: the resolver guard refuses them at connect time.
    """
    try:
        parsed = URL(url.strip())
    except (ValueError, TypeError) as exc:
        raise FetchError(f"invalid URL: {short_url(str(url))}") from exc
    scheme = (parsed.scheme or "").lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"'{scheme}'" if scheme else "none"
        raise UnsupportedSchemeError(f"unsupported URL scheme {shown}: only http and https are fetched")
    host = parsed.host
    if not host:
        raise FetchError(f"invalid URL (no host): {short_url(str(url))}")
    literal = _literal_ip(host)
    if literal is not None and not allow_private and not is_public_address(literal):
        shown = host if str(literal) == host.strip("[]") else f"{host} ({literal})"
        raise BlockedAddressError(f"refused: {shown} is not a public address")
    return str(parsed)
