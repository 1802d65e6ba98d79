"""feeds.decide: entry identity, what is new, keyword filters, backoff and disabling (pure, no I/O)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from feeds.decide import (
    BACKOFF_CAP,
    DEFAULT_FLOOD_CAP,
    JITTER_FRACTION,
    MAX_CONSECUTIVE_FAILURES,
    MAX_KEY_LENGTH,
    Candidate,
    KeywordFilter,
    KeywordRule,
    Selection,
    backoff_delay,
    decide_failure,
    entry_key,
    next_poll_after_failure,
    normalize_url,
    oldest_first,
    select_new,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=15)


@dataclass(frozen=True)
class Item:
    """The fields of feeds.parse.FeedEntry that decisions read."""

    guid: str | None = None
    link: str | None = None
    title: str = ""
    published: datetime | None = None
    summary: str = ""
    content: str | None = None


def make_feed(count: int, *, start: int = 0, newest_first: bool = True) -> list[Item]:
    """``count`` items, item i published i hours after a base date; listed newest first like RSS."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    items = [
        Item(
            guid=f"urn:item:{i}",
            link=f"https://news.example/{i}",
            title=f"Item {i}",
            published=base + timedelta(hours=i),
        )
        for i in range(start, start + count)
    ]
    return list(reversed(items)) if newest_first else items


