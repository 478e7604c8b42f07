"""The ids clientcore makes unless the host gives its own factory (``clientcore.open(ids=...)``)."""

from __future__ import annotations

import secrets
import time
from uuid import UUID

_VERSION = 7 << 76
_VARIANT = 0b10 << 62


def time_ordered_id() -> UUID:
    """A new UUID version 7 (RFC 9562): the Unix time in milliseconds (48 bits), the rest
    of the millisecond in 12 bits (the RFC's "increased clock precision"), 62 random bits.

    Ids made later sort after earlier ones (to the 1/4096 of a millisecond, while the
    system clock does not go back), as text and as PostgreSQL's ``uuid`` alike: an index
    whose entries start with an id (a table's primary key, the client index of search keys
    and of events) takes each import's rows at its right edge instead of at random pages
    of the whole index. What a random id gives and this keeps: no two processes need to
    agree on anything, as the 62 random bits keep ids apart. What it gives up: an id tells
    when it was made, to the millisecond (the records say so anyway in ``created_at``).
    """
    now = time.time_ns()
    millisecond, rest = divmod(now, 1_000_000)
    fraction = rest * 4096 // 1_000_000
    return UUID(
        int=(millisecond << 80) | _VERSION | (fraction << 64) | _VARIANT | secrets.randbits(62)
    )
