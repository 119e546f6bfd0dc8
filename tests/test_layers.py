"""The packages are layers: a module imports from its own layer or the ones below, never
from a layer above it, and no modules import each other in a circle. Read from the imports
themselves (every `import`, at the top, inside a function or under TYPE_CHECKING), so a
shortcut written anywhere in the code is found."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bottom first. A module belongs to the longest prefix that names it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("store",),
    ("bot.core",),
    ("bot.importer",),
    ("bot.commands",),
    ("bot.reports",),
    ("bot.services",),
    ("bot.render",),
    ("bot.messengers",),  # base.py: the Protocol the jobs speak; one module per platform
    ("bot.jobs",),
    ("bot.handlers",),
    ("bot.app",),
    ("bot.cli", "bot.__main__"),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in ("bot", "store"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


MODULES = modules()


def imported(path: Path) -> Iterator[str]:
    """Our modules that `path` imports, each named as the module it is (not the name in it)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name:
                yield name


def graph() -> dict[str, set[str]]:
    return {m: set(imported(p)) - {m} for m, p in MODULES.items()}


def layer_of(module: str) -> int:
    best, best_len = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if layer_of(m) < 0 and m not in ("bot", "store")] == []


def test_no_import_runs_back_up() -> None:
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in graph().items()
        for target in targets
        if layer_of(target) > layer_of(module)
    )
    assert upward == []


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle() -> None:
    assert circles(graph()) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_layer_check_sees_an_upward_import() -> None:
    assert layer_of("bot.services.actions") < layer_of("bot.handlers.slack.door")
    assert layer_of("bot.messengers.base") < layer_of("bot.jobs.delivery")
    assert layer_of("store.models") < layer_of("bot.core.runtime")


def test_the_readme_map_names_every_package_and_only_real_places() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it is built", 1)[1].split("\n## ", 1)[0]
    places = [row.split("`")[1] for row in section.splitlines() if row.startswith("| `")]
    assert all((ROOT / place).exists() for place in places), places
    packages = sorted(f"bot/{path.parent.name}/" for path in (ROOT / "bot").glob("*/__init__.py"))
    assert [p for p in packages if p not in places] == []
