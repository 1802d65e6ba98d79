"""Debate condensation: comments in, the main arguments out (DESIGN.md "Debates").

Modules: `inputs` (comment and argument records, input validation), `text` (cleaning, sentences, noise),
`vectors` (sparse tf-idf views), `spectral` and `grouping` (which sentences make the same point),
`claims` (the sentence that names a group), `bounds` (the limits and what they cut), `pipeline` (`condense`: from comments to ranked arguments),
`wording` (how the numbers are said to people).
"""

from summarizer.debate.inputs import (
    Argument,
    Comment,
    DebateInputError,
    decode_json_comments,
    parse_comments,
    parse_plain_comments,
)
from summarizer.debate.pipeline import (
    DEFAULT_MAX_ARGUMENTS,
    MAX_COMMENTS,
    MAX_TOTAL_CHARS,
    CondenseStats,
    Debate,
    condense,
    condense_debate,
    count_authors,
    count_unnamed,
)
from summarizer.debate.text import MAX_COMMENT_CHARS
from summarizer.debate.wording import NO_ARGUMENTS, count_phrase, cut_note, support_phrase, thread_phrase

__all__ = [
    "DEFAULT_MAX_ARGUMENTS",
    "MAX_COMMENTS",
    "MAX_COMMENT_CHARS",
    "MAX_TOTAL_CHARS",
    "NO_ARGUMENTS",
    "Argument",
    "Comment",
    "CondenseStats",
    "Debate",
    "DebateInputError",
    "condense",
    "condense_debate",
    "count_authors",
    "count_phrase",
    "count_unnamed",
    "cut_note",
    "decode_json_comments",
    "parse_comments",
    "parse_plain_comments",
    "support_phrase",
    "thread_phrase",
]
