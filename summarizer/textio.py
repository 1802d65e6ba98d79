"""Turning untrusted bytes into text, and telling text, HTML and binary junk apart."""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_text", "looks_binary", "looks_like_html", "readable_ratio"]

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


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_text(data: bytes, declared_charset: str | None = None) -> str:
    """Decode `data`: BOM, else the declared charset, else UTF-8, else charset_normalizer's best guess,
    else latin-1 (which never fails). Invalid bytes in a declared charset become U+FFFD rather than an
    error, since a mostly-right declaration beats guessing."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    declared = _known_codec(declared_charset)
    if declared is not None:
        return data.decode(declared, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guessed = _guess_charset(data[:_SNIFF_BYTES])
    if guessed is not None:
        return data.decode(guessed, errors="replace")
    return data.decode("latin-1")


def _guess_charset(sample: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # an optional nicety: latin-1 still decodes everything
        return None
    best = from_bytes(sample).best()
    return _known_codec(best.encoding) if best is not None else None


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
