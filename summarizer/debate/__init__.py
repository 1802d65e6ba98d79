"""Debate condensation: comments in, the main arguments out (DESIGN.md "Debates").

Modules: `inputs` (comment and argument records, input validation), `text` (cleaning, sentences, noise),
`vectors` (sparse tf-idf views), `spectral` and `grouping` (which sentences make the same point),
`claims` (the sentence that names a group), `bounds` (the limits and what they cut), `pipeline` (`condense`: from comments to ranked arguments),
`wording` (how the numbers are said to people).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Public name -> the module that defines it. Loaded on first use (PEP 562): rendering an embed needs the
# wording and the limits, not numpy.
_EXPORTS = {
    "Argument": "inputs", "Comment": "inputs", "DebateInputError": "inputs", "decode_json_comments": "inputs",
    "parse_comments": "inputs", "parse_plain_comments": "inputs",
    "MAX_COMMENTS": "bounds", "MAX_TOTAL_CHARS": "bounds", "CondenseStats": "bounds",
    "DEFAULT_MAX_ARGUMENTS": "pipeline", "Debate": "pipeline", "condense": "pipeline",
    "condense_debate": "pipeline", "count_authors": "pipeline", "count_unnamed": "pipeline",
    "MAX_COMMENT_CHARS": "text",
    "NO_ARGUMENTS": "wording", "count_phrase": "wording", "cut_note": "wording", "support_phrase": "wording",
    "thread_phrase": "wording",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'summarizer.debate' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"summarizer.debate.{module}"), name)
    globals()[name] = value
    return value


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
