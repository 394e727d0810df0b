"""The sandbox stands in for an outside system: it must not import the portal's code."""

import ast
from pathlib import Path

import tracing_portal.bluezone.sandbox as sandbox_package

SANDBOX = Path(sandbox_package.__file__).parent
ALLOWED = "tracing_portal.bluezone.sandbox"


def imported_modules(source: str, package: str) -> list[str]:
    """Absolute names of the modules a file imports; `package` is the file's package."""
    modules = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                modules.append(f"{base}.{node.module}" if node.module else base)
            else:
                modules.append(node.module)
    return modules


def package_of(path: Path) -> str:
    relative = path.parent.relative_to(SANDBOX)
    return ".".join([ALLOWED, *relative.parts])


def test_sandbox_imports_nothing_from_the_portal_outside_itself():
    files = sorted(SANDBOX.rglob("*.py"))
    offending = {
        f"{path.relative_to(SANDBOX)}: {module}"
        for path in files
        for module in imported_modules(path.read_text(encoding="utf-8"), package_of(path))
        if module.startswith("tracing_portal")
        and not (module == ALLOWED or module.startswith(ALLOWED + "."))
    }

    assert len(files) > 10
    assert offending == set()


def test_the_checker_resolves_relative_imports_that_leave_the_sandbox():
    source = "from ..client import get_client\nfrom . import models\nimport tracing_portal.cases\n"

    assert imported_modules(source, ALLOWED) == [
        "tracing_portal.bluezone.client",
        "tracing_portal.bluezone.sandbox",
        "tracing_portal.cases",
    ]
    assert imported_modules("from ...core import x", f"{ALLOWED}.management") == [
        "tracing_portal.bluezone.core"
    ]