class Remembered:
    """The store's part in the decision: the keys of every entry recorded so far."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def poll(
        self, feed: list[Item], *, backfill: int = 3, flood_cap: int = DEFAULT_FLOOD_CAP
    ) -> Selection[Item]:
        selection = select_new(
            feed, known_keys=self.keys, first_poll=not self.keys, backfill=backfill, flood_cap=flood_cap
        )
        self.keys.update(c.key for c in selection.to_post)
        self.keys.update(c.key for c in selection.to_skip)
        return selection


def titles(candidates: list[Candidate[Item]]) -> list[str]:
    return [c.entry.title for c in candidates]


# ---- identity --------------------------------------------------------------------------------


class TestNormalizeUrl:
    def test_variants_of_one_link_normalize_alike(self) -> None:
        variants = [
            "https://News.Example.com/a/b?id=7&lang=en",
            "HTTPS://news.example.com/a/b/?lang=en&id=7",
            "https://news.example.com:443/a/b?utm_source=rss&id=7&lang=en&utm_medium=feed#comments",
            "https://news.example.com/a/b?fbclid=XYZ&lang=en&gclid=1&id=7",
            "  https://news.example.com/a/b?lang=en&id=7  ",
        ]
        assert {normalize_url(url) for url in variants} == {"https://news.example.com/a/b?id=7&lang=en"}

    def test_path_case_and_meaningful_query_are_kept(self) -> None:
        assert normalize_url("https://x.example/Story?ID=1") == "https://x.example/Story?ID=1"
        assert normalize_url("https://x.example/s?id=1") != normalize_url("https://x.example/s?id=2")

    def test_non_default_port_kept_default_dropped(self) -> None:
        assert normalize_url("http://x.example:8080/a") == "http://x.example:8080/a"
        assert normalize_url("http://x.example:80/a") == "http://x.example/a"

    def test_root_and_trailing_slash(self) -> None:
        assert normalize_url("https://x.example/") == normalize_url("https://x.example")
        assert normalize_url("https://x.example/news/") == "https://x.example/news"

    @pytest.mark.parametrize("text", ["http://[::1", "not a url", "http://x.example:99999/", "mailto:a@b"])
    def test_unparseable_text_is_returned_stripped(self, text: str) -> None:
        assert normalize_url(f" {text} ") == text


class TestEntryKey:
    def test_guid_wins(self) -> None:
        assert entry_key(Item(guid="tag:nasa.gov,2026:1", link="https://x.example/1")) == "tag:nasa.gov,2026:1"

    def test_link_when_no_guid_is_normalized(self) -> None:
        assert entry_key(Item(link="https://X.example/1/?utm_campaign=a#top")) == "https://x.example/1"

    def test_url_guid_is_normalized_so_dropping_guids_keeps_keys(self) -> None:
        link = "https://x.example/story/1/?utm_source=rss"
        assert entry_key(Item(guid=link, link=link)) == entry_key(Item(link=link))

    def test_hash_of_title_and_date_as_last_resort(self) -> None:
        first = Item(title="Launch", published=NOW)
        assert entry_key(first) == entry_key(Item(title="Launch", published=NOW))
        assert entry_key(first).startswith("sha256:")
        assert entry_key(first) != entry_key(Item(title="Landing", published=NOW))
        assert entry_key(first) != entry_key(Item(title="Launch", published=NOW + timedelta(days=1)))

    def test_blank_guid_and_link_are_ignored(self) -> None:
        assert entry_key(Item(guid="  ", link=" ", title="T")).startswith("sha256:")

    def test_huge_guid_is_bounded(self) -> None:
        key = entry_key(Item(guid="g" * 100_000))
        assert len(key) <= MAX_KEY_LENGTH
        assert key == entry_key(Item(guid="g" * 100_000))
        assert key != entry_key(Item(guid="g" * 99_999))

    def test_broken_encoding_does_not_raise(self) -> None:
        assert entry_key(Item(title="bad \udcff text")).startswith("sha256:")


# ---- what is new -----------------------------------------------------------------------------


class TestSelectNew:
    def test_two_polls_in_a_row_post_nothing_the_second_time(self) -> None:
        store = Remembered()
        feed = make_feed(10)
        store.poll(feed)
        again = store.poll(feed)
        assert again.to_post == [] and again.to_skip == []
        assert again.already_known == 10

    def test_bumped_dates_repost_nothing(self) -> None:
        store = Remembered()
        feed = make_feed(5)
        store.poll(feed)
        bumped = [replace(item, published=NOW + timedelta(days=30)) for item in feed]
        assert store.poll(bumped).to_post == []

    def test_duplicate_guid_in_one_feed_counts_once(self) -> None:
        store = Remembered()
        store.poll(make_feed(3))
        twin = Item(guid="urn:new", link="https://news.example/new", title="New", published=NOW)
        selection = store.poll([twin, replace(twin, title="New (again)"), *make_feed(3)])
        assert titles(selection.to_post) == ["New"]
        assert selection.duplicates_in_feed == 1

    def test_one_new_item_gives_exactly_one(self) -> None:
        store = Remembered()
        store.poll(make_feed(20))
        selection = store.poll(make_feed(21))
        assert titles(selection.to_post) == ["Item 20"]
        assert selection.to_skip == []

    def test_new_source_backfills_newest_n_oldest_first_and_skips_the_rest(self) -> None:
        selection = Remembered().poll(make_feed(50), backfill=3)
        assert titles(selection.to_post) == ["Item 47", "Item 48", "Item 49"]
        assert len(selection.to_skip) == 47
        assert {c.entry.title for c in selection.to_skip} == {f"Item {i}" for i in range(47)}
        assert all(c.skip_reason and c.skip_reason.startswith("backfill") for c in selection.to_skip)

    def test_skipped_backfill_never_appears_later(self) -> None:
        store = Remembered()
        store.poll(make_feed(50), backfill=3)
        later = store.poll(make_feed(52))
        assert titles(later.to_post) == ["Item 50", "Item 51"]

    def test_backfill_zero_posts_nothing_from_the_past(self) -> None:
        store = Remembered()
        selection = store.poll(make_feed(50), backfill=0)
        assert selection.to_post == []
        assert len(selection.to_skip) == 50
        assert titles(store.poll(make_feed(51)).to_post) == ["Item 50"]

    def test_backfill_larger_than_feed_posts_all_oldest_first(self) -> None:
        selection = Remembered().poll(make_feed(4), backfill=10)
        assert titles(selection.to_post) == ["Item 0", "Item 1", "Item 2", "Item 3"]

    def test_later_polls_post_every_unseen_entry_oldest_first(self) -> None:
        store = Remembered()
        store.poll(make_feed(10))
        selection = store.poll(make_feed(15))
        assert titles(selection.to_post) == [f"Item {i}" for i in range(10, 15)]

    def test_feed_listed_oldest_first_is_still_ordered_by_date(self) -> None:
        selection = Remembered().poll(make_feed(6, newest_first=False), backfill=2)
        assert titles(selection.to_post) == ["Item 4", "Item 5"]

    def test_undated_entries_trust_the_feed_order_reversed(self) -> None:
        feed = [Item(guid=f"g{i}", title=f"T{i}") for i in range(5)]  # newest first, as RSS lists them
        assert titles(Remembered().poll(feed, backfill=2).to_post) == ["T1", "T0"]
        assert [item.title for item in oldest_first(feed)] == ["T4", "T3", "T2", "T1", "T0"]

    def test_flood_is_capped_and_the_excess_recorded_with_a_notice(self) -> None:
        store = Remembered()
        store.poll(make_feed(5))
        selection = store.poll(make_feed(305), flood_cap=20)
        assert titles(selection.to_post) == [f"Item {i}" for i in range(285, 305)]
        assert len(selection.to_skip) == 280 and selection.over_cap == 280
        assert selection.notice is not None and "280" in selection.notice
        assert all(c.skip_reason and c.skip_reason.startswith("flood") for c in selection.to_skip)
        assert store.poll(make_feed(305)).to_post == []

    def test_no_notice_under_the_cap(self) -> None:
        store = Remembered()
        store.poll(make_feed(5))
        assert store.poll(make_feed(10)).notice is None

    @pytest.mark.parametrize("backfill", [-1, 101])
    def test_backfill_out_of_range_is_refused(self, backfill: int) -> None:
        with pytest.raises(ValueError, match="backfill"):
            select_new([], known_keys=set(), first_poll=True, backfill=backfill)

    def test_empty_feed_selects_nothing(self) -> None:
        selection = select_new([], known_keys=set(), first_poll=True, backfill=3)
        assert selection.to_post == [] and selection.to_skip == []


# ---- filters ---------------------------------------------------------------------------------


class TestKeywordFilter:
    def test_no_rules_pass_everything(self) -> None:
        assert KeywordFilter.of().passes("anything")
        assert KeywordFilter.of(KeywordRule(), None).is_empty

    def test_include_is_case_insensitive_and_whole_word(self) -> None:
        only_mars = KeywordFilter.of(KeywordRule(include=("Mars",)))
        assert only_mars.passes("Rover lands on MARS today")
        assert only_mars.passes("mars.")
        assert not only_mars.passes("Marshall Space Flight Center news")
        assert not only_mars.passes("Jupiter moons")

    def test_plurals_and_possessives_match_but_longer_words_do_not(self) -> None:
        rockets = KeywordFilter.of(KeywordRule(include=("rocket",)))
        assert rockets.passes("Two rockets launched")
        assert rockets.passes("The rocket's engine")
        assert not rockets.passes("Rocketry club meets")

    def test_phrase_matches_any_whitespace_and_prefix_star(self) -> None:
        phrase = KeywordFilter.of(KeywordRule(include=("space station",)))
        assert phrase.passes("the Space\n  Station crew")
        assert not phrase.passes("space and station")
        prefix = KeywordFilter.of(KeywordRule(include=("launch*",)))
        assert prefix.passes("Launches delayed") and prefix.passes("launchpad fire")
        assert not prefix.passes("relaunch")

    def test_non_ascii_keywords_fold_case(self) -> None:
        rule = KeywordFilter.of(KeywordRule(include=("Ñandú", "ÉTOILE")))
        assert rule.passes("un ÑANDÚ corre") and rule.passes("l'étoile du nord")
        assert rule.passes("dos ñandúes")  # the plural is allowed
        assert not rule.passes("ñandúzal")
        assert not rule.passes("étoilement")

    def test_regex_characters_are_literal(self) -> None:
        odd = KeywordFilter.of(KeywordRule(include=("C++", "a.b")))
        assert odd.passes("written in C++ code")
        assert not odd.passes("axb")

    def test_exclude_wins_over_include(self) -> None:
        rule = KeywordFilter.of(KeywordRule(include=("launch",), exclude=("scrub",)))
        assert rule.passes("Launch today")
        reason = rule.rejection("Launch scrubbed? No: launch scrub confirmed")
        assert reason is not None and "scrub" in reason

    def test_source_and_server_rules_layer(self) -> None:
        source = KeywordRule(include=("launch",))
        server = KeywordRule(include=("Artemis", "Starship"), exclude=("rumor",))
        both = KeywordFilter.of(source, server)
        assert both.passes("Artemis launch set")
        assert not both.passes("Artemis crew named")  # fails the source's include
        assert not both.passes("Falcon launch set")  # fails the server's include
        assert not both.passes("Starship launch rumor")  # server exclude wins

    def test_filtered_entries_are_skipped_with_reason_and_backfill_uses_passing_ones(self) -> None:
        base = datetime(2026, 1, 1, tzinfo=UTC)
        feed = [
            Item(guid=f"g{i}", title=title, summary=summary, published=base + timedelta(hours=i))
            for i, (title, summary) in enumerate(
                [
                    ("Mars rover update", ""),
                    ("Budget hearing", "about mars missions"),
                    ("Moon lander", ""),
                    ("Mars sample return delayed", "rumor says"),
                    ("Weather", ""),
                ]
            )
        ]
        rules = KeywordFilter.of(KeywordRule(include=("mars",), exclude=("rumor",)))
        selection = select_new(feed, known_keys=set(), first_poll=True, backfill=5, filters=rules)
        assert titles(selection.to_post) == ["Mars rover update", "Budget hearing"]
        assert selection.filtered == 3
        assert {c.entry.title: c.skip_reason for c in selection.to_skip} == {
            "Moon lander": "filtered: no include keyword",
            "Mars sample return delayed": "filtered: excluded keyword 'rumor'",
            "Weather": "filtered: no include keyword",
        }

    def test_messy_keyword_lists_are_cleaned(self) -> None:
        rule = KeywordFilter.of(KeywordRule(include=("  ", "", "*", "  Mars  ")))
        assert rule.passes("mars") and not rule.passes("venus")


# ---- backoff and disabling -------------------------------------------------------------------


class FixedRandom:
    """``uniform`` always lands at the same fraction of its range (0: low end, 1: high end)."""

    def __init__(self, fraction: float) -> None:
        self.fraction = fraction

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.fraction


MIDDLE = FixedRandom(0.5)


class TestBackoff:
    def test_doubles_from_the_interval(self) -> None:
        delays = [backoff_delay(n, INTERVAL, MIDDLE) for n in range(1, 6)]
        assert delays == [timedelta(minutes=15 * 2**k) for k in range(5)]

    def test_capped(self) -> None:
        assert backoff_delay(6, INTERVAL, MIDDLE) == BACKOFF_CAP  # 15 min * 32 = 8 h
        assert backoff_delay(10_000, INTERVAL, FixedRandom(1.0)) == BACKOFF_CAP
        assert backoff_delay(3, INTERVAL, MIDDLE, cap=timedelta(minutes=40)) == timedelta(minutes=40)

    def test_jitter_stays_within_bounds_and_varies(self) -> None:
        rng = random.Random(1234)
        samples = [backoff_delay(3, INTERVAL, rng).total_seconds() for _ in range(500)]
        nominal = INTERVAL.total_seconds() * 4
        assert min(samples) >= nominal * (1 - JITTER_FRACTION)
        assert max(samples) <= nominal * (1 + JITTER_FRACTION)
        assert len(set(samples)) > 100
        assert backoff_delay(3, INTERVAL, FixedRandom(0.0)).total_seconds() == nominal * (1 - JITTER_FRACTION)

    def test_jitter_never_exceeds_the_cap(self) -> None:
        assert backoff_delay(5, INTERVAL, FixedRandom(1.0)) == timedelta(hours=5)  # 4 h * 1.25
        assert backoff_delay(6, INTERVAL, FixedRandom(1.0)) == BACKOFF_CAP  # 6 h * 1.25, capped
        assert backoff_delay(6, INTERVAL, FixedRandom(0.0)) == BACKOFF_CAP * (1 - JITTER_FRACTION)

    def test_retry_after_honoured_only_when_larger(self) -> None:
        assert backoff_delay(1, INTERVAL, MIDDLE, retry_after=3600) == timedelta(hours=1)
        assert backoff_delay(1, INTERVAL, MIDDLE, retry_after=60) == INTERVAL
        assert backoff_delay(1, INTERVAL, MIDDLE, retry_after=7 * 86400) == BACKOFF_CAP
        assert backoff_delay(1, INTERVAL, MIDDLE, retry_after=float("nan")) == INTERVAL

    def test_next_poll_is_now_plus_delay(self) -> None:
        assert next_poll_after_failure(2, NOW, INTERVAL, MIDDLE) == NOW + timedelta(minutes=30)

    @pytest.mark.parametrize("failures", [0, -3])
    def test_failures_count_from_one(self, failures: int) -> None:
        with pytest.raises(ValueError):
            backoff_delay(failures, INTERVAL, MIDDLE)


class TestDisabling:
    def test_disabled_after_n_consecutive_failures_with_a_readable_reason(self) -> None:
        failures = 0
        outcomes = []
        for _ in range(MAX_CONSECUTIVE_FAILURES):
            outcome = decide_failure(failures, NOW, "HTTP 503\nService Unavailable", interval=INTERVAL, rng=MIDDLE)
            outcomes.append(outcome)
            failures = outcome.failures
        assert [o.disable_reason is None for o in outcomes] == [True] * (MAX_CONSECUTIVE_FAILURES - 1) + [False]
        reason = outcomes[-1].disable_reason
        assert reason is not None and "\n" not in reason
        assert f"{MAX_CONSECUTIVE_FAILURES} failed polls" in reason and "HTTP 503 Service Unavailable" in reason

    def test_gone_disables_at_once(self) -> None:
        outcome = decide_failure(0, NOW, "HTTP 410", interval=INTERVAL, rng=MIDDLE, status=410)
        assert outcome.failures == 1
        assert outcome.disable_reason is not None and "410" in outcome.disable_reason

    def test_other_statuses_back_off(self) -> None:
        outcome = decide_failure(2, NOW, "HTTP 404", interval=INTERVAL, rng=MIDDLE, status=404)
        assert outcome.disable_reason is None
        assert outcome.next_poll_at == NOW + timedelta(hours=1)

    def test_retry_after_flows_through(self) -> None:
        outcome = decide_failure(0, NOW, "HTTP 429", interval=INTERVAL, rng=MIDDLE, status=429, retry_after=5400)
        assert outcome.next_poll_at == NOW + timedelta(minutes=90)

    def test_a_success_in_between_restarts_the_count(self) -> None:
        # The store resets consecutive_failures on success; the next failure is then the first again.
        after_seven = decide_failure(6, NOW, "timeout", interval=INTERVAL, rng=MIDDLE)
        fresh = decide_failure(0, NOW, "timeout", interval=INTERVAL, rng=MIDDLE)
        assert after_seven.failures == 7 and fresh.failures == 1
        assert fresh.next_poll_at - NOW == INTERVAL


def test_real_feed_entries_fit_the_decisions_and_the_store_record() -> None:
    """Guards the seam with feeds.parse: its FeedEntry is what select_new and the store record read."""
    from feeds.parse import FeedEntry
    from feeds.records import new_entry

    entries = [
        FeedEntry(
            guid=None,
            link=f"https://x.example/{i}/?utm_source=rss",
            title=f"Mars item {i}",
            published=NOW + timedelta(hours=i),
            summary="A teaser.",
            content=None,
            image_url=None,
            is_teaser=True,
        )
        for i in range(4)
    ]
    selection = select_new(entries, known_keys=set(), first_poll=True, backfill=2)
    assert [c.key for c in selection.to_post] == ["https://x.example/2", "https://x.example/3"]
    record = new_entry(selection.to_post[0].key, selection.to_post[0].entry)
    assert (record.title, record.text, record.is_teaser) == ("Mars item 2", "A teaser.", True)


# ---- one article, several sources (issue 13) -------------------------------------------------------


def test_canonical_link_makes_one_article_one_key() -> None:
    from feeds.decide import canonical_link

    same = [
        "https://www.nasa.gov/news/artemis-ii/",
        "http://nasa.gov/news/artemis-ii",
        "https://NASA.gov:443/news/artemis-ii/?utm_source=rss&utm_medium=feed#comments",
        "https://www.nasa.gov/news/artemis-ii?fbclid=abc",
    ]
    assert {canonical_link(url) for url in same} == {"//nasa.gov/news/artemis-ii"}
    assert canonical_link("https://nasa.gov/news/artemis-iii") != canonical_link(same[0])
    assert canonical_link("https://nasa.gov/news?id=2") != canonical_link("https://nasa.gov/news?id=3")
    assert canonical_link("https://esa.int/news/artemis-ii") != canonical_link(same[0])  # another site
    for nothing in (None, "", "   ", "urn:uuid:1234", "ftp://nasa.gov/news/artemis-ii", "/relative/path"):
        assert canonical_link(nothing) is None


def test_posted_before_compares_canonical_links() -> None:
    from feeds.decide import posted_before

    posted = ["https://spacenews.com/starship-flies/?utm_source=snapi", "https://esa.int/juice"]
    assert posted_before("http://www.spacenews.com/starship-flies", posted)
    assert not posted_before("https://spacenews.com/starship-lands", posted)
    assert not posted_before(None, posted)  # no link: never taken for another entry
    assert not posted_before("https://esa.int/juice", [])
