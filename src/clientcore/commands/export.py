"""``clientcore export URL --tenant T --client CODE``: everything held about one client, as
the JSON document of ``core.privacy.export`` (docs/privacy.md), on standard output or in a
file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "export"
HELP = "export everything held about one client as JSON (right of access)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "url", help="e.g. sqlite:///clinic.db, postgresql+psycopg://..., mongodb://..."
    )
    parser.add_argument("--tenant", required=True, help="the business the client belongs to")
    parser.add_argument("--client", required=True, help="the client's code")
    parser.add_argument(
        "--actor",
        default="clientcore-cli",
        help="who exports, as recorded in the client's history (acts as the owner)",
    )
    parser.add_argument("--output", type=Path, default=None, help="a file (default: stdout)")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import clientcore
    from clientcore.errors import ClientCoreError

    actor = clientcore.Actor(args.actor, roles={clientcore.Role.OWNER})
    try:
        with clientcore.open(args.url, tenant=args.tenant, actor=actor) as core:
            client = core.clients.by_code(args.client)
            document = core.privacy.export(client.id)
    except ClientCoreError as error:
        print(f"clientcore export: {error}", file=sys.stderr)
        return 1
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0
