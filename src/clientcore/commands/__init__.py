"""The subcommands of the ``clientcore`` command, one module each.

A module here names itself (``NAME``, ``HELP``), adds its arguments to its own parser
(``configure``) and runs (``run``, returning the exit status). :data:`ALL` lists them in
the order ``clientcore --help`` shows them; a new command is a module and a line there.
"""

from __future__ import annotations

import argparse
from typing import Protocol

from clientcore.commands import demo, dispatch, duplicates, export, import_file, migrate, report


class Command(Protocol):
    """What :mod:`clientcore.cli` needs of a subcommand's module."""

    NAME: str
    HELP: str

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int: ...


ALL: tuple[Command, ...] = (demo, migrate, import_file, export, duplicates, dispatch, report)
