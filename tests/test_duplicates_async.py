"""Finding duplicates through :class:`clientcore.AsyncCore`."""

from __future__ import annotations

import asyncio

import clientcore
from clientcore import DuplicateReason, ScanProgress, ScanStage


def test_similar_and_the_scan_as_coroutines() -> None:
    told: list[ScanProgress] = []

    async def main() -> None:
        async with clientcore.open_async(
            "memory://", tenant="t", actor=clientcore.Actor("anna")
        ) as core:
            await core.setup.configure(default_region="PL")
            first = await core.clients.register(
                first_name="Łukasz", last_name="Żółkiewski", phones=["601 234 567"]
            )
            found = await core.clients.similar(
                first_name="Lukasz", last_name="Zolkiewski", phones=["+48601234567"]
            )
            assert [c.client.id for c in found] == [first.id]
            second = await core.clients.register(
                first_name="Lukasz", last_name="Zolkiewski", phones=["+48601234567"]
            )
            scan = await core.clients.find_duplicates(progress=told.append)
            assert [set(g.client_ids) for g in scan] == [{first.id, second.id}]
            assert DuplicateReason.SAME_PHONE in next(iter(scan)).pairs[0].reasons
            assert (scan.clients_read, scan.pairs_compared) == (2, 1)

    asyncio.run(main())
    assert told[-1] == ScanProgress(ScanStage.COMPARING, 1, 1)
