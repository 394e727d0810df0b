import ast
from pathlib import Path

import tracing_portal.notifications.sandbox as sandbox

SANDBOX = Path(sandbox.__file__).parent


def test_the_sms_sandbox_imports_nothing_from_the_portal():
    """It stands for the operator on the other end of the wire: only its own package."""
    for path in SANDBOX.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                inside = name.startswith("tracing_portal.notifications.sandbox")
                assert inside or not name.startswith("tracing_portal"), (path.name, name)
