"""Who said each quotation: attribution patterns, names, pronouns and titles.

Modules: `words` (word lists and the patterns built from them), `people` (the people an article
names, in one pass), `clauses` (reading the clause around a quote), `speakers` (`attribute_speakers`).

Pure heuristics over bounded windows around each quote, plus one pass over the text for
capitalised names. The rule everywhere is caution: a speaker is given only when a pattern
names one; an unresolvable pronoun, an indefinite "a NASA spokesperson" or a title that fits
two people gives None rather than a guess.

Patterns (X is a name, a pronoun or a title such as "the Roscosmos chief"):
  after the quote:  "...," X said / "...," said X, the head of Y / "...," X told reporters /
                    "...," according to X / "...," SpaceX launch director X said
  before the quote: X said: "..." / X told reporters: "..." / According to X, "..." /
                    X said the rocket was "..." / X went on, saying "..." / X is telling ... "..." /
                    X docked and says the station was "..."
  around it:        a partial quote in a sentence that ends ", said X." / a bare quote paragraph
                    after "X said:" or after a paragraph ending ", X said."
  continuations:    a quote interrupted by its attribution, a multi-paragraph quote, the next
                    quote in the same paragraph, and a bare quote paragraph right after X's.
Pronouns ("he said") go back to the latest sentence subject (not a name inside a clause or a
quote), skipping one of the other gender only for an earlier one known to fit; a gender is
learned from titles (Mr., Ms.) and from the pronouns in the person's own sentences.
Names are reported as the article gives them in full: a later "Nelson" or "Mr. Nelson"
becomes the "Bill Nelson" named in the article when exactly one such person is named.
"""

from summarizer.attribution.clauses import looks_like_attribution
from summarizer.attribution.speakers import attribute_speakers

__all__ = ["attribute_speakers", "looks_like_attribution"]
