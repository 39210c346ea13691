"""CSV imports of master data, shared by `import_products` and `import_suppliers`.

The rules every import follows (docs/operations.md, `import_products`):

- UTF-8, with or without a byte-order mark (Excel writes one); `-` reads standard input.
- A header row naming exactly the expected columns, in any order.
- Every row is checked before anything is written. Any bad row → each one is printed to stderr
  as `line N: <why>`, nothing is imported and the command fails (non-zero exit).
- Otherwise all rows are upserted by their natural key in one transaction, imported rows are
  active again, and the command prints `<label>: N created, M updated`.

A command subclasses `CsvImportCommand`, names its model, key and columns, and turns one row
into model field values in `clean_row()`, using `Row.text()` / `Row.flag()` for the checks.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

# Excel's and our spelling of a yes/no cell (the API accepts the same for has_receipt).
TRUE_WORDS = frozenset({"1", "true", "是"})
FALSE_WORDS = frozenset({"", "0", "false", "否"})

# Rows per INSERT on PostgreSQL; SQLite lowers it further to fit its 999-parameter limit.
BATCH_SIZE = 1000


class Row:
    """One data row: its line number, its stripped values, and the problems found so far."""

    def __init__(self, line: int, values: dict[str, str], model: type[models.Model]) -> None:
        self.line = line
        self.values = values
        self.model = model
        self.problems: list[str] = []
        for column, value in values.items():
            if "\x00" in value:
                self.problems.append(f"{column} contains a NUL byte")

    def text(self, column: str, *, required: bool = False) -> str:
        """The column's value, checked against the model field of the same name (length, required)."""
        value = self.values[column]
        if required and not value:
            self.problems.append(f"{column} is empty")
        max_length = self.model._meta.get_field(column).max_length
        if max_length is not None and len(value) > max_length:
            self.problems.append(f"{column} is longer than {max_length} characters ({len(value)})")
        return value

    def flag(self, column: str) -> bool:
        """A yes/no value: 1/0, true/false (any case), 是/否; empty means no."""
        value = self.values[column].lower()
        if value in TRUE_WORDS:
            return True
        if value not in FALSE_WORDS:
            self.problems.append(f"{column} {self.values[column]!r} is not one of 0/1, true/false, 是/否")
        return False


def decode(data: bytes, source: str) -> str:
    """The file's text; not UTF-8 is a file-level error naming the first bad line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CommandError(f"{source}: line {line}: not valid UTF-8 (save the file as UTF-8)") from exc


def read_text(source: str) -> str:
    """The whole input as text: the file at `source`, or standard input for `-`."""
    if source == "-":
        # Read bytes where we can so a BOM or a bad byte is handled exactly as for a file.
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:
            return sys.stdin.read().removeprefix("\ufeff")
        return decode(buffer.read(), "stdin")
    try:
        with open(source, "rb") as f:
            return decode(f.read(), source)
    except OSError as exc:
        raise CommandError(f"cannot read {source}: {exc.strerror}") from exc


def check_header(header: list[str], columns: Sequence[str]) -> None:
    """Exactly the expected columns, each once, in any order; else a `line 1:` CommandError."""
    problems = []
    missing = [c for c in columns if c not in header]
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    unexpected = [c for c in header if c not in columns]
    if unexpected:
        problems.append(f"unexpected column(s) {', '.join(repr(c) for c in unexpected)}")
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        problems.append(f"repeated column(s) {', '.join(repeated)}")
    if problems:
        raise CommandError(f"line 1: {'; '.join(problems)} (expected header: {','.join(columns)})")


def read_rows(text: str, columns: Sequence[str], model: type[models.Model]) -> Iterator[Row]:
    """The data rows, each with the line it starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise CommandError(f"the file is empty: a header row is required ({','.join(columns)})")
        header = [name.strip() for name in header]
        check_header(header, columns)
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not fields:  # a blank line
                continue
            # A short row reads as empty trailing cells so every column can still be checked.
            values = dict.fromkeys(header, "") | dict(zip(header, (f.strip() for f in fields), strict=False))
            row = Row(line, values, model)
            if len(fields) != len(header):
                row.problems.insert(0, f"{len(fields)} fields, expected {len(header)}")
            yield row
    except csv.Error as exc:
        # Malformed quoting or an oversized field: the reader cannot resync, so the file is bad.
        raise CommandError(f"line {reader.line_num}: unreadable CSV ({exc})") from exc


class CsvImportCommand(BaseCommand):
    """Base of an all-or-nothing CSV upsert of one master-data model (see the module docstring).

    The model needs a unique `key` field, an `active` flag and an auto_now `updated_at`.
    """

    model: type[models.Model]
    key: str  # the natural key column, unique in the model: rows are upserted by it
    columns: tuple[str, ...]
    label: str  # the noun of the report line, e.g. "products"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", help=f"UTF-8 CSV file with header {','.join(self.columns)}; '-' reads stdin")

    def prepare(self, rows: list[Row]) -> None:
        """Load in bulk what `clean_row()` needs (one query for all rows, never one per row)."""

    def clean_row(self, row: Row) -> dict[str, Any]:
        """The row's model field values (keyed by field name or attname); problems go to `row.problems`."""
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["csv"]
        rows = list(read_rows(read_text(source), self.columns, self.model))
        self.prepare(rows)

        cleaned: dict[str, dict[str, Any]] = {}
        first_line: dict[str, int] = {}
        errors: list[str] = []
        for row in rows:
            fields = self.clean_row(row)
            key = row.values[self.key]
            if key and key in first_line:
                row.problems.append(f"duplicate {self.key} {key!r} (first on line {first_line[key]})")
            first_line.setdefault(key, row.line)
            if row.problems:
                errors.append(f"line {row.line}: {'; '.join(row.problems)}")
            else:
                cleaned[key] = fields

        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{len(errors)} bad row(s) in {source}; nothing imported")

        created, updated = self.upsert(cleaned)
        self.stdout.write(f"{self.label}: {created} created, {updated} updated")

    def upsert(self, cleaned: dict[str, dict[str, Any]]) -> tuple[int, int]:
        """Insert new keys and overwrite existing ones in one transaction; returns (created, updated)."""
        if not cleaned:
            return 0, 0
        opts = self.model._meta
        some_row = next(iter(cleaned.values()))
        # Imported master data is live again; `updated_at` is set by auto_now on the insert.
        update_fields = [opts.get_field(name).name for name in some_row if name != self.key]
        update_fields += ["active", "updated_at"]
        with transaction.atomic():
            # One query for all existing keys, only to tell created from updated: a whole-column
            # read beats an IN (...) of 100k parameters, which SQLite cannot take anyway.
            existing = set(self.model._default_manager.values_list(self.key, flat=True))
            # INSERT … ON CONFLICT DO UPDATE: no read-modify-write, and a row inserted by someone
            # else meanwhile is updated instead of failing the whole import.
            self.model._default_manager.bulk_create(
                [self.model(**fields, active=True) for fields in cleaned.values()],
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=[self.key],
                update_fields=update_fields,
            )
        updated = len(existing.intersection(cleaned))
        return len(cleaned) - updated, updated
