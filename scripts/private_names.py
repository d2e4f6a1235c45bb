"""An import-linter contract: no app imports another app's private names (``_name``).

``from motcua.dossiers.services import _helper`` in ``motcua.catalog`` breaks it; inside one
app (``motcua.dossiers.*``) private names may be shared. Only ``from … import`` lines name what
they take, so those are checked (``module._name`` attribute access is left to review).
Configured in pyproject.toml (``[tool.importlinter]``); the scripts folder is on the path
because lint-imports runs from the repository root.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache

import grimp
from importlinter import Contract, ContractCheck, fields, output

_FROM_IMPORT = re.compile(r"^\s*from\s+[\w.]+\s+import\s+\(?(?P<names>[^)#]*)")


def _app(module: str, depth: int) -> str:
    return ".".join(module.split(".")[:depth])


@cache
def _source_lines(module: str) -> list[str]:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return []
    with open(spec.origin, encoding="utf-8") as source:
        return source.read().splitlines()


def _statement(module: str, line_number: int, first_line: str) -> str:
    """The whole import statement: a parenthesised one continues until its ``)``."""
    if "(" not in first_line or ")" in first_line:
        return first_line
    lines = _source_lines(module)[line_number - 1 :]
    statement = []
    for line in lines:
        statement.append(line.split("#")[0].strip())
        if ")" in line:
            break
    return " ".join(statement)


def private_names(line: str) -> list[str]:
    """The private names a ``from … import …`` line takes (``a as _b`` takes ``a``, which is public)."""
    match = _FROM_IMPORT.match(line)
    if not match:
        return []
    names = [part.strip().split(" as ")[0].strip() for part in match["names"].split(",")]
    return [n for n in names if n.startswith("_") and not (n.startswith("__") and n.endswith("__"))]


class PrivateNamesContract(Contract):
    """Options: ``containers`` — the packages whose direct children are the apps (e.g. motcua)."""

    type_name = "private_names"

    containers = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        violations = []
        for container in self.containers:  # type: ignore[attr-defined]
            depth = container.count(".") + 2
            inside = [m for m in graph.modules if m.startswith(container + ".")]
            for importer in sorted(inside):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    if not imported.startswith(container + ".") or _app(imported, depth) == _app(importer, depth):
                        continue
                    for detail in graph.get_import_details(importer=importer, imported=imported):
                        statement = _statement(importer, detail["line_number"], detail["line_contents"])
                        for name in private_names(statement):
                            violations.append((importer, detail["line_number"], imported, name))
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, line, imported, name in check.metadata["violations"]:
            output.print_error(f"{importer} (l.{line}) imports {imported}.{name}, private to its app")
            output.new_line()
