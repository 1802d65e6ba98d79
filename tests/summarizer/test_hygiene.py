"""Text hygiene: page furniture never reaches a summary, whatever the algorithm.

The texts are our own, written the way NASA pages, Space.com articles, tabloid science pieces and
wire copy come out of a copy-paste or trafilatura: captions and credits above the headline, bylines,
sub-headings, author bios, calls to action, a related-story headline over a dateline.
"""

from __future__ import annotations

import pytest

from summarizer.algorithms import ALGORITHM_NAMES
from summarizer.hygiene import clean_sentence, is_boilerplate
from summarizer.summary import summarize

NASA_PAGE = """NASA/JPL-Caltech/SwRI This annotated image of Europa's surface shows the fractured ice shell.
NASA's Europa Clipper Passes Its Final Review
NASA/Ben Smegelsky
By Jessica Barnett

NASA's Europa Clipper mission passed its final design review on Tuesday, clearing the spacecraft for launch in October.

Engineers confirmed that the radiation vault will protect the probe's electronics during 49 flybys of the moon.

More About the Mission
Europa Clipper will study whether the ocean under Europa's ice could support life. The mission is managed by the Jet Propulsion Laboratory in Southern California.

Scientists expect the first close flyby in 2031.
"""

SPACE_COM = """Starship Reaches Orbit on Its Sixth Flight

By Jane Doe, Space.com staff writer | published 2 hours ago

SpaceX's Starship reached orbit for the first time on Thursday, the company said.

The booster returned to the launch tower and was caught by its mechanical arms.

Related: SpaceX Starship: Everything you need to know

The upper stage splashed down in the Indian Ocean an hour after launch.

Still not enough space? Don't forget to check out our Space Image of the Day gallery.

Jane Doe is a staff writer at Space.com who covers launches and spaceflight.
"""

TABLOID = """Scroll down for video

Flying high: The balloon rose to 30 kilometres above Kansas before it burst. (File)

Balloon carrying a camera reaches the edge of space

A weather balloon built by two schoolboys reached the edge of space and filmed the curve of the Earth.

© Agency/ Tim Smith

The pair launched it from a field near their school and found it 80 miles away.

Read more: How to watch the meteor shower tonight

Their teacher said the project had taught the class more than any lesson.
"""

WIRE = """Russia Plans at Least 30 Space Launches in 2017 - Roscosmos
COLORADO SPRINGS (Sputnik) — Russia plans to carry out at least 30 space launches in 2017, the head of the space agency said on Tuesday.

The figure includes launches from the new Vostochny cosmodrome in the Far East.

The agency carried out 17 launches last year.
"""

FURNITURE = (
    "NASA/JPL-Caltech", "NASA/Ben Smegelsky", "By Jessica Barnett", "More About the Mission", "By Jane Doe",
    "Related:", "Still not enough space", "Space Image of the Day", "is a staff writer", "Scroll down",
    "Flying high", "(File)", "©", "Read more", "Russia Plans at Least",
)


@pytest.mark.parametrize("algorithm", ALGORITHM_NAMES)
@pytest.mark.parametrize("text", [NASA_PAGE, SPACE_COM, TABLOID, WIRE], ids=["nasa", "spacecom", "tabloid", "wire"])
def test_furniture_is_never_in_a_summary(text: str, algorithm: str) -> None:
    result = summarize(text, sentences=10, algorithm=algorithm, max_quotes=0)
    assert result.summary
    for sentence in result.summary:
        for furniture in FURNITURE:
            assert furniture not in sentence, (algorithm, sentence)


def test_the_nasa_page_gives_the_event_first_and_its_headline_as_title() -> None:
    result = summarize(NASA_PAGE)
    assert result.title == "NASA's Europa Clipper Passes Its Final Review"
    assert result.summary[0].startswith("NASA's Europa Clipper mission passed its final design review")
    # The sub-heading is its own unit, not glued to the sentence after it.
    assert any(sentence.startswith("Europa Clipper will study") for sentence in
               summarize(NASA_PAGE, sentences=10).summary)


def test_the_title_of_pasted_text_is_the_headline_not_a_caption_above_it() -> None:
    assert summarize(TABLOID).title == "Balloon carrying a camera reaches the edge of space"
    assert summarize(SPACE_COM).title == "Starship Reaches Orbit on Its Sixth Flight"


