"""The product's documents kept in step with the code: the endpoint table of docs/api.md against the
URL resolver and the OpenAPI schema, the error codes against the error handler, the settings and
management commands against docs/operations.md, the workflow tables against orders/workflow.py,
every relative link, and every command block marked `sh runnable` executed as printed."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import get_commands
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import exceptions as drf_exceptions

from afterservice_site import errors
from orders import workflow

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
API_DOC, WORKFLOW_DOC, OPERATIONS_DOC = DOCS / "api.md", DOCS / "workflow.md", DOCS / "operations.md"
BASE_PATH = "api/v1/afterservice/"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PLACEHOLDER = re.compile(r"<[^>]*>|\{[^}]*\}|\(\?P<[^>]+>[^)]*\)")


# --- Reading the documents ------------------------------------------------------------------------------
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The text under `heading` (a whole heading line) up to the next heading of its level or above."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = next(
        (i for i in range(start, len(lines)) if re.match(rf"#{{1,{level}}} ", lines[i])),
        len(lines),
    )
    return "\n".join(lines[start:end])


def _tables(text: str) -> list[list[list[str]]]:
    """Every markdown table in `text`: its rows as stripped cells (the header row and the separator
    left out)."""
    tables, rows, in_table = [], [], False
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if in_table and not all(re.fullmatch(r":?-+:?", cell) for cell in cells):
                rows.append(cells)
            in_table = True  # the first line was the header
        elif in_table:
            tables.append(rows)
            rows, in_table = [], False
    return tables


def _table(text: str, heading: str) -> list[list[str]]:
    """The first table under `heading`."""
    return _tables(_section(text, heading))[0]


def _code(cell: str) -> str:
    return cell.replace("`", "").strip()


def _normalise(path: str) -> str:
    """A path with every placeholder (`<id>`, `{order_id}`, a regex group) as `<>`."""
    return PLACEHOLDER.sub("<>", path).strip("/")


# --- Endpoints ----------------------------------------------------------------------------------------------
def _documented_endpoints() -> set[tuple[str, str]]:
    rows = _table(_text(API_DOC), "## Endpoints")
    return {(_code(method), _normalise(_code(path))) for method, path, _what in rows}


def _walk(patterns: list, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^").removesuffix("$").removesuffix("/?")
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def _routed_endpoints() -> set[tuple[str, str]]:
    routed = set()
    for route, callback in _walk(get_resolver().url_patterns):
        if not route.startswith(BASE_PATH):
            continue
        view_class = callback.cls  # every API route is a DRF view
        for method in METHODS:
            if hasattr(view_class, method.lower()):
                routed.add((method, _normalise(route.removeprefix(BASE_PATH))))
    return routed


def test_api_doc_endpoint_table_matches_url_resolver_exactly():
    documented, routed = _documented_endpoints(), _routed_endpoints()

    assert routed - documented == set(), "routes missing from docs/api.md's table"
    assert documented - routed == set(), "documented endpoints the server does not route"


def test_api_doc_endpoint_table_matches_openapi_schema_exactly(db, anon_client):
    schema = anon_client.get("/api/schema", {"format": "json"}).json()
    in_schema = {
        (method.upper(), _normalise(path.removeprefix("/" + BASE_PATH)))
        for path, operations in schema["paths"].items()
        if path.startswith("/" + BASE_PATH)
        for method in operations
        if method.upper() in METHODS
    }

    assert in_schema == _documented_endpoints()


def test_api_doc_every_endpoint_has_its_section():
    headings = [line for line in _text(API_DOC).splitlines() if line.startswith("### ")]
    sectioned = {
        (method, _normalise(path))
        for heading in headings
        for method, path in re.findall(rf"`({'|'.join(METHODS)}) ([^`]+)`", heading)
    }

    assert _documented_endpoints() - sectioned == set()


# --- Error codes --------------------------------------------------------------------------------------------
def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def _answerable_codes() -> set[str]:
    """Every `code` the API can answer: the handler's own words, the domain's, DRF's exceptions as
    the handler renames them, and the codes written literally by the plain-Django handlers."""
    aliases = errors._CODE_ALIASES
    api_exceptions = {drf_exceptions.APIException} | {
        cls
        for cls in _subclasses(drf_exceptions.APIException)
        if cls.__module__ in ("rest_framework.exceptions", errors.__name__)
    }
    codes = set(errors.DEFAULT_MESSAGES) | {code for _status, code in errors.DOMAIN_ERRORS.values()}
    codes |= {aliases.get(cls.default_code, cls.default_code) for cls in api_exceptions}
    for module in ("afterservice_site/errors.py", "afterservice_site/middleware.py", "afterservice_site/health.py"):
        source = _text(ROOT / module)
        codes |= set(re.findall(r'error_(?:response|body)\(\d+, "(\w+)"', source))
        codes |= set(re.findall(r'"code": "(\w+)"', source))
    return codes


def test_api_doc_error_codes_match_what_the_api_answers():
    documented = {_code(row[0]) for row in _table(_text(API_DOC), "### Error codes")}

    assert _answerable_codes() - documented == set(), "codes the API answers, missing from docs/api.md"
    assert documented - _answerable_codes() == set(), "documented codes the API never answers"


# --- Settings and commands ----------------------------------------------------------------------------------
def _settings_variables() -> set[str]:
    """The environment variables settings.py reads: `os.environ.get("X")`, `os.environ["X"]`,
    `environ.get("X")`, and its helpers that read the variable named by their first argument."""
    tree = ast.parse(_text(ROOT / "afterservice_site" / "settings.py"))

    def reads_environ(node: ast.AST) -> bool:
        target = node.value if isinstance(node, ast.Subscript) else getattr(node, "func", None)
        if isinstance(node, ast.Call) and isinstance(target, ast.Attribute) and target.attr == "get":
            target = target.value
        elif not isinstance(node, ast.Subscript):
            return False
        return (isinstance(target, ast.Attribute) and target.attr == "environ") or (
            isinstance(target, ast.Name) and target.id == "environ"
        )

    def first_literal(node: ast.AST) -> str | None:
        arg = node.slice if isinstance(node, ast.Subscript) else (node.args[0] if node.args else None)
        return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None

    helpers = {
        function.name
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        and function.args.args
        and any(
            reads_environ(node)
            and isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == function.args.args[0].arg
            for node in ast.walk(function)
        )
    }
    names = set()
    for node in ast.walk(tree):
        calls_helper = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers
        if reads_environ(node) or calls_helper:
            name = first_literal(node)
            if name is not None:
                names.add(name)
    return names


def test_operations_doc_configuration_table_matches_settings_variables():
    table = _table(_text(OPERATIONS_DOC), "## Configuration")
    documented = {name for row in table for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row[0])}
    read = _settings_variables()

    assert {"DATABASE_URL", "SQLITE_PATH", "DEBUG", "ATTACHMENTS_S3_BUCKET"} <= read  # the reader finds them
    assert read - documented == set(), "settings read from the environment but not documented"
    assert documented - read == set(), "documented settings that settings.py does not read"


# Commands of other packages that operators use, documented beside the project's own.
THIRD_PARTY_COMMANDS = {"migrate", "db_worker", "axes_reset", "drf_create_token", "changepassword", "createsuperuser"}


def _project_commands() -> set[str]:
    names = set()
    for config in apps.get_app_configs():
        folder = Path(config.path) / "management" / "commands"
        if Path(config.path).parent == ROOT and folder.is_dir():  # the project's apps, not .venv's
            names |= {path.stem for path in folder.glob("*.py") if not path.stem.startswith("_")}
    return names


def test_operations_doc_every_management_command_has_its_section():
    headings = set(re.findall(r"^### `(\w+)`$", _text(OPERATIONS_DOC), re.MULTILINE))

    assert {"mark_overdue", "import_products", "stats_rebuild", "start_schedules"} <= _project_commands()
    assert (_project_commands() | THIRD_PARTY_COMMANDS) - headings == set()
    assert headings - set(get_commands()) == set(), "sections for commands that do not exist"


# --- Self-contained ------------------------------------------------------------------------------------------
FOREIGN_REFERENCES = ("DESIGN" + ".md", "../" + "shared")  # spelled apart so this file passes itself


def _repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],  # noqa: S607 - git from PATH
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name]


def test_repository_files_mention_no_document_outside_it():
    mentioning = []
    for path in _repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary (images, the compiled catalogue), or deleted in the work tree
        mentioning += [f"{path.relative_to(ROOT)}: {ref}" for ref in FOREIGN_REFERENCES if ref in text]

    assert mentioning == []


# --- The workflow tables --------------------------------------------------------------------------------------
def _actors(cell: str) -> frozenset[str]:
    if cell in ("—", "the system", "nobody"):
        return frozenset()
    return frozenset(actor.strip() for actor in cell.split(","))


def _target(cell: str) -> str | None:
    found = re.match(r"`(\w+)`", cell)
    return found.group(1) if found else None


def test_workflow_doc_chain_table_matches_workflow_steps():
    rows = _table(_text(WORKFLOW_DOC), "## The approval chain")
    documented = [
        (_code(status), _actors(who), _target(done), _target(reject)) for status, _zh, who, done, reject in rows
    ]
    steps = [(step.status, step.actors, step.done, step.reject) for step in workflow.STEPS]

    assert documented == steps


def test_workflow_doc_moves_table_matches_workflow_moves():
    rows = _table(_text(WORKFLOW_DOC), "## Halt, resume, cancel, overdue, delete")
    documented = {
        _code(operation): (frozenset(re.findall(r"`(\w+)`", sources)), _code(target), _actors(who))
        for operation, sources, target, who in rows
    }
    moves = {
        operation: (frozenset(sources), target, workflow.WORKFLOW_OPERATORS)
        for operation, (sources, target) in workflow.WORKFLOW_MOVES.items()
    }

    assert documented == moves


def test_workflow_doc_edit_table_matches_edit_table():
    rows = _table(_text(WORKFLOW_DOC), "## The edit table")
    contents = [
        workflow.Content.HEADER,
        workflow.Content.ABNORMAL_PRODUCTS,
        workflow.Content.DUTY_REPORT,
        workflow.Content.DEDUCTIONS,
        workflow.Content.ATTACHMENTS,
        workflow.Content.TRACKS,
    ]  # the table's columns, left to right
    documented: dict[str, dict[str, frozenset[str]]] = {content: {} for content in contents}
    for status, *cells in rows:
        for content, cell in zip(contents, cells, strict=True):
            documented[content][_code(status)] = _actors(cell)
    expected = {
        content: {status: workflow.EDIT_TABLE[content].get(status, frozenset()) for status in workflow.Status.values}
        for content in contents
    }

    assert set(contents) == set(workflow.Content.values)
    assert documented == expected


# --- Links and command blocks ---------------------------------------------------------------------------------
DOCUMENTS = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(line.lstrip("#")) for line in _text(path).splitlines() if re.match(r"#{1,6} ", line)}


def test_docs_relative_links_resolve_to_files_and_headings():
    broken = []
    for document in DOCUMENTS:
        for target in LINK.findall(_text(document)):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto
            file_part, _, anchor = target.partition("#")
            linked = (document.parent / file_part).resolve() if file_part else document
            if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in _anchors(linked)):
                broken.append(f"{document.relative_to(ROOT)}: {target}")

    assert broken == []


SHELLS = {"sh", "bash", "shell", "console"}
# Why a printed command block is not executed by the test below (the word after `sh`).
NOT_RUN = {"long-running", "interactive", "production"}
FENCE = re.compile(r"^(\s*)```(.*)$")


def _blocks(path: Path) -> list[tuple[int, list[str], list[str]]]:
    """Fenced code blocks: (line of the fence, info words, lines without the fence's indentation)."""
    blocks, current = [], None
    for number, line in enumerate(_text(path).splitlines(), start=1):
        fence = FENCE.match(line)
        if current is None and fence:
            current = (number, fence.group(2).split(), len(fence.group(1)), [])
        elif current is not None and fence and not fence.group(2).strip():
            blocks.append((current[0], current[1], current[3]))
            current = None
        elif current is not None:
            current[3].append(line[current[2] :])
    return blocks


def test_docs_shell_blocks_each_say_whether_runnable():
    unmarked = [
        f"{path.relative_to(ROOT)}:{line} {' '.join(info)}"
        for path in DOCUMENTS
        for line, info, _lines in _blocks(path)
        if info and info[0] in SHELLS and (len(info) != 2 or info[1] not in NOT_RUN | {"runnable"})
    ]

    assert unmarked == []


def _commands(lines: list[str]) -> list[str]:
    """The block's commands: continuation lines joined, blank and comment lines left out."""
    commands, pending = [], ""
    for line in lines:
        pending += line
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        if pending.strip() and not pending.lstrip().startswith("#"):
            commands.append(pending.strip())
        pending = ""
    return commands


# README first (it sends the reader to `make run`), then operations.md (set-up, commands), then the rest.
RUN_ORDER = [
    ROOT / "README.md",
    OPERATIONS_DOC,
    *(path for path in sorted(DOCS.glob("*.md")) if path != OPERATIONS_DOC),
]
# Left out of the copy: what a fresh clone does not have.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.pyc", ".env", "db.sqlite3*", "media", "staticfiles", ".pytest_cache",
    ".ruff_cache", ".hypothesis", ".schemathesis", "screenshots", "results", "*.sqlite3*",
)  # fmt: skip
COMMAND_TIMEOUT_S = 120


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the commands run on a database of their own (a temporary SQLite file) whatever the suite's; "
    "the SQLite pass of the suite runs them",
)
def test_docs_runnable_blocks_run_as_printed_exit_zero(tmp_path):
    """A fresh copy of the checkout sharing this `.venv`, its `.env` written by the Makefile, its
    own SQLite database (`SQLITE_PATH`), migrated and seeded as `make run` does before serving;
    then every line of every `sh runnable` block, in document order, in a shell with none of the
    service's settings exported."""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=NOT_COPIED, symlinks=True)
    (checkout / ".venv").symlink_to(ROOT / ".venv")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _settings_variables() and not name.startswith(("DJANGO_", "AFTERSERVICE_", "ATTACHMENTS_"))
    }
    env["SQLITE_PATH"] = str(checkout / "db.sqlite3")

    def run(command: str, where: str) -> None:
        done = subprocess.run(  # noqa: S603 - the commands this repository's documents print
            ["sh", "-c", command],  # noqa: S607 - the shell the blocks are written for
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
        )
        assert done.returncode == 0, f"{where}: `{command}` exited {done.returncode}\n{done.stdout}\n{done.stderr}"

    # What `make run` does before it serves (its .env, migrate, seed targets).
    run("make --no-print-directory -s .env", "Makefile")
    run(".venv/bin/python manage.py migrate --noinput", "Makefile")
    run(".venv/bin/python manage.py seed_demo --if-empty", "Makefile")
    ran = 0
    for document in RUN_ORDER:
        for line, info, lines in _blocks(document):
            if info[:2] == ["sh", "runnable"]:
                for command in _commands(lines):
                    run(command, f"{document.relative_to(ROOT)}:{line}")
                    ran += 1

    assert ran >= 20  # the operations guide's commands at least
