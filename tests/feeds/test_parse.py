"""parse_feed on small realistic space-news fixtures, served from a local server and parsed directly."""

from __future__ import annotations

import asyncio
import tracemalloc
from datetime import UTC, datetime

import pytest
from aiohttp import web

from feeds.fetch import Fetcher, FetchLimits
from feeds.parse import FeedParseError, ParsedFeed, fragment_to_text, is_teaser_text, parse_feed

URL = "https://feeds.example/feed"
LOCAL = FetchLimits(timeout_s=5, allow_private_networks=True)

SAMPLES = {
    "rss20.xml": ("application/rss+xml", "rss20"),
    "rss091.xml": ("text/xml", "rss091n"),
    "rdf10.xml": ("application/rdf+xml", "rss10"),
    "atom.xml": ("application/atom+xml", "atom10"),
    "jsonfeed.json": ("application/feed+json", "json11"),
    "snapi_articles.json": ("application/json", "snapi"),
}


async def test_every_format_served_locally_parses(serve, sample_bytes) -> None:  # type: ignore[no-untyped-def]
    app = web.Application()
    for name, (content_type, _) in SAMPLES.items():
        body = sample_bytes(name)

        async def handler(request: web.Request, body: bytes = body, content_type: str = content_type) -> web.Response:
            return web.Response(body=body, headers={"Content-Type": content_type})

        path = "/v4/articles/" if name.startswith("snapi") else f"/{name}"
        app.router.add_get(path, handler)
    base = await serve(app)
    async with Fetcher(LOCAL) as fetcher:
        for name, (_, version) in SAMPLES.items():
            path = "/v4/articles/" if name.startswith("snapi") else f"/{name}"
            result = await fetcher.get(base + path)
            parsed = await asyncio.to_thread(
                parse_feed, result.body, url=result.url, content_type=result.content_type
            )
            assert parsed.format == version, name
            assert len(parsed.entries) >= 2, name
            assert all(e.title for e in parsed.entries), name


def parse_sample(sample_bytes, name: str) -> ParsedFeed:  # type: ignore[no-untyped-def]
    return parse_feed(sample_bytes(name), url=URL, content_type=SAMPLES[name][0])


def test_rss20_fields(sample_bytes) -> None:  # type: ignore[no-untyped-def]
    feed = parse_sample(sample_bytes, "rss20.xml")
    assert feed.title == "Orbital Notes & News"
    assert feed.link == "https://orbital-notes.example/"
    wdr, starship, clipper = feed.entries
    assert wdr.guid == "orbital-notes-4411"
    assert wdr.link == "https://orbital-notes.example/2026/03/artemis-ii-wdr/"
    assert wdr.title == "Artemis II crew completes wet dress rehearsal"  # markup stripped
    assert wdr.published == datetime(2026, 3, 3, 19, 30, tzinfo=UTC)  # -0500 moved to UTC
    assert wdr.summary == "The SLS stack was fully fuelled on Monday…"  # &hellip; decoded
    assert wdr.content is not None
    assert "700,000 gallons" in wdr.content
    assert '"Today\'s test gives us confidence in the ground systems,"' in wdr.content
    assert "alert" not in wdr.content and "tracking" not in wdr.content  # scripts dropped
    assert wdr.content.count("\n") == 2  # one line per paragraph
    assert wdr.image_url == "https://orbital-notes.example/images/sls-wdr.jpg"  # media:content first
    assert not wdr.is_teaser
    assert starship.content is None
    assert starship.image_url == "https://orbital-notes.example/images/starship.png"  # image enclosure
    assert starship.is_teaser  # ends with "Read more"
    assert clipper.guid is None
    assert clipper.published is None
    assert clipper.summary == "Europa Clipper completed its second trajectory correction manoeuvre […]"
    assert clipper.is_teaser


def test_rss091_with_netscape_doctype_and_latin1(sample_bytes) -> None:  # type: ignore[no-untyped-def]
    feed = parse_sample(sample_bytes, "rss091.xml")
    assert feed.title == "Observatory Bulletin"
    comet = feed.entries[0]
    assert comet.title == "Comet C/2025 R2 brightens to naked-eye visibility"
    assert "Café owners" in comet.summary
    assert comet.link == "http://observatory-bulletin.example/comet-r2.html"


def test_rdf_fields(sample_bytes) -> None:  # type: ignore[no-untyped-def]
    feed = parse_sample(sample_bytes, "rdf10.xml")
    msr = feed.entries[0]
    assert msr.guid == "https://planetary-digest.example/mars-sample-return"
    assert msr.published == datetime(2026, 1, 15, 7, 0, tzinfo=UTC)
    assert msr.summary == "An independent review board recommends a simplified lander design."
    assert feed.entries[1].published is None


