"""Full article text for entries whose feed carries only a teaser.

`fetch_article` fetches the page through the shared Fetcher (same limits and address guard), then runs
`summarizer.html.html_to_article` (trafilatura, CPU-heavy) in a worker thread.
"""

from __future__ import annotations

import asyncio
import re

from feeds.fetch import Fetcher, FetchError, FetchResult
from summarizer.html import Article, html_to_article

__all__ = ["ARTICLE_ACCEPT", "Article", "NoArticleTextError", "fetch_article", "page_text"]

ARTICLE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5,*/*;q=0.1"
_TEXTUAL_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
# A page's own charset declaration, for servers that send none in Content-Type (common).
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)


class NoArticleTextError(FetchError):
    """The page was fetched but holds no article text (empty, a script shell, an image, a PDF...)."""


def page_text(result: FetchResult) -> str:
    """The fetched page as text, honouring a <meta charset> when the headers declare none."""
    if result.charset is None:
        found = _META_CHARSET.search(result.body[:4096])
        if found:
            declared = found.group(1).decode("ascii", errors="replace")
            try:
                return result.body.decode(declared, errors="replace")
            except LookupError:
                pass
    return result.text()


async def fetch_article(fetcher: Fetcher, url: str) -> Article:
    """Fetch `url` and extract its main text. Raises FetchError (any fetch failure) or NoArticleTextError."""
    result = await fetcher.get(url, accept=ARTICLE_ACCEPT)
    content_type = (result.content_type or "").lower()
    if content_type and not content_type.startswith(_TEXTUAL_TYPES):
        raise NoArticleTextError(f"no article text: {result.url} is {content_type}, not a web page")
    if not result.body.strip():
        raise NoArticleTextError(f"no article text: {result.url} returned an empty page")
    html = page_text(result)
    article = await asyncio.to_thread(html_to_article, html, result.url)
    if article is None or not article.text.strip():
        raise NoArticleTextError(f"no article text found at {result.url}")
    return article
