"""Articles on the web: fetch a page, extract its text, summarize it.

`summarize_url` is the one way spacebrief summarizes a URL (the CLI, /summarize, /quotes, /sources test
and the news poller all use it): the page is fetched through the shared Fetcher (same limits and
address guard), decoded honouring its `<meta charset>`, refused when it is not a web page, and
summarized (extraction included) off the event loop. `summarize_entry` is what a feed entry gets: the
article page when the feed carries only a teaser, else (or when the page fails) the feed's own text.
`fetch_article` gives the extracted text alone.
"""

from __future__ import annotations

import asyncio
import logging
import re

from feeds.fetch import Fetcher, FetchError, FetchResult
from feeds.shapes import CpuRunner
from summarizer.errors import NoTextError
from summarizer.html import Article, html_to_article
from summarizer.summary import Summary, summarize

__all__ = [
    "ARTICLE_ACCEPT",
    "Article",
    "NoArticleTextError",
    "fetch_article",
    "fetch_page",
    "page_text",
    "summarize_entry",
    "summarize_url",
]

log = logging.getLogger(__name__)


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


async def fetch_page(fetcher: Fetcher, url: str) -> tuple[str, str]:
    """The web page at `url` as text, and its final URL (after redirects).

    Raises FetchError (any fetch failure) or NoArticleTextError (an empty body, or not a web page).
    """
    result = await fetcher.get(url, accept=ARTICLE_ACCEPT)
    content_type = (result.content_type or "").lower()
    if content_type and not content_type.startswith(_TEXTUAL_TYPES):
        raise NoArticleTextError(f"no article text: {result.url} is {content_type}, not a web page")
    if not result.body.strip():
        raise NoArticleTextError(f"no article text: {result.url} returned an empty page")
    return page_text(result), result.url


async def fetch_article(fetcher: Fetcher, url: str) -> Article:
    """Fetch `url` and extract its main text. Raises FetchError (any fetch failure) or NoArticleTextError."""
    html, final_url = await fetch_page(fetcher, url)
    article = await asyncio.to_thread(html_to_article, html, final_url)
    if article is None or not article.text.strip():
        raise NoArticleTextError(f"no article text found at {final_url}")
    return article


async def summarize_url(
    fetcher: Fetcher,
    url: str,
    *,
    sentences: int = 3,
    max_quotes: int = 2,
    algorithm: str | None = None,
    run_cpu: CpuRunner | None = None,
) -> Summary:
    """Fetch the article at `url` and summarize it (title, key sentences, key quotes).

    Raises FetchError (including NoArticleTextError for what is not a web page), NoTextError when
    the page holds no article text, UnknownAlgorithmError for a bad `algorithm`.
    """
    html, _ = await fetch_page(fetcher, url)
    summary: Summary = await (run_cpu or asyncio.to_thread)(
        summarize, html, sentences=sentences, algorithm=algorithm, max_quotes=max_quotes
    )
    return summary


async def summarize_entry(
    fetcher: Fetcher,
    *,
    text: str,
    link: str | None,
    is_teaser: bool,
    sentences: int,
    max_quotes: int,
    run_cpu: CpuRunner | None = None,
) -> tuple[Summary | None, str | None]:
    """The summary a feed entry is posted with, and the problem (one line) when there is none or the
    article page could not be used: the page when the feed gave a teaser, else the feed's `text`."""
    problem: str | None = None
    if is_teaser and link:
        try:
            return await summarize_url(fetcher, link, sentences=sentences, max_quotes=max_quotes, run_cpu=run_cpu), None
        except (FetchError, NoTextError) as exc:
            problem = str(exc)
            log.info("%s: article page not used: %s", link, exc)
    if not text.strip():
        return None, problem
    try:
        summary: Summary = await (run_cpu or asyncio.to_thread)(
            summarize, text, sentences=sentences, max_quotes=max_quotes
        )
    except NoTextError as exc:
        return None, problem or str(exc)
    return summary, problem
