"""The README and docs/ tell the truth: their Python examples run, their commands are CI's."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SKIP_MARK = "# doc: skip"


def python_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)
    return [block for block in blocks if not block.startswith(SKIP_MARK)]


def shell_commands(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [
        b.strip() for b in re.findall(r"^```sh\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)
    ]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_python_examples_run_as_written(path: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"doc_{path.stem}"}
    for block in python_blocks(path):
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block, str(path), "exec"), namespace)


def test_readme_quick_start_is_its_first_python_block_and_short() -> None:
    first = python_blocks(ROOT / "README.md")[0]
    assert "clientcore.open(" in first
    assert len([line for line in first.splitlines() if line.strip()]) <= 10


def test_readme_has_exactly_the_two_commands_and_ci_runs_the_test_one() -> None:
    demo, tests = shell_commands(ROOT / "README.md")
    assert demo.endswith("clientcore demo")
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci
    assert "CLIENTCORE_REQUIRE_SERVERS=1" in ci
