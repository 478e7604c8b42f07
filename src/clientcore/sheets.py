"""Rows of a CSV or XLSX file as client fields, for ``clientcore import``.

A file's first row names its columns. A column mapping says which column holds which
client field (``{"last_name": "Nazwisko"}``); a column named like a field (any case) is
taken without one. Each cell is read as a person types it in a spreadsheet: a cell of
phones or e-mails may hold several (separated by ``;``, ``,``, ``|``, a new line, or for
phones `` / ``), a number typed into a spreadsheet cell is its digits, a birthday is a
date cell or ``2024-05-31``, ``31.05.2024``, ``31/05/2024``; a row with a company name
and no person's name is a company unless a column gives the kind (``person``, ``company``).
What the cells then hold is checked by ``core.clients.import_clients`` as any import's row.
"""

from __future__ import annotations

import contextlib
import csv
import re
import tomllib
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs

from clientcore.errors import ValidationError

FIELDS: tuple[str, ...] = (
    "kind",
    "code",
    "first_name",
    "last_name",
    "company_name",
    "phones",
    "emails",
    "description",
    "source",
    "remarks",
    "birthday",
)
"""The client fields a file's column can hold."""

_PHONES_APART = re.compile(r"[;,|\n]+|\s+/\s+")
_EMAILS_APART = re.compile(r"[;,|\s]+")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")
_DELIMITERS = ",;\t"
_PERSON_NAMES = {"first_name", "last_name"}


@attrs.frozen
class Sheet:
    """A file's column names and its rows, each ``(row number, cells)``: the header is row
    1, so the first row of data is row 2; rows whose cells are all empty are left out."""

    header: tuple[str, ...]
    rows: Iterator[tuple[int, tuple[object, ...]]]
    total: int | None
    """How many rows of data the file says it has (None: it does not say)."""


def _cells(values: tuple[object, ...], width: int) -> tuple[object, ...]:
    return (*values, *([None] * (width - len(values))))[:width]


def _numbered(
    rows: Iterator[tuple[object, ...]], width: int
) -> Iterator[tuple[int, tuple[object, ...]]]:
    for number, values in enumerate(rows, start=2):
        if any(value is not None and str(value).strip() for value in values):
            yield number, _cells(values, width)


@contextlib.contextmanager
def open_sheet(
    path: Path, *, encoding: str = "utf-8-sig", sheet: str | None = None, count: bool = False
) -> Iterator[Sheet]:
    """The rows of a CSV file (its delimiter guessed among ``,``, ``;`` and tab) or of an
    XLSX workbook's sheet (the first unless named), read as they are asked for. ``count``:
    count a CSV file's rows first (one more read of the file) so that ``total`` is known."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with _xlsx(path, sheet) as opened:
            yield opened
        return
    with path.open(newline="", encoding=encoding) as file:
        sample = file.read(65536)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
        except csv.Error:
            dialect = csv.excel
        total = None
        if count:
            file.seek(0)
            total = max(sum(1 for _ in csv.reader(file, dialect)) - 1, 0)
        file.seek(0)
        reader = csv.reader(file, dialect)
        header = tuple(cell.strip() for cell in next(reader, []))
        yield Sheet(header, _numbered((tuple(row) for row in reader), len(header)), total)


@contextlib.contextmanager
def _xlsx(path: Path, name: str | None) -> Iterator[Sheet]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        if name is not None and name not in book.sheetnames:
            raise ValidationError("sheet", f"{name!r} is not one of {', '.join(book.sheetnames)}")
        worksheet = book[name] if name is not None else book.worksheets[0]
        rows = worksheet.iter_rows(values_only=True)
        header = tuple("" if cell is None else str(cell).strip() for cell in next(rows, ()))
        total = None if worksheet.max_row is None else max(worksheet.max_row - 1, 0)
        yield Sheet(header, _numbered(rows, len(header)), total)
    finally:
        book.close()


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping file: TOML whose ``[columns]`` table gives each field its column
    (``last_name = "Nazwisko"``)."""
    try:
        columns = tomllib.loads(path.read_text(encoding="utf-8")).get("columns", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ValidationError("mapping", f"{path}: {error}") from error
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise ValidationError("mapping", f"{path}: [columns] must map field names to column names")
    return dict(columns)


def column_map(header: tuple[str, ...], given: Mapping[str, str]) -> dict[str, int]:
    """Each mapped field's column index: the ``given`` ones, and fields that a column is
    named like (case ignored). A field or column that does not exist is refused."""
    unknown = sorted(set(given) - set(FIELDS))
    if unknown:
        raise ValidationError(unknown[0], f"is not a field a column can hold: {', '.join(FIELDS)}")
    where = {name: index for index, name in enumerate(header)}
    mapped: dict[str, int] = {}
    for field, column in given.items():
        if column not in where:
            raise ValidationError(field, f"the file has no column {column!r}")
        mapped[field] = where[column]
    named = {name.casefold(): index for index, name in enumerate(header)}
    for field in FIELDS:
        if field not in given and field in named:
            mapped[field] = named[field]
    if not mapped:
        raise ValidationError("mapping", "no column holds a client field: give a mapping")
    return mapped


def _text(value: object) -> str:
    """A cell as text; a whole number (a phone or a code typed into a spreadsheet) as its
    digits, without ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _birthday(value: object) -> object:
    """A date cell, or text in a common format; other text is left for the import to refuse."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for layout in _DATE_FORMATS:
        with contextlib.suppress(ValueError):
            return datetime.strptime(text, layout).date()
    return text


def client_fields(cells: tuple[object, ...], columns: Mapping[str, int]) -> dict[str, object]:
    """The fields of one row: each mapped cell that is not empty, read as its field needs."""
    fields: dict[str, object] = {}
    for field, index in columns.items():
        value = cells[index]
        if value is None or not _text(value):
            continue
        if field == "phones":
            fields[field] = [
                part.strip() for part in _PHONES_APART.split(_text(value)) if part.strip()
            ]
        elif field == "emails":
            fields[field] = [part for part in _EMAILS_APART.split(_text(value)) if part]
        elif field == "birthday":
            fields[field] = _birthday(value)
        elif field == "kind":
            fields[field] = _text(value).lower()
        else:
            fields[field] = _text(value)
    if "kind" not in fields and "company_name" in fields and not fields.keys() & _PERSON_NAMES:
        fields["kind"] = "company"
    return fields
