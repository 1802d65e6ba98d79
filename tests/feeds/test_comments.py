"""feeds.comments: Hacker News, Reddit and in-page comments, served by a local aiohttp server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web

from feeds import comments as comments_module
from feeds.comments import (
    JS_COMMENTS_MESSAGE,
    NO_COMMENTS_MESSAGE,
    CommentsUnavailableError,
    fetch_comments,
    hn_item_id,
    hn_text,
    parse_html_comments,
    parse_reddit_listing,
    reddit_thread_path,
)
from feeds.fetch import Fetcher, FetchError, FetchLimits
from summarizer.debate import DebateInputError

LOCAL = FetchLimits(timeout_s=10, allow_private_networks=True)

HN_ITEMS: dict[int, dict[str, Any]] = {
    100: {"id": 100, "type": "story", "by": "op", "title": "Starship flight 9", "kids": [101, 102, 105]},
    101: {"id": 101, "type": "comment", "by": "ann", "parent": 100, "kids": [103],
          "text": "Reusing the booster is what makes this cheap.<p>The tower catch saves weeks."},
    102: {"id": 102, "type": "comment", "by": "bob", "parent": 100,
          "text": "Heat shield tiles still fall off &amp; that&#x27;s a <i>problem</i>: "
                  "<a href=\"https://example.com/tiles\">tiles</a>"},
    103: {"id": 103, "type": "comment", "by": "cat", "parent": 101, "kids": [104],
          "text": "&gt; Reusing the booster<p>Only if refurbishment is fast."},
    104: {"id": 104, "type": "comment", "deleted": True, "parent": 103},
    105: {"id": 105, "type": "comment", "dead": True, "by": "spam", "parent": 100, "text": "buy now"},
}

WORDPRESS_PAGE = """<!doctype html><html><body>
<article><h1>Artemis II slips again</h1><p>The crewed flyby moved to spring.</p></article>
<ol class="comment-list">
  <li class="comment even depth-1" id="comment-11">
    <article id="div-comment-11" class="comment-body">
      <footer class="comment-meta"><div class="comment-author vcard">
        <b class="fn">Valentina</b> <span class="says">says:</span></div>
        <div class="comment-metadata"><a href="#"><time>May 3, 2026 at 9:12 am</time></a></div>
      </footer>
      <div class="comment-content"><p>The heat shield findings justify the delay.</p></div>
      <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
    </article>
    <ol class="children">
      <li class="comment odd depth-2" id="comment-12">
        <article class="comment-body">
          <footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Yuri</b></div></footer>
          <div class="comment-content"><blockquote>The heat shield findings justify the delay.</blockquote>
          <p>Safety first, but the schedule pressure is real.</p></div>
        </article>
      </li>
    </ol>
  </li>
  <li class="comment depth-1" id="comment-13"><div class="comment-body" data-x="1">
    <div class="comment-author">Sally</div><p>Orion needs another uncrewed test.</p></div></li>
