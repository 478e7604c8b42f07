"""The ``clientcore`` command; each subcommand is a module of :mod:`clientcore.commands`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from clientcore.commands import ALL


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clientcore", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    parsers = {}
    for command in ALL:
        parsers[command.NAME] = commands.add_parser(command.NAME, help=command.HELP)
        command.configure(parsers[command.NAME])
    args = parser.parse_args(argv)
    chosen = next(command for command in ALL if args.command == command.NAME)
    return chosen.run(args, parsers[chosen.NAME])


if __name__ == "__main__":
    sys.exit(main())
