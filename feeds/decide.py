"""Pure decisions about feeds: what is new, what passes the filters, when to poll again.

Nothing here does I/O or reads the clock: ``now`` and the random source are injected, so every
decision is reproducible in a test. The poller (``feeds.poller``) wires these to the store::

    keyed = [(entry_key(e), e) for e in parsed.entries]
    known = await store.known_keys(source.id, [key for key, _ in keyed])
    first = not await store.has_any_entries(source.id)
    selection = select_new(parsed.entries, known_keys=known, first_poll=first, backfill=3,
                           filters=KeywordFilter.of(source_rule, server_rule))
    await store.add_entries(source.id, feeds.records.records_for(selection), now)
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feeds.shapes import FeedEntryLike

# ---- entry identity --------------------------------------------------------------------------

#: Keys longer than this are replaced by their hash: a hostile feed must not bloat the index.
MAX_KEY_LENGTH = 512

#: Query parameters that only track the reader; removing them keeps one article one key.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
        "wt.mc_id", "cmpid", "ocid", "icid", "s_cid", "rss_id", "spm", "_ga", "_gl",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

_DEFAULT_PORTS = {"http": 80, "https": 443}


E = TypeVar("E", bound=FeedEntryLike)


def _is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def normalize_url(url: str) -> str:
    """The canonical form of a link, so one article has one key however the feed spells it.

    Lowercases scheme and host, drops default ports and the fragment, drops
    tracking parameters (``utm_*``, ``fbclid``...), sorts the query, and strips a
    trailing slash. Text that is not a parseable URL is returned stripped, unchanged otherwise.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if not scheme or not parts.netloc:
        return text
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    netloc = f"{userinfo}@{host}" if userinfo else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    query_pairs = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking_param(name)
    ]
    query = urlencode(sorted(query_pairs))
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, query, ""))


def canonical_link(url: str | None) -> str | None:
    """The key under which one article is the same across sources (two feeds, the Spaceflight News
    API and the site's own feed...): `normalize_url`, with http/https and a leading "www." made
    alike. None for an entry without an http(s) link, which is then never taken for another."""
    text = (url or "").strip()
    if not _looks_like_url(text):
        return None
    normalized = normalize_url(text)
    _, _, rest = normalized.partition("://")
    host, slash, path = rest.partition("/")
    host = host.removeprefix("www.")
    return _bounded(f"//{host}{slash}{path}") if host else None


#: Why an entry was not posted: its channel already has the same article from another source.
DUPLICATE_SKIP_REASON = "the same article (same link) came from another source for this channel"


def posted_before(url: str | None, posted_links: Iterable[str]) -> bool:
    """True when `url` is the same article (by `canonical_link`) as one of `posted_links`."""
    key = canonical_link(url)
    return key is not None and any(canonical_link(link) == key for link in posted_links)


def _looks_like_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _bounded(key: str) -> str:
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def entry_key(entry: FeedEntryLike) -> str:
    """The identity of an entry within its source: guid, else normalized link, else a hash.

    A guid that is a URL (RSS ``isPermaLink``) is normalized like a link, so a feed that later
    drops its guids keeps the same keys. The last resort hashes title + date: such an entry
    has nothing else stable about it.
    """
    guid = (entry.guid or "").strip()
    if guid:
        return _bounded(normalize_url(guid) if _looks_like_url(guid) else guid)
    link = (entry.link or "").strip()
    if link:
        return _bounded(normalize_url(link))
    published = entry.published.isoformat() if entry.published is not None else ""
    material = f"{(entry.title or '').strip()}\x00{published}"
    return "sha256:" + hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


# ---- keyword filters -------------------------------------------------------------------------

#: Caps on admin-supplied keyword lists (each keyword becomes a regex alternative).
MAX_KEYWORDS = 50
MAX_KEYWORD_LENGTH = 100


def clean_keywords(keywords: Iterable[str]) -> tuple[str, ...]:
    """Strip, drop empties and case-insensitive duplicates, keep order; capped in count and length."""
    seen: set[str] = set()
    cleaned: list[str] = []
    for raw in keywords:
        keyword = " ".join(str(raw).split())[:MAX_KEYWORD_LENGTH]
        folded = keyword.casefold()
        if keyword and folded not in seen:
            seen.add(folded)
            cleaned.append(keyword)
        if len(cleaned) >= MAX_KEYWORDS:
            break
    return tuple(cleaned)


