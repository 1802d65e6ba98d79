"""The one way spacebrief fetches anything over HTTP, plus `read_local` for files and stdin.

Every fetch goes through `Fetcher.get`, which enforces, per DESIGN.md "Edges of the contract":

- only http and https, on the first URL and on every redirect;
- at most `MAX_REDIRECTS` redirects, followed by hand (`allow_redirects=False`) so each hop is re-checked;
- an address guard at *connect* time: the session's resolver drops every resolved address that is not
  globally routable, so a hostname that resolves to 127.0.0.1 (or rebinds to it later) is refused; literal
  IP hosts never reach a resolver in aiohttp, so they are checked before each request;
- one deadline (`timeout_s`) for the whole fetch: connect, headers, every redirect and the body;
- a streamed size cap (`max_bytes`) counted on the *decompressed* body: we decompress ourselves with
  `zlib.decompressobj(...).decompress(data, max_length)`, so a gzip bomb is cut at the cap without ever
  inflating more than the cap in memory;
- conditional GET (If-None-Match / If-Modified-Since) and 304, Retry-After on 429/503, 410 as `.gone`,
  and `permanent_url` after a chain of 301/308.

Every error is a `FetchError` whose `str()` is one line, safe to show to a user.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import ipaddress
import os
import socket
import stat
import sys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_REDIRECTS",
    "USER_AGENT",
    "BlockedAddressError",
    "FetchError",
    "FetchLimits",
    "FetchResult",
    "FetchTimeoutError",
    "Fetcher",
    "GuardedResolver",
    "HTTPStatusError",
    "TooLargeError",
    "TooManyRedirectsError",
    "UnsupportedSchemeError",
    "check_url",
    "is_public_address",
    "parse_retry_after",
    "read_local",
]

USER_AGENT = "spacebrief/0.1 (+https://github.com/spacebrief/spacebrief)"
DEFAULT_MAX_BYTES = 15 * 1024 * 1024
MAX_REDIRECTS = 5
ALLOWED_SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
# Bytes read from the socket per step; the decompressor is asked for at most what is left under the cap.
_READ_CHUNK = 64 * 1024
_INFLATE_STEP = 1024 * 1024
_MAX_MESSAGE_URL = 200


# --------------------------------------------------------------------------------------------------
# Errors


class FetchError(Exception):
    """Any failure to fetch; `str()` is a single line meant for users and logs."""

    def __init__(self, reason: str) -> None:
        self.reason = _one_line(reason)
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
        where = f" from {_short_url(url)}" if url else ""
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


def _one_line(text: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(cleaned.split()) or "fetch failed"


def _short_url(url: str) -> str:
    text = _one_line(url)
    return text if len(text) <= _MAX_MESSAGE_URL else text[: _MAX_MESSAGE_URL - 1] + "…"


# --------------------------------------------------------------------------------------------------
# Limits and results


@dataclass(frozen=True, slots=True)
class FetchLimits:
    timeout_s: float = 20.0
    max_bytes: int = DEFAULT_MAX_BYTES
    allow_private_networks: bool = False

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError("timeout_s must be > 0")
        if self.max_bytes < 1:
            raise ValueError("max_bytes must be >= 1")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful fetch. `status` is 200 (or another 2xx) with a body, or 304 with `body == b""`.

    `url` is the final URL after redirects; `permanent_url` is set when the request was moved
    permanently (an unbroken chain of 301/308 from the requested URL): the caller should store it.
    On 304, `etag`/`last_modified` are the server's new validators, else the ones sent.
    """

    url: str
    status: int
    body: bytes
    content_type: str | None
    charset: str | None
    etag: str | None
    last_modified: str | None
    permanent_url: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body decoded: summarizer.textio.decode_text when present, else declared charset/utf-8/latin-1."""
        try:
            from summarizer.textio import decode_text
        except ImportError:
            return _fallback_decode(self.body, self.charset)
        return decode_text(self.body, self.charset)


def _fallback_decode(data: bytes, declared_charset: str | None) -> str:
    if declared_charset:
        try:
            codecs.lookup(declared_charset)
            return data.decode(declared_charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1", errors="replace")


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
        raise FetchError(f"invalid URL: {_short_url(str(url))}") from exc
    scheme = (parsed.scheme or "").lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"'{scheme}'" if scheme else "none"
        raise UnsupportedSchemeError(f"unsupported URL scheme {shown}: only http and https are fetched")
    host = parsed.host
    if not host:
        raise FetchError(f"invalid URL (no host): {_short_url(str(url))}")
    literal = _literal_ip(host)
    if literal is not None and not allow_private and not is_public_address(literal):
        shown = host if str(literal) == host.strip("[]") else f"{host} ({literal})"
        raise BlockedAddressError(f"refused: {shown} is not a public address")
    return str(parsed)


# --------------------------------------------------------------------------------------------------
# Retry-After


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent/invalid."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


# --------------------------------------------------------------------------------------------------
# Streaming body with decompression under a cap


class _BodyDecoder:
    """Decompresses a Content-Encoding stream chunk by chunk, never producing more than asked for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._raw_deflate_fallback = encoding == "deflate"
        self._decompressor: Any = self._new_decompressor()
        self._pending = b""  # compressed input not yet consumed because of max_length
        self._fed = False

    def _new_decompressor(self) -> Any:
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.encoding == "deflate":
            return zlib.decompressobj(zlib.MAX_WBITS)
        return None

    def finish(self) -> None:
        """At the end of the body: a compressed stream that never reached its end is corrupt."""
        if self._decompressor is not None and self._fed and not self._decompressor.eof:
            raise FetchError(f"corrupt {self.encoding} body: truncated")

    def feed(self, data: bytes, sink: bytearray, limit: int) -> None:
        """Decode `data` (plus any backlog) into `sink`, stopping once `sink` holds more than `limit` bytes.

        Output is produced in steps of at most `_INFLATE_STEP`, so memory stays near the cap however
        far the input would inflate.
        """
        if self._decompressor is None:
            sink += data
            return
        self._fed = self._fed or bool(data)
        self._pending += data
        while self._pending and len(sink) <= limit:
            step = min(limit + 1 - len(sink), _INFLATE_STEP)
            try:
                piece = self._decompressor.decompress(self._pending, step)
            except zlib.error as exc:
                if self._raw_deflate_fallback:
                    # Some servers send raw deflate (no zlib header) as "deflate".
                    self._raw_deflate_fallback = False
                    self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise FetchError(f"corrupt {self.encoding} body: {exc}") from exc
            self._raw_deflate_fallback = False
            sink += piece
            if self._decompressor.eof:
                # Concatenated gzip members: start a new member with the leftover input.
                leftover = self._decompressor.unused_data
                self._pending = leftover if leftover.strip(b"\x00") else b""
                if self._pending:
                    self._decompressor = self._new_decompressor()
            else:
                tail = self._decompressor.unconsumed_tail
                if not piece and len(tail) == len(self._pending):
                    break  # no progress: wait for more input
                self._pending = tail


