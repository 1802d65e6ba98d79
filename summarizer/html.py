"""HTML to article text, through trafilatura: the only HTML-to-text code in the project."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

__all__ = ["MAX_HTML_CHARS", "Article", "html_to_article"]

# trafilatura builds a full lxml tree; past a few MB of markup that costs seconds and hundreds of MB,
# and no news article needs more. Longer input is cut (lxml repairs the truncated tail).
MAX_HTML_CHARS = 3_000_000
_BODY_TAG = re.compile(r"<body[\s>]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Article:
    title: str | None
    text: str
    image_url: str | None = None


def html_to_article(html: str, url: str | None = None) -> Article | None:
    """The main text of an HTML page with its title and lead image; None when there is no text.

    Paragraphs in `text` are separated by blank lines. trafilatura's precise extractor is tried first,
    then its recall-oriented mode (short pages), then its baseline extractor (fragments).
    """
    import trafilatura

    html = html[:MAX_HTML_CHARS]
    if not _BODY_TAG.search(html[:200_000]):
        # A bare fragment ("<p>...</p>"): trafilatura finds nothing without a document around it.
        html = f"<html><body>{html}</body></html>"
    # trafilatura logs every page it finds too small; that is an answer here, not a warning.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    title = _clean(getattr(document, "title", None))
    image = _clean(getattr(document, "image", None))
    text = _clean(getattr(document, "text", None))
    if not text:
        recall = trafilatura.bare_extraction(html, url=url, favor_recall=True, include_comments=False)
        text = _clean(getattr(recall, "text", None))
    if not text:
        text = _clean(trafilatura.html2txt(html))
    if not text or _only_navigation(text, html):
        return None
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if title and lines and lines[0].casefold() == title.casefold():
        lines = lines[1:]  # the page's <h1> repeats the title
    if not lines:
        return None
    # trafilatura puts one paragraph per line; the sentence splitter reads blank lines as paragraphs.
    return Article(title=title, text="\n\n".join(lines), image_url=image)


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


# Where a page keeps its menus and links. trafilatura falls back to them when a page has no article
# ("Home News About us Contact"), which must read as no text, not as a four-word article.
_NAVIGATION = "//nav | //header | //footer | //aside | //menu | //*[@role='navigation'] | //a | //button | //title"
_WORD = re.compile(r"\w+")
# Past this many words the extracted text is an article whatever the menus say; the check is skipped.
_NAVIGATION_CHECK_WORDS = 150


def _only_navigation(text: str, html: str) -> bool:
    """True when every word of `text` also appears in the page's menus, links, buttons or title."""
    words = set(_WORD.findall(text.casefold()))
    if len(words) > _NAVIGATION_CHECK_WORDS:
        return False
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return False
    navigation: set[str] = set()
    for element in tree.xpath(_NAVIGATION):
        navigation.update(_WORD.findall(element.text_content().casefold()))
    return words <= navigation

