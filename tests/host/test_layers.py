"""host_cli's layers: imports run one way only, and no module imports itself round a circle.

Layers, lowest first: ``support`` < ``plugins`` < ``engine`` < ``cli`` < ``integrations`` < the
package root (the public API facade, ``__main__`` and compatibility names). A module may import
its own layer and the layers below it, never one above. Every import counts, whether at module
level, inside a function or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "host_cli"
LAYERS = ("support", "plugins", "engine", "cli", "integrations")
ROOT_LAYER = len(LAYERS)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return ROOT_LAYER


def imports(module: str) -> list[tuple[int, str]]:
    """``(line, imported module)`` for every import of ``host_cli`` in ``module``."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("host_cli")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("host_cli"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub if sub in MODULES else base))
    return found


def test_the_layers_cover_every_module():
    top = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert top == set(LAYERS)
    loose = sorted(m for m in MODULES if layer(m) == ROOT_LAYER)
    # the public API, the console script, and names kept for code that imported them before
    assert loose == ["host_cli", "host_cli.__main__", "host_cli.settings"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_upward(module):
    upward = [
        f"{module}:{line} imports {target} ({LAYERS[layer(target)] if layer(target) < ROOT_LAYER else 'the package root'})"
        for line, target in imports(module)
        if layer(target) > layer(module)
    ]
    assert upward == []


def test_no_import_circles():
    graph = {m: sorted({t for _, t in imports(m) if t in MODULES and t != m}) for m in MODULES}
    state: dict[str, int] = {}
    circles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in graph[module]:
            if state.get(target) == 1:
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_the_checks_see_an_upward_import(tmp_path, monkeypatch):
    """The rule catches what it is for: a support module that imports the engine in a function."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from host_cli.engine import expand\n")
    monkeypatch.setitem(MODULES, "host_cli.support.bad", bad)
    found = imports("host_cli.support.bad")
    assert found == [(2, "host_cli.engine.expand")]
    assert layer(found[0][1]) > layer("host_cli.support.bad")
