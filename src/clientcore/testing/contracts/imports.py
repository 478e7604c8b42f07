"""Contract: imports that stream from any iterable, a batch at a time, naming each refused
row; all or nothing, or the good rows stored and the rest reported."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientcore.entities.imports import ImportMode, ImportProgress
from clientcore.errors import ImportRefused, ValidationError
from clientcore.facade import Core
from clientcore.testing.clock import new_tenant
from clientcore.testing.contracts.base import BackendContract

Row = Mapping[str, object]

BAD_ROWS: dict[str, tuple[Row, str]] = {
    "phone": ({"last_name": "Lis", "phones": ["not a phone"]}, "phones"),
    "email": ({"last_name": "Lis", "emails": ["no-at-sign"]}, "emails"),
    "name": ({"first_name": ""}, "last_name"),
    "field": ({"last_name": "Lis", "colour": "red"}, "colour"),
    "not a mapping": ("Lis", "row"),  # type: ignore[dict-item]
}


def _names(core: Core) -> list[str]:
    """The last names of every client of the tenant, sorted."""
    return sorted(c.last_name for c in core.clients.search(status="all", limit=1000).clients)


class ImportContract(BackendContract):
    def test_good_rows_are_stored_and_each_refused_row_named(self, core: Core) -> None:
        def rows() -> Iterator[Row]:
            for index in range(23):
                bad = index % 5 == 2
                yield BAD_ROWS["phone"][0] if bad else {"last_name": f"Nowak{index:02d}"}

        seen: list[ImportProgress] = []
        report = core.clients.import_clients(
            rows(), mode=ImportMode.GOOD_ROWS, batch_size=10, progress=seen.append
        )
        refused = [2, 7, 12, 17, 22]
        assert [r.row for r in report.refusals] == refused
        assert {(r.field, r.code) for r in report.refusals} == {("phones", None)}
        assert (report.read, report.imported) == (23, 18)
        assert seen == [
            ImportProgress(10, 8, 2),
            ImportProgress(20, 16, 4),
            ImportProgress(23, 18, 5),
        ]
        assert _names(core) == [f"Nowak{i:02d}" for i in range(23) if i not in refused]

    @pytest.mark.parametrize("bad", sorted(BAD_ROWS))
    def test_all_or_nothing_stores_nothing_and_reports_every_refusal(
        self, core: Core, bad: str
    ) -> None:
        row, field = BAD_ROWS[bad]
        rows: list[object] = [{"last_name": f"Lis{i}"} for i in range(7)]
        rows[1] = rows[5] = row
        with pytest.raises(ImportRefused) as refused:
            core.clients.import_clients(iter(rows), batch_size=3)  # type: ignore[arg-type]
        report = refused.value.report
        assert [(r.row, r.field) for r in report.refusals] == [(1, field), (5, field)]
        assert (report.read, report.imported) == (7, 0)
        assert isinstance(refused.value, ValidationError)
        assert refused.value.field == field
        assert _names(core) == []

    def test_codes_given_twice_or_already_held_are_refused(self, core: Core) -> None:
        core.clients.register(last_name="Held", code="H1")
        rows = [
            {"last_name": "First", "code": "K1"},
            {"last_name": "Again", "code": "K1"},  # same batch
            {"last_name": "Taken", "code": "H1"},
            {"last_name": "Later", "code": "K1"},  # a later batch
            {"last_name": "Auto"},
        ]
        report = core.clients.import_clients(rows, mode="good_rows", batch_size=3)
        assert [(r.row, r.field, r.code) for r in report.refusals] == [
            (1, "code", "K1"),
            (2, "code", "H1"),
            (3, "code", "K1"),
        ]
        assert _names(core) == ["Auto", "First", "Held"]
        assert core.clients.by_code("K1").last_name == "First"
        with pytest.raises(ImportRefused) as refused:
            core.clients.import_clients([{"last_name": "X", "code": "N1"}] * 4, batch_size=2)
        assert [r.row for r in refused.value.report.refusals] == [1, 2, 3]

    def test_rows_are_read_a_batch_at_a_time(self, core: Core) -> None:
        """The input is read as the batches are made: when a batch is reported, no more
        than one batch beyond what was reported has been taken from the iterable."""
        taken: list[int] = []

        def rows() -> Iterator[Row]:
            for index in range(50):
                taken.append(index)
                yield {"last_name": f"Row{index}"}

        ahead: list[int] = []

        def progress(done: ImportProgress) -> None:
            ahead.append(len(taken) - done.read)

        for mode in ImportMode:
            taken.clear()
            ahead.clear()
            core.for_tenant(new_tenant()).clients.import_clients(
                rows(), mode=mode, batch_size=8, progress=progress
            )
            assert len(ahead) == 7
            assert max(ahead) <= 1  # islice may take the next row to see the end

    def test_bad_arguments_are_refused(self, core: Core) -> None:
        with pytest.raises(ValidationError) as refused:
            core.clients.import_clients([], mode="some")
        assert refused.value.field == "mode"
        with pytest.raises(ValidationError) as refused:
            core.clients.import_clients([], batch_size=0)
        assert refused.value.field == "batch_size"
        report = core.clients.import_clients([])
        assert (report.read, report.imported, report.refusals) == (0, 0, ())

    def test_every_row_is_stored_or_refused(self, core: Core) -> None:
        """Whatever the rows: in GOOD_ROWS mode the stored clients are exactly the rows not
        refused; in ALL_OR_NOTHING mode all of them, or none when any is refused."""

        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(
            st.lists(st.sampled_from([None, *sorted(BAD_ROWS)]), max_size=12),
            st.integers(1, 5),
            st.sampled_from(list(ImportMode)),
        )
        def run(kinds: list[str | None], batch_size: int, mode: ImportMode) -> None:
            clinic = core.for_tenant(new_tenant())
            rows = [
                {"last_name": f"Good{index:02d}"} if kind is None else BAD_ROWS[kind][0]
                for index, kind in enumerate(kinds)
            ]
            expected = [
                (index, BAD_ROWS[kind][1]) for index, kind in enumerate(kinds) if kind is not None
            ]
            good = [f"Good{index:02d}" for index, kind in enumerate(kinds) if kind is None]
            try:
                report = clinic.clients.import_clients(
                    (row for row in rows), mode=mode, batch_size=batch_size
                )
            except ImportRefused as refused:
                assert mode is ImportMode.ALL_OR_NOTHING
                report = refused.report
                good = []
            assert [(r.row, r.field) for r in report.refusals] == expected
            assert all(r.reason for r in report.refusals)
            assert (report.read, report.imported) == (len(rows), len(good))
            assert _names(clinic) == good

        run()
