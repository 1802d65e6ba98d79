"""Decoding untrusted bytes and telling text, HTML and binary apart."""

from __future__ import annotations

import codecs
import random

import pytest

from summarizer.textio import (
    data_kind,
    declared_in_document,
    decode_text,
    looks_binary,
    looks_like_html,
    readable_ratio,
)

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


# ---- Latin-1 and Windows-1252 (issue 13: "naïve" read as "naďve") -------------------------------

WESTERN = [
    "The naïve approach failed.",  # short: no statistical evidence between cp1250 and cp1252
    "A naïve café owner wrote a résumé about the Noël festival in Zürich.",
    "Die Raumfähre wird übermorgen in Köln erwartet, sagte der Sprecher. Größere Schäden gab es nicht.",
    "Le lancement de la fusée Ariane 6 est prévu à Kourou. « C'est une étape majeure », a déclaré le ministre.",
    "El cohete despegó desde la base en España. La misión durará años, según el señor Núñez.",
    "Lanseringen skjedde fra Andøya. Været var bra, sa Øystein Ødegård.",
]
WINDOWS_1252_ONLY = "ESA’s “Juice” mission – launched in 2023 – will reach Jupiter in 2031… for €1.6 billion."


@pytest.mark.parametrize("text", WESTERN)
@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_undeclared_western_text_decodes_right(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text


def test_undeclared_windows_1252_punctuation_decodes_right() -> None:
    assert decode_text(WINDOWS_1252_ONLY.encode("cp1252")) == WINDOWS_1252_ONLY
    assert decode_text(("Naïve. " + WINDOWS_1252_ONLY).encode("cp1252")).startswith("Naïve. ESA’s “Juice”")


def test_central_european_and_cyrillic_are_still_told_apart() -> None:
    czech = "Příliš žluťoučký kůň úpěl ďábelské ódy. Vláda schválila nový rozpočet na rok 2027."
    assert decode_text(czech.encode("cp1250")) == czech
    assert decode_text(CYRILLIC.encode("koi8-r")) == CYRILLIC


@pytest.mark.parametrize("label", ["ISO-8859-1", "latin1", "us-ascii", "windows-1252"])
def test_latin1_and_ascii_labels_read_as_windows_1252(label: str) -> None:
    # What browsers do (WHATWG Encoding): pages labelled Latin-1 use 0x80-0x9F for quotes and dashes.
    assert decode_text(WINDOWS_1252_ONLY.encode("cp1252"), label) == WINDOWS_1252_ONLY
    assert decode_text(b"caf\xe9 \x81", label) == "café \x81"  # a byte cp1252 lacks: Latin-1 reads it


def test_the_document_declares_its_charset_when_the_server_does_not() -> None:
    page = '<html><head><meta charset="windows-1250"></head><body><p>Příliš žluťoučký kůň</p></body></html>'
    assert decode_text(page.encode("cp1250")) == page
    legacy = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>“naïve”</p>'
    assert decode_text(legacy.encode("cp1252")) == legacy
    xml = '<?xml version="1.0" encoding="ISO-8859-15"?><p>€ naïve</p>'
    assert decode_text(xml.encode("iso8859-15")) == xml
    # The server's header wins over the page's own declaration, as in browsers.
    assert decode_text(page.encode("utf-8"), "utf-8") == page
    assert declared_in_document(b"<p>no declaration</p>") is None
    assert declared_in_document(b'<meta charset="no-such-thing">') is None


# ---- data that is not an article ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('<?xml version="1.0"?>\n<!-- c --><rss version="2.0"><channel></channel></rss>', "a news feed (RSS)"),
        ('<?xml-stylesheet href="s.xsl"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>', "a news feed (Atom)"),
        ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>', "a news feed (RSS 1.0)"),
        ('{"version": "https://jsonfeed.org/version/1.1", "items": []}', "a news feed (JSON Feed)"),
        ('{"a": 1}', "JSON data"),
        ("  [1, 2, 3]\n", "JSON data"),
        ("[" * 100_000 + "]" * 100_000, "JSON data"),  # deeper than the decoder goes: still data
    ],
)
def test_data_kind_names_feeds_and_json(text: str, kind: str | None) -> None:
    assert data_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "[Update] NASA said on Friday that the launch would slip.",
        "{Draft} The rocket flew.",
        "<html><body><p>An article about RSS feeds: <rss> is their root element.</p></body></html>",
        "Plain prose mentioning <feed> in the middle.",
    ],
)
def test_prose_and_pages_are_not_data(text: str) -> None:
    assert data_kind(text) is None