def _content_encoding(headers: Any) -> str:
    value = (headers.get("Content-Encoding") or "identity").strip().lower()
    codings = [c.strip() for c in value.split(",") if c.strip() and c.strip() != "identity"]
    if not codings:
        return "identity"
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"unsupported content encoding: {_one_line(value)[:40]}")
    return codings[0]


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    encoding = _content_encoding(response.headers)
    declared = response.content_length
    if encoding == "identity" and declared is not None and declared > max_bytes:
        raise TooLargeError(f"response too large: {declared} bytes declared, limit is {max_bytes}")
    decoder = _BodyDecoder(encoding)
    body = bytearray()
    wire_bytes = 0
    while True:
        chunk = await response.content.read(_READ_CHUNK)
        if not chunk:
            break
        wire_bytes += len(chunk)
        # Compressed input that inflates to nothing could still stream forever; cap the wire too.
        if wire_bytes > max_bytes + _READ_CHUNK:
            raise TooLargeError(f"response too large: more than {max_bytes} bytes")
        decoder.feed(chunk, body, max_bytes)
        if len(body) > max_bytes:
            raise TooLargeError(f"response too large: more than {max_bytes} bytes")
    decoder.finish()
    return bytes(body)


# --------------------------------------------------------------------------------------------------
# The fetcher


