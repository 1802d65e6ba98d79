"""summarize(): inputs of every kind in, the DESIGN.md summary object out."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from summarizer.algorithms import ALGORITHM_NAMES, ALGORITHMS, DEFAULT_ALGORITHM
from summarizer.algorithms.document import Document, is_boilerplate
from summarizer.algorithms.news import news
from summarizer.errors import NoTextError, UnknownAlgorithmError
from summarizer.summary import MAX_SENTENCES, Summary, prepare_document, summarize
from summarizer.tokenizer import Tokenizer

ARTICLE = """Europa Clipper launches toward Jupiter

NASA launched the Europa Clipper spacecraft on Monday from the Kennedy Space Center in Florida, \
starting a six-year journey to Jupiter's icy moon Europa.

The spacecraft is the largest NASA has ever built for a planetary mission. Its solar arrays span \
more than 30 metres. "This is a historic day for planetary science," said NASA administrator Bill \
Nelson. "We have waited decades for this mission."

Europa is thought to hide a global ocean of salty water beneath its ice shell. Scientists want to \
know whether that ocean could support life. The spacecraft will fly past Europa 49 times and map \
almost the entire moon.

Image credit: NASA/JPL-Caltech

Related: Juno finds water ice on Ganymede

The mission cost about $5bn. Europa Clipper will reach Jupiter in April 2030 after flybys of Mars \
and Earth. The European Space Agency's Juice probe is also on its way to Jupiter's moons.
"""


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def positions(summary: Summary, text: str) -> list[int]:
    """Where each summary sentence starts in the (whitespace-collapsed) text; fails if one is absent."""
    haystack = flat(text)
    found = []
    for sentence in summary.summary:
        assert sentence in haystack, f"not verbatim: {sentence!r}"
        found.append(haystack.index(sentence))
    return found


# --- algorithms -------------------------------------------------------------------------------------


def test_names_and_default() -> None:
    assert set(ALGORITHM_NAMES) == {
        "news", "lexrank", "textrank", "lsa", "luhn", "edmundson", "kl", "sumbasic", "reduction", "lead3", "central",
    }
    assert DEFAULT_ALGORITHM == "news"
    assert summarize(ARTICLE).stats.algorithm == "news"


@pytest.mark.parametrize("name", ALGORITHM_NAMES)
def test_every_algorithm_gives_verbatim_sentences_in_article_order(name: str) -> None:
    result = summarize(ARTICLE, algorithm=name, sentences=3)
    assert result.stats.algorithm == name
    assert len(result.summary) == 3
    starts = positions(result, ARTICLE)
    assert starts == sorted(starts)
    assert len(set(result.summary)) == 3
    assert not any(is_boilerplate(sentence) for sentence in result.summary)


@pytest.mark.parametrize("name", ["LexRank", " TEXTRANK ", "sum_basic", "lead-3"])
def test_names_are_forgiving_about_case_and_separators(name: str) -> None:
    result = summarize(ARTICLE, algorithm=name)
    assert result.stats.algorithm in ALGORITHM_NAMES


def test_unknown_algorithm_is_a_one_line_value_error() -> None:
    with pytest.raises(UnknownAlgorithmError) as caught:
        summarize(ARTICLE, algorithm="bogus\nname")
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert "unknown algorithm" in message and "lexrank" in message
    assert "\n" not in message.replace("\\n", "")


FEATURE = (
    "The coffee in the control room had gone cold hours ago. Rain drummed on the roof all night. "
    "Europa Clipper reached Jupiter orbit on Tuesday after a six-year cruise, NASA said. "
    "The orbiter will fly past Europa 49 times to study the ice shell over its hidden ocean. "
    "Each Europa flyby maps the ice shell with radar and measures the ocean's salt from its magnetic field. "
    "Engineers said the Jupiter orbit insertion burn lasted 40 minutes. "
    "The ice shell of Europa may be 15 to 25 kilometres thick over an ocean of salt water."
)


def test_central_covers_the_article_not_its_opening_colour() -> None:
    news_pick = summarize(FEATURE, sentences=2, max_quotes=0)
    central_pick = summarize(FEATURE, algorithm="central", sentences=2, max_quotes=0)
    assert news_pick.summary[0].startswith("The coffee")  # the lead, whatever it says
    assert central_pick.stats.algorithm == "central"
    assert not any(sentence.startswith(("The coffee", "Rain")) for sentence in central_pick.summary)
    assert all("Europa" in sentence or "ice shell" in sentence for sentence in central_pick.summary)


def test_central_does_not_take_a_repeated_sentence_twice() -> None:
    repeated = FEATURE + " Europa Clipper reached Jupiter orbit on Tuesday after a six-year cruise, NASA said."
    picked = summarize(repeated, algorithm="central", sentences=3, max_quotes=0).summary
    assert len(picked) == 3
    assert sum(s == "Europa Clipper reached Jupiter orbit on Tuesday after a six-year cruise, NASA said."
               for s in picked) <= 1


def test_lead3_is_the_first_sentences() -> None:
    result = summarize(ARTICLE, algorithm="lead3")
    assert result.summary[0].startswith("NASA launched the Europa Clipper")
    assert result.summary[1] == "The spacecraft is the largest NASA has ever built for a planetary mission."


def test_sentence_budget() -> None:
    assert len(summarize(ARTICLE, sentences=1).summary) == 1
    everything = summarize(ARTICLE, sentences=500)
    assert len(everything.summary) == everything.stats.sentences_in
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="sentences"):
            summarize(ARTICLE, sentences=bad)  # type: ignore[arg-type]


# --- news: what makes it news-aware ----------------------------------------------------------------


def make_document(sentences: list[str], title: str | None = None) -> Document:
    return Document(
        sentences=tuple(sentences), paragraphs=tuple(range(len(sentences))), title=title,
        language="english", tokenizer=Tokenizer("english"),
    )


def test_news_does_not_pick_a_sentence_twice_in_other_words() -> None:
    core = "The rocket carried the weather satellite into orbit over the Pacific on Tuesday"
    sentences = [
        core + ".",
        core + " morning.",  # near duplicate: adds nothing a reader needs
        "The satellite will measure rainfall over the oceans for the weather service.",
        "Engineers checked the rocket and the satellite before the launch in orbit.",
        "Weather delayed the rocket launch twice before Tuesday.",
    ]
    picked = news(make_document(sentences), 2)
    assert not {0, 1} <= set(picked)


def test_news_skips_sentences_that_start_inside_a_quotation() -> None:
    fragment = 'the probe reached Mars orbit and the probe burn into Mars orbit was perfect," he said.'
    sentences = [
        "The probe reached Mars orbit on Friday.",
        fragment,  # the most central sentence, but it begins in the middle of someone's words
        "The probe will study Mars from orbit.",
        "Mars orbit insertion is risky for a probe.",
    ]
    document = make_document(sentences)
    assert 1 not in news(document, 2)
    # With only fragments left, a fragment is still better than nothing.
    assert news(make_document([fragment]), 1) == [0]


def test_news_ignores_boilerplate_even_if_given_it() -> None:
    sentences = [
        "Image credit: NASA probe Mars orbit Mars probe",
        "The probe reached Mars orbit after a long cruise.",
        "The probe will study Mars from orbit.",
    ]
    assert news(make_document(sentences), 1) != [0]


def test_multi_sentence_quotation_is_one_unit() -> None:
    text = (
        'The director spoke after the landing. "We did it. The rover is safe. It will drive '
        'next week," she said. The rover carries seven instruments.'
    )
    document, _ = prepare_document(text, title=None, language="english")
    assert 'The director spoke after the landing.' in document.sentences
    assert '"We did it. The rover is safe. It will drive next week," she said.' in document.sentences


# --- inputs ----------------------------------------------------------------------------------------


def test_plain_text_title_line() -> None:
    result = summarize(ARTICLE)
    assert result.title == "Europa Clipper launches toward Jupiter"
    assert all("launches toward" not in sentence for sentence in result.summary)


def test_first_line_that_is_a_sentence_is_not_a_title() -> None:
    text = "The launch went well.\nThe crew is in orbit and the capsule is healthy."
    result = summarize(text)
    assert result.title is None
    assert result.stats.sentences_in == 2


def test_markdown_heading_becomes_the_title() -> None:
    result = summarize("# Starship flies again\n\nStarship flew again today. It landed softly.")
    assert result.title == "Starship flies again"


def test_html_article_is_extracted() -> None:
    paragraphs = "".join(
        f"<p>{paragraph.strip()}</p>" for paragraph in ARTICLE.split("\n\n")[1:] if paragraph.strip()
    )
    html = (
        "<!DOCTYPE html><html><head><title>Europa Clipper launches | NASA</title>"
        '<meta property="og:title" content="Europa Clipper launches toward Jupiter">'
        '<meta property="og:image" content="https://example.org/clipper.jpg"></head><body>'
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/about'>About us</a></nav>"
        f"<article><h1>Europa Clipper launches toward Jupiter</h1>{paragraphs}</article>"
        "<footer>Copyright 2024 NASA. Privacy policy. Contact us.</footer></body></html>"
    )
    result = summarize(html)
    assert result.title == "Europa Clipper launches toward Jupiter"
    assert result.image_url == "https://example.org/clipper.jpg"
    assert len(result.summary) == 3
    positions(result, ARTICLE)  # every sentence comes from the article text
    assert not any("Privacy" in sentence or "Home" in sentence for sentence in result.summary)


def test_html_fragment() -> None:
    html = (
        "<div><p>The agency launched a new probe to Jupiter on Monday morning.</p>"
        "<p>It will arrive in 2030 after a long cruise.</p><p>Scientists are delighted.</p></div>"
    )
    result = summarize(html, sentences=2)
    assert len(result.summary) == 2
    assert all("<" not in sentence for sentence in result.summary)


@pytest.mark.parametrize("empty", ["", "   ", "\n\n\t\n", "\u200b\u200b"])
def test_empty_input_is_no_text_error(empty: str) -> None:
    with pytest.raises(NoTextError) as caught:
        summarize(empty)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in str(caught.value)


def test_html_without_text_is_no_text_error() -> None:
    with pytest.raises(NoTextError, match="HTML"):
        summarize("<html><head><title></title></head><body><script>var x = 1;</script></body></html>")


def test_only_boilerplate_is_no_text_error() -> None:
    with pytest.raises(NoTextError):
        summarize("Image credit: NASA\n\nRelated: more news\n\nSubscribe to our newsletter")


@pytest.mark.parametrize(
    "junk",
    [
        bytes(range(256)) * 40,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500),
    ],
)
def test_binary_bytes_are_no_text_error(junk: bytes) -> None:
    with pytest.raises(NoTextError, match="binary"):
        summarize(junk)


def test_binary_decoded_as_text_is_no_text_error() -> None:
    junk = bytes(range(256)).decode("latin-1") * 40
    with pytest.raises(NoTextError, match="binary"):
        summarize(junk)


def test_bytes_input_is_decoded() -> None:
    result = summarize(ARTICLE.encode("utf-16"))
    assert result.title == "Europa Clipper launches toward Jupiter"


def test_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="text or bytes"):
        summarize(12345)  # type: ignore[arg-type]


def test_already_decoded_non_utf8_text() -> None:
    # Windows-1252 bytes read as latin-1 and text with stray replacement characters still summarize.
    mojibake = ARTICLE.encode("utf-8").decode("latin-1")
    result = summarize(mojibake)
    positions(result, mojibake)
    damaged = ARTICLE.replace("e", "\ufffd", 3)
    positions(summarize(damaged), damaged)


def test_control_characters_are_removed() -> None:
    result = summarize("Rockets\x07 fly high.\x00 They\x1b land softly. Engines\x0c roar.", sentences=3)
    assert all(re.search(r"[\x00-\x08\x0b-\x1f]", sentence) is None for sentence in result.summary)


def test_huge_input_is_capped_and_stats_say_what_was_read() -> None:
    paragraph = (
        "Mission control reported that the spacecraft completed burn number {n} without problems. "
        "Telemetry showed normal temperatures in every instrument during the pass.\n\n"
    )
    block = "".join(paragraph.format(n=n) for n in range(1000))
    text = "Huge report\n\n" + block * (20_000_000 // len(block) + 1)
    assert len(text) >= 20_000_000
    result = summarize(text)
    total_words = len(text.split())
    assert result.stats.truncated
    assert 0 < result.stats.sentences_in <= MAX_SENTENCES
    assert result.stats.words_in < total_words / 100
    assert len(result.summary) == 3


def test_russian_article() -> None:
    text = (
        "Роскосмос запустил спутник\n\n"
        "Ракета-носитель «Союз-2.1б» стартовала с космодрома Восточный в 2024 г. Это был первый запуск года. "
        "Спутник выведен на расчётную орбиту, т. е. работа идёт по плану. "
        "Проф. Иванов отметил высокую точность выведения спутника на орбиту."
    )
    result = summarize(text, sentences=2)
    assert result.language == "russian"
    assert result.title == "Роскосмос запустил спутник"
    positions(result, text)


def test_language_can_be_forced_by_name_or_code() -> None:
    assert summarize(ARTICLE, language="German").language == "german"
    assert summarize(ARTICLE, language=" fr ").language == "french"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "english; rm", "x" * 100, "1"])
def test_bad_language_is_a_one_line_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown language") as caught:
        summarize(ARTICLE, language=bad)
    assert "\n" not in str(caught.value)


def test_long_title_line_from_html_is_capped() -> None:
    html = f"<html><head><title>{'Very long title ' * 100}</title></head><body>" + "".join(
        f"<p>The probe sent back picture number {n} of the icy moon today.</p>" for n in range(8)
    ) + "</body></html>"
    title = summarize(html).title
    assert title is not None and 0 < len(title) <= 300


# --- output ----------------------------------------------------------------------------------------


def test_to_dict_is_the_design_schema_exactly() -> None:
    result = summarize(ARTICLE)
    data = result.to_dict()
    assert list(data) == ["title", "summary", "quotes", "stats"]
    assert isinstance(data["title"], str)
    assert isinstance(data["summary"], list) and all(isinstance(s, str) for s in data["summary"])
    assert isinstance(data["quotes"], list)
    for quote in data["quotes"]:
        assert set(quote) == {"text", "speaker"}
        assert isinstance(quote["text"], str)
        assert quote["speaker"] is None or isinstance(quote["speaker"], str)
    stats = data["stats"]
    assert list(stats) == ["sentences_in", "words_in", "words_out", "reduction_pct", "algorithm", "elapsed_ms",
                           "truncated"]  # "truncated" added by issue 13 (an extension: old readers ignore it)
    assert all(type(stats[key]) is int for key in ("sentences_in", "words_in", "words_out"))
    assert type(stats["reduction_pct"]) is float and type(stats["elapsed_ms"]) is float
    assert stats["algorithm"] == "news"
    assert stats["reduction_pct"] == round(100 * (1 - stats["words_out"] / stats["words_in"]), 1)
    assert json.loads(json.dumps(data)) == data


def test_stats_count_words_and_sentences_of_the_article() -> None:
    result = summarize(ARTICLE, algorithm="lead3", sentences=1)
    tokenizer = Tokenizer("english")
    assert result.stats.words_out == len(tokenizer.to_words(result.summary[0]))
    # Boilerplate lines are not article sentences; the title is not either.
    assert result.stats.sentences_in == 11
    assert result.stats.words_in > result.stats.words_out
    assert not result.stats.truncated


def test_quotes_come_from_the_quote_finder() -> None:
    result = summarize(ARTICLE)
    assert 1 <= len(result.quotes) <= 2
    for quote in result.quotes:
        assert quote.text in ARTICLE
    assert summarize(ARTICLE, max_quotes=0).quotes == []
    with pytest.raises(ValueError, match="max_quotes"):
        summarize(ARTICLE, max_quotes=-1)


async def test_runs_in_a_worker_thread() -> None:
    result = await asyncio.to_thread(summarize, ARTICLE, sentences=2)
    assert len(result.summary) == 2


# --- quality on the news dev set (research data, not in the repo) -----------------------------------

DEV_SET = Path(__file__).resolve().parents[3] / "shared" / "data" / "news_summaries" / "human_dev.jsonl"


@pytest.mark.skipif(not DEV_SET.is_file(), reason=f"news dev set not present at {DEV_SET}")
def test_news_holds_lead3_and_beats_lexrank_on_rouge1_where_people_wrote_the_summary() -> None:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines[::8]]  # every source subset, ~64 articles
    totals = dict.fromkeys(("news", "lead3", "lexrank"), 0.0)
    for row in rows:
        source = f"{row['title']}\n\n{row['text']}" if row.get("title") else row["text"]
        reference = "\n".join(row["reference"])
        for name in totals:
            result = summarize(source, algorithm=name, max_quotes=0)
            totals[name] += scorer.score(reference, "\n".join(result.summary))["rouge1"].fmeasure
    assert totals["news"] >= totals["lead3"]
    assert totals["news"] > totals["lexrank"]


def test_every_registered_algorithm_handles_a_one_sentence_article() -> None:
    for name in ALGORITHMS:
        result = summarize("Only one sentence here about a rocket.", algorithm=name)
        assert result.summary == ["Only one sentence here about a rocket."]


def test_huge_html_is_cut_before_extraction() -> None:
    from summarizer.html import MAX_HTML_CHARS

    paragraph = "<p>Mission control said burn number {n} of the probe went well and telemetry was normal.</p>\n"
    body = "".join(paragraph.format(n=n) for n in range(MAX_HTML_CHARS // len(paragraph) + 2000))
    html = f"<html><head><title>Burn report</title></head><body><article>{body}</article></body></html>"
    assert len(html) > MAX_HTML_CHARS
    result = summarize(html)
    assert result.title == "Burn report"
    assert result.stats.truncated
    assert len(result.summary) == 3


@pytest.mark.parametrize("name", ALGORITHM_NAMES)
def test_degenerate_articles_give_a_summary_without_warnings(name: str) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy divide-by-zero warning would land on the CLI's stderr
        for text in ("It is what it is. It is. It was.", "Hello", "Rockets fly. Rockets land."):
            result = summarize(text, algorithm=name)
            assert result.summary and all(sentence in text for sentence in result.summary)
            assert result.stats.algorithm in (name, "lead3")


# --- fast paths give exactly what the plain computations give -----------------------------------------
# summarize() is timed against LexRank (docs/benchmarks.md, issue 2), so parts of it are written for
# speed; these tests pin each to the plain computation it replaces.

import random  # noqa: E402
import unicodedata  # noqa: E402

from summarizer.summary import _clean_and_cap  # noqa: E402


def plain_clean(text: str) -> str:
    """_clean_and_cap's rewrites applied unconditionally, for text under the size cap."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]", " ", text)
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff\u00ad]", "", text)
    return re.sub(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ", text)


@pytest.mark.parametrize("text", [
    "Plain ASCII text. Nothing to do.",
    "Double  spaced\tand tabbed.\r\nWindows line.\x07Bell.",
    "Caf\u0065\u0301 d\u00e9j\u00e0\u00a0vu\u200b here\u2009now.",  # NFD, no-break, zero-width, thin space
    "K\u212a kelvin and \u037e Greek question mark",  # NFC maps these to ASCII
    "soft\u00adhyphen and a\u3000ideographic  space",
])
def test_cleaning_matches_the_plain_rewrites(text: str) -> None:
    assert _clean_and_cap(text) == (plain_clean(text), False)


def test_cleaning_matches_the_plain_rewrites_on_random_text() -> None:
    rng = random.Random(3)
    alphabet = "ab .\t\r\n\x00\x0b\u00a0\u200b\u00ad\u3000e\u0301é\u212a"
    for _ in range(5_000):
        # Mostly readable, so that the binary-junk check lets every text through to the rewrites.
        text = "Readable text. " * 10 + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20))) + " end"
        assert _clean_and_cap(text)[0] == plain_clean(text), repr(text)


def test_elapsed_ms_measures_the_summary_not_one_off_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import summarizer.summary as summary_module

    # Stand-in for a first call's imports (NLTK through sumy takes about a second): it must happen
    # before the clock starts.
    monkeypatch.setattr(summary_module, "_import_for", lambda *args, **kwargs: time.sleep(0.5))
    assert summarize(ARTICLE, max_quotes=0).stats.elapsed_ms < 500


def test_the_default_path_imports_no_nltk_no_sumy_and_no_debate_pipeline() -> None:
    """Cold start: `spacebrief summarize` with the default algorithm needs none of them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from summarizer import summarize\n"
        f"result = summarize({ARTICLE!r})\n"
        "assert result.summary and result.quotes\n"
        "heavy = [m for m in ('nltk', 'sumy.nlp.stemmers', 'sumy.utils', 'summarizer.debate', 'numpy')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == ""
