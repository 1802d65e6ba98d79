"""Debate condensation: comments in, the main arguments out (DESIGN.md "Debates").

Modules: `inputs` (comment and argument records, input validation), `text` (cleaning, sentences, noise),
`vectors` (sparse tf-idf views), `spectral` and `grouping` (which sentences make the same point),
`pipeline` (`condense`: from comments to ranked arguments with claims and quotes).
"""

from summarizer.debate.inputs import Argument, Comment, DebateInputError, parse_comments, parse_plain_comments
from summarizer.debate.pipeline import DEFAULT_MAX_ARGUMENTS, condense, count_authors

__all__ = [
    "DEFAULT_MAX_ARGUMENTS",
    "Argument",
    "Comment",
    "DebateInputError",
    "condense",
    "count_authors",
    "parse_comments",
    "parse_plain_comments",
]