@dataclass(frozen=True)
class _KeywordMatcher:
    """One keyword: a cheap substring test that must hold for the regex to have any chance."""

    needle: str  # casefolded first word of the keyword
    pattern: re.Pattern[str]

    def search(self, text: str, folded: str) -> re.Match[str] | None:
        # The substring test skips the regex for almost every entry: a regex scan costs tens of
        # microseconds per kB, a substring test a fraction of that.
        if self.needle not in folded:
            return None
        return self.pattern.search(text)


def _keyword_matchers(keywords: Sequence[str]) -> tuple[_KeywordMatcher, ...]:
    """Case-insensitive whole-word matchers, one per keyword.

    "Whole-word-ish": the keyword must not sit inside a longer word (``mars`` does not match
    ``Marshall``) but may take a plural ``s``/``es`` or possessive ``'s``; spaces inside a keyword
    match any run of whitespace; a trailing ``*`` makes it a prefix (``launch*``).
    """
    matchers: list[_KeywordMatcher] = []
    for keyword in keywords:
        prefix = keyword.endswith("*")
        words = keyword.rstrip("*").split()
        if not words:
            continue
        body = r"\s+".join(re.escape(word) for word in words)
        source = rf"(?<!\w){body}" if prefix else rf"(?<!\w){body}(?:e?s|['’]s)?(?!\w)"
        matchers.append(_KeywordMatcher(words[0].casefold(), re.compile(source, re.IGNORECASE)))
    return tuple(matchers)


