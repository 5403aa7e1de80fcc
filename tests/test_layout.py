"""The rules of the house, read from the code's own imports: no module sits loose in layers/,
no domain imports one that stands above it, no import circle, layers/ never imports Streamlit
or mapping/, mapping/ never queries, pages run no SQL, and migrations are frozen."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The domains of layers/, lowest first: each may import only those before it (and itself).
DOMAINS = (
    "core", "people", "reference", "register", "casework", "areas", "routes", "sizing",
    "network", "exports", "demo",
)  # fmt: skip


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "versions" not in p.parts)


def test_no_module_sits_loose_in_layers() -> None:
    loose = [p.name for p in (ROOT / "layers").glob("*.py") if p.name != "__init__.py"]
    assert loose == []
    folders = {p.name for p in (ROOT / "layers").iterdir() if p.is_dir() and p.name[0] != "_"}
    assert folders == {*DOMAINS, "migrations"}


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_domain_imports_only_the_domains_below_it(domain: str) -> None:
    allowed = set(DOMAINS[: DOMAINS.index(domain) + 1])
    above = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources(f"layers/{domain}")
        for name in _imports(path)
        if name.startswith("layers.") and name.split(".")[1] not in allowed | {"migrations"}
    }
    assert not above


def test_the_imports_have_no_circle() -> None:
    modules = {_module(p): p for f in ("layers", "mapping", "app", "scripts") for p in _sources(f)}
    graph = {
        name: {m for m in _imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, " -> ".join([*trail, name])
        if name in done:
            return
        for following in graph[name]:
            visit(following, (*trail, name))
        done.add(name)

    for name in graph:
        visit(name, ())


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("layers", ("streamlit", "mapping", "app")),
        ("mapping", ("sqlalchemy", "psycopg", "layers.core.db", "streamlit")),
        ("app/pages", ("sqlalchemy", "psycopg")),
    ],
)
def test_each_folder_keeps_to_its_rules(folder: str, forbidden: tuple[str, ...]) -> None:
    broken = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _sources(folder)
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    }
    assert not broken


def test_migrations_import_no_application_code() -> None:
    versions = sorted((ROOT / "layers/migrations/versions").glob("*.py"))
    assert versions
    for path in versions:
        assert not {m for m in _imports(path) if m.split(".")[0] in {"layers", "app", "mapping"}}
