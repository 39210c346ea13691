"""The house's layout rules, checked: the domain layer (services, selectors, workflow, models,
exceptions, wire formats) knows nothing of HTTP — it imports neither DRF nor the API's transport
modules, directly or through another module of the project."""

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("orders", "products", "suppliers", "afterservice_site", "notifications", "stats")
# The domain layer: what must stay free of HTTP.
DOMAIN_MODULES = [
    "orders.services",
    "orders.selectors",
    "orders.workflow",
    "orders.models",
    "orders.exceptions",
    "orders.wire",
    "products.selectors",
    "suppliers.selectors",
    "notifications.services",
    "notifications.selectors",
    "orders.uploads",
    "stats.services",
    "stats.selectors",
]
FORBIDDEN = (
    "rest_framework",
    "drf_spectacular",
    "afterservice_site.errors",
    "afterservice_site.rendering",
    "afterservice_site.pagination",
    "afterservice_site.schema",
    "afterservice_site.throttling",
    "afterservice_site.authentication",
)


def _spec(name: str):
    try:
        return importlib.util.find_spec(name)
    except (ImportError, AttributeError, ValueError):  # a name inside a module, not a module
        return None


def _module_of(name: str) -> str | None:
    """The project module an import names (`orders.services.records.X` → `orders.services.records`)."""
    while name:
        if _spec(name) is not None:
            return name
        name = name.rpartition(".")[0]
    return None


def _source_files(module: str) -> list[Path]:
    spec = _spec(module)
    if spec is None or spec.origin is None:
        return []
    # A package is its __init__.py; the modules it imports are walked from there.
    return [Path(spec.origin)] if spec.origin.endswith(".py") else []


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _reachable_imports(module: str) -> dict[str, str]:
    """Every import reachable from `module` through project modules: {imported: importer}."""
    seen: dict[str, str] = {}
    queue = [module]
    visited: set[str] = set()
    while queue:
        current = queue.pop()
        if current in visited:
            continue
        visited.add(current)
        for path in _source_files(current):
            for name in _imports(path):
                seen.setdefault(name, str(path.relative_to(ROOT)))
                if name.split(".")[0] in PROJECT_PACKAGES and (found := _module_of(name)):
                    queue.append(found)
    return seen


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_module_imports_nothing_of_http(module):
    offending = {
        name: importer
        for name, importer in _reachable_imports(module).items()
        if any(name == bad or name.startswith(f"{bad}.") for bad in FORBIDDEN)
    }

    assert offending == {}, f"{module} reaches the HTTP layer: {offending}"


def test_import_walk_sees_a_known_import():
    # The walk itself works: the services reach the workflow table through their own imports.
    assert "orders.workflow" in _reachable_imports("orders.services")
