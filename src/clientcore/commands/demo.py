"""``clientcore demo``: the vet-clinic story on a fresh SQLite file."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

NAME = "demo"
HELP = "run the vet-clinic story on a fresh SQLite file"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url", help="where to store it (default: a new SQLite file in a temp dir)"
    )


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from clientcore.demo import run as story

    if args.url:
        story(args.url)
    else:
        with tempfile.TemporaryDirectory() as folder:
            story(f"sqlite:///{Path(folder) / 'clinic.db'}")
    return 0
