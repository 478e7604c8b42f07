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


def test_the_testing_extra_is_what_clientcore_testing_imports_beyond_the_core() -> None:
    """``pip install 'clientcore[testing]'`` gives ``clientcore.testing`` every library it
    imports that the package's own dependencies do not, and nothing more."""
    import re
    import tomllib

    project = tomllib.loads((PACKAGE.parent.parent / "pyproject.toml").read_text("utf-8"))
    distribution = {"pyyaml": "yaml", "email-validator": "email_validator"}

    def modules(requirements: list[str]) -> set[str]:
        names = {re.split(r"[<>=!\[ ;]", requirement)[0].lower() for requirement in requirements}
        return {distribution.get(name, name.replace("-", "_")) for name in names}

    core = modules(project["project"]["dependencies"])
    extra = modules(project["project"]["optional-dependencies"]["testing"])
    imported = {
        name.split(".")[0]
        for path in sorted((PACKAGE / "testing").rglob("*.py"))
        for name in _imports(path)
    }
    third_party = {
        name
        for name in imported
        if name not in sys.stdlib_module_names and name not in ("clientcore", "__future__")
    }
    assert third_party - core == extra