@dataclass(frozen=True)
class KeywordRule:
    """One include/exclude pair (a source's, or a server's)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeywordFilter:
    """Layered keyword filters: exclude wins, and every non-empty include list must be matched.

    Rules are combined with ``KeywordFilter.of(source_rule, server_rule)``: an entry passes when
    no rule's exclude keyword appears in its title + summary, and for each rule that has include
    keywords at least one of them appears. A rule with no include keywords lets everything in.
    """

    rules: tuple[KeywordRule, ...] = ()
    _includes: tuple[tuple[_KeywordMatcher, ...], ...] = field(init=False, repr=False, compare=False)
    _excludes: tuple[_KeywordMatcher, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        includes = tuple(
            matchers for rule in self.rules if (matchers := _keyword_matchers(clean_keywords(rule.include)))
        )
        excluded = clean_keywords(word for rule in self.rules for word in rule.exclude)
        object.__setattr__(self, "_includes", includes)
        object.__setattr__(self, "_excludes", _keyword_matchers(excluded))

    @classmethod
    def of(cls, *rules: KeywordRule | None) -> KeywordFilter:
        return cls(tuple(rule for rule in rules if rule is not None))

    @property
    def is_empty(self) -> bool:
        return not self._includes and not self._excludes

    def rejection(self, text: str) -> str | None:
        """Why ``text`` is filtered out (one line), or None when it passes."""
        folded = text.casefold()
        for matcher in self._excludes:
            if hit := matcher.search(text, folded):
                return f"filtered: excluded keyword '{hit.group(0)}'"
        for matchers in self._includes:
            if not any(matcher.search(text, folded) for matcher in matchers):
                return "filtered: no include keyword"
        return None

    def passes(self, text: str) -> bool:
        return self.rejection(text) is None


#: Only this much of an entry is searched by filters: keywords that matter are near the top,
#: and a huge hostile summary must not cost a regex scan of megabytes.
FILTER_TEXT_LIMIT = 20_000


def filter_text(entry: FeedEntryLike) -> str:
    """Title + summary (or content when there is no summary), what keyword filters look at."""
    body = entry.summary or entry.content or ""
    return f"{entry.title or ''}\n{body}"[:FILTER_TEXT_LIMIT]


# ---- what is new -----------------------------------------------------------------------------

#: Upper bound of ``backfill`` (config validates 0..100 too).
MAX_BACKFILL = 100
#: A later poll posts at most this many new entries; the older excess is recorded as skipped.
DEFAULT_FLOOD_CAP = 20


@dataclass(frozen=True)
class Candidate(Generic[E]):
    """An entry with its key; ``skip_reason`` is set for entries to record as skipped."""

    key: str
    entry: E
    skip_reason: str | None = None


@dataclass(frozen=True)
class Selection(Generic[E]):
    """The outcome of one poll's worth of entries.

    ``to_post``: record as pending and post, oldest first. ``to_skip``: record as skipped so they
    never come up again. Entries already known and repeated keys within the feed are in neither.
    """

    to_post: list[Candidate[E]]
    to_skip: list[Candidate[E]]
    already_known: int = 0
    duplicates_in_feed: int = 0
    filtered: int = 0
    over_cap: int = 0
    notice: str | None = None


def oldest_first(entries: Sequence[E]) -> list[E]:
    """Entries in publication order, oldest first.

    When every entry has a date, by date (ties: the later in the feed is older, since feeds
    list newest first). When some lack one, dates cannot order them all, so the feed's own
    order is trusted, reversed.
    """
    return _order_oldest_first(entries, lambda entry: entry.published)


T = TypeVar("T")


def _order_oldest_first(items: Sequence[T], published: Callable[[T], datetime | None]) -> list[T]:
    indexed = list(enumerate(items))
    dates = [published(item) for item in items]
    if indexed and all(date is not None for date in dates):
        indexed.sort(key=lambda pair: (_timestamp(dates[pair[0]]), -pair[0]))
        return [item for _, item in indexed]
    return [item for _, item in reversed(indexed)]


def _timestamp(moment: datetime | None) -> float:
    if moment is None:
        return float("-inf")
    if moment.tzinfo is None:  # naive dates are taken as UTC rather than refused: feeds are sloppy
        return moment.replace(tzinfo=UTC).timestamp()
    return moment.timestamp()


def select_new(
    entries: Sequence[E],
    *,
    known_keys: set[str] | frozenset[str],
    first_poll: bool,
    backfill: int,
    filters: KeywordFilter | None = None,
    flood_cap: int = DEFAULT_FLOOD_CAP,
) -> Selection[E]:
    """Decide which entries of a fetched feed to post and which to record as seen.

    - Entries whose key is in ``known_keys`` are ignored (a re-sent feed or a bumped date
      reposts nothing); a key repeated within the feed counts once (its first occurrence).
    - Entries failing ``filters`` are skipped with the reason.
    - ``first_poll``: only the newest ``backfill`` are posted, the rest skipped; 0 posts nothing.
    - Later polls post every new entry, but above ``flood_cap`` only the newest ``flood_cap``
      are posted and the excess is skipped, with a ``notice`` saying so.
    """
    if backfill < 0 or backfill > MAX_BACKFILL:
        raise ValueError(f"backfill must be between 0 and {MAX_BACKFILL}, not {backfill}")
    if flood_cap < 1:
        raise ValueError(f"flood_cap must be at least 1, not {flood_cap}")

    seen_in_feed: set[str] = set()
    fresh: list[Candidate[E]] = []
    already_known = duplicates = 0
    for entry in entries:
        key = entry_key(entry)
        if key in seen_in_feed:
            duplicates += 1
            continue
        seen_in_feed.add(key)
        if key in known_keys:
            already_known += 1
            continue
        fresh.append(Candidate(key, entry))

    ordered = _order_oldest_first(fresh, lambda candidate: candidate.entry.published)

    to_skip: list[Candidate[E]] = []
    passing: list[Candidate[E]] = []
    active_filter = filters if filters is not None and not filters.is_empty else None
    for candidate in ordered:
        reason = active_filter.rejection(filter_text(candidate.entry)) if active_filter else None
        if reason is None:
            passing.append(candidate)
        else:
            to_skip.append(Candidate(candidate.key, candidate.entry, reason))
    filtered = len(to_skip)

    limit = backfill if first_poll else flood_cap
    cut = max(len(passing) - limit, 0)
    older, to_post = passing[:cut], passing[cut:]
    notice: str | None = None
    if first_poll:
        reason = "backfill: older than the newest entries of a new source"
        over_cap = 0
    else:
        reason = f"flood: more than {flood_cap} new entries in one poll"
        over_cap = len(older)
        if over_cap:
            notice = f"{len(passing)} new entries at once: posting the newest {flood_cap}, skipping {over_cap}"
    to_skip.extend(Candidate(c.key, c.entry, reason) for c in older)

    return Selection(
        to_post=to_post,
        to_skip=to_skip,
        already_known=already_known,
        duplicates_in_feed=duplicates,
        filtered=filtered,
        over_cap=over_cap,
        notice=notice,
    )


# ---- scheduling, backoff and disabling -------------------------------------------------------

#: Longest wait between polls of a failing source.
BACKOFF_CAP = timedelta(hours=6)
#: Consecutive failures after which a source is disabled until an admin adds it again.
MAX_CONSECUTIVE_FAILURES = 8
#: Jitter spreads retries of many sources failing together (a shared host going down).
JITTER_FRACTION = 0.25


class RandomSource(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


def next_poll_after_success(now: datetime, interval: timedelta) -> datetime:
    return now + interval


def backoff_delay(
    failures: int,
    interval: timedelta,
    rng: RandomSource,
    *,
    retry_after: float | None = None,
    cap: timedelta = BACKOFF_CAP,
) -> timedelta:
    """How long to wait after the ``failures``-th consecutive failure (1 for the first).

    ``interval * 2**(failures-1)``, scaled by a random factor in [1 - J, 1 + J] (J =
    ``JITTER_FRACTION``), raised to ``retry_after`` seconds when the server asks for longer,
    and never more than ``cap``.
    """
    if failures < 1:
        raise ValueError(f"failures counts from 1, not {failures}")
    if interval <= timedelta(0):
        raise ValueError("interval must be positive")
    cap_s = cap.total_seconds()
    # Exponent capped so the multiplication cannot overflow for absurd failure counts.
    base_s = min(interval.total_seconds() * 2 ** min(failures - 1, 60), cap_s)
    delay_s = base_s * rng.uniform(1 - JITTER_FRACTION, 1 + JITTER_FRACTION)
    if retry_after is not None and retry_after == retry_after and retry_after > delay_s:  # NaN-safe
        delay_s = retry_after
    return timedelta(seconds=max(0.0, min(delay_s, cap_s)))


def next_poll_after_failure(
    failures: int,
    now: datetime,
    interval: timedelta,
    rng: RandomSource,
    *,
    retry_after: float | None = None,
    cap: timedelta = BACKOFF_CAP,
) -> datetime:
    """``now`` plus ``backoff_delay`` for the ``failures``-th consecutive failure."""
    return now + backoff_delay(failures, interval, rng, retry_after=retry_after, cap=cap)


@dataclass(frozen=True)
class FailureOutcome:
    """What to record after a failed poll (``Store.record_poll_failure`` takes these fields)."""

    failures: int
    next_poll_at: datetime
    disable_reason: str | None


def decide_failure(
    previous_failures: int,
    now: datetime,
    reason: str,
    *,
    interval: timedelta,
    rng: RandomSource,
    status: int | None = None,
    retry_after: float | None = None,
    max_failures: int = MAX_CONSECUTIVE_FAILURES,
    cap: timedelta = BACKOFF_CAP,
) -> FailureOutcome:
    """Back off, or disable: at once on HTTP 410 (Gone), else after ``max_failures`` in a row.

    The disable reason is a sentence for the server's admins.
    """
    failures = previous_failures + 1
    next_poll_at = next_poll_after_failure(failures, now, interval, rng, retry_after=retry_after, cap=cap)
    reason_line = " ".join(reason.split())[:300] or "unknown error"
    disable_reason: str | None = None
    if status == 410:
        disable_reason = (
            "the feed says it is gone for good (HTTP 410); remove this source or add the feed's new URL"
        )
    elif failures >= max_failures:
        disable_reason = (
            f"disabled after {failures} failed polls in a row; last error: {reason_line}. "
            "To try again, run /sources add with its URL (sources from the config file: restart the bot)"
        )
    return FailureOutcome(failures=failures, next_poll_at=next_poll_at, disable_reason=disable_reason)


def default_rng() -> random.Random:
    """A fresh random source for production callers; tests pass a seeded ``random.Random``."""
    return random.Random()