def test_atom_fields(sample_bytes) -> None:  # type: ignore[no-untyped-def]
    feed = parse_sample(sample_bytes, "atom.xml")
    assert feed.title == "Lunar Gateway Log"  # type="html" title, tags stripped
    halo, ppe = feed.entries
    assert halo.guid == "tag:gateway-log.example,2026:halo-arrives"
    assert halo.published == datetime(2026, 4, 10, 9, 15, tzinfo=UTC)
    assert halo.summary == "The Habitation and Logistics Outpost reached Kennedy Space Center."
    assert halo.content is not None and halo.content.startswith("The Habitation and Logistics Outpost (HALO)")
    assert halo.image_url == "https://gateway-log.example/img/halo-thumb.jpg"
    assert not halo.is_teaser
    assert ppe.title == "PPE thruster test: 6 < 7 kW"  # plain-text title keeps its "<"
    assert ppe.published == datetime(2026, 4, 8, 9, 30, tzinfo=UTC)  # updated, no published
    assert ppe.summary == "Hall-effect thrusters passed a long-duration firing."
    assert ppe.is_teaser


def test_json_feed_fields(sample_bytes) -> None:  # type: ignore[no-untyped-def]
    feed = parse_sample(sample_bytes, "jsonfeed.json")
    assert feed.title == "Rocket Report Digest"
    assert feed.link == "https://rocket-report.example/"
    assert len(feed.entries) == 3  # the string item is skipped
    neutron, ariane, vega = feed.entries
    assert neutron.guid == "rr-2026-05-01"
    assert neutron.published == datetime(2026, 5, 1, 20, 20, tzinfo=UTC)
    assert neutron.content == "Rocket Lab fired the Archimedes engines on a full Neutron first stage for the first time."
    assert neutron.image_url == "https://rocket-report.example/img/neutron.jpg"  # first <img>
    assert ariane.guid == "2077"  # numeric ids (JSON Feed 1.0) become strings
    assert ariane.content == "Arianespace launched a Galileo pair from Kourou.\nBoth satellites separated on time."
    assert ariane.image_url == "https://rocket-report.example/img/ariane6.jpg"
    assert vega.content is None and vega.is_teaser


def test_json_feed_1_0_and_bad_items() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1", "title": "Old", "items": ['
        b'{"id": "a", "url": "javascript:alert(1)", "title": "Link dropped", "date_published": "yesterday"},'
        b'{"id": "b", "external_url": "https://elsewhere.example/b", "content_html": "<p>x</p>",'
        b' "attachments": [{"url": "https://cdn.example/b.webp", "mime_type": "image/webp"}]}]}'
    )
    feed = parse_feed(body, url=URL)
    assert feed.format == "json1"
    first, second = feed.entries
    assert first.link is None
    assert first.published is None
    assert second.link == "https://elsewhere.example/b"
    assert second.image_url == "https://cdn.example/b.webp"
    with pytest.raises(FeedParseError, match="items"):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', url=URL)


@pytest.mark.parametrize(
    "body",
    [
        b'{"hello": "world"}',
        b"[1, 2, 3]",
        b"{not json",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"version": "https://jsonfeed.org/version/1", "items": [' + b"[" * 50_000,
    ],
)
def test_json_that_is_not_a_feed_is_refused(body: bytes) -> None:
    with pytest.raises(FeedParseError, match="not a feed"):
        parse_feed(body, url=URL, content_type="application/json")


def billion_laughs(levels: int = 10) -> bytes:
    declarations = [b'<!ENTITY lol0 "lol">']
    for level in range(1, levels):
        declarations.append(b'<!ENTITY lol%d "%s">' % (level, (b"&lol%d;" % (level - 1)) * 10))
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
        + b"\n".join(declarations)
        + b'\n]>\n<rss version="2.0"><channel><title>&lol%d;</title>'
        b"<item><title>&lol%d;</title><description>&lol%d;</description></item></channel></rss>"
        % (levels - 1, levels - 1, levels - 1)
    )


XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<rss version="2.0"><channel><title>x</title><item><title>&xxe;</title></item></channel></rss>'
)
PARAMETER_XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd"> %remote;]>\n'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><title>t</title></entry></feed>'
)


@pytest.mark.parametrize(
    "body",
    [
        billion_laughs(),
        XXE,
        PARAMETER_XXE,
        billion_laughs().replace(b"<!ENTITY", b"<!entity").replace(b"DOCTYPE", b"doctype"),
        billion_laughs().replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="utf-16"?>')
        .decode()
        .encode("utf-16"),
        XXE.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="utf-32"?>').decode().encode("utf-32"),
    ],
    ids=["billion-laughs", "xxe-file", "xxe-parameter-entity", "lowercase", "utf-16", "utf-32"],
)
def test_entity_declarations_are_refused_before_parsing(body: bytes) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(FeedParseError, match="entities"):
            parse_feed(body, url=URL, content_type="application/rss+xml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024, peak  # refused from a scan, nothing expanded


def test_external_dtd_without_entities_is_not_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY secret "TOP-SECRET-VALUE">')
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "file://{dtd}">\n'
        '<rss version="2.0"><channel><title>t</title><item><title>a &secret; b</title></item></channel></rss>'
    ).encode()
    feed = parse_feed(body, url=URL)
    assert "TOP-SECRET-VALUE" not in feed.entries[0].title


