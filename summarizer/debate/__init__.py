"""Debate condensation: comments in, the main arguments out (DESIGN.md "Debates").

Modules: `inputs` (comment and argument records, input validation), `text` (cleaning, sentences, noise),
`vectors` (sparse tf-idf views), `spectral` and `grouping` (which sentences make the same point),
`claims` (the sentence that names a group), `pipeline` (`condense`: from comments to ranked arguments).
"""

from summarizer.debate.inputs import Argument, Comment, DebateInputError, parse_comments, parse_plain_comments
from summarizer.debate.pipeline import (
    DEFAULT_MAX_ARGUMENTS,
    MAX_COMMENTS,
    MAX_TOTAL_CHARS,
    Debate,
    DebateStats,
    condense,
    condense_debate,
    count_authors,
    count_unnamed,
)
from summarizer.debate.text import MAX_COMMENT_CHARS

__all__ = [
    "DEFAULT_MAX_ARGUMENTS",
    "MAX_COMMENTS",
    "MAX_COMMENT_CHARS",
    "MAX_TOTAL_CHARS",
    "Argument",
    "Comment",
    "Debate",
    "DebateInputError",
    "DebateStats",
    "condense",
    "condense_debate",
    "count_authors",
    "count_unnamed",
    "parse_comments",
    "parse_plain_comments",
]
