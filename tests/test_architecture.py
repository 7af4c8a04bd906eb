"""The package's shape, as docs/architecture.md describes it: no import
cycle between its modules; WeasyPrint's internals touched from one adapter
module only; imports at the top of modules unless a comment says why not;
only the command line knows click; every imported distribution declared in
pyproject.toml, and nothing declared that is not imported."""
from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import sys
import tomllib
from pathlib import Path

from tests.helpers import REPO

PACKAGE = REPO / "book"
# WeasyPrint's public API: what any module may import from it.
WEASYPRINT_PUBLIC = {"weasyprint": {"HTML", "CSS", "URLFetcher"},
                     "weasyprint.text.fonts": {"FontConfiguration"},
                     "weasyprint.document": {"Document"}}
ADAPTER = "book.typeset.weasy"


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path) -> list[tuple[str, set[str], ast.stmt]]:
    """(module, names imported from it, statement) for each import in PATH;
    relative imports resolved, ``from package import submodule`` as the
    submodule."""
    found = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, set(), node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names = {alias.name for alias in node.names}
            subs = {n for n in names if f"{base}.{n}" in modules()}
            found += [(f"{base}.{n}", set(), node) for n in subs]
            if names - subs:
                found.append((base, names - subs, node))
    return found


def test_no_import_cycle_between_the_package_modules():
    mods = modules()
    graph = {name: {target for target, _, _ in imports(name, path) if target in mods}
             for name, path in mods.items()}
    cycles = [component for component in _strongly_connected(graph) if len(component) > 1]
    cycles += [[name] for name, targets in graph.items() if name in targets]
    assert not cycles, cycles


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

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
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_a_cycle_is_found():
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [
        ["a", "b", "c"], ["d"]]


def test_weasyprint_internals_are_touched_from_the_adapter_only():
    offenders = []
    for name, path in modules().items():
        if name == ADAPTER:
            continue
        for target, names, node in imports(name, path):
            if target == "weasyprint" or target.startswith("weasyprint."):
                public = WEASYPRINT_PUBLIC.get(target, set())
                if not names or not names <= public:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} {target} {names}")
    assert not offenders, offenders
    adapter = modules()[ADAPTER]
    assert any(target.startswith("weasyprint.layout")
               for target, _, _ in imports(ADAPTER, adapter))  # the test can see them


def test_imports_are_at_the_top_unless_a_comment_says_why():
    unexplained = []
    for name, path in modules().items():
        lines = path.read_text(encoding="utf-8").split("\n")
        tree = ast.parse("\n".join(lines))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                # The comment is on the line, or above the run of imports it starts.
                above = node.lineno - 2
                while above >= 0 and re.match(r"\s*(from \S+ )?import ", lines[above]):
                    above -= 1
                if "#" not in lines[node.lineno - 1] and not lines[above].strip().startswith("#"):
                    unexplained.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not unexplained, unexplained


def test_only_the_command_line_knows_click():
    users = {name for name, path in modules().items()
             for target, _, _ in imports(name, path) if target.split(".")[0] == "click"}
    assert users == {"book.cli"}


def _requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_imported_distribution_is_declared_and_nothing_else():
    declared = {_requirement_name(r) for r in tomllib.loads(
        (REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]}
    distributions = importlib.metadata.packages_distributions()
    imported = set()
    for name, path in modules().items():
        for target, _, _ in imports(name, path):
            top = target.split(".")[0]
            if top == "book" or top in sys.stdlib_module_names:
                continue
            assert top in distributions, f"{path}: {top} is not installed"
            imported |= {d.lower().replace("_", "-") for d in distributions[top]}
    assert imported == declared


def test_the_import_analysis_sees_lazy_and_relative_imports():
    names = {target for target, _, _ in imports("book.cli", modules()["book.cli"])}
    assert {"book.preflight", "book.render.pdf.pagegrid", "click"} <= names
    assert importlib.util.find_spec("book.render.pdf.pagegrid") is not None
