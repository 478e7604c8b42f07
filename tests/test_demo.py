"""The demo tells its story end to end."""

from __future__ import annotations

import pytest

from clientcore.cli import main
from clientcore.demo import run


def test_the_demo_story_on_memory() -> None:
    lines: list[str] = []
    run("memory://", say=lines.append)
    text = "\n".join(lines)
    assert "Search 'lukasz zolk' finds: Łukasz Żółkiewski" in text
    assert "Group 'regulars': Šarūnas Kazlauskas, Łukasz Żółkiewski" in text  # by last name
    assert " Europe/Warsaw rita  client.registered" in text
    assert "agreed to SMS notifications: yes" in text
    assert "olga  client.updated" in text


def test_the_demo_command_on_the_default_sqlite_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    output = capsys.readouterr().out
    assert "data in sqlite:///" in output
    assert "History of Łukasz:" in output