def test_body_that_looks_like_a_path_is_never_opened(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "feed.xml"
    secret.write_text('<rss version="2.0"><channel><item><title>LEAKED</title></item></channel></rss>')
    with pytest.raises(FeedParseError):
        parse_feed(str(secret).encode(), url=URL)
    with pytest.raises(TypeError):
        parse_feed(str(secret), url=URL)  # type: ignore[arg-type]


HTML_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>NASA</title>
<link rel="alternate" type="application/rss+xml" href="/feed/"></head>
<body><h1>News</h1><p>Welcome</p></body></html>"""


@pytest.mark.parametrize("content_type", [None, "text/html", "application/rss+xml"])
def test_html_page_instead_of_a_feed(content_type: str | None) -> None:
    with pytest.raises(FeedParseError, match="not a feed: got an HTML page"):
        parse_feed(HTML_PAGE, url=URL, content_type=content_type)


def test_html_without_doctype_is_still_recognised() -> None:
    with pytest.raises(FeedParseError, match="HTML page"):
        parse_feed(b"  \n<html><body><p>Moved</p></body></html>", url=URL)


def test_malformed_xml_that_feedparser_salvages_keeps_its_entries() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken & Co</title>'
        b"<item><title>Hubble <b>finds</title><link>https://x.example/1</link><guid>one</guid></item>"
        b"<item><title>Webb sees &nbsp; quasars</title><guid>two</guid></item></channel>"
    )
    feed = parse_feed(body, url=URL)
    assert [e.guid for e in feed.entries] == ["one", "two"]
    assert feed.entries[0].title.startswith("Hubble")


@pytest.mark.parametrize(
    "body", [b"", b"   \n", b"\x00\xff\xfe garbage \x01", b"just some words", b"<?xml version='1.0'?><unclosed"]
)
def test_unusable_bodies_are_a_one_line_error(body: bytes) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(body, url=URL)
    assert "\n" not in str(caught.value)


def test_empty_but_valid_feed_has_no_entries() -> None:
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', url=URL)
    assert feed.title == "Quiet" and feed.entries == []


def test_relative_links_resolve_against_the_feed_url_but_guids_stay_as_written() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>a</title><link>/news/a</link>'
        b"<guid>4411</guid>"
        b'<description>&lt;img src="img/a.jpg"&gt; text</description></item></channel></rss>'
    )
    entry = parse_feed(body, url="https://agency.example/feeds/main.xml").entries[0]
    assert entry.link == "https://agency.example/news/a"
    assert entry.image_url == "https://agency.example/feeds/img/a.jpg"
    # The same feed after a 301 to another host: identities must not change.
    moved = parse_feed(body, url="https://new-host.example/rss").entries[0]
    assert entry.guid == moved.guid == "4411"


def test_control_characters_and_nul_bytes_do_not_break_text() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>Lift\x0boff</title>'
        b"<description>&lt;p&gt;Stage\x01 one&lt;/p&gt;</description></item></channel></rss>"
    )
    entry = parse_feed(body, url=URL).entries[0]
    assert entry.summary == "Stage one"


def test_fragment_to_text() -> None:
    assert fragment_to_text("<p>One &amp; two</p><p>Three<br>four</p>") == "One & two\nThree\nfour"
    assert fragment_to_text("<style>p{}</style><p>Shown</p><script>hidden()</script>") == "Shown"
    assert fragment_to_text("") == ""
    assert fragment_to_text("<!-- only a comment -->") == ""
    assert fragment_to_text("a\x00b") == "ab"
    assert fragment_to_text("<script>a</script><script>b</script><p>kept</p>") == "kept"
    # Hostile nesting: no RecursionError, whatever lxml keeps of it.
    assert fragment_to_text("<div>" * 100 + "deep" + "</div>" * 100) == "deep"
    assert isinstance(fragment_to_text("<div>" * 100_000 + "x"), str)


@pytest.mark.parametrize(
    ("summary", "content", "expected"),
    [
        ("Short teaser.", None, True),
        (" ".join(["word"] * 120), None, False),
        (" ".join(["word"] * 120) + " [...]", None, True),
        (" ".join(["word"] * 120) + " Read more »", None, True),
        (" ".join(["word"] * 120) + " Continue reading →", None, True),
        ("Short", " ".join(["word"] * 120), False),
        ("Short", "Only the start of the story…", True),
        ("Short", "The full text of a short item.", False),
    ],
)
def test_is_teaser_text(summary: str, content: str | None, expected: bool) -> None:
    assert is_teaser_text(summary, content) is expected


def test_http_charset_applies_to_xml_without_an_encoding_declaration() -> None:
    body = (
        '<rss version="2.0"><channel><title>t</title><item><title>Kosmonavt: Гагарин</title>'
        "</item></channel></rss>"
    ).encode("cp1251")
    entry = parse_feed(body, url=URL, content_type="application/rss+xml", charset="windows-1251").entries[0]
    assert entry.title == "Kosmonavt: Гагарин"
    # Without the header's charset the bytes are misread: the charset above is what made it right.
    guessed = parse_feed(body, url=URL, content_type="application/rss+xml").entries[0]
    assert guessed.title != entry.title