</ol>
<div class="comment" data-author="Neil">A plain div comment without wrappers.</div>
</body></html>"""

DISQUS_PAGE = """<html><body><article><p>Story text.</p></article>
<div id="disqus_thread"></div>
<script>var disqus_config = function () {}; (function() { var d = document, s = d.createElement('script');
s.src = 'https://example.disqus.com/embed.js'; (d.head || d.body).appendChild(s); })();</script>
</body></html>"""

EMPTY_CONTAINER_PAGE = """<html><body><p>Story.</p><div id="comments"></div>
<script src="/static/app.js"></script></body></html>"""

NO_COMMENTS_PAGE = """<html><body><article><p>A story with no comment section at all.</p></article></body></html>"""


def reddit_listing() -> list[dict[str, Any]]:
    def t1(comment_id: str, author: str, body: str, parent: str, replies: list[Any] | None = None) -> dict[str, Any]:
        return {"kind": "t1", "data": {
            "id": comment_id, "author": author, "body": body, "parent_id": parent,
            "replies": {"kind": "Listing", "data": {"children": replies}} if replies else "",
        }}

    return [
        {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": "abc", "title": "Moon or Mars?"}}]}},
        {"kind": "Listing", "data": {"children": [
            t1("k1", "ann", "The Moon is three days away, so it is the sane first step.", "t3_abc", [
                t1("k2", "[deleted]", "[deleted]", "t1_k1", [
                    t1("k3", "bob", "> sane first step\n\nMars has the resources that matter.", "t1_k2"),
                ]),
                t1("k4", "cat", "[removed]", "t1_k1"),
            ]),
            {"kind": "more", "data": {"count": 12, "children": ["k9", "k10"]}},
            t1("k5", "dan", "Lunar regolith makes decent radiation shielding.", "t3_abc"),
        ]}},
    ]


@pytest.fixture
async def site(serve):  # type: ignore[no-untyped-def]
    requests: list[str] = []
    in_flight = {"now": 0, "max": 0}

    async def hn_item(request: web.Request) -> web.Response:
        requests.append(request.path)
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        await asyncio.sleep(0.01)  # lets concurrent requests overlap so the bound is exercised
        in_flight["now"] -= 1
        item_id = int(request.match_info["item"])
        if item_id >= 1000:  # a wide synthetic thread: story 1000 with many comment kids
            if item_id == 1000:
                body = {"id": 1000, "type": "story", "kids": list(range(1001, 1700))}
            else:
                body = {"id": item_id, "type": "comment", "by": f"u{item_id}", "parent": 1000,
                        "text": f"Comment number {item_id} about propellant depots."}
            return web.json_response(body)
        return web.json_response(HN_ITEMS.get(item_id))

    async def reddit(request: web.Request) -> web.Response:
        requests.append(request.path_qs)
        return web.json_response(reddit_listing())

    def page(body: str, content_type: str = "text/html; charset=utf-8"):  # type: ignore[no-untyped-def]
        async def handler(request: web.Request) -> web.Response:
            return web.Response(body=body.encode(), headers={"Content-Type": content_type})

        return handler

    app = web.Application()
    app.router.add_get("/v0/item/{item}.json", hn_item)
    app.router.add_get("/r/space/comments/abc/moon_or_mars/.json", reddit)
    app.router.add_get("/wordpress", page(WORDPRESS_PAGE))
    app.router.add_get("/disqus", page(DISQUS_PAGE))
    app.router.add_get("/empty-container", page(EMPTY_CONTAINER_PAGE))
    app.router.add_get("/plain", page(NO_COMMENTS_PAGE))
    app.router.add_get("/list.json", page(json.dumps([{"author": "a", "text": "hello there"}]), "application/json"))
    app.router.add_get("/object.json", page(json.dumps({"author": "a"}), "application/json"))
    base = await serve(app)
    return base, requests, in_flight


def test_url_recognition() -> None:
    assert hn_item_id("https://news.ycombinator.com/item?id=4242") == 4242
    assert hn_item_id("https://news.ycombinator.com/item?id=abc") is None
    assert hn_item_id("https://example.com/item?id=4242") is None
    assert reddit_thread_path("https://old.reddit.com/r/space/comments/abc/moon_or_mars/?sort=top") == (
        "/r/space/comments/abc/moon_or_mars/"
    )
    assert reddit_thread_path("https://www.reddit.com/r/space/comments/abc") == "/r/space/comments/abc/"
    assert reddit_thread_path("https://www.reddit.com/r/space/") is None
    assert reddit_thread_path("https://notreddit.com/r/space/comments/abc/x/") is None


async def test_hacker_news_thread_breadth_first(site) -> None:  # type: ignore[no-untyped-def]
    base, requests, _ = site
    async with Fetcher(LOCAL) as fetcher:
        comments = await fetch_comments(fetcher, "https://news.ycombinator.com/item?id=100", hn_api_base=f"{base}/v0")
    assert [c.id for c in comments] == ["101", "102", "103"]  # deleted 104 and dead 105 skipped
    first, second, reply = comments
    assert (first.author, first.reply_to) == ("ann", None)
    assert first.text == "Reusing the booster is what makes this cheap.\n\nThe tower catch saves weeks."
    assert second.text == "Heat shield tiles still fall off & that's a problem: tiles"
    assert reply.reply_to == "101"
    assert reply.text.splitlines()[0] == "> Reusing the booster"  # HN's quote convention survives as text
    # Breadth-first: the story's kids are all requested before the grandchild.
    assert requests.index("/v0/item/103.json") > max(requests.index(f"/v0/item/{k}.json") for k in (101, 102, 105))


async def test_hacker_news_count_and_concurrency_are_bounded(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    base, requests, in_flight = site
    monkeypatch.setattr(comments_module, "MAX_HN_ITEMS", 40)
    async with Fetcher(LOCAL) as fetcher:
        comments = await fetch_comments(fetcher, "https://news.ycombinator.com/item?id=1000", hn_api_base=f"{base}/v0")
    assert len(comments) == 40
    assert len(requests) == 41  # the story plus MAX_HN_ITEMS comments, never the other 660
    assert in_flight["max"] <= comments_module.HN_CONCURRENCY


async def test_hacker_news_missing_item(site) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(CommentsUnavailableError, match="item 999 does not exist"):
            await fetch_comments(fetcher, "https://news.ycombinator.com/item?id=999", hn_api_base=f"{base}/v0")


async def test_reddit_thread(site) -> None:  # type: ignore[no-untyped-def]
    base, requests, _ = site
    async with Fetcher(LOCAL) as fetcher:
        comments = await fetch_comments(
            fetcher, "https://www.reddit.com/r/space/comments/abc/moon_or_mars/", reddit_base=base
        )
    assert requests[-1].startswith("/r/space/comments/abc/moon_or_mars/.json")
    assert [(c.id, c.author, c.reply_to) for c in comments] == [
        ("k1", "ann", None),
        ("k3", "bob", "k2"),  # the reply under a deleted comment is kept
        ("k5", "dan", None),
    ]
    assert comments[1].text.startswith("> sane first step")


def test_reddit_listing_rejects_other_json() -> None:
    with pytest.raises(CommentsUnavailableError, match="did not return a comment thread"):
        parse_reddit_listing({"error": 404})


async def test_wordpress_comments_with_nesting(site) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    async with Fetcher(LOCAL) as fetcher:
        comments = await fetch_comments(fetcher, f"{base}/wordpress")
    assert [(c.id, c.author, c.reply_to) for c in comments] == [
        ("comment-11", "Valentina", None),
        ("comment-12", "Yuri", "comment-11"),
        ("comment-13", "Sally", None),
        ("c4", "Neil", None),
    ]
    assert comments[0].text == "The heat shield findings justify the delay."  # no "says:", date or Reply
    # The reply's quote of its parent is marked as a quote; its own words follow.
    assert comments[1].text.splitlines()[0] == "> The heat shield findings justify the delay."
    assert comments[1].text.splitlines()[-1] == "Safety first, but the schedule pressure is real."
    assert "Safety first" not in comments[0].text  # a reply's text never leaks into its parent
    assert comments[2].text == "Orion needs another uncrewed test."
    assert comments[3].text == "A plain div comment without wrappers."


@pytest.mark.parametrize("path", ["/disqus", "/empty-container"])
async def test_javascript_comment_widgets(site, path: str) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(CommentsUnavailableError) as caught:
            await fetch_comments(fetcher, f"{base}{path}")
    assert str(caught.value) == JS_COMMENTS_MESSAGE


async def test_page_without_comments(site) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    async with Fetcher(LOCAL) as fetcher:
        with pytest.raises(CommentsUnavailableError) as caught:
            await fetch_comments(fetcher, f"{base}/plain")
    assert str(caught.value) == NO_COMMENTS_MESSAGE
    assert isinstance(caught.value, FetchError)  # callers that map FetchError to exit 2 handle it too


async def test_json_list_of_comments_by_url(site) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    async with Fetcher(LOCAL) as fetcher:
        comments = await fetch_comments(fetcher, f"{base}/list.json")
        assert [(c.author, c.text) for c in comments] == [("a", "hello there")]
        with pytest.raises(CommentsUnavailableError) as caught:
            await fetch_comments(fetcher, f"{base}/object.json")
    assert str(caught.value) == "the URL's JSON is not a list of comments: expected a list of comments, got an object"
    assert isinstance(caught.value.__cause__, DebateInputError)


def test_hostile_html_gives_a_clear_answer() -> None:
    for html in ["", "   ", "\x00\x00", "<", "<div class='comment'></div>", "<" * 10_000]:
        with pytest.raises(CommentsUnavailableError):
            parse_html_comments(html)
    # Markup nested deeper than the parser keeps (libxml2 stops at 256 levels) must not recurse without
    # bound: the answer is a clean "no comments", never a RecursionError.
    deep = "<div class='comment'>" + "<div>" * 3000 + "deep words here" + "</div>" * 3000 + "</div>"
    with pytest.raises(CommentsUnavailableError):
        parse_html_comments(deep)
    nested = "<div class='comment'>" + "<div>" * 200 + "deep words here" + "</div>" * 200 + "</div>"
    assert [c.text for c in parse_html_comments(nested)] == ["deep words here"]


def test_hn_text_edge_cases() -> None:
    assert hn_text("") == ""
    assert hn_text("<pre><code>x = 1</code></pre>") == "x = 1"
    assert hn_text("a<p>b<p>c") == "a\n\nb\n\nc"


def test_code_highlighting_is_not_a_comment() -> None:
    page = """<html><body><article><p>How to parse telemetry:</p>
    <pre><code class="language-python"><span class="token comment"># read the frame header first</span>
    frame = read()</code></pre><p>Inline <span class="comment">aside text</span> here.</p></article>
    <div class="comment" data-author="Kim"><p>The telemetry parser skips checksum errors silently.</p></div>
    </body></html>"""
    comments = parse_html_comments(page)
    assert [(c.author, c.text) for c in comments] == [("Kim", "The telemetry parser skips checksum errors silently.")]
