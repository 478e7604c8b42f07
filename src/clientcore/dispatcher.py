"""The dispatcher as a worker: rounds of ``core.messages.dispatch`` for one or more tenants
until stopped, or until nothing more is due (``once``: what a cron job runs).

Several workers may run at once, in threads or processes or on several machines: each
claim is exclusive (see :class:`~clientcore.ports.outbox.Outbox`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from clientcore.api.messages import DispatchPolicy, DispatchReport
from clientcore.facade import Core
from clientcore.ports.messaging import EmailSender, SmsGateway


def run_dispatcher(
    cores: Sequence[Core],
    *,
    sms: SmsGateway | None = None,
    email: EmailSender | None = None,
    policy: DispatchPolicy = DispatchPolicy(),  # noqa: B008 (frozen)
    once: bool = False,
    idle: float = 5.0,
    stop: threading.Event | None = None,
) -> DispatchReport:
    """Dispatch the due messages of each core's tenant in turn; when a round of every
    tenant left nothing claimable, stop (``once``) or wait ``idle`` seconds (or until
    ``stop`` is set). What all rounds did."""
    stop = threading.Event() if stop is None else stop
    total = DispatchReport()
    while not stop.is_set():
        drained = True
        for core in cores:
            report = core.messages.dispatch(sms=sms, email=email, policy=policy)
            total += report
            drained = drained and report.handled < policy.batch
        if drained:
            if once:
                break
            stop.wait(idle)
    return total
