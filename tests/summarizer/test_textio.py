"""Decoding untrusted bytes and telling text, HTML and binary apart."""

from __future__ import annotations

import codecs
import random

import pytest

from summarizer.textio import decode_text, looks_binary, looks_like_html, readable_ratio

CYRILLIC = "Ракета стартовала с космодрома Восточный. Запуск прошёл успешно."
FRENCH = "La fusée a décollé de Kourou. Les ingénieurs étaient ravis de ce succès éclatant."


def test_utf8_without_declaration() -> None:
    assert decode_text(CYRILLIC.encode("utf-8")) == CYRILLIC


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_bom_wins_and_is_stripped(bom: bytes, encoding: str) -> None:
    data = bom + FRENCH.encode(encoding)
    # Even against a wrong declaration: a BOM is stronger evidence than a header.
    assert decode_text(data, "iso-8859-1") == FRENCH
    assert decode_text(data) == FRENCH


def test_declared_charset_is_used() -> None:
    data = CYRILLIC.encode("windows-1251")
    assert decode_text(data, "windows-1251") == CYRILLIC
    assert decode_text(data, ' "CP1251" ') == CYRILLIC  # quoted and spaced, as headers come


def test_unknown_declared_charset_falls_back_to_detection() -> None:
    assert decode_text(FRENCH.encode("utf-8"), "no-such-charset") == FRENCH


def test_non_utf8_without_declaration_is_guessed() -> None:
    text = decode_text((CYRILLIC * 3).encode("windows-1251"))
    assert text == CYRILLIC * 3


def test_latin1_text_decodes_to_the_right_letters() -> None:
    text = decode_text((FRENCH * 3).encode("latin-1"))
    assert "décollé" in text and "ingénieurs" in text


def test_invalid_bytes_in_declared_charset_become_replacement_characters() -> None:
    assert decode_text(b"ok \xff\xfe done", "utf-8") == "ok \ufffd\ufffd done"


def test_random_bytes_never_raise() -> None:
    generator = random.Random(7)
    for _ in range(50):
        data = bytes(generator.randrange(256) for _ in range(generator.randrange(1, 400)))
        assert isinstance(decode_text(data), str)


def test_looks_binary() -> None:
    assert looks_binary(b"PK\x03\x04\x00\x00 zip archive")
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert looks_binary(bytes(range(1, 32)) * 10)  # control bytes without NULs
    assert not looks_binary(FRENCH.encode("utf-8"))
    assert not looks_binary(CYRILLIC.encode("windows-1251"))
    assert not looks_binary(codecs.BOM_UTF16_LE + FRENCH.encode("utf-16-le"))  # NULs, but real text
    assert not looks_binary(b"")
    assert not looks_binary(b"line one\r\n\tline two\r\n")


def test_readable_ratio() -> None:
    assert readable_ratio(FRENCH) == 1.0
    assert readable_ratio("") == 0.0
    assert readable_ratio("\x00\x01\x02\ufffd") == 0.0
    assert readable_ratio("ab\x00\x01") == 0.5


@pytest.mark.parametrize(
    "html",
    [
        "<!DOCTYPE html><html><body><p>Hi</p></body></html>",
        "  <html lang='en'><head><title>x</title></head></html>",
        "<div class='a'><p>One.</p><p>Two.</p></div>",
        "<article>\n<h1>Title</h1>\n<p>Body text.</p>\n</article>",
    ],
)
def test_looks_like_html(html: str) -> None:
    assert looks_like_html(html)


@pytest.mark.parametrize(
    "text",
    [
        "Plain prose about rockets. Nothing else.",
        "Write the <p> tag to start a paragraph in HTML.",
        "If a < b and b > c then nothing follows.",
        "",
    ],
)
def test_prose_is_not_html(text: str) -> None:
    assert not looks_like_html(text)
