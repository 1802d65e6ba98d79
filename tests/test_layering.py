"""Imports point one way: bot -> cogs -> feeds -> (summarizer, db), with no cycles.

Every module of the five packages is parsed (not imported) and each import it makes of our own
code is checked, wherever it stands: at the top, inside a function, or under ``TYPE_CHECKING``
(a type is a dependency too). Within ``cogs``, a module may import the shared non-extension
modules (``cogs.shared``, ``cogs.render``) but never an extension (a module with ``setup``):
discord.py runs an extension's module afresh when it loads it, so what another cog imported from
it would be a stale copy. ``summarizer`` and ``db`` are both at the bottom and import neither
each other nor anything above.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Higher imports lower; equal ranks in different packages do not import each other.
RANK = {"bot": 3, "cogs": 2, "feeds": 1, "summarizer": 0, "db": 0}


def read_tree(root: Path = ROOT) -> dict[str, str]:
    """Module name -> source, for every module of our packages."""
    sources: dict[str, str] = {}
    for package in RANK:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            sources[name] = path.read_text(encoding="utf-8")
    return sources


def _is_package(name: str, sources: Mapping[str, str]) -> bool:
    return any(other.startswith(name + ".") for other in sources)


def imports_of(name: str, source: str, modules: Iterable[str]) -> set[str]:
    """Our modules that ``name`` imports (``from a import b`` counts ``a.b`` when it is a module)."""
    known = set(modules)
    package = name if _is_package(name, dict.fromkeys(known, "")) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from a import b" is a dependency on the module a.b when there is one, else on a.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            # "import a.b.c" depends on a.b.c; the nearest module we have stands for it.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(sources: Mapping[str, str]) -> dict[str, set[str]]:
    return {name: imports_of(name, source, sources) for name, source in sources.items()}


def is_extension(source: str) -> bool:
    return any(
        isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and node.name == "setup"
        for node in ast.parse(source).body
    )


def layering_violations(sources: Mapping[str, str]) -> list[str]:
    extensions = {name for name, source in sources.items() if name.startswith("cogs.") and is_extension(source)}
    problems: list[str] = []
    for module, targets in sorted(import_graph(sources).items()):
        for target in sorted(targets):
            here, there = module.split(".")[0], target.split(".")[0]
            if here == there:
                if target in extensions:
                    problems.append(f"{module} imports the extension {target} (sideways between extensions)")
            elif RANK[there] > RANK[here]:
                problems.append(f"{module} imports {target} (upward: {here} is below {there})")
            elif RANK[there] == RANK[here]:
                problems.append(f"{module} imports {target} (sideways: {here} and {there} are peers)")
    return problems


def import_cycles(sources: Mapping[str, str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    graph = import_graph(sources)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


# ---- the tree as it is -----------------------------------------------------------------------


def test_the_tree_has_all_five_packages() -> None:
    packages = {name.split(".")[0] for name in read_tree()}
    assert packages == set(RANK)


def test_imports_point_one_way() -> None:
    assert layering_violations(read_tree()) == []


#: Cycles that are known and being removed elsewhere. The list may only shrink: a cycle that is gone
#: must leave it. (attribution <-> quotes through ``QuoteSpan`` is gone: summarizer.quote_marks.)
KNOWN_CYCLES: list[list[str]] = []


def test_there_are_no_import_cycles() -> None:
    cycles = import_cycles(read_tree())
    assert [cycle for cycle in cycles if cycle not in KNOWN_CYCLES] == []
    assert [cycle for cycle in KNOWN_CYCLES if cycle not in cycles] == [], "a known cycle is gone: drop it"


# ---- the checks themselves fail on what they are for -------------------------------------------

EXTENSION = "async def setup(bot):\n    pass\n"


def test_upward_imports_are_found_wherever_they_stand() -> None:
    tree = {
        "bot": "",
        "bot.render": "",
        "bot.app": "",
        "cogs": "",
        "cogs.news": "from bot import render\n" + EXTENSION,
        "cogs.members": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.app import SpacebriefBot\n" + EXTENSION
        ),
        "feeds": "",
        "feeds.poller": "def f():\n    import cogs.news\n",
        "db": "",
        "db.store": "from feeds import poller\n",
        "summarizer": "",
    }
    assert layering_violations(tree) == [
        "cogs.members imports bot.app (upward: cogs is below bot)",
        "cogs.news imports bot.render (upward: cogs is below bot)",
        "db.store imports feeds.poller (upward: db is below feeds)",
        "feeds.poller imports cogs.news (upward: feeds is below cogs)",
    ]


def test_sideways_imports_are_found() -> None:
    tree = {
        "cogs": "",
        "cogs.news": "def guild_settings():\n    pass\n" + EXTENSION,
        "cogs.admin": "from cogs.news import guild_settings\nfrom cogs.shared import NO_MENTIONS\n" + EXTENSION,
        "cogs.shared": "NO_MENTIONS = None\n",
        "db": "",
        "db.models": "from summarizer.quotes import Quote\n",
        "summarizer": "",
        "summarizer.quotes": "",
    }
    assert layering_violations(tree) == [
        "cogs.admin imports the extension cogs.news (sideways between extensions)",
        "db.models imports summarizer.quotes (sideways: db and summarizer are peers)",
    ]


def test_cycles_are_found_even_through_late_imports() -> None:
    tree = {
        "feeds": "",
        "feeds.parse": "def parse():\n    from feeds.snapi import parse_snapi_data\n",
        "feeds.snapi": "from feeds.parse import _plain\n",
        "feeds.fetch": "",
        "summarizer": "",
        "summarizer.quotes": "from . import attribution\n",
        "summarizer.attribution": "from .quotes import QuoteSpan\n",
    }
    assert import_cycles(tree) == [
        ["feeds.parse", "feeds.snapi"],
        ["summarizer.attribution", "summarizer.quotes"],
    ]
