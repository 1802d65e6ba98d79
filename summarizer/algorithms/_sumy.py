"""Running a sumy summarizer over our Document, so every algorithm sees the same sentences."""

from __future__ import annotations

from typing import Any

from summarizer.algorithms.document import Document

__all__ = ["run_sumy", "sumy_document"]


def sumy_document(document: Document, *, with_title: bool = False) -> Any:
    """A sumy ObjectDocumentModel with our sentences (never re-split by sumy) and paragraphs."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    groups: list[list[Any]] = []
    last_paragraph: int | None = None
    for sentence, paragraph in zip(document.sentences, document.paragraphs, strict=True):
        if paragraph != last_paragraph:
            groups.append([])
            last_paragraph = paragraph
        groups[-1].append(Sentence(sentence, document.tokenizer))
    if with_title and document.title and groups:
        groups[0].insert(0, Sentence(document.title, document.tokenizer, is_heading=True))
    return ObjectDocumentModel([Paragraph(group) for group in groups])


def run_sumy(summarizer: Any, document: Document, count: int, *, with_title: bool = False) -> list[int]:
    """Indices (article order) of the sentences `summarizer` picks.

    sumy returns Sentence objects; identical sentences hash alike, so each text maps to its first
    unused position.
    """
    if count <= 0 or not document.sentences:
        return []
    import numpy as np

    # sumy's graph methods divide by zero norms on degenerate input ("It is. It was."): numpy then
    # warns on stderr and still returns a ranking. errstate is per thread, unlike warnings filters.
    with np.errstate(divide="ignore", invalid="ignore"):
        chosen = summarizer(sumy_document(document, with_title=with_title), count)
    positions: dict[str, list[int]] = {}
    for index, sentence in enumerate(document.sentences):
        positions.setdefault(sentence, []).append(index)
    picked: list[int] = []
    for sentence in chosen:
        candidates = positions.get(str(sentence))
        if candidates:
            picked.append(candidates.pop(0))
    return sorted(picked)
