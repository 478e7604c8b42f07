"""The export document: a random client's export round-trips every stored value and
validates against the shipped JSON Schema; ``clientcore export`` writes the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import uuid4

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clientcore
from clientcore import Actor, Role
from clientcore.cli import main
from clientcore.operations.clients import ClientFields
from clientcore.operations.export import to_json
from clientcore.testing.clock import TickingClock, new_tenant
from clientcore.testing.kinds import HOST_KINDS, STAMPS, Stamp
from clientcore.testing.strategies import registrations

OWNER = Actor("owner-1", roles={Role.OWNER})
SCHEMA = clientcore.export_schema()


def _values(value: Any) -> list[Any]:
    """Every leaf value of a JSON document."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _values(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _values(item)]
    return [value]


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=registrations(),
    notes=st.lists(st.text(min_size=1, max_size=30).filter(str.isprintable), max_size=3),
    pets=st.lists(
        st.text(min_size=1, max_size=20).filter(lambda t: t.strip() == t and t.isprintable() and t),
        max_size=2,
    ),
)
def test_a_random_clients_export_holds_every_value_and_validates(
    fields: ClientFields, notes: list[str], pets: list[str]
) -> None:
    clock = TickingClock()
    core = clientcore.open(
        "memory://", tenant=new_tenant(), actor=OWNER, kinds=HOST_KINDS, clock=clock
    )
    client = core.clients.register(**fields)
    for text in notes:
        core.notes.add(client.id, text)
    for name in pets:
        core.subjects.add(client.id, kind="pet", name=name)
    core.records(STAMPS).add(Stamp(uuid4(), client.id, clock.now(), note="stamp"))
    document = json.loads(json.dumps(core.privacy.export(client.id)))
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert document["client"] == to_json(core.clients.get(client.id))
    leaves = set(map(str, _values(document)))
    assert set(map(str, _values(to_json(client)))) <= leaves
    assert [n["text"] for n in document["records"]["notes"]] == notes
    assert [s["name"] for s in document["records"]["subjects"]] == pets
    assert [s["note"] for s in document["records"]["stamps"]] == ["stamp"]
    assert document["records"]["invoices"] == []


def test_the_export_command_writes_the_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    with clientcore.open(url, tenant="vet-1", actor=OWNER) as core:
        client = core.clients.register(first_name="Łucja", last_name="Nowak")
    out = tmp_path / "export.json"
    assert (
        main(["export", url, "--tenant", "vet-1", "--client", client.code, "--output", str(out)])
        == 0
    )
    document = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA)
    assert document["client"]["first_name"] == "Łucja"
    with clientcore.open(url, tenant="vet-1", actor=OWNER) as core:
        exported = core.clients.history(client.id)[-1]
    assert (exported.kind, exported.actor_id) == ("client.exported", "clientcore-cli")
    assert main(["export", url, "--tenant", "vet-1", "--client", "nobody"]) == 1
    assert "no client with code 'nobody'" in capsys.readouterr().err
