"""``clientcore dispatch URL --tenant T``: send the due messages of the outbox."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "dispatch"
HELP = "send the due SMS and e-mail messages of the outbox (a worker, or --once for cron)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", help="e.g. sqlite:///clinic.db or postgresql+psycopg://...")
    parser.add_argument(
        "--tenant", action="append", required=True, help="a tenant to dispatch for (repeatable)"
    )
    parser.add_argument("--once", action="store_true", help="stop when nothing more is due")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds to wait when idle")
    parser.add_argument("--smsapi-token-file", type=Path, help="SMSAPI.pl OAuth token, in a file")
    parser.add_argument("--smtp", metavar="HOST:PORT", help="the SMTP server for e-mail")
    parser.add_argument("--smtp-from", default="", help="the From address of e-mail")
    parser.add_argument("--smtp-starttls", action="store_true", help="upgrade with STARTTLS")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import clientcore
    from clientcore.dispatcher import run_dispatcher
    from clientcore.errors import ClientCoreError

    sms = email = None
    if args.smsapi_token_file is not None:
        from clientcore.adapters.messaging.smsapi import SmsApiGateway

        sms = SmsApiGateway(args.smsapi_token_file.read_text("utf-8").strip())
    if args.smtp is not None:
        from clientcore.adapters.messaging.smtp import SmtpEmailSender

        host, _, port = args.smtp.rpartition(":")
        if not host or not port.isdigit() or not args.smtp_from:
            parser.error("--smtp takes HOST:PORT, with --smtp-from ADDRESS")
        email = SmtpEmailSender(host, int(port), sender=args.smtp_from, starttls=args.smtp_starttls)
    actor = clientcore.Actor("clientcore-dispatch", name="clientcore dispatch")
    try:
        with clientcore.open(args.url, tenant=args.tenant[0], actor=actor) as core:
            cores = [core.for_tenant(tenant) for tenant in args.tenant]
            report = run_dispatcher(cores, sms=sms, email=email, once=args.once, idle=args.idle)
    except ClientCoreError as error:
        print(f"clientcore dispatch: {error}", file=sys.stderr)
        return 1
    finally:
        if sms is not None:
            sms.close()
    print(
        f"sent {report.sent}, suppressed {report.suppressed}, retried {report.retried}, "
        f"failed {report.failed}"
    )
    return 0