class Fetcher:
    """Async context manager owning one aiohttp session whose connector resolves through the guard.

    >>> async with Fetcher(FetchLimits()) as fetcher:
    ...     result = await fetcher.get("https://example.org/feed", etag=stored_etag)
    """

    def __init__(
        self,
        limits: FetchLimits | None = None,
        *,
        user_agent: str = USER_AGENT,
        inner_resolver: AbstractResolver | None = None,
    ) -> None:
        """`inner_resolver` replaces getaddrinfo under the guard (tests use it to fake DNS answers)."""
        self.limits = limits if limits is not None else FetchLimits()
        self.user_agent = user_agent
        self._inner_resolver = inner_resolver
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        self._ensure_session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            resolver = GuardedResolver(
                allow_private_networks=self.limits.allow_private_networks, inner=self._inner_resolver
            )
            connector = aiohttp.TCPConnector(resolver=resolver, limit=100, ttl_dns_cache=60)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.limits.timeout_s),
                headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
                auto_decompress=False,  # we decompress ourselves under the size cap
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,  # never route through an environment proxy that would bypass the guard
            )
        return self._session

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET `url` under the limits. Raises a FetchError subclass on any failure."""
        try:
            async with asyncio.timeout(self.limits.timeout_s):
                return await self._get(url, etag=etag, last_modified=last_modified, accept=accept)
        except FetchError:
            raise
        except TimeoutError as exc:
            raise FetchTimeoutError(
                f"timed out after {self.limits.timeout_s:g} s fetching {_short_url(url)}"
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            cause = exc.os_error if isinstance(exc.os_error, FetchError) else exc.__cause__
            if isinstance(cause, FetchError):
                raise cause from exc
            raise FetchError(f"cannot connect to {exc.host}: {exc.os_error.strerror or exc}") from exc
        except aiohttp.ClientError as exc:
            raise FetchError(f"fetch failed for {_short_url(url)}: {type(exc).__name__} {exc}") from exc
        except (OSError, ValueError) as exc:
            raise FetchError(f"fetch failed for {_short_url(url)}: {exc}") from exc

    async def _get(
        self, url: str, *, etag: str | None, last_modified: str | None, accept: str | None
    ) -> FetchResult:
        session = self._ensure_session()
        allow_private = self.limits.allow_private_networks
        current = URL(check_url(url, allow_private), encoded=True)
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        permanent_url: str | None = None
        still_permanent = True
        redirects = 0
        while True:
            async with session.get(current, headers=headers, allow_redirects=False) as response:
                status = response.status
                if status in REDIRECT_STATUSES and "Location" in response.headers:
                    redirects += 1
                    if redirects > MAX_REDIRECTS:
                        raise TooManyRedirectsError(
                            f"too many redirects (more than {MAX_REDIRECTS}) starting at {_short_url(url)}"
                        )
                    try:
                        target = current.join(URL(response.headers["Location"]))
                    except (ValueError, TypeError) as exc:
                        raise FetchError("invalid redirect location") from exc
                    target = URL(check_url(str(target), allow_private), encoded=True)
                    if still_permanent and status in PERMANENT_REDIRECT_STATUSES:
                        permanent_url = str(target)
                    else:
                        still_permanent = False
                    current = target
                    continue
                if status == 304:
                    return FetchResult(
                        url=str(current),
                        status=304,
                        body=b"",
                        content_type=None,
                        charset=None,
                        etag=response.headers.get("ETag") or etag,
                        last_modified=response.headers.get("Last-Modified") or last_modified,
                        permanent_url=permanent_url,
                    )
                if not 200 <= status < 300:
                    retry_after = None
                    if status in (429, 503):
                        retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    raise HTTPStatusError(status, retry_after, url=str(current))
                body = await _read_capped(response, self.limits.max_bytes)
                has_type = "Content-Type" in response.headers
                return FetchResult(
                    url=str(current),
                    status=status,
                    body=body,
                    content_type=response.content_type if has_type else None,
                    charset=response.charset if has_type else None,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                    permanent_url=permanent_url,
                )


# --------------------------------------------------------------------------------------------------
# Local files and stdin


def read_local(path_or_dash: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a file, or stdin for "-", refusing more than `max_bytes` (a big file is refused unread)."""
    if str(path_or_dash) == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text-only stdin replacement (embedding, some test runners)
            return _read_stream_capped(sys.stdin, max_bytes, encode=True)
        return _read_stream_capped(stream, max_bytes)
    path = os.fspath(path_or_dash)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise FetchError(f"cannot read {_short_url(path)}: it is a directory")
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise TooLargeError(f"file too large: {info.st_size} bytes, limit is {max_bytes}")
        with open(path, "rb") as handle:
            return _read_stream_capped(handle, max_bytes)
    except FileNotFoundError as exc:
        raise FetchError(f"cannot read {_short_url(path)}: no such file") from exc
    except PermissionError as exc:
        raise FetchError(f"cannot read {_short_url(path)}: permission denied") from exc
    except OSError as exc:
        raise FetchError(f"cannot read {_short_url(path)}: {exc.strerror or exc}") from exc


def _read_stream_capped(stream: Any, max_bytes: int, *, encode: bool = False) -> bytes:
    chunks: list[bytes] = []
    total = 0
    for piece in _iter_stream(stream):
        chunk = piece.encode("utf-8", errors="surrogateescape") if encode else piece
        total += len(chunk)
        if total > max_bytes:
            raise TooLargeError(f"input too large: more than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _iter_stream(stream: Any, size: int = 1 << 16) -> Iterable[Any]:
    while True:
        chunk = stream.read(size)
        if not chunk:
            return
        yield chunk
