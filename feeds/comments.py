"""Debate inputs from the web: Hacker News threads, Reddit threads, and comments embedded in a page.

`fetch_comments(fetcher, url)` picks the source from the URL and returns `summarizer.debate.Comment`s in
thread order (parents before replies) with `reply_to` set. All HTTP goes through the shared `Fetcher`
(limits, address guard); parsing is pure and synchronous (`parse_hn_items`, `parse_reddit_listing`,
`parse_html_comments`), and the HTML parser runs in a worker thread.

- Hacker News: the public JSON API (`HN_API_BASE/item/<id>.json`), kids fetched breadth-first, at most
  `MAX_HN_ITEMS` items with at most `HN_CONCURRENCY` requests in flight; comment HTML becomes text.
- Reddit: the thread URL with `.json` appended, fetched from `REDDIT_BASE`; "more" stubs and
  deleted/removed comments are skipped (their replies are kept).
- Any other page: elements whose class is `comment` (WordPress `li.comment`, `div.comment`,
  `article.comment`), parsed with lxml. A page whose comments are loaded by a JavaScript widget
  (Disqus and the like) gives a clear `CommentsUnavailableError` instead of an empty debate.

The API bases are module constants and keyword arguments so tests can point them at a local server.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.etree
import lxml.html

from feeds.article import ARTICLE_ACCEPT, page_text
from feeds.fetch import Fetcher, FetchError
from summarizer.debate import Comment, DebateInputError, parse_comments

__all__ = [
    "HN_API_BASE",
    "HN_CONCURRENCY",
    "MAX_HN_ITEMS",
    "MAX_THREAD_COMMENTS",
    "REDDIT_BASE",
    "CommentsUnavailableError",
    "fetch_comments",
    "hn_item_id",
    "hn_text",
    "parse_hn_items",
    "parse_html_comments",
    "parse_reddit_listing",
    "reddit_thread_path",
]

HN_API_BASE = "https://hacker-news.firebaseio.com/v0"
REDDIT_BASE = "https://www.reddit.com"
# A Hacker News thread is one request per comment: bound how many and how many at once.
MAX_HN_ITEMS = 500
HN_CONCURRENCY = 8
# More comments than this (Reddit, pages) are cut: a debate of this size already says what it says.
MAX_THREAD_COMMENTS = 5000

JS_COMMENTS_MESSAGE = "the comments on this page are loaded by JavaScript; spacebrief cannot read them"
NO_COMMENTS_MESSAGE = "no comments found on this page"
_JSON_ACCEPT = "application/json"
_HN_HOSTS = frozenset({"news.ycombinator.com"})
_REDDIT_PATH = re.compile(r"^/r/([A-Za-z0-9_]{1,64})/comments/([a-z0-9]{1,16})(?:/([^/?#]{0,300}))?/?$")
_AUTHOR_SUFFIX = re.compile(r"\s*(?:says|said|wrote)\s*:?\s*$", re.IGNORECASE)
_WHITESPACE = re.compile(r"[ \t\r\f\v]+")

# Markers of comment widgets that load their content with JavaScript.
_JS_WIDGET_MARKERS = (
    "disqus", "commento", "utteranc.es", "giscus", "fb-comments", "facebook.com/plugins/comments",
    "livefyre", "hyvor", "remark42", "cusdis", "coral-talk", "coralproject", "spot.im", "openweb",
    "viafoura", "talkyard", "isso", "graphcomment", "intensedebate",
)
_JS_TEXT_MARKERS = (
    "comments are loaded", "comments are powered by", "enable javascript to view the comments",
    "enable javascript to see comments", "javascript to view comments", "load comments",
    "loading comments",
)
_COMMENT_CONTAINER_IDS = frozenset({"comments", "comment-section", "comments-section", "comment_thread",
                                    "comments-container", "comment-thread"})
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "blockquote", "pre", "section", "article", "header", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "dd", "dt", "hr", "aside", "figure",
})
_COMMENT_TAGS = frozenset({"li", "div", "article", "section", "aside", "td", "dd", "blockquote", "p"})
_PARAGRAPH_TAGS = frozenset({"p", "blockquote", "pre", "ul", "ol", "table"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "form", "iframe"})
# Parts of a comment element that are not its text.
_META_CLASSES = frozenset({"comment-author", "author", "comment-meta", "comment-metadata", "reply",
                           "comment-reply", "comment-actions", "vcard", "avatar", "comment-date"})


class CommentsUnavailableError(FetchError):
    """The URL was fetched but yields no readable comments; `str()` is one line for the user."""


# --- URLs ----------------------------------------------------------------------------------------------

def hn_item_id(url: str) -> int | None:
    """The item id of a Hacker News URL (`https://news.ycombinator.com/item?id=N`), else None."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in _HN_HOSTS or parts.path.rstrip("/") != "/item":
        return None
    values = parse_qs(parts.query).get("id", [])
    if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 12:
        return None
    return int(values[0])


