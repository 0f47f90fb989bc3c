"""The layers go one way (STYLE, house rules): cli/ and hooks/ use policies/ and registers/;
policies/ uses registers/; registers/ knows no policy; nothing below cli/ prints or exits.

Read from the source with `ast`, so an import inside a function, or under TYPE_CHECKING,
counts as much as one at the top of a module.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# package folder -> the coc packages it may not import
FORBIDDEN = {
    "registers": ("coc.policies", "coc.cli", "coc.hooks", "coc.templates"),
    "policies": ("coc.cli", "coc.hooks"),
    "hooks": ("coc.cli",),
}
# what the command line alone may do: print, exit, talk to the terminal
EXITS = {"print", "exit", "quit"}
EXIT_ATTRIBUTES = {("sys", "exit"), ("os", "_exit"), ("click", "echo"), ("click", "secho"),
                   ("click", "prompt"), ("click", "confirm")}


def imported(path: Path, root: Path, package: str) -> list[tuple[int, str]]:
    """Every module `path` imports, absolute (`coc.x.y`), with its line."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:   # relative: resolve against coc.<package>.<subfolders>
                parts = ["coc", package, *path.relative_to(root / package).parent.parts]
                base = parts[:len(parts) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.append((node.lineno, name))
    return out


def import_breaches(root: Path, package: str) -> list[str]:
    banned = FORBIDDEN[package]
    return [f"{path.relative_to(root)}:{line}: imports {name}"
            for path in sorted((root / package).rglob("*.py"))
            for line, name in imported(path, root, package)
            if any(name == b or name.startswith(b + ".") for b in banned)]


def output_breaches(root: Path, package: str) -> list[str]:
    wrong = []
    for path in sorted((root / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in EXITS:
                    wrong.append(f"{where}: calls {func.id}()")
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and \
                        (func.value.id, func.attr) in EXIT_ATTRIBUTES:
                    wrong.append(f"{where}: calls {func.value.id}.{func.attr}()")
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(exc, ast.Name) and exc.id in ("SystemExit", "KeyboardInterrupt"):
                    wrong.append(f"{where}: raises {exc.id}")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""]
                if any(n == "click" or n.startswith("click.") for n in names):
                    wrong.append(f"{where}: imports click")
    return wrong


@pytest.mark.parametrize("package", list(FORBIDDEN))
def test_layers_import_only_downwards(package):
    assert import_breaches(REPO, package) == []


@pytest.mark.parametrize("package", ["registers", "policies", "hooks"])
def test_nothing_below_the_cli_prints_or_exits(package):
    assert output_breaches(REPO, package) == []


def test_the_checks_would_catch_a_breach(tmp_path):
    """The tests above can fail: each finds a planted breach of its rule."""
    (tmp_path / "registers").mkdir()
    (tmp_path / "registers" / "bad.py").write_text(
        "from coc.policies.base import Context\n"
        "from ..cli import main\n"
        "def f():\n    import click\n    click.echo('x')\n"
        "    print('y')\n    raise SystemExit(1)\n")
    imports = "\n".join(import_breaches(tmp_path, "registers"))
    assert "imports coc.policies.base" in imports and "imports coc.cli" in imports
    output = "\n".join(output_breaches(tmp_path, "registers"))
    assert all(s in output for s in ("click.echo()", "print()", "SystemExit", "imports click"))
