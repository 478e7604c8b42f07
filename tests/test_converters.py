"""Entity converters: what they make of every input, including the inputs they keep."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientcore.entities.client import AttributeValue, frozen_mapping
from clientcore.entities.common import Role, role_set


class RoleSet(frozenset[Role | str]):
    """A frozen set of another type: it is not kept."""


members = st.sampled_from(list(Role))
either = st.one_of(members, members.map(lambda role: role.value))
roles_given = st.one_of(
    st.frozensets(members),
    st.frozensets(either),
    st.frozensets(either).map(RoleSet),
    st.lists(either),
)


@given(roles_given)
def test_roles_become_a_frozen_set_of_members(given_roles: Iterable[Role | str]) -> None:
    converted = role_set(given_roles)
    assert type(converted) is frozenset
    assert all(type(role) is Role for role in converted)
    assert converted == {Role(role) for role in given_roles}


@given(st.dictionaries(st.text(max_size=5), st.text(max_size=5)))
def test_attributes_are_a_read_only_copy(given_values: dict[str, AttributeValue]) -> None:
    frozen = frozen_mapping(given_values)
    assert frozen == given_values
    given_values["added later"] = "x"
    assert "added later" not in frozen
    with pytest.raises(TypeError):
        frozen["added later"] = "x"  # type: ignore[index]
