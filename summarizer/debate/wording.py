"""How a debate's numbers are said to people, in one place for the command line and the embeds:
plurals right ("1 comment from 1 person"), comments without an author never called people, and what was
cut when a thread was larger than the limits ("condensed the latest 2,000 of 48,113 comments")."""

from __future__ import annotations

from summarizer.debate.text import MAX_COMMENT_CHARS

__all__ = ["NO_ARGUMENTS", "count_phrase", "cut_note", "support_phrase", "thread_phrase"]

NO_ARGUMENTS = "No arguments found: the comments hold only greetings, reactions or links."


def count_phrase(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 comment", "2,000 comments", "1 person", "3 people"."""
    word = singular if count == 1 else (plural or f"{singular}s")
    return f"{count:,} {word}"


def _people(authors: int, unnamed: int) -> str:
    parts = []
    if authors or not unnamed:
        parts.append(count_phrase(authors, "person", "people"))
    if unnamed:
        parts.append(count_phrase(unnamed, "unnamed comment"))
    return " and ".join(parts)


def support_phrase(comments: int, authors: int, unnamed: int) -> str:
    """Who made an argument: "2 comments from 1 person", "3 people and 4 unnamed comments (9 comments)",
    "4 unnamed comments"."""
    if not unnamed:
        return f"{count_phrase(comments, 'comment')} from {_people(authors, 0)}"
    people = _people(authors, unnamed)
    return people if comments == unnamed else f"{people} ({count_phrase(comments, 'comment')})"


def thread_phrase(comments: int, authors: int, unnamed: int) -> str:
    """The whole thread: "7 comments from 2 people", "5 comments from 1 person and 2 unnamed comments"."""
    if not unnamed:
        return f"{count_phrase(comments, 'comment')} from {_people(authors, 0)}"
    if unnamed == comments:
        return f"{count_phrase(comments, 'comment')}, none with an author"
    return f"{count_phrase(comments, 'comment')} from {_people(authors, unnamed)}"


def cut_note(comments: int, condensed: int, shortened: int) -> str | None:
    """What the limits left out, or None when everything was read."""
    notes = []
    if condensed < comments:
        notes.append(f"condensed the latest {condensed:,} of {count_phrase(comments, 'comment')}, "
                     "the most replied-to kept first")
    if shortened:
        verb = "was" if shortened == 1 else "were"
        notes.append(f"{count_phrase(shortened, 'comment')} {verb} cut to {MAX_COMMENT_CHARS:,} characters")
    return "; ".join(notes) if notes else None
