"""The ``clientcore`` command: ``demo`` tells the clinic story, ``migrate`` upgrades a database."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clientcore", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the vet-clinic story on a fresh SQLite file")
    demo.add_argument("--url", help="where to store it (default: a new SQLite file in a temp dir)")
    migrate = commands.add_parser("migrate", help="upgrade a SQL database to the current schema")
    migrate.add_argument("url", help="e.g. sqlite:///clinic.db or postgresql+psycopg://...")
    migrate.add_argument(
        "--prefix", default=None, help="table name prefix (default: clientcore_; '' for none)"
    )
    migrate.add_argument("--schema", default=None, help="database schema to put the tables in")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from clientcore.demo import run

        if args.url:
            run(args.url)
        else:
            with tempfile.TemporaryDirectory() as folder:
                run(f"sqlite:///{Path(folder) / 'clinic.db'}")
        return 0
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    from clientcore.adapters.sql import head_revision, upgrade
    from clientcore.errors import ClientCoreError

    try:
        shown = make_url(args.url).render_as_string(hide_password=True)
    except ArgumentError:
        parser.error(f"not a database URL: {args.url!r}")
    try:
        if args.prefix is None:
            upgrade(args.url, schema=args.schema)
        else:
            upgrade(args.url, prefix=args.prefix, schema=args.schema)
    except ClientCoreError as error:
        print(f"clientcore migrate: {shown}: {error}", file=sys.stderr)
        return 1
    print(f"{shown}: clientcore's tables are at revision {head_revision()}, the newest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
