"""Querysets compiled to SQL once per process, then only executed with new parameters.

Django builds and compiles a queryset's SQL each time it runs. For the small fixed-shape queries
that every request makes (the token lookup, the nested collections of a page of orders) that
costs several times the query itself: on the benchmark machine ~0.5 ms of Python per query
against ~0.1 ms for the database (README "Performance"). A `CompiledQuery` keeps, per database
and shape, the SQL text, where the arguments go in its parameters, and the converters Django
applies to each column — so rows come back as the same Python values the ORM would return.

The queryset is built by a function of the arguments; it is compiled once with stand-in values
for them, which are then located in the compiled parameters (each must appear exactly once).
A list argument (an `IN (...)`) makes its length part of the shape: one compilation per length.

This reads Django's compiler (`as_sql`, `select`, `get_converters`), which is not a public API.
So that a Django upgrade cannot break requests: the first run of each shape also runs the plain
queryset and compares the rows; if compiling fails or the rows differ, the query logs one warning
and runs through the ORM from then on. tests/test_compiled.py compares every compiled query of
the project with the ORM on both databases, so an upgrade that breaks it fails loudly in CI.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet

logger = logging.getLogger("afterservice.compiled")
_INT_STANDIN = -7_340_000_000_000  # far from any id


def _standin(position: int, item: int | None, value: Any) -> Any:
    if isinstance(value, str):
        return f"\x00standin:{position}:{item}"
    return _INT_STANDIN - position * 1_000_000 - (item or 0)


class CompiledQuery:
    """`CompiledQuery(lambda key: Token.objects.filter(key=key).values_list(...))`, then
    `.rows(key)`: a list of tuples, as `values_list` would give. The queryset must be a
    `values_list` (or `values`) queryset of scalar arguments and lists of integers."""

    # Every compiled query of the project, so that a test can compare each with the ORM.
    instances: list[CompiledQuery] = []
    # Compare the first run of each shape with the queryset's rows. The test suite turns it off
    # (query counts are asserted per request; tests/test_compiled.py checks every query itself).
    verify_first_run = True

    def __init__(self, build: Callable[..., QuerySet[Any]], using: str = "default") -> None:
        self.build, self.using = build, using
        self._shapes: dict[tuple[Any, ...], tuple[str, list[Any], list[tuple[int, int, int | None]], list[Any]]] = {}
        self._lock = threading.Lock()
        self.fallback = False  # set once compiling proved unsafe: every call runs the plain queryset
        CompiledQuery.instances.append(self)

    def orm_rows(self, *args: Any) -> list[tuple[Any, ...]]:
        """The rows as the plain queryset gives them (the reference, and the fallback)."""
        return [tuple(row) for row in self.build(*args).using(self.using)]

    def _fall_back(self, reason: str, exc: BaseException | None = None) -> None:
        if not self.fallback:
            self.fallback = True
            logger.warning("CompiledQuery falls back to the ORM: %s", reason, exc_info=exc)

    def _compile(self, shape: tuple[Any, ...], args: Sequence[Any]) -> tuple[Any, ...]:
        standins = [
            [_standin(i, j, v) for j, v in enumerate(arg)] if isinstance(arg, list) else _standin(i, None, arg)
            for i, arg in enumerate(args)
        ]
        compiler = self.build(*standins).query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = []
        for i, standin in enumerate(standins):
            for j, value in enumerate(standin) if isinstance(standin, list) else [(None, standin)]:
                where = [k for k, param in enumerate(params) if param == value and type(param) is type(value)]
                if len(where) != 1:
                    raise ValueError(f"CompiledQuery: argument {i} appears {len(where)} times in the parameters")
                slots.append((where[0], i, j))
        columns = [select[0] for select in compiler.select[: compiler.col_count]]
        converters = [
            (index, converters, expression)
            for index, (converters, expression) in compiler.get_converters(columns).items()
        ]
        entry = (sql, params, slots, converters)
        with self._lock:
            self._shapes[shape] = entry
        return entry

    def rows(self, *args: Any) -> list[tuple[Any, ...]]:
        if self.fallback:
            return self.orm_rows(*args)
        connection = connections[self.using]
        shape = (connection.vendor, *(len(a) if isinstance(a, list) else type(a) for a in args))
        entry = self._shapes.get(shape)
        if entry is not None:
            return self._run(entry, args)
        try:
            entry = self._compile(shape, args)
        except Exception as exc:  # Django's compiler changed under us
            self._fall_back("compiling failed", exc)
            return self.orm_rows(*args)
        if not self.verify_first_run:
            return self._run(entry, args)
        # Compared as sets of rows (a query without ORDER BY may return them in any order), twice
        # before giving up: a concurrent write may land between the two reads.
        for _attempt in range(2):
            rows, expected = self._run(entry, args), self.orm_rows(*args)
            if sorted(rows, key=repr) == sorted(expected, key=repr):
                return rows
        with self._lock:
            self._shapes.pop(shape, None)
        self._fall_back(f"rows differ from the queryset's for shape {shape}")
        return expected

    def _run(self, entry: tuple[Any, ...], args: Sequence[Any]) -> list[tuple[Any, ...]]:
        connection = connections[self.using]
        sql, template, slots, converters = entry
        params = list(template)
        for position, i, j in slots:
            params[position] = args[i] if j is None else args[i][j]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for index, functions, expression in converters:
                value = row[index]
                for function in functions:
                    value = function(value, expression, connection)
                row[index] = value
            converted.append(tuple(row))
        return converted