def reddit_thread_path(url: str) -> str | None:
    """The canonical thread path (`/r/sub/comments/id/slug/`) of a Reddit thread URL, else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host != "reddit.com" and not host.endswith(".reddit.com"):
        return None
    path = parts.path.removesuffix(".json")
    match = _REDDIT_PATH.match(path)
    if not match:
        return None
    subreddit, thread_id, slug = match.groups()
    return f"/r/{subreddit}/comments/{thread_id}/" + (f"{slug}/" if slug else "")


# --- text ----------------------------------------------------------------------------------------------

def _class_tokens(element: Any) -> frozenset[str]:
    value = element.get("class") if isinstance(element.tag, str) else None
    return frozenset(value.split()) if value else frozenset()


def _element_text(root: Any, skip: set[Any]) -> str:
    """Readable text of an element: block elements start new lines, <blockquote> lines are marked with
    "> " (a quote of someone else, which condensation drops), scripts and the `skip` subtrees are left out."""
    pieces: list[str] = []

    def walk(element: Any, quoted: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if element in skip or tag.lower() in _SKIP_TAGS or not tag:
            if element is not root:
                pieces.append(_tail(element, quoted))
            return
        lowered = tag.lower()
        is_block = lowered in _BLOCK_TAGS
        quoted_here = quoted or lowered == "blockquote"
        # Paragraph-like elements are separated by a blank line, other blocks by a line break.
        separator = "\n\n" if lowered in _PARAGRAPH_TAGS else "\n" if is_block else ""
        pieces.append(separator)
        if element.text:
            pieces.append(_mark(element.text, quoted_here))
        for child in element:
            walk(child, quoted_here)
        pieces.append(separator)
        if element is not root:
            pieces.append(_tail(element, quoted))

    walk(root, False)
    lines = [_WHITESPACE.sub(" ", line).strip() for line in "".join(pieces).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _tail(element: Any, quoted: bool) -> str:
    return _mark(element.tail, quoted) if element.tail else ""


def _mark(text: str, quoted: bool) -> str:
    if not quoted:
        return text
    return "\n".join(f"> {line}" if line.strip() else line for line in text.split("\n"))


def hn_text(html: str) -> str:
    """Plain text of a Hacker News comment (HTML with <p>, <a>, <i>, <pre>, entities)."""
    if not html or not html.strip():
        return ""
    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return ""
    return _element_text(fragment, set())


# --- Hacker News ---------------------------------------------------------------------------------------

def parse_hn_items(root: dict[str, Any], items: list[dict[str, Any]]) -> list[Comment]:
    """Comments of a Hacker News thread from its root item and the (breadth-first) items below it.

    Deleted and dead items and items without text are skipped. A comment answering the story has no
    reply_to; one answering a comment has the parent's id. A root that is itself a comment comes first.
    """
    story_id = root.get("id") if root.get("type") != "comment" else None
    comments: list[Comment] = []
    for item in ([root] if root.get("type") == "comment" else []) + items:
        if not isinstance(item, dict) or item.get("deleted") or item.get("dead"):
            continue
        if item.get("type", "comment") != "comment":
            continue
        author, html = item.get("by"), item.get("text")
        if not isinstance(author, str) or not isinstance(html, str):
            continue
        text = hn_text(html)
        if not text:
            continue
        parent = item.get("parent")
        reply_to = None if parent is None or parent == story_id or item is root else str(parent)
        comments.append(Comment(author=author, text=text, id=str(item.get("id")), reply_to=reply_to))
    return comments


async def _hn_item(fetcher: Fetcher, api_base: str, item_id: int) -> dict[str, Any] | None:
    result = await fetcher.get(f"{api_base}/item/{item_id}.json", accept=_JSON_ACCEPT)
    try:
        data = json.loads(result.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


async def _fetch_hn(fetcher: Fetcher, item_id: int, api_base: str) -> list[Comment]:
    api_base = api_base.rstrip("/")
    root = await _hn_item(fetcher, api_base, item_id)
    if root is None:
        raise CommentsUnavailableError(f"Hacker News item {item_id} does not exist")
    semaphore = asyncio.Semaphore(HN_CONCURRENCY)

    async def fetch_one(kid: int) -> dict[str, Any] | None:
        async with semaphore:
            try:
                return await _hn_item(fetcher, api_base, kid)
            except FetchError:
                return None  # one missing comment should not lose the thread

    queue: deque[int] = deque(_kids(root))
    items: list[dict[str, Any]] = []
    requested = 0
    while queue and requested < MAX_HN_ITEMS:
        batch = [queue.popleft() for _ in range(min(len(queue), MAX_HN_ITEMS - requested))]
        requested += len(batch)
        for item in await asyncio.gather(*(fetch_one(kid) for kid in batch)):
            if item is not None:
                items.append(item)
                queue.extend(_kids(item))
    return await asyncio.to_thread(parse_hn_items, root, items)


def _kids(item: dict[str, Any]) -> list[int]:
    kids = item.get("kids")
    if not isinstance(kids, list):
        return []
    return [kid for kid in kids if isinstance(kid, int) and not isinstance(kid, bool)]


# --- Reddit --------------------------------------------------------------------------------------------

def parse_reddit_listing(data: object) -> list[Comment]:
    """Comments of a Reddit thread from its decoded `.json` (a list: the post listing, then the comment
    listing), depth-first in thread order; "more" stubs and deleted/removed comments are skipped."""
    if not (isinstance(data, list) and len(data) >= 2 and isinstance(data[1], dict)):
        raise CommentsUnavailableError("Reddit did not return a comment thread for this URL")
    comments: list[Comment] = []
    stack: list[Any] = list(reversed(_listing_children(data[1])))
    while stack and len(comments) < MAX_THREAD_COMMENTS:
        child = stack.pop()
        if not isinstance(child, dict) or child.get("kind") != "t1" or not isinstance(child.get("data"), dict):
            continue  # "more" stubs and anything unexpected
        fields = child["data"]
        stack.extend(reversed(_listing_children(fields.get("replies"))))
        author, body, comment_id = fields.get("author"), fields.get("body"), fields.get("id")
        if not isinstance(author, str) or not isinstance(body, str) or not isinstance(comment_id, str):
            continue
        if author == "[deleted]" or body.strip() in ("[deleted]", "[removed]", ""):
            continue
        parent = fields.get("parent_id")
        reply_to = parent[3:] if isinstance(parent, str) and parent.startswith("t1_") else None
        comments.append(Comment(author=author, text=body, id=comment_id, reply_to=reply_to))
    return comments


def _listing_children(listing: object) -> list[Any]:
    if not isinstance(listing, dict) or not isinstance(listing.get("data"), dict):
        return []
    children = listing["data"].get("children")
    return children if isinstance(children, list) else []


async def _fetch_reddit(fetcher: Fetcher, path: str, base: str) -> list[Comment]:
    result = await fetcher.get(f"{base.rstrip('/')}{path}.json?raw_json=1&limit=500", accept=_JSON_ACCEPT)
    try:
        data = json.loads(result.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CommentsUnavailableError("Reddit did not return JSON for this thread") from exc
    return await asyncio.to_thread(parse_reddit_listing, data)


# --- comments in a page --------------------------------------------------------------------------------

def _own_descendants(element: Any, comment_elements: set[Any]) -> Iterator[Any]:
    """Descendants of a comment element that do not belong to a reply nested inside it."""
    stack = list(reversed(element))
    while stack:
        node = stack.pop()
        if not isinstance(node.tag, str) or node in comment_elements:
            continue
        yield node
        stack.extend(reversed(node))


def _author_of(element: Any, own: list[Any]) -> str:
    author = element.get("data-author")
    if not author:
        holder = next((node for node in own if _class_tokens(node) & {"comment-author", "author"}), None)
        if holder is not None:
            named = next((node for node in holder.iter() if _class_tokens(node) & {"fn", "name"}), holder)
            author = " ".join(named.text_content().split())
    author = _AUTHOR_SUFFIX.sub("", author or "").strip()
    return author[:100] or "anonymous"


def parse_html_comments(html: str) -> list[Comment]:
    """Comments embedded in a page: elements whose class is `comment`; nested ones are replies.

    Raises `CommentsUnavailableError` when there are none: with the JavaScript message when the page
    shows signs of a comment widget (Disqus, "comments are loaded", an empty `<div id="comments">`).
    """
    if not html or not html.strip():
        raise CommentsUnavailableError(NO_COMMENTS_MESSAGE)
    try:
        document = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise CommentsUnavailableError(NO_COMMENTS_MESSAGE) from exc
    elements = document.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' comment ')]")
    # Only block containers are comments: inline "comment" classes are code highlighting (Prism's
    # `<span class="token comment">`) or decoration, and nothing inside <pre>/<code> is a comment.
    elements = [
        element for element in elements
        if element.tag in _COMMENT_TAGS
        and not any(ancestor.tag in ("pre", "code") for ancestor in element.iterancestors())
    ]
    comment_set = set(elements)
    ids: dict[Any, str] = {}
    for position, element in enumerate(elements, start=1):
        ids[element] = (element.get("id") or element.get("data-id") or f"c{position}")[:100]

    comments: list[Comment] = []
    for element in elements[:MAX_THREAD_COMMENTS]:
        own = list(_own_descendants(element, comment_set))
        content = next((node for node in own if "comment-content" in _class_tokens(node)), None)
        if content is None:
            content = next((node for node in own if _class_tokens(node) & {"comment-body", "comment-text"}), None)
        container = content if content is not None else element
        skip = {node for node in own if _class_tokens(node) & _META_CLASSES} | (comment_set - {element})
        text = _element_text(container, skip)
        if not text:
            continue
        parent = next((ancestor for ancestor in element.iterancestors() if ancestor in comment_set), None)
        comments.append(
            Comment(
                author=_author_of(element, own),
                text=text,
                id=ids[element],
                reply_to=ids[parent] if parent is not None else None,
            )
        )
    if comments:
        return comments
    if _loads_comments_with_javascript(document):
        raise CommentsUnavailableError(JS_COMMENTS_MESSAGE)
    raise CommentsUnavailableError(NO_COMMENTS_MESSAGE)


def _loads_comments_with_javascript(document: Any) -> bool:
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        attributes = " ".join(
            element.get(name, "") for name in ("id", "class", "src", "data-src", "href")
        ).lower()
        if any(marker in attributes for marker in _JS_WIDGET_MARKERS):
            return True
        if element.tag == "script" and element.text:
            script = element.text[:20_000].lower()
            if any(marker in script for marker in _JS_WIDGET_MARKERS):
                return True
        if (element.get("id") or "").lower() in _COMMENT_CONTAINER_IDS and not element.text_content().strip():
            return True
    body = document.find("body")
    text = " ".join((body if body is not None else document).text_content().lower().split())
    return any(marker in text for marker in _JS_TEXT_MARKERS)


# --- entry point ---------------------------------------------------------------------------------------

async def fetch_comments(
    fetcher: Fetcher,
    url: str,
    *,
    hn_api_base: str | None = None,
    reddit_base: str | None = None,
) -> list[Comment]:
    """The comments of a thread URL: Hacker News, Reddit, a JSON list of comments, or a page's HTML.

    Raises `FetchError` (fetch failures) or `CommentsUnavailableError` (a `FetchError`: nothing readable,
    including a JSON document that is not a list of comments); every message is one line.
    """
    item_id = hn_item_id(url)
    if item_id is not None:
        return await _fetch_hn(fetcher, item_id, hn_api_base or HN_API_BASE)
    thread_path = reddit_thread_path(url)
    if thread_path is not None:
        return await _fetch_reddit(fetcher, thread_path, reddit_base or REDDIT_BASE)
    result = await fetcher.get(url, accept=ARTICLE_ACCEPT)
    content_type = (result.content_type or "").lower()
    if "json" in content_type:
        try:
            data = json.loads(result.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommentsUnavailableError("the URL returned JSON that cannot be decoded") from exc
        try:
            return parse_comments(data)
        except DebateInputError as exc:
            # Reported like every other unreadable URL, so callers need to catch FetchError only.
            raise CommentsUnavailableError(f"the URL's JSON is not a list of comments: {exc}") from exc
    html = page_text(result)
    return await asyncio.to_thread(parse_html_comments, html)
