"""README.md and docs/*.md link only inside the repository, and every relative link resolves.

Someone who clones the project alone must be able to follow every link: no `../shared/...`, no
file that was renamed away, no `#anchor` that names a heading the target does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])

# [text](target "title") and [label]: target; code spans and fenced blocks are removed first.
_INLINE_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def links(markdown: str) -> list[str]:
    prose = _CODE_SPAN.sub("", _FENCE.sub("", markdown))
    return _INLINE_LINK.findall(prose) + _REFERENCE_LINK.findall(prose)


def heading_anchors(markdown: str) -> set[str]:
    """GitHub's anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered."""
    anchors: set[str] = set()
    for line in _FENCE.sub("", markdown).splitlines():
        found = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not found:
            continue
        slug = re.sub(r"[^\w\- ]", "", found.group(1).lower()).replace(" ", "-")
        candidate, number = slug, 1
        while candidate in anchors:
            candidate, number = f"{slug}-{number}", number + 1
        anchors.add(candidate)
    return anchors


def broken_links(document: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for target in links(document.read_text(encoding="utf-8")):
        if _SCHEME.match(target):  # https:, mailto: ... not a file of ours
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (document.parent / path_part).resolve() if path_part else document
        if not resolved.is_relative_to(root):
            problems.append(f"{target}: outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif (
            anchor and resolved.suffix == ".md" and anchor not in heading_anchors(resolved.read_text("utf-8"))
        ):
            problems.append(f"{target}: no heading #{anchor} in {resolved.name}")
    return problems


def test_the_documents_exist() -> None:
    names = {document.relative_to(ROOT).as_posix() for document in DOCUMENTS}
    assert {"README.md", "docs/DESIGN.md", "docs/architecture.md"} <= names


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves_inside_the_repository(document: Path) -> None:
    assert broken_links(document) == []


def test_the_checker_catches_what_it_should(tmp_path: Path) -> None:
    # The checker itself, on links that must fail: outside the tree, missing, a wrong anchor.
    assert links("see [x](../shared/DESIGN.md) and `[not](a-link.md)`\n\n[ref]: docs/a.md") == [
        "../shared/DESIGN.md",
        "docs/a.md",
    ]
    assert heading_anchors("# The way news flows\n## Edges of the contract\n## Edges of the contract") == {
        "the-way-news-flows",
        "edges-of-the-contract",
        "edges-of-the-contract-1",
    }
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "DESIGN.md").write_text("# Contracts\n## Edges of the contract\n", encoding="utf-8")
    (tmp_path / "outside.md").write_text("# Outside\n", encoding="utf-8")
    readme = repo / "README.md"
    readme.write_text(
        "[ok](docs/DESIGN.md#edges-of-the-contract) [web](https://discord.com) [here](#top)\n"
        "[out](../outside.md) [gone](docs/missing.md) [anchor](docs/DESIGN.md#no-such-heading)\n"
        "# Top\n",
        encoding="utf-8",
    )
    assert broken_links(readme, root=repo) == [
        "../outside.md: outside the repository",
        "docs/missing.md: no such file",
        "docs/DESIGN.md#no-such-heading: no heading #no-such-heading in DESIGN.md",
    ]
