"""Contract: finding clients by text (case-, accent- and form-insensitive) and by filters."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from clientcore.entities.client import Client
from clientcore.errors import NotFound, ValidationError
from clientcore.facade import Core
from clientcore.operations.clients import ClientFields
from clientcore.testing.contracts.base import BackendContract


def _names(core: Core, text: str = "", **filters: object) -> list[str]:
    page = core.clients.search(text, limit=1000, **filters)  # type: ignore[arg-type]
    return sorted(c.display_name for c in page.clients)


class SearchContract(BackendContract):
    @pytest.fixture
    def people(self, core: Core) -> dict[str, Client]:
        rows = {
            "lukasz": {"first_name": "Łukasz", "last_name": "Żółć", "phones": ["601 234 567"]},
            "sarunas": {
                "first_name": "Šarūnas",
                "last_name": "Žemaitis",
                "phones": ["+370 612 34567"],
            },
            "ijs": {
                "first_name": "Anouk",
                "last_name": "van der IJssel",
                "emails": ["anouk@example.nl"],
                "phones": ["+31 6 12345678"],
            },
            "percent": {"first_name": "Ann%", "last_name": "Under_score"},
            "backslash": {"first_name": "Back\\slash", "last_name": "Person"},
            "kowalska": {
                "first_name": "Anna",
                "last_name": "Kowalska-Nowak",
                "code": "K-77",
                "emails": ["a.kowalska@poczta.pl"],
            },
        }
        return {key: core.clients.register(**fields) for key, fields in rows.items()}  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("lukasz", ["Łukasz Żółć"]),
            ("LUKASZ", ["Łukasz Żółć"]),
            ("zolc", ["Łukasz Żółć"]),
            ("Żółć", ["Łukasz Żółć"]),
            ("sarunas", ["Šarūnas Žemaitis"]),
            ("zemait", ["Šarūnas Žemaitis"]),
            ("ijssel", ["Anouk van der IJssel"]),
            ("van der", ["Anouk van der IJssel"]),
            ("anouk@example", ["Anouk van der IJssel"]),
            ("a.kowalska@", ["Anna Kowalska-Nowak"]),
            ("nowak", ["Anna Kowalska-Nowak"]),
            ("kowalska-n", ["Anna Kowalska-Nowak"]),
            ("Kowalska-Nowak, Anna", ["Anna Kowalska-Nowak"]),
            ("(nowak)", ["Anna Kowalska-Nowak"]),
            ("k-77", ["Anna Kowalska-Nowak"]),
            ("ann%", ["Ann% Under_score"]),
            ("under_", ["Ann% Under_score"]),
            ("%", []),
            ("_", []),
            ("back\\", ["Back\\slash Person"]),
            ("\\", []),
            ("an", ["Ann% Under_score", "Anna Kowalska-Nowak", "Anouk van der IJssel"]),
            ("anna nowak", ["Anna Kowalska-Nowak"]),
            ("anna zolc", []),
        ],
    )
    def test_text_search(
        self, core: Core, people: dict[str, Client], text: str, expected: list[str]
    ) -> None:
        assert _names(core, text) == expected

    @pytest.mark.parametrize(
        ("fields", "text"),
        [
            ({"kind": "company", "company_name": "Schronisko „Łapka” Sp. z o.o."}, "lapka"),
            ({"kind": "company", "company_name": "Schronisko „Łapka” Sp. z o.o."}, "o.o"),
            ({"kind": "company", "company_name": "«Ami» SARL"}, "ami"),
            ({"kind": "company", "company_name": "»Pfötchen«"}, "pfotchen"),
            ({"kind": "company", "company_name": "「猫」カフェ"}, "猫"),
            ({"first_name": "Jan", "last_name": "(Burek)"}, "burek"),
            ({"first_name": "Jan", "last_name": "[Burek]"}, "burek"),
            ({"first_name": "Jan", "last_name": "Kot/Pies"}, "pies"),
            ({"first_name": "Jan", "last_name": "Kot,Pies"}, "pies"),
            ({"first_name": "Jan", "last_name": "Kot;Pies"}, "pies"),
            ({"first_name": "Jan", "last_name": '"Kot"'}, "kot"),
            ({"first_name": "Jan", "last_name": "O’Brien"}, "brien"),
            ({"first_name": "Jan", "last_name": "Nowak—Lis"}, "lis"),
            ({"first_name": "Jan", "last_name": "Kot_Pies"}, "pies"),
        ],
    )
    def test_any_punctuation_separates_words(
        self, core: Core, fields: dict[str, str], text: str
    ) -> None:
        client = core.clients.register(**fields)  # type: ignore[arg-type]
        assert core.clients.search(text).clients == (client,)
        assert core.clients.search(text.upper()).clients == (client,)

    def test_results_sort_by_last_name_then_first_name(self, core: Core) -> None:
        rows: list[dict[str, str]] = [
            {"first_name": "Zofia", "last_name": "Nowak"},
            {"first_name": "Adam", "last_name": "Nowakowski"},
            {"first_name": "Bartosz", "last_name": "Nowak-Lis"},
            {"first_name": "Adam", "last_name": "Nowak"},
            {"first_name": "Zenon", "last_name": "Adamczyk"},
            {"kind": "company", "company_name": "„Łapka” Sp. z o.o."},
            {"first_name": "Ewa", "last_name": "Żak"},
            {"kind": "company", "company_name": "Ogród"},
            {"first_name": "Ola", "last_name": "Zając"},
        ]
        core.clients.import_many(rows)  # type: ignore[arg-type]
        names = [c.display_name for c in core.clients.search(limit=100).clients]
        assert names == [
            "Zenon Adamczyk",
            "„Łapka” Sp. z o.o.",
            "Adam Nowak",
            "Zofia Nowak",
            "Bartosz Nowak-Lis",
            "Adam Nowakowski",
            "Ogród",
            "Ola Zając",
            "Ewa Żak",
        ]
        first = core.clients.search(limit=4)
        rest = core.clients.search(limit=100, after=first.next_cursor)
        assert [c.display_name for c in first.clients + rest.clients] == names

    def _pages(self, core: Core, text: str, limit: int, **filters: object) -> list[Client]:
        """Every result of a search, read page by page."""
        found: list[Client] = []
        after = None
        while True:
            page = core.clients.search(text, limit=limit, after=after, **filters)  # type: ignore[arg-type]
            found.extend(page.clients)
            if page.next_cursor is None:
                return found
            after = page.next_cursor

    def test_exact_code_then_full_words_then_prefixes(self, core: Core) -> None:
        """Ranked as a person expects, whatever the page size: the client whose code is
        the text, then full-word matches, then prefix-only matches; last name first
        within each rank."""
        core.clients.import_many(
            [
                {"first_name": "Adam", "last_name": "Nowakowski"},
                {"first_name": "Zofia", "last_name": "Nowak"},
                {"first_name": "Nowak", "last_name": "Adamczyk"},
                {"first_name": "Jan", "last_name": "Zyzak", "code": "nowak"},
                {"first_name": "Ewa", "last_name": "Aaa", "emails": ["nowakowska@example.pl"]},
                {"first_name": "Ola", "last_name": "Nowak-Lis"},
                {"first_name": "Olga", "last_name": "Nowak"},
            ]
        )
        core.clients.deactivate(core.clients.search("olga").clients[0].id)
        ranked = [
            "Jan Zyzak",
            "Nowak Adamczyk",
            "Zofia Nowak",
            "Ola Nowak-Lis",
            "Ewa Aaa",
            "Adam Nowakowski",
        ]
        for limit in (1, 2, 3, 4, 50):
            assert [c.display_name for c in self._pages(core, "nowak", limit)] == ranked
        # The code is matched as stored ("NOWAK" is not it): then a full word like others.
        upper = [c.display_name for c in self._pages(core, "NOWAK", 2)]
        assert upper == [*ranked[1:4], "Jan Zyzak", *ranked[4:]]
        everyone = [c.display_name for c in self._pages(core, "nowak", 2, status="all")]
        assert everyone == [*ranked[:2], "Olga Nowak", *ranked[2:]]
        two_words = [c.display_name for c in self._pages(core, "nowak o", 1)]
        assert two_words == ["Ola Nowak-Lis"]
        assert [c.display_name for c in self._pages(core, "zofia nowak", 1)] == ["Zofia Nowak"]

    def test_exact_phone_before_its_prefixes(self, core: Core) -> None:
        exact = core.clients.register(first_name="Piotr", last_name="Zyzak", phones=["601 234 567"])
        longer = core.clients.register(first_name="Adam", last_name="Aaa", code="486012345670")
        for text in ("601 234 567", "+48601234567"):
            assert self._pages(core, text, 1) == [exact, longer]

    def test_nfd_and_nfc_forms_are_equal(self, core: Core, people: dict[str, Client]) -> None:
        nfd = unicodedata.normalize("NFD", "Šarūnas")
        assert _names(core, nfd) == ["Šarūnas Žemaitis"]
        stored = core.clients.register(
            first_name=unicodedata.normalize("NFD", "Zofia"),
            last_name=unicodedata.normalize("NFD", "Gęś"),
        )
        assert stored.last_name == unicodedata.normalize("NFC", "Gęś")
        assert _names(core, "ges") == ["Zofia Gęś"]

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("601234567", "Łukasz Żółć"),
            ("601 234 567", "Łukasz Żółć"),
            ("601-234", "Łukasz Żółć"),
            ("+48 601 234 567", "Łukasz Żółć"),
            ("0048601234567", "Łukasz Żółć"),
            ("(+48) 601.234.567", "Łukasz Żółć"),
            ("+370 612 34567", "Šarūnas Žemaitis"),
            ("+31 6 1234 5678", "Anouk van der IJssel"),
            ("06 12345678", "Anouk van der IJssel"),
        ],
    )
    def test_phone_in_any_common_format(
        self, core: Core, people: dict[str, Client], text: str, expected: str
    ) -> None:
        assert _names(core, text) == [expected]

    def test_status_filter_defaults_to_active(self, core: Core, people: dict[str, Client]) -> None:
        core.clients.deactivate(people["lukasz"].id)
        assert _names(core, "lukasz") == []
        assert _names(core, "lukasz", status="all") == ["Łukasz Żółć"]
        assert _names(core, "", status="inactive") == ["Łukasz Żółć"]
        with pytest.raises(ValidationError):
            core.clients.search(status="deleted")

    def test_group_caretaker_source_and_attribute_filters(
        self, core: Core, people: dict[str, Client]
    ) -> None:
        group = core.setup.define_group("allergic")
        vet = core.staff.add("Dr Ewa")
        core.setup.define_attribute("tier", label="Tier", type="choice", choices=["gold", "silver"])
        core.setup.define_attribute("credit", label="Credit", type="number")
        core.setup.define_attribute("vip", label="VIP", type="flag")
        core.clients.assign_groups(people["lukasz"].id, group.id)
        core.clients.update(people["sarunas"].id, caretaker_id=vet.id, source="google")
        core.clients.set_attribute(people["ijs"].id, "tier", "gold")
        core.clients.set_attribute(people["kowalska"].id, "credit", "1.50")
        core.clients.set_attribute(people["percent"].id, "credit", 1)
        core.clients.set_attribute(people["backslash"].id, "vip", True)
        assert _names(core, group_id=group.id) == ["Łukasz Żółć"]
        assert _names(core, caretaker_id=vet.id) == ["Šarūnas Žemaitis"]
        assert _names(core, source="google") == ["Šarūnas Žemaitis"]
        assert _names(core, attribute=("tier", "gold")) == ["Anouk van der IJssel"]
        assert _names(core, attribute=("credit", Decimal("1.5"))) == ["Anna Kowalska-Nowak"]
        assert _names(core, attribute=("credit", 1)) == ["Ann% Under_score"]
        assert _names(core, attribute=("vip", True)) == ["Back\\slash Person"]
        assert _names(core, "an", attribute=("tier", "gold")) == ["Anouk van der IJssel"]
        with pytest.raises(NotFound):
            core.clients.search(attribute=("undefined", 1))
        with pytest.raises(ValidationError):
            core.clients.search(attribute=("tier", "bronze"))

    def test_paging_is_stable_and_complete(self, core: Core) -> None:
        clients = core.clients.import_many(
            [{"last_name": "Same", "first_name": f"{i % 3}"} for i in range(23)]
        )
        seen: list[Client] = []
        after = None
        while True:
            page = core.clients.search("same", limit=5, after=after)
            seen.extend(page.clients)
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert sorted(c.id for c in seen) == sorted(c.id for c in clients)
        ranked = [(c.last_name.casefold(), c.first_name.casefold(), str(c.id)) for c in seen]
        assert ranked == sorted(ranked)

    def test_paging_survives_a_change_between_pages(self, core: Core) -> None:
        core.clients.import_many([{"last_name": f"Name{i:02d}"} for i in range(10)])
        first = core.clients.search(limit=4)
        assert first.next_cursor is not None
        core.clients.register(last_name="Aaa")
        rest = core.clients.search(limit=100, after=first.next_cursor)
        names = [c.last_name for c in first.clients + rest.clients]
        assert names == [f"Name{i:02d}" for i in range(10)]

    def test_bad_search_arguments(self, core: Core) -> None:
        for kwargs in ({"limit": 0}, {"limit": 1001}, {"after": "garbage!"}):
            with pytest.raises(ValidationError):
                core.clients.search("", **kwargs)
        with pytest.raises(ValidationError):
            core.clients.search("x" * 201)

    def test_common_words_with_few_clients_in_common(self, core: Core) -> None:
        """Terms that each match more keys than a page's plan reads at once, but few
        clients in common, in either order, as prefixes, with filters and paging: the
        clients found are exactly those with a key starting with each term, in order."""
        from clientcore.entities.search import client_search_keys, client_sort_key

        anna: ClientFields = {"first_name": "Anna", "last_name": "Kowalska"}
        zofia: ClientFields = {"first_name": "Zofia", "last_name": "Nowak"}
        ewa: list[ClientFields] = [
            {"first_name": f"Ewa{i}", "last_name": "Kowalska-Nowak"} for i in range(5)
        ]
        rows = (
            [anna] * 1100
            + [zofia] * 1100
            + ewa
            + [{"first_name": "Nowak", "last_name": "Kowalski"}]
        )
        everyone = core.clients.import_many(rows)
        inactive = core.clients.search("ewa3").clients[0]
        core.clients.deactivate(inactive.id)

        def expected(terms: list[str], status: str) -> list[str]:
            """Full-word matches first, then prefix matches, each in sort-key order."""
            found = [
                client
                for client in everyone
                if all(any(key.startswith(t) for key in client_search_keys(client)) for t in terms)
                and (status == "all" or client.id != inactive.id)
            ]

            def rank(client: Client) -> tuple[bool, str, str]:
                whole = set(terms) <= client_search_keys(client)
                return (not whole, client_sort_key(client), str(client.id))

            return [c.display_name for c in sorted(found, key=rank)]

        for text, terms in [
            ("kowalska nowak", ["kowalska", "nowak"]),
            ("Nowak Kowalsk", ["nowak", "kowalsk"]),
            ("no ko", ["no", "ko"]),
            ("kowalska-nowak ewa", ["kowalska-nowak", "ewa"]),
        ]:
            for status in ("active", "all"):
                want = expected(terms, status)
                assert want
                assert _names(core, text, status=status) == sorted(want)
                pages: list[str] = []
                after = None
                while True:
                    page = core.clients.search(text, status=status, limit=2, after=after)
                    pages.extend(c.display_name for c in page.clients)
                    if page.next_cursor is None:
                        break
                    after = page.next_cursor
                assert pages == want
        assert _names(core, "anna nowak") == []
        assert _names(core, "zofia kowalska") == []
