"""Turning untrusted bytes into text, and telling text, HTML and binary junk apart."""

from __future__ import annotations

import codecs
import json
import re

__all__ = ["data_kind", "declared_in_document", "decode_text", "looks_binary", "looks_like_html", "readable_ratio"]

# BOMs first: a BOM is stronger evidence than a declared charset (servers often lie about charsets).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Only the first bytes are inspected for binary-ness and handed to the charset detector: enough to
# decide, and bounded work on a 20 MB body.
_SNIFF_BYTES = 64 * 1024
_CONTROL_BYTES = frozenset(range(0, 9)) | frozenset(range(14, 32)) | {11, 127}


# A document's own declaration, for servers (and files) that declare nothing: <meta charset="...">,
# <meta http-equiv="Content-Type" content="text/html; charset=..."> or <?xml ... encoding="..."?>.
_DOCUMENT_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})"""
    rb"""|<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""",
    re.IGNORECASE,
)
_DECLARATION_BYTES = 4096
# The WHATWG Encoding Standard (what every browser does): these labels mean windows-1252, which
# agrees with Latin-1 on every printable character and adds the curly quotes, dashes, € and … that
# pages labelled Latin-1 actually use in 0x80-0x9F.
_MEANS_WINDOWS_1252 = frozenset(codecs.lookup(name).name for name in ("latin-1", "ascii", "cp1252"))
# When charset_normalizer ranks several single-byte code pages equally (a short Western text gives no
# evidence between cp1250 and cp1252: "naïve" in one is "naďve" in the other), the one the web uses
# for Western languages wins.
_TIE_BREAK_PREFERENCE = tuple(codecs.lookup(name).name for name in ("cp1252", "latin-1", "iso8859-15"))
_TIE = 0.005


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def declared_in_document(data: bytes) -> str | None:
    """The charset an HTML or XML document declares in its first bytes (a known codec), else None."""
    found = _DOCUMENT_CHARSET.search(data[:_DECLARATION_BYTES])
    if not found:
        return None
    label = (found.group(1) or found.group(2)).decode("ascii", errors="replace")
    return _known_codec(label)


def decode_text(data: bytes, declared_charset: str | None = None) -> str:
    """Decode `data` the way a browser would, then better than one where it has to guess:

    1. a byte-order mark;
    2. the declared charset (an HTTP header, given as `declared_charset`), else the document's own
       <meta charset> or XML encoding declaration; invalid bytes become U+FFFD rather than an error,
       since a mostly-right declaration beats guessing; Latin-1 and ASCII labels read as windows-1252;
    3. UTF-8 when the bytes are valid UTF-8;
    4. charset_normalizer's detection (ties between Western code pages go to windows-1252);
    5. windows-1252, else Latin-1 (which never fails).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared = _known_codec(declared_charset) or declared_in_document(data)
    if declared is not None:
        if declared in _MEANS_WINDOWS_1252:
            return _decode_windows_1252(data)
        return data.decode(declared, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guessed = _guess_charset(data[:_SNIFF_BYTES])
    if guessed is not None and guessed not in _MEANS_WINDOWS_1252:
        return data.decode(guessed, errors="replace")
    return _decode_windows_1252(data)


def _decode_windows_1252(data: bytes) -> str:
    # Five bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) have no windows-1252 character; Latin-1 reads them all.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _guess_charset(sample: bytes) -> str | None:
    """charset_normalizer's best guess for non-UTF-8 bytes, with Western ties going to windows-1252."""
    from charset_normalizer import from_bytes

    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return None
    for preferred in _TIE_BREAK_PREFERENCE:
        for match in matches:
            if (
                _known_codec(match.encoding) == preferred
                and match.chaos <= best.chaos + _TIE
                and match.coherence >= best.coherence - _TIE
            ):
                return preferred
    return _known_codec(best.encoding)


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: NUL bytes (outside UTF-16/32 with a BOM) or many control bytes."""
    sample = data[:_SNIFF_BYTES]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte in _CONTROL_BYTES)
    return controls / len(sample) > 0.05


_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


def readable_ratio(text: str) -> float:
    """Share of characters in the first 64 KiB that are ordinary text (not controls or U+FFFD)."""
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return 0.0
    return 1.0 - len(_UNREADABLE.findall(sample)) / len(sample)


_HTML_MARKERS = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:p|div|article|section|main|span|br|h[1-6]|"
    r"title|meta|script|a\s+href|li|ul|table)[\s>/]",
    re.IGNORECASE,
)
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,500}>")


def looks_like_html(text: str) -> bool:
    """True when `text` is an HTML document or fragment rather than prose that mentions a tag."""
    head = text[:4096].lstrip()
    if head[:15].lower().startswith(("<!doctype html", "<html")):
        return True
    sample = text[:_SNIFF_BYTES]
    if not _HTML_MARKERS.search(sample):
        return False
    # Several tags, not one "<p>" quoted in an article about web pages.
    return len(_TAG.findall(sample, 0, 20000)) >= 3


# What may precede a feed's root element: an XML declaration, processing instructions
# (xml-stylesheet), comments, a doctype, whitespace.
_XML_PROLOGUE = re.compile(r"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*", re.DOTALL | re.IGNORECASE)
_FEED_ROOTS = (
    (re.compile(r"<rss[\s>]", re.IGNORECASE), "RSS"),
    (re.compile(r"<feed[\s>]", re.IGNORECASE), "Atom"),
    (re.compile(r"<rdf:rdf[\s>]", re.IGNORECASE), "RSS 1.0"),
)
_JSON_FEED_VERSION = "jsonfeed.org/version/"


def data_kind(text: str) -> str | None:
    """What `text` is when it is data rather than an article or a web page: "a news feed (RSS)",
    "a news feed (Atom)", "a news feed (RSS 1.0)", "a news feed (JSON Feed)" or "JSON data"; None
    for prose and HTML. A news feed's kind starts with "a news feed"."""
    head = text[:_DECLARATION_BYTES].lstrip("\ufeff")
    start = _XML_PROLOGUE.match(head)
    rest = head[start.end() if start else 0 :]
    if rest.startswith("<"):
        for root, name in _FEED_ROOTS:
            if root.match(rest):
                return f"a news feed ({name})"
        return None
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped.startswith(("{", "[")):
        return None
    try:
        data = json.loads(stripped)
    except RecursionError:  # nested deeper than any article could be: data
        return "JSON data"
    except ValueError:  # "[Update] NASA said..." is prose that happens to start with a bracket
        return None
    if isinstance(data, dict) and _JSON_FEED_VERSION in str(data.get("version", "")):
        return "a news feed (JSON Feed)"
    return "JSON data"

