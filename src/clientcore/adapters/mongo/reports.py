"""MongoDB report counts: one aggregation each, grouped in the server (a period is a
``$switch`` over the boundaries)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from clientcore.adapters.mongo.convert import stored_uuid
from clientcore.adapters.mongo.store import Scoped
from clientcore.entities.visit import VisitKind, VisitStatus
from clientcore.ports.reports import Bucketed, StaffBucket


def _period(field: str, boundaries: Sequence[datetime]) -> dict[str, Any]:
    ends = boundaries[1:]
    branches = [
        {"case": {"$lt": [f"${field}", end]}, "then": index} for index, end in enumerate(ends[:-1])
    ]
    if not branches:
        return {"$literal": 0}
    return {"$switch": {"branches": branches, "default": len(ends) - 1}}


def _within(boundaries: Sequence[datetime]) -> dict[str, datetime]:
    return {"$gte": boundaries[0], "$lt": boundaries[-1]}


class MongoReportQueries:
    def __init__(self, clients: Scoped, visits: Scoped, consents: Scoped) -> None:
        self._clients = clients
        self._visits = visits
        self._consents = consents

    def clients_by_source(self) -> list[tuple[str, int]]:
        found = self._clients.aggregate({}, [{"$group": {"_id": "$source", "n": {"$sum": 1}}}])
        return sorted((document["_id"], int(document["n"])) for document in found)

    def clients_registered(self, boundaries: Sequence[datetime]) -> list[Bucketed]:
        found = self._clients.aggregate(
            {"created_at": _within(boundaries)},
            [{"$group": {"_id": _period("created_at", boundaries), "n": {"$sum": 1}}}],
        )
        return sorted((int(document["_id"]), int(document["n"])) for document in found)

    def visits_by_staff(self, boundaries: Sequence[datetime]) -> list[StaffBucket]:
        no_show = {"$cond": [{"$eq": ["$status", VisitStatus.NO_SHOW.value]}, 1, 0]}
        found = self._visits.aggregate(
            {
                "start": _within(boundaries),
                "kind": VisitKind.VISIT.value,
                "status": {"$ne": VisitStatus.CANCELLED.value},
            },
            [
                {
                    "$group": {
                        "_id": {"staff": "$staff_id", "period": _period("start", boundaries)},
                        "n": {"$sum": 1},
                        "no_shows": {"$sum": no_show},
                    }
                }
            ],
        )
        rows = [
            (
                stored_uuid(document["_id"]["staff"]),
                int(document["_id"]["period"]),
                int(document["n"]),
                int(document["no_shows"]),
            )
            for document in found
        ]
        return sorted(rows, key=lambda row: (str(row[0]), row[1]))

    def consent_coverage(self) -> list[tuple[str, int]]:
        key = {"client": "$client_id", "purpose": "$purpose", "channel": "$channel"}
        found = self._consents.aggregate(
            {},
            [
                {"$sort": {"at": 1, "recorded_at": 1, "seq": 1}},
                {"$group": {"_id": key, "granted": {"$last": "$granted"}}},
                {"$match": {"granted": True}},
                {"$group": {"_id": {"purpose": "$_id.purpose", "client": "$_id.client"}}},
                {"$group": {"_id": "$_id.purpose", "n": {"$sum": 1}}},
            ],
        )
        return sorted((document["_id"], int(document["n"])) for document in found)

    def client_count(self) -> int:
        return self._clients.count({})
