"""The layering rules of ARCHITECTURE.md, checked on the source itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import clientcore

PACKAGE = Path(clientcore.__file__).parent
FORBIDDEN_IN_DOMAIN = (
    "sqlalchemy",
    "pymongo",
    "bson",
    "cattrs",
    "mongomock",
    "alembic",
    "clientcore.adapters",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", ["entities", "operations", "ports"])
def test_the_domain_imports_no_storage_library(layer: str) -> None:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files
    leaks = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in files
        for name in _imports(path)
        if name.startswith(FORBIDDEN_IN_DOMAIN)
    }
    assert not leaks


def test_the_package_is_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()


def test_importing_and_using_memory_loads_no_driver() -> None:
    code = (
        "import sys, clientcore\n"
        "core = clientcore.open('memory://', tenant='t', actor=clientcore.Actor('a'))\n"
        "core.clients.register(last_name='Nowak')\n"
        "loaded = [m for m in ('sqlalchemy', 'pymongo', 'bson', 'cattrs') if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