def test_a_first_line_ending_in_a_full_stop_is_the_headline_when_it_reads_as_one() -> None:
    result = summarize("Europa Clipper Is Ready for Launch.\nNASA said on Monday that the probe is ready. "
                       "It launches in October.")
    assert result.title == "Europa Clipper Is Ready for Launch."
    prose = summarize("NASA said on Monday that the probe is ready.\nIt launches in October.")
    assert prose.title is None
    assert prose.summary[0] == "NASA said on Monday that the probe is ready."


def test_a_headline_line_above_a_dateline_stays_out_of_the_first_sentence() -> None:
    result = summarize(WIRE, max_quotes=0)
    assert result.title == "Russia Plans at Least 30 Space Launches in 2017 - Roscosmos"
    assert result.summary[0].startswith("COLORADO SPRINGS (Sputnik) — Russia plans")
    # Without a blank line before the prose either, a related headline stays its own unit.
    glued = "Europa Clipper Passes Review\n" + WIRE
    assert all("Roscosmos COLORADO" not in sentence for sentence in summarize(glued, sentences=5).summary)


def test_captions_and_bios_above_a_dateline_are_not_the_story() -> None:
    text = ("A worker sets up a launch pad camera on the morning of the test. Fewer visitors than expected came. "
            "He is co-editor of the book \"Rockets of the World.\" (CNN) -- NASA's new rocket passed its "
            "engine test on Tuesday. The test lasted eight minutes. Engineers will now study the data.")
    result = summarize(text, max_quotes=0)
    assert result.summary[0].startswith("(CNN) -- NASA's new rocket passed")
    assert not any("worker sets up" in sentence for sentence in result.summary)


def test_sentences_glued_without_a_space_are_split() -> None:
    result = summarize("Power companies must buy more green energy.The Delhi commission issued the rule on "
                       "Monday.It takes effect in April.", sentences=2, max_quotes=0)
    assert result.summary == ["Power companies must buy more green energy.", "The Delhi commission issued the rule on Monday."]


def test_a_credit_glued_to_a_sentence_is_cut_off_and_the_sentence_kept() -> None:
    assert clean_sentence("Photograph: Kevork Djansezian/Getty Images The man remained in hospital.") == (
        "The man remained in hospital.")
    assert clean_sentence("NASA/JPL-Caltech/SwRI This annotated image shows cracks.") == (
        "This annotated image shows cracks.")
    assert clean_sentence("NASA and ESA built the probe.") == "NASA and ESA built the probe."


def test_latex_from_arxiv_abstracts_is_made_readable() -> None:
    result = summarize(r"We find a black hole of $18.6\ M_\odot$ in the binary. It costs $5 to see.", max_quotes=0)
    assert result.summary[0] == "We find a black hole of 18.6 M☉ in the binary."
    assert "$5" in result.summary[1]


@pytest.mark.parametrize("sentence", [
    "By Jessica Barnett", "NASA/Ben Smegelsky", "© NASA/ Bill Ingalls", "Scroll down for video.",
    "Image caption: The rocket on the pad.", "Photo: NASA", "Related: Juno finds ice",
    "Astronauts wave from the hatch. (File)", "Don't forget to check out our Space Image of the Day!",
    "Jane Doe is a staff writer at Space.com.", "Flying high: The balloon rose over Kansas.",
    "Follow us on Twitter @Spacedotcom.", "By Jane Doe, Space.com staff writer | published 2 hours ago",
])
def test_furniture_is_recognised(sentence: str) -> None:
    assert is_boilerplate(sentence)


@pytest.mark.parametrize("sentence", [
    "By Monday, NASA will have launched the probe.", "By the end of the year the crew will return.",
    'Bridenstine said: "We will go to the Moon."', "NASA is the agency that built the probe.",
    "The probe launched at 10:30 GMT: it flew well.", "The author of the study is a NASA scientist.",
])
def test_prose_is_not_furniture(sentence: str) -> None:
    assert not is_boilerplate(sentence)


def test_a_continuation_paragraph_of_a_quotation_is_never_a_summary_sentence() -> None:
    text = ('"We are ready for launch," said flight director Ana Ruiz. "The crew has trained for two years.\n\n'
            '"The weather is the only question left."\n\n'
            "The launch is set for Friday morning.\n\nThe crew will spend six months on the station.")
    result = summarize(text, sentences=3, max_quotes=0)
    assert all("weather is the only question" not in sentence for sentence in result.summary)
