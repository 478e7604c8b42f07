"""``clientcore migrate URL``: upgrade a SQL database to the current schema."""

from __future__ import annotations

import argparse
import sys

NAME = "migrate"
HELP = "upgrade a SQL database to the current schema"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", help="e.g. sqlite:///clinic.db or postgresql+psycopg://...")
    parser.add_argument(
        "--prefix", default=None, help="table name prefix (default: clientcore_; '' for none)"
    )
    parser.add_argument("--schema", default=None, help="database schema to put the tables in")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
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
