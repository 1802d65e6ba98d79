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

Every error is a `FetchError` whose `str()` is one line, safe to show to a user. The errors, `check_url`
and the address guard live in `feeds.urls` and are re-exported here.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import os
import stat
import sys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from feeds.urls import (
    BlockedAddressError,
    FetchError,
    FetchTimeoutError,
    GuardedResolver,
    HTTPStatusError,
    TooLargeError,
    TooManyRedirectsError,
    UnsupportedSchemeError,
    check_url,
    is_public_address,
    one_line,
    short_url,
)

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
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
# Bytes read from the socket per step; the decompressor is asked for at most what is left under the cap.
_READ_CHUNK = 64 * 1024
_INFLATE_STEP = 1024 * 1024


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
        raise FetchError(f"unsupported content encoding: {one_line(value)[:40]}")
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
                f"timed out after {self.limits.timeout_s:g} s fetching {short_url(url)}"
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            cause = exc.os_error if isinstance(exc.os_error, FetchError) else exc.__cause__
            if isinstance(cause, FetchError):
                raise cause from exc
            raise FetchError(f"cannot connect to {exc.host}: {exc.os_error.strerror or exc}") from exc
        except aiohttp.ClientError as exc:
            raise FetchError(f"fetch failed for {short_url(url)}: {type(exc).__name__} {exc}") from exc
        except (OSError, ValueError) as exc:
            raise FetchError(f"fetch failed for {short_url(url)}: {exc}") from exc

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
                            f"too many redirects (more than {MAX_REDIRECTS}) starting at {short_url(url)}"
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
            raise FetchError(f"cannot read {short_url(path)}: it is a directory")
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise TooLargeError(f"file too large: {info.st_size} bytes, limit is {max_bytes}")
        with open(path, "rb") as handle:
            return _read_stream_capped(handle, max_bytes)
    except FileNotFoundError as exc:
        raise FetchError(f"cannot read {short_url(path)}: no such file") from exc
    except PermissionError as exc:
        raise FetchError(f"cannot read {short_url(path)}: permission denied") from exc
    except OSError as exc:
        raise FetchError(f"cannot read {short_url(path)}: {exc.strerror or exc}") from exc


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
